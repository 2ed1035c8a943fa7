function r = haresnet_classify(model, x, fs, hop_seconds, varargin)
%HARESNET_CLASSIFY Classify one ECG lead (mV) sampled at FS Hz (>= 100).
%   R = HARESNET_CLASSIFY(MODEL, X, FS) cuts X into consecutive segments of the model's
%   length (HOP_SECONDS apart when given) and returns a struct with, per segment:
%   start (first sample, 0-based), label (class index, 0-based, -1 when not analysable),
%   name (class name), probabilities (segments x classes) and heart_rate (bpm, NaN when
%   unknown). NaN samples are refused.
%   R = HARESNET_CLASSIFY(..., 'SmoothingHalfLife', H) smooths consecutive segments'
%   probabilities with a half-life of H seconds: [] (the default) for the weights' own,
%   0 for none (each segment's own probabilities).
if nargin >= 4 && (ischar(hop_seconds) || isstring(hop_seconds))
    varargin = [{hop_seconds}, varargin];  % a name-value pair without HOP_SECONDS
    hop_seconds = [];
end
if nargin < 4 || isempty(hop_seconds), hop_seconds = 0; end
opts = haresnet_options(hop_seconds, 0, varargin{:});
x = single(x(:));
count = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_model_segment_count', model.handle, ...
    uint64(numel(x)), double(fs), opts, count));
n = double(count.Value);
r = haresnet_results(n, numel(model.labels), model.labels, @(starts, labels, probs, hrs, cap, out) ...
    calllib('haresnet', 'haresnet_model_classify', model.handle, x, uint64(numel(x)), double(fs), ...
    opts, starts, labels, probs, hrs, cap, out));
end
