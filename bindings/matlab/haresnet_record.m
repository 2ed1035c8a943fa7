function rec = haresnet_record(path)
%HARESNET_RECORD Open a WFDB record (path with or without .hea); free with HARESNET_FREE.
%   REC is a struct: handle, path, fs (frames per second), length (frames),
%   signal_names, signal_units (cell arrays), signal_gains, signal_rates (Hz of each
%   signal). Nothing stays open when this raises an error.
haresnet_load();
out = libpointer('voidPtrPtr');
haresnet_check(calllib('haresnet', 'haresnet_record_open', char(path), out));
rec.handle = out.Value;
rec.kind = 'record';
rec.path = char(path);
try
    v = libpointer('doublePtr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_record_fs', rec.handle, v));
    rec.fs = v.Value;
    len = libpointer('uint64Ptr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_record_length', rec.handle, len));
    rec.length = double(len.Value);
    n = libpointer('uint32Ptr', 0);
    haresnet_check(calllib('haresnet', 'haresnet_record_num_signals', rec.handle, n));
    k = double(n.Value);
    rec.signal_names = cell(1, k);
    rec.signal_units = cell(1, k);
    rec.signal_gains = zeros(1, k);
    rec.signal_rates = zeros(1, k);
    for i = 1:k
        rec.signal_names{i} = haresnet_string('haresnet_record_signal_name', rec.handle, uint32(i - 1));
        rec.signal_units{i} = haresnet_string('haresnet_record_signal_units', rec.handle, uint32(i - 1));
        haresnet_check(calllib('haresnet', 'haresnet_record_signal_gain', rec.handle, uint32(i - 1), v));
        rec.signal_gains(i) = v.Value;
        haresnet_check(calllib('haresnet', 'haresnet_record_signal_rate', rec.handle, uint32(i - 1), v));
        rec.signal_rates(i) = v.Value;
    end
catch err
    % The caller never gets the handle: free it here.
    calllib('haresnet', 'haresnet_record_free', rec.handle);
    rethrow(err);
end
end
