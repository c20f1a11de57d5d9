/*
 * libFuzzer target: a plugin's `load` and `forecast` entry points on arbitrary bytes.
 *
 * Linked (by fuzz/run.sh) with one plugin's code, compiled with the fuzzer's coverage
 * instrumentation and AddressSanitizer, so the mutations explore the plugin's own
 * blob parser. The contract says load must never crash on arbitrary bytes; this checks
 * that, and that whatever loads forecasts finite, ordered values or returns an error.
 *
 * Seeds: LLVMFuzzerInitialize trains the plugin on a generated hourly series and writes
 * the real blob into $FUZZ_SEED_DIR, so mutations start from valid models.
 */
#include "forecast_plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *seed_dir = getenv("FUZZ_SEED_DIR");
    if (seed_dir == NULL) return 0;
    const fp_plugin_descriptor *plugin = forecast_plugin_entry();
    enum { N = 24 * 40 };
    static double values[N];
    unsigned state = 12345;
    double noise = 0;
    for (int t = 0; t < N; t++) {
        state = state * 1103515245u + 12345u;
        noise = 0.6 * noise + ((double)(state >> 8) / 16777216.0 - 0.5);
        values[t] = 285 + 6 * sin(2 * M_PI * (t % 24) / 24.0) + noise;
    }
    fp_series series = {values, N, 1420070400, 3600};
    fp_trained trained = {0};
    char err[512];
    if (plugin->train(NULL, &series, "{}", &trained, err, sizeof err) != FP_STATUS_OK) {
        fprintf(stderr, "seed training failed: %s\n", err);
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/trained-%s.blob", seed_dir, plugin->name);
    FILE *file = fopen(path, "wb");
    if (file != NULL) {
        fwrite(trained.blob, 1, trained.blob_size, file);
        fclose(file);
    }
    plugin->release_buffer(trained.blob);
    plugin->release_buffer(trained.summary_json);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const fp_plugin_descriptor *plugin = forecast_plugin_entry();
    fp_model *model = NULL;
    char err[512];
    int32_t status = plugin->load(data, size, &model, err, sizeof err);
    if (status != FP_STATUS_OK) {
        if (err[0] == '\0') abort(); /* an error status must come with a message */
        return 0;
    }
    if (model == NULL) abort();
    enum { H = 48 };
    double mean[H], lower[H], upper[H];
    status = plugin->forecast(model, H, 0.9, mean, lower, upper, err, sizeof err);
    if (status == FP_STATUS_OK) {
        for (int i = 0; i < H; i++) {
            if (!isfinite(mean[i]) || !isfinite(lower[i]) || !isfinite(upper[i])) abort();
            if (!(lower[i] <= mean[i] && mean[i] <= upper[i])) abort();
        }
    } else if (err[0] == '\0') {
        abort();
    }
    plugin->release_model(model);
    return 0;
}
