#!/usr/bin/env python3
"""Generate the ARIMA stress and missing-value fixtures with statsmodels' SARIMAX.

Run once with the shared venv:  /work/venv/bin/python scripts/reference/arima_stress_reference.py
Writes Tests/Fixtures/arima/stress/*.json (listed in stress/index.json):

  - wpi1: Stata's US wholesale price index (124 quarters), as statsmodels ships it in its
    SARIMAX test results, with fixed ARMA(3,0,2)+c and the nested AR(3)+c, each fitted from
    many starts so that the reference is the global optimum (a single start stops in a
    local one for ARMA(3,0,2));
  - joint Fourier regression: SARIMAX with the plugin's Fourier terms as `exog` (phased on
    absolute time as the plugin phases them) on a NaN-holed hourly series; the joint optimum;
  - NaN-holed series (d = 0, where SARIMAX's likelihood with missing values is the Kalman
    filter that skips the update step): log-likelihood at fixed parameters, the optimum,
    and 24-step forecasts with 80%/95% intervals from the end (which may itself be missing).
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import statsmodels.api as sm
from statsmodels.tsa.statespace.tests.results import results_sarimax

warnings.simplefilter("ignore")
OUT = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "arima" / "stress"
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


def best_fit(y, order, constant, starts=20, seed=3):
    model = sm.tsa.statespace.SARIMAX(y, order=order, trend="c" if constant else "n")
    rng = np.random.RandomState(seed)
    default = model.start_params
    candidates = [default]
    k = order[0] + order[2]
    offset = 1 if constant else 0
    for _ in range(starts):
        start = default.copy()
        start[offset:offset + k] = rng.uniform(-0.9, 0.9, k)
        candidates.append(start)
    best = None
    for start in candidates:
        for method in ("lbfgs",):
            try:
                res = model.fit(start_params=start, disp=0, method=method, maxiter=2000)
            except Exception:
                continue
            if np.isfinite(res.llf) and (best is None or res.llf > best.llf + 1e-10):
                best = res
    polished = model.fit(start_params=best.params, disp=0, method="bfgs", maxiter=5000, gtol=1e-10)
    res = polished if polished.llf >= best.llf else best
    # statsmodels' own single-start fit, to show how far a local optimum is.
    single = model.fit(disp=0)
    return model, res, float(single.llf)


def record(model, res, order, constant, single_llf=None):
    fc = res.get_forecast(HORIZON)
    ci = fc.conf_int(alpha=0.05)
    ci80 = fc.conf_int(alpha=0.2)
    out = {
        "order": list(order),
        "constant": constant,
        "params": [float(v) for v in res.params],
        "param_names": list(model.param_names),
        "loglike": float(res.llf),
        "nobs": int(res.nobs),
        "forecast_mean": [float(v) for v in fc.predicted_mean],
        "lower95": [float(v) for v in ci[:, 0]],
        "upper95": [float(v) for v in ci[:, 1]],
        "lower80": [float(v) for v in ci80[:, 0]],
        "upper80": [float(v) for v in ci80[:, 1]],
    }
    if single_llf is not None:
        out["statsmodels_default_start_loglike"] = single_llf
    return out


def values_json(y):
    return [None if not np.isfinite(v) else float(v) for v in y]


START_TIME = 1_400_000_400   # the tests' series start (Unix seconds, hourly steps)


def fourier(n, terms, period=24, start=START_TIME, step=3600):
    phase = (start // step + np.arange(n)) % period
    cols = []
    for k in range(1, terms + 1):
        angle = 2 * np.pi * k * phase / period
        cols += [np.sin(angle), np.cos(angle)]
    return np.column_stack(cols)


def holed_hourly():
    rng = np.random.RandomState(32)
    t = np.arange(600)
    y = 20.0 + 4.0 * np.sin(2 * np.pi * (t - 9) / 24) + arma(rng, 600, [0.9], [0.3], sigma=0.5)
    y[3:9] = np.nan
    y[200:260] = np.nan            # 60 hours missing
    y[rng.choice(600, 50, replace=False)] = np.nan
    return y


def joint_fourier():
    y = holed_hourly()
    fits = []
    for order, terms in [((2, 0, 1), 2), ((1, 0, 1), 3)]:
        x = fourier(len(y), terms)
        model = sm.tsa.statespace.SARIMAX(y, exog=x, order=order, trend="c")
        best = None
        for start in [model.start_params]:
            res = model.fit(start_params=start, disp=0, method="lbfgs", maxiter=2000)
            best = res
        polished = model.fit(start_params=best.params, disp=0, method="bfgs", maxiter=5000, gtol=1e-10)
        res = polished if polished.llf >= best.llf else best
        fits.append({"order": list(order), "constant": True, "fourier_terms": terms, "loglike": float(res.llf),
                     "param_names": list(model.param_names), "params": [float(v) for v in res.params]})
        print("fourier_joint", order, terms, res.llf)
    (OUT / "fourier_joint.json").write_text(json.dumps({"name": "fourier_joint", "values": values_json(y), "fits": fits}, indent=1) + "\n")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["fourier_joint"]:
        joint_fourier()
        return
    index = []
    # wpi1
    y = np.asarray(results_sarimax.wpi1_data, dtype=float)
    fits = []
    for order, constant in [((3, 0, 2), True), ((3, 0, 0), True)]:
        model, res, single = best_fit(y, order, constant)
        fits.append(record(model, res, order, constant, single))
        print("wpi1", order, res.llf, "default start", single)
    (OUT / "wpi1.json").write_text(json.dumps({"name": "wpi1", "values": values_json(y), "fixed": fits}, indent=1) + "\n")
    index.append("wpi1")

    # NaN-holed series, d = 0.
    rng = np.random.RandomState(31)
    holed = {}
    y = arma(rng, 400, [0.5, 0.3], [0.4], const=0.2)
    mask = np.zeros(400, dtype=bool)
    mask[[5, 17, 18, 19, 100]] = True
    mask[150:172] = True           # a 22-step gap
    mask[rng.choice(400, 30, replace=False)] = True
    mask[396:] = True              # the series ends missing
    y[mask] = np.nan
    holed["arma21_missing"] = (y, [((2, 0, 1), True), ((1, 0, 1), True)])
    y = holed_hourly()
    holed["hourly_missing"] = (y, [((2, 0, 1), True), ((3, 0, 0), True)])
    for name, (y, orders) in holed.items():
        fits = []
        for order, constant in orders:
            model, res, _ = best_fit(y, order, constant, starts=8)
            fits.append(record(model, res, order, constant))
            print(name, order, res.llf, "nobs", res.nobs)
        (OUT / f"{name}.json").write_text(json.dumps({"name": name, "values": values_json(y), "fixed": fits}, indent=1) + "\n")
        index.append(name)
    (OUT / "index.json").write_text(json.dumps(index) + "\n")
    joint_fourier()


if __name__ == "__main__":
    main()
