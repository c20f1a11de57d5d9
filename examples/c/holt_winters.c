/*
 * holt-winters: an example plugin in plain C, written from forecast_plugin.h alone.
 *
 * Build it as an outside author would, with nothing but the header:
 *     cc -shared -fPIC -O2 -I <dir holding forecast_plugin.h> -o libholt_winters.so holt_winters.c -lm
 *
 * Model: additive Holt-Winters (ETS(A,A,A)) in error-correction form, period m (24):
 *     e = y - (l + b + s[t-m]);  l += b + alpha e;  b += beta e;  s[t] = s[t-m] + gamma e.
 * Why this method: it is the textbook seasonal smoother (Hyndman & Athanasopoulos,
 * "Forecasting: principles and practice", 8.3), small enough to read in one sitting,
 * and its recursion handles a missing hour naturally (no error: the state runs on), so
 * the plugin declares FP_CAPABILITY_MISSING_VALUES and trains on all of the history.
 * The smoothing weights are the best of a small grid by one-step squared error; the
 * h-step variance is sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta j + gamma [m | j]
 * (ibid., table 8.8), the quantile found by bisection on erfc.
 *
 * Options: {"period": m}, 2 <= m <= 1000, default 24.
 * Blob (little-endian): "HWEX", u32 format 1, i64 period, i64 step, i64 last time,
 * f64 alpha, beta, gamma, sigma, level, trend, then m seasonal terms, the next one first.
 */
#include "forecast_plugin.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HW_MAGIC "HWEX"
#define HW_FORMAT 1u
#define HW_DEFAULT_PERIOD 24
#define HW_MAX_PERIOD 1000
#define HW_HEADER (4 + 4 + 3 * 8 + 6 * 8)

struct fp_model {
    int64_t period, step_seconds, last_time;
    double alpha, beta, gamma, sigma, level, trend;
    double *season; /* season[0] belongs to the step after last_time, season[1] to the next, ... */
};

static int32_t fail(char *err, size_t cap, int32_t status, const char *format, ...) {
    if (err != NULL && cap > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(err, cap, format, args);
        va_end(args);
    }
    return status;
}

/* ---- host services, each read only when the host's struct covers it -------------- */

static void host_log(const fp_host *host, int32_t level, const char *format, ...) {
    if (host == NULL || !FP_STRUCT_COVERS(host, fp_host, log) || host->log == NULL) return;
    char line[512];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    host->log(host->context, level, line);
}

static void host_progress(const fp_host *host, double fraction, const char *stage) {
    if (host != NULL && FP_STRUCT_COVERS(host, fp_host, progress) && host->progress != NULL) {
        host->progress(host->context, fraction, stage);
    }
}

static int host_cancelled(const fp_host *host) {
    return host != NULL && FP_STRUCT_COVERS(host, fp_host, is_cancelled) && host->is_cancelled != NULL &&
           host->is_cancelled(host->context) != 0;
}

/* ---- options: "", "{}" or {"period": N} ------------------------------------------ */

static int32_t parse_options(const char *json, int64_t *period, char *err, size_t cap) {
    *period = HW_DEFAULT_PERIOD;
    if (json == NULL) return FP_STATUS_OK;
    const char *p = json;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0') return FP_STATUS_OK;
    if (*p++ != '{') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "options must be a JSON object such as {\"period\": 24}");
    while (isspace((unsigned char)*p)) p++;
    if (*p != '}') {
        if (strncmp(p, "\"period\"", 8) != 0) {
            return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "unknown option near '%.20s'; the only option is \"period\"", p);
        }
        p += 8;
        while (isspace((unsigned char)*p)) p++;
        if (*p++ != ':') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "expected ':' after \"period\"");
        char *end = NULL;
        long long value = strtoll(p, &end, 10);
        if (end == p) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "option 'period' must be a whole number");
        if (value < 2 || value > HW_MAX_PERIOD) {
            return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "option 'period' must be between 2 and %d; got %lld", HW_MAX_PERIOD, value);
        }
        *period = value;
        p = end;
        while (isspace((unsigned char)*p)) p++;
        if (*p != '}') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "expected '}' after the period");
    }
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p != '\0') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "unexpected text after the options object");
    return FP_STATUS_OK;
}

/* ---- the recursion ----------------------------------------------------------------- */

/* Runs the smoother over values[0..count) from the state in `m`, the season array used
 * as a ring and rotated back at the end so that season[0] is again the next step's;
 * returns the sum of squared one-step errors and counts the observed values. */
