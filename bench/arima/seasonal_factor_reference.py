#!/usr/bin/env python3
"""Generate the seasonal-factor parity fixture (Tests/Fixtures/arima/seasonal/factors.json) with statsmodels.

Run once with the shared venv:  /work/venv/bin/python bench/arima/seasonal_factor_reference.py
The series is real: 600 hours of Miami's hourly dry-bulb temperature (kelvin) from the TMY2
file pvlib ships (`data/12839.tm2`, the benchmark's tuning city), from the 2,400th hour on
(April), written into the fixture so the Swift tests never need pvlib.

For each ARIMA(p,d,q)(P,0,Q)[24] below the fixture holds statsmodels SARIMAX's optimum
(trend 'c' or 'n', stationary initialisation of the ARMA part, several starts by L-BFGS,
the best polished by BFGS): params in SARIMAX's order (intercept, ar, ma, ar.S, ma.S,
sigma2), llf, aic, and 24-step forecasts with 95% and 80% intervals.
"""
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pvlib
import statsmodels.api as sm

warnings.simplefilter("ignore")
OUT = Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "arima" / "seasonal"
HORIZON = 24
FITS = [  # (order, seasonal (P, Q), constant)
    ((1, 0, 1), (1, 0), True),
    ((1, 1, 1), (1, 0), False),
    ((1, 0, 1), (0, 1), True),
    ((2, 0, 0), (1, 0), True),
]


def series():
    path = os.path.join(os.path.dirname(pvlib.__file__), "data", "12839.tm2")
    frame, _ = pvlib.iotools.read_tmy2(path)
    column = "DryBulb" if "DryBulb" in frame else "temp_air"
    celsius = frame[column].to_numpy(float)
    if np.nanmax(np.abs(celsius)) > 100:  # TMY2 stores tenths of a degree
        celsius = celsius / 10
    return [round(float(v) + 273.15, 4) for v in celsius[2400:3000]]


def fit(y, order, seasonal, constant):
    model = sm.tsa.statespace.SARIMAX(y, order=order, seasonal_order=(seasonal[0], 0, seasonal[1], 24),
                                      trend="c" if constant else "n")
    rng = np.random.RandomState(7)
    default = model.start_params
    starts = [default]
    offset = 1 if constant else 0
    k = len(default) - offset - 1
    for _ in range(4):
        start = default.copy()
        start[offset:offset + k] = rng.uniform(-0.6, 0.6, k)
        starts.append(start)
    best = None
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
        "seasonal_order": list(seasonal),
        "constant": constant,
        "params": [float(v) for v in res.params],
        "param_names": list(model.param_names),
        "loglike": float(res.llf),
        "aic": float(res.aic),
        "forecast_mean": [float(v) for v in fc.predicted_mean],
        "lower95": [float(v) for v in ci[:, 0]],
        "upper95": [float(v) for v in ci[:, 1]],
        "lower80": [float(v) for v in ci80[:, 0]],
        "upper80": [float(v) for v in ci80[:, 1]],
    }


def main():
    y = series()
    fits = []
    for order, seasonal, constant in FITS:
        result = fit(np.array(y), order, seasonal, constant)
        print(order, seasonal, constant, result["param_names"], np.round(result["params"], 4), round(result["loglike"], 4))
        fits.append(result)
    OUT.mkdir(parents=True, exist_ok=True)
    payload = {"name": "miami-temperature-april", "source": "pvlib data/12839.tm2, hours 2400-2999, kelvin",
               "period": 24, "values": y, "fits": fits}
    (OUT / "factors.json").write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
