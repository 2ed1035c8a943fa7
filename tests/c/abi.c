/*
 * The C ABI from C: versions, statuses, a model, a record, a stream and annotations,
 * misuse included, every handle freed. Run by tests/tests/c.rs (plain, under
 * AddressSanitizer and under valgrind), which passes:
 *   argv[1] the ABI version computed from Cargo.toml
 *   argv[2] a weights file
 *   argv[3] a fixture record path
 *   argv[4] a directory to write into
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haresnet.h"

static int failures = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            char msg_[512];                                                           \
            size_t len_ = 0;                                                          \
            haresnet_last_error(msg_, sizeof msg_, &len_);                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,    \
                    __LINE__, #cond, msg_);                                           \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* The status is `want` and the last error mentions `word`. */
static void expect_status(int32_t got, int32_t want, const char *word, int line) {
    char msg[512];
    size_t len = 0;
    haresnet_last_error(msg, sizeof msg, &len);
    if (got != want || (word != NULL && strstr(msg, word) == NULL)) {
        fprintf(stderr, "line %d: status %s (%d), expected %s; message: %s\n", line,
                haresnet_status_str(got), (int)got, haresnet_status_str(want), msg);
        failures++;
    }
}
#define EXPECT(call, want, word) expect_status((call), (want), (word), __LINE__)

static void versions(const char *abi_from_cargo) {
    unsigned long expected = strtoul(abi_from_cargo, NULL, 10);
    char version[32];
    CHECK(HARESNET_ABI_VERSION == expected);
    CHECK(haresnet_abi_version() == HARESNET_ABI_VERSION);
    CHECK((haresnet_abi_version() >> 16) == HARESNET_VERSION_MAJOR);
    snprintf(version, sizeof version, "%d.%d.%d", HARESNET_VERSION_MAJOR,
             HARESNET_VERSION_MINOR, HARESNET_VERSION_PATCH);
    CHECK(strcmp(haresnet_version(), version) == 0);
    CHECK(strcmp(haresnet_status_str(HARESNET_STATUS_OK), "HARESNET_STATUS_OK") == 0);
    CHECK(strcmp(haresnet_status_str(HARESNET_STATUS_PANIC), "HARESNET_STATUS_PANIC") == 0);
    CHECK(strcmp(haresnet_status_str(12345), "HARESNET_STATUS_UNKNOWN") == 0);
}

static haresnet_model *load(const char *weights) {
    haresnet_model_options opts;
    haresnet_model *model = (haresnet_model *)&opts; /* must be cleared on failure */
    EXPECT(haresnet_model_options_init(&opts, sizeof opts), HARESNET_STATUS_OK, NULL);
    CHECK(opts.struct_size == sizeof opts && opts.threads == 0);
    EXPECT(haresnet_model_load_file("no/such/file.hrn", &opts, &model), HARESNET_STATUS_IO,
           "no/such/file.hrn");
    CHECK(model == NULL);
    EXPECT(haresnet_model_load_file(weights, &opts, &model), HARESNET_STATUS_OK, NULL);
    CHECK(model != NULL);
    return model;
}

