"""The PyTorch side of the SAE training benchmark (CPU, float32).

Trains a local sparse autoencoder in the e2e_sae paper's code form
(ApolloResearch/e2e_sae, `models/sparsifiers.py` and `losses.py`):

    c     = ReLU(a @ W_e^T + b_e)              W_e: (n_dict, d), b_e: (n_dict)
    D     = W_d / ||W_d||_col                  W_d: (d, n_dict); F.normalize(W_d, dim=0),
                                               recomputed (and differentiated) every step
    a_hat = c @ D^T + b_d                      b_d: (d)
    loss  = mean((a_hat - a)^2) + lam/d * mean_rows(||c||_1)

Adam (lr 1e-3, PyTorch defaults otherwise, no weight decay), clip_grad_norm_ to
global norm 10. Init: nn.Linear defaults for W_e, b_e, b_d; W_d orthogonal
(rows orthonormal).

Per shape: generate a fixed synthetic data set (untimed), calibrate lam so that
mean L0 is about 32 (untimed), then continue training the calibrated model for
`--warmup` untimed and `--steps` timed steps and report samples/s.

    python3 Benchmarks/sae_torch.py --threads 1
    python3 Benchmarks/sae_torch.py --threads 1 --json
    python3 Benchmarks/sae_torch.py --threads 1 --lam 2.708,2.679   # skip the calibration grid
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SHAPES = [(512, 4096, 1024), (128, 1024, 4096)]  # (d, n_dict, batch)


class SAE(nn.Module):
    def __init__(self, d, n_dict):
        super().__init__()
        self.encoder = nn.Linear(d, n_dict, bias=True)   # weight (n_dict, d), default init
        self.decoder = nn.Linear(n_dict, d, bias=True)   # weight (d, n_dict), bias default init
        # As e2e_sae: orthogonal_ on the (n_dict, d) transpose, so the d rows of W_d
        # are orthonormal. Stored contiguous (e2e_sae leaves a transposed view).
        with torch.no_grad():
            w = nn.init.orthogonal_(torch.empty(n_dict, d))
            self.decoder.weight.copy_(w.T)

    def forward(self, a):
        c = F.relu(F.linear(a, self.encoder.weight, self.encoder.bias))
        dict_elements = F.normalize(self.decoder.weight, dim=0)  # unit-norm columns
        a_hat = F.linear(c, dict_elements, self.decoder.bias)
        return a_hat, c


def make_data(d, samples, seed, target_l0):
    """Sparse-features model: n_true = 2d random unit directions, each active
    independently with probability target_l0 / (2d) (so ~target_l0 active per
    sample), coefficient Uniform[0, 1); then the whole set is scaled so that the
    mean of a_i^2 over all elements is 1."""
    g = torch.Generator().manual_seed(seed)
    n_true = 2 * d
    feats = torch.randn(n_true, d, generator=g)
    feats /= feats.norm(dim=1, keepdim=True)
    p = target_l0 / n_true
    data = torch.empty(samples, d)
    chunk = 4096
    for i in range(0, samples, chunk):
        m = min(chunk, samples - i)
        active = torch.rand(m, n_true, generator=g) < p
        coef = torch.rand(m, n_true, generator=g) * active
        data[i:i + m] = coef @ feats
    data *= 1.0 / data.pow(2).mean().sqrt()
    return data.contiguous()


class Trainer:
    def __init__(self, d, n_dict, batch, lam, data, seed):
        torch.manual_seed(seed)
        self.model = SAE(d, n_dict)
        self.params = list(self.model.parameters())
        self.opt = torch.optim.Adam(self.params, lr=1e-3)
        self.d, self.batch, self.lam, self.data = d, batch, lam, data
        self.nbatches = data.shape[0] // batch
        self.step_index = 0  # batches are taken cyclically: rows [k*B, (k+1)*B), k = step mod nbatches

    def step(self):
        k = self.step_index % self.nbatches
        a = self.data[k * self.batch:(k + 1) * self.batch]
        self.step_index += 1
        a_hat, c = self.model(a)
        mse = F.mse_loss(a_hat, a)
        sparsity = torch.norm(c, p=1, dim=-1).mean() / self.d
        loss = mse + self.lam * sparsity
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 10.0)
        self.opt.step()

    @torch.no_grad()
    def evaluate(self, eval_rows):
        """Mean L0 (active c per row) and MSE on the first eval_rows rows of the data."""
        a = self.data[:eval_rows]
        a_hat, c = self.model(a)
        return (c > 0).sum(dim=-1).float().mean().item(), F.mse_loss(a_hat, a).item()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's default)")
    ap.add_argument("--steps", type=int, default=50, help="timed steps (default 50)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps before timing (default 5)")
    ap.add_argument("--calib-steps", type=int, default=200,
                    help="steps per calibration run; also the untimed pre-training when --lam is given (default 200)")
    ap.add_argument("--lam-grid", type=str, default="1,2,4,8",
                    help="comma-separated λ values tried in calibration (default 1,2,4,8)")
    ap.add_argument("--refine", type=int, default=3,
                    help="extra calibration runs interpolating between the λ values bracketing the target (default 3)")
    ap.add_argument("--lam", type=str, default=None,
                    help="skip calibration: one λ for all shapes, or a comma list with one per shape")
    ap.add_argument("--target-l0", type=float, default=32.0)
    ap.add_argument("--samples", type=int, default=65536, help="rows of the synthetic data set (default 65536)")
    ap.add_argument("--eval-rows", type=int, default=8192, help="rows used to measure L0 (default 8192)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shapes", type=str, default=None,
                    help="override shapes, e.g. '512x4096x1024,128x1024x4096' (d x n_dict x batch)")
    ap.add_argument("--results", type=str, default=None, help="append one JSON line per shape (median step) to this file")
    ap.add_argument("--json", action="store_true", help="one JSON line per shape on stdout; progress to stderr")
    args = ap.parse_args()

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    out = sys.stderr if args.json else sys.stdout

    def log(*a):
        print(*a, file=out, flush=True)

    shapes = SHAPES
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    lams = None
    if args.lam is not None:
        lams = [float(v) for v in args.lam.split(",")]
        if len(lams) == 1:
            lams = lams * len(shapes)
        if len(lams) != len(shapes):
            ap.error("--lam needs one value or one per shape")
    grid = [float(v) for v in args.lam_grid.split(",")]

    log(f"torch {torch.__version__}, threads: {threads}"
        + ("" if args.threads is not None else " (torch default)"))
    log("FLOP count used for GFLOP/s: 6*batch*d*n_dict per step (3 GEMM-equivalents of 2*B*d*n). "
        "The step actually runs 5 GEMMs of 2*B*d*n each (fwd: encoder, decoder; bwd: dC, dW_d, dW_e; "
        "no dA) = 10*B*d*n, so the figure understates the GEMM work by 10/6.")

    for si, (d, n_dict, batch) in enumerate(shapes):
        name = f"d{d}-n{n_dict}-b{batch}"
        if args.samples % batch:
            ap.error(f"--samples must be a multiple of batch {batch}")
        t0 = time.perf_counter()
        data = make_data(d, args.samples, args.seed + d, args.target_l0)
        log(f"\n== {name}: d={d} n_dict={n_dict} batch={batch}; data {args.samples}x{d} float32 "
            f"(generated in {time.perf_counter() - t0:.1f}s, untimed)")

        eval_rows = min(args.eval_rows, args.samples)
        if lams is None:
            log(f"calibration: {args.calib_steps} steps per λ from the same init and data, "
                f"L0 on the first {eval_rows} rows, target L0 {args.target_l0:g}")
            log(f"  geometric grid {grid}, then up to {args.refine} log-log interpolation refinements")
            tried = []  # (lam, l0, mse, trainer)

            def run(lam, tag):
                tr = Trainer(d, n_dict, batch, lam, data, args.seed)
                t0 = time.perf_counter()
                for _ in range(args.calib_steps):
                    tr.step()
                dt = time.perf_counter() - t0
                l0, mse = tr.evaluate(eval_rows)
                log(f"  {tag:6} λ={lam:<9.4g} L0={l0:8.2f}  mse={mse:.4f}  ({dt:.1f}s)")
                tried.append((lam, l0, mse, tr))

            for lam in grid:
                run(lam, "grid")
            for _ in range(args.refine):
                # Bracket the target between adjacent tried λ (L0 falls as λ grows) and
                # interpolate linearly in (log λ, log L0).
                pts = sorted(tried, key=lambda t: t[0])
                lo = [t for t in pts if t[1] >= args.target_l0]
                hi = [t for t in pts if t[1] < args.target_l0]
                if not lo or not hi:
                    break
                (l1, y1), (l2, y2) = (lo[-1][0], lo[-1][1]), (hi[0][0], hi[0][1])
                if l1 >= l2:
                    break  # L0 not monotone in λ; keep the grid answer
                y1, y2, yt = math.log(y1), math.log(max(y2, 0.5)), math.log(args.target_l0)
                f = (y1 - yt) / (y1 - y2) if y1 != y2 else 0.5
                f = min(max(f, 0.1), 0.9)  # keep away from the bracket ends
                run(math.exp(math.log(l1) + f * (math.log(l2) - math.log(l1))), "refine")
            lam, l0, _, tr = min(tried, key=lambda t: abs(t[1] - args.target_l0))
            if lam in (min(grid), max(grid)) and abs(l0 - args.target_l0) > 0.25 * args.target_l0:
                log(f"  warning: chosen λ={lam:g} is at the edge of the grid; widen --lam-grid")
            tried = [t for t in tried if t[3] is tr]  # free the other models
            log(f"  chosen λ={lam:.4g} (L0 {l0:.2f}); the timed steps continue training this model")
        else:
            lam = lams[si]
            tr = Trainer(d, n_dict, batch, lam, data, args.seed)
            for _ in range(args.calib_steps):
                tr.step()
            log(f"λ={lam:g} given; pre-trained {args.calib_steps} steps (untimed), "
                f"L0 {tr.evaluate(eval_rows)[0]:.2f}")

        for _ in range(args.warmup):
            tr.step()
        times = []
        t0 = time.perf_counter()
        for _ in range(args.steps):
            ts = time.perf_counter()
            tr.step()
            times.append(time.perf_counter() - ts)
        elapsed = time.perf_counter() - t0
        times.sort()
        l0, mse = tr.evaluate(eval_rows)

        sec_per_step = elapsed / args.steps
        sps = batch / sec_per_step
        gflops = 6.0 * batch * d * n_dict / sec_per_step / 1e9
        log(f"shape {name}  λ={lam:.4g}  final L0={l0:.2f}  mse={mse:.4f}")
        log(f"  {args.steps} timed steps (after {args.warmup} warm-up): {sps:,.0f} samples/s, "
            f"{sec_per_step * 1e3:.2f} ms/step (mean; median {times[len(times) // 2] * 1e3:.2f}, "
            f"min {times[0] * 1e3:.2f}), {gflops:.1f} GFLOP/s (6*B*d*n count)")
        if args.results:
            with open(args.results, "a") as f:
                f.write(json.dumps({"side": "torch", "shape": name, "l0": round(l0, 2),
                                    "median_seconds_per_step": times[len(times) // 2]}) + "\n")
        if args.json:
            print(json.dumps({
                "shape": name, "d": d, "n_dict": n_dict, "batch": batch, "lambda": lam,
                "l0": round(l0, 3), "samples_per_second": sps, "seconds_per_step": sec_per_step,
                "gflops": gflops, "threads": threads, "torch_version": torch.__version__,
            }), flush=True)


if __name__ == "__main__":
    main()
