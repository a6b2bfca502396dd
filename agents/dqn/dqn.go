package dqn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/replay"
)

// Config holds DQN's hyperparameters. The YAML keys follow Stable-Baselines3's DQN arguments
// where SB3 has them, so RL Zoo's hyperparams/dqn.yml entries read the same. Every default is
// stated on its field; DefaultConfig returns them.
type Config struct {
	// NumEnvs is the number of env copies stepped together. Default: 1.
	NumEnvs int `yaml:"n_envs"`
	// NetArch lists the hidden layer sizes of the Q-network. Default: [64, 64].
	NetArch []int `yaml:"net_arch"`
	// Activation is the hidden activation: relu or tanh. Default: relu.
	Activation string `yaml:"activation"`
	// Dueling splits the network's head into a state value and action advantages (Wang et al.,
	// 2016). Default: false.
	Dueling bool `yaml:"dueling"`
	// ScaleObs rescales every observation element from the observation space's bounds to
	// [−1, 1] before the network (Gymnasium's RescaleObservation): MountainCar's velocity spans
	// ±0.07 and its position 1.8, a factor of 25 the network would otherwise have to learn. It
	// needs a Box with finite bounds. Default: false.
	ScaleObs bool `yaml:"scale_obs"`

	// LearningRate is Adam's learning rate. Default: 1e-4.
	LearningRate float64 `yaml:"learning_rate"`
	// LRSchedule is constant, or linear: the learning rate goes linearly from LearningRate to
	// LearningRateFinal over the run's n_timesteps. Default: constant.
	LRSchedule string `yaml:"lr_schedule"`
	// LearningRateFinal is the learning rate at the end of a linear schedule. Default: 0.
	LearningRateFinal float64 `yaml:"learning_rate_final"`
	// AdamEps is Adam's epsilon. Default: 1e-8 (PyTorch's).
	AdamEps float64 `yaml:"adam_eps"`
	// MaxGradNorm clips the global gradient norm (0 disables clipping). Default: 10.
	MaxGradNorm float64 `yaml:"max_grad_norm"`
	// Loss is huber (smooth L1 with δ = 1, as SB3 and the Nature DQN) or mse. Default: huber.
	Loss string `yaml:"loss"`

	// BufferSize is the replay buffer's capacity in env steps. Default: 1000000.
	BufferSize int `yaml:"buffer_size"`
	// LearningStarts is the number of env steps taken before the first gradient step.
	// Default: 100.
	LearningStarts int64 `yaml:"learning_starts"`
	// BatchSize is the number of transitions per gradient step. Default: 32.
	BatchSize int `yaml:"batch_size"`
	// Gamma is the discount factor. Default: 0.99.
	Gamma float64 `yaml:"gamma"`
	// TrainFreq is the number of vector-env steps between training phases (each adds NumEnvs
	// env steps). Default: 4.
	TrainFreq int `yaml:"train_freq"`
	// GradientSteps is the number of gradient steps per training phase. Default: 1.
	GradientSteps int `yaml:"gradient_steps"`
	// TargetUpdateInterval is the number of env steps between target-network updates.
	// Default: 10000.
	TargetUpdateInterval int64 `yaml:"target_update_interval"`
	// Tau is the target update's coefficient: 1 copies the online network (a hard update),
	// less blends it in (Polyak averaging: target ← τ·online + (1−τ)·target). Default: 1.
	Tau float64 `yaml:"tau"`
	// DoubleQ evaluates the next state's greedy action, chosen by the online network, with the
	// target network (van Hasselt et al., 2016). Default: false.
	DoubleQ bool `yaml:"double_q"`
	// NSteps is the length of the n-step return the targets bootstrap after (1: one-step TD).
	// Default: 1.
	NSteps int `yaml:"n_steps"`

	// ExplorationFraction is the fraction of n_timesteps over which ε decays linearly from
	// ExplorationInitialEps to ExplorationFinalEps. Default: 0.1.
	ExplorationFraction float64 `yaml:"exploration_fraction"`
	// ExplorationInitialEps is ε at the start. Default: 1.
	ExplorationInitialEps float64 `yaml:"exploration_initial_eps"`
	// ExplorationFinalEps is ε after the decay. Default: 0.05.
	ExplorationFinalEps float64 `yaml:"exploration_final_eps"`

	// PrioritizedReplay samples transitions by TD error (Schaul et al., 2016) and weights the
	// loss by importance sampling, β annealed to 1 over n_timesteps. Default: false.
	PrioritizedReplay bool `yaml:"prioritized_replay"`
	// PrioritizedReplayAlpha is the priority exponent α. Default: 0.6.
	PrioritizedReplayAlpha float64 `yaml:"prioritized_replay_alpha"`
	// PrioritizedReplayBeta0 is the initial importance-sampling exponent β. Default: 0.4.
	PrioritizedReplayBeta0 float64 `yaml:"prioritized_replay_beta0"`
	// PrioritizedReplayEps is added to |TD error| in priorities. Default: 1e-6.
	PrioritizedReplayEps float64 `yaml:"prioritized_replay_eps"`

	// LogInterval is the number of env steps between rows of losses/td_loss, losses/q_values,
	// charts/epsilon and charts/learning_rate (means over the gradient steps in between).
	// Default: 100 (CleanRL's).
	LogInterval int64 `yaml:"log_interval"`
}

