#!/usr/bin/env bash
# Wall time of `forecast train` for every city (36) x variable (2) x plugin, serial
# (--jobs 1) against parallel (--jobs = cores), in one run on the same store, and the
# projection for N Airflow workers; and the cost of crash isolation (each train call in a
# child process, the default) against --in-process, at --jobs = cores.
#
#   bench/scale/run.sh [hours]     (default 45253: the real sources' length)
#   FORECAST_BIN=path/to/forecast bench/scale/run.sh    (skip the release build)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
hours="${1:-45253}"
cd "$root"
if [ -z "${FORECAST_BIN:-}" ]; then
    swift build -c release >/dev/null
fi
bin="${FORECAST_BIN:-$(swift build -c release --show-bin-path)/forecast}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cores="$(nproc)"

"$bin" sample-data --out "$work/sample" --hours "$hours" >/dev/null
"$bin" fetch --workdir "$work/w" --temperature "$work/sample/temperature.csv.zip" \
    --humidity "$work/sample/humidity.csv.zip" >/dev/null 2>&1
"$bin" ingest --workdir "$work/w" --all-cities >/dev/null 2>&1

time_train() { # jobs [extra arguments] -> seconds
    local start end jobs="$1"
    shift
    start=$(date +%s.%N)
    "$bin" train --workdir "$work/w" --config "$root/plugins.json" --jobs "$jobs" --json "$@" >"$work/train-$jobs$*.json" 2>/dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.1f}')"
}

echo "forecast train, 36 cities x 2 variables x every plugin, $hours hours of sample data, $cores cores"
serial=$(time_train 1)
parallel=$(time_train "$cores")
in_process=$(time_train "$cores" --in-process)
python3 - "$serial" "$parallel" "$cores" "$work/train-1.json" "$in_process" <<'PY'
import json, sys
serial, parallel, cores = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
in_process = float(sys.argv[5])
result = json.load(open(sys.argv[4]))
jobs = result if isinstance(result, list) else result.get("jobs", [])
per_plugin = {}
for job in jobs:
    per_plugin[job["plugin"]] = per_plugin.get(job["plugin"], 0.0) + float(job["seconds"])
failed = [job for job in jobs if not job.get("ok")]
print(f"{len(jobs)} training jobs, {len(failed)} failed")
print(f"serial   (--jobs 1):      {serial:7.1f} s")
print(f"parallel (--jobs {cores}):      {parallel:7.1f} s")
print(f"speed-up: {serial / parallel:.2f}x on {cores} cores")
print(f"in-process (--jobs {cores} --in-process): {in_process:.1f} s; crash isolation costs "
      f"{parallel - in_process:+.1f} s ({parallel / in_process:.2f}x, {(parallel - in_process) / max(len(jobs), 1) * cores * 1000:+.0f} ms per job)")
if per_plugin:
    print("serial seconds per plugin: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per_plugin.items())))
# Projection: Airflow maps one train task per plugin x city (both variables each). With W
# workers of this size, each running `cores` tasks at once, the serial work divides by
# W x cores, bounded below by the longest single task, plus a per-task start-up cost
# (process start, plugin loading, store read: about 0.5 s here, more under Celery).
tasks = {}
for job in jobs:
    key = (job["plugin"], job["city"])
    tasks[key] = tasks.get(key, 0.0) + float(job["seconds"])
longest = max(tasks.values()) if tasks else 0.0
print(f"projection for N Airflow workers with {cores} slots each ({len(tasks)} mapped tasks, longest {longest:.1f} s, +0.5 s start-up per task):")
for workers in (1, 2, 4, 8, 16):
    slots = workers * cores
    projected = max(serial / slots, longest) + 0.5 * len(tasks) / slots
    print(f"  {workers:2d} workers: ~{projected:6.1f} s")
PY
