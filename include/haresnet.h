/*
 * haresnet: ECG rhythm classification (HA-ResNet) with a WFDB reader, as a C library.
 *
 * Generated from the sources of the haresnet-ffi crate by cbindgen: do not edit.
 *
 * Conventions
 * - Every fallible function returns an int32_t status: HARESNET_STATUS_OK (0) or a
 *   positive HARESNET_STATUS_* code. Codes are never renumbered and never reused; new
 *   codes may be added, so treat an unknown code as an error. After a failure,
 *   haresnet_last_error() copies the calling thread's message.
 * - Handles (haresnet_model, haresnet_record, haresnet_stream, haresnet_annotations) are
 *   opaque. They are created through a `T **out` argument (set to NULL on failure) and
 *   freed with haresnet_<t>_free(), which accepts NULL and must not be called twice.
 *   Each handle carries its kind: passing one kind where another is expected returns
 *   HARESNET_STATUS_WRONG_HANDLE.
 * - Outputs come last and are written only on success (unless a function says otherwise).
 * - Buffers belong to the caller: (T *buf, size_t cap, size_t *out_len). A short buffer
 *   returns HARESNET_STATUS_BUFFER_TOO_SMALL with the size needed in *out_len; cap 0
 *   (with buf NULL) asks for the size. Strings are NUL-terminated; *out_len excludes the
 *   NUL, so a string needs *out_len + 1 bytes. The library never returns memory for the
 *   caller to free.
 * - Samples are float (physical units, mV), rates double (Hz), sample positions int64_t.
 * - The library never aborts its host: a panic inside becomes HARESNET_STATUS_PANIC.
 *
 * Thread Safety
 * - Nothing is global except each thread's last error message.
 * - A haresnet_model may be used by many threads at once (every function takes it as
 *   const), including classification.
 * - A haresnet_record or haresnet_stream is used by one thread at a time; it may move
 *   between threads. haresnet_annotations may be read by many threads at once.
 * - Freeing a handle needs exclusive use of it.
 *
 * Versions
 * - HARESNET_ABI_VERSION is (MAJOR << 16) | MINOR of the header; haresnet_abi_version()
 *   is that of the loaded library. Refuse to run when their major parts (>> 16) differ.
 */


#ifndef HARESNET_H
#define HARESNET_H

#include <stdint.h>
#include <stddef.h>

#define HARESNET_VERSION_MAJOR 0
#define HARESNET_VERSION_MINOR 1
#define HARESNET_VERSION_PATCH 0
/* (MAJOR << 16) | MINOR: compare the major part with haresnet_abi_version() >> 16. */
#define HARESNET_ABI_VERSION ((HARESNET_VERSION_MAJOR << 16) | HARESNET_VERSION_MINOR)


/**
 * Success.
 */
#define HARESNET_STATUS_OK 0

/**
 * A required pointer argument was NULL.
 */
#define HARESNET_STATUS_NULL_ARGUMENT 1

/**
 * An argument is out of its domain: NaN samples, a sampling rate below 100 Hz, an empty
 * signal, an index out of range, a string that is not UTF-8, weights
 * not embedded in this build...
 */
#define HARESNET_STATUS_INVALID_ARGUMENT 2

/**
 * A caller buffer is too small; the size needed was written to the `out_len` (or
 * `out_count`) argument.
 */
#define HARESNET_STATUS_BUFFER_TOO_SMALL 3

/**
 * A file could not be opened, read or written.
 */
#define HARESNET_STATUS_IO 4

/**
 * A WFDB file (header, signal or annotation file) is malformed.
 */
#define HARESNET_STATUS_FORMAT 5

/**
 * A weights file or model is unusable.
 */
#define HARESNET_STATUS_MODEL 6

/**
 * A handle of another kind was passed (a record where a model is expected...).
 */
#define HARESNET_STATUS_WRONG_HANDLE 7

/**
 * No such item (a signal name absent from the record).
 */
#define HARESNET_STATUS_NOT_FOUND 8

/**
 * An internal error (a panic) was caught; the library remains usable.
 */
#define HARESNET_STATUS_PANIC 9

/**
 * `invalid_samples` of `haresnet_classify_options`: each function's own default
 * (refuse for arrays, skip for records).
 */
#define HARESNET_INVALID_SAMPLES_DEFAULT 0

/**
 * NaN or infinite samples make the call fail with `HARESNET_STATUS_INVALID_ARGUMENT`,
 * naming the first one.
 */
#define HARESNET_INVALID_SAMPLES_REFUSE 1

/**
 * Segments holding NaN or infinite samples are not classified (label -1); the others are.
 */
#define HARESNET_INVALID_SAMPLES_SKIP 2

/**
 * A segment was classified: its label and probabilities are set.
 */
#define HARESNET_SEGMENT_CLASSIFIED 0

/**
 * The segment is flat (leads off, no signal): not classified.
 */
#define HARESNET_SEGMENT_FLAT 1

/**
 * The segment holds NaN or infinite samples (with invalid samples skipped): not
 * classified.
 */
#define HARESNET_SEGMENT_INVALID_SAMPLES 2

/**
 * The segment is too noisy to read (its quality is below the weights' threshold): not
 * classified, unless `classify_noisy` asks.
 */
#define HARESNET_SEGMENT_NOISY 3

/**
 * The end of the signal (or the whole signal) is shorter than half a segment: reported,
 * not classified.
 */
#define HARESNET_SEGMENT_TOO_SHORT 4

/**
 * The annotations of one annotation file, read whole.
 *
 * Thread safety: functions taking a `const haresnet_annotations *` may be called from
 * several threads at once; freeing needs exclusive use.
 */
typedef struct haresnet_annotations haresnet_annotations;

/**
 * A loaded model: trained weights and the preprocessing they were trained with.
 *
 * Thread safety: every function taking a `const haresnet_model *` may be called from
 * many threads at once on the same model.
 */
typedef struct haresnet_model haresnet_model;

/**
 * An opened WFDB record (header read; samples read on demand).
 *
 * Thread safety: a record is used by one thread at a time (it may move between threads).
 */
typedef struct haresnet_record haresnet_record;

/**
 * A classification stream over one lead.
 *
 * Thread safety: a stream is used by one thread at a time (it may move between threads).
 */
typedef struct haresnet_stream haresnet_stream;

/**
 * Options for loading a model. Initialise with `haresnet_model_options_init` before
 * setting fields, so that fields added in later versions get their defaults.
 */
