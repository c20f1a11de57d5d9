import Foundation
import TestSupport

/// Compiles C sources into shared libraries with the system's `cc`, the way a
/// third-party author outside this package would: from the header alone.
struct LibraryBuilder {
    /// A private (mode 0700) temporary directory for the libraries.
    let directory: String

    init() throws {
        directory = try Scratch("plugins").path
    }

    /// Compiles `source` (C text) into `<directory>/<name>.so` and returns its path.
    @discardableResult
    func compile(_ source: String, name: String) throws -> String {
        try SharedLibraryCompiler.compile(text: source, into: directory, library: "\(name).so")
    }

    /// Compiles the C file at `path` into `<directory>/<name>.so`.
    @discardableResult
    func compile(file path: String, name: String) throws -> String {
        let output = "\(directory)/\(name).so"
        try SharedLibraryCompiler.compile(path, to: output)
        return output
    }

    /// Removes the directory.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A minimal descriptor whose fields the test fills in: `FIELDS` is replaced by the
/// designated initialisers, so each broken library differs in one respect.
func descriptorSource(_ fields: String, entry: String = "forecast_plugin_entry") -> String {
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
let validFields = """
    .abi_version = FP_ABI_VERSION, .struct_size = sizeof(fp_plugin_descriptor), .name = "NAME", .version = "0.1", \
    .description = "test", .train = t, .load = l, .forecast = f, .release_model = rm, .release_buffer = rb
    """
