function s = haresnet_string(fn, varargin)
%HARESNET_STRING A string from a (buf, cap, *out_len) function: size query, then copy.
len = libpointer('uint64Ptr', 0);
status = calllib('haresnet', fn, varargin{:}, [], uint64(0), len);
if status ~= 0 && status ~= 3  % 3: HARESNET_STATUS_BUFFER_TOO_SMALL
    haresnet_check(status);
end
cap = double(len.Value) + 1;
buf = libpointer('int8Ptr', zeros(1, cap, 'int8'));
haresnet_check(calllib('haresnet', fn, varargin{:}, buf, uint64(cap), len));
s = haresnet_utf8(buf.Value(1:double(len.Value)));
end
