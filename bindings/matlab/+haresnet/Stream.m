classdef Stream < haresnet.Object
    %STREAM Classification of one lead as its samples arrive.
    %   S = haresnet.Stream(MODEL, FS) classifies samples (mV) at FS Hz (at least 100)
    %   with haresnet.Model MODEL; options as in MODEL.classify ('Hop',
    %   'SmoothingHalfLife', 'SkipInvalid'). R = S.push(X) adds samples and returns the
    %   segments they completed, with the fields of MODEL.classify's results, times
    %   and indices counting from the first sample pushed. Chunks of any size give what
    %   one MODEL.classify of the whole signal gives, once S.finish() has returned the
    %   row of the signal's tail. The stream keeps the weights it
    %   needs: MODEL may be deleted first. Freed when S is deleted.

    properties (SetAccess = private)
        fs        % Hz
        labels    % class names of the model
        pushed    % samples pushed so far
    end

    properties (Access = private)
        segment_len
    end

    methods
        function obj = Stream(model, fs, varargin)
            haresnet.Object.need(nargin >= 2 && isa(model, 'haresnet.Model'), ...
                'haresnet.Stream takes a haresnet.Model and a sampling rate');
            haresnet.Object.need(isnumeric(fs) && isscalar(fs) && isreal(fs), 'fs must be a number (Hz)');
            o = haresnet.Object.options(false, varargin);
            m = model.live_handle();
            seg = haresnet.Object.mex('model_segment_len', m, double(fs));
            obj.ptr = haresnet.Object.mex('stream_new', m, double(fs), o.hop, o.invalid, o.half_life);
            obj.fs = double(fs);
            obj.labels = model.labels;
            obj.segment_len = seg;
            obj.pushed = 0;
        end

        function r = push(obj, x)
            %PUSH Add samples X (mV) and return the segments they completed (possibly
            %   none). A chunk holding NaN, with invalid samples refused, raises
            %   haresnet:invalid_argument and leaves the stream as it was.
            h = obj.live_handle();
            x = haresnet.Object.samples(x);
            [starts, labels, p, hr, st, q] = haresnet.Object.mex('stream_push', h, x);
            obj.pushed = obj.pushed + numel(x);
            r = haresnet.Object.results(starts, labels, p, hr, st, q, obj.labels, obj.fs, ...
                obj.segment_len, obj.pushed);
        end

        function r = finish(obj)
            %FINISH End the stream: the row of what remains after its last complete
            %   segment (its last segment-long window, a short segment, or status
            %   'too_short'), as MODEL.classify gives it for the whole signal; possibly
            %   none. The stream takes no samples after this.
            h = obj.live_handle();
            [starts, labels, p, hr, st, q] = haresnet.Object.mex('stream_finish', h);
            r = haresnet.Object.results(starts, labels, p, hr, st, q, obj.labels, obj.fs, ...
                obj.segment_len, obj.pushed);
        end
    end
end
