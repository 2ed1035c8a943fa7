function haresnet_free(varargin)
%HARESNET_FREE Free models and records made by HARESNET_MODEL and HARESNET_RECORD.
%   Each must be freed exactly once, and not used afterwards: the structs are values,
%   so copies cannot know. To free them whatever happens, hold an onCleanup object:
%       cleanup = onCleanup(@() haresnet_free(model, rec));
for i = 1:nargin
    h = varargin{i};
    switch h.kind
        case 'model'
            calllib('haresnet', 'haresnet_model_free', h.handle);
        case 'record'
            calllib('haresnet', 'haresnet_record_free', h.handle);
    end
end
end
