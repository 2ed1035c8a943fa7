function r = haresnet_results(model, fs, n_samples, n, call)
%HARESNET_RESULTS Run a classify CALL into arrays for N segments and give the results
%   as haresnet.Model's classify gives them: 1-based indices, times in seconds.
classes = numel(model.labels);
starts = libpointer('int64Ptr', zeros(max(n, 1), 1, 'int64'));
ids = libpointer('int32Ptr', zeros(max(n, 1), 1, 'int32'));
probs = libpointer('singlePtr', zeros(max(classes * n, 1), 1, 'single'));
hrs = libpointer('singlePtr', zeros(max(n, 1), 1, 'single'));
out = libpointer('uint64Ptr', 0);
haresnet_check(call(starts, ids, probs, hrs, uint64(n), out));
seg = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_model_segment_len', model.handle, double(fs), seg));
k = double(out.Value);
first = double(starts.Value(1:k));
r.start_s = first / fs;
r.end_s = min(first + double(seg.Value), n_samples) / fs;
r.start_index = first + 1;
r.class_index = double(ids.Value(1:k)) + 1;  % the library's -1 (not analysed) is 0
r.label = repmat({''}, k, 1);
analysed = r.class_index > 0;
r.label(analysed) = reshape(model.labels(r.class_index(analysed)), [], 1);
r.probabilities = reshape(double(probs.Value(1:classes * k)), classes, k).';
r.heart_rate_bpm = double(hrs.Value(1:k));
% This route passes no status array: it tells classified from not, not why (the classdef
% API through the MEX gateway gives the reason and the signal quality).
r.status = repmat({'not_classified'}, k, 1);
r.status(analysed) = {'classified'};
r.quality = nan(k, 1);
r.labels = model.labels;
r.fs = fs;
r.n_samples = n_samples;
end
