function haresnet_write_annotations(path, annotator, samples, symbols, varargin)
%HARESNET_WRITE_ANNOTATIONS Write a WFDB annotation file PATH.ANNOTATOR, as
%   haresnet.write_annotations: SAMPLES (1-based, non-decreasing) and SYMBOLS ({'N',
%   'V', '+'...} or a char vector of one per annotation), options 'Fs' (default: the
%   rate of the record PATH), 'Subtype', 'Chan', 'Num' and 'Aux'.
haresnet_load();
a = haresnet.internal.annotation_args(path, annotator, samples, symbols, varargin);
if isempty(a.fs)
    try
        rec = haresnet_record(a.path);
    catch err
        error('haresnet:invalid_argument', ...
            'give ''Fs'': the rate could not be taken from the record %s (%s)', a.path, err.message);
    end
    a.fs = rec.fs;
    haresnet_free(rec);
end
codes = zeros(numel(a.symbols), 1, 'int32');
code = libpointer('int32Ptr', 0);
for k = 1:numel(codes)
    haresnet_check(calllib('haresnet', 'haresnet_annotation_code', a.symbols{k}, code));
    codes(k) = code.Value;
end
haresnet_check(calllib('haresnet', 'haresnet_annotations_write', a.path, a.annotator, a.fs, ...
    a.samples, codes, a.subtypes, a.chans, a.nums, a.aux, uint64(numel(codes))));
end