// DefaultConfig returns the defaults stated on Config's fields (Stable-Baselines3's DQN defaults
// where SB3 has the setting).
func DefaultConfig() Config {
	return Config{
		NumEnvs: 1, NetArch: []int{64, 64}, Activation: "relu",
		LearningRate: 1e-4, LRSchedule: "constant", AdamEps: 1e-8, MaxGradNorm: 10, Loss: "huber",
		BufferSize: 1_000_000, LearningStarts: 100, BatchSize: 32, Gamma: 0.99, TrainFreq: 4, GradientSteps: 1,
		TargetUpdateInterval: 10_000, Tau: 1, NSteps: 1,
		ExplorationFraction: 0.1, ExplorationInitialEps: 1, ExplorationFinalEps: 0.05,
		PrioritizedReplayAlpha: 0.6, PrioritizedReplayBeta0: 0.4, PrioritizedReplayEps: 1e-6,
		LogInterval: 100,
	}
}

// Validate checks every field and names the first bad one with its value.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.NumEnvs >= 1, "n_envs = %d; want at least 1", c.NumEnvs)
	check(len(c.NetArch) > 0, "net_arch is empty; want hidden sizes such as [64, 64]")
	for _, h := range c.NetArch {
		check(h >= 1, "net_arch %v: every size must be at least 1", c.NetArch)
	}
	_, err := activation(c.Activation)
	check(err == nil, "activation = %q; want relu or tanh", c.Activation)
	check(c.LearningRate > 0, "learning_rate = %g; want a positive number", c.LearningRate)
	check(c.LRSchedule == "constant" || c.LRSchedule == "linear", "lr_schedule = %q; want constant or linear", c.LRSchedule)
	check(c.LearningRateFinal >= 0, "learning_rate_final = %g; want 0 or more", c.LearningRateFinal)
	check(c.AdamEps > 0, "adam_eps = %g; want a positive number", c.AdamEps)
	check(c.MaxGradNorm >= 0, "max_grad_norm = %g; want 0 (no clipping) or more", c.MaxGradNorm)
	check(c.Loss == "huber" || c.Loss == "mse", "loss = %q; want huber or mse", c.Loss)
	check(c.BufferSize >= 2*c.NumEnvs, "buffer_size = %d; want at least 2·n_envs", c.BufferSize)
	check(c.LearningStarts >= 0, "learning_starts = %d; want 0 or more", c.LearningStarts)
	check(c.BatchSize >= 1, "batch_size = %d; want at least 1", c.BatchSize)
	check(c.Gamma >= 0 && c.Gamma <= 1, "gamma = %g; want a value in [0, 1]", c.Gamma)
	check(c.TrainFreq >= 1, "train_freq = %d; want at least 1", c.TrainFreq)
	check(c.GradientSteps >= 0, "gradient_steps = %d; want 0 or more", c.GradientSteps)
	check(c.TargetUpdateInterval >= 1, "target_update_interval = %d; want at least 1", c.TargetUpdateInterval)
	check(c.Tau > 0 && c.Tau <= 1, "tau = %g; want a value in (0, 1]", c.Tau)
	check(c.NSteps >= 1, "n_steps = %d; want at least 1", c.NSteps)
	check(c.ExplorationFraction >= 0 && c.ExplorationFraction <= 1, "exploration_fraction = %g; want a value in [0, 1]", c.ExplorationFraction)
	check(c.ExplorationInitialEps >= 0 && c.ExplorationInitialEps <= 1, "exploration_initial_eps = %g; want a value in [0, 1]", c.ExplorationInitialEps)
	check(c.ExplorationFinalEps >= 0 && c.ExplorationFinalEps <= 1, "exploration_final_eps = %g; want a value in [0, 1]", c.ExplorationFinalEps)
	check(c.PrioritizedReplayAlpha >= 0, "prioritized_replay_alpha = %g; want 0 or more", c.PrioritizedReplayAlpha)
	check(c.PrioritizedReplayBeta0 >= 0 && c.PrioritizedReplayBeta0 <= 1, "prioritized_replay_beta0 = %g; want a value in [0, 1]", c.PrioritizedReplayBeta0)
	check(c.PrioritizedReplayEps > 0, "prioritized_replay_eps = %g; want a positive number", c.PrioritizedReplayEps)
	check(c.LogInterval >= 1, "log_interval = %d; want at least 1", c.LogInterval)
	return errors.Join(errs...)
}

