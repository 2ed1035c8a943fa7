function write_annotations(path, annotator, samples, symbols, varargin)
%WRITE_ANNOTATIONS Write a WFDB annotation file.
%   haresnet.write_annotations(PATH, ANNOTATOR, SAMPLES, SYMBOLS) writes the annotation
%   file PATH.ANNOTATOR (e.g. 'out/rec1' and 'atr' give out/rec1.atr), replacing an
%   existing one, as rdann, wfdb-python and haresnet.read_annotations read it: one
%   annotation at each of SAMPLES (1-based sample numbers, non-decreasing) with the
%   symbol of the same position in SYMBOLS (a cell array such as {'N', 'V', '+'}, or a
%   char vector of one symbol per annotation, 'NNV+'). Options:
%     'Fs'      - the rate the samples count in, stated in the file (default: the rate
%                 of the record PATH, whose header must then exist)
%     'Subtype' - the WFDB field subtyp (-128..127), for every annotation or each
%     'Chan'    - the signal an annotation belongs to, 0-based as in WFDB (0..255)
%     'Num'     - the WFDB field num (-128..127)
%     'Aux'     - a cell array of one string per annotation ('' for none; at most 255
%                 bytes each): a rhythm change '+' carries e.g. '(AFIB'
%   Errors: haresnet:not_found (an unknown symbol), haresnet:invalid_argument (nothing
%   is written), haresnet:io.
a = haresnet.internal.annotation_args(path, annotator, samples, symbols, varargin);
if isempty(a.fs)
    try
        rec = haresnet.Record(a.path);
    catch err
        error('haresnet:invalid_argument', ...
            'give ''Fs'': the rate could not be taken from the record %s (%s)', a.path, err.message);
    end
    a.fs = rec.fs;
    delete(rec);
end
codes = haresnet.internal.mex('annotation_code', a.symbols);
haresnet.internal.mex('annotations_write', a.path, a.annotator, a.fs, a.samples, codes, ...
    a.subtypes, a.chans, a.nums, a.aux);
end
