function peaks = haresnet_detect_r_peaks(x, fs)
%HARESNET_DETECT_R_PEAKS R peaks of one ECG lead X (mV) sampled at FS Hz (100 Hz to 1 MHz).
%   PEAKS = HARESNET_DETECT_R_PEAKS(X, FS) returns the 1-based sample index of each R
%   peak of the whole signal, ascending, as `haresnet beats` finds them; no model is
%   needed. NaN samples are gaps with no beats.
x = single(x(:));
% Peaks are at least 250 ms apart: this many always fit.
cap = floor(numel(x) / (0.25 * double(fs))) + 2;
out = libpointer('int64Ptr', zeros(cap, 1, 'int64'));
len = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_detect_r_peaks', x, uint64(numel(x)), ...
    double(fs), out, uint64(cap), len));
peaks = double(out.Value(1:double(len.Value))) + 1;
end
