function test_haresnet(records, workdir, checks)
%TEST_HARESNET Checks of the haresnet classes and their MEX gateway, in GNU Octave or
%   MATLAB, with haresnet_mex built and bindings/matlab on the path.
%
%   test_haresnet(RECORDS, WORKDIR, CHECKS) runs CHECKS (a name or a cell array of
%   names; 'all' for every one) on the fixture records in RECORDS. WORKDIR is a
%   writable folder; the check 'cli' compares with the command line tool's CSV of
%   each fixture record, which it expects in WORKDIR/cli/<record>.csv (`haresnet
%   classify RECORD --out WORKDIR/cli`). Prints "ok NAME" for each check that passes
%   and raises an error naming the first that fails.
all_checks = {'cli', 'vector_equals_record', 'stream_equals_whole', 'read', ...
    'samples_per_frame', 'errors', 'utf8', 'no_leaks', 'summarize', 'hostile', 'edf', ...
    'write_record', 'write_copy', 'annotations', 'write_errors'};
if nargin < 3 || isequal(checks, 'all'), checks = all_checks; end
if ischar(checks), checks = {checks}; end
ctx.records = records;
ctx.workdir = workdir;
for k = 1:numel(checks)
    if ~any(strcmp(checks{k}, all_checks))
        error('test_haresnet:unknown', 'no check named %s', checks{k});
    end
    feval(str2func(['check_' checks{k}]), ctx);
    % Whatever a check made was deleted when it returned.
    expect_no_handles(checks{k});
    fprintf('ok %s\n', checks{k});
end
end

% ---- Checks ---------------------------------------------------------------------------

function check_cli(ctx)
% Each fixture record through haresnet.Model and haresnet.Record gives the CLI's rows.
m = haresnet.Model();
names = {'100_0000_0060', '201_0420_0540', '203_0740_0860', '207_1530_1650'};
for k = 1:numel(names)
    rec = haresnet.Record(fullfile(ctx.records, names{k}));
    r = rec.classify(m);
    cli = read_cli_csv(fullfile(ctx.workdir, 'cli', [names{k} '.csv']));
    n = numel(cli.label);
    expect(numel(r.label) == n, '%s: %d segments, the CLI has %d', names{k}, numel(r.label), n);
    expect(isequal(r.label, cli.label), '%s: labels %s, the CLI''s %s', names{k}, ...
        strjoin(r.label', ' '), strjoin(cli.label', ' '));
    expect(max(abs(r.start_s - cli.start_s)) < 1e-3 && max(abs(r.end_s - cli.end_s)) < 1e-3, ...
        '%s: segment times differ from the CLI''s', names{k});
    expect(isequal(r.class_index > 0, strcmp(cli.status, 'classified')), ...
        '%s: analysed segments differ from the CLI''s', names{k});
    expect(isequal(r.status, cli.status), '%s: statuses differ from the CLI''s', names{k});
    expect(all(abs(r.quality - cli.quality) <= 5e-4 + 1e-9 | (isnan(r.quality) & isnan(cli.quality))), ...
        '%s: qualities differ', names{k});
    expect(max(max(abs(r.probabilities - cli.p))) < 2e-6, '%s: probabilities differ', names{k});
    hr = r.heart_rate_bpm;
    expect(isequal(isnan(hr), isnan(cli.heart_rate_bpm)) && ...
        max([0; abs(hr(~isnan(hr)) - cli.heart_rate_bpm(~isnan(hr)))]) <= 0.05 + 1e-9, ...
        '%s: heart rates differ', names{k});
    % 1-based throughout: the first segment starts at sample 1, time 0.
    expect(r.start_index(1) == 1 && r.start_s(1) == 0, '%s: first segment not at sample 1', names{k});
    expect(isequal(r.start_index, round(r.start_s * r.fs) + 1), '%s: start_index is not 1-based', names{k});
    ok = r.class_index > 0;
    expect(isequal(r.label(ok), reshape(m.labels(r.class_index(ok)), [], 1)), ...
        '%s: class_index does not index m.labels', names{k});
end
% The labels the issue was about: record 100 is sinus rhythm throughout.
rec = haresnet.Record(fullfile(ctx.records, '100_0000_0060'));
r = rec.classify(m);
expect(numel(r.label) == 12 && all(strcmp(r.label, 'N')), 'record 100 is not N throughout');
end

function check_vector_equals_record(ctx)
% The samples read and classified as a vector give what classifying the record gives;
% a lead by index gives what it gives by name.
m = haresnet.Model('all', 5);
rec = haresnet.Record(fullfile(ctx.records, '201_0420_0540'));
r = rec.classify(m);
[x, fs] = rec.read('MLII');
expect(fs == 360 && numel(x) == rec.length && isa(x, 'single'), 'read gave %d samples at %g Hz', numel(x), fs);
expect(isequal(m.classify(x, fs, 'SkipInvalid', true), r), 'vector and record results differ');
expect(isequal(m.classify(double(x), fs), r), 'double samples give other results');
expect(isequal(rec.classify(m, 1), r), 'signal 1 and MLII give different results');
r2 = rec.classify(m, 'MLII', 'Hop', 2.5, 'SmoothingHalfLife', 0);
expect(numel(r2.start_s) == 47 && all(abs(diff(r2.start_s) - 2.5) < 1e-9), 'Hop 2.5 s: wrong segment times');
expect(all(abs(r2.end_s - r2.start_s - 5) < 1e-9), 'Hop 2.5 s: segments are not 5 s long');
r3 = m.classify(x, fs, 'Hop', 2.5, 'SmoothingHalfLife', 0);
expect(isequal(r2, r3), 'options differ between record and vector');
m2 = haresnet.Model('ds1', 2);
expect(m2.segment_seconds == 2 && m2.segment_length(360) == 720 && strcmp(m2.source, 'ds1'), ...
    'the 2 s ds1 model: wrong facts');
