function s = haresnet_summarize(model, r, n_samples)
%HARESNET_SUMMARIZE Time in each rhythm and AF burden of a classification.
%   S = HARESNET_SUMMARIZE(MODEL, R) takes R as HARESNET_CLASSIFY or
%   HARESNET_CLASSIFY_RECORD return it, over the R.n_samples samples classified (or
%   N_SAMPLES at R.fs, a third argument), and returns a struct with labels, seconds
%   (one value per class, in that order), analysed_seconds and af_burden_percent (share
%   of the analysed time in AFIB or AFL; NaN when nothing was analysed), as
%   `haresnet report` computes them.
if nargin < 3 || isempty(n_samples), n_samples = r.n_samples; end
classes = numel(model.labels);
seconds = libpointer('doublePtr', zeros(classes, 1));
analysed = libpointer('doublePtr', 0);
burden = libpointer('doublePtr', 0);
haresnet_check(calllib('haresnet', 'haresnet_summarize', model.handle, double(r.fs), ...
    uint64(n_samples), int64(r.start_index(:) - 1), int32(r.class_index(:) - 1), ...
    uint64(numel(r.start_index)), seconds, uint64(classes), analysed, burden));
s.labels = model.labels;
s.seconds = seconds.Value;
s.analysed_seconds = analysed.Value;
s.af_burden_percent = burden.Value;
end
