/*
 * Compile-time checks of the promises forecast_plugin.h makes about its own layout:
 * the packed version matches its parts, and ABI 1.0's fields keep the offsets they
 * had (appending is the only change a minor version may make). Nothing here is
 * linked into anything that needs it; the header alone is the contract.
 */
#include "forecast_plugin.h"

_Static_assert(FP_ABI_VERSION == ((FP_ABI_VERSION_MAJOR << 16) | FP_ABI_VERSION_MINOR),
               "FP_ABI_VERSION must equal (major << 16) | minor");
_Static_assert(FP_ABI_VERSION_1_0 == ((FP_ABI_VERSION_MAJOR << 16) | 0), "FP_ABI_VERSION_1_0 is major.0");

/* ABI 1.0's descriptor: two u32, then eleven pointers. */
_Static_assert(offsetof(fp_plugin_descriptor, struct_size) == 4, "struct_size is the second field");
_Static_assert(offsetof(fp_plugin_descriptor, name) == 8, "1.0 layout");
_Static_assert(offsetof(fp_plugin_descriptor, train) == 8 + 3 * sizeof(void *), "1.0 layout");
_Static_assert(offsetof(fp_plugin_descriptor, default_options_json) == 8 + 10 * sizeof(void *), "1.0 layout");
_Static_assert(FP_PLUGIN_DESCRIPTOR_SIZE_1_0 == 8 + 11 * sizeof(void *), "1.0 ends after default_options_json");

/* fp_host has not grown since 1.0: two u32 and four pointers. */
_Static_assert(sizeof(fp_host) == 8 + 4 * sizeof(void *), "fp_host 1.0 layout");