// Options are the settings of a training run that are not hyperparameters.
type Options struct {
	// Seed seeds the env copies (Seed+i), the networks' initialization, exploration and replay
	// sampling.
	Seed uint64
	// TotalSteps is the run's length in env steps: ε, the learning rate and β are scheduled
	// over it.
	TotalSteps int64
	// Log, when set, receives the metrics (CleanRL's keys) against env steps.
	Log func(step int64, key string, value float64)
}

// Check returns an error unless DQN can act in the spaces: a Discrete action space and a flat
// observation.
func Check(obs, act env.Space) error {
	if _, ok := act.(env.Discrete); !ok {
		return fmt.Errorf("DQN needs a Discrete action space, not %v (use a policy-gradient method for continuous actions)", act)
	}
	if obs.Dim() < 1 {
		return fmt.Errorf("observation space %v has no elements", obs)
	}
	return nil
}

// Agent is a DQN learner and its greedy policy. Learn trains it on the vector env it was built
// with; Act, QValues and the network serve evaluation and the viewer. It is not safe for
// concurrent use.
type Agent struct {
	cfg  Config
	opts Options

	vec      env.VectorEnv
	n        int // copies
	obsDim   int
	nActions int
	start    int // the Discrete space's Start: action index i is the env action start+i

	online, target *qnet
	onlineP        []nets.NamedTensor
	targetP        []nets.NamedTensor
	opt            *nets.Adam
	lossKind       string

	buf   *replay.Buffer
	batch *replay.Batch

	train, infer *nets.Graph  // a recording graph for gradient steps, a non-recording one for acting and targets
	actIn        *nets.Tensor // one observation, for Act
	actInN       *nets.Tensor // every copy's observation, for acting while training
	batchObs     *nets.Tensor // views of the batch's arrays
	batchNext    *nets.Tensor
	targets      *nets.Tensor
	weights      *nets.Tensor
	actIdx       []int
	obsMid       []float32 // with ScaleObs: the network sees (obs − obsMid)·obsInvHalf
	obsInvHalf   []float32
	nextQ        []float32
	tdErr        []float32

	explore *rand.PCG // exploration draws
	rng     *rand.Rand

	obs     []float32 // the current observation of every copy (N×obsDim), a copy of the env's
	actions []float32
	started bool

	steps     int64 // env steps
	vecSteps  int64 // vector steps
	gradSteps int64

	// epsOverride replaces the ε schedule while epsSet (SetExploration).
	epsOverride float64
	epsSet      bool

	// Metrics accumulated since the last log row.
	lossSum, qSum float64
	lossN         int64
	lastLog       int64
}