typedef struct haresnet_model_options {
  /**
   * `sizeof(haresnet_model_options)`, set by `haresnet_model_options_init`.
   */
  uint32_t struct_size;
  /**
   * Worker threads for classification: 0 (the default) uses a pool shared by the whole
   * process with one thread per core; `n > 0` gives the model its own `n` threads (at
   * most 1024).
   */
  uint32_t threads;
} haresnet_model_options;

/**
 * Options for one classification call or stream. Initialise with
 * `haresnet_classify_options_init` before setting fields.
 *
 * Fields are only ever added at the end. A caller compiled against an older header (a
 * smaller `struct_size`) gets the defaults of the fields added since.
 */
typedef struct haresnet_classify_options {
  /**
   * `sizeof(haresnet_classify_options)`, set by `haresnet_classify_options_init`.
   */
  uint32_t struct_size;
  /**
   * One of `HARESNET_INVALID_SAMPLES_*`.
   */
  int32_t invalid_samples;
  /**
   * Distance between segment starts in seconds; 0 (the default) means the segment
   * length: consecutive, non-overlapping segments.
   */
  double hop_seconds;
  /**
   * Half-life, in seconds, of the causal smoothing of consecutive segments' class
   * probabilities (and so labels): each segment's are blended with the smoothed ones
   * before it, whose weight halves every half-life. Negative (the default, -1): the
   * weights' own, from their model card (embedded weights: 5 s; 1 s for 2 s segments);
   * 0: off, each segment's own probabilities; greater than 0: that half-life. NaN or
   * infinite: `HARESNET_STATUS_INVALID_ARGUMENT`. A stream smooths as a whole-signal
   * call does; `haresnet_model_classify_segment` (independent segments) never smooths.
   */
  double smoothing_half_life_seconds;
  /**
   * Nonzero: classify segments too noisy to read as well (their status stays
   * `HARESNET_SEGMENT_CLASSIFIED`; their quality says how readable they were). 0 (the
   * default): such segments get `HARESNET_SEGMENT_NOISY` and label -1.
   */
  int32_t classify_noisy;
  /**
   * Nonzero (whole-signal calls only; a stream refuses it): a segment in the signal's
   * first seconds, whose causal rhythm context is short, takes the context after it as
   * well. 0 (the default): causal, as a stream.
   */
  int32_t offline;
  /**
   * NULL (the default), or an array of `cap` entries that the whole-signal calls
   * (`haresnet_model_classify`, `haresnet_record_classify`) fill with each segment's
   * `HARESNET_SEGMENT_*` status, beside their other arrays. Streams ignore it (see
   * `haresnet_stream_read_status`).
   */
  int32_t *statuses;
  /**
   * NULL (the default), or an array of `cap` entries filled as `statuses` is, with each
   * segment's signal quality in [0, 1] (1 clean), NaN when not judged.
   */
  float *qualities;
} haresnet_classify_options;

/**
 * Options of `haresnet_record_write`. Initialise with `haresnet_write_options_init`
 * before setting fields, so that fields added in later versions get their defaults.
 */
typedef struct haresnet_write_options {
  /**
   * `sizeof(haresnet_write_options)`, set by `haresnet_write_options_init`.
   */
  uint32_t struct_size;
  /**
   * Date of sample 0: year (0, the default: no date), month (1-12), day (1-31).
   */
  int32_t base_year;
  /**
   * Month of the base date.
   */
  int32_t base_month;
  /**
   * Day of the base date.
   */
  int32_t base_day;
  /**
   * Time of day of sample 0 in seconds since midnight (below 86400); negative (the
   * default, -1): none.
   */
  double base_time_seconds;
} haresnet_write_options;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The name of a status code, e.g. `"HARESNET_STATUS_BUFFER_TOO_SMALL"`, as a static
 * NUL-terminated string; `"HARESNET_STATUS_UNKNOWN"` for a code this version does not
 * know. Never NULL, never fails; the string must not be freed. Thread-safe.
 */
const char *haresnet_status_str(int32_t status);

/**
 * Copies the message of the calling thread's last failed call (empty if none has
 * failed) into `buf`, NUL-terminated.
 *
 * The message stays until the next failure on the same thread; successful calls leave it
 * alone, so check status codes, not the message. `*out_len` receives the message's length
 * in bytes without the NUL: `buf` needs `*out_len + 1` bytes. A shorter buffer (`cap > 0`)
 * receives as much of the message as fits, always NUL-terminated, and the call returns
 * `HARESNET_STATUS_BUFFER_TOO_SMALL`; `buf` may be NULL when `cap` is 0 (size query).
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_BUFFER_TOO_SMALL`, or
 * `HARESNET_STATUS_NULL_ARGUMENT` (`out_len` NULL, or `buf` NULL with `cap > 0`); a
 * failure of this function does not replace the message it reports.
 *
 * # Safety
 *
 * `buf` must point to `cap` writable bytes (or be NULL with `cap` 0); `out_len` must
 * point to a writable `size_t`.
 */
int32_t haresnet_last_error(char *buf,
                            size_t cap,
                            size_t *out_len);

/**
 * The library version, `"MAJOR.MINOR.PATCH"`, as a static NUL-terminated string that
 * must not be freed. Never fails. Thread-safe.
 */
const char *haresnet_version(void);

/**
 * The ABI version of the library, `(MAJOR << 16) | MINOR`: compare its major part
 * (`>> 16`) with that of `HARESNET_ABI_VERSION` from the header the caller was compiled
 * against and refuse a mismatch. Never fails. Thread-safe.
 */
uint32_t haresnet_abi_version(void);

/**
 * The name of a segment status, e.g. `"noisy"` for `HARESNET_SEGMENT_NOISY` (as the CLI's
 * CSV writes it), as a static NUL-terminated string; `"unknown"` for a code this version
 * does not know. Never NULL, never fails; the string must not be freed. Thread-safe.
 */
const char *haresnet_segment_status_str(int32_t status);

/**
 * Fills `*opts` with the defaults (threads 0) and sets `struct_size`.
 *
 * `size` is `sizeof *opts` as the caller compiled it.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`opts` NULL) or
 * `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the structure).
 *
 * # Safety
 *
 * `opts` is NULL or points to `size` writable bytes.
 */
int32_t haresnet_model_options_init(struct haresnet_model_options *opts,
                                    size_t size);

