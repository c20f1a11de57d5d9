/*
 * forecast_plugin.h -- the forecast host's plugin contract, ABI version 1.1.
 *
 * Changes
 *   1.1  fp_plugin_descriptor.capabilities appended (FP_CAPABILITY_MISSING_VALUES: train
 *        and condition accept NaN as "not observed"). fp_status_name is a static inline
 *        function here, so a plugin needs no symbol of the host's. The time and step
 *        limits are named constants (FP_MIN_TIME, FP_MAX_TIME, FP_MAX_STEP_SECONDS), the
 *        version constants are plain literals other languages can import, and
 *        FP_STRUCT_COVERS reads an appended field only when struct_size covers it.
 *        A 1.1 host loads 1.0 plugins unchanged, and a 1.1 plugin runs under a 1.0 host
 *        (which reads no capabilities, so it passes finite values only).
 *   1.0  the first version.
 *
 * A plugin is a shared library that exports ONE function, FORECAST_PLUGIN_ENTRY_NAME
 * ("forecast_plugin_entry"), returning a pointer to a constant fp_plugin_descriptor.
 * This header is the whole contract: a plugin written in C, Swift, Rust or anything
 * else that can export a C function needs nothing but this file.
 *
 * Versioning
 *   fp_plugin_descriptor.abi_version holds (major << 16) | minor. The host refuses a
 *   major version it does not speak. Minor versions only ever APPEND fields to the
 *   end of a struct; struct_size tells the reader how many bytes are really there.
 *   Both sides follow the same two rules for fp_plugin_descriptor and fp_host:
 *     - accept any struct_size from the 1.0 size up (a newer peer is bigger, an older
 *       one smaller than the struct this header declares);
 *     - read a field only when struct_size covers it (FP_STRUCT_COVERS below), and
 *       treat an uncovered field as zero / NULL / "not offered".
 *   fp_series and fp_trained carry no size and never grow in place: a later minor
 *   version that needs more passes a new struct to a new entry point appended to the
 *   descriptor. Optional features are either a NULL-able function pointer, a
 *   capability bit, or found by string through get_extension.
 *
 * Memory ownership ("whoever allocates frees")
 *   - Everything the host passes in (series values, option strings, blobs, output
 *     arrays, error buffers) is owned by the host and valid only for the call.
 *     A plugin copies what it wants to keep.
 *   - Every buffer a plugin returns (model blob, summary JSON) is owned by the plugin
 *     and is released by the host through the SAME plugin's release_buffer, which is
 *     given the pointer only, never the size: a plugin whose allocator needs the size
 *     (Rust's, say) stores it in a header in front of the bytes it hands out.
 *   - A model handle made by load or condition is released by release_model.
 *
 * Errors
 *   Every fallible call returns an int32_t status (FP_STATUS_*). On any status other
 *   than FP_STATUS_OK the plugin writes a NUL-terminated UTF-8 message, truncated to
 *   fit, into the caller's error buffer (err, err_capacity) when err is not NULL and
 *   err_capacity > 0, and leaves every output pointer untouched or NULL. A plugin
 *   never aborts, never prints to stdout, and never returns NaN or infinity in a
 *   successful forecast: a numerical failure is FP_STATUS_NUMERICAL with a message.
 *   The host shows the message after its own prefix naming the plugin, the call and
 *   the status ("plugin holt: train failed (insufficient data): <message>"), so the
 *   message need not repeat them.
 *
 * Threads
 *   Each function below carries a tag:
 *   [thread-safe]  may be called from any thread, concurrently with any other call,
 *                  including with itself on the SAME object.
 *   [distinct]     may be called concurrently, but not on the same object at once.
 *   Nothing in this ABI depends on the calling thread's identity.
 *
 * Lifetime
 *   The host loads a plugin once with dlopen(RTLD_NOW | RTLD_LOCAL) and never unloads
 *   it. A plugin may therefore keep static state, but must not rely on a library
 *   destructor running before the process exits.
 *
 * Time
 *   Times are seconds since 1970-01-01T00:00:00Z (Unix time, UTC), as int64_t. A plugin
 *   may answer FP_STATUS_INVALID_ARGUMENT to a start time outside the years 1..9999
 *   (FP_MIN_TIME .. FP_MAX_TIME) or a step outside 1 .. FP_MAX_STEP_SECONDS (one
 *   year), and FP_STATUS_BAD_MODEL to a blob holding such values: within these ranges
 *   time + horizon * step cannot overflow.
 *
 * Other languages
 *   Every constant below but FP_PLUGIN_DESCRIPTOR_SIZE_1_0 (an offsetof: 96 bytes
 *   with 8-byte pointers) is a plain literal, so bindings (Swift's importer, Rust's
 *   hand-written #[repr(C)] types) can take it as is. The two helpers, fp_status_name
 *   and FP_STRUCT_COVERS, are a few lines each to rewrite.
 */
