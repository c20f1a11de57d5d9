#!/usr/bin/env python3
"""Reference numbers for the AutoReg plugin, computed with statsmodels.

Run once with the shared venv and commit the output:

    /work/venv/bin/python scripts/reference/autoreg_reference.py

For every case it writes Tests/Fixtures/autoreg/<case>.json holding the input series,
the plugin options, and what statsmodels' ar_select_order + AutoReg.fit give for them:
the information criteria of every candidate lag count (on the common sample that holds
back maxlag observations), the selected lag count, the refitted coefficients (in the
column order const, trend, seasonal dummies, lag 1..p), sigma2 (RSS / nobs), nobs, and
the forecast means and interval bounds for 48 steps at levels 0.95 and 0.80, and the same
for a model fitted on all but the last 30 observations and conditioned on them.
"""
import json
import os
import sys

import numpy as np
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

HORIZON = 48
LEVELS = (0.95, 0.80)
CONDITION_STEPS = 30
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "autoreg")


def simulated_ar3(n=600, seed=20240611):
    """y_t = 1.5 + 0.6 y_{t-1} - 0.25 y_{t-2} + 0.2 y_{t-3} + e_t, e ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    phi = np.array([0.6, -0.25, 0.2])
    burn = 200
    e = rng.standard_normal(n + burn)
    y = np.zeros(n + burn)
    for t in range(3, n + burn):
        y[t] = 1.5 + phi @ y[t - 3:t][::-1] + e[t]
    return y[burn:]


def hourly_cycle(n=24 * 60, seed=7):
    """An hourly-temperature-like series in kelvin: a 24-hour cycle, a slow drift and AR(2) weather noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    daily = 6.0 * np.sin(2 * np.pi * (t - 9) / 24) + 1.5 * np.cos(4 * np.pi * t / 24)
    noise = np.zeros(n)
    e = rng.standard_normal(n) * 0.6
    for i in range(2, n):
        noise[i] = 1.2 * noise[i - 1] - 0.3 * noise[i - 2] + e[i]
    return 283.0 + 0.002 * t + daily + noise


def cases():
    sunspots = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=float)
    infl = sm.datasets.macrodata.load_pandas().data["infl"].to_numpy(dtype=float)
    ar3 = simulated_ar3()
    hourly = hourly_cycle()
    return [
        ("ar3_aic_c", ar3, {"maxlag": 12, "ic": "aic", "trend": "c"}),
        ("ar3_hqic_ct", ar3 + 0.01 * np.arange(ar3.size), {"maxlag": 8, "ic": "hqic", "trend": "ct"}),
        ("sunspots_bic_c", sunspots, {"maxlag": 13, "ic": "bic", "trend": "c"}),
        ("sunspots_aic_t", sunspots, {"maxlag": 20, "ic": "aic", "trend": "t"}),
        ("macro_infl_aic_n", infl, {"maxlag": 8, "ic": "aic", "trend": "n"}),
        ("hourly_seasonal_bic_c", hourly, {"maxlag": 30, "ic": "bic", "trend": "c", "seasonal": True, "period": 24}),
        ("hourly_seasonal_aic_n", hourly, {"maxlag": 26, "ic": "aic", "trend": "n", "seasonal": True, "period": 24}),
        ("hourly_seasonal_hqic_ct", hourly[:700], {"maxlag": 20, "ic": "hqic", "trend": "ct", "seasonal": True, "period": 12}),
        # White noise: bic picks no lag at all (p = 0), with and without a constant.
        ("white_noise_bic_c", 5 + 2 * np.random.default_rng(0).standard_normal(300), {"maxlag": 6, "ic": "bic", "trend": "c"}),
        ("white_noise_bic_n", 2 * np.random.default_rng(0).standard_normal(300), {"maxlag": 6, "ic": "bic", "trend": "n"}),
    ]


