#!/usr/bin/env bash
# Ingest and load benchmark, one run, side by side.
#
#   bench/pipeline/run.sh [path/to/release/forecast]
#
# 1. Generates full-size inputs: 45,253 hourly rows x 36 cities, two files
#    (`forecast sample-data`, the source's exact format).
# 2. SQLite, end to end: `forecast ingest --all-cities` (stream-parse, validate, join,
#    fill, write 36 processed CSVs, load in one transaction) against pandas
#    (read_csv, melt, merge, interpolate, to_sql) into the same SQLite database file.
# 3. PostgreSQL load (when psql and scripts/postgres-test-server.sh are usable): the
#    load phase of `forecast ingest --database postgresql://...` (COPY FROM STDIN into a
#    temporary table + upsert, one transaction) against `psql \copy` of the same 36
#    processed CSVs into a plain table.
# Prints each time and the ratios. Python: $PYTHON (default /work/venv/bin/python) with pandas.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FORECAST=${1:-$ROOT/.build/release/forecast}
PYTHON=${PYTHON:-/work/venv/bin/python}
WORK=$(mktemp -d /tmp/forecast-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
[ -x "$FORECAST" ] || { echo "build first: swift build -c release (or pass the forecast binary)" >&2; exit 1; }

echo "== inputs: 45,253 rows x 36 cities x 2 files"
"$FORECAST" sample-data --out "$WORK/sample" >/dev/null
"$FORECAST" fetch --workdir "$WORK/w" --temperature "$WORK/sample/temperature.csv.zip" \
    --humidity "$WORK/sample/humidity.csv.zip" >/dev/null 2>&1
T=$WORK/w/data/temperature.csv
H=$WORK/w/data/humidity.csv
ls -l "$T" "$H" | awk '{print "   " $5 " bytes  " $NF}'
DB=$WORK/bench.db

seconds() { python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)[sys.argv[1]])' "$1"; }

