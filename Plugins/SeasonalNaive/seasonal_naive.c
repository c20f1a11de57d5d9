/*
 * seasonal-naive: the baseline forecaster, written in plain C against forecast_plugin.h.
 *
 * Forecast: y(T+h) = y(T+h-m*k), k = ceil(h/m), with period m (24 for hourly data):
 * tomorrow at 3 pm looks like today at 3 pm. Intervals assume the in-sample seasonal
 * differences e(t) = y(t) - y(t-m) are white noise with variance sigma^2 (their mean
 * square), so the h-step error has standard deviation sigma * sqrt(k)
 * (Hyndman & Athanasopoulos, "Forecasting: principles and practice", 5.5).
 *
 * Options: {"period": m} with 1 <= m <= 1000; default 24.
 * Blob (little-endian): "SNVE", u32 format version 1, i64 period, i64 step seconds,
 * i64 time of the last observation, f64 sigma, then the last m observations (f64).
 *
 * This file is the proof that the header alone is enough: it includes nothing of the
 * host's and uses no Swift.
 */
#include "forecast_plugin.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SN_MAGIC "SNVE"
#define SN_FORMAT_VERSION 1u
#define SN_DEFAULT_PERIOD 24
#define SN_MAX_PERIOD 1000

struct fp_model {
    int64_t period;
    int64_t step_seconds;
    int64_t last_time;
    double sigma;
    double *last_cycle; /* the last `period` observations, oldest first */
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

/* Parses "", "{}" or {"period": N}; anything else is an error with a message. */
static int32_t parse_options(const char *json, int64_t *period, char *err, size_t cap) {
    *period = SN_DEFAULT_PERIOD;
    if (json == NULL) return FP_STATUS_OK;
    const char *p = json;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0') return FP_STATUS_OK;
    if (*p != '{') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "options must be a JSON object such as {\"period\": 24}");
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '}') goto end;
    if (strncmp(p, "\"period\"", 8) != 0) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "unknown option near '%.20s'; the only option is \"period\"", p);
    }
    p += 8;
    while (isspace((unsigned char)*p)) p++;
    if (*p != ':') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "expected ':' after \"period\"");
    p++;
    char *endp = NULL;
    long long value = strtoll(p, &endp, 10);
    if (endp == p) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "option 'period' must be a whole number");
    if (value < 1 || value > SN_MAX_PERIOD) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "option 'period' must be between 1 and %d; got %lld", SN_MAX_PERIOD, value);
    }
    *period = value;
    p = endp;
    while (isspace((unsigned char)*p)) p++;
    if (*p != '}') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "expected '}' after the period; the only option is \"period\"");
end:
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p != '\0') return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "unexpected text after the options object");
    return FP_STATUS_OK;
}

static int32_t check_finite(const fp_series *s, char *err, size_t cap) {
    for (size_t i = 0; i < s->count; i++) {
        if (!isfinite(s->values[i])) {
            return fail(err, cap, FP_STATUS_INVALID_DATA, "observation %zu of %zu is not finite", i, s->count);
        }
    }
    return FP_STATUS_OK;
}

static void put_u32(uint8_t **p, uint32_t v) { for (int i = 0; i < 4; i++) *(*p)++ = (uint8_t)(v >> (8 * i)); }
static void put_i64(uint8_t **p, int64_t v) {
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) *(*p)++ = (uint8_t)(u >> (8 * i));
}
static void put_f64(uint8_t **p, double v) { uint64_t u; memcpy(&u, &v, 8); put_i64(p, (int64_t)u); }
static uint32_t get_u32(const uint8_t *p) { uint32_t v = 0; for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i); return v; }
static int64_t get_i64(const uint8_t *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i); return (int64_t)v; }
static double get_f64(const uint8_t *p) { uint64_t u = (uint64_t)get_i64(p); double v; memcpy(&v, &u, 8); return v; }

