function s = haresnet_utf8(bytes)
%HARESNET_UTF8 Text from the library's UTF-8 bytes (int8 or uint8), as a char row:
%   char() of the bytes would garble anything beyond ASCII.
if isempty(bytes)
    s = '';
    return
end
s = reshape(native2unicode(typecast(int8(bytes(:)'), 'uint8'), 'UTF-8'), 1, []);
end
