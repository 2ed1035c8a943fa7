function haresnet_load(libfile, header)
%HARESNET_LOAD Load the haresnet shared library into MATLAB (once per session).
%   HARESNET_LOAD(LIBFILE, HEADER) loads LIBFILE (libharesnet.so, libharesnet.dylib or
%   haresnet.dll) with the C header HEADER (include/haresnet.h). Both default to the
%   workspace's target/release library and include/haresnet.h, found from this file.
%   A library of another ABI major version is refused.
root = fileparts(fileparts(fileparts(mfilename('fullpath'))));
if nargin < 1 || isempty(libfile)
    if ispc
        name = 'haresnet.dll';
    elseif ismac
        name = 'libharesnet.dylib';
    else
        name = 'libharesnet.so';
    end
    libfile = fullfile(root, 'target', 'release', name);
end
if nargin < 2 || isempty(header)
    header = fullfile(root, 'include', 'haresnet.h');
end
if ~libisloaded('haresnet')
    loadlibrary(libfile, header, 'alias', 'haresnet');
end
% The header's ABI major version is 0 (HARESNET_ABI_VERSION >> 16).
abi = calllib('haresnet', 'haresnet_abi_version');
if bitshift(double(abi), -16) ~= 0
    unloadlibrary('haresnet');
    error('haresnet:abi', 'library ABI %d.x, these wrappers are for ABI 0.x', bitshift(double(abi), -16));
end
end
