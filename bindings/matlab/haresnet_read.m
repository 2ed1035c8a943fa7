function x = haresnet_read(rec, signal, from, to)
%HARESNET_READ Physical samples (mV) of one signal of a record, as a single column.
%   X = HARESNET_READ(REC, SIGNAL) reads the whole signal SIGNAL (a name such as 'MLII'
%   or a 1-based index); HARESNET_READ(REC, SIGNAL, FROM, TO) frames FROM..TO-1
%   (0-based, as WFDB counts). Invalid samples are NaN.
if nargin < 3 || isempty(from), from = 0; end
if nargin < 4 || isempty(to), to = rec.length; end
if ischar(signal) || isstring(signal)
    idx = libpointer('uint32Ptr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_record_find_signal', rec.handle, char(signal), idx));
    channel = idx.Value;
else
    channel = uint32(signal - 1);
end
cap = to - from;
buf = libpointer('singlePtr', zeros(cap, 1, 'single'));
len = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_record_read', rec.handle, channel, ...
    uint64(from), uint64(to), buf, uint64(cap), len));
x = buf.Value(1:double(len.Value));
end
