"""A thin ctypes harness over the forecast plugin C ABI (forecast_plugin.h), for benchmarks and checks."""
import ctypes as C
import json


class Series(C.Structure):
    _fields_ = [("values", C.POINTER(C.c_double)), ("count", C.c_size_t),
                ("start_time", C.c_int64), ("step_seconds", C.c_int64)]


class Trained(C.Structure):
    _fields_ = [("blob", C.POINTER(C.c_uint8)), ("blob_size", C.c_size_t), ("summary_json", C.c_void_p)]


TRAIN = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.POINTER(Series), C.c_char_p, C.POINTER(Trained), C.c_char_p, C.c_size_t)
LOAD = C.CFUNCTYPE(C.c_int32, C.POINTER(C.c_uint8), C.c_size_t, C.POINTER(C.c_void_p), C.c_char_p, C.c_size_t)
FORECAST = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.c_int32, C.c_double, C.POINTER(C.c_double), C.POINTER(C.c_double),
                       C.POINTER(C.c_double), C.c_char_p, C.c_size_t)
RELEASE_MODEL = C.CFUNCTYPE(None, C.c_void_p)
RELEASE_BUFFER = C.CFUNCTYPE(None, C.c_void_p)


class Descriptor(C.Structure):
    _fields_ = [("abi_version", C.c_uint32), ("struct_size", C.c_uint32), ("name", C.c_char_p),
                ("version", C.c_char_p), ("description", C.c_char_p), ("train", TRAIN), ("load", LOAD),
                ("forecast", FORECAST), ("release_model", RELEASE_MODEL), ("release_buffer", RELEASE_BUFFER),
                ("condition", C.c_void_p), ("get_extension", C.c_void_p), ("default_options_json", C.c_char_p)]


class PluginFailure(Exception):
    def __init__(self, status, message):
        super().__init__(f"status {status}: {message}")
        self.status = status


class Plugin:
    def __init__(self, path):
        self.lib = C.CDLL(path, mode=C.RTLD_LOCAL)
        entry = self.lib.forecast_plugin_entry
        entry.restype = C.POINTER(Descriptor)
        self.d = entry().contents

    def train(self, values, options="{}", start=0, step=3600):
        arr = (C.c_double * len(values))(*values)
        series = Series(arr, len(values), start, step)
        out = Trained()
        err = C.create_string_buffer(1024)
        status = self.d.train(None, C.byref(series), options.encode(), C.byref(out), err, 1024)
        if status != 0:
            raise PluginFailure(status, err.value.decode())
        blob = bytes(out.blob[:out.blob_size])
        summary = json.loads(C.string_at(out.summary_json).decode())
        self.d.release_buffer(C.cast(out.blob, C.c_void_p))
        self.d.release_buffer(out.summary_json)
        return blob, summary

    def forecast(self, blob, horizon, level=0.95):
        buf = (C.c_uint8 * len(blob)).from_buffer_copy(blob)
        model = C.c_void_p()
        err = C.create_string_buffer(1024)
        status = self.d.load(buf, len(blob), C.byref(model), err, 1024)
        if status != 0:
            raise PluginFailure(status, err.value.decode())
        mean, lo, hi = (C.c_double * horizon)(), (C.c_double * horizon)(), (C.c_double * horizon)()
        status = self.d.forecast(model, horizon, level, mean, lo, hi, err, 1024)
        self.d.release_model(model)
        if status != 0:
            raise PluginFailure(status, err.value.decode())
        return list(mean), list(lo), list(hi)