/**
 * Fills `*opts` with the defaults (`HARESNET_INVALID_SAMPLES_DEFAULT`, hop 0, smoothing
 * half-life -1: the weights' own) and sets `struct_size`.
 *
 * `size` is `sizeof *opts` as the caller compiled it: a structure of an older header (16
 * bytes: up to `hop_seconds`) is accepted, and only its fields are written.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`opts` NULL) or
 * `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the oldest layout, 16 bytes).
 *
 * # Safety
 *
 * `opts` is NULL or points to `size` writable bytes.
 */
int32_t haresnet_classify_options_init(struct haresnet_classify_options *opts,
                                       size_t size);

/**
 * Loads the weights embedded in the library for segments of `segment_seconds` (2, 5 or
 * 10) from weight set `weight_set` (`"all"`, the default when NULL: trained on every
 * MIT-BIH record; or `"ds1"`: trained on the inter-patient training records only).
 *
 * `opts` may be NULL (defaults). On success `*out` receives a new model, to be freed with
 * `haresnet_model_free`; on failure `*out` is set to NULL.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out` NULL);
 * `HARESNET_STATUS_INVALID_ARGUMENT` (unknown length or weight set, weights not embedded
 * in this build, bad options); `HARESNET_STATUS_MODEL` (unusable weights).
 *
 * # Safety
 *
 * `weight_set` is NULL or a NUL-terminated string; `opts` is NULL or initialised; `out`
 * is NULL or writable.
 */
int32_t haresnet_model_load_embedded(uint32_t segment_seconds,
                                     const char *weight_set,
                                     const struct haresnet_model_options *opts,
                                     struct haresnet_model **out);

/**
 * Loads a model from a weights file (`.hrn`).
 *
 * `opts` may be NULL (defaults). On success `*out` receives a new model, to be freed with
 * `haresnet_model_free`; on failure `*out` is set to NULL.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`path` or `out` NULL);
 * `HARESNET_STATUS_INVALID_ARGUMENT` (path not UTF-8, bad options); `HARESNET_STATUS_IO`
 * (file unreadable); `HARESNET_STATUS_MODEL` (not a usable weights file).
 *
 * # Safety
 *
 * `path` is NULL or a NUL-terminated string; `opts` is NULL or initialised; `out` is NULL
 * or writable.
 */
int32_t haresnet_model_load_file(const char *path,
                                 const struct haresnet_model_options *opts,
                                 struct haresnet_model **out);

/**
 * Frees a model. NULL is accepted and ignored; a handle of another kind is left alone
 * (the last error says so). Streams created from the model stay usable. Must not be
 * called twice on the same model, nor while another thread uses it.
 *
 * # Safety
 *
 * `model` is NULL or a model from a `haresnet_model_load_*` function.
 */
void haresnet_model_free(struct haresnet_model *model);

/**
 * Number of classes the model distinguishes (5 for the rhythm task: N, AFIB, AFL, VT,
 * OTHER), into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `out` is NULL or writable.
 */
int32_t haresnet_model_num_classes(const struct haresnet_model *model,
                                   uint32_t *out);

/**
 * Copies the name of class `index` (e.g. `"AFIB"`) into `buf`, NUL-terminated;
 * `*out_len` receives its length without the NUL (so `buf` needs `*out_len + 1` bytes).
 * `buf` may be NULL when `cap` is 0 (size query).
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of
 * range) or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `buf` is NULL or holds `cap` writable bytes;
 * `out_len` is NULL or writable.
 */
int32_t haresnet_model_class_name(const struct haresnet_model *model,
                                  uint32_t index,
                                  char *buf,
                                  size_t cap,
                                  size_t *out_len);

/**
 * The sampling rate the network works at, in Hz (input at any rate of at least 100 Hz
 * is resampled to it), into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `out` is NULL or writable.
 */
int32_t haresnet_model_rate(const struct haresnet_model *model,
                            double *out);

/**
 * The segment length in seconds (2, 5 or 10 for the shipped weights), into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `out` is NULL or writable.
 */
int32_t haresnet_model_segment_seconds(const struct haresnet_model *model,
                                       double *out);

/**
 * The number of samples of one segment at input rate `fs`, into `*out`: what
 * `haresnet_model_classify_segment` takes.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` below 100 Hz
 * or not finite).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `out` is NULL or writable.
 */
int32_t haresnet_model_segment_len(const struct haresnet_model *model,
                                   double fs,
                                   size_t *out);

/**
 * The number of segments (rows, the tail's included) `haresnet_model_classify` returns
 * for `n` samples at `fs` Hz with options `opts` (NULL for defaults), into `*out`: the
 * capacity its arrays need.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (bad `fs` or
 * options, or `n` 0, which `haresnet_model_classify` refuses too).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `opts` is NULL or initialised; `out` is NULL or
 * writable.
 */
int32_t haresnet_model_segment_count(const struct haresnet_model *model,
                                     size_t n,
                                     double fs,
                                     const struct haresnet_classify_options *opts,
                                     size_t *out);

/**
 * Copies the model card, what the loaded weights are, as UTF-8 JSON (one object) into
 * `buf`, NUL-terminated; `*out_len` receives its length without the NUL (so `buf` needs
 * `*out_len + 1` bytes). `buf` may be NULL when `cap` is 0 (size query).
 *
 * The schema is that of the cards shipped beside the weights (the `.json` files of
 * `plugin/weights/`): `name` (e.g. `"rhythm-5s-all"`), `task`, `weight_set` (`"all"` or
 * `"ds1"`), `labels` (the class names, in the order of the probabilities), `preprocess`
 * (rate, segment length, filters), `network` (hyper-parameters), `postprocess`
 * (`smoothing_half_life_seconds`: the half-life used when the options leave it
 * negative), `training` (provenance: data, records, split, recipe, seed, wall time and
 * `command`, the exact command that made the weights) and `metrics` (measured results,
 * each with the command that produced it; empty for weights with no held-out
 * measurement). Fields may be added: ignore unknown ones.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`model` or `out_len`
 * NULL, or `buf` NULL with `cap > 0`), `HARESNET_STATUS_WRONG_HANDLE` or
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `buf` is NULL or holds `cap` writable bytes;
 * `out_len` is NULL or writable.
 */
int32_t haresnet_model_card_json(const struct haresnet_model *model,
                                 char *buf,
                                 size_t cap,
                                 size_t *out_len);

