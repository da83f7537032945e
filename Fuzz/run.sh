#!/usr/bin/env bash
# Builds the libFuzzer harnesses and runs each for RUNS executions (default 1M),
# seeded with the test fixtures. Prints libFuzzer's final stats line.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-1000000}
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -E "error|Compiling|Build" | tail -3
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)
fixtures=../Tests/WarrantNumericsTests/Fixtures
for target in FuzzSafetensors FuzzNPY; do
    corpus=$(mktemp -d)
    case $target in
        FuzzSafetensors) cp "$fixtures"/*.safetensors "$corpus"/ ;;
        FuzzNPY) cp "$fixtures"/*.npy "$corpus"/ ;;
    esac
    echo "== $target: $RUNS runs"
    "$bin/$target" -runs="$RUNS" -max_len=4096 -print_final_stats=1 "$corpus" 2>&1 | grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)"
    rm -rf "$corpus"
done
