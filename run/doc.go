// Package run is the training run shared by rlrun and the viewer's live training: it resolves a
// configuration, creates the run directory, drives an algorithm's trainer in chunks, logs
// metrics, writes atomic checkpoints, resumes exactly, evaluates the greedy policy, and draws
// learning curves.
//
// # Algorithms
//
// An algorithm is an Algorithm entry in the registry (algorithms.go for the built-in ones, or
// Register): a Config struct with documented defaults, a Check of the env's spaces, NewTrainer
// and LoadPolicy. Agent packages do not import run; they implement Trainer and Policy
// structurally, with methods on basic types. /work/notes/run-api.md is the guide to adding one.
//
// # Configuration
//
// Keys come from RunConfig (seed, n_timesteps, env_kwargs, eval_episodes, checkpoint_every,
// keep_checkpoints, episode_log_interval) and the algorithm's Config, in one namespace. Resolve
// applies, in order, the Config defaults, the entry for the env in the shipped
// hyperparams/<algo>.yml, and the given layers (ReadConfigFile for --config, ParseSet for
// --set, then the flags). An unknown key is an
// error naming the closest key; a bad value one naming the key, the value and the type wanted.
// The resolved Config is written to config.yml, which Resume, LoadPolicy and rlrun eval read.
//
// # Run directory
//
// See Run: config.yml, metrics.csv (global_step,key,value with CleanRL's keys, identical for the
// same seed; charts/episodic_return and charts/episodic_length have a row per episode, or per
// window of episode_log_interval env steps for the episodes shorter than that), timing.csv
// (charts/SPS and other wall-clock figures), checkpoints/ (step-N directories written to a
// temporary name, fsynced and renamed, and a latest file replaced by rename),
// learning_curve.png (thinned to 2000 points a series, so that any run draws quickly) and
// eval.json. The generic machinery — the file names, atomic checkpoints with latest and pruning,
// the metrics log and its reader, the training loop and the progress bar — is package
// run/rundir, which rlrun fit's runs (package supervised) share, so both kinds of run keep one
// format.
//
// # Resume
//
// A checkpoint holds the trainer's state (Trainer.Save: weights, optimizer, replay buffer,
// generators, counters), the run's counters and the size metrics.csv had, and a log of the env's
// Resets and actions. Resume loads the trainer, replays the log into a fresh env (envs are
// deterministic given the seed and the actions, so the replay rebuilds their exact state without
// any env serializing itself) and cuts metrics.csv back: the run continues as if never stopped,
// which TestResumeMatchesUninterrupted checks byte for byte.
//
// # Evaluation
//
// Evaluate plays deterministic episodes of a Policy on a fresh env, episode i reset with
// EvalSeed(seed, i), and returns an EvalResult (eval.json). The optional QValuer, ActionProber
// and ValueEstimator interfaces give the viewer's HUD what a policy knows.
package run
