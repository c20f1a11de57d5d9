#!/usr/bin/env bash
# The size of the live-accuracy file (docs/server.md, "Live accuracy") with every city on
# the three routes of plugins.json: trains on sample data without its last HOLD hours,
# serves, replays the held-back hours as fast as the server answers, waits for the
# accuracy queue, and prints the file's size (accuracy.bin, or the first format's
# accuracy.json for a build that writes it) and the seconds the replay took.
#
# Environment: FORECAST_BIN (default: the release build, built when missing), HOURS
# (sample size, default 1500), HOLD (replayed hours, default 96: more than the 72-hour
# horizon, so the file is in steady state), MAX_POINTS (default 500), WORKDIR (default a
# temp dir; a directory that already has models/ is reused, its store restored from
# forecast-trained.db).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOURS=${HOURS:-1500}
HOLD=${HOLD:-96}
MAX_POINTS=${MAX_POINTS:-500}
if [ -z "${FORECAST_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release >/dev/null)
    FORECAST_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/forecast"
fi
PLUGIN_DIR=${PLUGIN_DIR:-$(dirname "$FORECAST_BIN")}
WORK=${WORKDIR:-$(mktemp -d)}
mkdir -p "$WORK/data"
if [ ! -d "$WORK/models" ]; then
    "$FORECAST_BIN" sample-data --out "$WORK/sample" --hours "$HOURS" >/dev/null
    for v in temperature humidity; do
        unzip -p "$WORK/sample/$v.csv.zip" > "$WORK/sample/$v.csv"
        head -n "-$HOLD" "$WORK/sample/$v.csv" > "$WORK/data/$v.csv"
    done
    "$FORECAST_BIN" ingest --workdir "$WORK" --all-cities >/dev/null
    "$FORECAST_BIN" train --workdir "$WORK" --plugin-dir "$PLUGIN_DIR" --config "$ROOT/plugins.json" --max-points "$MAX_POINTS" >/dev/null
    cp "$WORK/forecast.db" "$WORK/forecast-trained.db"
fi
# A killed server leaves its write-ahead log behind: drop it with the store it belongs to.
rm -f "$WORK/forecast.db-wal" "$WORK/forecast.db-shm"
cp "$WORK/forecast-trained.db" "$WORK/forecast.db"
rm -f "$WORK/accuracy.bin" "$WORK/accuracy.json"
token="$WORK/token"
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token")
"$FORECAST_BIN" serve --workdir "$WORK" --plugin-dir "$PLUGIN_DIR" --config "$ROOT/plugins.json" --port 0 \
    --write-token-file "$token" > "$WORK/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 600); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$WORK/serve.log" | sed 's/listening on //' || true)
    [ -n "$url" ] && break
    sleep 0.5
done
started=$(date +%s.%N)
"$FORECAST_BIN" replay --url "$url" --from "$WORK/sample" --hours-per-second 0 --write-token-file "$token" > "$WORK/replay.log"
replayed=$(date +%s.%N)
# The accuracy queue runs after each POST answers and saves when it has caught up: wait
# until the number of scored leads has not changed for 30 s, then for the file.
scored_leads() {
    curl -s "$url/baseline/accuracy" | python3 -c 'import json,sys; print(sum(b["n"] for c in json.load(sys.stdin)["cities"] for v in c["variables"].values() for b in v))'
}
last=-1; same=0
while [ "$same" -lt 6 ]; do
    now=$(scored_leads); [ "$now" = "$last" ] && same=$((same + 1)) || same=0
    last=$now; sleep 5
done
sleep 5
file=""
for name in accuracy.bin accuracy.json; do [ -f "$WORK/$name" ] && file="$WORK/$name"; done
kill "$pid"; wait "$pid" 2>/dev/null || true
trap - EXIT
posts=$(grep -c 'answered in' "$WORK/replay.log" || true)
printf '%s: %s bytes after %s POSTs, %s leads scored on /baseline (replay %.0f s)\n' "$(basename "$file")" "$(stat -c %s "$file")" "$posts" "$last" \
    "$(echo "$replayed - $started" | bc)"
