#!/usr/bin/env python3
"""Writes the missing-value reference fixtures, Tests/Fixtures/autoreg/missing_*.json.

The plugin fits an autoregression with missing values by least squares on the rows whose
response and lags are all present. statsmodels' AutoReg does not take NaN, so the reference
is statsmodels' OLS on exactly those rows (missing="drop" on a design built with shifts):
the information criteria of every lag count on the common sample (rows complete for
maxlag), the chosen count's refit on the rows complete for it, and its sigma2 = ssr / nobs.
The forecast fills missing values at the end by the model's one-step forecasts (numpy) and
takes its intervals from statsmodels' arma2ma psi weights.

    /work/venv/bin/python bench/autoreg/missing_reference.py
"""
import json
import os

import numpy as np
import statsmodels
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.tsa.arima_process import arma2ma

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HORIZON = 24


def series(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    daily = 3 * np.sin(2 * np.pi * t / 24) + np.cos(4 * np.pi * t / 24)
    y = np.zeros(n)
    e = rng.normal(0, 1, n)
    for i in range(n):
        y[i] = 0.6 * y[i - 1] + 0.2 * y[i - 2] - 0.1 * y[i - 3] + e[i] if i >= 3 else e[i]
    y = 280 + daily + y + 0.001 * t
    holes = [50, 51, 52, 53, 54, 200, 377, 378, 600] + list(range(700, 730)) + [n - 2, n - 1]
    y[holes] = np.nan
    return y


def design(y, trend, seasonal, period, lags):
    n = len(y)
    t = np.arange(n)
    columns, names = [], []
    if "c" in trend:
        columns.append(np.ones(n)); names.append("const")
    if "t" in trend:
        columns.append(t + 1.0); names.append("trend")
    if seasonal:
        for j in range(2 if "c" in trend else 1, period + 1):
            columns.append((t % period == j - 1).astype(float)); names.append(f"s({j},{period})")
    for lag in range(1, lags + 1):
        columns.append(np.concatenate([np.full(lag, np.nan), y[:-lag]])); names.append(f"y.L{lag}")
    return np.column_stack(columns) if columns else np.zeros((n, 0)), names


def complete(y, x, first):
    keep = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    keep[:first] = False
    return keep


def case(name, y, options):
    trend, seasonal, period, maxlag, ic = (options[k] for k in ("trend", "seasonal", "period", "maxlag", "ic"))
    x, _ = design(y, trend, seasonal, period, maxlag)
    common = complete(y, x, maxlag)
    criteria = {"aic": [], "bic": [], "hqic": []}
    k_det = x.shape[1] - maxlag
    for p in range(maxlag + 1):
        res = sm.OLS(y[common], x[common][:, :k_det + p]).fit()
        # statsmodels' ar_select_order ranks by OLS criteria with df_model + 1 parameters
        nobs = res.nobs
        k = res.df_model + 1
        llf = res.llf
        criteria["aic"].append(-2 * llf + 2 * k)
        criteria["bic"].append(-2 * llf + np.log(nobs) * k)
        criteria["hqic"].append(-2 * llf + 2 * np.log(np.log(nobs)) * k)
    p = int(np.argmin(criteria[ic]))
    xp, names = design(y, trend, seasonal, period, p)
    rows = complete(y, xp, p)
    res = sm.OLS(y[rows], xp[rows]).fit()
    params = res.params
    sigma2 = res.ssr / res.nobs
    det, phi = params[:k_det], params[k_det:]

    n = len(y)
    tt = np.arange(n + HORIZON)
    xd, _ = design(np.zeros(n + HORIZON), trend, seasonal, period, 0)
    filled = np.concatenate([y.copy(), np.zeros(HORIZON)])
    first = y[~np.isnan(y)][0]
    filled[:p] = np.where(np.isnan(filled[:p]), first, filled[:p])
    for i in range(p, n + HORIZON):
        if i >= n or np.isnan(filled[i]):
            filled[i] = xd[i] @ det + sum(phi[j] * filled[i - 1 - j] for j in range(p))
    mean = filled[n:]
    psi = arma2ma(np.r_[1, -phi], [1], lags=HORIZON)
    sd = np.sqrt(sigma2 * np.cumsum(psi ** 2))
    z = norm.ppf(0.975)
    return {
        "case": name, "generator": "bench/autoreg/missing_reference.py",
        "statsmodels": statsmodels.__version__, "numpy": np.__version__,
        "options": options, "series": [None if np.isnan(v) else float(v) for v in y],
        "missing": int(np.isnan(y).sum()),
        "selected_lags": p, "criteria": criteria, "params": params.tolist(), "param_names": names,
        "sigma2": float(sigma2), "nobs": int(res.nobs), "horizon": HORIZON,
        "mean": mean.tolist(), "lower": (mean - z * sd).tolist(), "upper": (mean + z * sd).tolist(),
    }


def main():
    y = series(1200, 20)
    cases = [
        ("missing_seasonal_aic_c", {"trend": "c", "seasonal": True, "period": 24, "maxlag": 10, "ic": "aic"}),
        ("missing_bic_ct", {"trend": "ct", "seasonal": False, "period": 24, "maxlag": 6, "ic": "bic"}),
    ]
    for name, options in cases:
        out = case(name, y, options)
        path = os.path.join(ROOT, "Tests", "Fixtures", "autoreg", name + ".json")
        with open(path, "w") as handle:
            json.dump(out, handle, indent=1)
        print(name, "p =", out["selected_lags"], "nobs =", out["nobs"], "missing =", out["missing"])


if __name__ == "__main__":
    main()
