"""The pandas side of the ingest benchmark: read_csv, reshape, merge, to_sql.

Does the same work as `forecast ingest --all-cities` as closely as pandas allows:
read both wide CSVs, turn them long (one row per city and hour), join temperature and
humidity on (city, time), interpolate gaps of up to 3 hours inside each series, drop
hours with neither value, and write the result into a table of the given SQLite file.
Prints the seconds taken, as JSON.
"""
import json
import sqlite3
import sys
import time

import pandas as pd


def main(temperature_csv: str, humidity_csv: str, database: str) -> None:
    started = time.perf_counter()
    temperature = pd.read_csv(temperature_csv, parse_dates=["datetime"])
    humidity = pd.read_csv(humidity_csv, parse_dates=["datetime"])
    read = time.perf_counter()
    long_t = temperature.melt(id_vars="datetime", var_name="city", value_name="temperature")
    long_h = humidity.melt(id_vars="datetime", var_name="city", value_name="humidity")
    joined = long_t.merge(long_h, on=["datetime", "city"], how="outer").sort_values(["city", "datetime"])
    for column in ["temperature", "humidity"]:
        joined[column] = joined.groupby("city")[column].transform(
            lambda s: s.interpolate(limit=3, limit_area="inside"))
    joined = joined.dropna(subset=["temperature", "humidity"], how="all")
    joined["time"] = joined["datetime"].astype("int64") // 10**9
    joined = joined[["city", "time", "temperature", "humidity"]]
    processed = time.perf_counter()
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE IF EXISTS observations_pandas")
        joined.to_sql("observations_pandas", connection, index=False, chunksize=50_000)
    finished = time.perf_counter()
    print(json.dumps({"rows": int(len(joined)), "read": read - started, "process": processed - read,
                      "to_sql": finished - processed, "seconds": finished - started}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
