#!/usr/bin/env python3
"""Rolling-origin comparison that chose the AutoReg plugin's default options.

No real weather data is available offline, so the series are synthetic hourly weather in
the data set's format (kelvin, percent), 45,000 hours (about the data set's 45,253) for
several "cities" of two kinds:

  sample  the model of `forecast sample-data` (Sources/ForecastPipeline/SampleDataGenerator):
          fixed daily cycle at local time, annual cycle, AR(1) weather anomaly (0.97/hour),
          measurement noise; humidity falls as the afternoon warms, rounded to whole percent;
  varied  a harder variant: the daily amplitude changes with the season and with a slowly
          varying cloudiness, AR(2) anomalies with occasional fronts (jumps).

For every option combination the plugin (release libAutoReg.so, through its C ABI) is
trained once on the first 40,000-odd hours; then, at 26 weekly origins over the next six
months, the model is conditioned on the data up to the origin (as the service does between
retrainings) and forecasts 72 hours. Reported: MAE per horizon band (1-24, 25-48, 49-72 h),
95% interval coverage, and the training time.

    /work/venv/bin/python bench/autoreg/defaults_experiment.py [--lib PATH] [--cities N]
        [--maxlags 24,48,72,168] [--ics aic,bic,hqic] [--trends c,ct] [--seasonal false,true]
"""
import argparse
import itertools
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autoreg_ctypes import Plugin, PluginError  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HOURS = 45_000
ORIGINS = 26
SPACING = 168
HORIZON = 72
START = 1_349_092_800  # 2012-10-01 12:00 UTC, the data set's first hour


def sample_like(seed):
    """The sample-data generator's model, for one city."""
    rng = np.random.default_rng(seed)
    mean_c, seasonal_amp, daily_amp = rng.uniform(5, 20), rng.uniform(4, 14), rng.uniform(3, 7)
    mean_h, utc_offset = rng.uniform(55, 80), rng.choice([-8, -7, -6, -5, 2, 3])
    t = START + 3600 * np.arange(HOURS)
    day_of_year = (t / 86400) % 365.2425
    seasonal = -seasonal_amp * np.cos(2 * np.pi * (day_of_year - 15) / 365.2425)
    local = ((t % 86400) / 3600 + utc_offset + 24) % 24
    daily = daily_amp * np.cos(2 * np.pi * (local - 15) / 24)
    weather = np.zeros(HOURS)
    moisture = np.zeros(HOURS)
    e1, e2, e3 = rng.standard_normal((3, HOURS))
    for i in range(1, HOURS):
        weather[i] = 0.97 * weather[i - 1] + 0.6 * e1[i]
        moisture[i] = 0.95 * moisture[i - 1] + 2.0 * e2[i]
    temperature = mean_c + seasonal + daily + weather + 0.2 * e3 + 273.15
    humidity = np.clip(np.round(mean_h - 2.2 * daily - 1.5 * weather + moisture
                                + 3 * np.sin(2 * np.pi * day_of_year / 365.2425)), 5, 100)
    return np.round(temperature, 2), humidity


def varied(seed):
    """Seasonal and cloud-driven daily amplitude, AR(2) anomalies with fronts."""
    rng = np.random.default_rng(seed)
    t = np.arange(HOURS, dtype=float)
    day_of_year = (t / 24 + 274) % 365.2425
    season = -np.cos(2 * np.pi * (day_of_year - 15) / 365.2425)  # -1 winter .. +1 summer
    cloud = np.zeros(HOURS)
    c = rng.standard_normal(HOURS)
    for i in range(1, HOURS):
        cloud[i] = 0.995 * cloud[i - 1] + 0.1 * c[i]
    amplitude = np.clip(5 + 2.5 * season - 2.0 * np.tanh(cloud), 0.5, None)
    daily = amplitude * np.cos(2 * np.pi * (t % 24 - 15) / 24)
    e = rng.standard_normal(HOURS) * 0.45
    fronts = (rng.random(HOURS) < 0.003) * rng.normal(0, 3, HOURS)
    anomaly = np.zeros(HOURS)
    for i in range(2, HOURS):
        anomaly[i] = 1.2 * anomaly[i - 1] - 0.23 * anomaly[i - 2] + e[i] + fronts[i]
    temperature = 285 + 9 * season + daily + anomaly + 0.15 * rng.standard_normal(HOURS)
    moisture = np.zeros(HOURS)
    m = rng.standard_normal(HOURS)
    for i in range(1, HOURS):
        moisture[i] = 0.96 * moisture[i - 1] + 1.8 * m[i]
    humidity = np.clip(np.round(68 - 2.5 * daily - 1.2 * anomaly + moisture - 5 * season), 5, 100)
    return np.round(temperature, 2), humidity


