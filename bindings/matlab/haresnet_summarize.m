function s = haresnet_summarize(model, r, fs, total)
%HARESNET_SUMMARIZE Time in each rhythm and AF burden of a classification.
%   S = HARESNET_SUMMARIZE(MODEL, R, FS, TOTAL) takes R as HARESNET_CLASSIFY or
%   HARESNET_CLASSIFY_RECORD return it for a signal of TOTAL samples at FS Hz and returns
%   a struct with seconds (one value per class, in the order of MODEL.labels), labels,
%   analysed_seconds and af_burden_percent (share of the analysed time in AFIB or AFL;
%   NaN when nothing was analysed), as `haresnet report` computes them.
classes = numel(model.labels);
seconds = libpointer('doublePtr', zeros(classes, 1));
analysed = libpointer('doublePtr', 0);
burden = libpointer('doublePtr', 0);
haresnet_check(calllib('haresnet', 'haresnet_summarize', model.handle, double(fs), ...
    uint64(total), int64(r.start(:)), int32(r.label(:)), uint64(numel(r.start)), ...
    seconds, uint64(classes), analysed, burden));
s.labels = model.labels;
s.seconds = seconds.Value;
s.analysed_seconds = analysed.Value;
s.af_burden_percent = burden.Value;
end
