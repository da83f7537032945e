#!/usr/bin/env bash
# GEMM from Swift (Debian's OpenBLAS through CBLAS) against numpy (its own
# OpenBLAS) on the same shapes, in the same run. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product warrant-benchmarks >/dev/null
.build/release/warrant-benchmarks gemm
python3 Benchmarks/numpy_gemm.py
