function haresnet_check(status)
%HARESNET_CHECK Raise a MATLAB error carrying the library's message for a failed call.
if status == 0
    return
end
len = libpointer('uint64Ptr', 0);
buf = libpointer('int8Ptr', zeros(1, 1024, 'int8'));
calllib('haresnet', 'haresnet_last_error', buf, uint64(1024), len);
message = char(buf.Value(1:min(double(len.Value), 1023)));
name = calllib('haresnet', 'haresnet_status_str', int32(status));
error('haresnet:status%d', '%s [%s]', status, message, name);
end
