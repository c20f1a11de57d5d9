#!/usr/bin/env bash
# Runs the Airflow DAG for real, offline: installs Apache Airflow 3 into a virtual
# environment (reused between runs; pip's cache too), initialises a throwaway metadata
# database, checks the DAG with pytest, then runs `airflow dags test` on sample data
# with the SQLite store and a live `forecast serve` to reload, and checks the model
# files it produced and a forecast from them.
#
#   deploy/airflow/verify.sh [path/to/forecast]     (default: .build/debug/forecast)
#
# Environment: FORECAST_AIRFLOW_VENV (default ~/.cache/forecast/airflow-venv),
# FORECAST_AIRFLOW_CITIES (JSON list, default three sample cities).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
forecast="$(realpath "${1:-$root/.build/debug/forecast}")"
[ -x "$forecast" ] || { echo "verify: $forecast is not an executable: run swift build first" >&2; exit 1; }

venv="${FORECAST_AIRFLOW_VENV:-$HOME/.cache/forecast/airflow-venv}"
if [ ! -x "$venv/bin/airflow" ]; then
    echo "verify: installing Apache Airflow 3 into $venv (a few minutes the first time)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "apache-airflow>=3,<4" pytest
fi
"$venv/bin/pip" show pytest >/dev/null 2>&1 || "$venv/bin/pip" install --quiet pytest

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "${FORECAST_AIRFLOW_KEEP:-}" ]; then echo "verify: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

export AIRFLOW_HOME="$work/airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$here"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__UNIT_TEST_MODE=False
export AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING
mkdir -p "$AIRFLOW_HOME"

echo "verify: checking the DAG's shape (pytest)"
(cd "$here" && "$venv/bin/python" -m pytest -q -p no:cacheprovider test_forecast_pipeline.py)

echo "verify: initialising the Airflow metadata database"
"$venv/bin/airflow" db migrate >"$work/db.log" 2>&1 || { cat "$work/db.log"; exit 1; }

echo "verify: making offline sample data"
# Three months of hours keep the debug build's training quick; the format is the real one.
"$forecast" sample-data --out "$work/sample" --hours "${FORECAST_AIRFLOW_SAMPLE_HOURS:-2200}" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
workdir="$work/forecast"
mkdir -p "$workdir"
cities="${FORECAST_AIRFLOW_CITIES:-[\"San Francisco\", \"Portland\", \"New York\"]}"
conf=$(python3 - "$forecast" "$workdir" "$work/sample" "$root/plugins.json" "$port" "$cities" <<'PY'
import json, sys
forecast, workdir, sample, config, port, cities = sys.argv[1:]
print(json.dumps({
    "forecast_bin": forecast, "workdir": workdir, "config": config,
    "temperature": f"{sample}/temperature.csv.zip", "humidity": f"{sample}/humidity.csv.zip",
    "cities": json.loads(cities), "plugins": ["arima", "autoreg", "seasonal-naive"],
    "server_url": f"http://127.0.0.1:{port}",
}))
PY
)

echo "verify: starting forecast serve on 127.0.0.1:$port for the reload task"
"$forecast" serve --workdir "$workdir" --config "$root/plugins.json" --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

echo "verify: airflow dags test forecast_pipeline"
if ! "$venv/bin/airflow" dags test forecast_pipeline --conf "$conf" >"$work/dag.log" 2>&1; then
    tail -80 "$work/dag.log"
    echo "verify: the DAG run failed" >&2
    exit 1
fi
# Every task instance (each mapped train task too) must have succeeded: read the states
# from the run's metadata database.
python3 - "$AIRFLOW_HOME/airflow.db" "$cities" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
runs = [state for (state,) in db.execute("select state from dag_run where dag_id = 'forecast_pipeline'")]
tasks = db.execute("select task_id, map_index, state from task_instance where dag_id = 'forecast_pipeline'").fetchall()
bad = [task for task in tasks if task[2] != "success"]
expected_trains = len(json.loads(sys.argv[2])) * 3
trains = [task for task in tasks if task[0] == "train"]
print(f"verify: DAG run {runs}; {len(tasks)} task instances, {len(trains)} mapped train tasks")
if runs != ["success"] or bad or len(trains) != expected_trains:
    sys.exit(f"verify: not every task succeeded: {bad or tasks}")
PY

echo "verify: checking the model files and a forecast"
count=$(find "$workdir/models" -name '*.model' | wc -l)
expected=$(python3 -c "import json,sys; print(len(json.loads(sys.argv[1])) * 2 * 3)" "$cities")
if [ "$count" -ne "$expected" ]; then
    echo "verify: expected $expected model files, found $count" >&2
    find "$workdir/models" -name '*.model' >&2
    exit 1
fi
grep -q "models reloaded" "$work/serve.log" || { echo "verify: the server log shows no reload" >&2; cat "$work/serve.log" >&2; exit 1; }
for route in v1 v2 baseline; do
    body=$(curl -fsS "http://127.0.0.1:$port/$route/forecast/72?city=Portland")
    echo "$body" | python3 -c '
import json, math, sys
body = json.load(sys.stdin)
hours = body["forecast"]
assert len(hours) == 72, len(hours)
assert all(math.isfinite(h["temperature"]) and math.isfinite(h["humidity"]) for h in hours)
'
done
echo "verify: Airflow ran every task; $count model files; /v1, /v2 and /baseline answer for Portland"
