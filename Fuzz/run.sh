#!/usr/bin/env bash
# Builds the libFuzzer harnesses and runs each for RUNS executions (default 1M; the
# campaigns reported in the closing notes ran 10M), starting from the committed corpora
# in Fuzz/corpus/ (seeded from the repository's fixtures). Prints libFuzzer's final stats.
#
#   Fuzz/run.sh                       # every harness, 1M runs each
#   RUNS=10000000 Fuzz/run.sh FuzzJSON FuzzRequirement
#   MERGE=1 Fuzz/run.sh               # also fold new coverage back into Fuzz/corpus, minimised
#   MAX_TIME=3600 Fuzz/run.sh FuzzCaseLoader   # stop after RUNS or MAX_TIME seconds, whichever first
#
# A crash, a leak or a timeout (TIMEOUT seconds per input, default 10) stops that harness
# with a non-zero exit; its input is written to Fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-1000000}
TIMEOUT=${TIMEOUT:-10}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzSafetensors FuzzNPY FuzzCaseLoader FuzzGSN2X FuzzJSON FuzzRequirement FuzzInspect)
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
swift build "${flags[@]}" 2>&1 | grep -E "error|warning: unre|Build" | tail -3
bin=$(swift build "${flags[@]}" --show-bin-path)
mkdir -p artifacts
fixtures=../Tests/WarrantNumericsTests/Fixtures
status=0
for target in "${targets[@]}"; do
    corpus=$(mktemp -d)
    case $target in
        FuzzSafetensors) cp "$fixtures"/*.safetensors "$corpus"/ ;;
        FuzzNPY) cp "$fixtures"/*.npy "$corpus"/ ;;
    esac
    cp corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    max_len=4096
    [ "$target" = FuzzInspect ] && max_len=16384
    [ "$target" = FuzzCaseLoader ] && max_len=2048
    echo "== $target: $RUNS runs"
    set +e
    limit=()
    [ -n "${MAX_TIME:-}" ] && limit=(-max_total_time="$MAX_TIME")
    "$bin/$target" -runs="$RUNS" "${limit[@]}" -max_len=$max_len -timeout="$TIMEOUT" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=artifacts/"$target"- "$corpus" 2>&1 \
        | grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|.*deadly signal|.*Timeout|.*out-of-memory)"
    code=${PIPESTATUS[0]}
    set -e
    [ "$code" -eq 0 ] || { echo "$target stopped with exit $code"; status=1; }
    if [ "${MERGE:-0}" = 1 ] && [ "$code" -eq 0 ]; then
        mkdir -p corpus/"$target"
        merged=$(mktemp -d)
        "$bin/$target" -merge=1 -max_len=$max_len "$merged" corpus/"$target" "$corpus" >/dev/null 2>&1
        rm -f corpus/"$target"/*
        cp "$merged"/* corpus/"$target"/
        rm -rf "$merged"
    fi
    rm -rf "$corpus"
done
exit $status
