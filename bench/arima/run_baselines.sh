#!/bin/sh
# Runs the slow baselines once (pmdarima on 45k takes ~7 minutes) and caches their JSON in results/.
cd "$(dirname "$0")"
PY=${PYTHON:-/work/venv/bin/python}
for s in 8.7k 45k; do
  for tool in statsforecast pmdarima; do
    out="results/$tool-$s.json"
    [ -s "$out" ] && continue
    timeout 1500 "$PY" baselines.py "$tool" "$s" > "$out.tmp" && mv "$out.tmp" "$out"
  done
done
