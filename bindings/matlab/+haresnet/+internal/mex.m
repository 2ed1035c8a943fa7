function varargout = mex(varargin)
%MEX haresnet_mex, with a clear error when it has not been built (internal: the
%   haresnet classes and package functions call the gateway through this).
try
    [varargout{1:nargout}] = haresnet_mex(varargin{:});
catch err
    if isempty(which('haresnet_mex'))
        error('haresnet:no_mex', ['haresnet_mex is not built: run ' ...
            'haresnet.build_mex (see bindings/matlab/README.md)']);
    end
    rethrow(err);
end
end
