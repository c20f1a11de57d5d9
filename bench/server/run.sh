#!/usr/bin/env bash
# Benchmark of `forecast serve` (see README.md): wrk -t2 -c32 on GET /v1/forecast/72 against
#   1. forecast serve (in-process route, cached forecast),
#   2. a bare Hummingbird route returning the same bytes from a prebuilt buffer (bare/),
#   3. nginx serving the same body as a static file;
# and the gateway path: forecast serve as gateway -> host, against nginx as reverse proxy -> host,
# and the same with two replicas: a gateway route naming two hosts ("upstreams"), against
# nginx with an upstream block of the same two.
# The host runs its plugin in a worker process (the default); a second host with
# --in-process is measured beside it, cached (wrk -t2 -c32) and uncached (every request a
# new interval level, one connection, so the latency is one forecast's), with the
# worker's resident memory.
# Prints a table with ratios (and the CPU time per request of each measured server) and
# writes it to bench/server/results-latest.md.
#
# Needs: wrk and nginx (Debian: apt-get install -y wrk nginx), curl, python3.
# Environment: DURATION (default 15s), ROUNDS (default 3; the best round per server is reported), PLUGIN (default seasonal-naive; arima or autoreg once built),
#              SCRATCH (release build dir, default .build-server-release), HOURS (sample data size).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/server"
SCRATCH=${SCRATCH:-$ROOT/.build-server-release}
DURATION=${DURATION:-15s}
PLUGIN=${PLUGIN:-seasonal-naive}
HOURS=${HOURS:-2400}
ROUNDS=${ROUNDS:-3}
SEED_RPS=84        # the seed's stack (hug + gunicorn, 2 workers, pmdarima per request), measured earlier
SEED_P99_MS=761

for tool in wrk nginx curl python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx curl)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/forecast-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -f "$WORK/nginx/nginx.pid" ]; then kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits for "listening on http://H:P" in a log file and prints P.
wait_port() {
    for _ in $(seq 1 300); do
        if grep -q "^listening on http://" "$1" 2>/dev/null; then
            grep -m1 "^listening on http://" "$1" | sed 's/.*://'; return 0
        fi
        sleep 0.1
    done
    echo "server did not start; log:" >&2; cat "$1" >&2; exit 1
}

echo "== building (release)"
case "$PLUGIN" in
    seasonal-naive) PRODUCT=SeasonalNaive ;;
    arima) PRODUCT=ARIMA ;;
    autoreg) PRODUCT=AutoReg ;;
    *) echo "PLUGIN must be seasonal-naive, arima or autoreg" >&2; exit 1 ;;
esac
swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product forecast
swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product "$PRODUCT"
swift build -c release --package-path "$HERE/bare" --scratch-path "$HERE/bare/.build"
BIN="$SCRATCH/release"
FORECAST="$BIN/forecast"
BARE="$HERE/bare/.build/release/BareServer"
mkdir -p "$WORK/plugins" "$WORK/no-plugins"
ln -s "$BIN/lib$PRODUCT.so" "$WORK/plugins/lib$PRODUCT.so"

echo "== data and models ($PLUGIN, $HOURS hours of sample data)"
"$FORECAST" sample-data --out "$WORK/src" --hours "$HOURS" >/dev/null
cat > "$WORK/plugins.json" <<JSON
{"defaultCity": "San Francisco", "routes": {"v1": {"plugin": "$PLUGIN"}}}
JSON
COMMON=(--workdir "$WORK" --config "$WORK/plugins.json" --plugin-dir "$WORK/plugins")
"$FORECAST" fetch "${COMMON[@]}" --temperature "$WORK/src/temperature.csv.zip" --humidity "$WORK/src/humidity.csv.zip" >/dev/null
"$FORECAST" ingest "${COMMON[@]}" >/dev/null
"$FORECAST" train "${COMMON[@]}" --plugin "$PLUGIN" >/dev/null

echo "== starting servers"
"$FORECAST" serve "${COMMON[@]}" --port 0 >"$WORK/host.log" 2>&1 & PIDS+=($!)
HOST_PID=$!
HOST_PORT=$(wait_port "$WORK/host.log")
# A second replica of the same route and models, for the two-replica gateway and nginx.
"$FORECAST" serve "${COMMON[@]}" --port 0 >"$WORK/host2.log" 2>&1 & PIDS+=($!)
HOST2_PORT=$(wait_port "$WORK/host2.log")
"$FORECAST" serve "${COMMON[@]}" --port 0 --in-process >"$WORK/inproc.log" 2>&1 & PIDS+=($!)
INPROC_PID=$!
INPROC_PORT=$(wait_port "$WORK/inproc.log")
URL_PATH=/v1/forecast/72
curl -sf "http://127.0.0.1:$HOST_PORT$URL_PATH" -o "$WORK/body.json"
BODY_BYTES=$(wc -c <"$WORK/body.json")

