package grid

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// model is a finite MDP stored flat: the outcomes of (s, a) are trans[off[s*nA+a]:off[s*nA+a+1]],
// in Gymnasium's order. One contiguous slice keeps Step to a couple of cache lines.
type model struct {
	nS, nA int
	off    []int32
	trans  []env.Transition
	// probs holds each outcome's probability boxed once, so that Step can put it in the
	// reused info map without allocating.
	probs []any
	isd   []float64
}

// modelBuilder collects P[s][a] in order, state by state and action by action.
type modelBuilder struct {
	m *model
}

func newModelBuilder(nS, nA int) modelBuilder {
	return modelBuilder{m: &model{nS: nS, nA: nA, off: make([]int32, 1, nS*nA+1)}}
}

// add appends one outcome to the (s, a) pair being built.
func (b modelBuilder) add(p float64, next int, reward float64, terminated bool) {
	b.m.trans = append(b.m.trans, env.Transition{Prob: p, Next: next, Reward: reward, Terminated: terminated})
}

// next closes the outcome list of the current (s, a) pair.
func (b modelBuilder) next() {
	b.m.off = append(b.m.off, int32(len(b.m.trans)))
}

// done checks the model is complete and returns it with the initial-state distribution isd.
func (b modelBuilder) done(isd []float64) *model {
	m := b.m
	if len(m.off) != m.nS*m.nA+1 || len(isd) != m.nS {
		panic(fmt.Sprintf("grid: model has %d (s,a) lists and %d initial probabilities for %d states × %d actions", len(m.off)-1, len(isd), m.nS, m.nA))
	}
	m.isd = isd
	m.probs = make([]any, len(m.trans))
	for i, t := range m.trans {
		m.probs[i] = t.Prob
	}
	return m
}

func (m *model) NumStates() int                 { return m.nS }
func (m *model) NumActions() int                { return m.nA }
func (m *model) InitialDistribution() []float64 { return m.isd }
func (m *model) Transitions(s, a int) []env.Transition {
	i := s*m.nA + a
	return m.trans[m.off[i]:m.off[i+1]]
}

// categorical samples an index from probabilities p exactly as Gymnasium's categorical_sample:
// the first index whose cumulative sum exceeds u, a uniform draw from [0, 1). Like NumPy's
// argmax of an all-false array, it returns 0 when rounding leaves the total at or below u.
func categorical(p []float64, u float64) int {
	c := 0.0
	for i, x := range p {
		c += x
		if c > u {
			return i
		}
	}
	return 0
}

// sample picks the outcome of (s, a) and returns its index into m.trans.
func (m *model) sample(s, a int, u float64) int {
	i := s*m.nA + a
	lo, hi := int(m.off[i]), int(m.off[i+1])
	if hi-lo == 1 {
		return lo
	}
	c := 0.0
	for j := lo; j < hi; j++ {
		c += m.trans[j].Prob
		if c > u {
			return j
		}
	}
	return lo
}

// toyText is the engine shared by the envs with a transition model (FrozenLake, CliffWalking,
// Taxi, GridWorld): Gymnasium's DiscreteEnv pattern, state s, sampling from P on each step.
type toyText struct {
	name string
	*model
	rng        *rand.Rand
	s          int
	lastAction int // -1 after Reset, as Gymnasium's lastaction = None
	ready      bool
	obs        [1]float32
	info       env.Info
	obsSpace   env.Discrete
	actSpace   env.Discrete
}

func newToyText(name string, m *model) toyText {
	return toyText{
		name:       name,
		model:      m,
		lastAction: -1,
		info:       env.Info{"prob": 1.0},
		obsSpace:   env.NewDiscrete(m.nS),
		actSpace:   env.NewDiscrete(m.nA),
	}
}