echo "== SQLite: ingest + load, all 36 cities (best of 3 each; wall and CPU seconds)"
MEASURE="python3 $(dirname "$0")/measure.py"
best_ours=999; best_pandas=999; cpu_ours=999; cpu_pandas=999
for run in 1 2 3; do
    rm -f "$DB" "$DB-wal" "$DB-shm"
    ours_json=$($MEASURE "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "sqlite://$DB")
    "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "sqlite://$WORK/phase.db" --json >"$WORK/ours.json" 2>/dev/null
    pandas_json=$($MEASURE "$PYTHON" "$(dirname "$0")/pandas_ingest.py" "$T" "$H" "$DB")
    ours=$(echo "$ours_json" | seconds wall); ours_cpu=$(echo "$ours_json" | seconds cpu)
    pandas=$(echo "$pandas_json" | seconds wall); pandas_cpu=$(echo "$pandas_json" | seconds cpu)
    echo "   run $run: forecast ingest ${ours} s wall, ${ours_cpu} s CPU (separate run: process $(seconds processSeconds <"$WORK/ours.json") s, load $(seconds loadSeconds <"$WORK/ours.json") s)   pandas ${pandas} s wall, ${pandas_cpu} s CPU"
    best_ours=$(python3 -c "print(min($best_ours, $ours))"); cpu_ours=$(python3 -c "print(min($cpu_ours, $ours_cpu))")
    best_pandas=$(python3 -c "print(min($best_pandas, $pandas))"); cpu_pandas=$(python3 -c "print(min($cpu_pandas, $pandas_cpu))")
done
rows_ours=$(sqlite3 "$DB" "select count(*) from observations")
rows_pandas=$(sqlite3 "$DB" "select count(*) from observations_pandas")
echo "   rows: forecast $rows_ours, pandas $rows_pandas (same database file)"
echo "   RESULT sqlite end to end, wall: forecast ${best_ours} s, pandas ${best_pandas} s, pandas/forecast = $(python3 -c "print('%.1fx' % ($best_pandas / $best_ours))")"
echo "   RESULT sqlite end to end, CPU:  forecast ${cpu_ours} s, pandas ${cpu_pandas} s, pandas/forecast = $(python3 -c "print('%.1fx' % ($cpu_pandas / $cpu_ours))")"

if command -v psql >/dev/null && [ -x "$ROOT/scripts/postgres-test-server.sh" ]; then
    echo "== PostgreSQL: load of the processed rows (best of 3 each)"
    export FORECAST_PG_STATE=$WORK/pg.state
    URL=$("$ROOT/scripts/postgres-test-server.sh" start 2>/dev/null | tail -1)
    trap '"$ROOT/scripts/postgres-test-server.sh" stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
    best_load=999; best_reload=999; best_copy=999; best_copy_pk=999
    # psql \copy of the 36 processed CSVs, one session, one transaction:
    # (a) into a plain table of the CSV's columns, (b) into a table shaped like
    #     `observations` (city column filled per file, the same primary key).
    PLAIN=$WORK/copy-plain.sql; KEYED=$WORK/copy-keyed.sql
    { echo "BEGIN; DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (datetime timestamp, temperature double precision, humidity double precision);"
      for file in "$WORK"/w/processed/*.csv; do echo "\\copy bench_copy FROM '$file' WITH (FORMAT csv, HEADER true)"; done
      echo "COMMIT;"; } >"$PLAIN"
    { echo "BEGIN; DROP TABLE IF EXISTS bench_keyed; CREATE TABLE bench_keyed (city text NOT NULL, datetime timestamp NOT NULL, temperature double precision, humidity double precision, PRIMARY KEY (city, datetime));"
      for file in "$WORK"/w/processed/*.csv; do
          city=$(basename "$file" .csv)
          echo "ALTER TABLE bench_keyed ALTER COLUMN city SET DEFAULT '$city';"
          echo "\\copy bench_keyed (datetime, temperature, humidity) FROM '$file' WITH (FORMAT csv, HEADER true)"
      done
      echo "COMMIT;"; } >"$KEYED"
    timed() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); python3 -c "print('%.3f' % ($end - $start))"; }
    for run in 1 2 3; do
        psql -q "$URL" -c "DROP TABLE IF EXISTS observations, schema_migrations" >/dev/null 2>&1
        "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "$URL" --json >"$WORK/pg.json" 2>/dev/null
        load=$(seconds loadSeconds <"$WORK/pg.json")
        "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "$URL" --json >"$WORK/pg2.json" 2>/dev/null
        reload=$(seconds loadSeconds <"$WORK/pg2.json")
        copy=$(timed psql -q -v ON_ERROR_STOP=1 "$URL" -f "$PLAIN")
        copy_pk=$(timed psql -q -v ON_ERROR_STOP=1 "$URL" -f "$KEYED")
        echo "   run $run: forecast first load ${load} s (COPY into observations), reload ${reload} s (COPY to temp + upsert)   psql \\copy plain ${copy} s, keyed ${copy_pk} s"
        best_load=$(python3 -c "print(min($best_load, $load))")
        best_reload=$(python3 -c "print(min($best_reload, $reload))")
        best_copy=$(python3 -c "print(min($best_copy, $copy))")
        best_copy_pk=$(python3 -c "print(min($best_copy_pk, $copy_pk))")
    done
    echo "   rows: forecast $(psql -tA "$URL" -c 'select count(*) from observations'), psql $(psql -tA "$URL" -c 'select count(*) from bench_copy') / $(psql -tA "$URL" -c 'select count(*) from bench_keyed')"
    ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }
    echo "   RESULT postgresql first load: forecast ${best_load} s; psql \\copy plain table ${best_copy} s ($(ratio "$best_load" "$best_copy")), same-key table ${best_copy_pk} s ($(ratio "$best_load" "$best_copy_pk"))"
    echo "   RESULT postgresql reload (upsert over existing rows): forecast ${best_reload} s ($(ratio "$best_reload" "$best_copy_pk") of the same-key \\copy)"
fi
