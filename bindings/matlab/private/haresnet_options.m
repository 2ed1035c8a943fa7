function opts = haresnet_options(hop_seconds, invalid_samples, varargin)
%HARESNET_OPTIONS A haresnet_classify_options structure initialised by the library, with
%   the classify functions' name-value pairs: 'SmoothingHalfLife' (seconds; [] for the
%   weights' own, 0 for none).
half_life = -1;  % the weights' own
if mod(numel(varargin), 2) ~= 0
    error('haresnet:argument', 'options come as name-value pairs');
end
for k = 1:2:numel(varargin)
    name = varargin{k};
    value = varargin{k + 1};
    if ~(ischar(name) || isstring(name)) || ~strcmpi(name, 'SmoothingHalfLife')
        error('haresnet:argument', 'unknown option: the only one is ''SmoothingHalfLife''');
    end
    if ~isempty(value)
        % Negative means "the weights' own" to the library; here that is [].
        if ~isscalar(value) || ~isnumeric(value) || value < 0
            error('haresnet:argument', 'SmoothingHalfLife must be a number of seconds >= 0 or []');
        end
        half_life = double(value);
    end
end
s = libstruct('haresnet_classify_options');
% The library sets struct_size and the defaults; 24 is sizeof(haresnet_classify_options).
haresnet_check(calllib('haresnet', 'haresnet_classify_options_init', s, uint64(24)));
s.hop_seconds = double(hop_seconds);
s.invalid_samples = int32(invalid_samples);
s.smoothing_half_life_seconds = half_life;
opts = s;
end
