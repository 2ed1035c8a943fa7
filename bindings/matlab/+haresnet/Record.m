classdef Record < haresnet.Object
    %RECORD An opened WFDB record (header read; samples read on demand).
    %   REC = haresnet.Record(PATH) opens the record at PATH, with or without .hea
    %   (multi-segment records included). Closed when REC is deleted (cleared or out
    %   of scope). A record is used by one worker at a time.
    %
    %   Record methods:
    %     read        - physical samples of one signal
    %     classify    - classify a lead of the whole record with a haresnet.Model
    %     find_signal - the 1-based index of a signal by name
    %     write       - write (part of) the record as another WFDB record

    properties (SetAccess = private)
        path          % as given
        fs            % frames per second (Hz)
        length        % frames
        signal_names  % 1 x n cell, e.g. {'MLII', 'V5'}
        signal_units  % 1 x n cell, e.g. {'mV', 'mV'}
        signal_gains  % ADC units per physical unit, 1 x n
        signal_rates  % Hz of each signal (fs times its samples per frame), 1 x n
    end

    methods
        function obj = Record(path)
            haresnet.Object.need(nargin == 1 && (ischar(path) || isa(path, 'string')), ...
                'haresnet.Record takes the record''s path');
            % The MEX closes the record itself if reading the header facts fails.
            [h, info] = haresnet.Object.mex('record_open', char(path));
            obj.ptr = h;
            obj.path = char(path);
            obj.fs = info.fs;
            obj.length = info.length;
            obj.signal_names = info.signal_names;
            obj.signal_units = info.signal_units;
            obj.signal_gains = info.signal_gains;
            obj.signal_rates = info.signal_rates;
        end

        function i = find_signal(obj, name)
            %FIND_SIGNAL The 1-based index of the first signal named NAME; the error
            %   haresnet:not_found when there is none.
            haresnet.Object.need(ischar(name) || isa(name, 'string'), 'a signal name is a string');
            i = haresnet.Object.mex('record_find_signal', obj.live_handle(), char(name)) + 1;
        end

        function [x, fs] = read(obj, signal, first, last)
            %READ Physical samples (e.g. mV) of one signal, as a single column.
            %   [X, FS] = REC.read(SIGNAL) reads the whole signal SIGNAL (a name such as
            %   'MLII' or a 1-based index); REC.read(SIGNAL, FIRST, LAST) frames FIRST to
            %   LAST (1-based, inclusive). Invalid samples are NaN. FS is the rate of X:
            %   a signal with several samples per frame comes at the record's highest
            %   rate, slower signals' samples repeated, so X may hold more samples than
            %   frames (REC.fs x the most samples per frame of any signal).
            h = obj.live_handle();
            channel = obj.index(signal);
            if nargin < 3 || isempty(first), first = 1; end
            if nargin < 4 || isempty(last), last = obj.length; end
            haresnet.Object.need(isnumeric(first) && isscalar(first) && isnumeric(last) && isscalar(last) ...
                && first == round(first) && last == round(last) && first >= 1 && last >= first - 1 ...
                && last <= obj.length, sprintf('frames FIRST..LAST must lie within 1..%d', obj.length));
            x = haresnet.Object.mex('record_read', h, channel - 1, double(first) - 1, double(last));
            fs = max(obj.signal_rates);
        end

        function write(obj, path, varargin)
            %WRITE Write the record, or part of it, as the WFDB record PATH.
            %   REC.write(PATH) writes every signal and frame as the record PATH (e.g.
            %   'out/copy': out/copy.hea and its signal files; the folder must exist),
            %   replacing existing files, with the signals' names, units, gains,
            %   baselines, samples per frame, base time and date and info lines, and
            %   their digital values copied exactly (invalid samples stay invalid).
            %   Options:
            %     'Signals' - which signals, in that order: names or 1-based indices
            %                 (a cell array, a vector or one name; default all)
            %     'First', 'Last' - frames First to Last (1-based, inclusive; default
            %                 all); the base time moves to frame First
            %     'Format'  - storage format of the copy: 16, 212, 24, 32, 516 (FLAC)...
            %                 (default []: each signal's own, 16 where that cannot be
            %                 written)
            %     'Rescale' - true: choose new gains and baselines from the physical
            %                 values, as needed when the digital values do not fit the
            %                 new format (16 to 212); a multi-segment record always is
            h = obj.live_handle();
            a = haresnet.internal.copy_args(path, obj.length, varargin);
            channels = zeros(1, numel(a.signals));
            for k = 1:numel(a.signals)
                channels(k) = obj.index(a.signals{k}) - 1;
            end
            haresnet.Object.mex('record_write_copy', h, a.path, double(a.format), uint32(channels), ...
                a.from, a.to, a.rescale);
        end

        function r = classify(obj, model, signal, varargin)
            %CLASSIFY Classify a lead of the whole record with haresnet.Model MODEL.
            %   R = REC.classify(MODEL) classifies the MLII lead, R = REC.classify(MODEL,
            %   SIGNAL) the signal of that name (or 1-based index), read in physical
            %   units at its own rate; times and indices count in that signal's samples
            %   from the start of the record. Options as in haresnet.Model's classify,
            %   except that 'SkipInvalid' defaults to true: stretches with invalid
            %   samples (leads off) are not analysed rather than refused.
            h = obj.live_handle();
            haresnet.Object.need(isa(model, 'haresnet.Model'), 'classify takes a haresnet.Model');
            if nargin < 3 || isempty(signal), signal = 'MLII'; end
            if ischar(signal) || isa(signal, 'string')
                name = char(signal);
                i = obj.find_signal(name);
            else
                i = obj.index(signal);
                name = obj.signal_names{i};
                % The library classifies by name: the index must be the first of its name.
                haresnet.Object.need(~isempty(name) && obj.find_signal(name) == i, sprintf( ...
                    'signal %d has no name of its own: read it and use the model''s classify', i));
            end
            o = haresnet.Object.options(true, varargin);
            [starts, labels, p, hr, st, q] = haresnet.Object.mex('record_classify', h, model.live_handle(), ...
                name, o.hop, o.invalid, o.half_life);
            fs = obj.signal_rates(i);
            r = haresnet.Object.results(starts, labels, p, hr, st, q, model.labels, fs, ...
                model.segment_length(fs), round(obj.length * fs / obj.fs));
        end
    end

    methods (Access = private)
        function i = index(obj, signal)
            % The 1-based index of SIGNAL, a name or an index.
            if ischar(signal) || isa(signal, 'string')
                i = obj.find_signal(signal);
            else
                n = numel(obj.signal_names);
                haresnet.Object.need(isnumeric(signal) && isscalar(signal) && signal == round(signal) ...
                    && signal >= 1 && signal <= n, sprintf('a signal index lies within 1..%d', n));
                i = double(signal);
            end
        end
    end
end