def reference(name, y, options):
    # Every option is spelled out, so the fixtures do not depend on the plugin's defaults.
    options = {"seasonal": False, "period": 24, **options}
    trend = options["trend"]
    seasonal = options["seasonal"]
    period = options["period"] if seasonal else None
    sel = ar_select_order(y, maxlag=options["maxlag"], ic=options["ic"], trend=trend,
                          seasonal=seasonal, period=period)
    res = sel.model.fit()
    lags = sel.ar_lags or []
    selected = int(max(lags)) if lags else 0
    assert lags == list(range(1, selected + 1))
    n = y.size
    criteria = {}
    for key, table in (("aic", sel.aic), ("bic", sel.bic), ("hqic", sel.hqic)):
        values = [None] * (options["maxlag"] + 1)
        for lag_set, value in table.items():
            count = 0 if lag_set == 0 else len(lag_set)
            values[count] = float(np.asarray(value).ravel()[0])
        criteria[key] = values
    forecasts = {}
    pred = res.get_prediction(start=n, end=n + HORIZON - 1)
    mean = np.asarray(pred.predicted_mean, dtype=float)
    for level in LEVELS:
        ci = np.asarray(pred.conf_int(alpha=1 - level), dtype=float)
        forecasts[f"{level:.2f}"] = {"lower": ci[:, 0].tolist(), "upper": ci[:, 1].tolist()}
    conditioned = conditioned_reference(y, options, trend, seasonal, period)
    return {
        "case": name,
        "generator": "scripts/reference/autoreg_reference.py",
        "statsmodels": statsmodels.__version__,
        "numpy": np.__version__,
        "options": options,
        "series": [float(v) for v in y],
        "selected_lags": selected,
        "criteria": criteria,
        "params": [float(v) for v in np.asarray(res.params)],
        "param_names": list(sel.model.exog_names),
        "sigma2": float(res.sigma2),
        "nobs": int(res.nobs),
        "aic": float(res.aic),
        "bic": float(res.bic),
        "hqic": float(res.hqic),
        "horizon": HORIZON,
        "mean": mean.tolist(),
        "intervals": forecasts,
        "conditioned": conditioned,
    }


def conditioned_reference(y, options, trend, seasonal, period, newer=CONDITION_STEPS):
    """Fit on all but the last `newer` observations, then forecast from the end of the
    whole series with the SAME parameters (the plugin's `condition`): the mean from the
    model on the whole series evaluated at the old parameters, the interval half-widths
    from the old fit (they depend only on the parameters and sigma2)."""
    split = y.size - newer
    sel = ar_select_order(y[:split], maxlag=options["maxlag"], ic=options["ic"], trend=trend,
                          seasonal=seasonal, period=period)
    res = sel.model.fit()
    lags = sel.ar_lags or []
    full = AutoReg(y, lags=len(lags), trend=trend, seasonal=seasonal, period=period)
    mean = np.asarray(full.predict(res.params, start=y.size, end=y.size + HORIZON - 1), dtype=float)
    old = res.get_prediction(start=split, end=split + HORIZON - 1)
    old_mean = np.asarray(old.predicted_mean, dtype=float)
    intervals = {}
    for level in LEVELS:
        ci = np.asarray(old.conf_int(alpha=1 - level), dtype=float)
        intervals[f"{level:.2f}"] = {"lower": (mean - (old_mean - ci[:, 0])).tolist(),
                                     "upper": (mean + (ci[:, 1] - old_mean)).tolist()}
    return {"split": int(split), "selected_lags": len(lags),
            "params": [float(v) for v in np.asarray(res.params)],
            "mean": mean.tolist(), "intervals": intervals}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, y, options in cases():
        ref = reference(name, np.asarray(y, dtype=float), options)
        path = os.path.join(OUT, f"{name}.json")
        with open(path, "w") as handle:
            json.dump(ref, handle, indent=1)
            handle.write("\n")
        print(f"{name}: n={len(ref['series'])} selected p={ref['selected_lags']} "
              f"sigma2={ref['sigma2']:.6g} -> {os.path.relpath(path, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
