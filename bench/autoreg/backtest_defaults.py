#!/usr/bin/env python3
"""Cross-check of the AutoReg defaults with the project's own `forecast backtest` on
`forecast sample-data` output (the offline stand-in for the real data set).

Writes the sample archives, fetches and ingests them (long gaps interpolated so each city
is one 45,253-hour series), then for each option set runs
`forecast backtest --plugin autoreg` (train once, condition at 26 weekly origins, 72-hour
forecasts, 95% intervals) for several cities and both variables, and prints the mean MAE
per horizon band and the coverage.

    swift build --scratch-path .build-autoreg --product forecast
    swift build -c release --scratch-path .build-autoreg --product AutoReg
    /work/venv/bin/python bench/autoreg/backtest_defaults.py [--forecast PATH] [--lib PATH] [--workdir DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CITIES = ["San Francisco", "Portland", "Chicago", "Boston"]
OPTION_SETS = [
    {"maxlag": 120, "ic": "aic", "trend": "c", "seasonal": True, "period": 24},   # the defaults
    {"maxlag": 168, "ic": "aic", "trend": "c", "seasonal": True, "period": 24},
    {"maxlag": 72, "ic": "aic", "trend": "c", "seasonal": True, "period": 24},
    {"maxlag": 120, "ic": "bic", "trend": "c", "seasonal": True, "period": 24},
    {"maxlag": 120, "ic": "hqic", "trend": "c", "seasonal": True, "period": 24},
    {"maxlag": 120, "ic": "aic", "trend": "ct", "seasonal": True, "period": 24},
    {"maxlag": 120, "ic": "aic", "trend": "c", "seasonal": False, "period": 24},
    {"maxlag": 72, "ic": "bic", "trend": "c", "seasonal": False, "period": 24},
]


def run(args, *command):
    return subprocess.run([args.forecast, *command], check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forecast", default=os.path.join(ROOT, ".build-autoreg", "debug", "forecast"))
    parser.add_argument("--lib", default=os.path.join(ROOT, ".build-autoreg", "release", "libAutoReg.so"))
    parser.add_argument("--workdir", default="/tmp/autoreg-backtest")
    parser.add_argument("--origins", type=int, default=26)
    args = parser.parse_args()

    work = args.workdir
    os.makedirs(os.path.join(work, "plugins"), exist_ok=True)
    shutil.copy(args.lib, os.path.join(work, "plugins", "libAutoReg.so"))
    run(args, "sample-data", "--out", os.path.join(work, "src"))
    run(args, "fetch", "--workdir", work, "--temperature", os.path.join(work, "src", "temperature.csv.zip"),
        "--humidity", os.path.join(work, "src", "humidity.csv.zip"))
    ingest = ["ingest", "--workdir", work, "--max-gap", "48"]
    for city in CITIES:
        ingest += ["--city", city]
    run(args, *ingest)

    print(f"forecast backtest on forecast sample-data (seed 2012), cities {', '.join(CITIES)}; "
          f"{args.origins} weekly origins, 72 h, 95% intervals, mode condition\n")
    print(f"{'options':62} | {'temperature MAE 1-24/25-48/49-72':>32} {'cov':>6} | {'humidity MAE':>26} {'cov':>6}")
    for options in OPTION_SETS:
        config = os.path.join(work, "plugins.json")
        with open(config, "w") as handle:
            json.dump({"defaultCity": CITIES[0], "plugins": {"autoreg": {"options": options}},
                       "routes": {"v2": {"plugin": "autoreg"}}}, handle)
        cells = []
        for variable in ("temperature", "humidity"):
            maes, coverages = [], []
            for city in CITIES:
                report = json.loads(run(args, "backtest", "--workdir", work, "--config", config,
                                        "--plugin-dir", os.path.join(work, "plugins"), "--plugin", "autoreg",
                                        "--city", city, "--variable", variable, "--origins", str(args.origins),
                                        "--step", "168", "--horizon", "72", "--json"))
                maes.append([report["mae"][band] for band in ("1-24", "25-48", "49-72")])
                coverages.append(sum(report["coverage"].values()) / 3)
            mean = [sum(m[i] for m in maes) / len(maes) for i in range(3)]
            cells.append(f"{mean[0]:10.3f} {mean[1]:10.3f} {mean[2]:10.3f} {sum(coverages) / len(coverages):6.1%}")
        print(f"{json.dumps(options):62} | {cells[0]} | {cells[1]}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