// New builds an agent that trains on vec (whose action space must be Discrete). The networks are
// initialized from opts.Seed as PyTorch would with that generator; nothing is stepped until
// Learn.
func New(cfg Config, vec env.VectorEnv, opts Options) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	if err := Check(vec.SingleObservationSpace(), vec.SingleActionSpace()); err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	if vec.NumEnvs() != cfg.NumEnvs {
		return nil, fmt.Errorf("dqn: the vector env has %d copies; n_envs is %d", vec.NumEnvs(), cfg.NumEnvs)
	}
	if opts.TotalSteps < 1 {
		return nil, fmt.Errorf("dqn: TotalSteps = %d; want at least 1", opts.TotalSteps)
	}
	a, err := newAgent(cfg, vec.SingleObservationSpace(), vec.SingleActionSpace().(env.Discrete), opts.Seed)
	if err != nil {
		return nil, err
	}
	a.opts, a.vec, a.n = opts, vec, cfg.NumEnvs
	a.targetP = a.target.Params()
	a.opt, err = nets.NewAdam(a.onlineP, nets.AdamConfig{LR: cfg.LearningRate, Eps: cfg.AdamEps})
	if err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	a.buf, err = replay.New(replay.Config{
		Capacity: cfg.BufferSize, NumEnvs: cfg.NumEnvs, ObsDim: a.obsDim, ActDim: 1,
		Gamma: cfg.Gamma, NStep: cfg.NSteps, Seed: opts.Seed ^ 0x7265706c6179,
		Prioritized: cfg.PrioritizedReplay, Alpha: cfg.PrioritizedReplayAlpha, Beta0: cfg.PrioritizedReplayBeta0,
		BetaSteps: opts.TotalSteps, PriorityEps: cfg.PrioritizedReplayEps,
	})
	if err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	B := cfg.BatchSize
	a.batch = a.buf.NewBatch(B)
	a.train = nets.NewGraph()
	a.batchObs = nets.FromData(a.batch.Obs, B, a.obsDim)
	a.batchNext = nets.FromData(a.batch.NextObs, B, a.obsDim)
	a.targets = nets.New(B)
	a.weights = nets.FromData(a.batch.Weights, B)
	a.actIdx = make([]int, B)
	a.nextQ = make([]float32, B*a.nActions)
	a.tdErr = make([]float32, B)
	a.explore = rand.NewPCG(opts.Seed, 0x6578706c6f7265)
	a.rng = rand.New(a.explore)
	a.obs = make([]float32, a.n*a.obsDim)
	a.actions = make([]float32, a.n)
	a.actInN = nets.FromData(make([]float32, a.n*a.obsDim), a.n, a.obsDim)
	return a, nil
}

