"""Times pmdarima's auto_arima (the seed's exact call) and statsforecast's AutoARIMA on the bench series.

Usage: baselines.py TOOL SERIES  -> prints one JSON line {tool, series, seconds, order, constant, aic}
Run by run_bench.py in a subprocess under `timeout`; results are cached in results/.
"""
import json
import sys
import time
import warnings

import numpy as np

from data import series

warnings.simplefilter("ignore")


def run_pmdarima(y):
    import pmdarima as pm
    start = time.perf_counter()
    m = pm.auto_arima(y, start_p=1, start_q=1, test="adf", max_p=3, max_q=3, m=1, d=None,
                      seasonal=False, start_P=0, D=0, error_action="ignore",
                      suppress_warnings=True, stepwise=True)
    seconds = time.perf_counter() - start
    return seconds, list(m.order), bool(m.with_intercept), float(m.aic())


def run_statsforecast(y):
    from statsforecast.models import AutoARIMA
    # Warm the numba JIT on a small series so compile time is not counted.
    AutoARIMA(d=None, max_p=3, max_q=3, start_p=1, start_q=1, seasonal=False, stepwise=True,
              ic="aic", test="adf").fit(y[:500])
    start = time.perf_counter()
    model = AutoARIMA(d=None, max_p=3, max_q=3, start_p=1, start_q=1, seasonal=False, stepwise=True,
                      ic="aic", test="adf").fit(y)
    seconds = time.perf_counter() - start
    arma = model.model_["arma"]  # (p, q, P, Q, m, d, D)
    order = [int(arma[0]), int(arma[5]), int(arma[1])]
    coef = model.model_["coef"]
    constant = any(k in coef for k in ("intercept", "drift"))
    return seconds, order, constant, float(model.model_["aic"])


if __name__ == "__main__":
    tool, name = sys.argv[1], sys.argv[2]
    y = np.asarray(series(name), dtype=float)
    seconds, order, constant, aic = {"pmdarima": run_pmdarima, "statsforecast": run_statsforecast}[tool](y)
    print(json.dumps({"tool": tool, "series": name, "seconds": seconds, "order": order, "constant": constant, "aic": aic}))
