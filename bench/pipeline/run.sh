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
#    The first ingest creates the store (a new file, built whole and published); two
#    more cases go through the upsert into an existing file: into an empty store, and
#    a re-ingest of the same data into the loaded one.
# 3. PostgreSQL load (when psql and scripts/postgres-test-server.sh are usable): the
#    load phase of `forecast ingest --database postgresql://...` (first load: a partition
#    per city, binary COPY, primary key built after; reload: binary COPY into a temporary
#    table + merge; one transaction each) against `psql \copy` of the same 36 processed
#    CSVs into a plain table and into a table keyed like the store's.
# Prints each time, the ratios and the load average. Best of $RUNS (default 5) runs.
# Python: $PYTHON (default /work/venv/bin/python) with pandas.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FORECAST=${1:-$ROOT/.build/release/forecast}
PYTHON=${PYTHON:-/work/venv/bin/python}
RUNS=${RUNS:-5}
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
minimum() { python3 -c "print(min($1, $2))"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== SQLite: ingest + load, all 36 cities (best of $RUNS each; wall and CPU seconds); load average $(loadavg)"
MEASURE="python3 $(dirname "$0")/measure.py"
ingest() { $MEASURE "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "sqlite://$1"; }
best_ours=999; best_pandas=999; cpu_ours=999; cpu_pandas=999
best_empty=999; cpu_empty=999; best_again=999; cpu_again=999
for run in $(seq "$RUNS"); do
    rm -f "$DB" "$DB-wal" "$DB-shm"
    ours_json=$(ingest "$DB")
    pandas_json=$($MEASURE "$PYTHON" "$(dirname "$0")/pandas_ingest.py" "$T" "$H" "$DB")
    # The same ingest into an existing store with no rows (created by `forecast cities`),
    # then again over its own rows: the upsert into a WAL file, not a new file.
    rm -f "$WORK/existing.db" "$WORK/existing.db-wal" "$WORK/existing.db-shm"
    "$FORECAST" cities --workdir "$WORK/w" --database "sqlite://$WORK/existing.db" >/dev/null
    empty_json=$(ingest "$WORK/existing.db")
    again_json=$(ingest "$WORK/existing.db")
    rm -f "$WORK/phase.db" "$WORK/phase.db-wal" "$WORK/phase.db-shm"
    "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "sqlite://$WORK/phase.db" --json >"$WORK/ours.json" 2>/dev/null
    ours=$(echo "$ours_json" | seconds wall); ours_cpu=$(echo "$ours_json" | seconds cpu)
    pandas=$(echo "$pandas_json" | seconds wall); pandas_cpu=$(echo "$pandas_json" | seconds cpu)
    empty=$(echo "$empty_json" | seconds wall); empty_cpu=$(echo "$empty_json" | seconds cpu)
    again=$(echo "$again_json" | seconds wall); again_cpu=$(echo "$again_json" | seconds cpu)
    echo "   run $run: forecast ingest ${ours} s wall, ${ours_cpu} s CPU (separate run: process $(seconds processSeconds <"$WORK/ours.json") s, load $(seconds loadSeconds <"$WORK/ours.json") s)   pandas ${pandas} s wall, ${pandas_cpu} s CPU   existing empty store ${empty} s / ${empty_cpu} s CPU, again ${again} s / ${again_cpu} s CPU"
    best_ours=$(minimum "$best_ours" "$ours"); cpu_ours=$(minimum "$cpu_ours" "$ours_cpu")
    best_pandas=$(minimum "$best_pandas" "$pandas"); cpu_pandas=$(minimum "$cpu_pandas" "$pandas_cpu")
    best_empty=$(minimum "$best_empty" "$empty"); cpu_empty=$(minimum "$cpu_empty" "$empty_cpu")
    best_again=$(minimum "$best_again" "$again"); cpu_again=$(minimum "$cpu_again" "$again_cpu")
done
rows_ours=$(sqlite3 "$DB" "select count(*) from observations")
rows_pandas=$(sqlite3 "$DB" "select count(*) from observations_pandas")
rows_existing=$(sqlite3 "$WORK/existing.db" "select count(*) from observations")
echo "   rows: forecast $rows_ours (existing store: $rows_existing), pandas $rows_pandas (same database file)"
ratio() { python3 -c "print('%.1fx' % ($1 / $2))"; }
echo "   RESULT sqlite end to end, new store, wall: forecast ${best_ours} s, pandas ${best_pandas} s, pandas/forecast = $(ratio "$best_pandas" "$best_ours")"
echo "   RESULT sqlite end to end, new store, CPU:  forecast ${cpu_ours} s, pandas ${cpu_pandas} s, pandas/forecast = $(ratio "$cpu_pandas" "$cpu_ours")"
echo "   RESULT sqlite into an existing empty store: ${best_empty} s wall ($(ratio "$best_pandas" "$best_empty")), ${cpu_empty} s CPU ($(ratio "$cpu_pandas" "$cpu_empty"))"
echo "   RESULT sqlite re-ingest of the same data: ${best_again} s wall ($(ratio "$best_pandas" "$best_again")), ${cpu_again} s CPU ($(ratio "$cpu_pandas" "$cpu_again"))"
echo "   load average after: $(loadavg)"

# Training from the store just loaded: every city's read (the store's column read) and the
# series cut for the plugin, on the quickest plugin so that the store's part shows.
if [ -e "$(dirname "$FORECAST")/libSeasonalNaive.so" ]; then
    echo "== train: forecast train --plugin seasonal-naive --in-process, 36 cities x 2 variables (best of $RUNS); load average $(loadavg)"
    best_train=999; cpu_train=999
    for run in $(seq "$RUNS"); do
        rm -rf "$WORK/w/models" "$WORK/w/forecast-data/models"
        train_json=$($MEASURE "$FORECAST" train --workdir "$WORK/w" --database "sqlite://$DB" --plugin seasonal-naive --in-process)
        train=$(echo "$train_json" | seconds wall); train_cpu=$(echo "$train_json" | seconds cpu)
        echo "   run $run: forecast train ${train} s wall, ${train_cpu} s CPU"
        best_train=$(minimum "$best_train" "$train"); cpu_train=$(minimum "$cpu_train" "$train_cpu")
    done
    echo "   RESULT train, seasonal-naive, 72 models: ${best_train} s wall, ${cpu_train} s CPU"
fi

if command -v psql >/dev/null && [ -x "$ROOT/scripts/postgres-test-server.sh" ]; then
    echo "== PostgreSQL: load of the processed rows (best of $RUNS each); load average $(loadavg)"
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
    for run in $(seq "$RUNS"); do
        psql -q "$URL" -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1
        "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "$URL" --json >"$WORK/pg.json" 2>/dev/null
        load=$(seconds loadSeconds <"$WORK/pg.json")
        "$FORECAST" ingest --workdir "$WORK/w" --all-cities --database "$URL" --json >"$WORK/pg2.json" 2>/dev/null
        reload=$(seconds loadSeconds <"$WORK/pg2.json")
        copy=$(timed psql -q -v ON_ERROR_STOP=1 "$URL" -f "$PLAIN")
        copy_pk=$(timed psql -q -v ON_ERROR_STOP=1 "$URL" -f "$KEYED")
        echo "   run $run: forecast first load ${load} s (a partition per city), reload ${reload} s (COPY to temp + merge)   psql \\copy plain ${copy} s, keyed ${copy_pk} s"
        best_load=$(python3 -c "print(min($best_load, $load))")
        best_reload=$(python3 -c "print(min($best_reload, $reload))")
        best_copy=$(python3 -c "print(min($best_copy, $copy))")
        best_copy_pk=$(python3 -c "print(min($best_copy_pk, $copy_pk))")
    done
    echo "   rows: forecast $(psql -tA "$URL" -c 'select count(*) from observations'), psql $(psql -tA "$URL" -c 'select count(*) from bench_copy') / $(psql -tA "$URL" -c 'select count(*) from bench_keyed')"
    ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }
    echo "   RESULT postgresql first load: forecast ${best_load} s; psql \\copy plain table ${best_copy} s ($(ratio "$best_load" "$best_copy")), same-key table ${best_copy_pk} s ($(ratio "$best_load" "$best_copy_pk"))"
    echo "   RESULT postgresql reload (upsert over existing rows): forecast ${best_reload} s ($(ratio "$best_reload" "$best_copy") of the plain \\copy, $(ratio "$best_reload" "$best_copy_pk") of the same-key \\copy)"
    echo "   load average after: $(loadavg)"
fi
