/*
 * haresnet_mex: the MEX gateway of the haresnet MATLAB/Octave binding, over the C ABI
 * (include/haresnet.h) only. The classes in +haresnet call it; it is not meant to be
 * called directly.
 *
 *   [out...] = haresnet_mex(command, args...)
 *
 * Handles go to m-code as uint64 scalars (the pointer's value). Every handle made here
 * is kept in a registry, so a handle that was freed, or a number that never was one, is
 * refused with the error haresnet:invalid_handle instead of reaching the library; while
 * any handle is live the MEX file is locked in memory (`clear mex` cannot unload it and
 * orphan them). Indices and sample positions here are the library's, 0-based: the
 * m-code turns them into MATLAB's conventions.
 *
 * Build (see README.md): in MATLAB
 *   mex -I<include> -L<libdir> -lharesnet haresnet_mex.c
 * and in GNU Octave
 *   mkoctfile --mex -I<include> -L<libdir> -lharesnet haresnet_mex.c
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mex.h"
#include "haresnet.h"

/* Octave's char is 8 bits and holds UTF-8; MATLAB's is UTF-16. */
#if defined(HAVE_OCTAVE)
#define HARESNET_MEX_OCTAVE 1
#else
#define HARESNET_MEX_OCTAVE 0
#endif

static void errorf(const char *id, const char *format, ...);

/* Annotations are never registered: a command that reads them frees them before it
 * returns or raises. */
enum kind { KIND_MODEL = 1, KIND_RECORD = 2, KIND_STREAM = 3, KIND_ANNOTATIONS = 4 };
static const char *const KIND_NAMES[] = {"", "model", "record", "stream", "annotations"};

/* ---- Registry of live handles ---------------------------------------------------- */

struct entry {
    void *ptr;
    int kind;
    uint32_t classes; /* of a stream's model, which may be freed before the stream */
};
static struct entry *live = NULL;
static size_t live_len = 0, live_cap = 0;

static void free_handle(void *ptr, int kind) {
    switch (kind) {
    case KIND_MODEL: haresnet_model_free((haresnet_model *)ptr); break;
    case KIND_RECORD: haresnet_record_free((haresnet_record *)ptr); break;
    case KIND_STREAM: haresnet_stream_free((haresnet_stream *)ptr); break;
    case KIND_ANNOTATIONS: haresnet_annotations_free((haresnet_annotations *)ptr); break;
    }
}

/* Frees whatever is still live when MATLAB or Octave unloads the MEX file (at exit). */
static void at_exit(void) {
    size_t i;
    for (i = 0; i < live_len; i++) free_handle(live[i].ptr, live[i].kind);
    free(live);
    live = NULL;
    live_len = live_cap = 0;
}

static int find_entry(void *ptr) {
    size_t i;
    for (i = 0; i < live_len; i++)
        if (live[i].ptr == ptr) return (int)i;
    return -1;
}

/* Takes ownership of ptr: freed here if it cannot be registered. */
static mxArray *register_handle(void *ptr, int kind, uint32_t classes) {
    mxArray *out;
    if (live_len == live_cap) {
        size_t cap = live_cap ? 2 * live_cap : 16;
        struct entry *grown = (struct entry *)realloc(live, cap * sizeof *grown);
        if (!grown) {
            free_handle(ptr, kind);
            errorf("haresnet:out_of_memory", "out of memory registering a handle");
        }
        live = grown;
        live_cap = cap;
    }
    live[live_len].ptr = ptr;
    live[live_len].kind = kind;
    live[live_len].classes = classes;
    if (live_len++ == 0) mexLock();
    out = mxCreateNumericMatrix(1, 1, mxUINT64_CLASS, mxREAL);
    *(uint64_t *)mxGetData(out) = (uint64_t)(uintptr_t)ptr;
    return out;
}

/* Removes a handle from the registry and frees it; false when it was not live. */
static int release_handle(void *ptr) {
    int i = find_entry(ptr);
    int kind;
    if (i < 0) return 0;
    kind = live[i].kind;
    live[i] = live[--live_len];
    if (live_len == 0) mexUnlock();
    free_handle(ptr, kind);
    return 1;
}

/* ---- Strings: UTF-8 in the library, MATLAB's or Octave's char outside -------------- */

/* A char row vector holding the UTF-8 text s. */
static mxArray *utf8_to_mx(const char *s) {
#if HARESNET_MEX_OCTAVE
    return mxCreateString(s);
#else
    /* Decoded to UTF-16; malformed bytes become U+FFFD. */
    size_t n = strlen(s), i = 0, k = 0;
    mwSize dims[2];
    mxChar *dst;
    mxArray *out;
    uint16_t *units = (uint16_t *)mxMalloc((n + 1) * sizeof *units);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = 0xFFFD, min = 0;
        size_t len = 1, j;
        if (c < 0x80) {
            cp = c;
        } else if (c >= 0xC2 && c < 0xE0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c < 0xF0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c < 0xF5) {
            len = 4, cp = c & 0x07, min = 0x10000;
        }
        if (len > 1) {
            for (j = 1; j < len; j++) {
                if (i + j >= n || ((unsigned char)s[i + j] & 0xC0) != 0x80) break;
                cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
            }
            if (j < len || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
                cp = 0xFFFD;
                len = j; /* resynchronise at the first byte that did not continue */
            }
        }
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units[k++] = (uint16_t)(0xD800 | (cp >> 10));
            units[k++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            units[k++] = (uint16_t)cp;
        }
    }
    dims[0] = 1;
    dims[1] = (mwSize)k;
    out = mxCreateCharArray(2, dims);
    dst = mxGetChars(out);
    for (i = 0; i < k; i++) dst[i] = (mxChar)units[i];
    mxFree(units);
    return out;