static int32_t sn_train(const fp_host *host, const fp_series *series, const char *options_json,
                        fp_trained *out, char *err, size_t cap) {
    if (series == NULL || out == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "train needs a series and an output struct");
    memset(out, 0, sizeof *out);
    int64_t period;
    int32_t status = parse_options(options_json, &period, err, cap);
    if (status != FP_STATUS_OK) return status;
    if (series->step_seconds <= 0 || series->step_seconds > FP_MAX_STEP_SECONDS) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the series step must be between 1 second and one year");
    }
    if (series->start_time < FP_MIN_TIME || series->start_time > FP_MAX_TIME) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the series start time is not between the years 1 and 9999");
    }
    if (series->count > 0 && series->values == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "NULL values");
    if (series->count < (size_t)(2 * period)) {
        return fail(err, cap, FP_STATUS_INSUFFICIENT_DATA,
                    "seasonal naive with period %lld needs at least %lld observations (two cycles); the series has %zu",
                    (long long)period, (long long)(2 * period), series->count);
    }
    if ((status = check_finite(series, err, cap)) != FP_STATUS_OK) return status;

    double sum_squares = 0;
    size_t n = series->count, m = (size_t)period;
    for (size_t t = m; t < n; t++) {
        double e = series->values[t] - series->values[t - m];
        sum_squares += e * e;
        if (host != NULL && host->progress != NULL && (t % 65536) == 0) host->progress(host->context, (double)t / n, "seasonal errors");
        if (host != NULL && host->is_cancelled != NULL && (t % 65536) == 0 && host->is_cancelled(host->context)) {
            return fail(err, cap, FP_STATUS_CANCELLED, "training was cancelled by the host");
        }
    }
    double sigma = sqrt(sum_squares / (double)(n - m));
    if (!isfinite(sigma)) return fail(err, cap, FP_STATUS_NUMERICAL, "the seasonal error variance overflowed");

    size_t size = 4 + 4 + 8 * 4 + 8 * m;
    uint8_t *blob = malloc(size);
    char *summary = malloc(256);
    if (blob == NULL || summary == NULL) {
        free(blob);
        free(summary);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "could not allocate the model blob");
    }
    uint8_t *p = blob;
    memcpy(p, SN_MAGIC, 4);
    p += 4;
    put_u32(&p, SN_FORMAT_VERSION);
    put_i64(&p, period);
    put_i64(&p, series->step_seconds);
    put_i64(&p, series->start_time + (int64_t)(n - 1) * series->step_seconds);
    put_f64(&p, sigma);
    for (size_t i = n - m; i < n; i++) put_f64(&p, series->values[i]);
    snprintf(summary, 256,
             "{\"model\":\"seasonal naive\",\"description\":\"seasonal naive, period %lld\","
             "\"period\":%lld,\"sigma\":%.17g,\"nobs\":%zu}",
             (long long)period, (long long)period, sigma, n);
    if (host != NULL && host->progress != NULL) host->progress(host->context, 1.0, "done");
    out->blob = blob;
    out->blob_size = size;
    out->summary_json = summary;
    return FP_STATUS_OK;
}

static int32_t sn_load(const uint8_t *blob, size_t size, fp_model **out_model, char *err, size_t cap) {
    if (out_model == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "load needs an output pointer");
    if (blob == NULL || size < 40 || memcmp(blob, SN_MAGIC, 4) != 0) {
        return fail(err, cap, FP_STATUS_BAD_MODEL, "not a seasonal-naive model blob (%zu bytes)", size);
    }
    uint32_t version = get_u32(blob + 4);
    if (version != SN_FORMAT_VERSION) {
        return fail(err, cap, FP_STATUS_BAD_MODEL, "seasonal-naive blob format %u is not supported (this plugin reads %u)", version, SN_FORMAT_VERSION);
    }
    int64_t period = get_i64(blob + 8);
    if (period < 1 || period > SN_MAX_PERIOD || size != 40 + 8 * (size_t)period) {
        return fail(err, cap, FP_STATUS_BAD_MODEL, "the seasonal-naive blob is truncated or corrupt (%zu bytes for period %lld)", size, (long long)period);
    }
    fp_model *model = calloc(1, sizeof *model);
    double *cycle = malloc(8 * (size_t)period);
    if (model == NULL || cycle == NULL) {
        free(model);
        free(cycle);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "could not allocate the model");
    }
    model->period = period;
    model->step_seconds = get_i64(blob + 16);
    model->last_time = get_i64(blob + 24);
    model->sigma = get_f64(blob + 32);
    model->last_cycle = cycle;
    /* Times within the years 1..9999 and steps of at most a year keep
     * last_time + n * step_seconds far from overflow. */
    int ok = model->step_seconds > 0 && model->step_seconds <= FP_MAX_STEP_SECONDS &&
             model->last_time >= FP_MIN_TIME && model->last_time <= FP_MAX_TIME &&
             isfinite(model->sigma) && model->sigma >= 0;
    for (int64_t i = 0; i < period; i++) {
        cycle[i] = get_f64(blob + 40 + 8 * i);
        ok = ok && isfinite(cycle[i]);
    }
    if (!ok) {
        free(cycle);
        free(model);
        return fail(err, cap, FP_STATUS_BAD_MODEL, "the seasonal-naive blob holds invalid values");
    }
    *out_model = model;
    return FP_STATUS_OK;
}

