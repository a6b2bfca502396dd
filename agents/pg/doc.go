// Package pg holds gorl's policy-gradient agents: REINFORCE, A2C and PPO, one algorithm a file
// (reinforce.go, a2c.go, ppo.go) in the manner of CleanRL, on one actor-critic network, one
// acting loop and one checkpoint format (core.go).
//
// # Algorithms
//
// REINFORCE (Williams, 1992) plays batch_episodes whole episodes, turns their rewards into
// discounted returns, standardizes them over the batch and takes one RMSprop step on
// −mean(Â·log π(a|s)): Karpathy's "Pong from Pixels" recipe. With baseline: true a critic learns
// V(s) and the advantage is G − V.
//
// A2C (Mnih et al., 2016, synchronous as in OpenAI Baselines and Stable-Baselines3) takes one
// gradient step every n_steps vector steps on the policy loss, vf_coef times the value loss and
// ent_coef times the negated entropy, with n-step returns bootstrapped from V (GAE with λ = 1),
// RMSprop (α 0.99, ε 1e-5) and global-norm clipping at 0.5: SB3's defaults.
//
// PPO (Schulman et al., 2017) collects n_steps on n_envs copies, computes GAE advantages, and
// makes n_epochs passes of shuffled minibatches over the rollout, each an Adam step on the
// clipped surrogate loss plus the value loss (optionally clipped around the rollout's values)
// and the entropy bonus; advantages are standardized per minibatch, gradients clipped to a
// global norm, the learning rate and the clip range optionally annealed linearly to zero, and
// the epochs stopped early when the approximate KL divergence exceeds 1.5·target_kl. The
// defaults are SB3's.
//
// Config keys are SB3's argument names (policy_kwargs and VecNormalize's arguments flattened
// into the same map), so RL Zoo's tuned entries read the same; hyperparams/{ppo,a2c,reinforce}.yml
// ship gorl's tuned values per env, and every field's doc states its default.
//
// # Policies
//
// Discrete action spaces get a categorical policy over the logits of the policy head; Box action
// spaces a diagonal Gaussian whose means come from the head and whose log standard deviations are
// parameters of their own, independent of the state (SB3's log_std). A Gaussian sample is clipped
// to the action bounds when the env is stepped, while its log-probability is that of the
// unclipped sample, which is what the rollout stores. Discrete and MultiDiscrete observations are
// one-hot encoded, as SB3's preprocess_obs does. The policy and value trunks are separate MLPs
// (net_arch, vf_net_arch) or one shared trunk (shared_trunk), initialized orthogonally with gains
// √2 in the trunks, 0.01 in the policy head and 1 in the value head (ortho_init, SB3's and
// CleanRL's). The parameters carry the names of SB3's ActorCriticPolicy state dict
// (mlp_extractor.policy_net.0.weight, action_net.weight, log_std, ...) in policy.safetensors.
//
// Policy is the deterministic policy evaluation and the viewer use: the most probable action, or
// the Gaussian's mean clipped to the bounds. It also gives ActionProbs (Discrete) and Value. Every
// trainer embeds one; LoadPPOPolicy, LoadA2CPolicy and LoadReinforcePolicy load one from a
// checkpoint.
//
// # Rollouts, truncation and NEXT_STEP autoreset
//
// A2C and PPO store their steps in a replay.Rollout, which computes GAE and bootstraps through
// truncation but not through termination. The env package's vector envs reset a finished copy in
// the next step (NEXT_STEP autoreset), which returns the new episode's first observation with
// reward 0 and ignores the action: that step is no transition, so the rollout marks it invalid
// and the learners skip it, and its stored value, V of the final observation, is what a
// truncated episode bootstraps from. REINFORCE skips it too, and with a baseline bootstraps a
// truncated episode's return from V of its final observation. Steps() counts it, as the run does.
//
// # Normalization
//
// norm_obs and norm_reward are Stable-Baselines3's VecNormalize, which RL Zoo turns on with
// normalize: true: observations are normalized with running mean and variance and clipped to
// ±clip_obs, rewards divided by the running standard deviation of the discounted return and
// clipped to ±clip_reward. The statistics live in the agent, are saved with every checkpoint
// (vecnormalize.json), and the Policy a checkpoint loads applies them frozen, so that evaluation
// and the viewer see observations exactly as training did.
//
// # Training runs
//
// The trainers satisfy run.Trainer without importing run: Learn(ctx, until) is chunk-invariant
// (every counter, generator and partial rollout or episode lives in the agent), Save writes
// everything Load needs to continue exactly (network, optimizer, statistics, partial rollout,
// generator, counters, current observations), and a non-finite loss stops Learn with the env step
// before the optimizer applies it. Metrics use CleanRL's keys (losses/policy_loss,
// losses/value_loss, losses/entropy, losses/approx_kl, losses/clipfrac,
// losses/explained_variance, charts/learning_rate), as means over log_interval env steps.
//
// # Speed
//
// Acting runs the network once per vector step on all copies through a non-recording graph and
// allocates nothing; a gradient step allocates only its backward closures. The categorical
// log-probability and entropy are one fused op. RL Zoo's PPO setting trains CartPole-v1 to 500 in
// 100,000 steps in about a second and a half of CPU (benchmarks in bench_test.go and
// cmd/rlrun's BenchmarkSolvePG; figures in /work/notes/pg-results.md).
package pg