BARE_PORT=$(free_port)
"$BARE" "$WORK/body.json" "$BARE_PORT" "$URL_PATH" >"$WORK/bare.log" 2>&1 & PIDS+=($!)
BARE_PID=$!

cat > "$WORK/gateway.json" <<JSON
{"routes": {"v1": {"upstream": "http://127.0.0.1:$HOST_PORT/v1"}}}
JSON
"$FORECAST" serve --workdir "$WORK" --config "$WORK/gateway.json" --plugin-dir "$WORK/no-plugins" --no-store --port 0 \
    >"$WORK/gateway.log" 2>&1 & PIDS+=($!)
GATEWAY_PID=$!
GATEWAY_PORT=$(wait_port "$WORK/gateway.log")
cat > "$WORK/gateway2.json" <<JSON
{"routes": {"v1": {"upstreams": ["http://127.0.0.1:$HOST_PORT/v1", "http://127.0.0.1:$HOST2_PORT/v1"]}}}
JSON
"$FORECAST" serve --workdir "$WORK" --config "$WORK/gateway2.json" --plugin-dir "$WORK/no-plugins" --no-store --port 0 \
    >"$WORK/gateway2.log" 2>&1 & PIDS+=($!)
GATEWAY2_PID=$!
GATEWAY2_PORT=$(wait_port "$WORK/gateway2.log")

mkdir -p "$WORK/static/v1/forecast" "$WORK/nginx/logs"
cp "$WORK/body.json" "$WORK/static/v1/forecast/72"
NGINX_STATIC_PORT=$(free_port)
NGINX_PROXY_PORT=$(free_port)
NGINX_PROXY2_PORT=$(free_port)
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp-body;
    proxy_temp_path $WORK/nginx/tmp-proxy;
    fastcgi_temp_path $WORK/nginx/tmp-fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp-uwsgi;
    scgi_temp_path $WORK/nginx/tmp-scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_STATIC_PORT;
        location / { root $WORK/static; default_type "application/json; charset=utf-8"; }
    }
    upstream forecast_host { server 127.0.0.1:$HOST_PORT; keepalive 64; }
    upstream forecast_replicas { least_conn; server 127.0.0.1:$HOST_PORT; server 127.0.0.1:$HOST2_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT;
        location / {
            proxy_pass http://forecast_host;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
    server {
        listen 127.0.0.1:$NGINX_PROXY2_PORT;
        location / {
            proxy_pass http://forecast_replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
sleep 1
# The two-replica gateway takes a replica into its pool after its first /readyz (once a second).
for _ in $(seq 1 100); do
    [ "$(curl -sf "http://127.0.0.1:$GATEWAY2_PORT/readyz" | grep -o '"inPool":true' | wc -l)" -eq 2 ] && break
    sleep 0.1
done

# Every server must return the same bytes before anything is measured.
for port in "$INPROC_PORT" "$HOST2_PORT" "$BARE_PORT" "$NGINX_STATIC_PORT" "$GATEWAY_PORT" "$NGINX_PROXY_PORT" \
            "$GATEWAY2_PORT" "$NGINX_PROXY2_PORT"; do
    curl -sf "http://127.0.0.1:$port$URL_PATH" -o "$WORK/check.json"
    cmp -s "$WORK/body.json" "$WORK/check.json" || { echo "port $port serves different bytes" >&2; exit 1; }
done

# CPU time (user + system, clock ticks) of the processes PIDS..., all their threads.
cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }
# The processes serving NAME: one for ours, nginx's master and workers for nginx.
server_pids() {
    case "$1" in
        host) echo "$HOST_PID" $(pgrep -P "$HOST_PID") ;;   # the server and its plugin worker
        inproc) echo "$INPROC_PID" ;;
        bare) echo "$BARE_PID" ;;
        gateway) echo "$GATEWAY_PID" ;;
        gateway2) echo "$GATEWAY2_PID" ;;
        nginx-*) local master; master=$(cat "$WORK/nginx/nginx.pid"); echo "$master" $(pgrep -P "$master") ;;
    esac
}

