#!/usr/bin/env bash
# Local SAE training throughput: Swift (warrant-benchmarks sae) next to PyTorch on the
# CPU (Benchmarks/sae_torch.py), same shapes and protocol, in the same run. Release build.
# THREADS (default 2) is given to both.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
swift build -c release --product warrant-benchmarks >/dev/null
OPENBLAS_NUM_THREADS=$THREADS .build/release/warrant-benchmarks sae "$@"
python3 -c "import torch" 2>/dev/null || python3 -m pip install -q torch
python3 Benchmarks/sae_torch.py --threads "$THREADS" --lam 2.708,2.679
