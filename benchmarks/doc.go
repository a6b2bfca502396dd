// Command benchmarks measures gorl on the machine it runs on, against what a user would otherwise
// run (PyTorch, Gymnasium, Stable-Baselines3, OpenBLAS), and writes benchmarks/RESULTS.md.
//
//	go run ./benchmarks                  # full mode (tens of minutes): writes benchmarks/RESULTS.md
//	go run ./benchmarks --quick          # quick mode (seconds): a smoke test, to standard output
//	go run ./benchmarks --only nets/cnn,train/dqn --out /tmp/part.md
//	go run ./benchmarks --list           # the case IDs --only filters on
//
// # What it measures
//
//   - env: every registered env's single-env steps/s on one core (plus Racetrack-v0's pixel
//     observations), against the same env in Gymnasium (gym_envs.py).
//   - vector: the native batched CartPole-v1 and the driving scenarios' vector envs on 1 and all
//     cores, against Gymnasium's SyncVectorEnv and NumPy-vectorized CartPole.
//   - nets: sgemm GFLOP/s through nets' MatMul (gorl's kernels, and OpenBLAS with -tags openblas,
//     measured by the helper in ./sgemm), the seed CNN's training and inference images/s, the
//     DQN-sized MLP's Adam updates/s and batch-1 latency, the char-LSTM's training chars/s, against
//     the PyTorch scripts in ./pytorch on each of PyTorch's thread settings (the best one counts).
//   - train: `rlrun train` as a user runs it (dqn and ppo on CartPole-v1, ppo on Acrobot-v1,
//     tabular Q-learning on FrozenLake-v1) over several seeds: solve rate, eval return, command,
//     training and CPU time, env steps to the threshold; against Stable-Baselines3 with the same
//     hyperparameters (./gymnasium/sb3_train.py).
//   - supervised: one epoch of `rlrun fit cnn mnist`: images/s and test accuracy, against the same
//     model and settings in PyTorch (./pytorch/bench_mnist.py).
//
// # Method
//
// The machine may be shared and noisy, so every throughput figure is the median of several runs
// (5 in full mode) with its spread (± half the range, relative to the median), and gorl's runs and
// the baseline's are interleaved: run 1 of gorl, run 1 of the baseline, run 2 of gorl, ... Ratios
// compare medians measured in the same invocation; a comparison whose other side cannot run here
// (a Python module missing, no OpenBLAS, a command not built yet) says "not measured" and why,
// never an older figure. Where wall time is noisy, figures per CPU-second (the process's user and
// system time) are given beside it: they barely move with other processes' load.
//
// The Python side runs /usr/bin/python3 (--python to change it) and only the scripts whose
// modules it can import: Debian's python3-torch and python3-numpy for PyTorch; gymnasium,
// stable-baselines3 (and highway-env, gymnasium[box2d] for the driving analogues) from PyPI.
//
// # Modes
//
// Full mode (the default) times each run for 400 ms, 5 runs, 5 seeds a training case with the
// shipped budgets, 2 seeds of one MNIST epoch. Quick mode times 40 ms, 2 runs, 1 seed with budgets
// cut to a few thousand steps and 640 MNIST images, skips the Python baselines (--baselines
// to run them) and the OpenBLAS build: it checks that every measurement works, and go test
// ./benchmarks runs it (the cases that build binaries are skipped under -short). --runs and
// --seeds override the counts.
package main