/**
 * Classifies a whole signal: `n` samples of one lead in mV at `fs` Hz (at least 100 Hz),
 * cut into consecutive segments of the model's length (or with `opts->hop_seconds`).
 * When samples remain after the last complete segment, one more row covers them: the
 * signal's last segment-long window if they are at least half a segment, a short
 * segment if the whole signal is shorter than one segment (at least half of one), else a
 * row with status `HARESNET_SEGMENT_TOO_SHORT` (label -1).
 *
 * Results go to the caller's arrays, each holding `cap` segments:
 * - `starts[i]`: first sample of segment `i` (NULL if not wanted);
 * - `labels[i]`: class index (see `haresnet_model_class_name`), -1 for a segment not
 *   classified (flat signal, invalid samples skipped, too noisy, too short; why is in
 *   `opts->statuses`) (NULL if not wanted);
 * - `probabilities[i * num_classes + c]`: probability of class `c`, NaN when not
 *   analysable (NULL if not wanted; holds `cap * num_classes` floats);
 * - `heart_rates[i]`: mean heart rate in beats per minute, NaN when unknown (NULL if
 *   not wanted).
 *
 * Consecutive segments' probabilities and labels are smoothed with the weights' own
 * half-life unless `opts->smoothing_half_life_seconds` says otherwise.
 *
 * `*out_count` receives the number of segments. When `cap` is smaller than that
 * (`haresnet_model_segment_count` gives it beforehand; `cap` 0 asks), the call returns
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number in `*out_count`, before any work and
 * without touching the arrays. `opts` may be NULL: NaN or infinite samples are then
 * refused.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
 * `n > 0`, or `out_count` NULL); `HARESNET_STATUS_WRONG_HANDLE`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (NaN or infinite samples, naming the first; `fs`
 * below 100 Hz; an empty signal; bad options);
 * `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_MODEL`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `samples` holds `n` floats; each non-NULL array is
 * writable for `cap` segments; `out_count` is NULL or writable.
 */
int32_t haresnet_model_classify(const struct haresnet_model *model,
                                const float *samples,
                                size_t n,
                                double fs,
                                const struct haresnet_classify_options *opts,
                                int64_t *starts,
                                int32_t *labels,
                                float *probabilities,
                                float *heart_rates,
                                size_t cap,
                                size_t *out_count);

/**
 * Classifies one segment: exactly `haresnet_model_segment_len(model, fs)` samples in mV
 * at `fs` Hz. The segment stands alone: it has no rhythm context (the beats of the 60 s
 * before it) and its probabilities are never smoothed with others'. To classify a
 * recording block by block use a stream (`haresnet_stream_new`), which carries both and
 * gives the whole signal's results: this call in a loop over the 5 s segments of MIT-BIH
 * record 201 gives AFIB F1 0.71 and 82 false AFIB segments, against 0.94 and 10 for the
 * stream (`scripts/segment_alone_cost.py`).
 *
 * `*out_label` receives the class index, or -1 when the segment is not analysable (flat).
 * `probabilities` (NULL if not wanted) receives one probability per class (NaN when not
 * analysable) and must hold `probabilities_cap >= num_classes` floats. `out_heart_rate`
 * (NULL if not wanted) receives the mean heart rate in beats per minute, NaN when
 * unknown. Nothing is written on failure.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` or
 * `out_label` NULL); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT`
 * (wrong number of samples, NaN or infinite samples, bad `fs`);
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` (`probabilities_cap` below the number of classes);
 * `HARESNET_STATUS_MODEL`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `samples` holds `n` floats; `probabilities` is NULL
 * or holds `probabilities_cap` writable floats; `out_label` and `out_heart_rate` are NULL
 * or writable.
 */
int32_t haresnet_model_classify_segment(const struct haresnet_model *model,
                                        const float *samples,
                                        size_t n,
                                        double fs,
                                        int32_t *out_label,
                                        float *probabilities,
                                        size_t probabilities_cap,
                                        float *out_heart_rate);

/**
 * Creates a stream classifying samples of one lead at `fs` Hz (at least 100 Hz) with
 * `model`, with options `opts` (NULL for defaults: consecutive segments, NaN or infinite
 * samples refused).
 *
 * The stream keeps the model alive: the model may be freed first. On success `*out`
 * receives the stream, to be freed with `haresnet_stream_free`; on failure `*out` is
 * set to NULL.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out` NULL);
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (bad `fs` or
 * options).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `opts` is NULL or initialised; `out` is NULL or
 * writable.
 */
int32_t haresnet_stream_new(const struct haresnet_model *model,
                            double fs,
                            const struct haresnet_classify_options *opts,
                            struct haresnet_stream **out);

/**
 * Adds `n` samples (mV) to the stream and classifies every segment they complete; read
 * the results with `haresnet_stream_read`. With invalid samples refused (the default), a
 * chunk holding a NaN or infinite sample is refused whole and the stream is left as it
 * was.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
 * `n > 0`); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (NaN or
 * infinite samples, naming the first by its index in the stream);
 * `HARESNET_STATUS_MODEL`.
 *
 * # Safety
 *
 * `stream` is NULL or a live stream used by no other thread; `samples` holds `n` floats.
 */
int32_t haresnet_stream_push(struct haresnet_stream *stream,
                             const float *samples,
                             size_t n);

/**
 * Ends the stream: the row of its tail, when samples remain after its last complete
 * segment, becomes ready to read (the last segment-long window of what was pushed, a
 * short segment when less than a segment was pushed in all, or a
 * `HARESNET_SEGMENT_TOO_SHORT` row), as `haresnet_model_classify` gives it for the whole
 * signal. Pushing after this is `HARESNET_STATUS_INVALID_ARGUMENT`; finishing twice adds
 * nothing.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_MODEL`.
 *
 * # Safety
 *
 * `stream` is NULL or a live stream used by no other thread.
 */
int32_t haresnet_stream_finish(struct haresnet_stream *stream);

/**
 * Copies the status (`HARESNET_SEGMENT_*`) and signal quality (in [0, 1], NaN when not
 * judged) of every ready result into the caller's arrays (either may be NULL), without
 * moving the results: call it before `haresnet_stream_read`, which moves them. When
 * `cap` is smaller than the number ready, the call returns
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number in `*out_count`.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL);
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_BUFFER_TOO_SMALL`.
 *
 * # Safety
 *
 * `stream` is NULL or a live stream used by no other thread; each non-NULL array is
 * writable for `cap` entries; `out_count` is NULL or writable.
 */
int32_t haresnet_stream_read_status(const struct haresnet_stream *stream,
                                    int32_t *statuses,
                                    float *qualities,
                                    size_t cap,
                                    size_t *out_count);

