"""Gymnasium side of benchmarks/: env steps per second, measured the way the Go runner measures gorl.

Single envs: gym.make(ID).unwrapped stepped under a fixed cycle of 1,024 actions sampled up front
(action_space.seed(1)), reset at termination, truncation or the spec's step limit (counted by the
loop, as the TimeLimit wrapper is not there), for at least --time seconds and 5 steps after 64
warm-up steps.  A case may name a module to import first (highway_env registers highway-v0).
Vector envs: gym.make_vec(ID, num_envs=N, vectorization_mode=MODE) ("sync" or
"vector_entry_point", Gymnasium's NumPy-batched CartPole) stepped under 16 batched actions sampled
up front; env steps/s counts every copy.
Usage: python3 gym_envs.py --cases JSON --time 0.4
JSON: {"single": [{"name", "gym_id", "import", "max_steps"}], "vector": [{"name", "gym_id", "num_envs", "mode"}]}
Prints one JSON line: {"versions": {...}, "single": {name: {"steps_per_s"} or {"error"}}, "vector": {...}}.
"""
import argparse
import importlib
import json
import platform
import time

import numpy as np
import gymnasium as gym

p = argparse.ArgumentParser()
p.add_argument("--cases", required=True)
p.add_argument("--time", type=float, default=0.4)
args = p.parse_args()
cases = json.loads(args.cases)


def single(case):
    if case.get("import"):
        importlib.import_module(case["import"])
    env = gym.make(case["gym_id"]).unwrapped
    limit = case.get("max_steps") or 0
    env.action_space.seed(1)
    acts = [env.action_space.sample() for _ in range(1024)]
    env.reset(seed=1)
    k = ep = 0

    def step():
        nonlocal k, ep
        _, _, term, trunc, _ = env.step(acts[k & 1023])
        k += 1
        ep += 1
        if term or trunc or ep == limit:
            env.reset()
            ep = 0

    for _ in range(64):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= args.time and n >= 5:
            break
    env.close()
    return n / elapsed


def vector(case):
    envs = gym.make_vec(case["gym_id"], num_envs=case["num_envs"], vectorization_mode=case["mode"])
    envs.action_space.seed(1)
    acts = [envs.action_space.sample() for _ in range(16)]
    envs.reset(seed=1)
    for k in range(4):
        envs.step(acts[k & 15])
    n = 0
    t0 = time.perf_counter()
    while True:
        envs.step(acts[n & 15])
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= args.time and n >= 5:
            break
    envs.close()
    return n * case["num_envs"] / elapsed


def run(kind, fn):
    out = {}
    for case in cases.get(kind, []):
        try:
            out[case["name"]] = {"steps_per_s": fn(case)}
        except Exception as e:  # a missing optional module or env: reported, not fatal
            out[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    return out


res = {
    "versions": {"python": platform.python_version(), "gymnasium": gym.__version__, "numpy": np.__version__},
    "single": run("single", single),
    "vector": run("vector", vector),
}
print(json.dumps(res))