#ifndef FORECAST_PLUGIN_H
#define FORECAST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- versions -- */

/** The major version: a host speaks exactly one. Bumped only for breaking changes. */
#define FP_ABI_VERSION_MAJOR 1
/** The minor version: bumped when fields are appended. */
#define FP_ABI_VERSION_MINOR 1
/** The packed version a plugin built against this header reports:
 *  (FP_ABI_VERSION_MAJOR << 16) | FP_ABI_VERSION_MINOR, written out as a literal. */
#define FP_ABI_VERSION 0x00010001u
/** The packed version 1.0, the oldest this major version has. */
#define FP_ABI_VERSION_1_0 0x00010000u
/** Extracts the major version from a packed abi_version. */
#define FP_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
/** Extracts the minor version from a packed abi_version. */
#define FP_ABI_MINOR(v) ((uint32_t)(v) & 0xFFFFu)

/** The name of the one symbol every plugin exports. */
#define FORECAST_PLUGIN_ENTRY_NAME "forecast_plugin_entry"

/** Marks a symbol as exported from the shared library (use on the entry function). */
#if defined(_WIN32)
#define FP_EXPORT __declspec(dllexport)
#else
#define FP_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------- statuses -- */

/** Success. */
#define FP_STATUS_OK 0
/** An argument is malformed: bad options JSON, unknown option, horizon < 1,
 *  level outside (0, 1), a NULL pointer where one is required. */
#define FP_STATUS_INVALID_ARGUMENT 1
/** The series is too short for the requested model. */
#define FP_STATUS_INSUFFICIENT_DATA 2
/** The data contain NaN or infinite values. */
#define FP_STATUS_INVALID_DATA 3
/** The fit failed numerically: singular design, constant series, no convergence. */
#define FP_STATUS_NUMERICAL 4
/** The host asked to cancel (fp_host.is_cancelled returned non-zero). */
#define FP_STATUS_CANCELLED 5
/** A model blob is truncated, corrupt, or of a format version this plugin cannot read. */
#define FP_STATUS_BAD_MODEL 6
/** Memory could not be allocated. */
#define FP_STATUS_OUT_OF_MEMORY 7
/** An optional feature was requested that this plugin or model does not offer. */
#define FP_STATUS_UNSUPPORTED 8
/** Anything else; the error text says what. */
#define FP_STATUS_INTERNAL 9

/** Returns a static, human-readable name for a status code ("ok", "invalid argument", ...).
 *  Defined here (static inline), so calling it needs nothing from the host. */
static inline const char *fp_status_name(int32_t status) {
    switch (status) {
    case FP_STATUS_OK: return "ok";
    case FP_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case FP_STATUS_INSUFFICIENT_DATA: return "insufficient data";
    case FP_STATUS_INVALID_DATA: return "invalid data";
    case FP_STATUS_NUMERICAL: return "numerical failure";
    case FP_STATUS_CANCELLED: return "cancelled";
    case FP_STATUS_BAD_MODEL: return "bad model";
    case FP_STATUS_OUT_OF_MEMORY: return "out of memory";
    case FP_STATUS_UNSUPPORTED: return "unsupported";
    case FP_STATUS_INTERNAL: return "internal error";
    default: return "unknown status";
    }
}

