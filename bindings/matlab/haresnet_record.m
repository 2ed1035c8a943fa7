function rec = haresnet_record(path)
%HARESNET_RECORD Open a WFDB record (path with or without .hea); free with HARESNET_FREE.
%   REC is a struct: handle, fs (Hz), length (frames), signal_names (cell array).
haresnet_load();
out = libpointer('voidPtrPtr');
haresnet_check(calllib('haresnet', 'haresnet_record_open', path, out));
rec.handle = out.Value;
rec.kind = 'record';
v = libpointer('doublePtr', 0);
haresnet_check(calllib('haresnet', 'haresnet_record_fs', rec.handle, v));
rec.fs = v.Value;
len = libpointer('uint64Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_record_length', rec.handle, len));
rec.length = double(len.Value);
n = libpointer('uint32Ptr', 0);
haresnet_check(calllib('haresnet', 'haresnet_record_num_signals', rec.handle, n));
rec.signal_names = cell(1, double(n.Value));
for i = 1:numel(rec.signal_names)
    rec.signal_names{i} = haresnet_string('haresnet_record_signal_name', rec.handle, uint32(i - 1));
end
end
