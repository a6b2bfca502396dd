"""Stable-Baselines3 side of benchmarks/: train DQN or PPO with the hyperparameters of a gorl run.

--config is the gorl run's config.yml as JSON (rlrun's keys are SB3's argument names where SB3 has
them); this script maps them onto SB3's arguments and lists in "unmapped" every key whose value
SB3 cannot reproduce (a gorl-only feature switched on), so that the comparison says where the two
sides differ.  Training: model.learn(n_timesteps) on make_vec_env(ENV, n_envs, seed) (Monitor
wrappers record the episodes), timed with perf_counter (train_seconds) and process_time
(cpu_seconds).  Evaluation: evaluate_policy with deterministic actions on a fresh env, not timed
with the training.  Steps to threshold: the first env step at which the mean return of the last
100 training episodes reached --threshold (null if never), as the Go runner reads gorl's metrics.csv.
Usage: python3 sb3_train.py --algo dqn|ppo --env CartPole-v1 --seed 1 --config JSON
       [--eval-episodes 100] [--threshold 475] [--threads 1]
Prints one JSON line.
"""
import argparse
import collections
import json
import time

import torch
import torch.nn as nn
import gymnasium as gym  # noqa: F401  (make_vec_env builds through it)
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecNormalize
import stable_baselines3

p = argparse.ArgumentParser()
p.add_argument("--algo", required=True, choices=["dqn", "ppo"])
p.add_argument("--env", required=True)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--config", required=True)
p.add_argument("--eval-episodes", type=int, default=100)
p.add_argument("--threshold", type=float, default=float("nan"))
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
cfg = json.loads(args.config)
unmapped = []
ACT = {"relu": nn.ReLU, "tanh": nn.Tanh}


def get(key, default=None):
    return cfg.get(key, default)


def off(key, default):
    """Records key as unmapped when its value differs from the one SB3 always uses."""
    if key in cfg and cfg[key] != default:
        unmapped.append(f"{key}={cfg[key]}")


def schedule(value, kind, final=0.0):
    """gorl's constant or linear schedule as SB3's (progress_remaining goes from 1 to 0)."""
    if kind in (None, "constant"):
        return value
    if kind == "linear":
        return lambda progress: final + progress * (value - final)
    unmapped.append(f"schedule={kind}")
    return value


def activation():
    a = get("activation", "relu" if args.algo == "dqn" else "tanh")
    if a not in ACT:
        unmapped.append(f"activation={a}")
        return nn.ReLU
    return ACT[a]


n_envs = int(get("n_envs", 1))
venv = make_vec_env(args.env, n_envs=n_envs, seed=args.seed, env_kwargs=get("env_kwargs") or None)
norm = False
if args.algo == "dqn":
    for key, default in [("dueling", False), ("double_q", False), ("n_steps", 1), ("prioritized_replay", False), ("loss", "huber")]:
        off(key, default)
    model = DQN(
        "MlpPolicy", venv, seed=args.seed, verbose=0,
        learning_rate=schedule(get("learning_rate", 1e-4), get("lr_schedule"), get("learning_rate_final", 0.0)),
        buffer_size=int(get("buffer_size", 1_000_000)), learning_starts=int(get("learning_starts", 100)),
        batch_size=int(get("batch_size", 32)), tau=float(get("tau", 1.0)), gamma=float(get("gamma", 0.99)),
        train_freq=int(get("train_freq", 4)), gradient_steps=int(get("gradient_steps", 1)),
        target_update_interval=int(get("target_update_interval", 10000)),
        exploration_fraction=float(get("exploration_fraction", 0.1)),
        exploration_initial_eps=float(get("exploration_initial_eps", 1.0)),
        exploration_final_eps=float(get("exploration_final_eps", 0.05)),
        max_grad_norm=float(get("max_grad_norm", 10)),
        policy_kwargs=dict(net_arch=list(get("net_arch", [64, 64])), activation_fn=activation(),
                           optimizer_kwargs=dict(eps=float(get("adam_eps", 1e-8)))),
    )
else:
    off("shared_trunk", False)
    if get("norm_obs") or get("norm_reward"):
        norm = True
        venv = VecNormalize(venv, norm_obs=bool(get("norm_obs")), norm_reward=bool(get("norm_reward")),
                            clip_obs=float(get("clip_obs", 10)), clip_reward=float(get("clip_reward", 10)),
                            gamma=float(get("gamma", 0.99)))
    pi = list(get("net_arch", [64, 64]))
    vf = list(get("vf_net_arch") or pi)
    model = PPO(
        "MlpPolicy", venv, seed=args.seed, verbose=0,
        learning_rate=schedule(get("learning_rate", 3e-4), get("lr_schedule"), get("learning_rate_final", 0.0)),
        n_steps=int(get("n_steps", 2048)), batch_size=int(get("batch_size", 64)), n_epochs=int(get("n_epochs", 10)),
        gamma=float(get("gamma", 0.99)), gae_lambda=float(get("gae_lambda", 0.95)),
        clip_range=schedule(get("clip_range", 0.2), get("clip_range_schedule")),
        clip_range_vf=(get("clip_range_vf") or None), normalize_advantage=bool(get("normalize_advantage", True)),
        ent_coef=float(get("ent_coef", 0.0)), vf_coef=float(get("vf_coef", 0.5)),
        max_grad_norm=float(get("max_grad_norm", 0.5)), target_kl=(get("target_kl") or None),
        policy_kwargs=dict(net_arch=dict(pi=pi, vf=vf), activation_fn=activation(),
                           ortho_init=bool(get("ortho_init", True)), log_std_init=float(get("log_std_init", 0.0)),
                           optimizer_kwargs=dict(eps=float(get("adam_eps", 1e-5)))),
    )


class Threshold(BaseCallback):
    """Watches the Monitor's episode returns for the first step where the last 100 average the threshold."""

    def __init__(self):
        super().__init__()
        self.window = collections.deque(maxlen=100)
        self.reached = None

    def _on_step(self):
        for info in self.locals.get("infos", []):
            ep = info.get("episode")
            if ep is None:
                continue
            self.window.append(ep["r"])
            if self.reached is None and len(self.window) == 100 and sum(self.window) / 100 >= args.threshold:
                self.reached = self.num_timesteps
        return True


cb = Threshold()
steps = int(get("n_timesteps"))
c0, t0 = time.process_time(), time.perf_counter()
model.learn(total_timesteps=steps, callback=cb)
train_seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0

eval_env = make_vec_env(args.env, n_envs=1, seed=args.seed + 1_000_003, env_kwargs=get("env_kwargs") or None)
if norm:
    eval_env = VecNormalize(eval_env, norm_obs=venv.norm_obs, norm_reward=False, training=False)
    eval_env.obs_rms = venv.obs_rms
t1 = time.perf_counter()
mean, std = evaluate_policy(model, eval_env, n_eval_episodes=args.eval_episodes, deterministic=True)
res = {
    "algo": args.algo, "env": args.env, "seed": args.seed, "sb3": stable_baselines3.__version__,
    "torch_threads": torch.get_num_threads(), "env_steps": model.num_timesteps,
    "train_seconds": train_seconds, "cpu_seconds": cpu_seconds, "eval_seconds": time.perf_counter() - t1,
    "mean_return": float(mean), "std_return": float(std), "steps_to_threshold": cb.reached, "unmapped": unmapped,
}
print(json.dumps(res))
