package tabular

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// Method is the temporal-difference target a TD agent learns with.
type Method string

// The TD methods, one file each (qlearning.go, sarsa.go, expected_sarsa.go).
const (
	QLearning     Method = "qlearning"
	SARSA         Method = "sarsa"
	ExpectedSARSA Method = "expectedsarsa"
)

// Config holds the hyperparameters of the TD agents (Q-learning, SARSA, Expected SARSA). The
// yaml keys are those of rlrun's hyperparams files and --set flags; fractions of training are
// fractions of the total steps given to New.
type Config struct {
	// Gamma is the discount factor γ. Default 0.99.
	Gamma float64 `yaml:"gamma"`

	// LearningRate is the step size α at the start of training. Default 0.1.
	LearningRate float64 `yaml:"learning_rate"`
	// LearningRateSchedule moves α from LearningRate to LearningRateFinal over
	// LearningRateFraction of training: "constant" (default), "linear" or "exponential".
	LearningRateSchedule string `yaml:"learning_rate_schedule"`
	// LearningRateFinal is α at the end of a linear or exponential schedule. Default 0.01.
	LearningRateFinal float64 `yaml:"learning_rate_final"`
	// LearningRateFraction is the fraction of training the α schedule spans. Default 1.
	LearningRateFraction float64 `yaml:"learning_rate_fraction"`

	// ExplorationSchedule moves ε of the ε-greedy behaviour policy from ExplorationInitialEps
	// to ExplorationFinalEps over ExplorationFraction of training: "linear" (default),
	// "exponential" or "constant" (ε = ExplorationInitialEps throughout). The names are SB3's.
	ExplorationSchedule string `yaml:"exploration_schedule"`
	// ExplorationInitialEps is ε at the start. Default 1.
	ExplorationInitialEps float64 `yaml:"exploration_initial_eps"`
	// ExplorationFinalEps is ε at the end of the schedule. Default 0.05.
	ExplorationFinalEps float64 `yaml:"exploration_final_eps"`
	// ExplorationFraction is the fraction of training the ε schedule spans. Default 0.5.
	ExplorationFraction float64 `yaml:"exploration_fraction"`

	// Lambda is the eligibility-trace decay λ in [0, 1]: 0 (default) learns from one-step
	// targets, larger values spread each TD error back over the episode's earlier
	// state-action pairs (SARSA(λ), Watkins's Q(λ), Expected SARSA(λ)).
	Lambda float64 `yaml:"lambda"`
	// ReplacingTraces sets the trace of a visited pair to 1 (replacing traces) instead of
	// adding 1 (accumulating traces). Default true, as REINFORCEjs.
	ReplacingTraces bool `yaml:"replacing_traces"`

	// PlanningSteps is the number of Dyna-Q planning updates after each real step, replayed
	// from a model of the last outcome seen for each state-action pair. Default 0 (no
	// planning).
	PlanningSteps int `yaml:"planning_steps"`

	// QInit is the initial value of every Q(s, a); a value above the achievable returns
	// drives exploration (optimistic initial values). Default 0.
	QInit float64 `yaml:"q_init"`

	// LogInterval is the number of env steps between the rows of losses/td_loss,
	// losses/q_values, charts/epsilon and charts/learning_rate that TDTrainer logs (means over
	// the steps in between). Default 1000: tabular runs are millions of cheap steps, and
	// CleanRL's 100 would write tens of thousands of rows. The Agent itself ignores it.
	LogInterval int64 `yaml:"log_interval"`
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		Gamma:                 0.99,
		LearningRate:          0.1,
		LearningRateSchedule:  Constant,
		LearningRateFinal:     0.01,
		LearningRateFraction:  1,
		ExplorationSchedule:   Linear,
		ExplorationInitialEps: 1,
		ExplorationFinalEps:   0.05,
		ExplorationFraction:   0.5,
		ReplacingTraces:       true,
		LogInterval:           1000,
	}
}

// Agent is a tabular TD agent: Q-learning, SARSA or Expected SARSA with ε-greedy exploration,
// optional eligibility traces and optional Dyna-Q planning, the ingredients of REINFORCEjs's
// TDAgent.
//
// Drive it with Learn, or step by step with Start and Observe (REINFORCEjs's act and learn).
// MarshalBinary and UnmarshalBinary save and restore its whole training state. An Agent is not
// safe for concurrent use.
type Agent struct {
	// Table holds the learned action values.
	*Table

	method Method
	cfg    Config
	states stateEncoder
	pcg    *rand.PCG // the source of rng, kept to save its state
	rng    *rand.Rand
	alpha  schedule
	eps    schedule
	seed   uint64
	seeded bool // the first Reset of Learn has used the seed

	// The transition in progress: the agent is in state s and has chosen action a; s < 0
	// between episodes.
	s, a     int
	steps    int64
	episodes int
	epReturn float64
	epLen    int
	// tlElapsed counts the steps of the episode for a TimeLimit that Learn bypasses.
	tlElapsed int
	// delta is the TD error of the last Observe.
	delta float64
	// epsOverride replaces the ε schedule while epsSet (SetExploration).
	epsOverride float64
	epsSet      bool

	tr  traces
	dyn dynaModel
}

