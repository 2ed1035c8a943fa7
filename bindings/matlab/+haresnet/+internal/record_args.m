function a = record_args(path, signals, fs, args)
%RECORD_ARGS The arguments of haresnet.write_record and haresnet_write_record, checked
%   and converted for the C ABI's haresnet_record_write (internal: both routes use it).
%   A is a struct: path; fs; data (double: physical, or int32: digital; one column per
%   signal); formats (int32), gains (double, NaN: chosen by the library), baselines
%   (int32), one per signal; names, units, comments (text with lines separated by
%   newlines, or [] for the library's default); base_date ([year month day] or []);
%   base_time (seconds since midnight, or []).
need(nargin == 4 && (ischar(path) && size(path, 1) <= 1 || isa(path, 'string') && isscalar(path)), ...
    'the record path is a string');
a.path = char(path);
need(isnumeric(signals) && isreal(signals) && ~issparse(signals) && ndims(signals) == 2, ...
    'the signals must be a real numeric matrix, one column per signal (a vector is one signal)');
if isvector(signals)
    signals = signals(:);
end
n = size(signals, 2);
need(isnumeric(fs) && isreal(fs) && isscalar(fs), 'fs must be a number (Hz)');
a.fs = double(fs);
digital = false;
formats = 16;
gains = NaN;
baselines = 0;
names = [];
units = [];
comments = [];
a.base_date = [];
a.base_time = [];
need(mod(numel(args), 2) == 0, 'options come as name-value pairs');
for k = 1:2:numel(args)
    name = args{k};
    value = args{k + 1};
    need(ischar(name) || isa(name, 'string'), 'option names are strings');
    switch lower(char(name))
        case 'digital'
            need((islogical(value) || isnumeric(value)) && isscalar(value), 'Digital must be true or false');
            digital = logical(value);
        case 'format'
            formats = value;
        case 'gain'
            if isempty(value), value = NaN; end
            gains = value;
        case 'baseline'
            if isempty(value), value = 0; end
            baselines = value;
        case 'names'
            names = value;
        case 'units'
            units = value;
        case 'comments'
            comments = value;
        case 'basedate'
            if ~isempty(value)
                need(isnumeric(value) && numel(value) == 3 && all(value == round(value)), ...
                    'BaseDate is [year month day]');
                a.base_date = double(value(:)');
            end
        case 'basetime'
            if ~isempty(value)
                need(isnumeric(value) && isreal(value) && (isscalar(value) || numel(value) == 3), ...
                    'BaseTime is seconds since midnight or [hours minutes seconds]');
                if numel(value) == 3
                    value = double(value(:)') * [3600; 60; 1];
                end
                need(value >= 0 && value < 86400, 'BaseTime must lie within one day (0 to 86400 s)');
                a.base_time = double(value);
            end
        otherwise
            error('haresnet:invalid_argument', ['unknown option ''%s'': they are Format, Gain, ' ...
                'Baseline, Names, Units, Digital, Comments, BaseDate and BaseTime'], char(name));
    end
end
if digital
    need(all(isfinite(signals(:))) && all(signals(:) == round(signals(:))) ...
        && all(double(signals(:)) >= -2147483648) && all(double(signals(:)) <= 2147483647), ...
        'digital samples must be whole numbers within int32''s range');
    a.data = int32(signals);
else
    a.data = double(signals);
end
a.formats = int32(per_signal(formats, n, 'Format', true));
a.gains = double(per_signal(gains, n, 'Gain', false));
a.baselines = int32(per_signal(baselines, n, 'Baseline', true));
a.names = lines(names, n, 'Names', false);
a.units = lines(units, n, 'Units', true);
if isempty(comments)
    a.comments = [];
else
    a.comments = lines(comments, numel(cellstr(comments)), 'Comments', false);
end
end

function v = per_signal(v, n, what, whole)
% One value for every signal, or one per signal, as a row.
need(isnumeric(v) && isreal(v) && (isscalar(v) || numel(v) == n), ...
    sprintf('%s takes one number, or one per signal (%d)', what, n));
if whole
    need(all(v(:) == round(v(:))) && all(abs(double(v(:))) < 2^31), sprintf('%s takes whole numbers', what));
end
if isscalar(v)
    v = repmat(double(v), 1, n);
else
    v = double(v(:)');
end
end

function t = lines(v, n, what, shared)
% N strings (a cell array or string array of N; a char row is one string, or, when
% SHARED, the string of every one) joined by newlines for the C ABI; [] stays [] (the
% library's default).
if isempty(v) && ~ischar(v)
    t = [];
    return
end
need(ischar(v) || iscellstr(v) || isa(v, 'string'), sprintf('%s are strings', what));
need(~ischar(v) || size(v, 1) <= 1, sprintf('%s: a char matrix is ambiguous; give a cell array', what));
if ischar(v) && shared
    v = repmat({v}, 1, n);
end
v = cellstr(v);
need(numel(v) == n, sprintf('%s: %d given for %d signals', what, numel(v), n));
need(~any(cellfun(@(s) any(s == 10 | s == 13), v)), sprintf('%s must not hold line breaks', what));
t = strjoin(reshape(v, 1, []), char(10));
end

function need(condition, message)
if ~condition
    error('haresnet:invalid_argument', '%s', message);
end
end
