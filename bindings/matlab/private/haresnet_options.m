function opts = haresnet_options(skip_invalid, args)
%HARESNET_OPTIONS A haresnet_classify_options structure initialised by the library, set
%   from the classify functions' name-value pairs, as haresnet.Model's classify takes
%   them: 'Hop' (seconds between segment starts; 0 or [] for consecutive segments),
%   'SmoothingHalfLife' (seconds; [] for the weights' own, 0 for none) and
%   'SkipInvalid' (true: segments holding NaN are not analysed; false: refused).
%   A leading number in ARGS is the hop, as these functions took it before.
hop = 0;
half_life = -1;  % the weights' own
if ~isempty(args) && (isnumeric(args{1}) || isempty(args{1}))
    if ~isempty(args{1}), hop = args{1}; end
    args = args(2:end);
end
if mod(numel(args), 2) ~= 0
    error('haresnet:invalid_argument', 'options come as name-value pairs');
end
for k = 1:2:numel(args)
    name = args{k};
    value = args{k + 1};
    if ~(ischar(name) || isstring(name))
        error('haresnet:invalid_argument', 'option names are strings');
    end
    switch lower(char(name))
        case 'hop'
            if ~isempty(value), hop = value; end
        case 'smoothinghalflife'
            if ~isempty(value)
                % Negative means "the weights' own" to the library; here that is [].
                if ~isscalar(value) || ~isnumeric(value) || value < 0
                    error('haresnet:invalid_argument', 'SmoothingHalfLife must be a number of seconds >= 0, or []');
                end
                half_life = double(value);
            end
        case 'skipinvalid'
            skip_invalid = logical(value);
        otherwise
            error('haresnet:invalid_argument', ...
                'unknown option ''%s'': they are Hop, SmoothingHalfLife and SkipInvalid', char(name));
    end
end
if ~isscalar(hop) || ~isnumeric(hop) || hop < 0
    error('haresnet:invalid_argument', 'Hop must be a number of seconds >= 0');
end
s = libstruct('haresnet_classify_options');
% The library sets struct_size and the defaults; 48 is sizeof(haresnet_classify_options) on 64-bit systems.
haresnet_check(calllib('haresnet', 'haresnet_classify_options_init', s, uint64(48)));
s.hop_seconds = double(hop);
% HARESNET_INVALID_SAMPLES_SKIP (2) or _REFUSE (1).
s.invalid_samples = int32(1 + double(skip_invalid));
s.smoothing_half_life_seconds = half_life;
opts = s;
end