// newAgent builds the networks and the acting state: what a policy loaded for evaluation needs.
func newAgent(cfg Config, obs env.Space, act env.Discrete, seed uint64) (*Agent, error) {
	actLayer, err := activation(cfg.Activation)
	if err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	a := &Agent{cfg: cfg, obsDim: obs.Dim(), nActions: act.N, start: act.Start, lossKind: cfg.Loss}
	if cfg.ScaleObs {
		box, ok := obs.(*env.Box)
		if !ok || !box.Bounded() {
			return nil, fmt.Errorf("dqn: scale_obs needs an observation space with finite bounds, not %v", obs)
		}
		a.obsMid, a.obsInvHalf = make([]float32, a.obsDim), make([]float32, a.obsDim)
		for i := range a.obsDim {
			lo, hi := float64(box.Low[i]), float64(box.High[i])
			a.obsMid[i] = float32((lo + hi) / 2)
			if hi > lo {
				a.obsInvHalf[i] = float32(2 / (hi - lo))
			}
		}
	}
	init := rand.New(rand.NewPCG(seed, 0x696e6974))
	a.online = newQNet(init, a.obsDim, a.nActions, cfg.NetArch, actLayer, cfg.Dueling)
	a.target = newQNet(init, a.obsDim, a.nActions, cfg.NetArch, actLayer, cfg.Dueling)
	a.onlineP = a.online.Params()
	copyParams(a.target.Params(), a.onlineP)
	a.infer = nets.NewInference()
	a.actIn = nets.FromData(make([]float32, a.obsDim), 1, a.obsDim)
	return a, nil
}

// copyParams sets dst's parameters to src's.
func copyParams(dst, src []nets.NamedTensor) {
	for i := range dst {
		copy(dst[i].Tensor.Data, src[i].Tensor.Data)
	}
}

// Act writes the greedy action for one observation (the policy evaluation and the viewer use).
func (a *Agent) Act(obs, action []float32) {
	q := a.forward1(obs)
	action[0] = float32(a.start + argmax(q))
}

// QValues writes the action values of one observation into dst (len = number of actions).
func (a *Agent) QValues(obs, dst []float32) {
	copy(dst, a.forward1(obs))
}

// forward1 runs the online network on one observation through the inference graph; the result
// is valid until the next forward.
func (a *Agent) forward1(obs []float32) []float32 {
	if len(obs) != a.obsDim {
		panic(fmt.Sprintf("dqn: observation of %d elements; the network takes %d", len(obs), a.obsDim))
	}
	in := a.actIn
	copy(in.Data, obs)
	a.scale(in.Data)
	a.infer.Reset()
	return a.online.Forward(a.infer, in).Data
}

// scale rescales rows of observations in place when ScaleObs is set.
func (a *Agent) scale(x []float32) {
	if a.obsMid == nil {
		return
	}
	for i := range x {
		j := i % a.obsDim
		x[i] = (x[i] - a.obsMid[j]) * a.obsInvHalf[j]
	}
}

func argmax(q []float32) int {
	best := 0
	for i, v := range q[1:] {
		if v > q[best] {
			best = i + 1
		}
	}
	return best
}

// Steps returns the env steps taken.
func (a *Agent) Steps() int64 { return a.steps }

// GradientSteps returns the gradient steps taken.
func (a *Agent) GradientSteps() int64 { return a.gradSteps }

// Epsilon returns ε at env step t: linear from ExplorationInitialEps to ExplorationFinalEps over
// the first ExplorationFraction of the run.
func (a *Agent) Epsilon(t int64) float64 {
	c := a.cfg
	span := c.ExplorationFraction * float64(a.opts.TotalSteps)
	if span <= 0 || float64(t) >= span {
		return c.ExplorationFinalEps
	}
	return c.ExplorationInitialEps + (c.ExplorationFinalEps-c.ExplorationInitialEps)*float64(t)/span
}

// SetExploration overrides the ε schedule with eps from the next env step on, until
// ClearExploration: the viewer's ε keys steer a live training run through it (package run's
// ExplorationSetter). The ε-greedy actions of every later step use it, charts/epsilon logs it,
// and it is part of the training state (Save writes it, Load restores it). It panics unless
// eps is in [0, 1].
func (a *Agent) SetExploration(eps float64) {
	if !(eps >= 0 && eps <= 1) {
		panic(fmt.Sprintf("dqn: SetExploration(%v): ε must be in [0, 1]", eps))
	}
	a.epsOverride, a.epsSet = eps, true
}

