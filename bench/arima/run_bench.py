#!/usr/bin/env python3
"""ARIMA benchmark: our plugin (seed settings) vs pmdarima auto_arima (seed call) vs statsforecast AutoARIMA.

    swift build -c release --product ARIMA --scratch-path .build-arima
    bench/arima/run_baselines.sh          # slow: pmdarima ~7 min on 45k (cached in results/)
    /work/venv/bin/python bench/arima/run_bench.py [path/to/libARIMA.so]

Times our plugin through its C ABI (ctypes, the series already in a C array), reads the
baselines' cached timings, and puts every chosen order on one yardstick: its AIC from an exact
maximum-likelihood fit of that order by our plugin (whose likelihood matches statsmodels' SARIMAX
to 1e-8), next to the AIC each tool reported. Wall and CPU seconds are both printed: the machine
is shared, so wall time depends on the load; CPU time of this process measures our work alone.
"""
import ctypes as C
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import data  # noqa: E402
import fp  # noqa: E402

LIB = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parents[1] / ".build-arima/release/libARIMA.so")
SEED = {"start_p": 1, "start_q": 1, "test": "adf", "max_p": 3, "max_q": 3, "stepwise": True, "seasonal": "none"}


def train_timed(plugin, values, options):
    arr = (C.c_double * len(values))(*values)
    series = fp.Series(arr, len(values), 0, 3600)
    out = fp.Trained()
    err = C.create_string_buffer(1024)
    opts = json.dumps(options).encode()
    wall, cpu = time.perf_counter(), time.process_time()
    status = plugin.d.train(None, C.byref(series), opts, C.byref(out), err, 1024)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if status != 0:
        raise fp.PluginFailure(status, err.value.decode())
    summary = json.loads(C.string_at(out.summary_json).decode())
    plugin.d.release_buffer(C.cast(out.blob, C.c_void_p))
    plugin.d.release_buffer(out.summary_json)
    return wall, cpu, summary


def yardstick_aic(plugin, values, order, constant):
    _, _, s = train_timed(plugin, values, {"order": order, "with_constant": constant, "seasonal": "none"})
    return s["aic"]


def main():
    plugin = fp.Plugin(LIB)
    rows = []
    for name in ["45k", "8.7k"]:
        y = [float(v) for v in data.series(name)]
        runs = [train_timed(plugin, y, SEED) for _ in range(3)]
        wall = min(r[0] for r in runs)
        cpu = min(r[1] for r in runs)
        ours = runs[0][2]
        exact_wall, exact_cpu, exact = train_timed(plugin, y, dict(SEED, approximation=True))
        rows.append((name, "ours (seed settings)", wall, cpu, ours["order"], ours["constant"], ours["aic"], ours["aic"]))
        rows.append((name, "ours, CSS search", exact_wall, exact_cpu, exact["order"], exact["constant"], exact["aic"], exact["aic"]))
        for tool in ["pmdarima", "statsforecast"]:
            path = HERE / "results" / f"{tool}-{name}.json"
            if not path.exists():
                rows.append((name, tool, None, None, None, None, None, None))
                continue
            r = json.loads(path.read_text())
            aic = yardstick_aic(plugin, y, r["order"], r["constant"])
            rows.append((name, tool, r["seconds"], None, r["order"], r["constant"], r["aic"], aic))
    print(f"{'series':7} {'tool':22} {'wall s':>9} {'cpu s':>7} {'order':>10} {'const':>5} {'own AIC':>12} {'AIC (exact ML)':>15}")
    for name, tool, wall, cpu, order, const, aic, yard in rows:
        fmt = lambda v, f: ("-" if v is None else format(v, f))
        print(f"{name:7} {tool:22} {fmt(wall, '9.2f')} {fmt(cpu, '7.2f')} {str(order):>10} {str(const):>5} {fmt(aic, '12.2f')} {fmt(yard, '15.2f')}")
    print()
    for name in ["45k", "8.7k"]:
        ours = next(r for r in rows if r[0] == name and r[1].startswith("ours (seed"))
        for tool in ["pmdarima", "statsforecast"]:
            other = next(r for r in rows if r[0] == name and r[1] == tool)
            if other[2] is None:
                continue
            print(f"{name}: {tool} / ours = {other[2] / ours[2]:.0f}x wall (ours {ours[2]:.2f} s wall, {ours[3]:.2f} s cpu); "
                  f"AIC ours - {tool} = {ours[7] - other[7]:+.2f} (exact-ML yardstick)")
    print()
    y = [float(v) for v in data.series("45k")]
    print("scaling (seed settings, best of 3):")
    for n in [5000, 10000, 20000, 45000]:
        runs = [train_timed(plugin, y[:n], SEED) for _ in range(3)]
        s = runs[0][2]
        print(f"  n={n:6d}: wall {min(r[0] for r in runs):6.3f} s, cpu {min(r[1] for r in runs):6.3f} s, {s['order']} const={s['constant']}")
    runs = [train_timed(plugin, y, {}) for _ in range(3)]
    s = runs[0][2]
    print(f"\ndefault options ({{}}: seasonal auto, calibrated intervals), 45k, best of 3: "
          f"wall {min(r[0] for r in runs):6.3f} s, cpu {min(r[1] for r in runs):6.3f} s, {s['model']} (budget 3 s)")
    # The same without the seasonal-AR candidate (the third round's defaults), in the same run.
    before = [train_timed(plugin, y, {"seasonal_order": [0, 0]}) for _ in range(3)]
    print(f"default options without the seasonal-factor candidate ({{\"seasonal_order\": [0, 0]}}), 45k, best of 3: "
          f"wall {min(r[0] for r in before):6.3f} s, cpu {min(r[1] for r in before):6.3f} s, {before[0][2]['model']}; "
          f"ratio with / without {min(r[1] for r in runs) / min(r[1] for r in before):.2f} (cpu)")
    print(f"\nload average during the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