// reseed applies env.Env's seeding rule: a seed replaces the generator, no seed continues it,
// and an env never seeded draws a random seed.
func reseed(r **rand.Rand, seed *uint64) {
	switch {
	case seed != nil:
		*r = env.NewRand(*seed)
	case *r == nil:
		*r = env.NewRand(rand.Uint64())
	}
}

// ResetIndex starts an episode and returns the initial state: the fast path of Reset, without
// the observation slice and info map (agents/tabular uses it).
func (t *toyText) ResetIndex(seed *uint64) int {
	reseed(&t.rng, seed)
	t.s = categorical(t.isd, t.rng.Float64())
	t.lastAction = -1
	t.ready = true
	return t.s
}

// StepIndex applies action a and returns the next state, the reward and terminated: the fast
// path of Step (the toy-text envs never truncate by themselves). It panics on an invalid action.
func (t *toyText) StepIndex(a int) (next int, reward float64, terminated bool) {
	if uint(a) >= uint(t.nA) {
		panic(fmt.Sprintf("grid: %s.StepIndex: action %d is not in Discrete(%d)", t.name, a, t.nA))
	}
	if !t.ready {
		panic(fmt.Sprintf("grid: %s.Step called before Reset", t.name))
	}
	j := t.sample(t.s, a, t.rng.Float64())
	tr := &t.trans[j]
	t.s = tr.Next
	t.lastAction = a
	return tr.Next, tr.Reward, tr.Terminated
}

func (t *toyText) Reset(seed *uint64) ([]float32, env.Info) {
	s := t.ResetIndex(seed)
	t.obs[0] = float32(s)
	t.info["prob"] = oneProb
	return t.obs[:], t.info
}

// oneProb is info["prob"] after Reset (Gymnasium's {"prob": 1}), boxed once.
var oneProb any = 1.0

func (t *toyText) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	a := discreteAction(t.name, action, t.nA)
	if !t.ready {
		panic(fmt.Sprintf("grid: %s.Step called before Reset", t.name))
	}
	j := t.sample(t.s, a, t.rng.Float64())
	tr := &t.trans[j]
	t.s = tr.Next
	t.lastAction = a
	t.obs[0] = float32(tr.Next)
	t.info["prob"] = t.probs[j]
	return t.obs[:], tr.Reward, tr.Terminated, false, t.info
}

func (t *toyText) ObservationSpace() env.Space { return t.obsSpace }
func (t *toyText) ActionSpace() env.Space      { return t.actSpace }
func (t *toyText) Close() error                { return nil }

// State returns the current state index as a one-element slice (Gymnasium's env.unwrapped.s).
func (t *toyText) State() []float64 { return []float64{float64(t.s)} }

// SetState puts the env in state state[0], as assigning env.unwrapped.s does in Gymnasium.
func (t *toyText) SetState(state []float64) error {
	if len(state) != 1 {
		return fmt.Errorf("grid: %s.SetState: got %d values; want 1 (the state index)", t.name, len(state))
	}
	s := int(state[0])
	if float64(s) != state[0] || s < 0 || s >= t.nS {
		return fmt.Errorf("grid: %s.SetState: state %v is not in Discrete(%d)", t.name, state[0], t.nS)
	}
	if t.rng == nil {
		t.rng = env.NewRand(rand.Uint64())
	}
	t.s = s
	t.lastAction = -1
	t.ready = true
	return nil
}

// discreteAction returns the index carried by a Discrete(n) action and panics, naming the env,
// for anything else: stepping with an invalid action is a contract violation.
func discreteAction(envName string, action []float32, n int) int {
	if len(action) != 1 {
		panic(fmt.Sprintf("grid: %s.Step: action has %d elements; want 1 (a Discrete(%d) index)", envName, len(action), n))
	}
	a := action[0]
	i := int(a)
	if float32(i) != a || i < 0 || i >= n {
		panic(fmt.Sprintf("grid: %s.Step: action %v is not in Discrete(%d)", envName, a, n))
	}
	return i
}
