function a = haresnet_read_annotations(path, annotator)
%HARESNET_READ_ANNOTATIONS The annotations of the file PATH.ANNOTATOR, as
%   haresnet.read_annotations gives them: a struct of columns sample (1-based), symbol,
%   subtype, chan, num and aux. Nothing stays allocated, whatever happens.
haresnet_load();
out = libpointer('voidPtrPtr');
haresnet_check(calllib('haresnet', 'haresnet_annotations_read', char(path), char(annotator), out));
h = out.Value;
cleanup = onCleanup(@() calllib('haresnet', 'haresnet_annotations_free', h));
count = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_annotations_count', h, count));
n = double(count.Value);
samples = libpointer('int64Ptr', zeros(max(n, 1), 1, 'int64'));
fields = cell(1, 4);
for k = 1:4
    fields{k} = libpointer('int32Ptr', zeros(max(n, 1), 1, 'int32'));
end
if n > 0
    haresnet_check(calllib('haresnet', 'haresnet_annotations_fields', h, samples, fields{1}, fields{2}, ...
        fields{3}, fields{4}, uint64(n), count));
end
column = @(v) reshape(double(v(1:n)), [], 1);
a.sample = column(samples.Value) + 1;
a.symbol = cell(n, 1);
a.subtype = column(fields{2}.Value);
a.chan = column(fields{3}.Value);
a.num = column(fields{4}.Value);
a.aux = cell(n, 1);
for i = 1:n
    a.symbol{i} = haresnet_string('haresnet_annotations_symbol', h, uint64(i - 1));
    a.aux{i} = haresnet_string('haresnet_annotations_aux', h, uint64(i - 1));
end
clear cleanup
end
