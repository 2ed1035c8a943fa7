classdef Model < haresnet.Object
    %MODEL A trained rhythm classifier.
    %   M = haresnet.Model() loads the embedded weights of set 'all' for 5 s segments.
    %   M = haresnet.Model(SET, SEGMENT_SECONDS) loads embedded set 'all' (trained on
    %   every MIT-BIH record) or 'ds1' (inter-patient training records only) for 2, 5 or
    %   10 s segments. M = haresnet.Model(FILE) loads a weights file (.hrn).
    %   haresnet.Model(..., 'Threads', N) gives the model its own N worker threads
    %   (default 0: a pool shared by the process, one thread per core).
    %
    %   The weights are freed when M is deleted (cleared or out of scope). A model may
    %   be used from several workers at once.
    %
    %   Model methods:
    %     classify   - classify one lead (a vector of mV at FS Hz)
    %     summarize  - time in each rhythm and AF burden of a classification
    %     card       - the model card: which weights, how made, how good
    %     segment_length - samples in one segment at a given rate

    properties (SetAccess = private)
        source           % 'all', 'ds1' or the weights file
        labels           % class names (1 x k cell), the order of the probability columns
        segment_seconds  % segment length, seconds
        rate             % the rate the network works at (Hz); input >= 100 Hz is resampled
    end

    methods
        function obj = Model(source, segment_seconds, varargin)
            if nargin < 1 || isempty(source), source = 'all'; end
            if nargin < 2 || isempty(segment_seconds), segment_seconds = 5; end
            threads = 0;
            for k = 1:2:numel(varargin)
                if k + 1 <= numel(varargin) && strcmpi(char(varargin{k}), 'Threads')
                    threads = varargin{k + 1};
                else
                    error('haresnet:invalid_argument', 'the only option is ''Threads''');
                end
            end
            haresnet.Object.need(ischar(source) || isa(source, 'string'), ...
                'the weights are ''all'', ''ds1'' or a file name');
            source = char(source);
            haresnet.Object.need(isnumeric(segment_seconds) && isscalar(segment_seconds), ...
                'segment_seconds must be 2, 5 or 10');
            haresnet.Object.need(isnumeric(threads) && isscalar(threads), 'Threads must be a whole number');
            % The MEX returns the facts with the handle: it frees the model itself if
            % reading them fails, so nothing is left behind on an error.
            if any(strcmp(source, {'all', 'ds1'}))
                [h, info] = haresnet.Object.mex('model_load_embedded', double(segment_seconds), ...
                    source, double(threads));
            else
                [h, info] = haresnet.Object.mex('model_load_file', source, double(threads));
            end
            obj.ptr = h;
            obj.source = source;
            obj.labels = info.labels;
            obj.segment_seconds = info.segment_seconds;
            obj.rate = info.rate;
        end

        function r = classify(obj, x, fs, varargin)
            %CLASSIFY Classify one ECG lead X (mV) sampled at FS Hz (at least 100).
            %   R = M.classify(X, FS) cuts X into consecutive segments of the model's
            %   length (a tail shorter than a segment is not classified); see
            %   bindings/matlab/README.md for the fields of R. Options:
            %   'Hop' (seconds between segment starts), 'SmoothingHalfLife' (seconds;
            %   [] for the weights' own, 0 for none), 'SkipInvalid' (default false: NaN
            %   samples are refused; true: the segments holding them are not analysed).
            h = obj.live_handle();
            x = haresnet.Object.samples(x);
            o = haresnet.Object.options(false, varargin);
            [starts, labels, p, hr, st, q] = haresnet.Object.mex('model_classify', h, x, double(fs), ...
                o.hop, o.invalid, o.half_life);
            r = haresnet.Object.results(starts, labels, p, hr, st, q, obj.labels, double(fs), ...
                obj.segment_length(fs), numel(x));
        end

        function n = segment_length(obj, fs)
            %SEGMENT_LENGTH Samples in one segment at input rate FS.
            n = haresnet.Object.mex('model_segment_len', obj.live_handle(), double(fs));
        end

        function s = summarize(obj, r, n_samples)
            %SUMMARIZE Time in each rhythm and AF burden of results R of this model.
            %   S = M.summarize(R) over the R.n_samples samples that R classified, or
            %   M.summarize(R, N_SAMPLES) over a signal of N_SAMPLES samples at R.fs
            %   (results of a stream put together, say). S has labels, seconds (one
            %   per class, in that order), analysed_seconds and af_burden_percent (the
            %   share of the analysed time in AFIB or AFL; NaN when nothing was
            %   analysed), as `haresnet report` computes them.
            h = obj.live_handle();
            if nargin < 3 || isempty(n_samples), n_samples = r.n_samples; end
            [seconds, analysed, burden] = haresnet.Object.mex('model_summarize', h, double(r.fs), ...
                double(n_samples), int64(r.start_index(:) - 1), int32(r.class_index(:) - 1));
            s.labels = obj.labels;
            s.seconds = seconds;
            s.analysed_seconds = analysed;
            s.af_burden_percent = burden;
        end

        function c = card(obj)
            %CARD The model card of the loaded weights, as a struct (jsondecode of the
            %   library's JSON, the schema of the .json files in plugin/weights): name,
            %   task, weight_set, labels, preprocess, network, postprocess
            %   (smoothing_half_life_seconds: the weights' own half-life), training
            %   (provenance; training.command made the weights) and metrics.
            c = jsondecode(haresnet.Object.mex('model_card', obj.live_handle()));
        end
    end
end
