"""The numpy side of the GEMM benchmark: same shapes, same statistics as
`warrant-benchmarks gemm`. Run both with Benchmarks/gemm-vs-numpy.sh."""
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    core = info[0].get("architecture") if info else "?"
    threads = info[0].get("num_threads") if info else "?"
except ImportError:
    core, threads = "?", "?"
print(f"numpy {np.__version__}, its OpenBLAS core: {core}, threads: {threads}")
rng = np.random.default_rng(1)
for m, n, k, reps in [(1024, 1024, 1024, 20), (4096, 512, 2048, 10)]:
    for dtype in (np.float32, np.float64):
        a = rng.uniform(-1, 1, (m, k)).astype(dtype)
        b = rng.uniform(-1, 1, (k, n)).astype(dtype)
        a @ b
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t0)
        times.sort()
        flops = 2.0 * m * n * k
        name = "sgemm" if dtype == np.float32 else "dgemm"
        print(f"numpy {name} {m}x{n}x{k}  best {flops / times[0] / 1e9:.1f} GFLOP/s  median {flops / times[len(times) // 2] / 1e9:.1f} GFLOP/s")
