"""The numpy side of the LIB benchmark: the same steps as Warrant's
LocalInteractionBasis.compute (Float64, mean-centred, closed-form Jacobian Gram
M' = W (P o K) W^T for ReLU sections), on a 3-layer ReLU MLP of width 512 with
16,384 datapoints. Run with Benchmarks/lib-vs-numpy.sh."""
import sys
import time

import numpy as np

width, n, d_in, d_out = 512, 16384, 512, 512
rng = np.random.default_rng(0)
sizes = [d_in, width, width, d_out]
weights = [rng.uniform(-1, 1, (sizes[k + 1], sizes[k])) / np.sqrt(sizes[k]) for k in range(3)]
biases = [rng.uniform(-1, 1, sizes[k + 1]) / np.sqrt(sizes[k]) for k in range(3)]
x = rng.standard_normal((n, d_in))


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
        importances.append(lam[k])
    return importances


lib(x[:1024])
times = []
for _ in range(3):
    t0 = time.perf_counter()
    lib(x)
    times.append(time.perf_counter() - t0)
print(f"numpy {np.__version__} lib width {width}, {n} points: best {min(times):.3f} s, median {sorted(times)[1]:.3f} s")
