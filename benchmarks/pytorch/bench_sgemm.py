"""(d) torch.mm GFLOP/s on n x n float32 matrices, as benchmarks/sgemm times gorl's MatMul.

Matrices of uniform values in [-0.5, 0.5), generated up front; one warm-up product, then products
into a preallocated output (torch.mm(a, b, out=c)) until --time seconds have passed.
GFLOP/s = 2 n^3 products / time / 1e9.  Debian's torch does its GEMMs in OpenBLAS.
Usage: python3 bench_sgemm.py --threads N [--sizes 256,1024] [--time 0.3] [--repeats 3]
"""
import threads  # noqa: F401  (must precede torch import)
import argparse
import json
import statistics
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=None)
p.add_argument("--blas-threads", type=int, default=None)
p.add_argument("--omp-wait", default=None)
p.add_argument("--sizes", default="256,1024")
p.add_argument("--time", type=float, default=0.3)
p.add_argument("--repeats", type=int, default=3)
args = p.parse_args()
tinfo = threads.apply()
torch.manual_seed(0)


def run(n):
    a = torch.rand(n, n) - 0.5
    b = torch.rand(n, n) - 0.5
    c = torch.empty(n, n)
    torch.mm(a, b, out=c)
    t0 = time.perf_counter()
    count = 0
    while True:
        torch.mm(a, b, out=c)
        count += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= args.time:
            break
    return 2.0 * n * n * n * count / elapsed / 1e9


results = []
for n in [int(s) for s in args.sizes.split(",")]:
    g = [run(n) for _ in range(args.repeats)]
    results.append({"n": n, "gflops": g, "gflops_median": statistics.median(g)})
res = {"bench": "sgemm", "threads": tinfo, "versions": threads.versions(), "results": results}
print(json.dumps(res))
