#!/usr/bin/env bash
# Runs the Airflow DAG for real, offline: installs Apache Airflow 3 into a virtual
# environment (reused between runs; pip's cache too), initialises a throwaway metadata
# database, checks the DAG with pytest, then runs `airflow dags test` on sample data
# (LocalExecutor's task runner, every task for real) on one or both store paths:
#
#   sqlite      the SQLite store in one work directory, a live `forecast serve` on that
#               directory reloaded by the DAG's reload_server task;
#   postgresql  a PostgreSQL store: every train task and check_models in a work directory
#               of its own (worker_workdir), sharing no disk; the train tasks publish into
#               the store, and a `forecast serve` with its own empty work directory gets
#               every model from the store and reloads by notification alone (no
#               server_url, no reload call).
#
# Each checks every task instance succeeded, the model files, and forecasts from them.
#
#   deploy/airflow/verify.sh [path/to/forecast]     (default: .build/debug/forecast)
#
# Environment: FORECAST_AIRFLOW_STORES ("sqlite postgresql" by default, or one of them),
# FORECAST_AIRFLOW_VENV (default ~/.cache/forecast/airflow-venv), FORECAST_AIRFLOW_CITIES
# (JSON list; default Portland on the SQLite path, three sample cities on PostgreSQL), FORECAST_TEST_POSTGRES_URL (a server to create
# the PostgreSQL path's database on; else scripts/postgres-test-server.sh starts one).
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
chmod 755 "$work"
server_pid=""
postgres_state=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$postgres_state" ]; then FORECAST_PG_STATE="$postgres_state" bash "$root/scripts/postgres-test-server.sh" stop || true; fi
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

