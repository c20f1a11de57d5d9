#!/usr/bin/env bash
# Builds the coverage-guided fuzz targets (libFuzzer, from the Swift toolchain's clang
# runtime) with AddressSanitizer, and runs each for a bounded time.
#
#   bash fuzz/run.sh [seconds per target]     (default 20)
#
# Targets:
#   config                 the plugins.json parser (Sources/ForecastConfiguration/ForecastConfig.swift)
#   <plugin>-blob          each model plugin's `load` + `forecast` on arbitrary bytes,
#                          through the C entry points (fuzz/blob_load_fuzzer.c), seeded
#                          with a real trained blob
#   csv                    the wide-CSV parser (when the pipeline's parser is present)
# A crash leaves its input in .build-fuzz/findings/<target>/; copy it to
# Tests/Fixtures/fuzz/<plugin>/ as a regression test, fix, and rerun.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-20}"
out="$root/.build-fuzz"
swift_bin="$(dirname "$(readlink -f "$(command -v swiftc)")")"
clang="$swift_bin/clang"
mkdir -p "$out/abi" "$out/findings"
cat >"$out/abi/module.modulemap" <<MAP
module PluginABI {
    header "$root/Sources/PluginABI/include/forecast_plugin.h"
    export *
}
MAP
include="$root/Sources/PluginABI/include"
sanitizers="fuzzer,address"

"$clang" -c -O1 -g -fsanitize=fuzzer-no-link,address -I "$include" "$root/fuzz/blob_load_fuzzer.c" -o "$out/blob_load_fuzzer.o"

# Compiles one Swift module of the package into an object with the fuzzer's instrumentation.
swift_module() { # name, sources...
    local name="$1"
    shift
    swiftc -parse-as-library -wmo -O -g -sanitize="$sanitizers" -module-name "$name" \
        -I "$out" -I "$out/abi" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -c "$@" -o "$out/$name.o" 2> >(grep -v "warning: Cannot export local symbol" >&2)
}

targets=()
echo "fuzz: building config"
swift_module ForecastVocabulary "$root"/Sources/ForecastVocabulary/*.swift
swiftc -parse-as-library -O -g -sanitize="$sanitizers" -module-name FuzzConfig -I "$out" \
    "$root/fuzz/ConfigFuzzer.swift" "$root"/Sources/ForecastConfiguration/*.swift "$out/ForecastVocabulary.o" \
    -o "$out/config-fuzzer" 2>/dev/null
mkdir -p "$out/corpus/config"
cp "$root/plugins.json" "$out/corpus/config/"
targets+=(config)

echo "fuzz: building seasonal-naive-blob"
"$clang" -O1 -g -fsanitize=fuzzer,address,undefined -I "$include" "$root/fuzz/blob_load_fuzzer.c" \
    "$root/Plugins/SeasonalNaive/seasonal_naive.c" -lm \
    -o "$out/seasonal-naive-blob-fuzzer" 2>/dev/null
targets+=(seasonal-naive-blob)

echo "fuzz: building the Swift plugins' blob fuzzers"
swift_module ForecastMath "$root"/Sources/ForecastMath/*.swift
swift_module Locking "$root"/Sources/Locking/*.swift
swift_module PluginKit "$root"/Sources/PluginKit/*.swift
for plugin in AutoReg ARIMA; do
    lower="$(echo "$plugin" | tr '[:upper:]' '[:lower:]')"
    echo "fuzz: building $lower-blob"
    swift_module "$plugin" "$root/Plugins/$plugin"/*.swift
    swiftc -sanitize="$sanitizers" "$out/$plugin.o" "$out/PluginKit.o" "$out/Locking.o" "$out/ForecastMath.o" \
        "$out/blob_load_fuzzer.o" -o "$out/$lower-blob-fuzzer" 2>/dev/null
    targets+=("$lower-blob")
done

echo "fuzz: building csv"
swiftc -parse-as-library -O -g -sanitize="$sanitizers" -module-name FuzzCSV "$root/fuzz/CSVFuzzer.swift" \
    "$root"/Sources/ForecastPipeline/{WideCSVReader,LineReader,NumberParser,WideTable,CitySelection,PipelineError}.swift \
    "$root"/Sources/ForecastVocabulary/{Variable,CivilDate,MeasurementUnit,Timestamp}.swift \
    -o "$out/csv-fuzzer" 2> >(grep -v "warning: Cannot export local symbol" >&2)
mkdir -p "$out/corpus/csv"
# Seeds in the source's shape: a BOM and quotes in the header, empty cells, CRLF, a gap.
printf 'datetime,Vancouver,Portland,San Francisco\n2012-10-01 12:00:00,,,\n2012-10-01 13:00:00,284.63,282.08,289.48\n2012-10-01 14:00:00,284.62,,289.47\n2012-10-01 16:00:00,284.6,282.1,289.4\n' \
    >"$out/corpus/csv/seed-plain.csv"
printf '\xef\xbb\xbf"datetime","San Francisco",Portland\r\n2013-01-01 00:00:00,71,"55.5"\r\n2013-01-01T01:00:00, 80 ,1e1\r\n' \
    >"$out/corpus/csv/seed-quoted.csv"
targets+=(csv)

status=0
for target in "${targets[@]}"; do
    corpus="$out/corpus/$target"
    findings="$out/findings/$target"
    mkdir -p "$corpus" "$findings"
    # Committed regression inputs join the corpus, so a reintroduced bug is found at once.
    fixture_dir="$root/Tests/Fixtures/fuzz/${target%-blob}"
    if [ -d "$fixture_dir" ]; then cp "$fixture_dir"/* "$corpus/" 2>/dev/null || true; fi
    echo "fuzz: running $target for ${seconds}s"
    dict=()
    if [ -f "$root/fuzz/$target.dict" ]; then dict=(-dict="$root/fuzz/$target.dict"); fi
    if ! FUZZ_SEED_DIR="$corpus" "$out/$target-fuzzer" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" >"$out/$target.log" 2>&1; then
        echo "fuzz: $target FOUND A FAILURE; input saved in $findings/" >&2
        grep -E "ERROR|SUMMARY|abort|runtime error" "$out/$target.log" | head -5 >&2
        status=1
    else
        runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$out/$target.log" | grep -Eo "[0-9]+$" || echo "?")
        echo "fuzz: $target ok ($runs inputs)"
    fi
done
exit $status