# run NAME PORT -> "rps p99_ms cpu_us_per_request" (the CPU of the measured server only,
# not of wrk nor, for the proxies, of the host behind them)
measure() {
    wrk -t2 -c32 -d3s "http://127.0.0.1:$2$URL_PATH" >/dev/null   # warm-up
    local pids before after
    pids=$(server_pids "$1")
    # shellcheck disable=SC2086
    before=$(cpu_ticks $pids)
    wrk -t2 -c32 -d"$DURATION" --latency "http://127.0.0.1:$2$URL_PATH" >"$WORK/wrk-$1.txt"
    # shellcheck disable=SC2086
    after=$(cpu_ticks $pids)
    python3 - "$WORK/wrk-$1.txt" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ticks, per_second = int(sys.argv[2]), int(sys.argv[3])
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket_errors = re.search(r"Socket errors: (.*)", text)
if errors or socket_errors:
    print("warning:", (errors.group(0) if errors else ""), (socket_errors.group(0) if socket_errors else ""), file=sys.stderr)
print(f"{rps:.0f} {p99:.2f} {ticks / per_second / requests * 1e6:.1f}")
PY
}

echo "== measuring (wrk -t2 -c32 -d$DURATION, body $BODY_BYTES bytes, $ROUNDS rounds)"
# The servers take turns, round after round, so a burst of load from elsewhere on the
# machine hits them alike; each server's best round is reported (best req/s, best p99,
# least CPU per request).
: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
    for entry in "host $HOST_PORT" "inproc $INPROC_PORT" "bare $BARE_PORT" "nginx-static $NGINX_STATIC_PORT" \
                 "gateway $GATEWAY_PORT" "nginx-proxy $NGINX_PROXY_PORT" \
                 "gateway2 $GATEWAY2_PORT" "nginx-proxy2 $NGINX_PROXY2_PORT"; do
        set -- $entry
        read -r rps p99 cpu < <(measure "$1" "$2")
        echo "$round $1 $rps $p99 $cpu" | tee -a "$WORK/rounds.txt"
    done
