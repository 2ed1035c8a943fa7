function out = build_mex(libdir, includedir, outdir)
%BUILD_MEX Build haresnet_mex, the gateway the haresnet classes call.
%   haresnet.build_mex(LIBDIR, INCLUDEDIR) compiles bindings/matlab/haresnet_mex.c
%   with MATLAB's mex (or GNU Octave's mkoctfile --mex) against the library in LIBDIR
%   (libharesnet.so, libharesnet.dylib, or haresnet.dll with its import library
%   haresnet.dll.lib) and the header in INCLUDEDIR, into bindings/matlab (or OUTDIR).
%   LIBDIR defaults to the workspace's target/release, INCLUDEDIR to its include.
%   On Linux and macOS the MEX file remembers LIBDIR (rpath), so the library is found
%   without setting LD_LIBRARY_PATH. Returns the MEX file's path.
here = fileparts(fileparts(mfilename('fullpath')));  % bindings/matlab
root = fileparts(fileparts(here));
if nargin < 1 || isempty(libdir), libdir = fullfile(root, 'target', 'release'); end
if nargin < 2 || isempty(includedir), includedir = fullfile(root, 'include'); end
if nargin < 3 || isempty(outdir), outdir = here; end
% The rpath must not depend on the folder MATLAB runs in later.
libdir = absolute(libdir);
includedir = absolute(includedir);
outdir = absolute(outdir);
if ~exist(outdir, 'dir'), mkdir(outdir); end
source = fullfile(here, 'haresnet_mex.c');
if ~exist(fullfile(includedir, 'haresnet.h'), 'file')
    error('haresnet:build', 'no haresnet.h in %s', includedir);
end
if ispc
    link = {fullfile(libdir, 'haresnet.dll.lib')};
else
    link = {['-L' libdir], '-lharesnet'};
end
if exist('OCTAVE_VERSION', 'builtin')
    out = fullfile(outdir, ['haresnet_mex.' mexext]);
    args = [{'--mex', ['-I' includedir]}, link, {source, '-o', out}];
    if ~ispc
        args = [args, {['-Wl,-rpath,' libdir]}];
    end
    [output, status] = mkoctfile(args{:});
    if status ~= 0
        error('haresnet:build', 'mkoctfile failed:\n%s', output);
    end
else
    args = [{['-I' includedir]}, link, {source, '-outdir', outdir}];
    if ~ispc
        args = [args, {['LDFLAGS=$LDFLAGS -Wl,-rpath,' libdir]}];
    end
    mex(args{:});
    out = fullfile(outdir, ['haresnet_mex.' mexext]);
end
% A MEX file of the same name loaded before would otherwise stay in use.
clear('haresnet_mex');
end

function p = absolute(p)
p = char(p);
if ~(strncmp(p, '/', 1) || strncmp(p, '\\', 2) || ~isempty(regexp(p, '^[A-Za-z]:', 'once')))
    p = fullfile(pwd, p);
end
end