static double smooth(struct fp_model *m, const double *values, size_t count, size_t *observed) {
    double sse = 0;
    size_t seen = 0, period = (size_t)m->period;
    for (size_t t = 0; t < count; t++) {
        double *s = &m->season[t % period];
        double e = 0;
        if (!isnan(values[t])) {
            e = values[t] - (m->level + m->trend + *s);
            sse += e * e;
            seen++;
        }
        m->level += m->trend + m->alpha * e;
        m->trend += m->beta * e;
        *s += m->gamma * e;
    }
    size_t shift = count % period;
    if (shift != 0) {
        double rotated[HW_MAX_PERIOD];
        for (size_t i = 0; i < period; i++) rotated[i] = m->season[(i + shift) % period];
        memcpy(m->season, rotated, period * sizeof(double));
    }
    if (observed != NULL) *observed = seen;
    return sse;
}

/* The initial state from the first two cycles: level = mean, no trend, season = the
 * mean deviation at each phase (0 where a phase was never observed). */
static int initial_state(struct fp_model *m, const double *values, size_t count) {
    size_t period = (size_t)m->period, span = count < 2 * period ? count : 2 * period, n = 0;
    double sum = 0;
    for (size_t t = 0; t < span; t++) if (!isnan(values[t])) { sum += values[t]; n++; }
    if (n == 0) return 0;
    m->level = sum / (double)n;
    m->trend = 0;
    for (size_t i = 0; i < period; i++) {
        double deviation = 0;
        size_t k = 0;
        for (size_t t = i; t < span; t += period) if (!isnan(values[t])) { deviation += values[t] - m->level; k++; }
        m->season[i] = k > 0 ? deviation / (double)k : 0;
    }
    return 1;
}

static int state_is_finite(const struct fp_model *m) {
    if (!isfinite(m->level) || !isfinite(m->trend) || !isfinite(m->sigma)) return 0;
    for (int64_t i = 0; i < m->period; i++) if (!isfinite(m->season[i])) return 0;
    return 1;
}

static int32_t check_series(const fp_series *s, char *err, size_t cap) {
    if (s->step_seconds < 1 || s->step_seconds > FP_MAX_STEP_SECONDS) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the step must be between 1 and %lld seconds; got %lld",
                    (long long)FP_MAX_STEP_SECONDS, (long long)s->step_seconds);
    }
    if (s->start_time < FP_MIN_TIME || s->start_time > FP_MAX_TIME) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the start time %lld is not within the years 1 to 9999", (long long)s->start_time);
    }
    if (s->count > 0 && s->values == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "%zu values but a NULL pointer", s->count);
    for (size_t i = 0; i < s->count; i++) {
        if (isinf(s->values[i])) return fail(err, cap, FP_STATUS_INVALID_DATA, "observation %zu of %zu is infinite", i, s->count);
    }
    return FP_STATUS_OK;
}

/* ---- blob ---------------------------------------------------------------------------- */

static void put_u64(uint8_t **p, uint64_t v) { for (int i = 0; i < 8; i++) *(*p)++ = (uint8_t)(v >> (8 * i)); }
static void put_f64(uint8_t **p, double v) { uint64_t u; memcpy(&u, &v, 8); put_u64(p, u); }
static uint64_t get_u64(const uint8_t *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i); return v; }
static double get_f64(const uint8_t *p) { uint64_t u = get_u64(p); double v; memcpy(&v, &u, 8); return v; }

/* ---- entry points -------------------------------------------------------------------- */

