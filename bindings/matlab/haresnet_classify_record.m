function r = haresnet_classify_record(model, rec, signal, varargin)
%HARESNET_CLASSIFY_RECORD Classify a lead of an opened record (default 'MLII').
%   R = HARESNET_CLASSIFY_RECORD(MODEL, REC, SIGNAL) returns what HARESNET_CLASSIFY
%   returns for the signal named SIGNAL, read at its own rate; times and indices count in
%   that signal's samples from the start of the record. Segments with invalid samples
%   are not analysed (class_index 0) unless 'SkipInvalid' is false. Options as in
%   HARESNET_CLASSIFY.
if nargin < 3 || isempty(signal), signal = 'MLII'; end
opts = haresnet_options(true, varargin);
idx = libpointer('uint32Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_record_find_signal', rec.handle, char(signal), idx));
fs = rec.signal_rates(double(idx.Value) + 1);
count = libpointer('uint64Ptr', 0);
status = calllib('haresnet', 'haresnet_record_classify', rec.handle, model.handle, char(signal), ...
    opts, [], [], [], [], uint64(0), count);
if status ~= 3  % the size query answers HARESNET_STATUS_BUFFER_TOO_SMALL
    haresnet_check(status);
end
r = haresnet_results(model, fs, round(rec.length * fs / rec.fs), double(count.Value), ...
    @(starts, labels, probs, hrs, cap, out) calllib('haresnet', 'haresnet_record_classify', ...
    rec.handle, model.handle, char(signal), opts, starts, labels, probs, hrs, cap, out));
end
