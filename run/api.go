package run

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/suggest"
)

// Policy is what acts in an env: the evaluation, `rlrun eval` and the viewer drive a trained
// agent through it. Its methods use only basic types, so an agent package implements it without
// importing run (the import arrows point from run to the agents).
type Policy interface {
	// Act writes the policy's deterministic action for one observation into action, whose
	// length is the action space's Dim (a Discrete action is its index): greedy for value-based
	// agents, the mode for stochastic ones. It allocates nothing in steady state. A Policy is
	// not safe for concurrent use.
	Act(obs, action []float32)
}

// QValuer is implemented by policies that can show their action values (DQN, tabular Q): the
// viewer's HUD draws them. QValues writes one value per discrete action into dst.
type QValuer interface {
	QValues(obs, dst []float32)
}

// ActionProber is implemented by stochastic policies over discrete actions (REINFORCE, A2C,
// PPO): ActionProbs writes the probability of each action into dst.
type ActionProber interface {
	ActionProbs(obs, dst []float32)
}

// ValueEstimator is implemented by policies with a state-value estimate (actor-critic
// methods): Value returns V(obs).
type ValueEstimator interface {
	Value(obs []float32) float32
}

// ExplorationSetter is implemented by trainers whose behaviour policy is ε-greedy (DQN, the
// tabular TD agents): the viewer's ε keys steer a live run through it (Run.SetExploration), as
// the sliders of Karpathy's REINFORCEjs demos do. Like Trainer, it must not be called while
// Learn runs.
//
// An override is part of the trainer's state: Save writes it and Load restores it, so resuming
// a checkpoint continues with the ε in force when it was written, and the resumed run matches
// the uninterrupted one byte for byte. A run steered live is reproducible from its checkpoints,
// not from its config.yml alone (the changes happened at steps a person chose): run.json
// lists them (Run.ExplorationChanges), and charts/epsilon shows the ε in force.
type ExplorationSetter interface {
	// SetExploration replaces the ε schedule with eps, in [0, 1], from the next env step on
	// (it panics outside: Run.SetExploration checks user input), until ClearExploration.
	SetExploration(eps float64)
	// ClearExploration returns ε to its schedule, at the step reached, from the next env step.
	ClearExploration()
	// Exploration returns the ε of the next env step and whether it is an override.
	Exploration() (eps float64, overridden bool)
}

// UnseededEnv is implemented by envs (the unwrapped env) that draw part of themselves at random
// when made, from a seed an option would otherwise give: FrozenLake's map_name=random without
// map_seed draws a new map per instance. A run makes many instances of its env (the training
// copies, a fresh one on resume that its env log replays into, the evaluation's, the viewer's),
// which must all be the same env, so Resolve gives each such option the run's seed and writes
// it into the resolved config (config.yml): resume, eval and the viewer then build the same map.
type UnseededEnv interface {
	// UnseededOptions names the options whose values the instance drew at random because they
	// were not given; each takes an integer seed.
	UnseededOptions() []string
}

// Trainer is an algorithm's training state machine, driven by a Run. Like Policy, its methods use
// only basic and standard-library types.
//
// Learn must be chunk-invariant: Learn(ctx, a) then Learn(ctx, b) leaves exactly the state
// Learn(ctx, b) alone would, for a ≤ b. The Run relies on it to checkpoint, update the progress
// bar and let the viewer render between chunks without changing the results, and resume relies
// on it together with Save and Load.
type Trainer interface {
	Policy
	// Learn trains until Steps() ≥ until (env steps, summed over the copies of the vector env)
	// or ctx is done (then it returns ctx.Err() with the state consistent, at a step boundary).
	// A non-finite loss stops it with an error naming the step, before the optimizer applies
	// it, so the weights and the last checkpoint stay good.
	Learn(ctx context.Context, until int64) error
	// Steps returns the env steps taken so far (global_step).
	Steps() int64
	// Save writes the trainer's whole state into the existing directory dir: weights,
	// optimizer state, schedules, replay buffer, random generators, counters and the last
	// observation, everything Load needs to continue as if never stopped. Files other than
	// policy.safetensors and config.yml are the algorithm's own.
	Save(dir string) error
	// Load restores a state Save wrote, into a trainer built from the same config and Setup.
	Load(dir string) error
	// Close releases the trainer's resources (not the vector env: the Run closes it).
	Close() error
}

