/// A minimal descriptor whose fields the test fills in: `FIELDS` is replaced by the
/// designated initialisers, so each broken library differs in one respect.
public func descriptorSource(_ fields: String, entry: String = "forecast_plugin_entry") -> String {
    """
    #include "forecast_plugin.h"
    #include <stdlib.h>
    static int32_t t(const fp_host *h, const fp_series *s, const char *o, fp_trained *out, char *e, size_t c) { return FP_STATUS_INTERNAL; }
    static int32_t l(const uint8_t *b, size_t n, fp_model **m, char *e, size_t c) { return FP_STATUS_BAD_MODEL; }
    static int32_t f(const fp_model *m, int32_t h, double lv, double *a, double *b, double *u, char *e, size_t c) { return FP_STATUS_INTERNAL; }
    static void rm(fp_model *m) {}
    static void rb(void *b) { free(b); }
    static const fp_plugin_descriptor d = { \(fields) };
    FP_EXPORT const fp_plugin_descriptor *\(entry)(void) { return &d; }
    """
}

/// The fields of a descriptor that passes every loader check.
public let validFields = """
    .abi_version = FP_ABI_VERSION, .struct_size = sizeof(fp_plugin_descriptor), .name = "NAME", .version = "0.1", \
    .description = "test", .train = t, .load = l, .forecast = f, .release_model = rm, .release_buffer = rb
    """
