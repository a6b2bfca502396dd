// Package tabular holds the agents whose value functions are tables: the dynamic-programming
// planners, which need the environment's model, and the temporal-difference learners, which
// learn from experience. They are the algorithms of Karpathy's REINFORCEjs DPAgent and TDAgent,
// written as in Sutton and Barto's book.
//
// # Planning with a model
//
// PolicyEvaluation, PolicyIteration and ValueIteration take an env.Model (the transition
// probabilities P[s][a] and the initial-state distribution, which FrozenLake, CliffWalking,
// Taxi and GridWorld of env/grid expose) and a PlanConfig, and return state values, a table of
// action values and a greedy policy (Plan).
//
//	m := env.Unwrapped(e).(env.Model)
//	plan, err := tabular.ValueIteration(m, tabular.DefaultPlanConfig())
//
// # Learning from experience
//
// New builds a TD agent: Q-learning, SARSA or Expected SARSA (one file each), with an ε-greedy
// behaviour policy whose ε follows a constant, linear or exponential schedule, a step size with
// the same schedules, optional eligibility traces (λ, replacing or accumulating: SARSA(λ),
// Watkins's Q(λ), Expected SARSA(λ)) and optional Dyna-Q planning steps. Learn trains it on an
// env for a number of steps and reports each episode to a callback; Start and Observe drive it
// one transition at a time instead. Every agent bootstraps on truncation and not on
// termination. The agent's random generator comes from the seed given to New, so a seed gives
// the same table, and Learn in chunks gives the same table as Learn at once.
//
// Defaults and PlanDefaults return the shipped settings per env: the entries of rlrun's
// hyperparams/<algo>.yml (package hyperparams), the one copy that rlrun and the tests read.
//
// # Training runs
//
// TDTrainer and PlanTrainer are what rlrun trains (`rlrun train qlearning frozenlake`,
// `rlrun train valueiteration taxi`): both step a vector env of one copy that the run records,
// so that checkpoints resume exactly, and global_step counts its steps. A TDTrainer learns from
// every step and logs losses/td_loss, losses/q_values, charts/epsilon and charts/learning_rate;
// SetExploration overrides its ε schedule from the next step (the viewer's ε keys), an
// override its checkpoints keep.
// A planner needs no experience, so a PlanTrainer plans while its greedy policy plays: one
// sweep after each episode (a NewPlanner sweep at a time), the plan completed when the run
// reaches n_timesteps, and losses/value_delta, charts/sweeps, charts/policy_changes and
// charts/start_value logged per sweep. Both save policy.safetensors, which LoadPolicy reads
// back as a greedy Policy.
//
// # Using the result
//
// Every agent ends with a Table of Q(s, a): Greedy(s) is the deterministic policy for
// evaluation, Values and Policy are what the viewer overlays on a grid world
// (grid.Overlayer), Save and Load keep it in a safetensors file (F64 tensor "q" of shape
// [states, actions]) and refuse a file of another shape. Evaluate runs a policy on an env and
// reports the mean return and the success rate; SuccessProbability and ExpectedReturn compute
// the same quantities exactly from a model.
//
// # Speed
//
// The toy-text envs implement FastEnv, an integer Reset and Step without slices or info maps,
// which Learn and Evaluate use (counting the time limit themselves): Q-learning on FrozenLake
// runs at about 20 million steps per CPU-second on one core, agent update included
// (BenchmarkQLearningFrozenLake).
//
// # References
//
//   - R. S. Sutton and A. G. Barto, Reinforcement Learning: An Introduction, 2nd ed., MIT
//     Press, 2018: policy evaluation, policy iteration and value iteration (4.1-4.4), SARSA
//     (6.4), Q-learning (6.5), Expected SARSA (6.6), the cliff-walking example (6.6), Dyna-Q
//     (8.2), eligibility traces, SARSA(λ) and Watkins's Q(λ) (12.7, 12.10).
//   - C. J. C. H. Watkins, Learning from Delayed Rewards, PhD thesis, Cambridge, 1989.
//   - G. A. Rummery and M. Niranjan, On-line Q-learning using connectionist systems, 1994.
//   - H. van Seijen, H. van Hasselt, S. Whiteson and M. Wiering, A theoretical and empirical
//     analysis of Expected Sarsa, IEEE ADPRL, 2009.
//   - R. S. Sutton, Integrated architectures for learning, planning, and reacting based on
//     approximating dynamic programming, ICML, 1990 (Dyna).
//   - A. Karpathy, REINFORCEjs, https://github.com/karpathy/reinforcejs (lib/rl.js: DPAgent,
//     TDAgent).
package tabular
