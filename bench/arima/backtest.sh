#!/bin/sh
# Rolling-origin comparison that chose the ARIMA plugin's shipped options (plugins.json).
#
# Uses the project's own `forecast backtest` (fit once at the first origin, then condition on
# newer data; 8 origins a week apart; 72 h ahead; 95% intervals) on `forecast sample-data`
# (deterministic, 45,253 hourly rows) for two cities and both variables, once per candidate
# option set. Needs `swift build --scratch-path .build-arima --product forecast` and
# `swift build -c release --scratch-path .build-arima --product ARIMA`; both are copied into
# one directory so that only the release plugin is discovered.
# Usage: bench/arima/backtest.sh        (results in .build-arima/bt/results/*.json)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-$ROOT/.build-arima/bt}
mkdir -p "$WORK/bin"
cp "$ROOT/.build-arima/debug/forecast" "$ROOT/.build-arima/release/libARIMA.so" "$WORK/bin/"
EXE=$WORK/bin/forecast
PLUGINS=$WORK/bin
cd "$WORK"
[ -f sample/temperature.csv.zip ] || "$EXE" sample-data --out sample
if [ ! -f w/forecast.db ]; then
  "$EXE" fetch --workdir w --temperature sample/temperature.csv.zip --humidity sample/humidity.csv.zip
  "$EXE" ingest --workdir w --city "San Francisco" --city "Chicago"
fi
mkdir -p configs results
variant() {
  name=$1; options=$2
  printf '{"defaultCity":"San Francisco","plugins":{"arima":{"options":%s}},"routes":{}}\n' "$options" > "configs/$name.json"
  for city in "San Francisco" "Chicago"; do
    for variable in temperature humidity; do
      out="results/$name-$(echo "$city" | tr ' ' '_')-$variable.json"
      [ -s "$out" ] && continue
      "$EXE" backtest --workdir w --config "configs/$name.json" --plugin-dir "$PLUGINS" --plugin arima \
        --city "$city" --variable "$variable" --origins 8 --step 168 --horizon 72 --json > "$out.tmp" && mv "$out.tmp" "$out"
    done
  done
}
variant seed '{"seasonal":"none"}'
variant fourier2 '{"seasonal":"fourier","fourier_terms":2}'
variant fourier3 '{"seasonal":"fourier","fourier_terms":3}'
variant fourier4 '{"seasonal":"fourier","fourier_terms":4}'
