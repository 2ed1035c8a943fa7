function haresnet_free(varargin)
%HARESNET_FREE Free models and records made by HARESNET_MODEL and HARESNET_RECORD.
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
