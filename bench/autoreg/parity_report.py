#!/usr/bin/env python3
"""Prints how far the plugin is from the committed statsmodels fixtures, case by case:
the worst relative coefficient difference, the sigma2 difference, and the worst absolute
difference of forecast means and interval bounds (plain and after conditioning).

    /work/venv/bin/python bench/autoreg/parity_report.py [--lib PATH]
"""
import argparse
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autoreg_ctypes import Plugin  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The options that reproduce statsmodels whatever the plugin's defaults are.
PINS = {"difference": 0, "selection": "ic", "intervals": "gaussian"}


def worst_bounds(model, horizon, mean, intervals):
    worst_mean = worst_bound = 0.0
    for key, bounds in intervals.items():
        m, lo, up = (np.array(v) for v in model.forecast(horizon, float(key)))
        worst_mean = max(worst_mean, np.max(np.abs(m - mean)))
        worst_bound = max(worst_bound, np.max(np.abs(lo - bounds["lower"])), np.max(np.abs(up - bounds["upper"])))
    return worst_mean, worst_bound


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(ROOT, ".build-autoreg", "release", "libAutoReg.so"))
    args = parser.parse_args()
    plugin = Plugin(args.lib)
    print(f"{'case':26} {'n':>5} {'p':>3} {'coef rel':>9} {'sigma2 abs':>10} {'mean abs':>9} {'bound abs':>9} "
          f"{'cond mean':>9} {'cond bnd':>9}")
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests", "Fixtures", "autoreg", "*.json"))):
        if os.path.basename(path).startswith("missing_"):
            continue  # OLS-on-complete-rows cases, checked by AutoRegMissingValuesTests
        f = json.load(open(path))
        f["options"] = {**PINS, **f["options"]}
        y = np.array(f["series"])
        blob, s = plugin.train(y, json.dumps(f["options"]))
        assert s["selected_lags"] == f["selected_lags"], (path, s["selected_lags"], f["selected_lags"])
        assert len(s["params"]) == len(f["params"])
        coef = max((abs(a - b) / abs(b) for a, b in zip(s["params"], f["params"])), default=0.0)
        mean, bound = worst_bounds(plugin.load(blob), f["horizon"], np.array(f["mean"]), f["intervals"])
        c = f["conditioned"]
        early, _ = plugin.train(y[:c["split"]], json.dumps(f["options"]))
        conditioned = plugin.load(early).condition(y[c["split"]:], 1_356_998_400 + 3600 * c["split"])
        cmean, cbound = worst_bounds(conditioned, f["horizon"], np.array(c["mean"]), c["intervals"])
        print(f"{f['case']:26} {y.size:5d} {s['selected_lags']:3d} {coef:9.1e} {abs(s['sigma2'] - f['sigma2']):10.1e} "
              f"{mean:9.1e} {bound:9.1e} {cmean:9.1e} {cbound:9.1e}")


if __name__ == "__main__":
    main()
