function v = version()
%VERSION The version of the loaded haresnet library, 'MAJOR.MINOR.PATCH'.
v = haresnet_mex('version');
end