#endif
}

/* The argument of MATLAB's error() for the error `id` with the UTF-8 text `message`. */
static mxArray *error_struct(const char *id, const char *message) {
    const char *fields[] = {"message", "identifier"};
    mxArray *err = mxCreateStructMatrix(1, 1, 2, fields);
    mxSetField(err, 0, "message", utf8_to_mx(message));
    mxSetField(err, 0, "identifier", mxCreateString(id));
    return err;
}

/* Raises the error `err` (from error_struct). Does not return. Through MATLAB's own
 * error(): mexErrMsgIdAndTxt would read the bytes in the session's encoding rather than
 * as UTF-8 (MATLAB), and prefix the MEX file's name (Octave). */
static void raise_struct(mxArray *err, const char *id) {
    mexCallMATLAB(0, NULL, 1, &err, "error");
    mexErrMsgIdAndTxt(id, "error() returned"); /* not reached */
}

static void throw_error(const char *id, const char *message) { raise_struct(error_struct(id, message), id); }

/* throw_error with a printf-style message (ASCII, or UTF-8 arguments). */
static void errorf(const char *id, const char *format, ...) {
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    throw_error(id, message);
}

/* Raises the error of a failed library call: identifier haresnet:<status name in lower
 * case without its prefix> (haresnet:io, haresnet:invalid_argument...), message from
 * haresnet_last_error. When `owned` is not NULL it is freed first (a handle made by
 * this call that would otherwise leak). */
static void fail(int32_t status, void *owned, int owned_kind) {
    char id[80] = "haresnet:";
    const char *name = haresnet_status_str(status);
    const char *prefix = "HARESNET_STATUS_";
    size_t len = 0, k = strlen(id), i;
    char *message;
    mxArray *err;
    if (strncmp(name, prefix, strlen(prefix)) == 0) name += strlen(prefix);
    for (i = 0; name[i] && k < sizeof id - 1; i++)
        id[k++] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    id[k] = '\0';
    haresnet_last_error(NULL, 0, &len);
    message = (char *)mxMalloc(len + 1);
    message[0] = '\0';
    haresnet_last_error(message, len + 1, &len);
    err = error_struct(id, message[0] ? message : haresnet_status_str(status));
    mxFree(message);
    if (owned) free_handle(owned, owned_kind);
    raise_struct(err, id);
}

#define CHECK(call)                                                                        \
    do {                                                                                   \
        int32_t status_ = (call);                                                          \
        if (status_ != HARESNET_STATUS_OK) fail(status_, NULL, 0);                         \
    } while (0)

/* As CHECK, freeing `owned` (of `kind`) before raising. */
#define CHECK_OWNED(call, owned, kind)                                                     \
    do {                                                                                   \
        int32_t status_ = (call);                                                          \
        if (status_ != HARESNET_STATUS_OK) fail(status_, (owned), (kind));                  \
    } while (0)

static void bad_argument(const char *command, const char *what) {
    errorf("haresnet:invalid_argument", "haresnet_mex %s: %s", command, what);
}

/* ---- Arguments ---------------------------------------------------------------------- */

static const char *command_name = "";

static void need_args(int nrhs, int n) {
    if (nrhs != n + 1) {
        errorf("haresnet:invalid_argument", "haresnet_mex %s takes %d arguments, got %d",
               command_name, n, nrhs - 1);
    }
}

/* Longest string argument, NUL included: paths and names fit. */
#define STRING_CAP 4096

/* A string argument as UTF-8 into buf (STRING_CAP bytes). Copied onto the stack rather
 * than kept in the allocation it comes in: Octave does not free that allocation when an
 * error unwinds the MEX function. */
static void arg_string(const mxArray *a, const char *what, char *buf) {
    char *s;
    size_t n;
    if (!mxIsChar(a) || (mxGetM(a) > 1 && mxGetNumberOfElements(a) > 0)) bad_argument(command_name, what);
#if HARESNET_MEX_OCTAVE
    s = mxArrayToString(a);
#else
    s = mxArrayToUTF8String(a);
#endif
    if (!s) bad_argument(command_name, what);
    n = strlen(s);
    if (n < STRING_CAP) memcpy(buf, s, n + 1);
    mxFree(s);
    if (n >= STRING_CAP) bad_argument(command_name, "a string argument is longer than 4095 bytes");
}

static double arg_double(const mxArray *a, const char *what) {
    if (!mxIsNumeric(a) || mxIsComplex(a) || mxGetNumberOfElements(a) != 1) bad_argument(command_name, what);
    return mxGetScalar(a);
}

/* A non-negative whole number that fits the target type's range `max`. */
static uint64_t arg_count(const mxArray *a, const char *what, double max) {
    double v = arg_double(a, what);
    if (!(v >= 0 && v <= max) || v != (double)(uint64_t)v) bad_argument(command_name, what);
    return (uint64_t)v;
}

static void *arg_handle(const mxArray *a, int kind) {
    void *ptr;
    int i;
    if (!mxIsUint64(a) || mxIsComplex(a) || mxGetNumberOfElements(a) != 1) {
        errorf("haresnet:invalid_handle", "haresnet_mex %s: a %s handle is a uint64 scalar",
               command_name, KIND_NAMES[kind]);
    }
    ptr = (void *)(uintptr_t)(*(uint64_t *)mxGetData(a));
    i = find_entry(ptr);
    if (i < 0 || live[i].kind != kind) {
        errorf("haresnet:invalid_handle",
               "haresnet_mex %s: not a live haresnet %s (freed already, or never one)",
               command_name, KIND_NAMES[kind]);
    }
    return ptr;
}