done
best() { awk -v name="$1" '$2 == name { if ($3 > rps) rps = $3; if (p99 == "" || $4 < p99) p99 = $4; if (cpu == "" || $5 < cpu) cpu = $5 } END { print rps, p99, cpu }' "$WORK/rounds.txt"; }
read -r HOST_RPS HOST_P99 HOST_CPU < <(best host)
read -r INPROC_RPS INPROC_P99 INPROC_CPU < <(best inproc)
read -r BARE_RPS BARE_P99 BARE_CPU < <(best bare)
read -r NGINX_RPS NGINX_P99 NGINX_CPU < <(best nginx-static)
read -r GATEWAY_RPS GATEWAY_P99 GATEWAY_CPU < <(best gateway)
read -r PROXY_RPS PROXY_P99 PROXY_CPU < <(best nginx-proxy)
read -r GATEWAY2_RPS GATEWAY2_P99 GATEWAY2_CPU < <(best gateway2)
read -r PROXY2_RPS PROXY2_P99 PROXY2_CPU < <(best nginx-proxy2)

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# Uncached forecasts: every request asks a new interval level, so each one is a forecast
# by the plugin (two calls, temperature and humidity), on one connection at a time.
cat > "$WORK/uncached.lua" <<'LUA'
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", string.format("/v1/forecast/72?level=0.%09d", 100000000 + counter))
end
LUA
# uncached NAME PORT -> "p50_ms p99_ms"
uncached() {
    wrk -t1 -c1 -d"$DURATION" --latency -s "$WORK/uncached.lua" "http://127.0.0.1:$2" >"$WORK/uncached-$1.txt"
    python3 - "$WORK/uncached-$1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def at(p):
    value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
if re.search(r"Non-2xx or 3xx responses: (\d+)", text):
    print("warning: non-2xx responses in the uncached run", file=sys.stderr)
print(f"{at(50):.3f} {at(99):.3f}")
PY
}
echo "== uncached forecasts (wrk -t1 -c1 -d$DURATION, a new level per request)"
read -r UNCACHED_WORKER_P50 UNCACHED_WORKER_P99 < <(uncached host "$HOST_PORT")
read -r UNCACHED_INPROC_P50 UNCACHED_INPROC_P99 < <(uncached inproc "$INPROC_PORT")
WORKER_RSS_KB=$(curl -sf "http://127.0.0.1:$HOST_PORT/metrics" | awk '/^forecast_worker_resident_bytes/ { printf "%d", $2 / 1024 }')
HOST_RSS_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$HOST_PID/status")
INPROC_RSS_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$INPROC_PID/status")
diff_ms() { python3 -c "print(f'{$1-$2:+.3f}')"; }
OUT="$HERE/results-latest.md"
{
    echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), wrk -t2 -c32 -d$DURATION, best of $ROUNDS rounds, GET $URL_PATH, body $BODY_BYTES bytes, plugin $PLUGIN"
    echo
    echo "| server | req/s | p99 ms | CPU us/request |"
    echo "|---|---:|---:|---:|"
    echo "| seed stack (hug + gunicorn, pmdarima per request; earlier measurement) | $SEED_RPS | $SEED_P99_MS | |"
    echo "| forecast serve, in-process route (plugin in a worker) | $HOST_RPS | $HOST_P99 | $HOST_CPU |"
    echo "| forecast serve --in-process (plugin in the server) | $INPROC_RPS | $INPROC_P99 | $INPROC_CPU |"
    echo "| bare Hummingbird route, prebuilt buffer | $BARE_RPS | $BARE_P99 | $BARE_CPU |"
    echo "| nginx, static file | $NGINX_RPS | $NGINX_P99 | $NGINX_CPU |"
    echo "| forecast serve as gateway -> host | $GATEWAY_RPS | $GATEWAY_P99 | $GATEWAY_CPU |"
    echo "| nginx reverse proxy -> host | $PROXY_RPS | $PROXY_P99 | $PROXY_CPU |"
    echo "| forecast serve as gateway -> two replicas (\"upstreams\") | $GATEWAY2_RPS | $GATEWAY2_P99 | $GATEWAY2_CPU |"
    echo "| nginx reverse proxy -> two replicas (upstream block, least_conn) | $PROXY2_RPS | $PROXY2_P99 | $PROXY2_CPU |"
    echo
    echo "| ratio | value | target |"
    echo "|---|---:|---|"
    echo "| host / seed req/s | $(ratio "$HOST_RPS" "$SEED_RPS")x | >= 200x |"
    echo "| host / bare Hummingbird req/s | $(ratio "$HOST_RPS" "$BARE_RPS") | >= 0.90 |"
    echo "| host --in-process / bare Hummingbird req/s | $(ratio "$INPROC_RPS" "$BARE_RPS") | (reference) |"
    echo "| host p99 / bare Hummingbird p99 | $(ratio "$HOST_P99" "$BARE_P99") | <= 1.5 |"
    echo "| host / nginx static req/s | $(ratio "$HOST_RPS" "$NGINX_RPS") | (reference) |"
    echo "| gateway / nginx proxy req/s | $(ratio "$GATEWAY_RPS" "$PROXY_RPS") | >= 0.70 |"
    echo "| gateway / nginx proxy req/s, two replicas | $(ratio "$GATEWAY2_RPS" "$PROXY2_RPS") | >= 0.70 |"
    echo "| nginx proxy / gateway CPU per request | $(ratio "$PROXY_CPU" "$GATEWAY_CPU") | (reference) |"
    echo "| nginx proxy / gateway CPU per request, two replicas | $(ratio "$PROXY2_CPU" "$GATEWAY2_CPU") | (reference) |"
    echo
    echo "Uncached forecasts (a new interval level per request, one connection; plugin $PLUGIN):"
    echo
    echo "| server | p50 ms | p99 ms |"
    echo "|---|---:|---:|"
    echo "| plugin in a worker | $UNCACHED_WORKER_P50 | $UNCACHED_WORKER_P99 |"
    echo "| plugin in the server (--in-process) | $UNCACHED_INPROC_P50 | $UNCACHED_INPROC_P99 |"
    echo "| extra latency of the worker | $(diff_ms "$UNCACHED_WORKER_P50" "$UNCACHED_INPROC_P50") | $(diff_ms "$UNCACHED_WORKER_P99" "$UNCACHED_INPROC_P99") |"
    echo
    echo "Resident memory after the runs: worker ${WORKER_RSS_KB} KiB; server with a worker ${HOST_RSS_KB} KiB; server --in-process ${INPROC_RSS_KB} KiB."
    echo
    echo "CPU us/request: user + system time of the measured server's processes (all threads;"
    echo "nginx: master and workers) during the measured run, divided by the requests wrk counted;"
    echo "it leaves out wrk and, for the two proxies, the host behind them. It moves less with"
    echo "load from elsewhere than req/s does."
    echo
    echo "Every round (round, server, req/s, p99 ms, CPU us/request):"
    echo
    echo '```'
    cat "$WORK/rounds.txt"
    echo '```'
} | tee "$OUT"
