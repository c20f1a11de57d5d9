/* Human-readable names for the FP_STATUS_* codes of forecast_plugin.h. */
#include "forecast_plugin.h"

const char *fp_status_name(int32_t status) {
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