/* A real single vector (or empty); its elements and count. */
static const float *arg_samples(const mxArray *a, size_t *n) {
    if (!mxIsSingle(a) || mxIsComplex(a) || mxGetNumberOfDimensions(a) > 2 ||
        (mxGetM(a) > 1 && mxGetN(a) > 1)) {
        bad_argument(command_name, "samples must be a real single vector");
    }
    *n = mxGetNumberOfElements(a);
    return (const float *)mxGetData(a);
}

/* Classify options from (hop_seconds, invalid_samples, smoothing_half_life_seconds). */
static void arg_options(const mxArray *const *a, haresnet_classify_options *opts) {
    CHECK(haresnet_classify_options_init(opts, sizeof *opts));
    opts->hop_seconds = arg_double(a[0], "hop_seconds must be a number");
    opts->invalid_samples = (int32_t)arg_count(a[1], "invalid_samples must be 0, 1 or 2", 2);
    opts->smoothing_half_life_seconds = arg_double(a[2], "smoothing half-life must be a number");
}

static haresnet_model_options model_options(const mxArray *threads) {
    haresnet_model_options opts;
    CHECK(haresnet_model_options_init(&opts, sizeof opts));
    opts.threads = (uint32_t)arg_count(threads, "threads must be a whole number >= 0", 65535);
    return opts;
}

/* ---- Outputs ---------------------------------------------------------------------- */

static mxArray *scalar(double v) { return mxCreateDoubleScalar(v); }

/* An n x 1 numeric column of class c (n may be 0). */
static mxArray *column(size_t n, mxClassID c) { return mxCreateNumericMatrix((mwSize)n, 1, c, mxREAL); }

/* A string from a (handle, index, buf, cap, *out_len) function, as mxArray. */
#define INDEXED_STRING(fn, handle, index, owned, kind, out)                                \
    do {                                                                                   \
        size_t len_ = 0;                                                                   \
        char *buf_;                                                                        \
        int32_t st_ = fn(handle, index, NULL, 0, &len_);                                   \
        if (st_ != HARESNET_STATUS_OK && st_ != HARESNET_STATUS_BUFFER_TOO_SMALL)          \
            fail(st_, owned, kind);                                                        \
        buf_ = (char *)mxMalloc(len_ + 1);                                                 \
        CHECK_OWNED(fn(handle, index, buf_, len_ + 1, &len_), owned, kind);                \
        (out) = utf8_to_mx(buf_);                                                          \
        mxFree(buf_);                                                                      \
    } while (0)

/* Model facts for m-code: labels (1 x k cell), segment_seconds, rate. Frees the model
 * before raising, so that a load whose follow-up fails leaks nothing. */
static mxArray *model_info(haresnet_model *m) {
    const char *fields[] = {"labels", "segment_seconds", "rate"};
    mxArray *info, *labels;
    uint32_t k = 0, i;
    double v = 0;
    CHECK_OWNED(haresnet_model_num_classes(m, &k), m, KIND_MODEL);
    labels = mxCreateCellMatrix(1, k);
    for (i = 0; i < k; i++) {
        mxArray *s;
        INDEXED_STRING(haresnet_model_class_name, m, i, m, KIND_MODEL, s);
        mxSetCell(labels, i, s);
    }
    info = mxCreateStructMatrix(1, 1, 3, fields);
    mxSetField(info, 0, "labels", labels);
    CHECK_OWNED(haresnet_model_segment_seconds(m, &v), m, KIND_MODEL);
    mxSetField(info, 0, "segment_seconds", scalar(v));
    CHECK_OWNED(haresnet_model_rate(m, &v), m, KIND_MODEL);
    mxSetField(info, 0, "rate", scalar(v));
    return info;
}

static mxArray *record_info(haresnet_record *r) {
    const char *fields[] = {"fs", "length", "signal_names", "signal_units", "signal_gains", "signal_rates"};
    mxArray *info, *names, *units, *gains, *rates;
    uint32_t k = 0, i;
    uint64_t length = 0;
    double v = 0;
    info = mxCreateStructMatrix(1, 1, 6, fields);
    CHECK_OWNED(haresnet_record_fs(r, &v), r, KIND_RECORD);
    mxSetField(info, 0, "fs", scalar(v));
    CHECK_OWNED(haresnet_record_length(r, &length), r, KIND_RECORD);
    mxSetField(info, 0, "length", scalar((double)length));
    CHECK_OWNED(haresnet_record_num_signals(r, &k), r, KIND_RECORD);
    names = mxCreateCellMatrix(1, k);
    units = mxCreateCellMatrix(1, k);
    gains = mxCreateDoubleMatrix(1, k, mxREAL);
    rates = mxCreateDoubleMatrix(1, k, mxREAL);
    for (i = 0; i < k; i++) {
        mxArray *s;
        INDEXED_STRING(haresnet_record_signal_name, r, i, r, KIND_RECORD, s);
        mxSetCell(names, i, s);
        INDEXED_STRING(haresnet_record_signal_units, r, i, r, KIND_RECORD, s);
        mxSetCell(units, i, s);
        CHECK_OWNED(haresnet_record_signal_gain(r, i, &((double *)mxGetData(gains))[i]), r, KIND_RECORD);
        CHECK_OWNED(haresnet_record_signal_rate(r, i, &((double *)mxGetData(rates))[i]), r, KIND_RECORD);
    }
    mxSetField(info, 0, "signal_names", names);
    mxSetField(info, 0, "signal_units", units);
    mxSetField(info, 0, "signal_gains", gains);
    mxSetField(info, 0, "signal_rates", rates);
    return info;
}

