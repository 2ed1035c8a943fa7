function opts = haresnet_options(hop_seconds, invalid_samples)
%HARESNET_OPTIONS A haresnet_classify_options structure initialised by the library.
if nargin < 2, invalid_samples = 0; end  % HARESNET_INVALID_SAMPLES_DEFAULT
s = libstruct('haresnet_classify_options');
% The library sets struct_size and the defaults; 16 is the structure's size.
haresnet_check(calllib('haresnet', 'haresnet_classify_options_init', s, uint64(16)));
s.hop_seconds = double(hop_seconds);
s.invalid_samples = int32(invalid_samples);
opts = s;
end
