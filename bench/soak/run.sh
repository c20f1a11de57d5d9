#!/usr/bin/env bash
# Soak test: wrk against one `forecast serve` on loopback for a long run, sampling the
# host's resident memory every few seconds. Passes when wrk saw zero errors (socket
# errors, timeouts, non-2xx) and memory after warm-up stays flat.
#
#   bash bench/soak/run.sh [seconds, default 600] [connections, default 32] [threads, default 2]
#
# Environment: FORECAST_BUILD_CONFIG=release to soak a release build (default: debug in
# .build-rel, see scripts/sample-host.sh); SOAK_SAMPLE_SECONDS (default 5); SOAK_GATEWAY=1
# to send the load through a second `forecast serve` whose /baseline route proxies to the
# host (both processes' memory is sampled, and both must stay flat).
# Writes bench/soak/results/<date>-<seconds>s.{txt,rss.csv}.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-600}"
connections="${2:-32}"
threads="${3:-2}"
every="${SOAK_SAMPLE_SECONDS:-5}"
command -v wrk >/dev/null || { echo "soak: wrk is missing (apt-get install wrk)" >&2; exit 1; }

# shellcheck source=../../scripts/sample-host.sh
source "$root/scripts/sample-host.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/soak-XXXXXX")"
gateway_pid=""
cleanup() {
    if [ -n "$gateway_pid" ]; then kill -TERM "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; fi
    sample_host_stop
    rm -rf "$work"
}
trap cleanup EXIT
sample_host_start "$work" 2000
echo "soak: host at $SAMPLE_HOST_URL (pid $SAMPLE_HOST_PID), ${seconds}s, -t$threads -c$connections, RSS every ${every}s"
target="$SAMPLE_HOST_URL"
mode=host
if [ "${SOAK_GATEWAY:-0}" = 1 ]; then
    mode=gateway
    bin="$(sample_host_bin_dir)"
    mkdir -p "$work/gateway/plugins"
    printf '{"routes": {"baseline": {"upstream": "%s/baseline"}}}\n' "$SAMPLE_HOST_URL" >"$work/gateway/plugins.json"
    "$bin/forecast" serve --workdir "$work/gateway" --config "$work/gateway/plugins.json" --plugin-dir "$work/gateway/plugins" \
        --no-store --host 127.0.0.1 --port 0 >"$work/gateway/serve.out" 2>"$work/gateway/serve.err" &
    gateway_pid=$!
    for _ in $(seq 1 300); do grep -q "listening on" "$work/gateway/serve.out" 2>/dev/null && break; sleep 0.2; done
    target="$(grep -o "http://[0-9.:]*" "$work/gateway/serve.out" | head -1)"
    [ -n "$target" ] || { echo "soak: the gateway did not start:" >&2; cat "$work/gateway/serve.err" >&2; exit 1; }
    echo "soak: through the gateway at $target (pid $gateway_pid)"
fi

mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)-${seconds}s"
rss_csv="$here/results/$stamp.rss.csv"
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
if [ "$mode" = gateway ]; then
    echo "elapsed_s,rss_kib,gateway_rss_kib" >"$rss_csv"
    rss() { echo "$(rss_of "$SAMPLE_HOST_PID"),$(rss_of "$gateway_pid")"; }
else
    echo "elapsed_s,rss_kib" >"$rss_csv"
    rss() { rss_of "$SAMPLE_HOST_PID"; }
fi
echo "0,$(rss)" >>"$rss_csv"

wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$here/paths.lua" "$target" \
    >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
start=$(date +%s)
while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep "$every"
    kill -0 "$SAMPLE_HOST_PID" 2>/dev/null || { echo "soak: THE HOST DIED" >&2; exit 1; }
    [ -z "$gateway_pid" ] || kill -0 "$gateway_pid" 2>/dev/null || { echo "soak: THE GATEWAY DIED" >&2; exit 1; }
    echo "$(($(date +%s) - start)),$(rss)" >>"$rss_csv"
done
wait "$wrk_pid"
cat "$work/wrk.txt"

# Warm-up: the first 10% of the run (at least one sample). Flat: the largest RSS after
# warm-up is within 10% (and 16 MiB) of the RSS at the end of warm-up, and the last
# quarter's mean is no higher than the second quarter's mean by more than 5%.
# flatness COLUMN PREFIX: the verdict for the samples in column COLUMN of the csv.
flatness() { awk -F, -v total="$seconds" -v column="$1" -v prefix="$2" '
    BEGIN { n = 0 }
    NR == 1 { next }
    { t[n] = $1; r[n] = $column; n++ }
    END {
        warm = total * 0.1
        base = -1; peak = 0
        for (i = 0; i < n; i++) {
            if (t[i] >= warm && base < 0) base = r[i]
            if (t[i] >= warm && r[i] > peak) peak = r[i]
        }
        q2 = 0; q2n = 0; q4 = 0; q4n = 0
        for (i = 0; i < n; i++) {
            if (t[i] >= total * 0.25 && t[i] < total * 0.5) { q2 += r[i]; q2n++ }
            if (t[i] >= total * 0.75) { q4 += r[i]; q4n++ }
        }
        q2 = q2n ? q2 / q2n : base; q4 = q4n ? q4 / q4n : peak
        flat = (peak - base <= base * 0.10 || peak - base <= 16384) && (q4 <= q2 * 1.05 || q4 - q2 <= 8192)
        printf "%srss_start_kib=%d %srss_after_warmup_kib=%d %srss_peak_after_warmup_kib=%d %srss_q2_mean_kib=%d %srss_q4_mean_kib=%d %srss_end_kib=%d %sflat=%s\n",
            prefix, r[0], prefix, base, prefix, peak, prefix, q2, prefix, q4, prefix, r[n - 1], prefix, flat ? "yes" : "NO"
    }' "$rss_csv"; }
verdict="$(flatness 2 "")"
if [ "$mode" = gateway ]; then verdict="$verdict
$(flatness 3 gateway_)"; fi
requests=$(grep -Eo "[0-9]+ requests in" "$work/wrk.txt" | grep -Eo "^[0-9]+")
rate=$(grep -E "^Requests/sec" "$work/wrk.txt" | awk '{print $2}')
p99=$(grep -E "^ +99%" "$work/wrk.txt" | awk '{print $2}')
socket_errors=$(grep -E "Socket errors" "$work/wrk.txt" | grep -Eo "[0-9]+" | paste -sd+ | bc 2>/dev/null || echo 0)
non2xx=$(grep -E "Non-2xx" "$work/wrk.txt" | grep -Eo "[0-9]+$" || echo 0)
errors=$((${socket_errors:-0} + ${non2xx:-0}))
{
    echo "soak $(date -u +%FT%TZ): ${seconds}s -t$threads -c$connections mode=$mode build=${FORECAST_BUILD_CONFIG:-debug} cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "requests=$requests rate=${rate}/s p99=$p99 errors=$errors (socket $socket_errors, non-2xx $non2xx)"
    echo "$verdict"
} | tee "$here/results/$stamp.txt"
cat "$work/wrk.txt" >>"$here/results/$stamp.txt"
if [ "$errors" -ne 0 ] || grep -q "flat=NO" <<<"$verdict"; then
    echo "soak: FAILED"
    exit 1
fi
echo "soak: passed"