/* Result arrays for n segments of k classes: starts (int64, n x 1), labels (int32,
 * n x 1), probabilities (single, k x n: the library's row-major n x k), heart rates
 * (single, n x 1), statuses (int32 HARESNET_SEGMENT_*, n x 1), qualities (single,
 * n x 1). */
struct results {
    mxArray *starts, *labels, *probabilities, *heart_rates, *statuses, *qualities;
};

static struct results new_results(size_t n, uint32_t k) {
    struct results r;
    r.starts = column(n, mxINT64_CLASS);
    r.labels = column(n, mxINT32_CLASS);
    r.probabilities = mxCreateNumericMatrix((mwSize)k, (mwSize)n, mxSINGLE_CLASS, mxREAL);
    r.heart_rates = column(n, mxSINGLE_CLASS);
    r.statuses = column(n, mxINT32_CLASS);
    r.qualities = column(n, mxSINGLE_CLASS);
    return r;
}

/* The whole-signal calls write statuses and qualities through the options. */
static void detail_into(haresnet_classify_options *opts, struct results r) {
    opts->statuses = (int32_t *)mxGetData(r.statuses);
    opts->qualities = (float *)mxGetData(r.qualities);
}

#define RESULT_ARRAYS(r)                                                                   \
    (int64_t *)mxGetData((r).starts), (int32_t *)mxGetData((r).labels),                    \
        (float *)mxGetData((r).probabilities), (float *)mxGetData((r).heart_rates)

static void put_results(int nlhs, mxArray **plhs, struct results r) {
    mxArray *all[6];
    int i;
    all[0] = r.starts, all[1] = r.labels, all[2] = r.probabilities, all[3] = r.heart_rates;
    all[4] = r.statuses, all[5] = r.qualities;
    for (i = 0; i < 6; i++) {
        if (i < nlhs || (i == 0 && nlhs == 0))
            plhs[i] = all[i];
        else
            mxDestroyArray(all[i]);
    }
}

static uint32_t num_classes(const haresnet_model *m) {
    uint32_t k = 0;
    CHECK(haresnet_model_num_classes(m, &k));
    return k;
}

/* ---- Commands ----------------------------------------------------------------------- */

static void cmd_model_load_embedded(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_model *m = NULL;
    haresnet_model_options opts;
    uint32_t seconds;
    char set[STRING_CAP];
    (void)nlhs;
    need_args(nrhs, 3); /* segment_seconds, weight set, threads */
    seconds = (uint32_t)arg_count(prhs[1], "segment seconds must be a whole number", 4294967295.0);
    arg_string(prhs[2], "the weight set must be a string", set);
    opts = model_options(prhs[3]);
    CHECK(haresnet_model_load_embedded(seconds, set, &opts, &m));
    plhs[1] = model_info(m);
    plhs[0] = register_handle(m, KIND_MODEL, 0);
}

static void cmd_model_load_file(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_model *m = NULL;
    haresnet_model_options opts;
    char path[STRING_CAP];
    (void)nlhs;
    need_args(nrhs, 2); /* path, threads */
    arg_string(prhs[1], "the weights file must be a string", path);
    opts = model_options(prhs[2]);
    CHECK(haresnet_model_load_file(path, &opts, &m));
    plhs[1] = model_info(m);
    plhs[0] = register_handle(m, KIND_MODEL, 0);
}

static void cmd_model_card(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_model *m;
    size_t len = 0;
    char *buf;
    int32_t status;
    (void)nlhs;
    need_args(nrhs, 1);
    m = (const haresnet_model *)arg_handle(prhs[1], KIND_MODEL);
    status = haresnet_model_card_json(m, NULL, 0, &len);
    if (status != HARESNET_STATUS_OK && status != HARESNET_STATUS_BUFFER_TOO_SMALL) fail(status, NULL, 0);
    buf = (char *)mxMalloc(len + 1);
    CHECK(haresnet_model_card_json(m, buf, len + 1, &len));
    plhs[0] = utf8_to_mx(buf);
    mxFree(buf);
}

static void cmd_model_segment_len(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    size_t n = 0;
    (void)nlhs;
    need_args(nrhs, 2); /* model, fs */
    CHECK(haresnet_model_segment_len((const haresnet_model *)arg_handle(prhs[1], KIND_MODEL),
                                     arg_double(prhs[2], "fs must be a number"), &n));
    plhs[0] = scalar((double)n);
}

static void cmd_model_classify(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_model *m;
    haresnet_classify_options opts;
    const float *x;
    size_t n, count = 0;
    double fs;
    struct results r;
    need_args(nrhs, 6); /* model, samples, fs, hop, invalid, half-life */
    m = (const haresnet_model *)arg_handle(prhs[1], KIND_MODEL);
    x = arg_samples(prhs[2], &n);
    fs = arg_double(prhs[3], "fs must be a number");
    arg_options(prhs + 4, &opts);
    CHECK(haresnet_model_segment_count(m, n, fs, &opts, &count));
    r = new_results(count, num_classes(m));
    detail_into(&opts, r);
    CHECK(haresnet_model_classify(m, n ? x : NULL, n, fs, &opts, RESULT_ARRAYS(r), count, &count));
    put_results(nlhs, plhs, r);
}

