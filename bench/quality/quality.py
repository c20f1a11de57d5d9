"""The real-data quality benchmark: every plugin through `forecast backtest`, beside the anchors.

1. Builds the real series (data.py) in the source's wide CSV format and ingests them with
   `forecast ingest` into a private work directory (interpolating short gaps as for users).
2. Runs `forecast backtest` for every plugin found in --plugin-dir on every series of the
   chosen set, at the series' explicit origins (36 a week apart, 72 h ahead, 95% and 80%
   intervals), with --config's options, and reads every origin's forecast back (--forecasts).
3. Runs the anchors (anchors.py) on the same processed series and origins, cached under
   --cache (a change to the data or an anchor's code version refits it).
4. Prints one table per set (tuning, held-out) and group (all series, temperature, humidity):
   relative MAE per band, MAE, RMSE, coverage, relative Winkler score, fit time, series
   beaten against seasonal naive, and each plugin's relative MAE over the best anchor's.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import data  # noqa: E402
import scoring  # noqa: E402
from scoring import BANDS, LEVELS, level_key  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
NAIVE = "seasonal naive"


def slug(city):
    return "".join(c.lower() if c.isalnum() else "-" for c in city).strip("-")


def series_id(entry):
    return f"{entry['city']}/{entry['variable']}"


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed ({result.returncode}):\n{result.stderr.strip()[-2000:]}")
    return result.stdout


def ingest(forecast, datadir, workdir, cities):
    command = [forecast, "ingest", "--workdir", workdir, "--temperature-csv", os.path.join(datadir, "temperature.csv"),
               "--humidity-csv", os.path.join(datadir, "humidity.csv"), "--json"]
    for city in cities:
        command += ["--city", city]
    run(command, cwd=workdir)


def processed_series(workdir, city, variable):
    """The series `forecast backtest` sees: ingest's processed CSV (short gaps filled), from the first observation."""
    frame = pd.read_csv(os.path.join(workdir, "processed", slug(city) + ".csv"))
    values = frame[variable].to_numpy(float)
    times = pd.to_datetime(frame["datetime"])
    present = np.flatnonzero(~np.isnan(values))
    values, times = values[present[0]:present[-1] + 1], times[present[0]:present[-1] + 1]
    if np.isnan(values).any() or not (times.diff().dropna() == pd.Timedelta(hours=1)).all():
        raise RuntimeError(f"{city} {variable}: the processed series has a long gap; the benchmark needs one contiguous stretch")
    return values, times.reset_index(drop=True)


def plugins_found(forecast, plugin_dir, config):
    out = run([forecast, "plugins", "--json", "--plugin-dir", plugin_dir, "--config", config])
    listed = json.loads(out)["plugins"]
    for entry in listed:
        if entry.get("status") == "refused":
            print(f"warning: plugin refused: {entry.get('file')}: {entry.get('error')}", file=sys.stderr)
    return sorted(e["name"] for e in listed if e.get("status") == "loaded")


def backtest(forecast, plugin_dir, config, workdir, plugin, entry, options=None):
    command = [forecast, "backtest", "--workdir", workdir, "--config", config, "--plugin-dir", plugin_dir,
               "--plugin", plugin, "--city", entry["city"], "--variable", entry["variable"], "--horizon", str(data.HORIZON),
               "--json", "--forecasts"]
    for level in LEVELS:
        command += ["--level", str(level)]
    for origin in entry["origins"]:
        command += ["--origin-time", origin]
    if options is not None:
        command += ["--options", options]
    started = time.perf_counter()
    report = json.loads(run(command, cwd=workdir))
    report["wallSeconds"] = time.perf_counter() - started
    return report


def anchor_result(cache, name, values, origins, horizon):
    import anchors
    spec = anchors.ANCHORS[name]
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(values).tobytes())
    digest.update(json.dumps([name, spec["version"], list(map(int, origins)), horizon, LEVELS]).encode())
    path = os.path.join(cache, f"{slug(name)}-{digest.hexdigest()[:20]}.json")
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    result = spec["run"](values, list(map(int, origins)), horizon)
    os.makedirs(cache, exist_ok=True)
    with open(path + f".tmp{os.getpid()}", "w") as handle:
        json.dump(result, handle)
    os.replace(path + f".tmp{os.getpid()}", path)
    return result


