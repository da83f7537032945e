#!/usr/bin/env bash
# Local SAE training throughput: Swift (warrant-benchmarks sae) next to PyTorch on the
# CPU (Benchmarks/sae_torch.py), same shapes and protocol, in the same run. Release build.
# THREADS (default 2) is given to both. The sparse work grows with L0, so the two sides are
# compared at the same L0: the torch side trains at TORCH_LAM (its own calibration to L0 32
# after 200 steps), and the Swift side at SWIFT_LAM, chosen to give the L0 the torch side
# ends its timed steps at (28.7 and 35.2). CALIBRATE=1 runs both searches again (several
# minutes): torch's to L0 32, then Swift's to the L0 torch ended at. The ratio is of median
# step times; both L0s are printed next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
SWIFT_LAM=${SWIFT_LAM:-3.086,2.442}
TORCH_LAM=${TORCH_LAM:-2.708,2.679}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
swift build -c release --product warrant-benchmarks >/dev/null
python3 -c "import torch" 2>/dev/null || python3 -m pip install -q torch
if [ "${CALIBRATE:-0}" = 1 ]; then
    python3 Benchmarks/sae_torch.py --threads "$THREADS" --results "$results"
    targets=$(python3 -c "import json,sys; print(','.join(str(json.loads(l)['l0']) for l in open(sys.argv[1])))" "$results")
    swift_args=(--target-l0 "$targets")
else
    python3 Benchmarks/sae_torch.py --threads "$THREADS" --lam "$TORCH_LAM" --results "$results"
    swift_args=(--lam "$SWIFT_LAM")
fi
SAE_RESULTS=$results OPENBLAS_NUM_THREADS=$THREADS .build/release/warrant-benchmarks sae "${swift_args[@]}" "$@"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for shape in dict.fromkeys(r["shape"] for r in rows):
    s = next(r for r in rows if r["shape"] == shape and r["side"] == "swift")
    t = next(r for r in rows if r["shape"] == shape and r["side"] == "torch")
    batch = int(shape.split("-b")[1])
    print(f"{shape}: swift {batch / s['median_seconds_per_step']:,.0f} samples/s at L0 {s['l0']:.1f}, "
          f"torch {batch / t['median_seconds_per_step']:,.0f} at L0 {t['l0']:.1f}: "
          f"{t['median_seconds_per_step'] / s['median_seconds_per_step']:.2f}x (median steps)")
PY
