function write_record(path, signals, fs, varargin)
%WRITE_RECORD Write a WFDB record (a header and its signal files) from a matrix.
%   haresnet.write_record(PATH, SIGNALS, FS) writes the record PATH (e.g. 'out/rec1':
%   out/rec1.hea and out/rec1.dat; the last part is the record's name, of letters,
%   digits, _, - and .), replacing existing files: SIGNALS has one column per signal
%   (a vector is one signal), physical values (e.g. mV; NaN where invalid) sampled at
%   FS Hz, stored in format 16 with gains chosen from each signal's range (as
%   wfdb-python's wrsamp chooses them). The folder must exist. Options:
%     'Format'   - storage format of every signal or of each: 16, 212, 24, 32, 516
%                  (FLAC), 80, 61, 160, 508, 524 (default 16)
%     'Gain'     - ADC units per physical unit, for every signal or each; NaN or []
%                  to choose it from the signal's range (digital samples: 200)
%     'Baseline' - digital value of physical zero, for every signal or each (used
%                  with a gain given; default 0)
%     'Digital'  - true: SIGNALS are digital values (ADC units, whole numbers), stored
%                  as they are; the format's most negative value marks an invalid one
%     'Names'    - signal names, a cell array of one per signal (default unnamed)
%     'Units'    - units of every signal (a string) or of each (default 'mV')
%     'Comments' - the header's info lines (a string or a cell array of strings)
%     'BaseDate' - date of the first sample, [year month day]
%     'BaseTime' - time of day of the first sample: seconds since midnight, or
%                  [hours minutes seconds]
%   Physical values are stored as round(value * gain + baseline), with the gain as
%   written in the header (12 significant digits), so readers recover the stored
%   values exactly. Errors: haresnet:invalid_argument (nothing is written), haresnet:io.
%   Read the record back with haresnet.Record.
a = haresnet.internal.record_args(path, signals, fs, varargin);
haresnet.internal.mex('record_write', a.path, a.fs, a.data, a.formats, a.gains, a.baselines, ...
    a.names, a.units, a.comments, a.base_date, a.base_time);
end