static int32_t hw_fit(const fp_host *host, const fp_series *series, const char *options_json,
                      fp_trained *out, char *err, size_t cap) {
    if (series == NULL || out == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "train needs a series and an output struct");
    memset(out, 0, sizeof *out);
    int64_t period;
    int32_t status = parse_options(options_json, &period, err, cap);
    if (status != FP_STATUS_OK || (status = check_series(series, err, cap)) != FP_STATUS_OK) return status;
    size_t n = series->count, m = (size_t)period, observed = 0;
    for (size_t t = 0; t < n; t++) if (!isnan(series->values[t])) observed++;
    if (n < 2 * m || observed < m + 2) {
        return fail(err, cap, FP_STATUS_INSUFFICIENT_DATA,
                    "Holt-Winters with period %zu needs two cycles (%zu hours) with at least %zu observed; got %zu hours, %zu observed",
                    m, 2 * m, m + 2, n, observed);
    }

    static const double alphas[] = {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
    static const double betas[] = {0, 0.0005, 0.005, 0.02};
    static const double gammas[] = {0.01, 0.05, 0.1, 0.2, 0.3};
    const size_t total = 7 * 4 * 5;
    struct fp_model trial = {.period = period};
    trial.season = malloc(m * sizeof(double));
    double *best_season = malloc(m * sizeof(double));
    if (trial.season == NULL || best_season == NULL) {
        free(trial.season);
        free(best_season);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "no memory for %zu seasonal terms", m);
    }
    struct fp_model best = {.period = period};
    double best_sse = INFINITY;
    size_t best_seen = 0, done = 0;
    for (size_t a = 0; a < 7; a++) {
        for (size_t b = 0; b < 4; b++) {
            for (size_t g = 0; g < 5; g++, done++) {
                if (betas[b] >= alphas[a] || gammas[g] >= 1 - alphas[a]) continue;
                if (host_cancelled(host)) {
                    free(trial.season);
                    free(best_season);
                    status = fail(err, cap, FP_STATUS_CANCELLED, "cancelled by the host after %zu of %zu candidates", done, total);
                    host_log(host, FP_LOG_DEBUG, "holt-winters: train returns %s", fp_status_name(status));
                    return status;
                }
                trial.alpha = alphas[a];
                trial.beta = betas[b];
                trial.gamma = gammas[g];
                initial_state(&trial, series->values, n);
                size_t seen;
                double sse = smooth(&trial, series->values, n, &seen);
                if (isfinite(sse) && sse < best_sse) {
                    best_sse = sse;
                    best_seen = seen;
                    best = trial;
                    memcpy(best_season, trial.season, m * sizeof(double));
                }
            }
            host_progress(host, (double)done / (double)total, "grid of smoothing weights");
        }
    }
    free(trial.season);
    best.season = best_season;
    best.sigma = sqrt(best_sse / (double)best_seen);
    best.step_seconds = series->step_seconds;
    best.last_time = series->start_time + (int64_t)(n - 1) * series->step_seconds;
    if (!isfinite(best_sse) || !state_is_finite(&best)) {
        free(best_season);
        status = fail(err, cap, FP_STATUS_NUMERICAL, "no candidate gave a finite fit (the series may be too wild)");
        host_log(host, FP_LOG_DEBUG, "holt-winters: train returns %s", fp_status_name(status));
        return status;
    }

    size_t size = HW_HEADER + 8 * m;
    uint8_t *blob = malloc(size);
    char *summary = malloc(256);
    if (blob == NULL || summary == NULL) {
        free(blob);
        free(summary);
        free(best_season);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "no memory for the %zu-byte blob", size);
    }
    uint8_t *p = blob;
    memcpy(p, HW_MAGIC, 4);
    p += 4;
    for (int i = 0; i < 4; i++) *p++ = (uint8_t)(HW_FORMAT >> (8 * i));
    put_u64(&p, (uint64_t)best.period);
    put_u64(&p, (uint64_t)best.step_seconds);
    put_u64(&p, (uint64_t)best.last_time);
    put_f64(&p, best.alpha);
    put_f64(&p, best.beta);
    put_f64(&p, best.gamma);
    put_f64(&p, best.sigma);
    put_f64(&p, best.level);
    put_f64(&p, best.trend);
    for (size_t i = 0; i < m; i++) put_f64(&p, best.season[i]);
    snprintf(summary, 256, "{\"alpha\": %g, \"beta\": %g, \"gamma\": %g, \"sigma\": %.6g, \"period\": %zu, \"observed\": %zu, \"missing\": %zu}",
             best.alpha, best.beta, best.gamma, best.sigma, m, observed, n - observed);
    host_log(host, FP_LOG_INFO, "holt-winters: alpha %g beta %g gamma %g, one-step sigma %.4g on %zu observed of %zu hours",
             best.alpha, best.beta, best.gamma, best.sigma, observed, n);
    free(best_season);
    host_progress(host, 1, "done");
    out->blob = blob;
    out->blob_size = size;
    out->summary_json = summary;
    return FP_STATUS_OK;
}

static int32_t hw_load(const uint8_t *blob, size_t size, fp_model **out_model, char *err, size_t cap) {
    if (out_model == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "load needs an output pointer");
    if (blob == NULL || size < HW_HEADER || memcmp(blob, HW_MAGIC, 4) != 0) {
        return fail(err, cap, FP_STATUS_BAD_MODEL, "not a holt-winters model (%zu bytes)", size);
    }
    uint32_t format = (uint32_t)blob[4] | (uint32_t)blob[5] << 8 | (uint32_t)blob[6] << 16 | (uint32_t)blob[7] << 24;
    if (format != HW_FORMAT) return fail(err, cap, FP_STATUS_BAD_MODEL, "model format %u; this plugin reads format %u", format, HW_FORMAT);
    struct fp_model m = {0};
    m.period = (int64_t)get_u64(blob + 8);
    m.step_seconds = (int64_t)get_u64(blob + 16);
    m.last_time = (int64_t)get_u64(blob + 24);
    if (m.period < 2 || m.period > HW_MAX_PERIOD || size != HW_HEADER + 8 * (size_t)m.period ||
        m.step_seconds < 1 || m.step_seconds > FP_MAX_STEP_SECONDS || m.last_time < FP_MIN_TIME || m.last_time > FP_MAX_TIME) {
        return fail(err, cap, FP_STATUS_BAD_MODEL, "the model's header is inconsistent (truncated or corrupt)");
    }
    double *fields[] = {&m.alpha, &m.beta, &m.gamma, &m.sigma, &m.level, &m.trend};
    for (int i = 0; i < 6; i++) *fields[i] = get_f64(blob + 32 + 8 * i);
    fp_model *model = malloc(sizeof *model);
    double *season = malloc((size_t)m.period * sizeof(double));
    if (model == NULL || season == NULL) {
        free(model);
        free(season);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "no memory for the model");
    }
    for (int64_t i = 0; i < m.period; i++) season[i] = get_f64(blob + HW_HEADER + 8 * (size_t)i);
    m.season = season;
    *model = m;
    if (!state_is_finite(model) || model->sigma < 0) {
        free(season);
        free(model);
        return fail(err, cap, FP_STATUS_BAD_MODEL, "the model holds non-finite values (corrupt)");
    }
    *out_model = model;
    return FP_STATUS_OK;
}