// New returns a TD agent for an env with the given observation and action spaces, which train
// for totalSteps env steps (the span of the schedules) from seed. The observation space must
// be Discrete or MultiDiscrete (a MultiDiscrete point is numbered in mixed radix, first element
// most significant, as Blackjack's [sum, dealer card, usable ace]) and the action space
// Discrete.
func New(method Method, cfg Config, obs, act env.Space, totalSteps int64, seed uint64) (*Agent, error) {
	switch method {
	case QLearning, SARSA, ExpectedSARSA:
	default:
		return nil, fmt.Errorf("tabular: unknown TD method %q; want %q, %q or %q", method, QLearning, SARSA, ExpectedSARSA)
	}
	enc, err := newStateEncoder(obs)
	if err != nil {
		return nil, err
	}
	ad, ok := act.(env.Discrete)
	if !ok {
		return nil, fmt.Errorf("tabular: the action space is %v; tabular agents need a Discrete one", act)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if totalSteps < 1 {
		return nil, fmt.Errorf("tabular: %d total steps; want at least 1", totalSteps)
	}
	ag := &Agent{
		Table:  NewTable(enc.n, ad.N, cfg.QInit),
		method: method,
		cfg:    cfg,
		states: enc,
		pcg:    newPCG(seed),
		seed:   seed,
		s:      -1,
	}
	ag.rng = rand.New(ag.pcg)
	if ag.alpha, err = newSchedule("learning rate", cfg.LearningRateSchedule, cfg.LearningRate, cfg.LearningRateFinal, cfg.LearningRateFraction, totalSteps); err != nil {
		return nil, fmt.Errorf("tabular: %w", err)
	}
	if ag.eps, err = newSchedule("exploration", cfg.ExplorationSchedule, cfg.ExplorationInitialEps, cfg.ExplorationFinalEps, cfg.ExplorationFraction, totalSteps); err != nil {
		return nil, fmt.Errorf("tabular: %w", err)
	}
	if cfg.Lambda > 0 {
		ag.tr = newTraces(enc.n * ad.N)
	}
	if cfg.PlanningSteps > 0 {
		ag.dyn = newDynaModel(enc.n * ad.N)
	}
	return ag, nil
}

// Validate checks the ranges of the values (rlrun calls it when it resolves a config, so a bad
// --set fails before the run starts); New calls it too. The schedules' names and fractions are
// checked by New.
func (c Config) Validate() error {
	check := func(name string, v, lo, hi float64) error {
		if !(v >= lo && v <= hi) {
			return fmt.Errorf("tabular: %s = %v; want a value in [%v, %v]", name, v, lo, hi)
		}
		return nil
	}
	for _, e := range []error{
		check("gamma", c.Gamma, 0, 1),
		check("learning_rate", c.LearningRate, 0, 1),
		check("learning_rate_final", c.LearningRateFinal, 0, 1),
		check("exploration_initial_eps", c.ExplorationInitialEps, 0, 1),
		check("exploration_final_eps", c.ExplorationFinalEps, 0, 1),
		check("lambda", c.Lambda, 0, 1),
	} {
		if e != nil {
			return e
		}
	}
	if c.PlanningSteps < 0 {
		return fmt.Errorf("tabular: planning_steps = %d; want 0 or more", c.PlanningSteps)
	}
	if c.LogInterval < 1 {
		return fmt.Errorf("tabular: log_interval = %d; want at least 1 env step", c.LogInterval)
	}
	for _, s := range []struct{ name, kind string }{
		{"learning_rate_schedule", c.LearningRateSchedule},
		{"exploration_schedule", c.ExplorationSchedule},
	} {
		if s.kind != Constant && s.kind != Linear && s.kind != Exponential && s.kind != "" {
			return fmt.Errorf("tabular: %s = %q; want %q, %q or %q", s.name, s.kind, Constant, Linear, Exponential)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"learning_rate_fraction", c.LearningRateFraction}, {"exploration_fraction", c.ExplorationFraction}} {
		if !(f.v >= 0 && f.v <= 1) {
			return fmt.Errorf("tabular: %s = %v; want a fraction of training in [0, 1]", f.name, f.v)
		}
	}
	return nil
}

// Method returns the agent's TD method.
func (ag *Agent) Method() Method { return ag.method }

// Steps returns the number of transitions learned from (env steps).
func (ag *Agent) Steps() int64 { return ag.steps }

// Episodes returns the number of episodes finished.
func (ag *Agent) Episodes() int { return ag.episodes }

// Epsilon returns the exploration rate ε of the next step: the schedule's, or the value
// SetExploration set.
func (ag *Agent) Epsilon() float64 {
	if ag.epsSet {
		return ag.epsOverride
	}
	return ag.eps.at(ag.steps)
}

// SetExploration overrides the ε schedule with eps from the next step on, until
// ClearExploration: the viewer's ε keys steer a live training run through it (package run's
// ExplorationSetter). Every use of ε follows it: the ε-greedy choice of the next action,
// Expected SARSA's expectation and Dyna's simulated SARSA actions. The action of the step in
// progress was chosen one step ahead (SARSA's update needs it), so the first action the new ε
// chooses is taken in the step after the next. The override is part of the training state
// (MarshalBinary saves it). It panics unless eps is in [0, 1].
func (ag *Agent) SetExploration(eps float64) {
	if !(eps >= 0 && eps <= 1) {
		panic(fmt.Sprintf("tabular: SetExploration(%v): ε must be in [0, 1]", eps))
	}
	ag.epsOverride, ag.epsSet = eps, true
}

// ClearExploration ends an override of SetExploration: ε follows its schedule again, at the
// current step, from the next step on.
func (ag *Agent) ClearExploration() { ag.epsOverride, ag.epsSet = 0, false }

// Exploration returns the ε of the next step and whether it is SetExploration's override.
func (ag *Agent) Exploration() (eps float64, overridden bool) { return ag.Epsilon(), ag.epsSet }

// TDError returns the TD error δ = target − Q(s, a) of the last Observe (before any Dyna
// planning updates it made): TDTrainer logs its mean square as losses/td_loss.
func (ag *Agent) TDError() float64 { return ag.delta }

// LearningRate returns the step size α of the next step.
func (ag *Agent) LearningRate() float64 { return ag.alpha.at(ag.steps) }

// StateOf returns the state index of an observation of the env the agent was made for.
func (ag *Agent) StateOf(obs []float32) int { return ag.states.index(obs) }

// Start begins an episode in state s and returns the ε-greedy action to take.
func (ag *Agent) Start(s int) int {
	ag.checkState(s)
	ag.s = s
	ag.a = ag.behave(s, ag.Epsilon())
	ag.epReturn, ag.epLen = 0, 0
	return ag.a
}

// Observe learns from the outcome of the action Start or the last Observe returned: the
// reward, the next state and how the step ended. It returns the next action, chosen ε-greedily
// in s2 before the update (as Sutton and Barto's SARSA and Watkins's Q(λ) do, and REINFORCEjs);
// after an episode ends the returned action is meaningless and the next episode begins with
// Start.
//
// A terminated step is not bootstrapped from (s2 is terminal); a truncated one is (the episode
// was cut, s2 is an ordinary state).
func (ag *Agent) Observe(r float64, s2 int, terminated, truncated bool) int {
	if ag.s < 0 {
		panic("tabular: Agent.Observe before Start (or after an episode ended)")
	}
	ag.checkState(s2)
	eps := ag.Epsilon()
	alpha := ag.alpha.at(ag.steps)
	ag.steps++
	ag.epReturn += r
	ag.epLen++

	sa := ag.s*ag.NumActions + ag.a
	a2 := -1
	greedyNext := true
	if !terminated {
		a2 = ag.behave(s2, eps)
	}
	target := r
	if !terminated {
		var next float64
		switch ag.method {
		case QLearning:
			next = ag.qlearningBootstrap(s2)
			greedyNext = ag.Q[s2*ag.NumActions+a2] >= next
		case SARSA:
			next = ag.sarsaBootstrap(s2, a2)
		case ExpectedSARSA:
			next = ag.expectedSARSABootstrap(s2, eps)
		}
		target += ag.cfg.Gamma * next
	}
	delta := target - ag.Q[sa]
	ag.delta = delta
	ended := terminated || truncated
	if ag.cfg.Lambda > 0 {
		// Watkins's Q(λ) cuts the traces after an exploratory action: the return that
		// follows is no longer the greedy policy's.
		ag.tr.update(ag.Q, sa, alpha*delta, ag.cfg.Gamma*ag.cfg.Lambda, ag.cfg.ReplacingTraces)
		if ended || (ag.method == QLearning && !greedyNext) {
			ag.tr.clear()
		}
	} else {
		ag.Q[sa] += alpha * delta
	}
	if ag.cfg.PlanningSteps > 0 {
		ag.dyn.remember(sa, r, s2, terminated)
		ag.plan(eps, alpha)
	}
	if ended {
		ag.episodes++
		ag.s = -1
		return a2
	}
	ag.s, ag.a = s2, a2
	return a2
}

func (ag *Agent) checkState(s int) {
	if uint(s) >= uint(ag.NumStates) {
		panic(fmt.Sprintf("tabular: state %d outside the agent's %d states", s, ag.NumStates))
	}
}

// behave returns the ε-greedy action in state s: a uniformly random action with probability
// eps, otherwise a greedy one, ties broken uniformly at random (so that an untrained agent does
// not always pick the first action).
func (ag *Agent) behave(s int, eps float64) int {
	if eps > 0 && ag.rng.Float64() < eps {
		return ag.rng.IntN(ag.NumActions)
	}
	row := ag.Q[s*ag.NumActions : (s+1)*ag.NumActions]
	best, arg, ties := row[0], 0, 1
	for a := 1; a < len(row); a++ {
		switch q := row[a]; {
		case q > best:
			best, arg, ties = q, a, 1
		case q == best:
			// Reservoir sampling: the k-th tie replaces the pick with probability 1/k.
			ties++
			if ag.rng.IntN(ties) == 0 {
				arg = a
			}
		}
	}
	return arg
}

// Act writes the greedy action for an observation into action[0]: the deterministic policy
// of the agent, for evaluation (rlrun's Policy interface).
func (ag *Agent) Act(obs, action []float32) {
	action[0] = float32(ag.Greedy(ag.states.index(obs)))
}

// QValues writes Q(s, a) of the observation's state for every action into dst.
func (ag *Agent) QValues(obs, dst []float32) {
	for a, q := range ag.Row(ag.states.index(obs)) {
		dst[a] = float32(q)
	}
}

// stateEncoder numbers the points of a Discrete or MultiDiscrete observation space.
type stateEncoder struct {
	n     int
	start int   // Discrete's start
	nvec  []int // MultiDiscrete's sizes; nil for Discrete
}

func newStateEncoder(obs env.Space) (stateEncoder, error) {
	switch sp := obs.(type) {
	case env.Discrete:
		return stateEncoder{n: sp.N, start: sp.Start}, nil
	case env.MultiDiscrete:
		n := 1
		for _, k := range sp.Nvec {
			if k < 1 || n > 1<<26/k {
				return stateEncoder{}, fmt.Errorf("tabular: the observation space %v has too many states for a table", obs)
			}
			n *= k
		}
		return stateEncoder{n: n, nvec: append([]int(nil), sp.Nvec...)}, nil
	}
	return stateEncoder{}, fmt.Errorf("tabular: the observation space is %v; tabular agents need a Discrete or MultiDiscrete one (discretize a Box first)", obs)
}

func (e *stateEncoder) index(obs []float32) int {
	if e.nvec == nil {
		return int(obs[0]) - e.start
	}
	s := 0
	for i, k := range e.nvec {
		s = s*k + int(obs[i])
	}
	return s
}

// Policy is the greedy policy of a table for an env's observations: what rlrun evaluates and
// the viewer runs for the planners (an Agent is one too).
type Policy struct {
	*Table
	states stateEncoder
}

// NewPolicy returns the greedy policy of t for observations of the space obs.
func NewPolicy(t *Table, obs env.Space) (*Policy, error) {
	enc, err := newStateEncoder(obs)
	if err != nil {
		return nil, err
	}
	if enc.n != t.NumStates {
		return nil, fmt.Errorf("tabular: the observation space %v has %d states; the table has %d", obs, enc.n, t.NumStates)
	}
	return &Policy{Table: t, states: enc}, nil
}

// Act writes the greedy action for obs into action[0].
func (p *Policy) Act(obs, action []float32) { action[0] = float32(p.Greedy(p.states.index(obs))) }

// QValues writes Q(s, a) of the observation's state for every action into dst.
func (p *Policy) QValues(obs, dst []float32) {
	for a, q := range p.Row(p.states.index(obs)) {
		dst[a] = float32(q)
	}
}

// StateOf returns the state index of an observation.
func (p *Policy) StateOf(obs []float32) int { return p.states.index(obs) }