def fmt(value, digits=3):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def table(rows, header, markdown):
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def report(results, manifest, plugins, anchor_names, markdown):
    """One table per set and group, plugins first, then anchors."""
    text = []
    models = plugins + anchor_names
    for subset in ("tuning", "held-out"):
        entries = [e for e in manifest["series"] if e["set"] == subset]
        if not entries:
            continue
        for group in ("all", "temperature", "humidity"):
            ids = [series_id(e) for e in entries if group == "all" or e["variable"] == group]
            if not ids:
                continue
            baseline = {s: results[NAIVE][s]["score"] for s in ids if s in results.get(NAIVE, {})}
            summaries = {}
            for model in models:
                scores = {s: results[model][s]["score"] for s in ids if s in results.get(model, {})}
                if scores:
                    summaries[model] = scoring.summarise(scores, baseline)
            best = {band: min((summaries[a]["relMAE"][band] for a in anchor_names if a in summaries and a != NAIVE),
                              default=None) for band in BANDS}
            single = group != "all"
            header = ["model", "n"] + [f"rMAE {b}" for b in BANDS]
            if single:
                header += [f"MAE {b}" for b in BANDS] + ["RMSE"]
            header += [f"cov95 {b}" for b in BANDS] + [f"cov80 {b}" for b in BANDS]
            header += ["rW95", "rW80", "fit s", "cond s", "<naive"] + [f"/best {b}" for b in BANDS]
            rows = []
            for model in models:
                if model not in summaries:
                    continue
                s = summaries[model]
                row = [model, str(s["series"])] + [fmt(s["relMAE"][b]) for b in BANDS]
                if single:
                    row += [fmt(s["MAE"][b], 2) for b in BANDS] + [fmt(s["RMSE"], 2)]
                row += [fmt(s["coverage"][level_key(0.95)][b], 2) for b in BANDS]
                row += [fmt(s["coverage"][level_key(0.8)][b], 2) for b in BANDS]
                row += [fmt(s["relWinkler"][level_key(0.95)]), fmt(s["relWinkler"][level_key(0.8)])]
                fits = [results[model][i]["fitSeconds"] for i in ids if i in results[model]]
                conds = [results[model][i]["conditionSeconds"] for i in ids if i in results[model]]
                row += [fmt(float(np.mean(fits)), 2), fmt(float(np.mean(conds)), 2), f"{s['beatsNaive']}/{s['series']}"]
                is_plugin = model in plugins
                row += [fmt(s["relMAE"][b] / best[b]) if is_plugin and best[b] else "" for b in BANDS]
                rows.append(row)
            title = f"{subset}, {'all series (relative scores)' if group == 'all' else group}: {', '.join(ids)}"
            text.append(("### " if markdown else "== ") + title + "\n\n" + table(rows, header, markdown) + "\n")
    legend = ("rMAE: MAE over seasonal naive's on the same origins, geometric mean over series (below 1 beats it); "
              "MAE, RMSE: mean over series (kelvin or percent); cov95/cov80: share of observations inside the 95%/80% "
              "interval; rW95/rW80: Winkler interval score over seasonal naive's (geometric mean; lower is better); "
              "fit s: seconds of the one fit per series; cond s: seconds conditioning and forecasting at all origins; "
              "<naive: series where the MAE over 72 h is below seasonal naive's; /best: rMAE over the best anchor's "
              "(seasonal naive excluded) in that band.")
    text.append(legend)
    return "\n".join(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forecast", default=os.path.join(ROOT, ".build", "debug", "forecast"), help="the forecast executable")
    parser.add_argument("--plugin-dir", help="directory of the plugin libraries to evaluate (default: the executable's)")
    parser.add_argument("--config", default=os.path.join(ROOT, "plugins.json"), help="plugins.json with the options to evaluate")
    parser.add_argument("--set", choices=["tuning", "held-out", "all"], default="all", help="which series (default: all, reported apart)")
    parser.add_argument("--plugin", action="append", help="evaluate only this plugin (repeatable); 'none' for the anchors alone")
    parser.add_argument("--options", help="training options JSON for the --plugin given (replaces plugins.json's)")
    parser.add_argument("--anchor", action="append", help="run only this anchor (repeatable; seasonal naive always runs); 'none': seasonal naive alone")
    parser.add_argument("--jobs", type=int, default=2, help="backtests run at once (default 2)")
    parser.add_argument("--work", default=os.environ.get("FORECAST_QUALITY_HOME", os.path.expanduser("~/.cache/forecast-quality")),
                        help="data and anchor cache directory (default $FORECAST_QUALITY_HOME or ~/.cache/forecast-quality)")
    parser.add_argument("--cache", help="anchor cache directory (default WORK/cache)")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument("--json", dest="json_out", help="also write every score to this file")
    args = parser.parse_args()

    forecast = os.path.abspath(args.forecast)
    if not os.access(forecast, os.X_OK):
        sys.exit(f"no forecast executable at {forecast}; build it (swift build --product forecast) or pass --forecast")
    plugin_dir = os.path.abspath(args.plugin_dir or os.path.dirname(forecast))
    config = os.path.abspath(args.config)
    if args.options is not None and (not args.plugin or len(args.plugin) != 1):
        sys.exit("--options needs exactly one --plugin")
    datadir = os.path.join(args.work, "data")
    cache = args.cache or os.path.join(args.work, "cache")
    started = time.perf_counter()
    os.makedirs(datadir, exist_ok=True)
    manifest = data.build(datadir)
    if args.set != "all":
        manifest["series"] = [e for e in manifest["series"] if e["set"] == args.set]
    plugins = [] if args.plugin == ["none"] else plugins_found(forecast, plugin_dir, config)
    if args.plugin and plugins:
        missing = [p for p in args.plugin if p not in plugins]
        if missing:
            sys.exit(f"no plugin {', '.join(missing)} in {plugin_dir} (found: {', '.join(plugins) or 'none'})")
        plugins = args.plugin
    import anchors
    if not args.anchor:
        anchor_names = list(anchors.ANCHORS)
    elif args.anchor == ["none"]:
        anchor_names = [NAIVE]
    else:
        anchor_names = [NAIVE] + [a for a in args.anchor if a != NAIVE]
        unknown = [a for a in anchor_names if a not in anchors.ANCHORS]
        if unknown:
            sys.exit(f"unknown anchor {', '.join(unknown)}; known: {'; '.join(anchors.ANCHORS)}")

    runs = os.path.join(args.work, "runs")
    os.makedirs(runs, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="run-", dir=runs)
    results = {}
    try:
        cities = sorted({e["city"] for e in manifest["series"]})
        ingest(forecast, datadir, workdir, cities)
        series = {series_id(e): processed_series(workdir, e["city"], e["variable"]) for e in manifest["series"]}
        for e in manifest["series"]:
            values, times = series[series_id(e)]
            expected = [t for t in e["origins"]]
            first = times[0]
            e["indices"] = [int((pd.Timestamp(t) - first) / pd.Timedelta(hours=1)) for t in expected]

        failures = []

        def collect(futures):
            for future in concurrent.futures.as_completed(futures):
                model, e = futures[future]
                try:
                    outcome = future.result()
                except Exception as error:  # report every failure, then stop
                    failures.append(f"{model} on {series_id(e)}: {error}")
                    continue
                results.setdefault(model, {})[series_id(e)] = {
                    "score": scoring.score_series(outcome["forecasts"], data.HORIZON),
                    "fitSeconds": outcome["fitSeconds"],
                    "conditionSeconds": outcome["conditionSeconds"] + outcome.get("forecastSeconds", 0.0),
                }
                print(f"  {model} on {series_id(e)}: done", file=sys.stderr)

        # Anchors in processes (numerics hold the GIL), each cached; then the plugins' backtests.
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {}
            for name in anchor_names:
                for e in manifest["series"]:
                    values, _ = series[series_id(e)]
                    futures[pool.submit(anchor_result, cache, name, values, e["indices"], data.HORIZON)] = (name, e)
            collect(futures)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {}
            for plugin in plugins:
                for e in manifest["series"]:
                    futures[pool.submit(backtest, forecast, plugin_dir, config, workdir, plugin, e, args.options)] = (plugin, e)
            collect(futures)
        if failures:
            sys.exit("failed:\n" + "\n".join(failures))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(report(results, manifest, plugins, anchor_names, args.markdown))
    print(f"\n{len(manifest['series'])} series, {sum(len(e['origins']) for e in manifest['series'])} origins, "
          f"{len(plugins)} plugins, {len(anchor_names)} anchors; {time.perf_counter() - started:.0f} s")
    if args.json_out:
        with open(args.json_out + ".tmp", "w") as handle:
            json.dump({"series": manifest["series"], "results": results, "plugins": plugins, "anchors": anchor_names}, handle)
        os.replace(args.json_out + ".tmp", args.json_out)


if __name__ == "__main__":
    main()
