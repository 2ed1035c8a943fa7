function a = copy_args(path, n_frames, args)
%COPY_ARGS The options of haresnet.Record's write and of haresnet_write, checked and
%   converted for the C ABI's haresnet_record_write_copy (internal: both routes use
%   it). A is a struct: path; format (int32; 0 keeps each signal's own); signals (a
%   cell array of names or 1-based indices, for the caller to resolve; {} for all);
%   from, to (0-based frames [from, to)); rescale (0 or 1).
need(nargin == 3 && ((ischar(path) && size(path, 1) <= 1) || (isa(path, 'string') && isscalar(path))), ...
    'the record path is a string');
a.path = char(path);
a.format = int32(0);
a.signals = {};
first = 1;
last = n_frames;
a.rescale = 0;
need(mod(numel(args), 2) == 0, 'options come as name-value pairs');
for k = 1:2:numel(args)
    name = args{k};
    value = args{k + 1};
    need(ischar(name) || isa(name, 'string'), 'option names are strings');
    switch lower(char(name))
        case 'format'
            if ~isempty(value)
                need(isnumeric(value) && isscalar(value) && value == round(value) && abs(value) < 2^31, ...
                    'Format is a storage format (16, 212, 24, 32, 516...), or [] for each signal''s own');
                a.format = int32(value);
            end
        case 'signals'
            if ischar(value) || isa(value, 'string')
                a.signals = cellstr(value);
            elseif isnumeric(value)
                a.signals = num2cell(value(:)');
            else
                need(iscell(value), 'Signals are names or 1-based indices (a cell array or a vector)');
                a.signals = value(:)';
            end
        case 'first'
            if ~isempty(value), first = value; end
        case 'last'
            if ~isempty(value), last = value; end
        case 'rescale'
            need((islogical(value) || isnumeric(value)) && isscalar(value), 'Rescale must be true or false');
            a.rescale = double(logical(value));
        otherwise
            error('haresnet:invalid_argument', ...
                'unknown option ''%s'': they are Signals, First, Last, Format and Rescale', char(name));
    end
end
need(isnumeric(first) && isscalar(first) && isnumeric(last) && isscalar(last) ...
    && first == round(first) && last == round(last) && first >= 1 && last >= first - 1 ...
    && last <= n_frames, sprintf('frames First..Last must lie within 1..%d', n_frames));
a.from = double(first) - 1;
a.to = double(last);
end

function need(condition, message)
if ~condition
    error('haresnet:invalid_argument', '%s', message);
end
end