/**
 * The number of results ready to be read, into `*out_count`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `stream` is NULL or a live stream used by no other thread; `out_count` is NULL or
 * writable.
 */
int32_t haresnet_stream_ready(const struct haresnet_stream *stream,
                              size_t *out_count);

/**
 * Moves every ready result into the caller's arrays, as `haresnet_model_classify` fills
 * them (starts count from the first sample pushed; any array may be NULL). When `cap` is
 * smaller than the number ready, the call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with
 * that number in `*out_count` and keeps the results. `*out_count` is 0 when none are
 * ready.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL);
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_BUFFER_TOO_SMALL`.
 *
 * # Safety
 *
 * `stream` is NULL or a live stream used by no other thread; each non-NULL array is
 * writable for `cap` segments (`cap * num_classes` floats for `probabilities`);
 * `out_count` is NULL or writable.
 */
int32_t haresnet_stream_read(struct haresnet_stream *stream,
                             int64_t *starts,
                             int32_t *labels,
                             float *probabilities,
                             float *heart_rates,
                             size_t cap,
                             size_t *out_count);

/**
 * Frees a stream (and the results not read). NULL is accepted and ignored; a handle of
 * another kind is left alone (the last error says so). Must not be called twice.
 *
 * # Safety
 *
 * `stream` is NULL or a stream from `haresnet_stream_new`, used by no other thread.
 */
void haresnet_stream_free(struct haresnet_stream *stream);

/**
 * Opens the WFDB record at `path`: the record's path with or without `.hea`
 * (`"data/mitdb/100"`), multi-segment records included. The header is read and every
 * signal file checked; samples are read on demand.
 *
 * On success `*out` receives the record, to be freed with `haresnet_record_free`; on
 * failure `*out` is set to NULL.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (path not UTF-8); `HARESNET_STATUS_IO` (a file
 * missing or unreadable); `HARESNET_STATUS_FORMAT` (a malformed header).
 *
 * # Safety
 *
 * `path` is NULL or a NUL-terminated string; `out` is NULL or writable.
 */
int32_t haresnet_record_open(const char *path,
                             struct haresnet_record **out);

/**
 * Frees a record. NULL is accepted and ignored; a handle of another kind is left alone
 * (the last error says so). Must not be called twice.
 *
 * # Safety
 *
 * `record` is NULL or a record from `haresnet_record_open`, used by no other thread.
 */
void haresnet_record_free(struct haresnet_record *record);

/**
 * Number of signals, into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `record` is NULL or a live record; `out` is NULL or writable.
 */
int32_t haresnet_record_num_signals(const struct haresnet_record *record,
                                    uint32_t *out);

/**
 * Length of the record in frames (samples per signal at the frame rate), into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `record` is NULL or a live record; `out` is NULL or writable.
 */
int32_t haresnet_record_length(const struct haresnet_record *record,
                               uint64_t *out);

/**
 * Sampling frequency in frames per second (Hz), into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `record` is NULL or a live record; `out` is NULL or writable.
 */
int32_t haresnet_record_fs(const struct haresnet_record *record,
                           double *out);

/**
 * Copies the name (description) of signal `index`, e.g. `"MLII"` (empty if unnamed),
 * into `buf`, NUL-terminated; `*out_len` receives its length without the NUL. `buf` may
 * be NULL when `cap` is 0 (size query).
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of range)
 * or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
 *
 * # Safety
 *
 * `record` is NULL or a live record; `buf` is NULL or holds `cap` writable bytes;
 * `out_len` is NULL or writable.
 */
int32_t haresnet_record_signal_name(const struct haresnet_record *record,
                                    uint32_t index,
                                    char *buf,
                                    size_t cap,
                                    size_t *out_len);

/**
 * Copies the physical units of signal `index` (e.g. `"mV"`) into `buf`, as
 * `haresnet_record_signal_name` does.
 *
 * Returns as `haresnet_record_signal_name`.
 *
 * # Safety
 *
 * As `haresnet_record_signal_name`.
 */
int32_t haresnet_record_signal_units(const struct haresnet_record *record,
                                     uint32_t index,
                                     char *buf,
                                     size_t cap,
                                     size_t *out_len);

/**
 * The gain of signal `index` in ADC units per physical unit, into `*out`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (index out of
 * range).
 *
 * # Safety
 *
 * `record` is NULL or a live record; `out` is NULL or writable.
 */
int32_t haresnet_record_signal_gain(const struct haresnet_record *record,
                                    uint32_t index,
                                    double *out);

/**
 * The sampling rate of signal `index` in Hz (the frame rate times its samples per
 * frame), into `*out`.
 *
 * Returns as `haresnet_record_signal_gain`.
 *
 * # Safety
 *
 * As `haresnet_record_signal_gain`.
 */
int32_t haresnet_record_signal_rate(const struct haresnet_record *record,
                                    uint32_t index,
                                    double *out);

/**
 * The index of the first signal named `name` (e.g. `"MLII"`), into `*out_index`.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (name not UTF-8);
 * `HARESNET_STATUS_NOT_FOUND` (no such signal; `*out_index` untouched).
 *
 * # Safety
 *
 * `record` is NULL or a live record; `name` is NULL or a NUL-terminated string;
 * `out_index` is NULL or writable.
 */
int32_t haresnet_record_find_signal(const struct haresnet_record *record,
                                    const char *name,
                                    uint32_t *out_index);

/**
 * Reads the physical samples (e.g. mV) of signal `channel` over frames `[from, to)` into
 * `buf`; invalid samples (the format's sentinel) are NaN. Signals with several samples
 * per frame are given at the record's highest rate (samples of slower signals repeated,
 * as the WFDB library's high-resolution mode does), so `buf` needs
 * `(to - from) * max samples per frame` floats: `(to - from)` for almost every record.
 *
 * `*out_len` receives the number of samples. When `cap` is smaller (`cap` 0 asks), the
 * call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number in `*out_len`, before
 * reading anything.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`buf` NULL with
 * `cap > 0`, `out_len` NULL); `HARESNET_STATUS_WRONG_HANDLE`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (channel or range out of bounds);
 * `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_IO`; `HARESNET_STATUS_FORMAT`
 * (among others, a signal file that holds fewer frames than the range, also for a size
 * query).
 *
 * # Safety
 *
 * `record` is NULL or a live record used by no other thread; `buf` is NULL or holds `cap`
 * writable floats; `out_len` is NULL or writable.
 */
