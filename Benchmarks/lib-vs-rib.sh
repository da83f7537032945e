#!/usr/bin/env bash
# LIB (Float64) on one model and one data set, three ways in one run, release build:
#   Warrant's default (centred) basis next to numpy running the same algorithm, on all
#   16,384 points; and Warrant's folded basis next to a rib-faithful torch implementation
#   (autograd Jacobians, as rib/linalg.py takes them) on the first RIB_POINTS points
#   (default 1024: rib's cost is linear in the points, about 55 ms a point here).
# It then compares the importances each pair computed. THREADS (default 2) goes to all.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
RIB_POINTS=${RIB_POINTS:-1024}
DIR=${LIB_BENCH_DIR:-/tmp/warrant-lib-bench}
python3 -c "import torch, numpy" 2>/dev/null || python3 -m pip install -q torch numpy
swift build -c release --product warrant-benchmarks >/dev/null
[ -f "$DIR/inputs.npy" ] || python3 Benchmarks/lib_model.py "$DIR"
OPENBLAS_NUM_THREADS=$THREADS .build/release/warrant-benchmarks lib "$DIR" "$RIB_POINTS"
OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS \
    python3 Benchmarks/lib_numpy.py "$DIR" --importances "$DIR/numpy-centred.json"
python3 Benchmarks/lib_rib_torch.py "$DIR" --points "$RIB_POINTS" --threads "$THREADS" \
    --importances "$DIR/rib-folded.json"
python3 - "$DIR" <<'PY'
import json, sys
d = sys.argv[1]
def compare(a, b, label):
    x, y = json.load(open(f"{d}/{a}")), json.load(open(f"{d}/{b}"))
    worst = 0.0
    for lx, ly in zip(x, y):
        top = max(abs(v) for v in lx + ly)
        n = min(len(lx), len(ly))
        worst = max([worst] + [abs(p - q) / top for p, q in zip(lx[:n], ly[:n])])
    counts = " / ".join(f"{len(lx)}:{len(ly)}" for lx, ly in zip(x, y))
    print(f"{label}: kept per layer {counts}; largest difference in an importance, relative to the layer's largest: {worst:.2e}")
compare("swift-centred.json", "numpy-centred.json", "swift vs numpy (centred)")
compare("swift-folded.json", "rib-folded.json", "swift vs rib (folded)")
PY
