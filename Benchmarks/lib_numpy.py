"""The numpy side of the LIB benchmark (Benchmarks/lib-vs-rib.sh): the same steps as Warrant's
LocalInteractionBasis.compute (Float64, mean-centred, closed-form Jacobian Gram
M' = W (P o K) W^T for ReLU sections), on the model and points Benchmarks/lib_model.py
wrote.

    python3 Benchmarks/lib_numpy.py FOLDER [--points N] [--importances OUT.json]
"""
import argparse
import json
import time

import numpy as np

from lib_model import load

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--points", type=int, default=16384)
p.add_argument("--importances")
a = p.parse_args()
weights, biases, x = load(a.folder)
x = x[:a.points]
n, d_out = x.shape[0], weights[-1].shape[0]
width = weights[0].shape[0]


def lib(x, threshold=1e-12):
    acts, pres = [x], []
    h = x
    for k in range(3):
        z = h @ weights[k].T + biases[k]
        pres.append(z)
        h = np.maximum(z, 0) if k < 2 else z
        if k < 2:
            acts.append(h)
    nxt = np.eye(d_out)
    importances = []
    n = x.shape[0]
    for l in range(2, -1, -1):
        f = acts[l]
        fc = f - f.mean(axis=0)
        g = fc.T @ fc / n
        vals, vecs = np.linalg.eigh(g)
        vals, vecs = vals[::-1], vecs[:, ::-1]
        keep = vals > threshold * max(1, vals[0])
        u, dv = vecs[:, keep], vals[keep]
        r = u / np.sqrt(dv)
        rplus = (u * np.sqrt(dv)).T
        w = weights[l].T
        p = nxt @ nxt.T
        if l < 2:
            m = (pres[l] > 0).astype(np.float64)
            p = p * (m.T @ m / n)
        mprime = w @ p @ w.T
        mm = rplus @ mprime @ rplus.T
        lam, v = np.linalg.eigh(mm)
        lam, v = lam[::-1], v[:, ::-1]
        k = lam > threshold * max(1, lam[0])
        nxt = r @ v[:, k] * np.sqrt(lam[k])
        importances.insert(0, lam[k].tolist())
    return importances


lib(x[:1024])
times = []
for _ in range(3):
    t0 = time.perf_counter()
    importances = lib(x)
    times.append(time.perf_counter() - t0)
print(f"numpy {np.__version__} lib width {width}, {n} points: best {min(times):.3f} s, median {sorted(times)[1]:.3f} s")
if a.importances:
    with open(a.importances, "w") as f:
        json.dump(importances, f)