int32_t haresnet_record_read(const struct haresnet_record *record,
                             uint32_t channel,
                             uint64_t from,
                             uint64_t to,
                             float *buf,
                             size_t cap,
                             size_t *out_len);

/**
 * Classifies a lead of a record with `model`: the signal named `signal` (NULL for
 * `"MLII"`), read whole in physical units, at its own rate.
 *
 * The result arrays are filled as `haresnet_model_classify` fills them (starts in
 * samples of that signal from the start of the record; any array may be NULL; `cap` 0
 * asks for the count, which is returned with `HARESNET_STATUS_BUFFER_TOO_SMALL` before
 * anything is read). `opts` may be NULL: segments holding invalid samples (leads off) are
 * then skipped (label -1) rather than refused.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_NOT_FOUND` (no such signal);
 * `HARESNET_STATUS_INVALID_ARGUMENT` (empty record, rate below 100 Hz, bad options); `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_IO`;
 * `HARESNET_STATUS_FORMAT`; `HARESNET_STATUS_MODEL`.
 *
 * # Safety
 *
 * `record` is NULL or a live record used by no other thread; `model` is NULL or a live
 * model; `signal` is NULL or a NUL-terminated string; `opts` is NULL or initialised; each
 * non-NULL array is writable for `cap` segments; `out_count` is NULL or writable.
 */
int32_t haresnet_record_classify(const struct haresnet_record *record,
                                 const struct haresnet_model *model,
                                 const char *signal,
                                 const struct haresnet_classify_options *opts,
                                 int64_t *starts,
                                 int32_t *labels,
                                 float *probabilities,
                                 float *heart_rates,
                                 size_t cap,
                                 size_t *out_count);

/**
 * Reads the annotation file `<record_path>.<annotator>` (e.g. `"data/mitdb/100"` and
 * `"atr"`; `record_path` may end in `.hea`).
 *
 * On success `*out` receives the annotations, to be freed with
 * `haresnet_annotations_free`; on failure `*out` is set to NULL.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (strings not UTF-8); `HARESNET_STATUS_IO`;
 * `HARESNET_STATUS_FORMAT` (malformed file).
 *
 * # Safety
 *
 * `record_path` and `annotator` are NULL or NUL-terminated strings; `out` is NULL or
 * writable.
 */
int32_t haresnet_annotations_read(const char *record_path,
                                  const char *annotator,
                                  struct haresnet_annotations **out);

/**
 * Frees annotations. NULL is accepted and ignored; a handle of another kind is left
 * alone (the last error says so). Must not be called twice.
 *
 * # Safety
 *
 * `annotations` is NULL or a handle from `haresnet_annotations_read`, used by no other
 * thread.
 */
void haresnet_annotations_free(struct haresnet_annotations *annotations);

/**
 * The number of annotations, into `*out_count`.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_WRONG_HANDLE`.
 *
 * # Safety
 *
 * `annotations` is NULL or a live handle; `out_count` is NULL or writable.
 */
int32_t haresnet_annotations_count(const struct haresnet_annotations *annotations,
                                   size_t *out_count);

/**
 * Copies the fixed-size fields of every annotation into the caller's arrays, each
 * holding `cap` elements (any may be NULL if not wanted), in file order:
 * `samples[i]` (time in samples from the start of the record), `codes[i]` (annotation
 * code: 1 = `N`, 28 = `+`...), `subtypes[i]`, `chans[i]`, `nums[i]`, as the WFDB
 * library's `WFDB_Annotation` fields `time`, `anntyp`, `subtyp`, `chan`, `num`.
 *
 * `*out_count` receives the number of annotations; when `cap` is smaller (`cap` 0 asks)
 * the call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number and writes no
 * array.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL),
 * `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_BUFFER_TOO_SMALL`.
 *
 * # Safety
 *
 * `annotations` is NULL or a live handle; each non-NULL array holds `cap` writable
 * elements; `out_count` is NULL or writable.
 */
int32_t haresnet_annotations_fields(const struct haresnet_annotations *annotations,
                                    int64_t *samples,
                                    int32_t *codes,
                                    int32_t *subtypes,
                                    int32_t *chans,
                                    int32_t *nums,
                                    size_t cap,
                                    size_t *out_count);

/**
 * Copies the symbol of annotation `index` (`"N"`, `"V"`, `"+"`..., using the file's
 * own code definitions first) into `buf`, NUL-terminated; `*out_len` receives its length
 * without the NUL. `buf` may be NULL when `cap` is 0 (size query).
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
 * `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of range)
 * or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
 *
 * # Safety
 *
 * `annotations` is NULL or a live handle; `buf` is NULL or holds `cap` writable bytes;
 * `out_len` is NULL or writable.
 */
int32_t haresnet_annotations_symbol(const struct haresnet_annotations *annotations,
                                    size_t index,
                                    char *buf,
                                    size_t cap,
                                    size_t *out_len);

/**
 * Copies the aux string of annotation `index` (the rhythm of a `+` annotation, e.g.
 * `"(AFIB"`; empty when absent; trailing NULs removed, invalid UTF-8 replaced) into
 * `buf`, as `haresnet_annotations_symbol` does.
 *
 * Returns as `haresnet_annotations_symbol`.
 *
 * # Safety
 *
 * As `haresnet_annotations_symbol`.
 */
int32_t haresnet_annotations_aux(const struct haresnet_annotations *annotations,
                                 size_t index,
                                 char *buf,
                                 size_t cap,
                                 size_t *out_len);

/**
 * Writes the rhythm annotations of a classification as the WFDB annotation file
 * `<record_path>.<annotator>` (e.g. `"out/100"` and `"hrn"` give `out/100.hrn`), in the
 * style of the MIT-BIH rhythm annotations: a `+` annotation with aux `"(N"`, `"(AFIB"`,
 * ... (`"("` and the class name) at the first segment and at every change of label, and a
 * `~` annotation (subtype -1: unreadable) where segments not analysed (label -1) begin,
 * closed by `~` (subtype 0) and the rhythm restated where analysis resumes. `rdann`,
 * wfdb-python and `haresnet_annotations_read` read the file.
 *
 * `starts` and `labels` are `n` segments as `haresnet_model_classify` returns them
 * (starts non-decreasing); `fs` is the rate the starts count in; `model` names the
 * labels. An existing file is replaced.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (label out of range,
 * starts decreasing, negative or past 2^47 samples, `fs` not positive, strings not UTF-8);
 * `HARESNET_STATUS_IO`.
 *
 * # Safety
 *
 * `model` is NULL or a live model; `record_path` and `annotator` are NULL or
 * NUL-terminated strings; `starts` and `labels` hold `n` elements.
 */
