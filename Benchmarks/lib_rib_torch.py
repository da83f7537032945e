"""The rib side of Benchmarks/lib-vs-rib.sh: the folded-bias ("centred") LIB of the benchmark
model as rib computes it (ApolloResearch/rib at 7a6199f, basis_formula "jacobian",
center=True, gradient integration, rotate_final_node_layer=False), in torch, Float64, with
every Jacobian from autograd exactly as rib/linalg.py::calc_basis_jacobian takes it: one
torch.autograd.grad per output direction of C_out, over data batches, and
M' = einsum("bij,biJ->jJ", J, J) / N accumulated batch by batch
(rib/interaction_algos.py). The steps are those of
Tests/WarrantEvalsTests/Fixtures/lib-rib/make_rib_fixture.py, which Warrant's --fold-bias
basis is tested against; only the batching is new.

    python3 Benchmarks/lib_rib_torch.py FOLDER --points 2048 --threads 2 --importances OUT.json
"""
import argparse
import json
import time

import torch

from lib_model import load

THRESHOLD = 1e-12


def fold(w, b, last):
    # rib.models.utils.fold_mlp_in; w is (in, out) as rib stores it.
    top = torch.cat([w, b[None, :]], dim=0)
    extra = torch.cat([torch.zeros(w.shape[0], 1), torch.ones(1, 1)], dim=0)
    folded = torch.cat([top, extra], dim=1)
    return folded[..., :-1] if last else folded


def eigendecompose(m):
    vals, vecs = torch.linalg.eigh(m)
    vals = vals.abs()
    idx = torch.argsort(vals, descending=True)
    return vals[idx], vecs[:, idx]


def lib(folded, x, batch):
    n = x.shape[0]
    layers = len(folded)

    def module(i, inp):
        out = inp @ folded[i]
        return out if i == layers - 1 else torch.relu(out)

    with torch.no_grad():
        acts = [torch.cat([x, torch.ones(n, 1)], dim=-1)]
        for i in range(layers - 1):
            acts.append(module(i, acts[-1]))
    c_next, lambdas = None, [None] * layers
    for l in range(layers - 1, -1, -1):
        f = acts[l]
        mean = f.mean(dim=0)
        shift = -mean.clone()
        shift[-1] = 0.0
        g = (f + shift).T @ (f + shift) / n
        d_dash, u_dash = eigendecompose(g)
        is_const = (u_dash[-1, :].abs() > 1e-6) & (d_dash.abs() > 1e-6)
        k = int(is_const.nonzero()[0, 0])
        order = torch.tensor([k] + [i for i in range(d_dash.shape[0]) if i != k])
        d_dash, u_dash = d_dash[order], u_dash[:, order]
        mask = d_dash > THRESHOLD
        d, u = d_dash[mask], u_dash[:, mask]
        y = torch.eye(mean.shape[0])
        y[-1, :-1] = -mean[:-1]
        y_inv = torch.eye(mean.shape[0])
        y_inv[-1, :-1] = mean[:-1]
        w, w_pinv = y @ u, u.T @ y_inv
        r = w @ torch.diag(d.sqrt().reciprocal())
        r_pinv = torch.diag(d.sqrt()) @ w_pinv
        m_dash = torch.zeros(f.shape[1], f.shape[1])
        for start in range(0, n, batch):
            inp = f[start:start + batch].clone().requires_grad_(True)
            out = module(l, inp)
            out_hat = out @ c_next if c_next is not None else out
            grads = torch.zeros(inp.shape[0], out_hat.shape[1], inp.shape[1])
            for i in range(out_hat.shape[1]):
                grads[:, i] = torch.autograd.grad(out_hat[:, i].sum(), inp, retain_graph=True)[0]
            with torch.no_grad():
                m_dash += torch.einsum("bij,biJ->jJ", grads / n, grads)
        with torch.no_grad():
            m = r_pinv @ m_dash @ r_pinv.T
            sub_vals, sub_vecs = eigendecompose(m[1:, 1:])
            v = torch.block_diag(torch.eye(1), sub_vecs)
            lam = torch.cat([m.diag()[:1], sub_vals])
            kept = [0] + [i for i in range(1, lam.shape[0]) if lam[i] >= THRESHOLD]
            kept = torch.tensor(kept)
            c_next = (r @ v @ torch.diag(lam.sqrt()))[:, kept]
            lambdas[l] = lam[kept].tolist()
    return lambdas


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--points", type=int, default=2048)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--importances")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_default_dtype(torch.float64)
    weights, biases, x = load(a.folder)
    folded = [fold(torch.from_numpy(w).T.contiguous(), torch.from_numpy(b), i == len(weights) - 1)
              for i, (w, b) in enumerate(zip(weights, biases))]
    x = torch.from_numpy(x[:a.points])
    t0 = time.perf_counter()
    lambdas = lib(folded, x, a.batch)
    elapsed = time.perf_counter() - t0
    print(f"rib-faithful torch {torch.__version__} (autograd Jacobians, batches of {a.batch}, "
          f"{a.threads} threads), folded LIB, {a.points} points: {elapsed:.3f} s")
    if a.importances:
        with open(a.importances, "w") as f:
            json.dump(lambdas, f)


if __name__ == "__main__":
    main()