/* Reads the model only: safe to call concurrently on one model. */
static int32_t sn_forecast(const fp_model *model, int32_t horizon, double level,
                           double *mean, double *lower, double *upper, char *err, size_t cap) {
    if (model == NULL || mean == NULL || lower == NULL || upper == NULL) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "forecast needs a model and three output arrays");
    }
    if (horizon < 1) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the horizon must be at least 1 step; got %d", horizon);
    if (!(level > 0 && level < 1)) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the interval level must lie strictly between 0 and 1; got %g", level);

    /* The two-sided critical value z with P(|Z| <= z) = level: solve erf(z / sqrt 2) = level
     * by Newton's method from a safe start; erf is monotone and smooth, so it converges. */
    double z = 2.0;
    for (int i = 0; i < 100; i++) {
        double f = erf(z / M_SQRT2) - level;
        double df = sqrt(2.0 / M_PI) * exp(-z * z / 2);
        double next = z - f / df;
        if (next <= 0) next = z / 2;
        if (fabs(next - z) < 1e-15 * z) { z = next; break; }
        z = next;
    }
    int64_t m = model->period;
    for (int32_t h = 1; h <= horizon; h++) {
        int64_t k = (h - 1) / m + 1;            /* whole cycles ahead */
        int64_t index = (h - 1) % m;            /* same phase in the last cycle */
        double half = z * model->sigma * sqrt((double)k);
        mean[h - 1] = model->last_cycle[index];
        lower[h - 1] = mean[h - 1] - half;
        upper[h - 1] = mean[h - 1] + half;
        /* A blob with an enormous sigma (found by fuzzing) overflows the bounds: the
         * contract forbids returning infinity from a successful forecast. */
        if (!isfinite(lower[h - 1]) || !isfinite(upper[h - 1])) {
            return fail(err, cap, FP_STATUS_NUMERICAL, "the interval at step %d overflows (sigma %g)", h, model->sigma);
        }
    }
    return FP_STATUS_OK;
}

static void sn_release_model(fp_model *model) {
    if (model == NULL) return;
    free(model->last_cycle);
    free(model);
}

static void sn_release_buffer(void *buffer) { free(buffer); }

/* Conditioning: slide the last cycle forward over the newer observations; sigma stays. */
static int32_t sn_condition(const fp_model *model, const fp_series *newer, fp_model **out_model, char *err, size_t cap) {
    if (model == NULL || newer == NULL || out_model == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "condition needs a model, a series and an output pointer");
    if (newer->step_seconds != model->step_seconds) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the new observations are %lld s apart; the model's are %lld s apart",
                    (long long)newer->step_seconds, (long long)model->step_seconds);
    }
    if (newer->start_time != model->last_time + model->step_seconds) {
        return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "the new observations must start at %lld, one step after the model's last; they start at %lld",
                    (long long)(model->last_time + model->step_seconds), (long long)newer->start_time);
    }
    if (newer->count > 0 && newer->values == NULL) return fail(err, cap, FP_STATUS_INVALID_ARGUMENT, "NULL values");
    int32_t status = check_finite(newer, err, cap);
    if (status != FP_STATUS_OK) return status;
    fp_model *next = calloc(1, sizeof *next);
    double *cycle = malloc(8 * (size_t)model->period);
    if (next == NULL || cycle == NULL) {
        free(next);
        free(cycle);
        return fail(err, cap, FP_STATUS_OUT_OF_MEMORY, "could not allocate the model");
    }
    size_t m = (size_t)model->period, n = newer->count;
    for (size_t i = 0; i < m; i++) {
        /* position i of the new last cycle is observation (n - m + i) of old-cycle ++ newer */
        size_t from_end = m - i; /* 1-based distance from the end */
        cycle[i] = from_end <= n ? newer->values[n - from_end] : model->last_cycle[m - (from_end - n)];
    }
    *next = *model;
    next->last_cycle = cycle;
    next->last_time = model->last_time + (int64_t)n * model->step_seconds;
    *out_model = next;
    return FP_STATUS_OK;
}

static const fp_plugin_descriptor descriptor = {
    .abi_version = FP_ABI_VERSION,
    .struct_size = sizeof(fp_plugin_descriptor),
    .name = "seasonal-naive",
    .version = "1.0.0",
    .description = "Seasonal naive baseline: repeats the last cycle (24 h), intervals from in-sample seasonal errors",
    .train = sn_train,
    .load = sn_load,
    .forecast = sn_forecast,
    .release_model = sn_release_model,
    .release_buffer = sn_release_buffer,
    .condition = sn_condition,
    .get_extension = NULL,
    .default_options_json = "{\"period\": 24}",
    .capabilities = 0, /* finite values only: the newest gap-free stretch is what it repeats */
};

FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void) { return &descriptor; }
