function a = annotation_args(path, annotator, samples, symbols, args)
%ANNOTATION_ARGS The arguments of haresnet.write_annotations and
%   haresnet_write_annotations, checked and converted for the C ABI's
%   haresnet_annotations_write (internal: both routes use it). A is a struct: path,
%   annotator; samples (int64, 0-based, a column); symbols (a cell column); subtypes,
%   chans, nums (int32 columns, or [] for zeros); aux (text of one field per annotation
%   separated by newlines, or [] for none); fs (Hz, or [] when not given).
need(nargin == 5 && is_text(path), 'the record path is a string');
need(is_text(annotator) && ~isempty(char(annotator)), 'the annotator (file extension, e.g. ''atr'') is a string');
a.path = char(path);
a.annotator = char(annotator);
need(isnumeric(samples) && isreal(samples) && (isvector(samples) || isempty(samples)), ...
    'the samples must be a numeric vector (1-based sample numbers)');
samples = double(samples(:));
need(all(samples == round(samples)) && all(samples >= 1), ...
    'the samples are 1-based sample numbers: whole numbers >= 1');
n = numel(samples);
a.samples = int64(samples) - 1;
if ischar(symbols) && (isvector(symbols) || isempty(symbols))
    symbols = num2cell(symbols(:));  % one character per annotation
end
need(iscellstr(symbols) || isa(symbols, 'string'), ...
    'the symbols are a cell array of strings (''N'', ''V'', ''+''...), or a char vector of one per annotation');
symbols = cellstr(symbols);
need(numel(symbols) == n, sprintf('%d symbols for %d samples', numel(symbols), n));
a.symbols = symbols(:);
a.subtypes = [];
a.chans = [];
a.nums = [];
a.aux = [];
a.fs = [];
need(mod(numel(args), 2) == 0, 'options come as name-value pairs');
for k = 1:2:numel(args)
    name = args{k};
    value = args{k + 1};
    need(ischar(name) || isa(name, 'string'), 'option names are strings');
    switch lower(char(name))
        case 'subtype'
            a.subtypes = field(value, n, 'Subtype');
        case 'chan'
            a.chans = field(value, n, 'Chan');
        case 'num'
            a.nums = field(value, n, 'Num');
        case 'aux'
            if ~isempty(value)
                need(iscellstr(value) || isa(value, 'string'), 'Aux is a cell array of strings, one per annotation');
                value = cellstr(value);
                need(numel(value) == n, sprintf('Aux: %d given for %d annotations', numel(value), n));
                need(~any(cellfun(@(s) any(s == 10 | s == 13), value)), 'Aux must not hold line breaks');
                a.aux = strjoin(reshape(value, 1, []), char(10));
            end
        case 'fs'
            if ~isempty(value)
                need(isnumeric(value) && isreal(value) && isscalar(value), 'Fs must be a number (Hz)');
                a.fs = double(value);
            end
        otherwise
            error('haresnet:invalid_argument', ...
                'unknown option ''%s'': they are Fs, Subtype, Chan, Num and Aux', char(name));
    end
end
end

function v = field(v, n, what)
% One number for every annotation, or one each, as an int32 column; [] stays [].
if isempty(v)
    v = [];
    return
end
need(isnumeric(v) && isreal(v) && (isscalar(v) || numel(v) == n), ...
    sprintf('%s takes one number, or one per annotation (%d)', what, n));
need(all(v(:) == round(v(:))) && all(abs(double(v(:))) < 2^31), sprintf('%s takes whole numbers', what));
if isscalar(v)
    v = int32(repmat(double(v), n, 1));
else
    v = int32(v(:));
end
end

function tf = is_text(v)
tf = (ischar(v) && size(v, 1) <= 1) || (isa(v, 'string') && isscalar(v));
end

function need(condition, message)
if ~condition
    error('haresnet:invalid_argument', '%s', message);
end
end
