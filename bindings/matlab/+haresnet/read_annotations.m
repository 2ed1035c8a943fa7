function a = read_annotations(path, annotator)
%READ_ANNOTATIONS The annotations of the file PATH.ANNOTATOR, read whole.
%   A = haresnet.read_annotations(PATH, ANNOTATOR) reads e.g. 'mitdb/100' and 'atr'
%   (PATH may end in .hea). A is a struct of columns, one row per annotation in file
%   order: sample (1-based sample number), symbol ('N', 'V', '+'...; cell array),
%   subtype, chan, num (the WFDB fields subtyp, chan and num), aux (cell array: e.g.
%   '(AFIB' for a rhythm change; '' when absent).
if nargin ~= 2 || ~(ischar(path) || isa(path, 'string')) || ~(ischar(annotator) || isa(annotator, 'string'))
    error('haresnet:invalid_argument', ...
        'haresnet.read_annotations takes the record''s path and the annotator (file extension)');
end
[samples, ~, subtypes, chans, nums, symbols, aux] = ...
    haresnet.internal.mex('annotations_read', char(path), char(annotator));
a.sample = double(samples) + 1;
a.symbol = symbols;
a.subtype = double(subtypes);
a.chan = double(chans);
a.num = double(nums);
a.aux = aux;
end