// ClearExploration ends an override of SetExploration: from the next env step on, ε follows
// its schedule again, at the step reached.
func (a *Agent) ClearExploration() { a.epsOverride, a.epsSet = 0, false }

// Exploration returns the ε of the next env step (the schedule's, or SetExploration's) and
// whether it is an override.
func (a *Agent) Exploration() (eps float64, overridden bool) {
	if a.epsSet {
		return a.epsOverride, true
	}
	return a.Epsilon(a.steps), false
}

// LearningRate returns the learning rate at env step t.
func (a *Agent) LearningRate(t int64) float64 {
	c := a.cfg
	if c.LRSchedule != "linear" {
		return c.LearningRate
	}
	f := min(1, float64(t)/float64(a.opts.TotalSteps))
	return c.LearningRate + (c.LearningRateFinal-c.LearningRate)*f
}

// Learn trains until Steps() ≥ until or ctx is done. Each iteration takes one vector step with
// ε-greedy actions, stores it, trains every TrainFreq vector steps once LearningStarts env steps
// have passed, updates the target network every TargetUpdateInterval env steps, and logs every
// LogInterval env steps. Learn(ctx, a) followed by Learn(ctx, b) is the same as Learn(ctx, b).
func (a *Agent) Learn(ctx context.Context, until int64) error {
	if a.vec == nil {
		return errors.New("dqn: this agent was loaded for evaluation and cannot train")
	}
	if !a.started {
		seed := a.opts.Seed
		copy(a.obs, a.vec.Reset(&seed))
		a.started = true
	}
	c := a.cfg
	targetEvery := max(c.TargetUpdateInterval/int64(a.n), 1)
	for i := 0; a.steps < until; i++ {
		if i&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		a.chooseActions()
		next, rewards, term, trunc := a.vec.Step(a.actions)
		a.buf.Add(a.obs, a.actions, rewards, next, term, trunc)
		copy(a.obs, next)
		a.steps += int64(a.n)
		a.vecSteps++
		if a.steps > c.LearningStarts && a.vecSteps%int64(c.TrainFreq) == 0 {
			a.opt.SetLR(a.LearningRate(a.steps))
			for range c.GradientSteps {
				if err := a.gradientStep(); err != nil {
					return err
				}
			}
		}
		if a.vecSteps%targetEvery == 0 {
			a.updateTarget()
		}
		if a.steps-a.lastLog >= c.LogInterval {
			a.logMetrics()
		}
	}
	return nil
}

// chooseActions fills a.actions ε-greedily: for each copy one uniform draw decides, a second
// picks the random action; the network runs once over the copies that act greedily.
func (a *Agent) chooseActions() {
	eps, _ := a.Exploration()
	greedy := false
	for k := range a.n {
		if a.rng.Float64() < eps {
			a.actions[k] = float32(a.start + a.rng.IntN(a.nActions))
		} else {
			a.actions[k] = -1
			greedy = true
		}
	}
	if !greedy {
		return
	}
	in := a.actInN
	copy(in.Data, a.obs)
	a.scale(in.Data)
	a.infer.Reset()
	q := a.online.Forward(a.infer, in).Data
	for k := range a.n {
		if a.actions[k] < 0 {
			a.actions[k] = float32(a.start + argmax(q[k*a.nActions:(k+1)*a.nActions]))
		}
	}
}