static void cmd_model_summarize(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_model *m;
    double fs, analysed = 0, burden = 0;
    uint64_t total;
    size_t n;
    uint32_t k;
    mxArray *seconds;
    need_args(nrhs, 5); /* model, fs, total, starts (int64), labels (int32) */
    m = (const haresnet_model *)arg_handle(prhs[1], KIND_MODEL);
    fs = arg_double(prhs[2], "fs must be a number");
    total = arg_count(prhs[3], "total must be a whole number of samples", 9007199254740992.0);
    if (!mxIsInt64(prhs[4]) || !mxIsInt32(prhs[5]) ||
        mxGetNumberOfElements(prhs[4]) != mxGetNumberOfElements(prhs[5]))
        bad_argument(command_name, "starts (int64) and labels (int32) must have one element per segment");
    n = mxGetNumberOfElements(prhs[4]);
    k = num_classes(m);
    seconds = column(k, mxDOUBLE_CLASS);
    CHECK(haresnet_summarize(m, fs, total, n ? (const int64_t *)mxGetData(prhs[4]) : NULL,
                             n ? (const int32_t *)mxGetData(prhs[5]) : NULL, n,
                             (double *)mxGetData(seconds), k, &analysed, &burden));
    plhs[0] = seconds;
    if (nlhs > 1) plhs[1] = scalar(analysed);
    if (nlhs > 2) plhs[2] = scalar(burden);
}

static void cmd_record_open(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_record *r = NULL;
    char path[STRING_CAP];
    (void)nlhs;
    need_args(nrhs, 1);
    arg_string(prhs[1], "the record path must be a string", path);
    CHECK(haresnet_record_open(path, &r));
    plhs[1] = record_info(r);
    plhs[0] = register_handle(r, KIND_RECORD, 0);
}

static void cmd_record_find_signal(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_record *r;
    uint32_t index = 0;
    char name[STRING_CAP];
    (void)nlhs;
    need_args(nrhs, 2);
    r = (const haresnet_record *)arg_handle(prhs[1], KIND_RECORD);
    arg_string(prhs[2], "the signal name must be a string", name);
    CHECK(haresnet_record_find_signal(r, name, &index));
    plhs[0] = scalar((double)index);
}

static void cmd_record_read(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_record *r;
    uint32_t channel;
    uint64_t from, to;
    size_t len = 0;
    float none = 0;
    mxArray *out;
    int32_t status;
    (void)nlhs;
    need_args(nrhs, 4); /* record, channel, from, to (frames [from, to)) */
    r = (const haresnet_record *)arg_handle(prhs[1], KIND_RECORD);
    channel = (uint32_t)arg_count(prhs[2], "channel must be a whole number", 4294967295.0);
    from = arg_count(prhs[3], "from must be a whole number", 9007199254740992.0);
    to = arg_count(prhs[4], "to must be a whole number", 9007199254740992.0);
    if (to < from) bad_argument(command_name, "the range ends before it starts");
    /* Asked first: a signal with several samples per frame has more samples than frames,
     * and a range out of bounds is refused before anything is allocated. The buffer is
     * not NULL: the library refuses a NULL one for an empty range, even with cap 0. */
    status = haresnet_record_read(r, channel, from, to, &none, 0, &len);
    if (status != HARESNET_STATUS_OK && status != HARESNET_STATUS_BUFFER_TOO_SMALL) fail(status, NULL, 0);
    out = column(len, mxSINGLE_CLASS);
    if (len > 0) CHECK(haresnet_record_read(r, channel, from, to, (float *)mxGetData(out), len, &len));
    mxSetM(out, (mwSize)len);
    plhs[0] = out;
}

static void cmd_record_classify(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_record *rec;
    const haresnet_model *m;
    haresnet_classify_options opts;
    char signal[STRING_CAP];
    size_t count = 0;
    int32_t status;
    struct results r;
    need_args(nrhs, 6); /* record, model, signal name, hop, invalid, half-life */
    rec = (const haresnet_record *)arg_handle(prhs[1], KIND_RECORD);
    m = (const haresnet_model *)arg_handle(prhs[2], KIND_MODEL);
    arg_string(prhs[3], "the signal name must be a string", signal);
    arg_options(prhs + 4, &opts);
    status = haresnet_record_classify(rec, m, signal, &opts, NULL, NULL, NULL, NULL, 0, &count);
    if (status != HARESNET_STATUS_OK && status != HARESNET_STATUS_BUFFER_TOO_SMALL) fail(status, NULL, 0);
    r = new_results(count, num_classes(m));
    detail_into(&opts, r);
    CHECK(haresnet_record_classify(rec, m, signal, &opts, RESULT_ARRAYS(r), count, &count));
    put_results(nlhs, plhs, r);
}

/* ---- Writing records and annotation files ------------------------------------------- */

/* A whole number within int32's range. */
static int32_t arg_int32(const mxArray *a, const char *what) {
    double v = arg_double(a, what);
    if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != (double)(int32_t)v) bad_argument(command_name, what);
    return (int32_t)v;
}

/* A real, full numeric array of class c with n elements; its data. Never NULL when n is
 * 0 (`dummy`): the library refuses NULL for an array it needs, even an empty one. */
static const void *arg_array(const mxArray *a, mxClassID c, size_t n, const char *what) {
    static double dummy = 0;
    if (mxGetClassID(a) != c || mxIsComplex(a) || mxIsSparse(a) || mxGetNumberOfElements(a) != n)
        bad_argument(command_name, what);
    return n ? mxGetData(a) : (const void *)&dummy;
}