// Setup is what a Run gives an algorithm to build its trainer.
type Setup struct {
	// EnvID is the env's Gymnasium ID and EnvKwargs its options (env_kwargs).
	EnvID     string
	EnvKwargs env.Options
	// Seed is the run's seed and Steps the run's length (n_timesteps), for schedules defined as
	// fractions of training.
	Seed  uint64
	Steps int64
	// MakeVector builds the vector env of n copies of the run's env that the trainer must train
	// on (the Run records its Resets and Steps to restore it on resume, and reads the episode
	// returns from it). Call it once. The trainer calls Reset(&Seed) before its first Step.
	MakeVector func(n int) (env.VectorEnv, error)
	// Log records a metric against env steps in metrics.csv (CleanRL's keys: losses/td_loss,
	// losses/q_values, charts/epsilon, ...). The Run logs charts/episodic_return and
	// charts/episodic_length itself (see RunConfig.EpisodeLogInterval), and charts/SPS in
	// timing.csv. Log must be called with nondecreasing steps
	// and deterministic values (no wall-clock) so that a seed gives an identical file.
	Log func(step int64, key string, value float64)
}

// PolicySetup is what LoadPolicy gets: the spaces of the env the policy acts in.
type PolicySetup struct {
	EnvID              string
	ObsSpace, ActSpace env.Space
}

// Algorithm is one entry of the registry: how rlrun builds, configures and loads an algorithm.
// Agent packages do not import run; each entry (in algorithms.go) is a few lines that adapt an
// agent package's constructors.
type Algorithm struct {
	// Name is the command-line name ("dqn").
	Name string
	// Description is one line for `rlrun list`.
	Description string
	// ActionSpaces names the action spaces the algorithm handles, for `rlrun list`.
	ActionSpaces string
	// NewConfig returns a pointer to the algorithm's Config struct holding its defaults. Its
	// exported fields with yaml tags are the config keys; every field's doc states its default.
	NewConfig func() any
	// Check returns an error when the algorithm cannot train on an env with these spaces (DQN
	// needs a Discrete action space), saying what would work.
	Check func(obs, act env.Space) error
	// NewTrainer builds a trainer from the resolved Config struct (what NewConfig returned,
	// filled in).
	NewTrainer func(params any, s Setup) (Trainer, error)
	// LoadPolicy loads the deterministic policy of a checkpoint directory (policy.safetensors
	// and the algorithm's files) without the training state.
	LoadPolicy func(params any, s PolicySetup, dir string) (Policy, error)
}

// LookupAlgorithm returns the registered algorithm with the given name.
func LookupAlgorithm(name string) (*Algorithm, error) {
	for i := range algorithms {
		if algorithms[i].Name == name {
			return &algorithms[i], nil
		}
	}
	names := AlgorithmNames()
	msg := fmt.Sprintf("unknown algorithm %q", name)
	if s := suggest.Closest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, fmt.Errorf("%s (algorithms: %s; `rlrun list` shows them)", msg, strings.Join(names, ", "))
}

// Algorithms returns the registered algorithms sorted by name.
func Algorithms() []Algorithm {
	out := slices.Clone(algorithms)
	slices.SortFunc(out, func(a, b Algorithm) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// AlgorithmNames returns the registered names, sorted.
func AlgorithmNames() []string {
	var n []string
	for _, a := range algorithms {
		n = append(n, a.Name)
	}
	slices.Sort(n)
	return n
}

// Register adds an algorithm, as env.Register adds an env: the built-in ones are registered by
// algorithms.go, and a program with an algorithm of its own (a research fork, a test) registers
// it before resolving configs. It panics on a duplicate or incomplete entry: those are
// programming errors.
func Register(a Algorithm) {
	if a.Name == "" || a.NewConfig == nil || a.NewTrainer == nil || a.LoadPolicy == nil {
		panic(fmt.Sprintf("run: Register(%q): an algorithm needs Name, NewConfig, NewTrainer and LoadPolicy", a.Name))
	}
	for _, b := range algorithms {
		if b.Name == a.Name {
			panic(fmt.Sprintf("run: Register: algorithm %q is already registered", a.Name))
		}
	}
	// Keys must not collide with the run keys: they share one namespace.
	p := a.NewConfig()
	c := Config{Params: p}
	seen := map[string]bool{}
	for _, k := range c.Keys() {
		if seen[k] || slices.Contains(reservedKeys, k) {
			panic(fmt.Sprintf("run: Register(%q): config key %q is defined twice or reserved", a.Name, k))
		}
		seen[k] = true
	}
	algorithms = append(algorithms, a)
}

// algorithms is the registry, filled by Register from init functions (algorithms.go) before
// main runs and read-only afterwards.
var algorithms []Algorithm
