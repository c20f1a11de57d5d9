"""Deterministic hourly benchmark series: a temperature-like signal (kelvin).

Daily and annual cycles plus AR(2) weather noise and a slowly wandering level, from
numpy's RandomState with a fixed seed, so every run and every tool sees the same data.
"""
import numpy as np


def hourly_series(n, seed):
    rng = np.random.RandomState(seed)
    t = np.arange(n, dtype=float)
    daily = 5.0 * np.sin(2 * np.pi * (t - 9) / 24) + 1.2 * np.sin(4 * np.pi * t / 24)
    annual = 9.0 * np.sin(2 * np.pi * (t - 2400) / 8766)
    e = rng.normal(0, 0.45, n + 200)
    noise = np.zeros(n + 200)
    for i in range(2, n + 200):
        noise[i] = 1.55 * noise[i - 1] - 0.6 * noise[i - 2] + e[i]
    level = np.cumsum(rng.normal(0, 0.02, n))
    return 283.0 + daily + annual + noise[200:] + level


SERIES = {"45k": (45_000, 2012), "8.7k": (8_700, 2016)}


def series(name):
    n, seed = SERIES[name]
    return hourly_series(n, seed)
