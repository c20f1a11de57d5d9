#!/usr/bin/env python3
"""Generate the ARIMA parity fixtures (Tests/Fixtures/arima/*.json) with statsmodels and pmdarima.

Run once with the shared venv:  /work/venv/bin/python scripts/reference/arima_reference.py [NAME ...]
(names limit the run to some series, plus "unitroot" for the unit-root decisions file).
The series are simulated deterministically (numpy RandomState with fixed seeds) and
written into the fixtures, so the Swift tests never need to reproduce the generator.

For each series the fixture holds:
  - fixed-order fits with statsmodels SARIMAX (trend 'c' or 'n', exact diffuse/stationary
    initialisation, fitted to convergence): params (const, ar..., ma..., sigma2), llf, aic,
    24-step forecasts with 95% intervals;
  - pmdarima auto_arima with the seed's exact call: chosen order, intercept, aic;
  - pmdarima ndiffs(test='adf') and ndiffs(test='kpss').
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pmdarima as pm
import statsmodels.api as sm

warnings.simplefilter("ignore")
OUT = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "arima"
HORIZON = 24


def arma(rng, n, phi, theta, const=0.0, sigma=1.0, burn=500):
    e = rng.normal(0, sigma, n + burn)
    x = np.zeros(n + burn)
    for t in range(n + burn):
        v = const + e[t]
        for i, a in enumerate(phi):
            if t - i - 1 >= 0:
                v += a * x[t - i - 1]
        for j, b in enumerate(theta):
            if t - j - 1 >= 0:
                v += b * e[t - j - 1]
        x[t] = v
    return x[burn:]


def series_set():
    out = {}
    rng = np.random.RandomState(11)
    out["ar1_const"] = 12.0 + arma(rng, 300, [0.6], [], const=0.0, sigma=1.5)
    rng = np.random.RandomState(12)
    out["arma21"] = arma(rng, 400, [0.5, 0.3], [0.4], const=0.2)
    rng = np.random.RandomState(13)
    out["arima111_drift"] = np.cumsum(arma(rng, 500, [0.4], [-0.3], const=0.05)) + 100.0
    rng = np.random.RandomState(14)
    t = np.arange(720)
    noise = arma(rng, 720, [0.9], [0.2], sigma=0.6)
    out["hourly_temp"] = 285.0 + 6.0 * np.sin(2 * np.pi * (t - 9) / 24) + np.cumsum(noise) * 0.05 + noise
    rng = np.random.RandomState(15)
    out["ma2"] = 3.0 + arma(rng, 350, [], [0.5, -0.3], sigma=2.0)
    return out


FIXED = {
    "ar1_const": [((1, 0, 0), True), ((1, 0, 1), True), ((0, 0, 1), False)],
    "arma21": [((2, 0, 1), True), ((1, 0, 1), True), ((3, 0, 0), False)],
    "arima111_drift": [((1, 1, 1), True), ((0, 1, 2), False), ((2, 1, 0), True)],
    "hourly_temp": [((2, 1, 1), False), ((1, 1, 1), True), ((2, 0, 2), True)],
    "ma2": [((0, 0, 2), True), ((1, 0, 1), True)],
}


def fixed_fit(y, order, constant):
    model = sm.tsa.statespace.SARIMAX(y, order=order, trend="c" if constant else "n")
    # Several starts (statsmodels' own, then perturbed ones) by L-BFGS, the best polished by BFGS,
    # so the reference is the global optimum rather than a local one.
    best = None
    rng = np.random.RandomState(7)
    default = model.start_params
    starts = [default]
    k_arma = order[0] + order[2]
    for _ in range(6):
        start = default.copy()
        offset = 1 if constant else 0
        start[offset:offset + k_arma] = rng.uniform(-0.6, 0.6, k_arma)
        starts.append(start)
    for start in starts:
        try:
            res = model.fit(start_params=start, disp=0, method="lbfgs", maxiter=1000)
        except Exception:
            continue
        if np.isfinite(res.llf) and (best is None or res.llf > best.llf + 1e-9):
            best = res
    res = model.fit(start_params=best.params, disp=0, method="bfgs", maxiter=2000, gtol=1e-9)
    if not res.llf >= best.llf:
        res = best
    fc = res.get_forecast(HORIZON)
    ci = fc.conf_int(alpha=0.05)
    ci80 = fc.conf_int(alpha=0.2)
    return {
        "order": list(order),
        "constant": constant,
        "params": [float(v) for v in res.params],
        "param_names": list(model.param_names),
        "loglike": float(res.llf),
        "aic": float(res.aic),
        "nobs": int(res.nobs),
        "forecast_mean": [float(v) for v in fc.predicted_mean],
        "lower95": [float(v) for v in ci[:, 0]],
        "upper95": [float(v) for v in ci[:, 1]],
        "lower80": [float(v) for v in ci80[:, 0]],
        "upper80": [float(v) for v in ci80[:, 1]],
    }


def seed_auto(y):
    m = pm.auto_arima(y, start_p=1, start_q=1, test="adf", max_p=3, max_q=3, m=1, d=None,
                      seasonal=False, start_P=0, D=0, error_action="ignore",
                      suppress_warnings=True, stepwise=True)
    return {"order": list(m.order), "with_intercept": bool(m.with_intercept), "aic": float(m.aic())}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    index = []
    only = set(sys.argv[1:])
    for name, y in series_set().items():
        index.append(name)
        if only and name not in only:
            continue
        y = np.asarray(y, dtype=float)
        fixture = {
            "name": name,
            "values": [float(v) for v in y],
            "fixed": [fixed_fit(y, o, c) for o, c in FIXED[name]],
            "ndiffs_adf": int(pm.arima.ndiffs(y, test="adf", max_d=2)),
            "ndiffs_kpss": int(pm.arima.ndiffs(y, test="kpss", max_d=2)),
            "auto_seed": seed_auto(y),
        }
        (OUT / f"{name}.json").write_text(json.dumps(fixture, indent=1) + "\n")
        print(name, fixture["auto_seed"], "adf d", fixture["ndiffs_adf"], "kpss d", fixture["ndiffs_kpss"], file=sys.stderr)
    (OUT / "index.json").write_text(json.dumps(index) + "\n")
    if only and "unitroot" not in only:
        return
    # unit-root decisions on extra series
    decisions = []
    for seed, kind in [(21, "walk"), (22, "ar"), (23, "walk2"), (24, "trend"), (25, "ar_near")]:
        rng = np.random.RandomState(seed)
        e = rng.normal(size=600)
        if kind == "walk":
            y = np.cumsum(e)
        elif kind == "ar":
            y = arma(rng, 600, [0.5], [])
        elif kind == "walk2":
            y = np.cumsum(np.cumsum(e))
        elif kind == "trend":
            y = 0.05 * np.arange(600) + e
        else:
            y = arma(rng, 600, [0.97], [])
        decisions.append({"kind": kind, "values": [float(v) for v in y],
                          "ndiffs_adf": int(pm.arima.ndiffs(y, test="adf", max_d=2)),
                          "ndiffs_kpss": int(pm.arima.ndiffs(y, test="kpss", max_d=2))})
    (OUT / "unitroot.json").write_text(json.dumps(decisions) + "\n")
    (OUT / "index.json").write_text(json.dumps(index) + "\n")


if __name__ == "__main__":
    main()
