/// A small C plugin that passes every conformance check, with a hook at the top of each
/// entry point where a test puts a crash, an abort or a hang.
///
/// The model forecasts the last value, with an interval from the mean square of the
/// one-step changes widening with the square root of the horizon.
enum CheckablePlugin {
    /// Where a hook goes: the first statement of that entry point.
    enum Hook: String, CaseIterable, Sendable {
        case train = "TRAIN_HOOK", load = "LOAD_HOOK", forecast = "FORECAST_HOOK", condition = "CONDITION_HOOK"
        case releaseModel = "RELEASE_MODEL_HOOK", releaseBuffer = "RELEASE_BUFFER_HOOK"
    }

    /// The source with `code` at `hook` (and nothing at the others).
    static func source(name: String, hooks: [Hook: String] = [:]) -> String {
        var text = template.replacingOccurrences(of: "PLUGIN_NAME", with: name)
        for hook in Hook.allCases { text = text.replacingOccurrences(of: hook.rawValue, with: hooks[hook] ?? "") }
        return text
    }

    private static let template = #"""
        #include "forecast_plugin.h"
        #include <math.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>

        struct fp_model { double last, sigma; int64_t step, last_time; };

        static int32_t fail(char *e, size_t c, int32_t status, const char *m) { if (e && c) snprintf(e, c, "%s", m); return status; }

        static int32_t t(const fp_host *h, const fp_series *s, const char *o, fp_trained *out, char *e, size_t c) {
            TRAIN_HOOK
            if (!s || !out) return fail(e, c, FP_STATUS_INVALID_ARGUMENT, "NULL");
            if (o && *o && strcmp(o, "{}") != 0) return fail(e, c, FP_STATUS_INVALID_ARGUMENT, "no options are known");
            if (s->count < 10) return fail(e, c, FP_STATUS_INSUFFICIENT_DATA, "needs 10 values");
            double ss = 0;
            for (size_t i = 0; i < s->count; i++) if (!isfinite(s->values[i])) return fail(e, c, FP_STATUS_INVALID_DATA, "not finite");
            for (size_t i = 1; i < s->count; i++) ss += (s->values[i] - s->values[i - 1]) * (s->values[i] - s->values[i - 1]);
            struct fp_model m = { s->values[s->count - 1], sqrt(ss / (double)(s->count - 1)), s->step_seconds,
                                  s->start_time + (int64_t)(s->count - 1) * s->step_seconds };
            out->blob = malloc(8 + sizeof m);
            out->summary_json = malloc(3);
            memcpy(out->blob, "CHECKME1", 8);
            memcpy(out->blob + 8, &m, sizeof m);
            out->blob_size = 8 + sizeof m;
            strcpy(out->summary_json, "{}");
            return FP_STATUS_OK;
        }
        static int32_t l(const uint8_t *b, size_t n, fp_model **out, char *e, size_t c) {
            LOAD_HOOK
            if (!b || n != 8 + sizeof(struct fp_model) || memcmp(b, "CHECKME1", 8) != 0) return fail(e, c, FP_STATUS_BAD_MODEL, "not a model");
            *out = malloc(sizeof(struct fp_model));
            memcpy(*out, b + 8, sizeof(struct fp_model));
            return FP_STATUS_OK;
        }
        static int32_t f(const fp_model *m, int32_t horizon, double level, double *mean, double *lo, double *up, char *e, size_t c) {
            FORECAST_HOOK
            if (horizon < 1 || !(level > 0 && level < 1)) return fail(e, c, FP_STATUS_INVALID_ARGUMENT, "bad horizon or level");
            double z = level < 0.6 ? 0.674 : level < 0.9 ? 1.2816 : level < 0.97 ? 1.96 : 2.5758;
            for (int32_t i = 0; i < horizon; i++) {
                mean[i] = m->last;
                lo[i] = m->last - z * m->sigma * sqrt(i + 1.0);
                up[i] = m->last + z * m->sigma * sqrt(i + 1.0);
            }
            return FP_STATUS_OK;
        }
        static int32_t cond(const fp_model *m, const fp_series *s, fp_model **out, char *e, size_t c) {
            CONDITION_HOOK
            if (s->start_time != m->last_time + m->step || s->step_seconds != m->step) return fail(e, c, FP_STATUS_INVALID_ARGUMENT, "gap");
            for (size_t i = 0; i < s->count; i++) if (!isfinite(s->values[i])) return fail(e, c, FP_STATUS_INVALID_DATA, "not finite");
            *out = malloc(sizeof(struct fp_model));
            **out = *m;
            if (s->count > 0) (*out)->last = s->values[s->count - 1];
            (*out)->last_time = m->last_time + (int64_t)s->count * m->step;
            return FP_STATUS_OK;
        }
        static void rm(fp_model *m) { RELEASE_MODEL_HOOK free(m); }
        static void rb(void *b) { RELEASE_BUFFER_HOOK free(b); }
        static const fp_plugin_descriptor d = {
            .abi_version = FP_ABI_VERSION, .struct_size = sizeof(fp_plugin_descriptor), .name = "PLUGIN_NAME", .version = "0.1",
            .description = "test plugin for the checker", .train = t, .load = l, .forecast = f, .release_model = rm,
            .release_buffer = rb, .condition = cond,
        };
        FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &d; }
        """#
}