r4 = rec.classify(m2);
expect(numel(r4.start_s) == 60, 'the 2 s model: %d segments of 120 s', numel(r4.start_s));
card = m2.card();
expect(strcmp(card.weight_set, 'ds1') && isequal(card.labels(:)', m2.labels), 'card of the ds1 model');
end

function check_stream_equals_whole(ctx)
% A stream fed in uneven chunks gives what one call on the whole signal gives, also
% with a hop and without smoothing, and after its model was deleted.
rec = haresnet.Record(fullfile(ctx.records, '201_0420_0540'));
[x, fs] = rec.read('MLII');
chunks = [1, 7, 1799, 3601, 2, 5000, 359, 12000];
options = {{}, {'Hop', 2.5, 'SmoothingHalfLife', 0}, {'SmoothingHalfLife', 20}};
for k = 1:numel(options)
    m = haresnet.Model();
    whole = m.classify(x, fs, options{k}{:});
    s = haresnet.Stream(m, fs, options{k}{:});
    clear m  % the stream keeps the weights it needs
    parts = {};
    at = 0;
    i = 0;
    while at < numel(x)
        i = i + 1;
        n = min(chunks(mod(i - 1, numel(chunks)) + 1), numel(x) - at);
        parts{end + 1} = s.push(x(at + 1:at + n)); %#ok<AGROW>
        at = at + n;
    end
    expect(s.pushed == numel(x), 'the stream counted %d samples of %d', s.pushed, numel(x));
    empty = s.push(zeros(0, 1));
    expect(isempty(empty.start_s) && size(empty.probabilities, 2) == 5, 'an empty push');
    parts{end + 1} = s.finish(); %#ok<AGROW>
    got = concat(parts);
    fields = {'start_s', 'end_s', 'start_index', 'class_index', 'label', 'probabilities', ...
        'heart_rate_bpm', 'status', 'quality'};
    for f = 1:numel(fields)
        expect(isequaln(got.(fields{f}), whole.(fields{f})), 'options %d: the stream''s %s differ', ...
            k, fields{f});
    end
end
% A signal that does not end on a segment boundary: its tail is the last row, from the
% stream's finish as from the whole-signal call.
m = haresnet.Model();
y = x(1:round(32 * fs));
whole = m.classify(y, fs);
expect(strcmp(whole.status{end}, 'too_short') && whole.class_index(end) == 0 && ...
    abs(whole.end_s(end) - 32) < 1e-9, 'the 2 s tail of 32 s is not a too_short row ending at 32 s');
s = haresnet.Stream(m, fs);
got = concat({s.push(y), s.finish()});
expect(isequaln(got.status, whole.status) && isequaln(got.end_s, whole.end_s), ...
    'the stream''s tail differs from the whole signal''s');
expect_error(@() s.push(y(1:10)), 'haresnet:invalid_argument', 'finished');
end

function check_read(ctx)
% Record facts and reading, 1-based and inclusive.
rec = haresnet.Record(fullfile(ctx.records, '100_0000_0060'));
expect(rec.fs == 360 && rec.length == 21600, 'fs %g, length %d', rec.fs, rec.length);
expect(isequal(rec.signal_names, {'MLII', 'V5'}) && isequal(rec.signal_units, {'mV', 'mV'}) ...
    && isequal(rec.signal_gains, [200 200]) && isequal(rec.signal_rates, [360 360]), 'signal facts');
expect(rec.find_signal('V5') == 2 && rec.find_signal('MLII') == 1, 'find_signal is not 1-based');
whole = rec.read(1);
expect(isequal(size(whole), [21600 1]), 'whole read: size %s', mat2str(size(whole)));
expect(isequal(rec.read('MLII', 1, 10), whole(1:10)), 'frames 1..10');
expect(isequal(rec.read(1, 21591, 21600), whole(21591:21600)), 'the last 10 frames');
expect(isequal(rec.read('V5'), rec.read(2)), 'V5 by name and by index');
expect(isempty(rec.read(1, 5, 4)), 'an empty range');
% The first samples as the header's initial values say (995 and 1011 at gain 200, zero 1024).
expect(abs(whole(1) - (995 - 1024) / 200) < 1e-6, 'first MLII sample %g', whole(1));
v5 = rec.read(2, 1, 1);
expect(abs(v5 - (1011 - 1024) / 200) < 1e-6, 'first V5 sample %g', v5);
end

function check_edf(ctx)
% An EDF+ copy of an excerpt (fixtures/edf, written by pyEDFlib with the WFDB record's
% digital values) opens as a record and reads to the WFDB record's samples.
edf = haresnet.Record(fullfile(ctx.records, '..', 'edf', '201_0420_0540.edf'));
rec = haresnet.Record(fullfile(ctx.records, '201_0420_0540'));
expect(edf.fs == rec.fs && edf.length == rec.length, 'EDF fs %g, length %d', edf.fs, edf.length);
expect(isequal(edf.signal_names, rec.signal_names), 'EDF signal names');
expect(max(abs(edf.read('MLII') - rec.read('MLII'))) < 1e-6, 'EDF MLII samples differ');
end

function check_write_record(ctx)
% Records written from MATLAB in formats 16, 212 and 516 (FLAC) read back through
% haresnet.Record: the stored digital values exactly, physical values to half an ADC
% step, invalid samples (NaN) as NaN, and the header's facts.
dir = fullfile(ctx.workdir, 'write_record');
if ~exist(dir, 'dir'), mkdir(dir); end
fs = 250;
t = (0:999)' / fs;
p = [1.5 * sin(2 * pi * 1.3 * t) + 0.0001, 0.4 * cos(2 * pi * 7 * t) - 0.2];  % mV, two signals
p(17, 1) = NaN;  % an invalid sample
gains = [200 1000];
baselines = [0 -7];
% The digital values the library stores, round(value * gain + baseline) (no ties here).
d = round(p .* gains + baselines);
names = {'MLII', ['Ableitung ', char([226 133 161])]};  % 'Ableitung Ⅱ' in UTF-8
for fmt = [16 212 516]
    name = fullfile(dir, sprintf('phys_%d', fmt));
    haresnet.write_record(name, p, fs, 'Format', fmt, 'Gain', gains, 'Baseline', baselines, ...
        'Names', names, 'Units', {'mV', 'uV'});
    rec = haresnet.Record(name);
    expect(rec.fs == fs && rec.length == 1000 && isequal(rec.signal_names, names) && ...
        isequal(rec.signal_units, {'mV', 'uV'}) && isequal(rec.signal_gains, gains), ...
        'format %d: header facts fs %g, length %d, gains %s', fmt, rec.fs, rec.length, mat2str(rec.signal_gains));
    for k = 1:2
        x = double(rec.read(k));
        expect(isequal(isnan(x), isnan(p(:, k))), 'format %d, signal %d: invalid samples moved', fmt, k);
        ok = ~isnan(x);
        expect(isequal(round(x(ok) * gains(k) + baselines(k)), d(ok, k)), ...
            'format %d, signal %d: digital values differ', fmt, k);
        expect(max(abs(x(ok) - p(ok, k))) <= 0.5 / gains(k) + 1e-6, ...
            'format %d, signal %d: physical values off by %g', fmt, k, max(abs(x(ok) - p(ok, k))));
    end
    delete(rec);
end
% Format 16 stores the digital values as they are: the .dat holds them, frame by frame.
fid = fopen(fullfile(dir, 'phys_16.dat'), 'r', 'ieee-le');
stored = fread(fid, [2, Inf], 'int16=>double')';
fclose(fid);
d16 = d;
d16(isnan(p)) = -32768;  % format 16's invalid value
expect(isequal(stored, d16), 'phys_16.dat does not hold the digital values');
% Digital samples, stored as they are (gain 200 by default); the format's most negative
% value is an invalid sample. One format per signal: one file each.
dig = int32([(-1000:999)', mod((0:1999)', 4095) - 2047]);
dig(5, 2) = -2048;
for fmt = [16 212 516]
    name = fullfile(dir, sprintf('dig_%d', fmt));
    haresnet.write_record(name, dig, 360, 'Digital', true, 'Format', [fmt 212], 'Baseline', 3, ...
        'Names', {'a', 'b'});
    rec = haresnet.Record(name);
    expect(rec.length == 2000 && isequal(rec.signal_gains, [200 200]), 'digital format %d: facts', fmt);
    for k = 1:2
        x = double(rec.read(k));
        invalid = false(2000, 1);
        if k == 2, invalid(5) = true; end
        expect(isequal(isnan(x), invalid), 'digital format %d, signal %d: invalid samples', fmt, k);
        expect(isequal(round(x(~invalid) * 200), double(dig(~invalid, k))), ...
            'digital format %d, signal %d: digital values differ', fmt, k);
        % Baseline applies only with a gain given: physical values are digital / 200.
        expect(isequal(x(~invalid), double(single(double(dig(~invalid, k)) / 200))), ...
            'digital format %d, signal %d: physical values', fmt, k);
    end
    delete(rec);
end
expect(exist(fullfile(dir, 'dig_16_0.dat'), 'file') && exist(fullfile(dir, 'dig_16_1.dat'), 'file'), ...
    'signals of two formats: not one file each');
% Gains chosen by the library from each signal's range; a vector is one signal; the
% header's date, time and info lines.
name = fullfile(dir, 'auto');
haresnet.write_record(name, p(:, 2)', fs, 'BaseDate', [2024 2 29], 'BaseTime', [13 5 30], ...
    'Comments', {'age: 64', 'written from MATLAB'});
rec = haresnet.Record(name);
x = double(rec.read(1));
expect(numel(rec.signal_names) == 1 && rec.length == 1000 && isequal(rec.signal_units, {'mV'}), ...
    'a row vector is not one signal of 1000 samples');
expect(max(abs(x - p(:, 2))) <= 0.5 / rec.signal_gains(1) + 1e-6, 'chosen gain %g: values off', rec.signal_gains(1));
header = fileread([name '.hea']);
expect(~isempty(strfind(header, '13:05:30')) && ~isempty(strfind(header, '29/02/2024')), ...
    'the header lacks the base time and date: %s', header);
expect(~isempty(strfind(header, '# age: 64')) && ~isempty(strfind(header, '# written from MATLAB')), ...
    'the header lacks the info lines: %s', header);
end

function check_write_copy(ctx)
% A fixture record (format 212) written through haresnet.Record's write, in its own
% format and in 16, 212 and 516: the same facts and the same samples; a part of it;
% and a rescaled copy into a narrower format.
dir = fullfile(ctx.workdir, 'write_copy');
if ~exist(dir, 'dir'), mkdir(dir); end
src = haresnet.Record(fullfile(ctx.records, '201_0420_0540'));
whole = {src.read(1), src.read(2)};
formats = {[], 16, 212, 516};
for f = 1:numel(formats)
    name = fullfile(dir, sprintf('copy_%d', f));
    src.write(name, 'Format', formats{f});
    out = haresnet.Record(name);
    expect(out.fs == src.fs && out.length == src.length && isequal(out.signal_names, src.signal_names) ...
        && isequal(out.signal_units, src.signal_units) && isequal(out.signal_gains, src.signal_gains), ...
        'copy in format %s: other facts', mat2str(formats{f}));
    for k = 1:2
        expect(isequaln(out.read(k), whole{k}), 'copy in format %s, signal %d: samples differ', ...
            mat2str(formats{f}), k);
    end
    header = fileread([name '.hea']);
    expect(~isempty(strfind(header, '# excerpt of MIT-BIH Arrhythmia Database record 201')), ...
        'copy in format %s: the info line is lost', mat2str(formats{f}));
    delete(out);
end
% One signal, by name, frames 3601..7200.
name = fullfile(dir, 'part');
src.write(name, 'Signals', src.signal_names(2), 'First', 3601, 'Last', 7200, 'Format', 16);
out = haresnet.Record(name);
expect(out.length == 3600 && isequal(out.signal_names, src.signal_names(2)), 'part: %d frames of %s', ...
    out.length, strjoin(out.signal_names, ','));
expect(isequal(out.read(1), src.read(2, 3601, 7200)), 'part: samples differ');
% Both signals by index, in the other order.
name = fullfile(dir, 'swapped');
src.write(name, 'Signals', [2 1], 'Last', 100);
out = haresnet.Record(name);
expect(isequal(out.signal_names, fliplr(src.signal_names)) && isequal(out.read(2), src.read(1, 1, 100)), ...
    'signals [2 1]');
% Values that need 16 bits do not fit 212 unless rescaled.
wide = fullfile(dir, 'wide');
haresnet.write_record(wide, 12 * sin((1:3000)' / 50), 360, 'Gain', 2000);
rec = haresnet.Record(wide);
if exist(fullfile(dir, 'narrow.hea'), 'file'), delete(fullfile(dir, 'narrow.hea')); end
expect_error(@() rec.write(fullfile(dir, 'narrow'), 'Format', 212), 'haresnet:invalid_argument', 'range');
expect(~exist(fullfile(dir, 'narrow.hea'), 'file'), 'a refused copy wrote a header');
rec.write(fullfile(dir, 'narrow'), 'Format', 212, 'Rescale', true);
out = haresnet.Record(fullfile(dir, 'narrow'));
x = double(rec.read(1));
y = double(out.read(1));
expect(out.signal_gains(1) < 2000 && max(abs(x - y)) <= 0.5 / out.signal_gains(1) + 1e-6, ...
    'rescaled to 212: gain %g, off by %g', out.signal_gains(1), max(abs(x - y)));
end

function check_annotations(ctx)
% Annotation files written from MATLAB read back field for field: samples (1-based),
% symbols, subtype, chan, num and aux (non-ASCII included); a fixture's reference
% annotations written again read as they did; the rate taken from the record.
dir = fullfile(ctx.workdir, 'annotations');
if ~exist(dir, 'dir'), mkdir(dir); end
name = fullfile(dir, 'ann');
samples = [1; 18; 360; 361; 720; 1000; 1000];
symbols = {'+'; 'N'; 'V'; '[15]'; '~'; 'N'; '"'};
aux = {'(N'; ''; ''; ''; ''; ''; ['Notiz ', char([195 188])]};  % 'Notiz ü' in UTF-8
subtype = [0; 0; 0; 0; -1; 0; 0];
chan = [0; 0; 1; 0; 0; 255; 0];
num = [0; 0; 0; 0; 0; -5; 127];
haresnet.write_annotations(name, 'test', samples, symbols, 'Fs', 360, 'Aux', aux, ...
    'Subtype', subtype, 'Chan', chan, 'Num', num);
a = haresnet.read_annotations(name, 'test');
expect(isequal(a.sample, samples), 'samples %s', mat2str(a.sample'));
expect(isequal(a.symbol, symbols), 'symbols %s', strjoin(a.symbol', ' '));
expect(isequal(a.aux, aux), 'aux %s', strjoin(a.aux', '|'));
expect(isequal(a.subtype, subtype) && isequal(a.chan, chan) && isequal(a.num, num), 'subtype, chan or num');
% A char vector of one symbol per annotation, one value for every annotation, and the
% rate of the record at the path.
haresnet.write_record(name, zeros(2000, 1), 360);
haresnet.write_annotations(name, 'atr', [10 20 30], 'NVN', 'Chan', 1);
a = haresnet.read_annotations([name '.hea'], 'atr');
expect(isequal(a.sample, [10; 20; 30]) && isequal(a.symbol, {'N'; 'V'; 'N'}) && isequal(a.chan, [1; 1; 1]) ...
    && isequal(a.aux, {''; ''; ''}), 'symbols as a char vector');
% No annotations at all.
haresnet.write_annotations(name, 'none', [], {}, 'Fs', 360);
a = haresnet.read_annotations(name, 'none');
expect(isempty(a.sample) && isempty(a.symbol) && isempty(a.aux), 'an empty annotation file');
% The reference annotations of a fixture, written again.
ref = haresnet.read_annotations(fullfile(ctx.records, '201_0420_0540'), 'atr');
expect(numel(ref.sample) > 100 && any(strcmp(ref.symbol, '+')) && any(strcmp(ref.aux, '(AFIB')), ...
    'the fixture''s annotations: %d, no rhythm changes', numel(ref.sample));
copy = fullfile(dir, '201_copy');
haresnet.write_annotations(copy, 'atr', ref.sample, ref.symbol, 'Fs', 360, 'Aux', ref.aux, ...
    'Subtype', ref.subtype, 'Chan', ref.chan, 'Num', ref.num);
expect(isequal(haresnet.read_annotations(copy, 'atr'), ref), 'the fixture''s annotations written again differ');
end

function check_write_errors(ctx)
% Bad input to the writers raises errors with identifiers and clear messages (the
% library's where it refuses), writes nothing, leaves nothing open and never brings
% the session down; so does the gateway called with the wrong classes.
dir = fullfile(ctx.workdir, 'write_errors');
if ~exist(dir, 'dir'), mkdir(dir); end
name = fullfile(dir, 'rec');
p = [sin((1:500)' / 20), cos((1:500)' / 20)];
expect_error(@() haresnet.write_record(name, 'abc', 360), 'haresnet:invalid_argument', 'numeric');
expect_error(@() haresnet.write_record(name, {1, 2}, 360), 'haresnet:invalid_argument', 'numeric');
expect_error(@() haresnet.write_record(name, p + 1i, 360), 'haresnet:invalid_argument', 'real');
expect_error(@() haresnet.write_record(name, p, 360, 'Names', {'a'}), 'haresnet:invalid_argument', ...
    '1 given for 2 signals');
expect_error(@() haresnet.write_record(name, p, 360, 'Gain', [1 2 3]), 'haresnet:invalid_argument', 'Gain');
expect_error(@() haresnet.write_record(name, p, 360, 'Names', {'a', sprintf('b\nc')}), ...
    'haresnet:invalid_argument', 'line breaks');
expect_error(@() haresnet.write_record(name, [1.5; 2], 360, 'Digital', true), 'haresnet:invalid_argument', 'whole');
expect_error(@() haresnet.write_record(name, p, 360, 'Colour', 1), 'haresnet:invalid_argument', 'Format');
expect_error(@() haresnet.write_record(name, p, 360, 'BaseTime', 90000), 'haresnet:invalid_argument', 'BaseTime');
% Refused by the library, with its message.
expect_error(@() haresnet.write_record(name, p, 360, 'Format', 99), 'haresnet:invalid_argument', 'format 99');
expect_error(@() haresnet.write_record(name, p, 0), 'haresnet:invalid_argument', '');
expect_error(@() haresnet.write_record(name, p * 100, 360, 'Format', 212, 'Gain', 200), ...
    'haresnet:invalid_argument', '');
expect_error(@() haresnet.write_record(name, p, 360, 'BaseDate', [2024 13 1]), 'haresnet:invalid_argument', 'month');
expect_error(@() haresnet.write_record(fullfile(dir, 'bad name!'), p, 360), 'haresnet:invalid_argument', '');
expect(~exist([name '.hea'], 'file') && ~exist([name '.dat'], 'file'), 'a refused write left files');
missing = fullfile(dir, 'no_such_folder', 'rec');
expect_error(@() haresnet.write_record(missing, p, 360), 'haresnet:io', '');
% Annotations.
expect_error(@() haresnet.write_annotations(name, 'atr', [1 2 3], {'N', 'N'}, 'Fs', 360), ...
    'haresnet:invalid_argument', '2 symbols for 3 samples');
expect_error(@() haresnet.write_annotations(name, 'atr', [1 2], {'N', 'N'}, 'Fs', 360, 'Aux', {'a'}), ...
    'haresnet:invalid_argument', 'Aux');
expect_error(@() haresnet.write_annotations(name, 'atr', [0 2], 'NN', 'Fs', 360), 'haresnet:invalid_argument', '1-based');
expect_error(@() haresnet.write_annotations(name, 'atr', [1 2], {'N', 'Q?'}, 'Fs', 360), 'haresnet:not_found', 'Q?');
expect_error(@() haresnet.write_annotations(name, 'atr', [5 2], 'NN', 'Fs', 360), 'haresnet:invalid_argument', '');
expect_error(@() haresnet.write_annotations(name, 'atr', [1 2], 'NN', 'Fs', 360, 'Subtype', 200), ...
    'haresnet:invalid_argument', '200');
expect_error(@() haresnet.write_annotations(name, 'atr', [1 2], 'NN'), 'haresnet:invalid_argument', 'Fs');
expect(~exist([name '.atr'], 'file'), 'a refused annotation file was written');
expect_error(@() haresnet.write_annotations(missing, 'atr', [1 2], 'NN', 'Fs', 360), 'haresnet:io', '');
expect_error(@() haresnet.read_annotations(fullfile(ctx.records, '201_0420_0540'), 'nope'), 'haresnet:io', 'nope');
% Malformed annotation files raise the library's errors (or read); nothing stays open.
hostile = fullfile(fileparts(ctx.records), 'hostile');
for f = {'ann-far-skips', 'ann-odd-length', 'ann-truncated-aux', 'broken-reference', 'ok'}
    try
        haresnet.read_annotations(fullfile(hostile, f{1}), 'atr');
    catch err
        expect(strncmp(err.identifier, 'haresnet:', 9) && ~isempty(err.message), '%s: %s', f{1}, err.identifier);
    end
end
% Writing a record that was deleted, or with bad options.
rec = haresnet.Record(fullfile(ctx.records, '100_0000_0060'));
expect_error(@() rec.write(name, 'Format', 99), 'haresnet:invalid_argument', '99');
expect_error(@() rec.write(name, 'Last', 21601), 'haresnet:invalid_argument', '1..21600');
expect_error(@() rec.write(name, 'Signals', {'XYZ'}), 'haresnet:not_found', 'XYZ');
expect_error(@() rec.write(name, 'Signals', 3), 'haresnet:invalid_argument', '1..2');
expect_error(@() rec.write(missing), 'haresnet:io', '');
delete(rec);
expect_error(@() rec.write(name), 'haresnet:invalid_handle', 'deleted');
% The gateway checks every argument's class and size itself.
none = [];
expect_error(@() haresnet_mex('record_write', name, 360, single(p), none, none, none, none, none, none, none, none), ...
    'haresnet:invalid_argument', 'double');
expect_error(@() haresnet_mex('record_write', name, 360, p, int32([16 16 16]), none, none, none, none, none, none, none), ...
    'haresnet:invalid_argument', 'formats');
expect_error(@() haresnet_mex('record_write', name, 360, p, none, none, none, 42, none, none, none, none), ...
    'haresnet:invalid_argument', 'names');
expect_error(@() haresnet_mex('record_write', name, 360, p), 'haresnet:invalid_argument', 'arguments');
expect_error(@() haresnet_mex('annotations_write', name, 'atr', 360, int64([1 2]), int32(1), none, none, none, none), ...
    'haresnet:invalid_argument', 'codes');
expect_error(@() haresnet_mex('annotations_write', name, 'atr', 360, [1 2], int32([1 1]), none, none, none, none), ...
    'haresnet:invalid_argument', 'int64');
expect_error(@() haresnet_mex('annotation_code', 'N'), 'haresnet:invalid_argument', 'cell');
expect_error(@() haresnet_mex('annotation_code', {'N', 5}), 'haresnet:invalid_argument', 'symbol');
expect_error(@() haresnet_mex('record_write_copy', uint64(0), name, 0, none, 0, 1, 0), 'haresnet:invalid_handle', '');
expect(~exist([name '.hea'], 'file') && ~exist([name '.atr'], 'file'), 'a refused call wrote files');
end

function check_samples_per_frame(ctx)
% A signal with two samples per frame: read gives every sample, at twice the frame rate,
% and a one-sample-per-frame signal of the same record comes repeated at that rate.
dir = fullfile(ctx.workdir, 'spf');
if ~exist(dir, 'dir'), mkdir(dir); end
frames = 10;
a = int16(1:2 * frames);        % signal A: two samples per frame
b = int16(100 * (1:frames));    % signal B: one
data = zeros(3, frames, 'int16');
data(1, :) = a(1:2:end);
data(2, :) = a(2:2:end);
data(3, :) = b;
fid = fopen(fullfile(dir, 'spf.dat'), 'w', 'ieee-le');
fwrite(fid, data(:), 'int16');
fclose(fid);
fid = fopen(fullfile(dir, 'spf.hea'), 'w');
fprintf(fid, 'spf 2 360 %d\nspf.dat 16x2 100 16 0 1 0 0 A\nspf.dat 16 100 16 0 100 0 0 B\n', frames);
fclose(fid);
rec = haresnet.Record(fullfile(dir, 'spf'));
expect(rec.length == frames && isequal(rec.signal_rates, [720 360]), 'rates %s', mat2str(rec.signal_rates));
[x, fs] = rec.read('A');
expect(fs == 720 && isequal(x, single(a(:)) / 100), 'signal A: %s at %g Hz', mat2str(x'), fs);
[y, fs] = rec.read('B');
expect(fs == 720 && isequal(y, single(kron(double(b(:)), [1; 1])) / 100), 'signal B: %s', mat2str(y'));
x3 = rec.read('A', 3, 4);
expect(isequal(x3, single(a(5:8)') / 100), 'frames 3..4 of A: %s', mat2str(x3'));
end

function check_errors(ctx)
% Failures raise MATLAB errors with identifiers, and leave nothing open.
path = fullfile(ctx.records, '100_0000_0060');
expect_error(@() haresnet.Record(fullfile(ctx.records, 'no_such_record')), 'haresnet:io', 'no_such_record');
expect_error(@() haresnet.Model('all', 7), 'haresnet:invalid_argument', '7');
expect_error(@() haresnet.Model('no_such_weights.hrn'), 'haresnet:io', 'no_such_weights.hrn');
expect_error(@() haresnet.Model('all', 5, 'Colour', 1), 'haresnet:invalid_argument', 'Threads');
expect_error(@() haresnet.Record(repmat('a', 1, 5000)), 'haresnet:invalid_argument', '4095');
m = haresnet.Model();
rec = haresnet.Record(path);
x = rec.read('MLII');
expect_error(@() m.classify(x(1:0), 360), 'haresnet:invalid_argument', 'empty');
short = m.classify(x(1:100), 360);
expect(numel(short.status) == 1 && strcmp(short.status{1}, 'too_short'), 'a 0.3 s signal is not one too_short row');
expect_error(@() m.classify(x, 50), 'haresnet:invalid_argument', '100');
expect_error(@() m.classify(x, 360, 'Colour', 1), 'haresnet:invalid_argument', 'Hop');
expect_error(@() m.classify(x, 360, 'SmoothingHalfLife', -1), 'haresnet:invalid_argument', 'SmoothingHalfLife');
expect_error(@() m.classify(ones(3), 360), 'haresnet:invalid_argument', 'vector');
y = x;
y(4000) = NaN;
expect_error(@() m.classify(y, 360), 'haresnet:invalid_argument', 'NaN');
r = m.classify(y, 360, 'SkipInvalid', true);
expect(isequal(r.class_index == 0, (1:12)' == 3) && strcmp(r.label{3}, '') && all(isnan(r.probabilities(3, :))), ...
    'a segment with NaN is not marked unanalysed (class_index 0, label '''')');
expect_error(@() rec.find_signal('XYZ'), 'haresnet:not_found', 'XYZ');
expect_error(@() rec.classify(m, 'XYZ'), 'haresnet:not_found', 'XYZ');
expect_error(@() rec.read(3), 'haresnet:invalid_argument', '1..2');
expect_error(@() rec.read(1, 0, 10), 'haresnet:invalid_argument', '1..21600');
expect_error(@() rec.read(1, 1, 21601), 'haresnet:invalid_argument', '1..21600');
expect_error(@() rec.classify(42), 'haresnet:invalid_argument', 'haresnet.Model');
expect_error(@() haresnet.Stream(m, 10), 'haresnet:invalid_argument', '');
s = haresnet.Stream(m, 360);
expect_error(@() s.push(y(1:5000)), 'haresnet:invalid_argument', 'NaN');
expect(s.pushed == 0, 'a refused chunk was counted');
% A deleted object cannot be used, nor passed to another.
delete(m);
expect_error(@() m.classify(x, 360), 'haresnet:invalid_handle', 'deleted');
expect_error(@() rec.classify(m), 'haresnet:invalid_handle', 'deleted');
expect_error(@() haresnet.Stream(m, 360), 'haresnet:invalid_handle', 'deleted');
delete(m);  % twice is harmless
delete(rec);
expect_error(@() rec.read(1), 'haresnet:invalid_handle', 'deleted');
% The gateway refuses what is not a live handle of the right kind, without touching it.
m = haresnet.Model();
h = m.live_handle();
expect_error(@() haresnet_mex('model_segment_len', uint64(0), 360), 'haresnet:invalid_handle', 'live');
expect_error(@() haresnet_mex('model_segment_len', h + 8, 360), 'haresnet:invalid_handle', 'live');
expect_error(@() haresnet_mex('model_segment_len', double(h), 360), 'haresnet:invalid_handle', 'uint64');
expect_error(@() haresnet_mex('record_read', h, 0, 0, 10), 'haresnet:invalid_handle', 'record');
expect_error(@() haresnet_mex('model_segment_len', h), 'haresnet:invalid_argument', 'arguments');
expect_error(@() haresnet_mex('no_such_command'), 'haresnet:invalid_argument', 'no_such_command');
expect_error(@() haresnet_mex(), 'haresnet:invalid_argument', 'command');
expect(~haresnet_mex('free', uint64(12345)) && ~haresnet_mex('free', []), 'freeing a non-handle');
expect(m.segment_length(360) == 1800, 'the model was harmed by the refused calls');
end

function check_utf8(ctx)
% Non-ASCII text arrives intact both ways: a record in a folder with such a name opens,
% and the library's message naming a missing one quotes the path as given.
dir = fullfile(ctx.workdir, ['EKG_', char([195 156]), 'berpr', char([195 188]), 'fung_', ...
    char([229 191 131 231 148 181])]);  % "EKG_Überprüfung_心电" in UTF-8
if ~exist(dir, 'dir'), mkdir(dir); end
copyfile(fullfile(ctx.records, '100_0000_0060.hea'), dir);
copyfile(fullfile(ctx.records, '100_0000_0060.dat'), dir);
rec = haresnet.Record(fullfile(dir, '100_0000_0060'));
r = rec.classify(haresnet.Model());
expect(numel(r.label) == 12 && all(strcmp(r.label, 'N')), 'the record in a non-ASCII folder');
missing = fullfile(dir, ['no_', char([195 169]), 'cg']);
err = expect_error(@() haresnet.Record(missing), 'haresnet:io', '');
expect(~isempty(strfind(err.message, missing)), 'the message garbles the path: %s', err.message);
end

function check_no_leaks(ctx)
% Objects free their handles when deleted, cleared, overwritten, dropped from a cell or
% struct, or left behind by an error; copies of a handle share it.
path = fullfile(ctx.records, '201_0420_0540');
for k = 1:30
    m = haresnet.Model();
    rec = haresnet.Record(path);
    s = haresnet.Stream(m, 360);
    s.push(rec.read(1, 1, 2000));
end
n = haresnet.open_handles();
expect(n.model == 1 && n.record == 1 && n.stream == 1, 'after overwriting in a loop: %s', counts(n));
clear m rec s
expect_no_handles('clear');
c = {haresnet.Model(), haresnet.Record(path)};
st.m = haresnet.Model();
m2 = st.m;
clear st
n = haresnet.open_handles();
expect(n.model == 2, 'a copy of a handle did not keep it');
expect(m2.segment_length(360) == 1800, 'a copy of a handle is unusable');
clear c m2
expect_no_handles('cell and struct');
try
    make_then_fail(path);
catch
end
expect_no_handles('an error after making objects');
for k = 1:20
    try
        haresnet.Record(fullfile(ctx.records, 'no_such_record'));
    catch
    end
    try
        haresnet.Model('all', 3);
    catch
    end
    m = haresnet.Model();
    try
        haresnet.Stream(m, 20);
    catch
    end
end
clear m
expect_no_handles('failed constructions');
end

function check_summarize(ctx)
% Time per rhythm and AF burden, in seconds, from 1-based results.
m = haresnet.Model();
rec = haresnet.Record(fullfile(ctx.records, '201_0420_0540'));
r = rec.classify(m);
s = m.summarize(r);
expect(isequal(s.labels, m.labels) && abs(s.analysed_seconds - 120) < 1e-9, 'analysed %g s', s.analysed_seconds);
per_label = zeros(numel(m.labels), 1);
for k = 1:numel(m.labels)
    per_label(k) = 5 * sum(strcmp(r.label, m.labels{k}));
end
expect(max(abs(s.seconds - per_label)) < 1e-9, 'seconds per class %s, counted %s', mat2str(s.seconds'), ...
    mat2str(per_label'));
expect(abs(s.af_burden_percent - 100 * (per_label(2) + per_label(3)) / 120) < 1e-9, 'AF burden %g', ...
    s.af_burden_percent);
half = m.summarize(r, 2 * r.n_samples);
expect(abs(half.analysed_seconds - 120) < 1e-9, 'summarize over a longer signal');
end

function check_hostile(ctx)
% Each record of fixtures/hostile opened, read and classified: whatever fails raises an
% error with a message (the library's refusals as haresnet:*), the session survives and
% nothing stays open. Two headers claim more samples than memory holds, and the
% gateway's allocation from the claim fails as an out-of-memory error.
folder = fullfile(fileparts(ctx.records), 'hostile');
files = dir(fullfile(folder, '*.hea'));
expect(numel(files) > 20, 'no hostile records in %s', folder);
m = haresnet.Model();
for k = 1:numel(files)
    name = files(k).name(1:end - 4);
    try
        rec = haresnet.Record(fullfile(folder, name));
    catch err
        expect(strncmp(err.identifier, 'haresnet:', 9) && ~isempty(err.message), ...
            '%s: open raised %s', name, err.identifier);
        continue
    end
    steps = {@() rec.read(1), @() rec.classify(m)};
    for s = 1:numel(steps)
        try
            steps{s}();
        catch err
            claims_too_much = any(strcmp(name, {'huge-length', 'max-length'}));
            expect(~isempty(err.message) && (strncmp(err.identifier, 'haresnet:', 9) || claims_too_much), ...
                '%s: step %d raised %s: %s', name, s, err.identifier, err.message);
        end
    end
    clear rec steps  % the closures hold the record too
end
n = haresnet.open_handles();
expect(n.record == 0 && n.model == 1, 'hostile records left %s', counts(n));
end

% ---- Helpers --------------------------------------------------------------------------

function make_then_fail(path)
m = haresnet.Model(); %#ok<NASGU>
rec = haresnet.Record(path); %#ok<NASGU>
error('test_haresnet:planned', 'an error with objects in scope');
end

function r = concat(parts)
% The per-segment fields of stream results, put together.
r = parts{end};
names = {'start_s', 'end_s', 'start_index', 'class_index', 'label', 'probabilities', ...
    'heart_rate_bpm', 'status', 'quality'};
for f = 1:numel(names)
    values = cellfun(@(p) p.(names{f}), parts, 'UniformOutput', false);
    r.(names{f}) = vertcat(values{:});
end
end

function c = read_cli_csv(file)
fid = fopen(file, 'r');
expect(fid >= 0, 'no CLI output %s', file);
header = strsplit(fgetl(fid), ',');
rows = {};
while true
    line = fgetl(fid);
    if ~ischar(line), break; end
    rows{end + 1, 1} = strsplit(line, ',', 'CollapseDelimiters', false); %#ok<AGROW>
end
fclose(fid);
rows = vertcat(rows{:});
col = @(name) rows(:, strcmp(header, name));
c.start_s = str2double(col('start_s'));
c.end_s = str2double(col('end_s'));
c.status = col('status');
c.label = col('label');
c.heart_rate_bpm = str2double(col('heart_rate_bpm'));
c.quality = str2double(col('quality'));
p = strncmp(header, 'p_', 2);
c.p = str2double(rows(:, p));
end

function expect(condition, varargin)
if ~condition
    error('test_haresnet:failed', varargin{:});
end
end

function err = expect_error(f, identifier, text)
% Runs F, which must raise IDENTIFIER with a message holding TEXT, and leave the number
% of open handles as it was.
before = haresnet.open_handles();
err = [];
try
    f();
catch err
end
expect(~isempty(err), 'no error; expected %s', identifier);
expect(strcmp(err.identifier, identifier), 'error %s (%s); expected %s', err.identifier, err.message, identifier);
expect(isempty(text) || ~isempty(strfind(err.message, text)), 'message "%s" does not mention "%s"', ...
    err.message, text);
expect(isequal(haresnet.open_handles(), before), 'the failed call left handles: %s', counts(haresnet.open_handles()));
end

function expect_no_handles(when)
n = haresnet.open_handles();
expect(n.model == 0 && n.record == 0 && n.stream == 0, 'handles open after %s: %s', when, counts(n));
end

function s = counts(n)
s = sprintf('%d models, %d records, %d streams', n.model, n.record, n.stream);
end