/* ------------------------------------------------------------------ limits -- */

/** The earliest time a series or model may hold: 0001-01-01T00:00:00Z. */
#define FP_MIN_TIME (-62135596800LL)
/** The latest time a series or model may hold: 9999-12-31T23:59:59Z. */
#define FP_MAX_TIME 253402300799LL
/** The longest step between observations: one year of 366 days. */
#define FP_MAX_STEP_SECONDS 31622400LL

/* ---------------------------------------------------------- struct growth -- */

/**
 * Non-zero when the struct at `ptr`, of C type `type`, is big enough to hold `field`:
 * its struct_size reaches the end of the field. Read every field appended after 1.0
 * (the ones marked "Since 1.1") only when this holds, e.g.
 *
 *     uint64_t caps = FP_STRUCT_COVERS(d, fp_plugin_descriptor, capabilities) ? d->capabilities : 0;
 *
 * and copy a struct from a peer with min(struct_size, sizeof) bytes, never by value.
 */
#define FP_STRUCT_COVERS(ptr, type, field) \
    ((size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ------------------------------------------------------------ capabilities -- */

/** Capability bit (fp_plugin_descriptor.capabilities, since 1.1): train and condition
 *  accept NaN in fp_series.values as "not observed at this time". With it, the host
 *  may pass the whole history with its missing hours as NaN (it still never passes
 *  an infinity); without it, the host passes finite values only. Either way a
 *  successful forecast is finite. */
#define FP_CAPABILITY_MISSING_VALUES 0x1ull

/* ------------------------------------------------------------ log levels -- */

/* The host writes INFO and above to its standard error, with the plugin's name; it
 * drops DEBUG lines unless FORECAST_PLUGIN_DEBUG=1 is set in its environment. */
#define FP_LOG_DEBUG 0
#define FP_LOG_INFO 1
#define FP_LOG_WARNING 2
#define FP_LOG_ERROR 3

/* ---------------------------------------------------------- host services -- */

/**
 * Services the host offers a plugin during train. Passed by pointer; owned by the
 * host and valid only for the duration of the call it is passed to. A plugin reads
 * only the fields struct_size covers (FP_STRUCT_COVERS), accepts a struct smaller or
 * bigger than the one it was compiled with, and treats a NULL or uncovered function
 * as "not offered".
 */
typedef struct fp_host {
    /** sizeof(fp_host) as the host compiled it. */
    uint32_t struct_size;
    /** The host's packed ABI version (FP_ABI_VERSION). */
    uint32_t abi_version;
    /** Opaque host data: pass it back as the first argument of every function below. */
    void *context;

    /** [thread-safe] Writes one log line (UTF-8, no trailing newline needed) at
     *  an FP_LOG_* level. The host copies the message before returning. */
    void (*log)(void *context, int32_t level, const char *message);

    /** [thread-safe] Reports training progress: fraction in [0, 1] (monotone within
     *  one train call), stage a short UTF-8 label ("selecting order") or NULL.
     *  The host copies the label before returning. */
    void (*progress)(void *context, double fraction, const char *stage);

    /** [thread-safe] Returns non-zero once the host wants the current train call to
     *  stop. A plugin polls it between units of work (e.g. between candidate models)
     *  and then returns FP_STATUS_CANCELLED. Cheap to call. */
    int32_t (*is_cancelled)(void *context);
} fp_host;

/* ------------------------------------------------------------------ series -- */

/** One univariate, evenly spaced series. Owned by the host; valid during the call. */
typedef struct fp_series {
    /** count observations, oldest first. Finite values only, unless the plugin
     *  declares FP_CAPABILITY_MISSING_VALUES: then a value may also be NaN ("not
     *  observed"). A plugin answers FP_STATUS_INVALID_DATA to an infinity, and to a NaN
     *  it did not declare it accepts. */
    const double *values;
    /** Number of observations. */
    size_t count;
    /** Time of values[0] (Unix seconds, UTC). */
    int64_t start_time;
    /** Seconds between consecutive observations (3600 for hourly data); > 0. */
    int64_t step_seconds;
} fp_series;

/** What train produces. Every pointer is owned by the plugin: release each non-NULL
 *  one with the plugin's release_buffer. */
typedef struct fp_trained {
    /** The model blob: opaque bytes the host stores and later hands to load. A plugin
     *  should version its blob format so that load can refuse foreign versions. */
    uint8_t *blob;
    /** Size of blob in bytes. */
    size_t blob_size;
    /** A NUL-terminated UTF-8 JSON object summarising the fit (chosen order,
     *  coefficients, information criteria, ...). The host stores it verbatim in the
     *  model's manifest and shows it to users. May be NULL. A string key
     *  "description" holding one line that says what was fitted ("ARIMA(2,0,3) with
     *  constant + 2 Fourier pairs") is shown with every forecast the server answers;
     *  without it the server shows the plugin's name and version, and
     *  `forecast plugins check` warns. */
    char *summary_json;
} fp_trained;

/** A loaded, immutable model. Opaque to the host. */
typedef struct fp_model fp_model;

/* -------------------------------------------------------------- descriptor -- */

/**
 * The plugin descriptor. A plugin returns a pointer to ONE constant instance with
 * static storage duration; the host never writes to it or frees it.
 * Fields are only ever appended (guarded by struct_size); never reordered.
 */
typedef struct fp_plugin_descriptor {
    /** FP_ABI_VERSION the plugin was built against. Must be the first field. */
    uint32_t abi_version;
    /** sizeof(fp_plugin_descriptor) as the plugin compiled it. Must be the second. */
    uint32_t struct_size;

    /** Unique, non-empty name: lowercase letters, digits, '-' and '_' (e.g. "arima").
     *  It names the plugin's default route (/<name>), its model files and its
     *  options in plugins.json. Static storage, UTF-8. */
    const char *name;
    /** The plugin's own version, e.g. "1.2.0". Static storage, UTF-8. */
    const char *version;
    /** One line saying what the plugin does. Static storage, UTF-8. */
    const char *description;

    /**
     * [thread-safe] Fits a model to one series.
     *
     *   host          services for logging, progress and cancellation; may be NULL.
     *   series        the data (see fp_series); not retained.
     *   options_json  a NUL-terminated UTF-8 JSON object with the plugin's options,
     *                 or NULL / "" / "{}" for the defaults. A plugin rejects unknown
     *                 keys and ill-typed values with FP_STATUS_INVALID_ARGUMENT.
     *   out           on FP_STATUS_OK, filled with plugin-owned buffers (see
     *                 fp_trained); on failure left zeroed.
     *   err, err_capacity  the caller's error buffer (see "Errors" above).
     *
     * Returns FP_STATUS_OK, INVALID_ARGUMENT, INSUFFICIENT_DATA, INVALID_DATA,
     * NUMERICAL, CANCELLED, OUT_OF_MEMORY or INTERNAL.
     * May be called concurrently with itself on distinct (or the same) inputs.
     */
    int32_t (*train)(const fp_host *host, const fp_series *series, const char *options_json,
                     fp_trained *out, char *err, size_t err_capacity);

    /**
     * [thread-safe] Turns a blob made by this plugin's train into a model handle.
     *
     *   blob, blob_size  the bytes; owned by the caller, not retained (copy them).
     *   out_model        on FP_STATUS_OK, a new handle owned by the caller, released
     *                    with release_model.
     *
     * Returns FP_STATUS_OK, BAD_MODEL (truncated, corrupt, other format version),
     * OUT_OF_MEMORY or INTERNAL. Must never crash on arbitrary bytes.
     */
    int32_t (*load)(const uint8_t *blob, size_t blob_size, fp_model **out_model,
                    char *err, size_t err_capacity);

    /**
     * [thread-safe] Forecasts the `horizon` steps after the model's last observation.
     * Safe to call concurrently on ONE model; the result depends only on the model
     * and the arguments (deterministic), so a host may cache it.
     *
     *   model    a handle from load or condition.
     *   horizon  number of steps, >= 1.
     *   level    central interval probability in (0, 1), e.g. 0.95.
     *   mean, lower, upper  caller-owned arrays of `horizon` doubles each; on
     *            FP_STATUS_OK every element is finite and lower <= mean <= upper.
     *
     * Returns FP_STATUS_OK, INVALID_ARGUMENT (horizon < 1, level not in (0, 1), NULL
     * arrays), NUMERICAL or INTERNAL.
     */
    int32_t (*forecast)(const fp_model *model, int32_t horizon, double level,
                        double *mean, double *lower, double *upper,
                        char *err, size_t err_capacity);

    /**
     * [distinct] Releases a model handle. NULL is a no-op. The host calls it once per
     * handle, after every other call on that handle has returned.
     */
    void (*release_model)(fp_model *model);

    /**
     * [thread-safe] Releases a buffer this plugin returned (fp_trained.blob,
     * fp_trained.summary_json, or a buffer from an extension). NULL is a no-op. No
     * size is passed: see "Memory ownership" above.
     */
    void (*release_buffer)(void *buffer);

    /**
     * OPTIONAL (NULL when the plugin lacks it).
     * [thread-safe] Conditions a model on newer observations WITHOUT refitting: the
     * new model keeps the fitted parameters and forecasts from the end of `newer`
     * (pmdarima calls this `update`). The input model is not modified.
     *
     *   model      the fitted model.
     *   newer      observations that continue the model's series: newer->start_time
     *              is one step after the model's last observation and
     *              newer->step_seconds equals the model's step. count may be 0.
     *   out_model  on FP_STATUS_OK, a new caller-owned handle (release_model).
     *
     * Returns FP_STATUS_OK, INVALID_ARGUMENT (wrong start or step), INVALID_DATA
     * (infinity, or NaN without FP_CAPABILITY_MISSING_VALUES), NUMERICAL,
     * OUT_OF_MEMORY or INTERNAL.
     */
    int32_t (*condition)(const fp_model *model, const fp_series *newer, fp_model **out_model,
                         char *err, size_t err_capacity);

    /**
     * OPTIONAL (NULL when absent). [thread-safe] Looks up an optional feature by a
     * dotted name (e.g. "org.example.diagnostics.v1") and returns a pointer to its
     * static table, or NULL when the plugin does not offer it. Lets plugins and hosts
     * grow features without an ABI bump.
     */
    const void *(*get_extension)(const char *id);

    /** A NUL-terminated JSON object with the plugin's default options, for users to
     *  read (`forecast plugins`), or NULL. Static storage. */
    const char *default_options_json;

    /* ---- 1.0 ends here (FP_PLUGIN_DESCRIPTOR_SIZE_1_0 bytes). Since 1.1: ---- */

    /** Since 1.1. A bit set of FP_CAPABILITY_* flags; 0 declares none. A host ignores
     *  bits it does not know, and reads the field only when struct_size covers it. */
    uint64_t capabilities;
} fp_plugin_descriptor;

/** The size of an ABI 1.0 descriptor: everything before `capabilities`. The smallest
 *  struct_size a host of this major version accepts. */
#define FP_PLUGIN_DESCRIPTOR_SIZE_1_0 offsetof(fp_plugin_descriptor, capabilities)

/**
 * The entry point: the one symbol a plugin exports, named FORECAST_PLUGIN_ENTRY_NAME.
 * [thread-safe] Returns the same pointer to a constant descriptor on every call;
 * never NULL. It must be cheap and must not allocate per call.
 */
typedef const fp_plugin_descriptor *(*fp_plugin_entry_fn)(void);

/** Declaration of the entry point, for plugins written in C. */
FP_EXPORT const fp_plugin_descriptor *forecast_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* FORECAST_PLUGIN_H */