/* As arg_array, or NULL (the library's defaults) for an empty array. */
static const void *arg_optional_array(const mxArray *a, mxClassID c, size_t n, const char *what) {
    if (mxIsEmpty(a) && !mxIsChar(a)) return NULL;
    return arg_array(a, c, n, what);
}

/* Text of any length: a char row, or NULL for an empty array that is not char ([]).
 * All of a command's texts are checked before any is converted, and converted last, so
 * that nothing can raise while one is allocated: a failed conversion frees the others,
 * the command frees them after its call, before raising its status. */
#define MAX_TEXTS 4

struct texts {
    char *s[MAX_TEXTS];
    int n;
};

static void free_texts(struct texts *t) {
    int i;
    for (i = 0; i < t->n; i++)
        if (t->s[i]) mxFree(t->s[i]);
    t->n = 0;
}

static void arg_texts(const mxArray *const *a, int n, const char *what, struct texts *t) {
    int i;
    for (i = 0; i < n; i++) {
        int none = mxIsEmpty(a[i]) && !mxIsChar(a[i]);
        if (!none && (!mxIsChar(a[i]) || (mxGetM(a[i]) > 1 && mxGetNumberOfElements(a[i]) > 0)))
            bad_argument(command_name, what);
    }
    t->n = 0;
    for (i = 0; i < n; i++) {
        char *s = NULL;
        if (mxIsChar(a[i])) {
#if HARESNET_MEX_OCTAVE
            s = mxArrayToString(a[i]);
#else
            s = mxArrayToUTF8String(a[i]);
#endif
            if (!s) {
                free_texts(t);
                bad_argument(command_name, "a text argument could not be converted to UTF-8");
            }
        }
        t->s[t->n++] = s;
    }
}

/* Writes a record from a matrix of one column per signal: double (physical values, NaN
 * invalid) or int32 (digital values). */
static void cmd_record_write(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_write_options opts;
    char path[STRING_CAP];
    const mxArray *data;
    const double *physical = NULL;
    const int32_t *digital = NULL;
    const int32_t *formats, *baselines;
    const double *gains;
    size_t frames, n;
    double fs;
    struct texts t;
    int32_t status;
    (void)nlhs;
    (void)plhs;
    /* path, fs, samples, formats, gains, baselines, names, units, comments, base date
     * ([year month day] or []), base time (seconds since midnight or []) */
    need_args(nrhs, 11);
    arg_string(prhs[1], "the record path must be a string", path);
    fs = arg_double(prhs[2], "fs must be a number");
    data = prhs[3];
    if (!(mxIsDouble(data) || mxIsInt32(data)) || mxIsComplex(data) || mxIsSparse(data) ||
        mxGetNumberOfDimensions(data) > 2)
        bad_argument(command_name, "the samples must be a real double (physical) or int32 (digital) matrix, "
                                   "one column per signal");
    frames = mxGetM(data);
    n = mxGetN(data);
    if (n > 4294967295.0) bad_argument(command_name, "too many signals");
    if (mxIsDouble(data))
        physical = (const double *)arg_array(data, mxDOUBLE_CLASS, frames * n, "samples");
    else
        digital = (const int32_t *)arg_array(data, mxINT32_CLASS, frames * n, "samples");
    formats = (const int32_t *)arg_optional_array(prhs[4], mxINT32_CLASS, n, "formats must be int32, one per signal, or []");
    gains = (const double *)arg_optional_array(prhs[5], mxDOUBLE_CLASS, n, "gains must be double, one per signal, or []");
    baselines = (const int32_t *)arg_optional_array(prhs[6], mxINT32_CLASS, n, "baselines must be int32, one per signal, or []");
    CHECK(haresnet_write_options_init(&opts, sizeof opts));
    if (!mxIsEmpty(prhs[10])) {
        const double *d = (const double *)arg_array(prhs[10], mxDOUBLE_CLASS, 3, "the base date is [year month day] or []");
        int k;
        for (k = 0; k < 3; k++)
            if (!(d[k] >= -2147483648.0 && d[k] <= 2147483647.0) || d[k] != (double)(int32_t)d[k])
                bad_argument(command_name, "the base date is [year month day] (whole numbers) or []");
        opts.base_year = (int32_t)d[0];
        opts.base_month = (int32_t)d[1];
        opts.base_day = (int32_t)d[2];
    }
    if (!mxIsEmpty(prhs[11])) opts.base_time_seconds = arg_double(prhs[11], "the base time is seconds since midnight or []");
    arg_texts(prhs + 7, 3, "names, units and comments are strings (lines separated by newlines) or []", &t);
    status = haresnet_record_write(path, fs, (uint32_t)n, (uint64_t)frames, physical, digital, formats, gains,
                                   baselines, t.s[0], t.s[1], t.s[2], &opts);
    free_texts(&t);
    CHECK(status);
}

/* Writes frames [from, to) of signals `channels` (0-based uint32; empty for all) of an
 * opened record as another record. */
