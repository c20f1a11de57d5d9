"""A thin ctypes binding of the plugin C ABI (Sources/PluginABI/include/forecast_plugin.h),
enough to train, load and forecast with libAutoReg.so from Python. Used by the benchmark
and the defaults experiment; it calls exactly what the host calls."""
import ctypes as C
import json


class FpHost(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("abi_version", C.c_uint32), ("context", C.c_void_p),
                ("log", C.c_void_p), ("progress", C.c_void_p), ("is_cancelled", C.c_void_p)]


class FpSeries(C.Structure):
    _fields_ = [("values", C.POINTER(C.c_double)), ("count", C.c_size_t),
                ("start_time", C.c_int64), ("step_seconds", C.c_int64)]


class FpTrained(C.Structure):
    _fields_ = [("blob", C.POINTER(C.c_uint8)), ("blob_size", C.c_size_t), ("summary_json", C.c_void_p)]


TRAIN = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.POINTER(FpSeries), C.c_char_p, C.POINTER(FpTrained),
                    C.c_char_p, C.c_size_t)
LOAD = C.CFUNCTYPE(C.c_int32, C.POINTER(C.c_uint8), C.c_size_t, C.POINTER(C.c_void_p), C.c_char_p, C.c_size_t)
FORECAST = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.c_int32, C.c_double, C.POINTER(C.c_double),
                       C.POINTER(C.c_double), C.POINTER(C.c_double), C.c_char_p, C.c_size_t)
RELEASE_MODEL = C.CFUNCTYPE(None, C.c_void_p)
RELEASE_BUFFER = C.CFUNCTYPE(None, C.c_void_p)
CONDITION = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.POINTER(FpSeries), C.POINTER(C.c_void_p), C.c_char_p, C.c_size_t)


class FpDescriptor(C.Structure):
    _fields_ = [("abi_version", C.c_uint32), ("struct_size", C.c_uint32), ("name", C.c_char_p),
                ("version", C.c_char_p), ("description", C.c_char_p), ("train", TRAIN), ("load", LOAD),
                ("forecast", FORECAST), ("release_model", RELEASE_MODEL), ("release_buffer", RELEASE_BUFFER),
                ("condition", CONDITION), ("get_extension", C.c_void_p), ("default_options_json", C.c_char_p)]


class PluginError(RuntimeError):
    def __init__(self, status, message):
        super().__init__(f"status {status}: {message}")
        self.status = status


class Plugin:
    """One loaded plugin library."""

    def __init__(self, path):
        self.lib = C.CDLL(path, mode=C.RTLD_LOCAL)
        entry = self.lib.forecast_plugin_entry
        entry.restype = C.POINTER(FpDescriptor)
        self.d = entry().contents
        self.name = self.d.name.decode()

    @staticmethod
    def _series(values, start_time, step):
        """An fp_series over `values` (a float64 numpy array, kept alive by the caller)."""
        import numpy as np
        array = np.ascontiguousarray(values, dtype=np.float64)
        return array, FpSeries(array.ctypes.data_as(C.POINTER(C.c_double)), array.size, start_time, step)

    def train(self, values, options="{}", start_time=1_356_998_400, step=3600):
        """Trains on `values` (numpy array or list); returns (blob bytes, summary dict)."""
        array, series = self._series(values, start_time, step)
        out = FpTrained()
        err = C.create_string_buffer(1024)
        status = self.d.train(None, C.byref(series), options.encode(), C.byref(out), err, 1024)
        if status != 0:
            raise PluginError(status, err.value.decode())
        blob = bytes(C.string_at(out.blob, out.blob_size))
        summary = json.loads(C.string_at(out.summary_json).decode())
        self.d.release_buffer(C.cast(out.blob, C.c_void_p))
        self.d.release_buffer(out.summary_json)
        return blob, summary

    def load(self, blob):
        """Loads a blob into a Model."""
        raw = (C.c_uint8 * len(blob)).from_buffer_copy(blob)
        handle = C.c_void_p()
        err = C.create_string_buffer(1024)
        status = self.d.load(raw, len(blob), C.byref(handle), err, 1024)
        if status != 0:
            raise PluginError(status, err.value.decode())
        return Model(self, handle)

    def forecast(self, blob, horizon, level=0.95):
        """Returns (mean, lower, upper) lists for a blob."""
        return self.load(blob).forecast(horizon, level)


class Model:
    """A loaded model handle, released when garbage-collected."""

    def __init__(self, plugin, handle):
        self.plugin, self.handle = plugin, handle

    def __del__(self):
        self.plugin.d.release_model(self.handle)

    def forecast(self, horizon, level=0.95):
        mean, lower, upper = (C.c_double * horizon)(), (C.c_double * horizon)(), (C.c_double * horizon)()
        err = C.create_string_buffer(1024)
        status = self.plugin.d.forecast(self.handle, horizon, level, mean, lower, upper, err, 1024)
        if status != 0:
            raise PluginError(status, err.value.decode())
        return list(mean), list(lower), list(upper)

    def condition(self, values, start_time, step=3600):
        """A new Model conditioned on `values` starting at `start_time`."""
        array, series = Plugin._series(values, start_time, step)
        handle = C.c_void_p()
        err = C.create_string_buffer(1024)
        status = self.plugin.d.condition(self.handle, C.byref(series), C.byref(handle), err, 1024)
        if status != 0:
            raise PluginError(status, err.value.decode())
        return Model(self.plugin, handle)