int32_t haresnet_annotations_write_rhythm(const struct haresnet_model *model,
                                          const char *record_path,
                                          const char *annotator,
                                          double fs,
                                          const int64_t *starts,
                                          const int32_t *labels,
                                          size_t n);

/**
 * Summarises a classification of one signal of `total` samples at `fs` Hz: the seconds
 * spent in each class, the seconds analysed, and the AF burden (the share of the analysed
 * time labelled AFIB or AFL, in percent), as `haresnet report` computes them.
 *
 * `starts` and `labels` are `n` segments as `haresnet_model_classify`,
 * `haresnet_record_classify` or `haresnet_stream_read` return them with `model` (starts
 * non-decreasing; each segment is `haresnet_model_segment_len` samples long, cut short by
 * the next segment's start when segments overlap and by `total`, where the row of a
 * signal's tail ends). Segments labelled -1 and samples no segment covers count as not
 * analysed.
 *
 * Outputs, each optional (NULL skips it) and written only on success:
 * `class_seconds[c]` for each of the model's classes (`classes_cap` must be at least
 * `haresnet_model_num_classes`); `*out_analysed_seconds`; `*out_af_burden_percent`, NaN
 * when nothing was analysed.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` not a usable
 * rate, a label out of range, starts negative or decreasing, a segment starting at or past
 * `total`);
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` (`classes_cap` below the number of classes).
 *
 * # Safety
 *
 * `model` is NULL or a live model; `starts` and `labels` hold `n` elements;
 * `class_seconds` is NULL or holds `classes_cap` elements; the other outputs are NULL or
 * writable.
 */
int32_t haresnet_summarize(const struct haresnet_model *model,
                           double fs,
                           uint64_t total,
                           const int64_t *starts,
                           const int32_t *labels,
                           size_t n,
                           double *class_seconds,
                           size_t classes_cap,
                           double *out_analysed_seconds,
                           double *out_af_burden_percent);

/**
 * The rhythm episodes of a classification, by the rule `haresnet report` states: a run of
 * consecutive segments of one rhythm other than sinus rhythm (`N`); a single segment of
 * another label, or a single segment labelled -1, between two runs of the same rhythm
 * does not end it (the runs and that segment form one episode); two or more do. In time
 * order.
 *
 * `model`, `fs`, `total`, `starts`, `labels` and `n` as for `haresnet_summarize`. Episode
 * `i` spans samples `episode_starts[i]` to `episode_ends[i]` (one past its last) and has
 * class `episode_classes[i]`; `*out_len` receives the number of episodes. When `cap` is
 * smaller, returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len`
 * and the arrays untouched: call with `cap` 0 and NULL arrays to learn it.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_len` NULL, an array
 * NULL with `cap > 0`); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT`
 * (as `haresnet_summarize`); `HARESNET_STATUS_BUFFER_TOO_SMALL`.
 *
 * # Safety
 *
 * As `haresnet_summarize`; each output array is NULL or holds `cap` elements; `out_len`
 * is writable.
 */
int32_t haresnet_summarize_episodes(const struct haresnet_model *model,
                                    double fs,
                                    uint64_t total,
                                    const int64_t *starts,
                                    const int32_t *labels,
                                    size_t n,
                                    int64_t *episode_starts,
                                    int64_t *episode_ends,
                                    int32_t *episode_classes,
                                    size_t cap,
                                    size_t *out_len);

/**
 * The AF burden per hour of a classification: for each hour from the start of the signal
 * (the last one possibly shorter), the share of its classified time labelled AFIB or AFL,
 * in percent, NaN when none of it was classified (as `haresnet report` shows it).
 *
 * `model`, `fs`, `total`, `starts`, `labels` and `n` as for `haresnet_summarize`;
 * `percent` receives one value per hour and `*out_len` their number (`total` samples
 * make `ceil(total / (3600 fs))` hours). When `cap` is smaller, returns
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len`.
 *
 * Returns as `haresnet_summarize_episodes`.
 *
 * # Safety
 *
 * As `haresnet_summarize`; `percent` is NULL or holds `cap` elements; `out_len` is
 * writable.
 */
int32_t haresnet_summarize_burden_per_hour(const struct haresnet_model *model,
                                           double fs,
                                           uint64_t total,
                                           const int64_t *starts,
                                           const int32_t *labels,
                                           size_t n,
                                           double *percent,
                                           size_t cap,
                                           size_t *out_len);

/**
 * Detects the R peaks of a whole signal: `n` samples of one ECG lead in mV at `fs` Hz
 * (100 Hz to 1 MHz), as `haresnet beats` detects them in a record. No model is needed.
 *
 * `peaks` receives the sample index of each R peak, ascending, and `*out_len` their
 * number. Peaks are at least 250 ms apart, so `n / (0.25 * fs) + 1` elements always
 * suffice; with a smaller `cap` (0 with `peaks` NULL asks) the call returns
 * `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len` and `peaks`
 * untouched (the detection then runs again on the second call). Non-finite samples (NaN,
 * infinity) are gaps: no peak is placed in them and each finite stretch is detected
 * alone. A flat signal, or one shorter than about a second, has no peaks.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
 * `n > 0`, `out_len` NULL, or `peaks` NULL with `cap > 0`);
 * `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` out of range); `HARESNET_STATUS_BUFFER_TOO_SMALL`.
 *
 * # Safety
 *
 * `samples` holds `n` floats; `peaks` is NULL or holds `cap` writable elements; `out_len`
 * is NULL or writable.
 */
int32_t haresnet_detect_r_peaks(const float *samples,
                                size_t n,
                                double fs,
                                int64_t *peaks,
                                size_t cap,
                                size_t *out_len);

/**
 * Fills `*opts` with the defaults (no base date or time) and sets
 * `struct_size`.
 *
 * `size` is `sizeof *opts` as the caller compiled it.
 *
 * Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
 * `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the structure).
 *
 * # Safety
 *
 * `opts` is NULL or points to `size` writable bytes.
 */
int32_t haresnet_write_options_init(struct haresnet_write_options *opts,
                                    size_t size);

