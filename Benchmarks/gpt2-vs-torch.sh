#!/usr/bin/env bash
# GPT-2 forward throughput (tokens/s): Warrant (warrant-benchmarks gpt2) next to PyTorch's
# transformers on the CPU, on the same GPT-2-small-shaped random weights and the same token
# ids (Benchmarks/gpt2_torch.py writes both with save_pretrained), in the same run, THREADS
# (default 2) each. Also Warrant's SAE training steps per second at blocks.6.hook_resid_pre.
# Release build. The model (about 500 MB) goes to WORK (default a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
WORK=${WORK:-$(mktemp -d)}
python3 -c "import torch, transformers" 2>/dev/null || python3 -m pip install -q torch transformers safetensors numpy
[ -d "$WORK/model" ] || python3 Benchmarks/gpt2_torch.py --make "$WORK"
swift build -c release --product warrant-benchmarks >/dev/null
OPENBLAS_NUM_THREADS=$THREADS .build/release/warrant-benchmarks gpt2 "$WORK/model" "$WORK/tokens.npy"
python3 Benchmarks/gpt2_torch.py --time "$WORK" --threads "$THREADS"
