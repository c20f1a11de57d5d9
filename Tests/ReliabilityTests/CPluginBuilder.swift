import Foundation
import TestSupport

/// Builds small, deliberately misbehaving C plugins from the contract header with the
/// system's `cc`, so the host's defences are tested against real shared libraries.
enum CPluginBuilder {
    /// Compiles `source` into `<directory>/lib<name>.so` (mode 0755) and returns its path.
    @discardableResult
    static func compile(_ source: String, name: String, into directory: String) throws -> String {
        try SharedLibraryCompiler.compile(text: source, into: directory, library: "lib\(name).so")
    }

    /// A complete plugin named `name` whose entry points are the given C function bodies.
    ///
    /// The defaults behave well: train stores the last value as an 8-byte blob, load copies
    /// it, forecast repeats it with a ±1 interval. Each test replaces one body to misbehave.
    static func plugin(name: String, train: String? = nil, load: String? = nil, forecast: String? = nil,
                       condition: String? = nil) -> String {
        let trainBody = train ?? """
            if (!s || s->count == 0) return FP_STATUS_INSUFFICIENT_DATA;
            double *b = malloc(sizeof(double));
            if (!b) return FP_STATUS_OUT_OF_MEMORY;
            *b = s->values[s->count - 1];
            out->blob = (uint8_t *)b; out->blob_size = sizeof(double); out->summary_json = NULL;
            return FP_STATUS_OK;
            """
        let loadBody = load ?? """
            if (n != sizeof(double)) { snprintf(e, c, "bad size"); return FP_STATUS_BAD_MODEL; }
            struct fp_model *m = malloc(sizeof *m);
            if (!m) return FP_STATUS_OUT_OF_MEMORY;
            memcpy(&m->last, b, sizeof(double));
            *out = m;
            return FP_STATUS_OK;
            """
        let forecastBody = forecast ?? """
            for (int32_t i = 0; i < h; i++) { mean[i] = m->last; lower[i] = m->last - 1; upper[i] = m->last + 1; }
            return FP_STATUS_OK;
            """
        let conditionBody = condition ?? """
            struct fp_model *copy = malloc(sizeof *copy);
            if (!copy) return FP_STATUS_OUT_OF_MEMORY;
            copy->last = newer->count ? newer->values[newer->count - 1] : m->last;
            *out = copy;
            return FP_STATUS_OK;
            """
        return """
            #include "forecast_plugin.h"
            #include <math.h>
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            struct fp_model { double last; };
            static int32_t t(const fp_host *host, const fp_series *s, const char *o, fp_trained *out, char *e, size_t c) {
            \(trainBody)
            }
            static int32_t l(const uint8_t *b, size_t n, fp_model **out, char *e, size_t c) {
            \(loadBody)
            }
            static int32_t f(const fp_model *m, int32_t h, double lv, double *mean, double *lower, double *upper, char *e, size_t c) {
            \(forecastBody)
            }
            static int32_t cd(const fp_model *m, const fp_series *newer, fp_model **out, char *e, size_t c) {
            \(conditionBody)
            }
            static void rm(fp_model *m) { free(m); }
            static void rb(void *b) { free(b); }
            static const fp_plugin_descriptor d = {
                .abi_version = FP_ABI_VERSION, .struct_size = sizeof(fp_plugin_descriptor), .name = "\(name)",
                .version = "0.1", .description = "a deliberately broken test plugin", .train = t, .load = l,
                .forecast = f, .release_model = rm, .release_buffer = rb, .condition = cd };
            FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &d; }
            """
    }
}
