#!/usr/bin/env bash
# Starts a `forecast serve` on loopback with real trained models, for the HTTP robustness
# scripts (scripts/schemathesis, bench/soak/run.sh). Source it, then call:
#
#   sample_host_start WORKDIR [HOURS]   sample data (HOURS rows, default 2000) -> ingest two
#                                       cities -> train seasonal-naive -> serve on 127.0.0.1,
#                                       a free port, with a write token (POST /observations,
#                                       POST /admin/reload); sets SAMPLE_HOST_URL, SAMPLE_HOST_PID
#                                       and SAMPLE_HOST_TOKEN
#   sample_host_stop                    SIGTERM and wait
#
# The forecast binary and libSeasonalNaive.so come from $FORECAST_BIN_DIR, else from
# `swift build --scratch-path ${FORECAST_SCRATCH:-.build-rel} -c ${FORECAST_BUILD_CONFIG:-debug}`
# (built when missing). The host gets a plugins.json with one route, /baseline, and a
# private plugin directory holding only the seasonal-naive library.

sample_host_bin_dir() {
    if [ -n "${FORECAST_BIN_DIR:-}" ]; then echo "$FORECAST_BIN_DIR"; return; fi
    local root scratch config
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    scratch="${FORECAST_SCRATCH:-$root/.build-rel}"
    config="${FORECAST_BUILD_CONFIG:-debug}"
    local bin
    bin="$(cd "$root" && swift build --scratch-path "$scratch" -c "$config" --show-bin-path)"
    if [ ! -x "$bin/forecast" ] || [ ! -f "$bin/libSeasonalNaive.so" ]; then
        echo "sample-host: building forecast and SeasonalNaive ($config, $scratch)" >&2
        (cd "$root" && swift build --scratch-path "$scratch" -c "$config" --product forecast >&2 &&
            swift build --scratch-path "$scratch" -c "$config" --product SeasonalNaive >&2) || return 1
    fi
    echo "$bin"
}

sample_host_start() { # workdir [hours]
    local work="$1" hours="${2:-2000}" bin
    bin="$(sample_host_bin_dir)" || return 1
    mkdir -p "$work/plugins"
    cp "$bin/libSeasonalNaive.so" "$work/plugins/"
    chmod 755 "$work/plugins/libSeasonalNaive.so"
    cat >"$work/plugins.json" <<'JSON'
{
  "defaultCity": "San Francisco",
  "plugins": { "seasonal-naive": { "options": { "period": 24 } } },
  "routes": { "baseline": { "plugin": "seasonal-naive", "description": "Seasonal naive" } }
}
JSON
    local common=(--workdir "$work" --config "$work/plugins.json" --plugin-dir "$work/plugins")
    (
        cd "$work" &&
            "$bin/forecast" sample-data --out "$work/sample" --hours "$hours" >/dev/null &&
            "$bin/forecast" fetch "${common[@]}" --temperature "$work/sample/temperature.csv.zip" \
                --humidity "$work/sample/humidity.csv.zip" >/dev/null &&
            "$bin/forecast" ingest "${common[@]}" --city "San Francisco" --city Portland >/dev/null &&
            "$bin/forecast" train "${common[@]}" --plugin seasonal-naive >/dev/null
    ) 2>"$work/prepare.log" || { echo "sample-host: preparing the models failed:" >&2; tail -20 "$work/prepare.log" >&2; return 1; }
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/write-token")
    SAMPLE_HOST_TOKEN="$(cat "$work/write-token")"
    "$bin/forecast" serve "${common[@]}" --host 127.0.0.1 --port 0 --write-token-file "$work/write-token" \
        >"$work/serve.out" 2>"$work/serve.err" &
    SAMPLE_HOST_PID=$!
    local waited=0
    until grep -q "listening on" "$work/serve.out" 2>/dev/null; do
        if ! kill -0 "$SAMPLE_HOST_PID" 2>/dev/null || [ "$waited" -ge 300 ]; then
            echo "sample-host: forecast serve did not start:" >&2
            cat "$work/serve.err" >&2
            return 1
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    SAMPLE_HOST_URL="$(grep -o "http://[0-9.:]*" "$work/serve.out" | head -1)"
    export SAMPLE_HOST_URL SAMPLE_HOST_PID SAMPLE_HOST_TOKEN
}

sample_host_stop() {
    if [ -n "${SAMPLE_HOST_PID:-}" ] && kill -0 "$SAMPLE_HOST_PID" 2>/dev/null; then
        kill -TERM "$SAMPLE_HOST_PID"
        wait "$SAMPLE_HOST_PID" 2>/dev/null || true
    fi
}
