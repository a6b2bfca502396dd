// Package dqn is Deep Q-Learning (Mnih et al., 2015, "Human-level control through deep
// reinforcement learning", Nature 518) with the improvements a user of Stable-Baselines3 or
// CleanRL expects, each a Config switch: Double DQN (van Hasselt, Guez & Silver, 2016), dueling
// heads (Wang et al., 2016), n-step returns (Sutton, 1988; as in Rainbow, Hessel et al., 2018),
// prioritized replay (Schaul et al., 2016), hard or Polyak target updates, the Huber loss,
// gradient-norm clipping, a linear ε schedule and an optional linear learning-rate decay.
//
// # The algorithm
//
// Every iteration of Learn takes one step of the vector env with ε-greedy actions and stores it
// in the replay buffer (package replay). Every TrainFreq iterations, once LearningStarts env
// steps have passed, it takes GradientSteps Adam steps on the TD loss of a sampled batch: for a
// window of k ≤ NSteps steps, the target is
//
//	y = Σ_j γ^j r_j + γ^k·(1 − terminated)·Q_target(s', argmax_a Q(s', a))
//
// where the inner Q is the target network, or the online one with DoubleQ. Episodes cut by a
// time limit (truncated) bootstrap; episodes that reached a terminal state do not. The target
// network follows the online one every TargetUpdateInterval env steps (copied, or blended by
// Tau). A loss or gradient norm that is NaN or infinite stops Learn with an error naming the env
// step before the weights change.
//
// # Performance
//
// Acting is a batch forward through a non-recording nets graph with input tensors built once,
// and replay sampling writes into one Batch: an env step of training allocates nothing. A
// gradient step allocates only the recording graph's backward closures.
//
// # Use
//
// rlrun trains it from the command line (rlrun train dqn cartpole) with per-env defaults from
// hyperparams/dqn.yml; in Go, New builds an agent on a vector env and Learn trains it; Save and
// Load checkpoint it exactly, LoadPolicy reloads the greedy policy of a checkpoint.
// SetExploration overrides the ε schedule from the next env step until ClearExploration (the
// viewer's ε keys in live training); the override is saved with the rest of the state.
package dqn
