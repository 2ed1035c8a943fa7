function model = haresnet_model(source, segment_seconds)
%HARESNET_MODEL Load a classifier; free it with HARESNET_FREE(MODEL).
%   MODEL = HARESNET_MODEL() loads the embedded 5 s weights of set 'all'.
%   MODEL = HARESNET_MODEL(SET, SEGMENT_SECONDS) loads embedded set 'all' or 'ds1' for
%   2, 5 or 10 s segments. MODEL = HARESNET_MODEL(FILE) loads a weights file (.hrn).
%   MODEL is a struct: handle, source, labels (cell array of class names),
%   segment_seconds, rate. Nothing stays allocated when this raises an error.
if nargin < 1 || isempty(source), source = 'all'; end
if nargin < 2 || isempty(segment_seconds), segment_seconds = 5; end
haresnet_load();
source = char(source);
out = libpointer('voidPtrPtr');
if any(strcmp(source, {'all', 'ds1'}))
    haresnet_check(calllib('haresnet', 'haresnet_model_load_embedded', ...
        uint32(segment_seconds), source, [], out));
else
    haresnet_check(calllib('haresnet', 'haresnet_model_load_file', source, [], out));
end
model.handle = out.Value;
model.kind = 'model';
model.source = source;
try
    n = libpointer('uint32Ptr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_model_num_classes', model.handle, n));
    model.labels = cell(1, double(n.Value));
    for i = 1:numel(model.labels)
        model.labels{i} = haresnet_string('haresnet_model_class_name', model.handle, uint32(i - 1));
    end
    s = libpointer('doublePtr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_model_segment_seconds', model.handle, s));
    model.segment_seconds = s.Value;
    haresnet_check(calllib('haresnet', 'haresnet_model_rate', model.handle, s));
    model.rate = s.Value;
catch err
    % The caller never gets the handle: free it here.
    calllib('haresnet', 'haresnet_model_free', model.handle);
    rethrow(err);
end
end