/* The card of the test weights: sized, then copied whole; a short buffer is left alone. */
static void model_card(const haresnet_model *model) {
    size_t len = 0, len2 = 0;
    char small[4] = "abc";
    char *json;
    EXPECT(haresnet_model_card_json(model, NULL, 0, &len), HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(len > 2);
    EXPECT(haresnet_model_card_json(model, small, sizeof small, &len2),
           HARESNET_STATUS_BUFFER_TOO_SMALL, "needed");
    CHECK(len2 == len && strcmp(small, "abc") == 0);
    json = malloc(len + 1);
    if (json == NULL) return;
    EXPECT(haresnet_model_card_json(model, json, len + 1, &len2), HARESNET_STATUS_OK, NULL);
    CHECK(len2 == len && strlen(json) == len && json[0] == '{' && json[len - 1] == '}');
    CHECK(strstr(json, "\"name\": \"rhythm-5s-untrained\"") != NULL);
    CHECK(strstr(json, "\"smoothing_half_life_seconds\"") != NULL);
    EXPECT(haresnet_model_card_json(NULL, json, len + 1, &len2), HARESNET_STATUS_NULL_ARGUMENT,
           "model is NULL");
    free(json);
}

static void model_queries(const haresnet_model *model) {
    uint32_t classes = 0;
    char name[16];
    size_t len = 0;
    double rate = 0, seconds = 0;
    size_t seg_len = 0, count = 0;
    EXPECT(haresnet_model_num_classes(model, &classes), HARESNET_STATUS_OK, NULL);
    CHECK(classes == 5);
    EXPECT(haresnet_model_class_name(model, 1, NULL, 0, &len), HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(len == 4);
    EXPECT(haresnet_model_class_name(model, 1, name, sizeof name, &len), HARESNET_STATUS_OK, NULL);
    CHECK(strcmp(name, "AFIB") == 0);
    EXPECT(haresnet_model_class_name(model, 9, name, sizeof name, &len),
           HARESNET_STATUS_INVALID_ARGUMENT, "class index 9");
    EXPECT(haresnet_model_rate(model, &rate), HARESNET_STATUS_OK, NULL);
    CHECK(rate >= 100.0);
    EXPECT(haresnet_model_segment_seconds(model, &seconds), HARESNET_STATUS_OK, NULL);
    CHECK(seconds == 5.0);
    EXPECT(haresnet_model_segment_len(model, 360.0, &seg_len), HARESNET_STATUS_OK, NULL);
    CHECK(seg_len == 1800);
    EXPECT(haresnet_model_segment_count(model, 21600, 360.0, NULL, &count), HARESNET_STATUS_OK, NULL);
    CHECK(count == 12);
    EXPECT(haresnet_model_num_classes(NULL, &classes), HARESNET_STATUS_NULL_ARGUMENT, "model is NULL");
    EXPECT(haresnet_model_num_classes(model, NULL), HARESNET_STATUS_NULL_ARGUMENT, "out is NULL");
    model_card(model);
}

/* Classifies the record's MLII three ways (record call, array call, stream) and checks
 * that they agree; writes the rhythm annotations and reads them back. */
static void classify(const haresnet_model *model, const char *record_path, const char *dir) {
    haresnet_record *record = NULL;
    haresnet_stream *stream = NULL;
    haresnet_annotations *anns = NULL;
    uint32_t mlii = 99;
    uint64_t frames = 0;
    double fs = 0, class_seconds[5], analysed = 0, burden = 0, total_seconds = 0;
    size_t n = 0, got = 0, i, ready = 0, count = 0;
    float *samples, *probs, *hr, *stream_probs;
    int64_t *starts, *stream_starts;
    int32_t *labels, *stream_labels;
    char out_path[1024], aux[32], symbol[8];
    haresnet_classify_options opts;

    EXPECT(haresnet_record_open(record_path, &record), HARESNET_STATUS_OK, NULL);
    EXPECT(haresnet_record_find_signal(record, "MLII", &mlii), HARESNET_STATUS_OK, NULL);
    EXPECT(haresnet_record_find_signal(record, "V9", &mlii), HARESNET_STATUS_NOT_FOUND, "V9");
    CHECK(mlii == 0);
    EXPECT(haresnet_record_length(record, &frames), HARESNET_STATUS_OK, NULL);
    EXPECT(haresnet_record_fs(record, &fs), HARESNET_STATUS_OK, NULL);
    CHECK(frames == 21600 && fs == 360.0);
    /* Wrong handle kind: a record where a model is expected. */
    EXPECT(haresnet_model_segment_seconds((const haresnet_model *)(const void *)record, &fs),
           HARESNET_STATUS_WRONG_HANDLE, "is not a haresnet_model");

    samples = malloc(frames * sizeof *samples);
    EXPECT(haresnet_record_read(record, mlii, 0, frames, NULL, 0, &n),
           HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(n == frames);
    EXPECT(haresnet_record_read(record, mlii, 0, frames, samples, frames, &n), HARESNET_STATUS_OK, NULL);

    EXPECT(haresnet_record_classify(record, model, NULL, NULL, NULL, NULL, NULL, NULL, 0, &n),
           HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(n == 12);
    starts = malloc(n * sizeof *starts);
    labels = malloc(n * sizeof *labels);
    probs = malloc(n * 5 * sizeof *probs);
    hr = malloc(n * sizeof *hr);
    EXPECT(haresnet_record_classify(record, model, "MLII", NULL, starts, labels, probs, hr, n, &got),
           HARESNET_STATUS_OK, NULL);
    CHECK(got == n);
    for (i = 0; i < n; i++) {
        float sum = probs[i * 5] + probs[i * 5 + 1] + probs[i * 5 + 2] + probs[i * 5 + 3] + probs[i * 5 + 4];
        CHECK(starts[i] == (int64_t)(i * 1800));
        CHECK(labels[i] >= 0 && labels[i] < 5);
        CHECK(fabsf(sum - 1.0f) < 1e-4f);
        CHECK(isnan(hr[i]) || (hr[i] > 20.0f && hr[i] < 300.0f));
    }

    /* The same through a stream fed in uneven chunks. */
    stream_starts = malloc(n * sizeof *stream_starts);
    stream_labels = malloc(n * sizeof *stream_labels);
    stream_probs = malloc(n * 5 * sizeof *stream_probs);
    EXPECT(haresnet_classify_options_init(&opts, sizeof opts), HARESNET_STATUS_OK, NULL);
    /* Fields are only added at the end: callers built against the first header (16 bytes,
     * up to hop_seconds) keep working. */
    CHECK(offsetof(haresnet_classify_options, smoothing_half_life_seconds) == 16);
    CHECK(opts.struct_size == sizeof opts && opts.smoothing_half_life_seconds < 0);
    EXPECT(haresnet_stream_new(model, fs, &opts, &stream), HARESNET_STATUS_OK, NULL);
    for (i = 0; i < frames; i += 1001) {
        size_t len = frames - i < 1001 ? frames - i : 1001;
        EXPECT(haresnet_stream_push(stream, samples + i, len), HARESNET_STATUS_OK, NULL);
    }
    EXPECT(haresnet_stream_ready(stream, &ready), HARESNET_STATUS_OK, NULL);
    CHECK(ready == n);
    EXPECT(haresnet_stream_read(stream, stream_starts, stream_labels, stream_probs, NULL, 1, &got),
           HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(got == n);
    EXPECT(haresnet_stream_read(stream, stream_starts, stream_labels, stream_probs, NULL, n, &got),
           HARESNET_STATUS_OK, NULL);
    CHECK(memcmp(stream_starts, starts, n * sizeof *starts) == 0);
    CHECK(memcmp(stream_labels, labels, n * sizeof *labels) == 0);
    CHECK(memcmp(stream_probs, probs, n * 5 * sizeof *probs) == 0);
    /* NaN: refused, naming the index in the stream. */
    samples[5] = NAN;
    EXPECT(haresnet_stream_push(stream, samples, 10), HARESNET_STATUS_INVALID_ARGUMENT, "index 21605");
    EXPECT(haresnet_model_classify(model, samples, frames, fs, NULL, NULL, labels, NULL, NULL, n, &got),
           HARESNET_STATUS_INVALID_ARGUMENT, "index 5");
    /* A stream is not a record. */
    EXPECT(haresnet_record_fs((const haresnet_record *)(const void *)stream, &fs),
           HARESNET_STATUS_WRONG_HANDLE, "it is haresnet_stream");

    /* Rhythm annotations written and read back. */
    snprintf(out_path, sizeof out_path, "%s/rhythm", dir);
    labels[3] = (labels[2] + 1) % 5;
    EXPECT(haresnet_annotations_write_rhythm(model, out_path, "hrn", 360.0, starts, labels, n),
           HARESNET_STATUS_OK, NULL);
    EXPECT(haresnet_annotations_read(out_path, "hrn", &anns), HARESNET_STATUS_OK, NULL);
    EXPECT(haresnet_annotations_count(anns, &count), HARESNET_STATUS_OK, NULL);
    CHECK(count >= 2);
    EXPECT(haresnet_annotations_symbol(anns, 0, symbol, sizeof symbol, &got), HARESNET_STATUS_OK, NULL);
    CHECK(strcmp(symbol, "+") == 0);
    EXPECT(haresnet_annotations_aux(anns, 0, aux, sizeof aux, &got), HARESNET_STATUS_OK, NULL);
    CHECK(aux[0] == '(');
    EXPECT(haresnet_annotations_aux(anns, 0, aux, 1, &got), HARESNET_STATUS_BUFFER_TOO_SMALL, NULL);

    /* Time per class adds up to the analysed time: every segment of the excerpt. */
    EXPECT(haresnet_summarize(model, 360.0, frames, starts, labels, n, class_seconds, 5, &analysed, &burden),
           HARESNET_STATUS_OK, NULL);
    for (i = 0; i < 5; i++) total_seconds += class_seconds[i];
    CHECK(fabs(total_seconds - analysed) < 1e-9 && fabs(analysed - 5.0 * (double)n) < 1e-9);
    CHECK(burden >= 0.0 && burden <= 100.0);
    EXPECT(haresnet_summarize(model, 360.0, frames, starts, labels, n, class_seconds, 4, NULL, NULL),
           HARESNET_STATUS_BUFFER_TOO_SMALL, "5 classes");

    haresnet_annotations_free(anns);
    haresnet_stream_free(stream);
    haresnet_record_free(record);
    free(samples);
    free(starts);
    free(labels);
    free(probs);
    free(hr);
    free(stream_starts);
    free(stream_labels);
    free(stream_probs);
}

static void last_error_truncates(void) {
    char small[6];
    size_t len = 0;
    uint32_t n;
    EXPECT(haresnet_model_num_classes(NULL, &n), HARESNET_STATUS_NULL_ARGUMENT, NULL);
    CHECK(haresnet_last_error(small, sizeof small, &len) == HARESNET_STATUS_BUFFER_TOO_SMALL);
    CHECK(len > sizeof small && small[5] == '\0' && strncmp(small, "haresn", 5) == 0);
    CHECK(haresnet_last_error(NULL, 0, &len) == HARESNET_STATUS_BUFFER_TOO_SMALL);
}

int main(int argc, char **argv) {
    haresnet_model *model;
    if (argc != 5) {
        fprintf(stderr, "usage: %s ABI_VERSION WEIGHTS RECORD OUT_DIR\n", argv[0]);
        return 2;
    }
    versions(argv[1]);
    model = load(argv[2]);
    if (model != NULL) {
        model_queries(model);
        classify(model, argv[3], argv[4]);
    }
    last_error_truncates();
    haresnet_model_free(model);
    haresnet_model_free(NULL);
    haresnet_record_free(NULL);
    haresnet_stream_free(NULL);
    haresnet_annotations_free(NULL);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("abi.c: all checks passed\n");
    return 0;
}