// gradientStep samples a batch and takes one Adam step on the TD loss. The target of
// transition i is r_i + d_i·Q_target(s'_i, a*) where d_i = γ^k, or 0 when the window ended in
// termination (bootstrapping through truncation), and a* is argmax of Q_target(s'_i) (or of
// Q_online(s'_i) with DoubleQ).
func (a *Agent) gradientStep() error {
	c := a.cfg
	B := c.BatchSize
	a.buf.Sample(a.batch)
	a.scale(a.batch.Obs)
	a.scale(a.batch.NextObs)

	// Targets, without gradient, on the inference graph.
	a.infer.Reset()
	qt := a.target.Forward(a.infer, a.batchNext).Data
	if c.DoubleQ {
		copy(a.nextQ, qt)
		qo := a.online.Forward(a.infer, a.batchNext).Data
		for i := range B {
			k := argmax(qo[i*a.nActions : (i+1)*a.nActions])
			a.targets.Data[i] = a.batch.Rewards[i] + a.batch.Discounts[i]*a.nextQ[i*a.nActions+k]
		}
	} else {
		for i := range B {
			row := qt[i*a.nActions : (i+1)*a.nActions]
			a.targets.Data[i] = a.batch.Rewards[i] + a.batch.Discounts[i]*row[argmax(row)]
		}
	}
	for i := range B {
		a.actIdx[i] = int(a.batch.Actions[i]) - a.start
	}

	// The loss on the recording graph.
	g := a.train
	g.Reset()
	q := g.Gather(a.online.Forward(g, a.batchObs), a.actIdx)
	var loss *nets.Tensor
	red := nets.ReduceMean
	if c.PrioritizedReplay {
		red = nets.ReduceNone
	}
	if a.lossKind == "mse" {
		loss = g.MSELoss(q, a.targets, red)
	} else {
		loss = g.HuberLoss(q, a.targets, red, 1)
	}
	if c.PrioritizedReplay {
		loss = g.Mean(g.Mul(loss, a.weights))
	}
	l := float64(loss.Data[0])
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return fmt.Errorf("dqn: TD loss is %v at env step %d (gradient step %d); the weights before it are kept: lower learning_rate or set max_grad_norm", l, a.steps, a.gradSteps+1)
	}
	a.opt.ZeroGrad()
	g.Backward(loss)
	if c.MaxGradNorm > 0 {
		if norm := nets.ClipGradNorm(a.onlineP, c.MaxGradNorm, 2); math.IsNaN(norm) || math.IsInf(norm, 0) {
			return fmt.Errorf("dqn: gradient norm is %v at env step %d (gradient step %d); the weights before it are kept", norm, a.steps, a.gradSteps+1)
		}
	}
	a.opt.Step()
	a.gradSteps++

	var qs float64
	for i, v := range q.Data {
		qs += float64(v)
		a.tdErr[i] = v - a.targets.Data[i]
	}
	if c.PrioritizedReplay {
		a.buf.UpdatePriorities(a.batch.Indices, a.tdErr)
	}
	a.lossSum += l
	a.qSum += qs / float64(B)
	a.lossN++
	return nil
}

// updateTarget moves the target network toward the online one: a copy when τ = 1.
func (a *Agent) updateTarget() {
	tau := float32(a.cfg.Tau)
	if tau == 1 {
		copyParams(a.targetP, a.onlineP)
		return
	}
	for i, p := range a.targetP {
		src := a.onlineP[i].Tensor.Data
		for j, v := range p.Tensor.Data {
			p.Tensor.Data[j] = v + tau*(src[j]-v)
		}
	}
}

// logMetrics writes the means since the last row (CleanRL's keys).
func (a *Agent) logMetrics() {
	a.lastLog = a.steps - a.steps%a.cfg.LogInterval
	if a.opts.Log == nil {
		a.lossSum, a.qSum, a.lossN = 0, 0, 0
		return
	}
	if a.lossN > 0 {
		a.opts.Log(a.steps, "losses/td_loss", a.lossSum/float64(a.lossN))
		a.opts.Log(a.steps, "losses/q_values", a.qSum/float64(a.lossN))
		a.opts.Log(a.steps, "charts/learning_rate", a.opt.LR())
	}
	eps, _ := a.Exploration()
	a.opts.Log(a.steps, "charts/epsilon", eps)
	a.lossSum, a.qSum, a.lossN = 0, 0, 0
}

// Close releases nothing: the vector env belongs to the caller.
func (a *Agent) Close() error { return nil }