def evaluate(plugin, y, options):
    train_end = HOURS - ORIGINS * SPACING - HORIZON
    started = time.perf_counter()
    blob, summary = plugin.train(y[:train_end], json.dumps(options), start_time=START)
    seconds = time.perf_counter() - started
    model = plugin.load(blob)
    errors = np.zeros((ORIGINS, HORIZON))
    covered = np.zeros((ORIGINS, HORIZON))
    for k in range(ORIGINS):
        origin = train_end + k * SPACING
        conditioned = model.condition(y[train_end:origin], START + 3600 * train_end)
        mean, lower, upper = (np.array(v) for v in conditioned.forecast(HORIZON, 0.95))
        actual = y[origin:origin + HORIZON]
        errors[k] = np.abs(mean - actual)
        covered[k] = (actual >= lower) & (actual <= upper)
    bands = [errors[:, a:b].mean() for a, b in ((0, 24), (24, 48), (48, 72))]
    return {"mae": bands, "mae_all": errors.mean(), "coverage": covered.mean(), "p": summary["selected_lags"],
            "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", default=os.path.join(ROOT, ".build-autoreg", "release", "libAutoReg.so"))
    parser.add_argument("--cities", type=int, default=3, help="cities per kind")
    parser.add_argument("--maxlags", default="24,48,72,168", help="comma-separated maxlag values")
    parser.add_argument("--ics", default="aic,bic,hqic")
    parser.add_argument("--trends", default="c,ct")
    parser.add_argument("--seasonal", default="false,true")
    args = parser.parse_args()
    plugin = Plugin(args.lib)

    series = []
    for kind, make in (("sample", sample_like), ("varied", varied)):
        for city in range(args.cities):
            temperature, humidity = make(1000 + city)
            series.append((kind, city, "temperature", temperature))
            series.append((kind, city, "humidity", humidity))

    grid = list(itertools.product([int(v) for v in args.maxlags.split(",")], args.ics.split(","),
                                  args.trends.split(","), [v.strip() == "true" for v in args.seasonal.split(",")]))
    results = {}
    for maxlag, ic, trend, seasonal in grid:
        options = {"maxlag": maxlag, "ic": ic, "trend": trend, "seasonal": seasonal, "period": 24}
        key = (maxlag, ic, trend, seasonal)
        rows = []
        for kind, city, variable, y in series:
            try:
                rows.append((variable, evaluate(plugin, y, options)))
            except PluginError as error:
                print(f"{options} {kind}/{city}/{variable}: {error}", file=sys.stderr)
        results[key] = rows
        print(f"done {options}", file=sys.stderr, flush=True)

    print(f"{len(series)} series ({args.cities} cities x 2 kinds x 2 variables), {HOURS} hours each; "
          f"{ORIGINS} weekly origins, 72-hour forecasts, 95% intervals\n")
    header = f"{'maxlag':>6} {'ic':>4} {'trend':>5} {'seas':>5} | {'temperature MAE 1-24/25-48/49-72':>34} {'cov':>5} | " \
             f"{'humidity MAE 1-24/25-48/49-72':>31} {'cov':>5} | {'mean p':>6} {'fit s':>6}"
    print(header)
    print("-" * len(header))
    table = []
    for key, rows in results.items():
        line = []
        score = 0.0
        for variable in ("temperature", "humidity"):
            chosen = [r for v, r in rows if v == variable]
            mae = np.mean([r["mae"] for r in chosen], axis=0)
            coverage = np.mean([r["coverage"] for r in chosen])
            line.append((mae, coverage))
            score += np.mean([r["mae_all"] for r in chosen]) / (1 if variable == "temperature" else 2.5)
        p = np.mean([r["p"] for _, r in rows])
        seconds = np.mean([r["seconds"] for _, r in rows])
        table.append((score, key, line, p, seconds))
    for score, key, line, p, seconds in sorted(table, key=lambda row: row[0]):
        maxlag, ic, trend, seasonal = key
        (tm, tc), (hm, hc) = line
        print(f"{maxlag:6d} {ic:>4} {trend:>5} {str(seasonal):>5} | {tm[0]:10.3f} {tm[1]:10.3f} {tm[2]:10.3f} {tc:6.1%} | "
              f"{hm[0]:9.3f} {hm[1]:9.3f} {hm[2]:9.3f} {hc:6.1%} | {p:6.1f} {seconds:6.2f}")
    print("\nsorted by temperature MAE (1-72 h) + humidity MAE / 2.5 (puts the two variables on a similar scale)")


if __name__ == "__main__":
    main()
