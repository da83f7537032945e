#!/usr/bin/env bash
# LIB bases (Float64) from Swift next to numpy, same steps and shapes, same run. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product warrant-benchmarks >/dev/null
.build/release/warrant-benchmarks lib
python3 Benchmarks/lib_numpy.py
