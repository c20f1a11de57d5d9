"""The statistical anchors, on exactly the backtest's series and origins.

Each anchor is fitted ONCE per series on the hours before the first origin and then, at
every origin, conditioned on the newer hours without re-estimating anything, which is what
`forecast backtest` does with a plugin that offers conditioning: statsmodels through
`results.append(new, refit=False)` (the state is filtered on, parameters kept), statsforecast
through `model.forward(y=..., h=...)` (the fitted model applied to the longer series).
Refitting every anchor at 36 origins on two shared cores would cost hours.

An anchor returns, per origin, the point forecast and the 95% and 80% intervals; scoring is
shared with the plugins (scoring.py).
"""
import math
import time
import warnings

import numpy as np
from scipy.stats import norm

from scoring import LEVELS, level_key

ANCHORS = {}


def anchor(name, version):
    def register(function):
        ANCHORS[name] = {"run": function, "version": version}
        return function
    return register


def _intervals(mean, sd, levels):
    lower, upper = {}, {}
    for level in levels:
        z = norm.ppf(0.5 + level / 2)
        lower[level_key(level)] = (mean - z * sd).tolist()
        upper[level_key(level)] = (mean + z * sd).tolist()
    return lower, upper


def _origin(values, origin, horizon, mean, lower, upper):
    return {"actual": values[origin:origin + horizon].tolist(), "mean": np.asarray(mean, float).tolist(),
            "lower": {k: np.asarray(v, float).tolist() for k, v in lower.items()},
            "upper": {k: np.asarray(v, float).tolist() for k, v in upper.items()}}


@anchor("seasonal naive", 1)
def seasonal_naive(values, origins, horizon, levels=LEVELS, period=24):
    """y(T+h) = y(T+h-24k), k = ceil(h/24); sigma from the training data's seasonal differences
    (the seasonal-naive plugin's method), the h-step sd sigma*sqrt(k)."""
    start = time.perf_counter()
    train = values[:origins[0]]
    diffs = train[period:] - train[:-period]
    sigma = math.sqrt(float(np.mean(diffs ** 2)))
    fit_seconds = time.perf_counter() - start
    forecasts = []
    start = time.perf_counter()
    for origin in origins:
        h = np.arange(1, horizon + 1)
        k = np.ceil(h / period).astype(int)
        mean = values[origin + h - 1 - period * k]
        lower, upper = _intervals(mean, sigma * np.sqrt(k), levels)
        forecasts.append(_origin(values, origin, horizon, mean, lower, upper))
    return {"forecasts": forecasts, "fitSeconds": fit_seconds, "conditionSeconds": time.perf_counter() - start}


def _fourier(index, pairs, period=24):
    t = np.asarray(index, float)[:, None]
    k = np.arange(1, pairs + 1)[None, :]
    return np.hstack([np.sin(2 * np.pi * k * t / period), np.cos(2 * np.pi * k * t / period)])


def _statsmodels_prediction(prediction, levels):
    mean = np.asarray(prediction.predicted_mean, float)
    lower, upper = {}, {}
    for level in levels:
        frame = np.asarray(prediction.conf_int(alpha=1 - level), float)
        lower[level_key(level)], upper[level_key(level)] = frame[:, 0], frame[:, 1]
    return mean, lower, upper


@anchor("statsmodels AR(AIC<=72)", 1)
def statsmodels_ar(values, origins, horizon, levels=LEVELS):
    """ar_select_order(maxlag=72, ic='aic', trend='c'), no seasonal dummies; conditioned with append(refit=False)."""
    from statsmodels.tsa.ar_model import ar_select_order
    start = time.perf_counter()
    first = origins[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selection = ar_select_order(values[:first], maxlag=72, ic="aic", trend="c")
        fitted = selection.model.fit()
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    forecasts = []
    for origin in origins:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            current = fitted if origin == first else fitted.append(values[first:origin])
            prediction = current.get_prediction(start=origin, end=origin + horizon - 1)
        forecasts.append(_origin(values, origin, horizon, *_statsmodels_prediction(prediction, levels)))
    return {"forecasts": forecasts, "fitSeconds": fit_seconds, "conditionSeconds": time.perf_counter() - start,
            "model": f"AR({max(selection.ar_lags or [0])})"}


@anchor("statsmodels SARIMAX(2,0,3)+F3", 1)
def statsmodels_sarimax(values, origins, horizon, levels=LEVELS, order=(2, 0, 3), pairs=3):
    """SARIMAX(2,0,3) with a constant and 3 daily Fourier pairs as exog, estimated jointly by ML;
    conditioned with append(refit=False)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    start = time.perf_counter()
    first = origins[0]
    index = np.arange(len(values) + horizon)
    exog = _fourier(index, pairs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(values[:first], exog=exog[:first], order=order, trend="c")
        fitted = model.fit(disp=False, maxiter=200)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    forecasts = []
    for origin in origins:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            current = fitted if origin == first else fitted.append(values[first:origin], exog=exog[first:origin])
            prediction = current.get_forecast(horizon, exog=exog[origin:origin + horizon])
        forecasts.append(_origin(values, origin, horizon, *_statsmodels_prediction(prediction, levels)))
    return {"forecasts": forecasts, "fitSeconds": fit_seconds, "conditionSeconds": time.perf_counter() - start}


def _statsforecast(model, values, origins, horizon, levels):
    start = time.perf_counter()
    first = origins[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(y=values[:first])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    percents = [int(round(level * 100)) for level in levels]
    forecasts = []
    for origin in origins:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model.forward(y=values[:origin], h=horizon, level=percents)
        lower = {level_key(level): out[f"lo-{p}"] for level, p in zip(levels, percents)}
        upper = {level_key(level): out[f"hi-{p}"] for level, p in zip(levels, percents)}
        forecasts.append(_origin(values, origin, horizon, out["mean"], lower, upper))
    return {"forecasts": forecasts, "fitSeconds": fit_seconds, "conditionSeconds": time.perf_counter() - start}


@anchor("statsforecast AutoETS(24)", 1)
def statsforecast_ets(values, origins, horizon, levels=LEVELS):
    """AutoETS(season_length=24); forward() applies the fitted model to the longer series."""
    from statsforecast.models import AutoETS
    return _statsforecast(AutoETS(season_length=24), values, origins, horizon, levels)


@anchor("statsforecast MSTL(24,168)", 1)
def statsforecast_mstl(values, origins, horizon, levels=LEVELS):
    """MSTL(season_length=[24, 168]) with its default AutoETS trend; forward() decomposes the longer
    series and applies the fitted trend model."""
    from statsforecast.models import MSTL
    return _statsforecast(MSTL(season_length=[24, 168]), values, origins, horizon, levels)


@anchor("statsforecast AutoARIMA(24)", 1)
def statsforecast_autoarima(values, origins, horizon, levels=LEVELS):
    """AutoARIMA(season_length=24); forward() applies the chosen model, its parameters kept."""
    from statsforecast.models import AutoARIMA
    return _statsforecast(AutoARIMA(season_length=24), values, origins, horizon, levels)
