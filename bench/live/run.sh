#!/usr/bin/env bash
# Benchmark of the live loop (docs/server.md, "Live observations"): the latency of
# POST /observations of one hour for every city, stored in SQLite and every served model
# re-conditioned before the answer, with the plugins in worker processes (the default)
# and beside it the same server with --in-process, measured in one run.
#
# Trains arima, autoreg and seasonal-naive (the three routes of plugins.json) on sample
# data without its last HOLD hours, serves them, and replays the held-back hours through
# `forecast replay --hours-per-second 0`, which prints each POST's latency.
#
# Environment: FORECAST_BIN (default: the release build, built when missing), HOURS (sample
# size, default 1500), HOLD (posted hours, default 48), CITIES (default: all 36),
# MAX_POINTS (training points per series, default 1000), REPOST (repeats of the unchanged
# last hour, default 50), WORKDIR (default a temp dir).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOURS=${HOURS:-1500}
HOLD=${HOLD:-48}
MAX_POINTS=${MAX_POINTS:-1000}
if [ -z "${FORECAST_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release >/dev/null)
    FORECAST_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/forecast"
fi
WORK=${WORKDIR:-$(mktemp -d)}
mkdir -p "$WORK/data"
cities=(--all-cities)
[ -n "${CITIES:-}" ] && { cities=(); IFS=, read -ra names <<< "$CITIES"; for c in "${names[@]}"; do cities+=(--city "$c"); done; }
if [ ! -d "$WORK/models" ]; then
    "$FORECAST_BIN" sample-data --out "$WORK/sample" --hours "$HOURS" >/dev/null
    for v in temperature humidity; do
        unzip -p "$WORK/sample/$v.csv.zip" > "$WORK/sample/$v.csv"
        head -n "-$HOLD" "$WORK/sample/$v.csv" > "$WORK/data/$v.csv"
    done
    "$FORECAST_BIN" ingest --workdir "$WORK" "${cities[@]}" >/dev/null
    "$FORECAST_BIN" train --workdir "$WORK" --config "$ROOT/plugins.json" --max-points "$MAX_POINTS" >/dev/null
fi
token="$WORK/token"
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token")

measure() {  # $1: label, $2...: extra serve flags; prints "label p50 p99 max n"
    local label=$1; shift
    local db="$WORK/bench-$label.db"
    rm -f "$db-wal" "$db-shm"        # a killed earlier run's write-ahead log
    cp "$WORK/forecast.db" "$db"   # every run starts from the training data
    "$FORECAST_BIN" serve --workdir "$WORK" --database "sqlite://$db" --config "$ROOT/plugins.json" --port 0 \
        --write-token-file "$token" "$@" > "$WORK/serve-$label.log" 2>&1 &
    local pid=$!
    local url=""
    for _ in $(seq 1 600); do
        url=$(grep -o 'listening on http://[0-9.:]*' "$WORK/serve-$label.log" | sed 's/listening on //' || true)
        [ -n "$url" ] && break
        sleep 0.5
    done
    "$FORECAST_BIN" replay --url "$url" --from "$WORK/sample" --hours-per-second 0 --write-token-file "$token" > "$WORK/replay-$label.log"
    # The last hour again, REPOST times: every value is already stored, so nothing is
    # written and no model is re-conditioned; the difference to a new hour is the store
    # write and the re-conditioning of every served model.
    python3 - "$WORK/sample" > "$WORK/last-hour.json" <<'PY'
import csv, json, math, sys
rows = {}
for variable in ("temperature", "humidity"):
    with open(f"{sys.argv[1]}/{variable}.csv") as f:
        table = list(csv.reader(f))
    header, last = table[0], table[-1]
    for city, value in zip(header[1:], last[1:]):
        if value.strip() and not math.isnan(float(value)):
            rows.setdefault(city, {"city": city, "time": last[0].replace(" ", "T") + "Z"})[variable] = float(value)
print(json.dumps({"observations": list(rows.values())}))
PY
    : > "$WORK/repost-$label.log"
    for _ in $(seq 1 "$REPOST"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST -H 'Content-Type: application/json' \
            -H "Authorization: Bearer $(cat "$token")" --data-binary @"$WORK/last-hour.json" "$url/observations" >> "$WORK/repost-$label.log"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 - "$label" "$WORK/replay-$label.log" "$WORK/repost-$label.log" "$HOLD" <<'PY'
import re, sys
def summary(ms):
    ms = sorted(ms)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    return f"{pick(0.5):8.1f} {pick(0.99):8.1f} {ms[-1]:8.1f} {len(ms):4d}"
ms = [float(m) for m in re.findall(r"answered in ([0-9.]+) ms", open(sys.argv[2]).read())]
new = ms[-int(sys.argv[4]):]   # the held-back hours: new to every model
repost = []
for line in open(sys.argv[3]):
    code, seconds = line.split()
    assert code == "200", f"a repeated POST answered {code}"
    repost.append(float(seconds) * 1000)
print(f"{sys.argv[1]:<12} all  {summary(ms[1:])}")   # the first POST also warms the store's caches
print(f"{sys.argv[1]:<12} new  {summary(new)}")
print(f"{sys.argv[1]:<12} same {summary(repost)}")
PY
}

REPOST=${REPOST:-50}
echo "POST /observations, one hour x $(head -1 "$WORK/data/temperature.csv" | tr ',' '\n' | tail -n +2 | wc -l) cities in the files (ms):"
echo "  all: every replayed POST; new: the $HOLD held-back hours (stored + every model re-conditioned);"
echo "  same: the last hour posted again $REPOST times (nothing stored, nothing re-conditioned; curl's time)"
echo "isolation    POSTs     p50      p99      max    n"
measure worker
measure in-process --in-process
