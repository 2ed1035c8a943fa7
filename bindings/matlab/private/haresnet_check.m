function haresnet_check(status)
%HARESNET_CHECK Raise the MATLAB error of a failed call: identifier haresnet:<status>
%   (haresnet:io, haresnet:invalid_argument..., as the MEX gateway names them) and the
%   library's message, decoded as UTF-8.
if status == 0
    return
end
len = libpointer('uint64Ptr', 0);
calllib('haresnet', 'haresnet_last_error', [], uint64(0), len);
cap = double(len.Value) + 1;
buf = libpointer('int8Ptr', zeros(1, cap, 'int8'));
calllib('haresnet', 'haresnet_last_error', buf, uint64(cap), len);
message = haresnet_utf8(buf.Value(1:min(double(len.Value), cap - 1)));
name = calllib('haresnet', 'haresnet_status_str', int32(status));
id = ['haresnet:' lower(strrep(name, 'HARESNET_STATUS_', ''))];
if isempty(message)
    message = name;
end
% A struct, so that the message is not read as a format.
error(struct('identifier', id, 'message', message));
end