/* The standard normal quantile by bisection on erfc: slow-ish, exact, and short. */
static double normal_quantile(double p) {
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < p) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
}

static int32_t hw_forecast(const fp_model *model, int32_t horizon, double level, double *mean, double *lower, double *upper,
                           char *err, size_t cap) {
    if (model == NULL || mean == NULL || lower == NULL || upper == NULL) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "forecast needs a model and three arrays");
    }
    if (horizon < 1) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the horizon must be at least 1; got %d", horizon);
    if (!(level > 0 && level < 1)) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the level must lie in (0, 1); got %g", level);
    double z = normal_quantile(0.5 + level / 2), sum_c2 = 0;
    for (int32_t h = 1; h <= horizon; h++) {
        double point = model->level + (double)h * model->trend + model->season[(h - 1) % model->period];
        double half = z * model->sigma * sqrt(1 + sum_c2);
        if (!isfinite(point) || !isfinite(half)) {
            return fail(err, cap, FP_STATUS_NUMERICAL, "step %d of the forecast overflowed", h);
        }
        mean[h - 1] = point;
        lower[h - 1] = point - half;
        upper[h - 1] = point + half;
        double c = model->alpha + model->beta * h + ((h % model->period) == 0 ? model->gamma : 0);
        sum_c2 += c * c;
    }
    return FP_STATUS_OK;
}

static int32_t hw_condition(const fp_model *model, const fp_series *newer, fp_model **out_model, char *err, size_t cap) {
    if (model == NULL || newer == NULL || out_model == NULL) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "condition needs a model, a series and an output pointer");
    }
    int32_t status = check_series(newer, err, cap);
    if (status != FP_STATUS_OK) return status;
    if (newer->step_seconds != model->step_seconds) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the new values are %lld s apart; the model's are %lld s apart",
                    (long long)newer->step_seconds, (long long)model->step_seconds);
    }
    if (newer->start_time != model->last_time + model->step_seconds) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the new values must start at %lld, one step after the model's last; they start at %lld",
                    (long long)(model->last_time + model->step_seconds), (long long)newer->start_time);
    }
    fp_model *next = malloc(sizeof *next);
    double *season = malloc((size_t)model->period * sizeof(double));
    if (next == NULL || season == NULL) {
        free(next);
        free(season);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "no memory for the conditioned model");
    }
    *next = *model;
    memcpy(season, model->season, (size_t)model->period * sizeof(double));
    next->season = season;
    smooth(next, newer->values, newer->count, NULL);
    next->last_time = model->last_time + (int64_t)newer->count * model->step_seconds;
    if (!state_is_finite(next)) {
        free(season);
        free(next);
        return fail(err, cap, FP_STATUS_NUMERICAL, "the state overflowed on the new values");
    }
    *out_model = next;
    return FP_STATUS_OK;
}

static void hw_release_model(fp_model *model) {
    if (model == NULL) return;
    free(model->season);
    free(model);
}

static void hw_release_buffer(void *buffer) { free(buffer); }

/* No optional features beyond the descriptor's. */
static const void *hw_get_extension(const char *id) {
    (void)id;
    return NULL;
}

static const fp_plugin_descriptor descriptor = {
    .abi_version = FP_ABI_VERSION,
    .struct_size = sizeof(fp_plugin_descriptor),
    .name = "holt-winters",
    .version = "1.0.0",
    .description = "Additive Holt-Winters (example plugin in C): smoothing weights by grid search, missing hours welcome",
    .train = hw_fit,
    .load = hw_load,
    .forecast = hw_forecast,
    .release_model = hw_release_model,
    .release_buffer = hw_release_buffer,
    .condition = hw_condition,
    .get_extension = hw_get_extension,
    .default_options_json = "{\"period\": 24}",
    .capabilities = FP_CAPABILITY_MISSING_VALUES,
};

FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &descriptor; }
