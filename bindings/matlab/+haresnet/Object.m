classdef (Abstract) Object < handle
    %OBJECT What haresnet.Model, haresnet.Record and haresnet.Stream share: a handle of
    %   the library, freed when the object is deleted (cleared, out of scope, or
    %   DELETE(OBJ)); a deleted object raises haresnet:invalid_handle when used.

    properties (SetAccess = protected, Hidden)
        ptr = []  % the library handle, a uint64 from haresnet_mex; [] once freed
    end

    methods
        function delete(obj)
            % Runs more than once in some cases (an explicit DELETE, then the clear):
            % the handle is forgotten before it is freed.
            h = obj.ptr;
            obj.ptr = [];
            if ~isempty(h)
                try
                    haresnet_mex('free', h);
                catch
                    % Destructors must not raise; the MEX file may already be unloaded.
                end
            end
        end
    end

    methods (Hidden)
        function h = live_handle(obj)
            % The handle, or haresnet:invalid_handle when the object was deleted.
            h = obj.ptr;
            if isempty(h)
                error('haresnet:invalid_handle', 'this %s has been deleted', class(obj));
            end
        end
    end

    methods (Static, Access = protected)
        function varargout = mex(varargin)
            % haresnet_mex, with a clear error when it has not been built.
            [varargout{1:nargout}] = haresnet.internal.mex(varargin{:});
        end

        function o = options(skip_invalid, args)
            % Name-value options of the classify functions and of a stream:
            % 'Hop' (seconds between segment starts; 0 or [] for consecutive segments),
            % 'SmoothingHalfLife' (seconds; [] for the weights' own, 0 for none),
            % 'SkipInvalid' (true: segments holding NaN are not analysed; false: refused).
            o.hop = 0;
            o.half_life = -1;  % the library's "the weights' own"
            if mod(numel(args), 2) ~= 0
                error('haresnet:invalid_argument', 'options come as name-value pairs');
            end
            for k = 1:2:numel(args)
                name = args{k};
                value = args{k + 1};
                if ~(ischar(name) || isa(name, 'string'))
                    error('haresnet:invalid_argument', 'option names are strings');
                end
                switch lower(char(name))
                    case 'hop'
                        if ~isempty(value)
                            haresnet.Object.need(isnumeric(value) && isscalar(value) && isreal(value) ...
                                && value >= 0 && isfinite(value), 'Hop must be a number of seconds >= 0');
                            o.hop = double(value);
                        end
                    case 'smoothinghalflife'
                        if ~isempty(value)
                            % Negative means "the weights' own" to the library; here that is [].
                            haresnet.Object.need(isnumeric(value) && isscalar(value) && isreal(value) ...
                                && value >= 0, 'SmoothingHalfLife must be a number of seconds >= 0, or []');
                            o.half_life = double(value);
                        end
                    case 'skipinvalid'
                        haresnet.Object.need((islogical(value) || isnumeric(value)) && isscalar(value), ...
                            'SkipInvalid must be true or false');
                        skip_invalid = logical(value);
                    otherwise
                        error('haresnet:invalid_argument', ...
                            'unknown option ''%s'': they are Hop, SmoothingHalfLife and SkipInvalid', char(name));
                end
            end
            % HARESNET_INVALID_SAMPLES_SKIP (2) or _REFUSE (1).
            o.invalid = 1 + double(skip_invalid);
        end

        function need(condition, message)
            if ~condition
                error('haresnet:invalid_argument', '%s', message);
            end
        end

        function x = samples(x)
            % One lead as the single column the MEX takes.
            haresnet.Object.need(isnumeric(x) && isreal(x) && (isvector(x) || isempty(x)), ...
                'samples must be a real numeric vector');
            x = single(x(:));
        end

        function r = results(starts, labels, probabilities, heart_rates, statuses, qualities, ...
                names, fs, segment_len, n_samples)
            % The library's 0-based results as MATLAB's: 1-based indices, seconds. The
            % row after the last complete segment (the signal's tail) ends at its end.
            starts = double(starts(:));
            class_index = double(labels(:)) + 1;  % the library's -1 (not classified) is 0
            r.start_s = starts / fs;
            r.end_s = min(starts + segment_len, n_samples) / fs;
            r.start_index = starts + 1;
            r.class_index = class_index;
            r.label = repmat({''}, numel(class_index), 1);
            analysed = class_index > 0;
            r.label(analysed) = reshape(names(class_index(analysed)), [], 1);
            r.probabilities = double(probabilities).';
            r.heart_rate_bpm = double(heart_rates(:));
            % classified, flat, invalid_samples, noisy (too noisy to read) or too_short.
            status_names = {'classified'; 'flat'; 'invalid_samples'; 'noisy'; 'too_short'};
            codes = double(statuses(:));
            r.status = repmat({'unknown'}, numel(codes), 1);
            known = codes >= 0 & codes < numel(status_names);
            r.status(known) = status_names(codes(known) + 1);
            r.quality = double(qualities(:));
            r.labels = names;
            r.fs = fs;
            r.n_samples = n_samples;
        end
    end
end