static void cmd_record_write_copy(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const haresnet_record *r;
    char path[STRING_CAP];
    const uint32_t *channels;
    size_t n;
    int32_t format, rescale;
    uint64_t from, to;
    (void)nlhs;
    (void)plhs;
    need_args(nrhs, 7); /* record, path, format (0: each signal's own), channels, from, to, rescale */
    r = (const haresnet_record *)arg_handle(prhs[1], KIND_RECORD);
    arg_string(prhs[2], "the record path must be a string", path);
    format = arg_int32(prhs[3], "the format must be a whole number");
    n = mxGetNumberOfElements(prhs[4]);
    channels = (const uint32_t *)arg_optional_array(prhs[4], mxUINT32_CLASS, n, "channels must be uint32 or []");
    from = arg_count(prhs[5], "from must be a whole number", 9007199254740992.0);
    to = arg_count(prhs[6], "to must be a whole number", 9007199254740992.0);
    rescale = arg_double(prhs[7], "rescale must be 0 or 1") != 0;
    CHECK(haresnet_record_write_copy(r, path, format, channels, channels ? n : 0, from, to, rescale));
}

/* The annotation code of each symbol of a cell array of strings, as int32. */
static void cmd_annotation_code(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    mxArray *codes;
    int32_t *out;
    size_t n, i;
    char symbol[STRING_CAP];
    (void)nlhs;
    need_args(nrhs, 1); /* symbols */
    if (!mxIsCell(prhs[1])) bad_argument(command_name, "the symbols must be a cell array of strings");
    n = mxGetNumberOfElements(prhs[1]);
    codes = column(n, mxINT32_CLASS);
    out = (int32_t *)mxGetData(codes);
    for (i = 0; i < n; i++) {
        const mxArray *s = mxGetCell(prhs[1], (mwIndex)i);
        if (!s) bad_argument(command_name, "each symbol must be a string");
        arg_string(s, "each symbol must be a string", symbol);
        CHECK(haresnet_annotation_code(symbol, &out[i]));
    }
    plhs[0] = codes;
}

/* Writes an annotation file from 0-based samples (int64), codes (int32) and, each
 * optional, subtypes, chans, nums (int32) and aux strings (separated by newlines). */
static void cmd_annotations_write(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    char path[STRING_CAP], annotator[STRING_CAP];
    const int64_t *samples;
    const int32_t *codes, *subtypes, *chans, *nums;
    size_t n;
    double fs;
    struct texts t;
    int32_t status;
    (void)nlhs;
    (void)plhs;
    need_args(nrhs, 9); /* path, annotator, fs, samples, codes, subtypes, chans, nums, aux */
    arg_string(prhs[1], "the record path must be a string", path);
    arg_string(prhs[2], "the annotator (file extension) must be a string", annotator);
    fs = arg_double(prhs[3], "fs must be a number");
    n = mxGetNumberOfElements(prhs[4]);
    samples = (const int64_t *)arg_array(prhs[4], mxINT64_CLASS, n, "the samples must be int64");
    codes = (const int32_t *)arg_array(prhs[5], mxINT32_CLASS, n, "the codes must be int32, one per sample");
    subtypes = (const int32_t *)arg_optional_array(prhs[6], mxINT32_CLASS, n, "subtypes must be int32, one per sample, or []");
    chans = (const int32_t *)arg_optional_array(prhs[7], mxINT32_CLASS, n, "chans must be int32, one per sample, or []");
    nums = (const int32_t *)arg_optional_array(prhs[8], mxINT32_CLASS, n, "nums must be int32, one per sample, or []");
    arg_texts(prhs + 9, 1, "aux is a string (one field per annotation, separated by newlines) or []", &t);
    status = haresnet_annotations_write(path, annotator, fs, samples, codes, subtypes, chans, nums, t.s[0], n);
    free_texts(&t);
    CHECK(status);
}

/* Reads an annotation file whole: samples (int64, 0-based), codes, subtypes, chans, nums
 * (int32), symbols and aux (cell arrays of char), one row per annotation. */
static void cmd_annotations_read(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_annotations *a = NULL;
    char path[STRING_CAP], annotator[STRING_CAP];
    mxArray *all[7];
    size_t n = 0, i;
    int k;
    need_args(nrhs, 2); /* path, annotator */
    arg_string(prhs[1], "the record path must be a string", path);
    arg_string(prhs[2], "the annotator (file extension) must be a string", annotator);
    CHECK(haresnet_annotations_read(path, annotator, &a));
    CHECK_OWNED(haresnet_annotations_count(a, &n), a, KIND_ANNOTATIONS);
    all[0] = column(n, mxINT64_CLASS);
    for (k = 1; k < 5; k++) all[k] = column(n, mxINT32_CLASS);
    all[5] = mxCreateCellMatrix((mwSize)n, 1);
    all[6] = mxCreateCellMatrix((mwSize)n, 1);
    if (n > 0) {
        CHECK_OWNED(haresnet_annotations_fields(a, (int64_t *)mxGetData(all[0]), (int32_t *)mxGetData(all[1]),
                                                (int32_t *)mxGetData(all[2]), (int32_t *)mxGetData(all[3]),
                                                (int32_t *)mxGetData(all[4]), n, &n),
                    a, KIND_ANNOTATIONS);
    }
    for (i = 0; i < n; i++) {
        mxArray *s;
        INDEXED_STRING(haresnet_annotations_symbol, a, i, a, KIND_ANNOTATIONS, s);
        mxSetCell(all[5], (mwIndex)i, s);
        INDEXED_STRING(haresnet_annotations_aux, a, i, a, KIND_ANNOTATIONS, s);
        mxSetCell(all[6], (mwIndex)i, s);
    }
    haresnet_annotations_free(a);
    for (k = 0; k < 7; k++) {
        if (k < nlhs || (k == 0 && nlhs == 0))
            plhs[k] = all[k];
        else
            mxDestroyArray(all[k]);
    }
}

