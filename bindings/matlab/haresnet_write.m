function haresnet_write(rec, path, varargin)
%HARESNET_WRITE Write a record opened by HARESNET_RECORD, or part of it, as the WFDB
%   record PATH, as haresnet.Record's write: names, units, gains, baselines, samples per
%   frame, base time and info lines kept, digital values copied exactly. Options
%   'Signals' (names or 1-based indices), 'First', 'Last' (1-based frames, inclusive),
%   'Format' ([]: each signal's own) and 'Rescale' (see haresnet.Record's write).
a = haresnet.internal.copy_args(path, rec.length, varargin);
channels = zeros(1, numel(a.signals), 'uint32');
for k = 1:numel(a.signals)
    signal = a.signals{k};
    if ischar(signal) || isstring(signal)
        idx = libpointer('uint32Ptr', 0);
        haresnet_check(calllib('haresnet', 'haresnet_record_find_signal', rec.handle, char(signal), idx));
        channels(k) = idx.Value;
    else
        n = numel(rec.signal_names);
        if ~(isnumeric(signal) && isscalar(signal) && signal == round(signal) && signal >= 1 && signal <= n)
            error('haresnet:invalid_argument', 'a signal index lies within 1..%d', n);
        end
        channels(k) = uint32(signal - 1);
    end
end
haresnet_check(calllib('haresnet', 'haresnet_record_write_copy', rec.handle, a.path, a.format, ...
    channels, uint64(numel(channels)), uint64(a.from), uint64(a.to), int32(a.rescale)));
end
