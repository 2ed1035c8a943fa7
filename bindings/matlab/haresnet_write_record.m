function haresnet_write_record(path, signals, fs, varargin)
%HARESNET_WRITE_RECORD Write a WFDB record (a header and its signal files) from a matrix.
%   HARESNET_WRITE_RECORD(PATH, SIGNALS, FS, ...) as haresnet.write_record: SIGNALS has
%   one column per signal, physical values (or digital with 'Digital', true) at FS Hz;
%   options 'Format', 'Gain', 'Baseline', 'Digital', 'Names', 'Units', 'Comments',
%   'BaseDate', 'BaseTime' (see haresnet.write_record).
haresnet_load();
a = haresnet.internal.record_args(path, signals, fs, varargin);
opts = libstruct('haresnet_write_options');
% The library sets struct_size and the defaults; 24 is sizeof(haresnet_write_options).
haresnet_check(calllib('haresnet', 'haresnet_write_options_init', opts, uint64(24)));
if ~isempty(a.base_date)
    opts.base_year = int32(a.base_date(1));
    opts.base_month = int32(a.base_date(2));
    opts.base_day = int32(a.base_date(3));
end
if ~isempty(a.base_time)
    opts.base_time_seconds = a.base_time;
end
% Exactly one of the two sample arrays is given; [] is NULL.
if isa(a.data, 'int32')
    physical = [];
    digital = a.data;
else
    physical = a.data;
    digital = [];
end
haresnet_check(calllib('haresnet', 'haresnet_record_write', a.path, a.fs, uint32(size(a.data, 2)), ...
    uint64(size(a.data, 1)), physical, digital, a.formats, a.gains, a.baselines, a.names, a.units, ...
    a.comments, opts));
end
