#!/usr/bin/env python3
"""Scores a plugin's option sets on the real-data benchmark's series (bench/quality), fast.

It calls the plugin (libAutoReg.so, libARIMA.so, ...) through its C ABI exactly as `forecast backtest` does (fit once on
the data before the first origin, condition on the data up to each origin, forecast 72 h
at 95% and 80%) and scores with bench/quality's scoring code, beside the anchors the
benchmark has cached. It exists to try many candidate options in minutes; the numbers
that justify the defaults are bench/quality's own run (docs/autoreg.md, docs/arima.md).

    /work/venv/bin/python bench/autoreg/quality_sweep.py --lib .build-autoreg/release/libAutoReg.so \
        --data /work/quality-data --set tuning '{"maxlag":72}' '{"maxlag":120,"seasonal":true}'
    /work/venv/bin/python bench/autoreg/quality_sweep.py --lib .build/release/libARIMA.so \
        --data /work/quality-data --set tuning --humidity-bounds '{}' '{"seasonal_order": [0, 0]}'
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from autoreg_ctypes import Plugin  # noqa: E402


def load_series(data, city, variable):
    name = city.lower().replace(" ", "-") + ".csv"
    runs = sorted(glob.glob(os.path.join(data, "runs", "*", "processed", name)), key=os.path.getmtime)
    frame = pd.read_csv(runs[-1])
    values = frame[variable].to_numpy(float)
    times = pd.to_datetime(frame["datetime"]).astype("int64").to_numpy() // 10**9
    first = np.flatnonzero(~np.isnan(values))[0]
    return values[first:], times[first:]


def cached_anchors(data):
    out = []
    for path in glob.glob(os.path.join(data, "cache", "*.json")):
        name = os.path.basename(path).rsplit("-", 1)[0]
        out.append((name, json.load(open(path))))
    return out


def run_plugin(plugin, values, times, origins, options, horizon=72, levels=(0.95, 0.8)):
    blob, summary = plugin.train(values[:origins[0]], options, start_time=int(times[0]))
    base = plugin.load(blob)
    forecasts = []
    for origin in origins:
        # As `forecast backtest` does: the trained model conditioned on everything since.
        model = base.condition(values[origins[0]:origin], int(times[origins[0]])) if origin > origins[0] else base
        entry = {"actual": values[origin:origin + horizon].tolist(), "lower": {}, "upper": {}}
        for level in levels:
            mean, lower, upper = model.forecast(horizon, level)
            entry["mean"] = mean
            entry["lower"][f"{level:g}"] = lower
            entry["upper"][f"{level:g}"] = upper
        forecasts.append(entry)
    return forecasts, summary


def pick(summary):
    """What the fit chose, from its summary: AutoReg's lags, or ARIMA's model and its
    seasonal-structure candidates' validation errors."""
    if "selected_lags" in summary:
        return summary["selected_lags"]
    choice = [c["structure"][:6] + "=%.3f" % c["validation_mae"] for c in summary.get("seasonal_choice", [])
              if c["validation_mae"] is not None]
    return summary.get("description", "") + " " + str(choice)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--data", default="/work/quality-data")
    parser.add_argument("--scoring", default=os.path.join(HERE, "..", "quality"), help="directory of bench/quality's scoring.py")
    parser.add_argument("--set", default="tuning", choices=["tuning", "held-out", "all"])
    parser.add_argument("--humidity-bounds", action="store_true", help='add "bounds": [0, 100] for humidity series')
    parser.add_argument("options", nargs="+")
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.scoring))
    import scoring

    plugin = Plugin(os.path.abspath(args.lib))
    meta = json.load(open(os.path.join(args.data, "data", "series.json")))
    entries = [e for e in meta["series"] if args.set == "all" or e["set"] == args.set]
    anchors = cached_anchors(args.data)
    baseline, anchor_scores = {}, {}
    series = {}
    for e in entries:
        key = f"{e['city']}/{e['variable']}"
        values, times = load_series(args.data, e["city"], e["variable"])
        origins = e["originIndices"]
        series[key] = (values, times, origins)
        for name, result in anchors:
            first = result["forecasts"][0]["actual"]
            if len(result["forecasts"]) == len(origins) and np.allclose(first, values[origins[0]:origins[0] + 72]) \
                    and np.allclose(result["forecasts"][-1]["actual"], values[origins[-1]:origins[-1] + 72]):
                s = scoring.score_series(result["forecasts"])
                if name.startswith("seasonal-naive"):
                    baseline[key] = s
                else:
                    anchor_scores.setdefault(name, {})[key] = s

    def line(label, summary):
        rel = summary["relMAE"]
        nan = float("nan")
        cov95 = " ".join("%.3f" % summary["coverage"].get("0.95", {}).get(b, nan) for b in scoring.BANDS)
        cov80 = " ".join("%.3f" % summary["coverage"].get("0.8", {}).get(b, nan) for b in scoring.BANDS)
        wink = summary["relWinkler"].get("0.95", nan)
        print(f"{label:60} relMAE {rel['1-24']:.3f} {rel['25-48']:.3f} {rel['49-72']:.3f}  "
              f"cov95 {cov95}  cov80 {cov80}  wink95 {wink:.3f}  beats {summary['beatsNaive']}/{summary['series']}")

    for name, scores in sorted(anchor_scores.items()):
        if len(scores) == len(baseline):
            line("anchor " + name, scoring.summarise(scores, baseline))
    for options in args.options:
        scores, picks = {}, []
        for key, (values, times, origins) in series.items():
            chosen = options
            if args.humidity_bounds and key.endswith("/humidity"):
                chosen = json.dumps({**json.loads(options), "bounds": [0, 100]})
            forecasts, summary = run_plugin(plugin, values, times, origins, chosen)
            scores[key] = scoring.score_series(forecasts)
            picks.append(pick(summary))
        line(options + f" p={picks}", scoring.summarise(scores, baseline))
        per = " ".join(f"{k.split('/')[0][:6]}/{k.split('/')[1][:4]} {scores[k]['mae']['all'] / baseline[k]['mae']['all']:.3f}"
                       for k in scores if k in baseline)
        print("    per series rel MAE:", per)


if __name__ == "__main__":
    main()
