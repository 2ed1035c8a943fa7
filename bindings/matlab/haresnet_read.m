function [x, fs] = haresnet_read(rec, signal, first, last)
%HARESNET_READ Physical samples (e.g. mV) of one signal of a record, as a single column.
%   [X, FS] = HARESNET_READ(REC, SIGNAL) reads the whole signal SIGNAL (a name such as
%   'MLII' or a 1-based index); HARESNET_READ(REC, SIGNAL, FIRST, LAST) frames FIRST to
%   LAST (1-based, inclusive). Invalid samples are NaN. FS is the rate of X: a signal
%   with several samples per frame comes at the record's highest rate (slower signals'
%   samples repeated), so X may hold more samples than frames.
if nargin < 3 || isempty(first), first = 1; end
if nargin < 4 || isempty(last), last = rec.length; end
if ischar(signal) || isstring(signal)
    idx = libpointer('uint32Ptr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_record_find_signal', rec.handle, char(signal), idx));
    channel = idx.Value;
else
    channel = uint32(signal - 1);
end
if first < 1 || last < first - 1 || last > rec.length
    error('haresnet:invalid_argument', 'frames FIRST..LAST must lie within 1..%d', rec.length);
end
from = uint64(first - 1);
to = uint64(last);
cap = double(to - from);
% Never a NULL buffer: the library refuses one for an empty range.
buf = libpointer('singlePtr', zeros(max(cap, 1), 1, 'single'));
len = libpointer('uint64Ptr', 0);
status = calllib('haresnet', 'haresnet_record_read', rec.handle, channel, from, to, buf, uint64(cap), len);
if status == 3  % HARESNET_STATUS_BUFFER_TOO_SMALL: several samples per frame, len says how many
    cap = double(len.Value);
    buf = libpointer('singlePtr', zeros(cap, 1, 'single'));
    status = calllib('haresnet', 'haresnet_record_read', rec.handle, channel, from, to, buf, uint64(cap), len);
end
haresnet_check(status);
x = buf.Value(1:double(len.Value));
fs = max(rec.signal_rates);
end
