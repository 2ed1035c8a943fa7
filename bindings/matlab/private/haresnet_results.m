function r = haresnet_results(n, classes, labels, call)
%HARESNET_RESULTS Run a classify CALL into arrays for N segments and package them.
starts = libpointer('int64Ptr', zeros(n, 1, 'int64'));
ids = libpointer('int32Ptr', zeros(n, 1, 'int32'));
probs = libpointer('singlePtr', zeros(classes * n, 1, 'single'));
hrs = libpointer('singlePtr', zeros(n, 1, 'single'));
out = libpointer('uint64Ptr', 0);
haresnet_check(call(starts, ids, probs, hrs, uint64(n), out));
k = double(out.Value);
r.start = double(starts.Value(1:k));
r.label = double(ids.Value(1:k));
r.probabilities = reshape(double(probs.Value(1:classes * k)), classes, k).';
r.heart_rate = double(hrs.Value(1:k));
r.name = repmat({''}, k, 1);
r.name(r.label >= 0) = labels(r.label(r.label >= 0) + 1);
end
