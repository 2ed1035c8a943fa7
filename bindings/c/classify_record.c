/*
 * classify_record: opens a WFDB record, classifies its MLII lead with haresnet and prints
 * the rhythm segments (consecutive segments of one label merged).
 *
 *   classify_record RECORD [WEIGHTS.hrn]
 *
 * RECORD is the record's path without extension (e.g. mitdb/100). Without WEIGHTS, the
 * 5 s weights embedded in the library are used. Build against an installed haresnet
 * (`make install`; README.md also shows static linking, CMake and the build tree):
 *
 *   cc -std=c99 classify_record.c $(pkg-config --cflags --libs haresnet) -o classify_record
 */
#include <stdio.h>
#include <stdlib.h>

#include "haresnet.h"

/* Prints the failed call's status and message; returns 1 for main. */
static int fail(const char *what, int32_t status) {
    char message[1024];
    size_t len = 0;
    haresnet_last_error(message, sizeof message, &len);
    fprintf(stderr, "classify_record: %s: %s: %s\n", what, haresnet_status_str(status), message);
    return 1;
}

static void print_time(double seconds) {
    long s = (long)seconds;
    printf("%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
}

int main(int argc, char **argv) {
    haresnet_model *model = NULL;
    haresnet_record *record = NULL;
    int64_t *starts = NULL;
    int32_t *labels = NULL;
    float *heart_rates = NULL;
    size_t n = 0, i, run;
    double fs = 0, seconds = 0;
    uint32_t index = 0;
    int32_t status;
    int code = 1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s RECORD [WEIGHTS.hrn]\n", argv[0]);
        return 2;
    }
    if ((haresnet_abi_version() >> 16) != (HARESNET_ABI_VERSION >> 16)) {
        fprintf(stderr, "classify_record: library %s does not match this program's header\n",
                haresnet_version());
        return 1;
    }

    status = argc == 3 ? haresnet_model_load_file(argv[2], NULL, &model)
                       : haresnet_model_load_embedded(5, "all", NULL, &model);
    if (status != HARESNET_STATUS_OK) return fail("loading the model", status);
    status = haresnet_record_open(argv[1], &record);
    if (status != HARESNET_STATUS_OK) {
        code = fail(argv[1], status);
        goto done;
    }
    if ((status = haresnet_record_find_signal(record, "MLII", &index)) != HARESNET_STATUS_OK ||
        (status = haresnet_record_signal_rate(record, index, &fs)) != HARESNET_STATUS_OK ||
        (status = haresnet_model_segment_seconds(model, &seconds)) != HARESNET_STATUS_OK) {
        code = fail(argv[1], status);
        goto done;
    }

    /* Ask for the number of segments, then classify into arrays of that size. */
    status = haresnet_record_classify(record, model, "MLII", NULL, NULL, NULL, NULL, NULL, 0, &n);
    if (status != HARESNET_STATUS_BUFFER_TOO_SMALL) {
        code = fail("classifying", status);
        goto done;
    }
    starts = malloc(n * sizeof *starts);
    labels = malloc(n * sizeof *labels);
    heart_rates = malloc(n * sizeof *heart_rates);
    if (!starts || !labels || !heart_rates) {
        fprintf(stderr, "classify_record: out of memory\n");
        goto done;
    }
    status = haresnet_record_classify(record, model, "MLII", NULL, starts, labels, NULL,
                                      heart_rates, n, &n);
    if (status != HARESNET_STATUS_OK) {
        code = fail("classifying", status);
        goto done;
    }

    printf("%s: %lu segments of %.0f s\n", argv[1], (unsigned long)n, seconds);
    for (i = 0; i < n; i = run) {
        char label[32] = "not analysable";
        size_t len = 0;
        double hr_sum = 0;
        int hr_count = 0;
        for (run = i; run < n && labels[run] == labels[i]; run++) {
            if (heart_rates[run] == heart_rates[run]) { /* not NaN */
                hr_sum += heart_rates[run];
                hr_count++;
            }
        }
        if (labels[i] >= 0 &&
            (status = haresnet_model_class_name(model, (uint32_t)labels[i], label, sizeof label,
                                                &len)) != HARESNET_STATUS_OK) {
            code = fail("class name", status);
            goto done;
        }
        print_time((double)starts[i] / fs);
        printf(" - ");
        print_time((double)starts[run - 1] / fs + seconds);
        printf("  %-14s", label);
        if (hr_count > 0) printf("  %.0f bpm", hr_sum / hr_count);
        printf("\n");
    }
    code = 0;

done:
    free(starts);
    free(labels);
    free(heart_rates);
    haresnet_record_free(record);
    haresnet_model_free(model);
    return code;
}
