function r = haresnet_classify_record(model, rec, signal, hop_seconds, varargin)
%HARESNET_CLASSIFY_RECORD Classify a lead of an opened record (default 'MLII').
%   R = HARESNET_CLASSIFY_RECORD(MODEL, REC) returns what HARESNET_CLASSIFY returns, with
%   starts in samples of that signal; segments with invalid samples get label -1.
%   R = HARESNET_CLASSIFY_RECORD(MODEL, REC, SIGNAL, HOP_SECONDS, 'SmoothingHalfLife', H)
%   as in HARESNET_CLASSIFY.
if nargin >= 4 && (ischar(hop_seconds) || isstring(hop_seconds))
    varargin = [{hop_seconds}, varargin];  % a name-value pair without HOP_SECONDS
    hop_seconds = [];
end
if nargin < 3 || isempty(signal), signal = 'MLII'; end
if nargin < 4 || isempty(hop_seconds), hop_seconds = 0; end
opts = haresnet_options(hop_seconds, 0, varargin{:});
count = libpointer('uint64Ptr', 0);
status = calllib('haresnet', 'haresnet_record_classify', rec.handle, model.handle, signal, ...
    opts, [], [], [], [], uint64(0), count);
if status ~= 3  % the size query answers HARESNET_STATUS_BUFFER_TOO_SMALL
    haresnet_check(status);
end
r = haresnet_results(double(count.Value), numel(model.labels), model.labels, ...
    @(starts, labels, probs, hrs, cap, out) calllib('haresnet', 'haresnet_record_classify', ...
    rec.handle, model.handle, signal, opts, starts, labels, probs, hrs, cap, out));
end