static void cmd_stream_new(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_stream *s = NULL;
    haresnet_classify_options opts;
    const haresnet_model *m;
    double fs;
    (void)nlhs;
    need_args(nrhs, 5); /* model, fs, hop, invalid, half-life */
    m = (const haresnet_model *)arg_handle(prhs[1], KIND_MODEL);
    fs = arg_double(prhs[2], "fs must be a number");
    arg_options(prhs + 3, &opts);
    CHECK(haresnet_stream_new(m, fs, &opts, &s));
    plhs[0] = register_handle(s, KIND_STREAM, num_classes(m));
}

static void read_ready(int nlhs, mxArray **plhs, haresnet_stream *s);

/* Pushes samples, then moves out every result they completed. */
static void cmd_stream_push(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_stream *s;
    const float *x;
    size_t n;
    need_args(nrhs, 2); /* stream, samples */
    s = (haresnet_stream *)arg_handle(prhs[1], KIND_STREAM);
    x = arg_samples(prhs[2], &n);
    CHECK(haresnet_stream_push(s, n ? x : NULL, n));
    read_ready(nlhs, plhs, s);
}

/* Moves out every ready result of a stream, with its status and quality. */
static void read_ready(int nlhs, mxArray **plhs, haresnet_stream *s) {
    size_t ready = 0;
    struct results r;
    CHECK(haresnet_stream_ready(s, &ready));
    r = new_results(ready, live[find_entry(s)].classes);
    CHECK(haresnet_stream_read_status(s, (int32_t *)mxGetData(r.statuses),
                                      (float *)mxGetData(r.qualities), ready, &ready));
    CHECK(haresnet_stream_read(s, RESULT_ARRAYS(r), ready, &ready));
    put_results(nlhs, plhs, r);
}

/* Ends a stream: the row of its tail, if any. */
static void cmd_stream_finish(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    haresnet_stream *s;
    need_args(nrhs, 1); /* stream */
    s = (haresnet_stream *)arg_handle(prhs[1], KIND_STREAM);
    CHECK(haresnet_stream_finish(s));
    read_ready(nlhs, plhs, s);
}

static void cmd_free(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    int freed = 0;
    (void)nlhs;
    need_args(nrhs, 1);
    /* Anything but a live handle is ignored: delete methods may run more than once. */
    if (mxIsUint64(prhs[1]) && mxGetNumberOfElements(prhs[1]) == 1)
        freed = release_handle((void *)(uintptr_t)(*(uint64_t *)mxGetData(prhs[1])));
    plhs[0] = mxCreateLogicalScalar(freed ? 1 : 0);
}

/* The number of live handles of each kind: a struct with model, record, stream. */
static void cmd_live(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    const char *fields[] = {"model", "record", "stream"};
    double counts[4] = {0, 0, 0, 0};
    size_t i;
    (void)nlhs;
    (void)prhs;
    need_args(nrhs, 0);
    for (i = 0; i < live_len; i++) counts[live[i].kind] += 1;
    plhs[0] = mxCreateStructMatrix(1, 1, 3, fields);
    for (i = 0; i < 3; i++) mxSetField(plhs[0], 0, fields[i], scalar(counts[i + 1]));
}

static void cmd_version(int nlhs, mxArray **plhs, int nrhs, const mxArray **prhs) {
    (void)prhs;
    need_args(nrhs, 0);
    plhs[0] = mxCreateString(haresnet_version());
    if (nlhs > 1) plhs[1] = scalar((double)haresnet_abi_version());
}

struct command {
    const char *name;
    void (*run)(int, mxArray **, int, const mxArray **);
};

static const struct command COMMANDS[] = {
    {"model_load_embedded", cmd_model_load_embedded},
    {"model_load_file", cmd_model_load_file},
    {"model_card", cmd_model_card},
    {"model_segment_len", cmd_model_segment_len},
    {"model_classify", cmd_model_classify},
    {"model_summarize", cmd_model_summarize},
    {"record_open", cmd_record_open},
    {"record_find_signal", cmd_record_find_signal},
    {"record_read", cmd_record_read},
    {"record_classify", cmd_record_classify},
    {"record_write", cmd_record_write},
    {"record_write_copy", cmd_record_write_copy},
    {"annotation_code", cmd_annotation_code},
    {"annotations_write", cmd_annotations_write},
    {"annotations_read", cmd_annotations_read},
    {"stream_new", cmd_stream_new},
    {"stream_push", cmd_stream_push},
    {"stream_finish", cmd_stream_finish},
    {"free", cmd_free},
    {"live", cmd_live},
    {"version", cmd_version},
};

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[]) {
    static int ready = 0;
    char name[32];
    size_t i;
    if (!ready) {
        if ((haresnet_abi_version() >> 16) != (HARESNET_ABI_VERSION >> 16)) {
            errorf("haresnet:abi", "libharesnet %s has ABI %u.x; haresnet_mex was built for %u.x",
                   haresnet_version(), (unsigned)(haresnet_abi_version() >> 16),
                   (unsigned)(HARESNET_ABI_VERSION >> 16));
        }
        mexAtExit(at_exit);
        ready = 1;
    }
    if (nrhs < 1 || !mxIsChar(prhs[0]) || mxGetString(prhs[0], name, sizeof name) != 0) {
        errorf("haresnet:invalid_argument", "haresnet_mex: the first argument is a command name");
    }
    for (i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(name, COMMANDS[i].name) == 0) {
            command_name = COMMANDS[i].name;
            COMMANDS[i].run(nlhs, plhs, nrhs, prhs);
            return;
        }
    }
    errorf("haresnet:invalid_argument", "haresnet_mex: unknown command '%s'", name);
}
