#!/usr/bin/env bash
# Benchmark of POST /{route}/forecast (see README.md): a two-week hourly series (336
# points) posted to /v2 (autoreg) over one keep-alive connection, one request at a time,
# so each latency is one training + forecast: through the plugin's training worker (the
# default) and, side by side in the same run, with the plugin in the server process
# (--in-process). Prints p50/p90/p99/max per host and the ratio of their p99s; with
# /work/venv (statsmodels) it also times statsmodels' AutoReg fit + forecast of the same
# series with the lag count autoreg chose, as a reference.
#
# Environment: REQUESTS (default 500), WARMUP (default 20), SCRATCH (release build dir,
# default .build-rel), VENV (default /work/venv).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-rel}
REQUESTS=${REQUESTS:-500}
WARMUP=${WARMUP:-20}
VENV=${VENV:-/work/venv}

WORK=$(mktemp -d /tmp/forecast-bench-api.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building (release, $SCRATCH)"
(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product forecast >/dev/null &&
    swift build -c release --scratch-path "$SCRATCH" --product AutoReg >/dev/null)
BIN=$(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
mkdir -p "$WORK/plugins"
cp "$BIN/libAutoReg.so" "$WORK/plugins/"
cat >"$WORK/plugins.json" <<'JSON'
{"defaultCity": "San Francisco", "routes": {"v2": {"plugin": "autoreg", "description": "AutoReg"}}}
JSON

# Starts a host (extra arguments appended) and prints its port.
start_host() {
    local log="$WORK/serve-$1.out"
    shift
    "$BIN/forecast" serve --workdir "$WORK" --config "$WORK/plugins.json" --plugin-dir "$WORK/plugins" \
        --no-store --host 127.0.0.1 --port 0 "$@" >"$log" 2>"$log.err" &
    PIDS+=($!)
    for _ in $(seq 1 300); do
        if grep -q "^listening on http://" "$log" 2>/dev/null; then
            grep -m1 "^listening on http://" "$log" | sed 's/.*://'
            return 0
        fi
        sleep 0.1
    done
    echo "the host did not start:" >&2
    cat "$log.err" >&2
    exit 1
}
WORKER_PORT=$(start_host worker)
INPROCESS_PORT=$(start_host in-process --in-process)
echo "== hosts: worker on $WORKER_PORT, in-process on $INPROCESS_PORT; $REQUESTS requests each after $WARMUP warm-up"

PY=python3
[ -x "$VENV/bin/python" ] && PY="$VENV/bin/python"
"$PY" - "$WORKER_PORT" "$INPROCESS_PORT" "$REQUESTS" "$WARMUP" <<'PYTHON'
import http.client, json, math, random, sys, time

worker_port, inprocess_port, requests, warmup = (int(a) for a in sys.argv[1:5])
rng = random.Random(336)
noise, values = 0.0, []
for hour in range(336):  # two weeks: a daily cycle, a slow drift and AR(1) noise, in kelvin
    noise = 0.7 * noise + rng.gauss(0, 0.6)
    values.append(round(284 + 5 * math.sin(2 * math.pi * (hour - 9) / 24) + 0.002 * hour + noise, 2))
body = json.dumps({"series": [{"id": "two-weeks", "start": "2024-03-01T00:00:00Z", "values": values}],
                   "horizon": 24, "levels": [0.8, 0.95]})

def measure(port):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times, answer = [], None
    for index in range(warmup + requests):
        started = time.perf_counter()
        connection.request("POST", "/v2/forecast", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            sys.exit(f"POST answered {response.status}: {payload[:300]!r}")
        if index >= warmup:
            times.append(elapsed)
        answer = json.loads(payload)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return {"p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": times[-1]}, answer

worker, answer = measure(worker_port)
inprocess, _ = measure(inprocess_port)
model = answer["forecasts"][0]["model"]
print(f"model: {model['description']}; training in the plugin {model['trainingSeconds'] * 1000:.2f} ms")
print("| host | p50 ms | p90 ms | p99 ms | max ms |")
print("|---|---|---|---|---|")
for name, result in (("worker (default)", worker), ("in-process", inprocess)):
    print(f"| {name} | {result['p50']:.2f} | {result['p90']:.2f} | {result['p99']:.2f} | {result['max']:.2f} |")
print(f"worker p99 / in-process p99: {worker['p99'] / inprocess['p99']:.2f}; goal p99 <= 20 ms: "
      + ("met" if worker["p99"] <= 20 else "NOT met"))

try:
    import re
    import numpy as np
    from statsmodels.tsa.ar_model import AutoReg
    lags = int(re.match(r"AutoReg\((\d+) lag", model["description"]).group(1))
    y = np.array(values)
    runs = []
    for _ in range(50):
        started = time.perf_counter()
        fit = AutoReg(y, lags=lags, trend="c", seasonal=True, period=24).fit()
        fit.predict(start=len(y), end=len(y) + 23)
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    print(f"reference: statsmodels AutoReg({lags} lags, constant, seasonal dummies) fit + 24-step predict, in-process Python: "
          f"median {runs[len(runs) // 2]:.2f} ms (no HTTP); worker p50 / that: {worker['p50'] / runs[len(runs) // 2]:.2f}")
except Exception as error:  # statsmodels missing or the description not parsed: no reference
    print(f"reference skipped: {error}")
PYTHON
