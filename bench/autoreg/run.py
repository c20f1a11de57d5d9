#!/usr/bin/env python3
"""Benchmark: AutoReg plugin (release libAutoReg.so through its C ABI) against statsmodels.

Times lag selection + fit of the chosen order on a 45,000-point hourly temperature-like
series with maxlag 72: our `train` (ar_select_order-equivalent selection, refit, blob and
summary) against statsmodels' `ar_select_order(...)` + `.model.fit()` on the same data, in
one run, and prints both and the ratio; then our time at 5k, 10k, 20k and 45k points.
It also checks that both chose the same lag count and agree on the coefficients.

    swift build -c release --scratch-path .build-autoreg --product AutoReg
    /work/venv/bin/python bench/autoreg/run.py [--lib PATH] [--repeat N] [--seasonal]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from statsmodels.tsa.ar_model import ar_select_order

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autoreg_ctypes import Plugin  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def hourly_temperature(n, seed=2012):
    """Kelvin-scale hourly series: annual and daily cycles whose amplitude drifts, AR(2)
    weather noise with occasional fronts; the shape of the real data set's columns."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    annual = 10.0 * np.sin(2 * np.pi * (t / 24 - 110) / 365.25)
    daily = (4.0 + 2.0 * np.sin(2 * np.pi * t / (24 * 365.25))) * np.sin(2 * np.pi * (t - 9) / 24)
    e = rng.standard_normal(n) * 0.5
    fronts = (rng.random(n) < 0.004) * rng.normal(0, 4, n)
    noise = np.zeros(n)
    for i in range(2, n):
        noise[i] = 1.25 * noise[i - 1] - 0.28 * noise[i - 2] + e[i] + fronts[i]
    return 284.0 + annual + daily + noise


def time_ours(plugin, y, options, repeat):
    best = float("inf")
    summary = None
    for _ in range(repeat):
        start = time.perf_counter()
        _, summary = plugin.train(y, json.dumps(options))
        best = min(best, time.perf_counter() - start)
    return best, summary


def time_statsmodels(y, options):
    start = time.perf_counter()
    sel = ar_select_order(y, maxlag=options["maxlag"], ic=options["ic"], trend=options["trend"],
                          seasonal=options["seasonal"], period=options["period"] if options["seasonal"] else None)
    res = sel.model.fit()
    return time.perf_counter() - start, sel, res


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", default=os.path.join(ROOT, ".build-autoreg", "release", "libAutoReg.so"))
    parser.add_argument("--repeat", type=int, default=3, help="best of N for our timings")
    parser.add_argument("--seasonal", action="store_true", help="add 23 seasonal dummies (period 24)")
    parser.add_argument("--n", type=int, default=45_000)
    args = parser.parse_args()

    plugin = Plugin(args.lib)
    # The model statsmodels fits: levels, lag count by criterion, Gaussian intervals (pinned,
    # whatever the plugin's defaults are).
    options = {"maxlag": 72, "ic": "bic", "trend": "c", "seasonal": args.seasonal, "period": 24,
               "difference": 0, "selection": "ic", "intervals": "gaussian"}
    y = hourly_temperature(args.n)
    print(f"series: {y.size} hourly points; options {json.dumps(options)}; library {os.path.relpath(args.lib, ROOT)}")
    print(f"machine: {os.cpu_count()} cores (shared), numpy {np.__version__}")

    ours, summary = time_ours(plugin, y, options, args.repeat)
    theirs, sel, res = time_statsmodels(y, options)
    p_sm = max(sel.ar_lags) if sel.ar_lags else 0
    params = np.asarray(res.params)
    rel = np.max(np.abs(np.asarray(summary["params"]) - params) / np.abs(params)) if p_sm == summary["selected_lags"] else float("nan")
    print(f"\nselect+fit, n={y.size}, maxlag 72:")
    print(f"  statsmodels ar_select_order + fit : {theirs:8.3f} s   (selected p={p_sm})")
    print(f"  autoreg plugin train (best of {args.repeat})  : {ours:8.3f} s   (selected p={summary['selected_lags']})")
    print(f"  ratio                             : {theirs / ours:8.1f} x faster")
    print(f"  agreement: same p: {p_sm == summary['selected_lags']}; max relative coefficient difference {rel:.2e}; "
          f"sigma2 {summary['sigma2']:.10g} vs {float(res.sigma2):.10g}")

    defaults, s = time_ours(plugin, y, {}, args.repeat)
    print(f"\nthe plugin's default options ({plugin.d.default_options_json.decode()}), n={y.size}:")
    print(f"  autoreg plugin train (best of {args.repeat})  : {defaults:8.3f} s   (selected p={s['selected_lags']}, "
          f"intervals {s['intervals']})")

    print("\nscaling of our select+fit (maxlag 72):")
    for n in (5_000, 10_000, 20_000, 45_000):
        t, s = time_ours(plugin, y[:n], options, args.repeat)
        print(f"  n={n:6d}: {t * 1000:8.1f} ms  (p={s['selected_lags']})")


if __name__ == "__main__":
    main()
