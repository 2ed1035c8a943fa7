function r = haresnet_classify(model, x, fs, varargin)
%HARESNET_CLASSIFY Classify one ECG lead X (mV) sampled at FS Hz (at least 100).
%   R = HARESNET_CLASSIFY(MODEL, X, FS) cuts X into consecutive segments of the model's
%   length and returns the results as haresnet.Model's classify does (1-based
%   start_index and class_index, start_s and end_s in seconds, label, probabilities,
%   heart_rate_bpm; see README.md). NaN samples are refused.
%   R = HARESNET_CLASSIFY(..., 'Hop', S, 'SmoothingHalfLife', H, 'SkipInvalid', TF)
%   as in haresnet.Model's classify; HARESNET_CLASSIFY(MODEL, X, FS, S) gives the hop.
opts = haresnet_options(false, varargin);
x = single(x(:));
count = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_model_segment_count', model.handle, ...
    uint64(numel(x)), double(fs), opts, count));
r = haresnet_results(model, double(fs), numel(x), double(count.Value), ...
    @(starts, labels, probs, hrs, cap, out) calllib('haresnet', 'haresnet_model_classify', ...
    model.handle, x, uint64(numel(x)), double(fs), opts, starts, labels, probs, hrs, cap, out));
end