/**
 * Writes the WFDB record `record_path` (e.g. `"out/rec1"`: `out/rec1.hea` and its signal
 * files; the last component is the record name, made of letters, digits, `_`, `-`, `.`),
 * replacing existing files: `n_signals` signals of `n_frames` samples each (one sample
 * per frame) at `fs` Hz.
 *
 * The samples are either `physical` (units such as mV; NaN for an invalid sample) or
 * `digital` (ADC units, stored as they are; the format's most negative value marks an
 * invalid sample): exactly one of the two is non-NULL. Each is `n_signals * n_frames`
 * values, signal after signal (all of signal 0, then all of signal 1...: the columns of a
 * MATLAB matrix of one column per signal).
 *
 * Per signal (each array NULL for the defaults, else `n_signals` entries):
 * - `formats`: storage format, 16, 212, 24, 32, 516 (FLAC), or 80, 61, 160, 508, 524;
 *   default 16. Consecutive signals of one format share a file (`<name>.dat`, or
 *   `<name>_<k>.dat` when there are several; FLAC files hold eight signals at most).
 * - `gains`: ADC units per physical unit; NaN or NULL: for physical samples, chosen from
 *   the signal's range as wfdb-python's `wrsamp` chooses it, for digital samples 200.
 *   Written with 12 significant digits, and physical samples are converted with the gain
 *   as written, so readers recover them exactly.
 * - `baselines`: digital value of physical zero; used only with a gain given (NULL: 0).
 * - `names`: signal names separated by `'\n'` (NULL: unnamed); `units`: units separated
 *   by `'\n'`, no spaces (NULL: all `"mV"`).
 *
 * `comments` is NULL or the header's info lines, separated by `'\n'`.
 *
 * Physical samples are converted as `round(value * gain + baseline)` (ties to even).
 * Initial values and checksums are computed and written as the WFDB library writes
 * them. `opts` may be NULL (no base time or date).
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`record_path`, or both
 * sample arrays, NULL); `HARESNET_STATUS_INVALID_ARGUMENT` (both sample arrays given, a
 * format that cannot be written, `fs` not positive, a value outside the format's range
 * or infinite, names or units that do not match `n_signals`, a bad record name, bad
 * options; nothing is written); `HARESNET_STATUS_IO`.
 *
 * # Safety
 *
 * `record_path` is NULL or a NUL-terminated string; `physical` or `digital` holds
 * `n_signals * n_frames` values; each non-NULL per-signal array holds `n_signals`
 * values; `names`, `units` and `comments` are NULL or NUL-terminated strings; `opts` is
 * NULL or initialised.
 */
int32_t haresnet_record_write(const char *record_path,
                              double fs,
                              uint32_t n_signals,
                              uint64_t n_frames,
                              const double *physical,
                              const int32_t *digital,
                              const int32_t *formats,
                              const double *gains,
                              const int32_t *baselines,
                              const char *names,
                              const char *units,
                              const char *comments,
                              const struct haresnet_write_options *opts);

/**
 * Writes frames `[from, to)` of an opened record as the record `out_path` (as
 * `haresnet_record_write` names it): the signals `channels` (`n_channels` indices, in
 * that order; NULL with 0 for all) with their names, units, gains, baselines, ADC
 * resolution and zero and samples per frame, the base time and date (moved to frame
 * `from`), counter and info lines, in storage format `format` (0 keeps each signal's own
 * format, 16 where that cannot be written). Digital values are copied (invalid samples
 * stay invalid) unless `rescale` is non-zero, which chooses new gains and baselines from
 * the physical values, as needed when they do not fit the new format (16 to 212). A
 * multi-segment record is always rescaled.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (a channel or range
 * out of bounds, a format that cannot be written, values that do not fit it without
 * `rescale`); `HARESNET_STATUS_IO`; `HARESNET_STATUS_FORMAT` (the record's files).
 *
 * # Safety
 *
 * `record` is NULL or a live record used by no other thread; `out_path` is NULL or a
 * NUL-terminated string; `channels` holds `n_channels` values.
 */
int32_t haresnet_record_write_copy(const struct haresnet_record *record,
                                   const char *out_path,
                                   int32_t format,
                                   const uint32_t *channels,
                                   size_t n_channels,
                                   uint64_t from,
                                   uint64_t to,
                                   int32_t rescale);

/**
 * Writes the annotation file `<record_path>.<annotator>` (e.g. `"out/100"` and `"atr"`),
 * replacing an existing one: `n` annotations, in time order, as `rdann`, wfdb-python and
 * `haresnet_annotations_read` read them. `fs` (the rate the samples count in) is stated
 * in the file.
 *
 * `samples[i]` is the time in samples (non-decreasing, from 0); `codes[i]` the annotation
 * code, 1 to 49 (1 = `N`, 5 = `V`, 28 = `+`...; `haresnet_annotation_code` gives the code
 * of a symbol); `subtypes`, `chans` and `nums` (each NULL for zeros) the WFDB fields
 * `subtyp` (-128 to 127), `chan` (0 to 255) and `num` (-128 to 127); `aux` is NULL or
 * the `n` aux strings separated by `'\n'` (empty for none, at most 255 bytes each; a
 * rhythm change `+` carries e.g. `"(AFIB"`). A `"` (note, code 22) annotation at sample 0
 * is refused: readers take it for a file definition.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (a field out of range, samples decreasing or
 * negative, `fs` not positive, `aux` not holding `n` fields; nothing is written);
 * `HARESNET_STATUS_IO`.
 *
 * # Safety
 *
 * `record_path` and `annotator` are NULL or NUL-terminated strings; `samples` and
 * `codes` hold `n` values, as does each non-NULL field array; `aux` is NULL or a
 * NUL-terminated string.
 */
int32_t haresnet_annotations_write(const char *record_path,
                                   const char *annotator,
                                   double fs,
                                   const int64_t *samples,
                                   const int32_t *codes,
                                   const int32_t *subtypes,
                                   const int32_t *chans,
                                   const int32_t *nums,
                                   const char *aux,
                                   size_t n);

/**
 * The annotation code of `symbol` (`"N"` gives 1, `"V"` 5, `"+"` 28, `"[15]"` 15: the
 * symbols `rdann` prints), into `*out_code`.
 *
 * Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
 * `HARESNET_STATUS_INVALID_ARGUMENT` (not UTF-8); `HARESNET_STATUS_NOT_FOUND` (no such
 * symbol; `*out_code` untouched).
 *
 * # Safety
 *
 * `symbol` is NULL or a NUL-terminated string; `out_code` is NULL or writable.
 */
int32_t haresnet_annotation_code(const char *symbol,
                                 int32_t *out_code);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* HARESNET_H */
