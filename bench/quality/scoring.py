"""Scores of rolling-origin forecasts, the same code for the plugins and the anchors.

Per series and band (lead hours 1-24, 25-48, 49-72): MAE, RMSE, the share of observations
inside each interval (coverage) and Winkler's interval score, which adds 2/alpha times the
miss to the width, so a wide interval cannot buy coverage for free. Across series of
different units the benchmark compares relative scores: each series' score over seasonal
naive's on the same origins, combined by the geometric mean (the mean of ratios would
reward a model that is very good on one series more than it loses on another).
"""
import math

import numpy as np

BANDS = ["1-24", "25-48", "49-72"]
LEVELS = [0.95, 0.8]


def level_key(level):
    """The key the backtest uses for a level: 0.95 -> '0.95', 0.8 -> '0.8'."""
    return f"{level:g}"


def band_slices(horizon):
    return {band: slice(24 * i, min(24 * (i + 1), horizon)) for i, band in enumerate(BANDS) if 24 * i < horizon}


def winkler(actual, lower, upper, level):
    alpha = 1 - level
    score = upper - lower
    score = score + np.where(actual < lower, 2 / alpha * (lower - actual), 0.0)
    score = score + np.where(actual > upper, 2 / alpha * (actual - upper), 0.0)
    return score


def score_series(forecasts, horizon=72, levels=LEVELS):
    """forecasts: list of {actual, mean, lower: {key: [...]}, upper: {key: [...]}} per origin."""
    actual = np.array([f["actual"] for f in forecasts], float)
    mean = np.array([f["mean"] for f in forecasts], float)
    error = actual - mean
    result = {"mae": {}, "rmse": {}, "coverage": {}, "winkler": {}, "origins": len(forecasts)}
    for band, where in band_slices(horizon).items():
        result["mae"][band] = float(np.mean(np.abs(error[:, where])))
        result["rmse"][band] = float(np.sqrt(np.mean(error[:, where] ** 2)))
    result["mae"]["all"] = float(np.mean(np.abs(error)))
    result["rmse"]["all"] = float(np.sqrt(np.mean(error ** 2)))
    result["maeByLead"] = np.mean(np.abs(error), axis=0).tolist()
    for level in levels:
        key = level_key(level)
        lower = np.array([f["lower"][key] for f in forecasts], float)
        upper = np.array([f["upper"][key] for f in forecasts], float)
        inside = (lower <= actual) & (actual <= upper)
        score = winkler(actual, lower, upper, level)
        result["coverage"][key] = {band: float(np.mean(inside[:, where])) for band, where in band_slices(horizon).items()}
        result["winkler"][key] = {band: float(np.mean(score[:, where])) for band, where in band_slices(horizon).items()}
        result["winkler"][key]["all"] = float(np.mean(score))
    return result


def geometric_mean(values):
    values = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not values:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summarise(scores, baseline):
    """Aggregates one model over a group of series.

    scores, baseline: {series_id: score_series(...)} (baseline: seasonal naive); only series
    present in both count. Returns relative MAE per band and overall, mean MAE/RMSE (meaningful
    when the group has one variable), mean coverage per level and band, relative Winkler score
    per level, and how many series the model beats seasonal naive on (MAE over all 72 h)."""
    ids = [s for s in scores if s in baseline]
    out = {"series": len(ids), "relMAE": {}, "MAE": {}, "relWinkler": {}, "coverage": {}}
    if not ids:
        return out
    for band in BANDS + ["all"]:
        out["relMAE"][band] = geometric_mean([scores[s]["mae"][band] / baseline[s]["mae"][band] for s in ids])
        out["MAE"][band] = float(np.mean([scores[s]["mae"][band] for s in ids]))
    out["RMSE"] = float(np.mean([scores[s]["rmse"]["all"] for s in ids]))
    out["relRMSE"] = geometric_mean([scores[s]["rmse"]["all"] / baseline[s]["rmse"]["all"] for s in ids])
    for key in scores[ids[0]]["coverage"]:
        out["coverage"][key] = {band: float(np.mean([scores[s]["coverage"][key][band] for s in ids])) for band in BANDS}
        out["relWinkler"][key] = geometric_mean([scores[s]["winkler"][key]["all"] / baseline[s]["winkler"][key]["all"] for s in ids])
    out["beatsNaive"] = sum(1 for s in ids if scores[s]["mae"]["all"] < baseline[s]["mae"]["all"])
    return out