plugins='["arima", "autoreg", "seasonal-naive"]'
use_cities() { # JSON list: the cities of the next DAG run, and what it must produce
    cities="$1"
    expected_trains=$(python3 -c "import json,sys; print(len(json.loads(sys.argv[1])) * len(json.loads(sys.argv[2])))" "$cities" "$plugins")
    expected_models=$((expected_trains * 2))
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server() { # workdir, port, extra options...
    local dir="$1" port="$2"; shift 2
    "$forecast" serve --workdir "$dir" --config "$root/plugins.json" --host 127.0.0.1 --port "$port" "$@" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 150); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    cat "$work/serve.log" >&2
    echo "verify: forecast serve did not start" >&2
    exit 1
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

run_dag() { # label, conf JSON
    local label="$1" conf="$2"
    echo "verify: [$label] airflow dags test forecast_pipeline"
    if ! "$venv/bin/airflow" dags test forecast_pipeline --conf "$conf" >"$work/dag-$label.log" 2>&1; then
        tail -80 "$work/dag-$label.log"
        echo "verify: [$label] the DAG run failed" >&2
        exit 1
    fi
    # Every task instance of this run (each mapped train task too) must have succeeded:
    # read the states from the metadata database.
    python3 - "$AIRFLOW_HOME/airflow.db" "$expected_trains" "$label" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run_id, state = db.execute("select run_id, state from dag_run where dag_id = 'forecast_pipeline' order by id desc limit 1").fetchone()
tasks = db.execute("select task_id, map_index, state from task_instance where dag_id = 'forecast_pipeline' and run_id = ?", (run_id,)).fetchall()
bad = [task for task in tasks if task[2] != "success" and task[2] != "skipped"]
trains = [task for task in tasks if task[0] == "train"]
print(f"verify: [{sys.argv[3]}] DAG run {state}; {len(tasks)} task instances, {len(trains)} mapped train tasks")
if state != "success" or bad or len(trains) != int(sys.argv[2]):
    sys.exit(f"verify: not every task succeeded: {bad or tasks}")
PY
}

check_forecasts() { # label, port
    for route in v1 v2 baseline; do
        body=$(curl -fsS "http://127.0.0.1:$2/$route/forecast/72?city=Portland")
        echo "$body" | python3 -c '
import json, math, sys
body = json.load(sys.stdin)
hours = body["forecast"]
assert len(hours) == 72, len(hours)
assert all(math.isfinite(h["temperature"]) and math.isfinite(h["humidity"]) for h in hours)
'
    done
}

count_models() { find "$1" -name '*.model' 2>/dev/null | wc -l; }

dag_conf() { # workdir, database, server_url, worker_workdir
    python3 - "$forecast" "$1" "$work/sample" "$root/plugins.json" "$cities" "$plugins" "$2" "$3" "$4" <<'PY'
import json, sys
forecast, workdir, sample, config, cities, plugins, database, server_url, worker_workdir = sys.argv[1:]
print(json.dumps({
    "forecast_bin": forecast, "workdir": workdir, "config": config, "database": database,
    "temperature": f"{sample}/temperature.csv.zip", "humidity": f"{sample}/humidity.csv.zip",
    "cities": json.loads(cities), "plugins": json.loads(plugins),
    "server_url": server_url, "worker_workdir": worker_workdir,
}))
PY
}

verify_sqlite() {
    # One city: this path is the embedded default and the reload task; the PostgreSQL path
    # below runs the three-city fan-out.
    use_cities "${FORECAST_AIRFLOW_CITIES:-[\"Portland\"]}"
    local workdir="$work/sqlite/forecast" port
    mkdir -p "$workdir"
    port=$(free_port)
    echo "verify: [sqlite] starting forecast serve on 127.0.0.1:$port for the reload task"
    start_server "$workdir" "$port"
    run_dag sqlite "$(dag_conf "$workdir" "" "http://127.0.0.1:$port" "")"
    local count; count=$(count_models "$workdir/models")
    [ "$count" -eq "$expected_models" ] || { echo "verify: [sqlite] expected $expected_models model files, found $count" >&2; exit 1; }
    grep -q "models reloaded" "$work/serve.log" || { echo "verify: [sqlite] the server log shows no reload" >&2; cat "$work/serve.log" >&2; exit 1; }
    check_forecasts sqlite "$port"
    stop_server
    echo "verify: [sqlite] every task ran; $count model files; the reload task reloaded the server; /v1, /v2 and /baseline answer for Portland"
}

verify_postgresql() {
    use_cities "${FORECAST_AIRFLOW_CITIES:-[\"San Francisco\", \"Portland\", \"New York\"]}"
    local database
    if [ -n "${FORECAST_TEST_POSTGRES_URL:-}" ]; then
        database="${FORECAST_TEST_POSTGRES_URL%/*}/forecast_airflow"
        PGOPTIONS="-c client_min_messages=warning" psql "$FORECAST_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS forecast_airflow WITH (FORCE)" -c "CREATE DATABASE forecast_airflow" >/dev/null
    else
        postgres_state="$work/postgres.state"
        database="$(FORECAST_PG_STATE="$postgres_state" bash "$root/scripts/postgres-test-server.sh" start | tail -1)"
    fi
    echo "verify: [postgresql] store $database"
    # The schema first (serve never migrates), then a host with an empty work directory of
    # its own: every model it serves must come from the store.
    "$forecast" cities --workdir "$work/pg/migrate" --database "$database" >/dev/null
    local host="$work/pg/host" workers="$work/pg/workers" port
    mkdir -p "$host"
    port=$(free_port)
    echo "verify: [postgresql] starting forecast serve on 127.0.0.1:$port with its own work directory, no server_url"
    start_server "$host" "$port" --database "$database"
    run_dag postgresql "$(dag_conf "$work/pg/forecast" "$database" "" "$workers")"
    local generations; generations=$(psql "$database" -tAc "SELECT count(*) FROM model_generations")
    [ "$generations" -eq "$expected_trains" ] || { echo "verify: [postgresql] expected $expected_trains generations in the store (one per train task), found $generations" >&2; exit 1; }
    # Each train task's own directory holds its own two models and nothing else.
    local trained; trained=$(find "$workers" -maxdepth 1 -name 'train-*' -type d | wc -l)
    [ "$trained" -eq "$expected_trains" ] || { echo "verify: [postgresql] expected $expected_trains train work directories, found $trained" >&2; exit 1; }
    for dir in "$workers"/train-*; do
        [ "$(count_models "$dir/models")" -eq 2 ] || { echo "verify: [postgresql] $dir holds $(count_models "$dir/models") model files, not its own 2" >&2; exit 1; }
    done
    [ "$(count_models "$workers/check-models/models")" -eq "$expected_models" ] || { echo "verify: [postgresql] check_models did not check every model of the store" >&2; exit 1; }
    # The host got every model from the store and reloaded by notification (poll: the last
    # publish's notification may still be on its way).
    local count=0
    for _ in $(seq 1 120); do
        count=$(count_models "$host/models")
        [ "$count" -eq "$expected_models" ] && grep -q "shared models: generation $generations" "$work/serve.log" && break
        sleep 0.5
    done
    [ "$count" -eq "$expected_models" ] || { echo "verify: [postgresql] the host has $count of $expected_models models" >&2; cat "$work/serve.log" >&2; exit 1; }
    grep -q "models reloaded" "$work/serve.log" || { echo "verify: [postgresql] the host never reloaded" >&2; cat "$work/serve.log" >&2; exit 1; }
    check_forecasts postgresql "$port"
    stop_server
    echo "verify: [postgresql] every task ran, each train task in a work directory of its own; $generations generations published into the store; the host, with no shared disk, got all $count models from it and reloaded by notification; /v1, /v2 and /baseline answer for Portland"
}

for store in ${FORECAST_AIRFLOW_STORES:-sqlite postgresql}; do
    case "$store" in
        sqlite) verify_sqlite ;;
        postgresql) verify_postgresql ;;
        *) echo "verify: unknown store path '$store' in FORECAST_AIRFLOW_STORES (sqlite, postgresql)" >&2; exit 2 ;;
    esac
done
