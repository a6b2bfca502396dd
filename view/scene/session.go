package scene

import (
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
	"github.com/gorl/gorl/run"
)

// Session is one env being shown: the current episode and its counters, and the returns of
// the episodes finished so far (the HUD's plot). It steps only when told to, with whatever
// action the caller chose (a policy, a person); it never steps a finished episode.
type Session struct {
	// ID is the env's registered ID.
	ID  string
	Env env.Env
	// Seed gives the seed of each episode's Reset (episode 0, 1, ...).
	Seed func(episode int) uint64

	// Episode is the current episode's index, Steps its steps so far, Return the sum of its
	// rewards and Reward the last one.
	Episode int
	Steps   int
	Return  float64
	Reward  float64
	// Terminated and Truncated say how the current episode ended (neither while it runs).
	Terminated, Truncated bool
	// Returns are the returns of the finished episodes, oldest first.
	Returns []float64
	// Action is the last action taken and Label its name ("" before the first step).
	Action []float32
	Label  string
	// Version counts the changes of the env's state (steps and resets): a frame drawn at one
	// version need not be drawn again.
	Version uint64
	// Total counts the steps of every episode.
	Total int64

	obs []float32
}

// NewSession wraps e and starts episode 0.
func NewSession(id string, e env.Env, seed func(episode int) uint64) *Session {
	s := &Session{ID: canonicalID(id), Env: e, Seed: seed, Action: make([]float32, e.ActionSpace().Dim())}
	s.Episode = -1
	s.Reset()
	return s
}

// Reset starts the next episode (abandoning the current one if it has not finished: only
// finished episodes count in Returns).
func (s *Session) Reset() {
	s.Episode++
	seed := s.Seed(s.Episode)
	obs, _ := s.Env.Reset(&seed)
	s.obs = append(s.obs[:0], obs...)
	s.Steps, s.Return, s.Reward = 0, 0, 0
	s.Terminated, s.Truncated = false, false
	s.Label = ""
	clear(s.Action)
	s.Version++
}

// Obs returns the current observation (the Session's copy: valid until the next Step or
// Reset).
func (s *Session) Obs() []float32 { return s.obs }

// Over reports whether the current episode has ended.
func (s *Session) Over() bool { return s.Terminated || s.Truncated }

// Step takes one step with action, named label, and reports whether the episode is over.
// A finished episode is not stepped.
func (s *Session) Step(action []float32, label string) bool {
	if s.Over() {
		return true
	}
	copy(s.Action, action)
	s.Label = label
	obs, r, term, trunc, _ := s.Env.Step(s.Action)
	s.obs = append(s.obs[:0], obs...)
	s.Steps++
	s.Total++
	s.Reward = r
	s.Return += r
	s.Terminated, s.Truncated = term, trunc
	s.Version++
	if s.Over() {
		s.Returns = append(s.Returns, s.Return)
	}
	return s.Over()
}

// Status is the episode's state in words, for the HUD.
func (s *Session) Status() string {
	switch {
	case s.Terminated:
		return "terminated"
	case s.Truncated:
		return "truncated"
	}
	return "running"
}

// Agent acts with a policy and keeps what the HUD shows about its choice: the action values
// (run.QValuer), the action probabilities (run.ActionProber) and the state value
// (run.ValueEstimator), whichever the policy has. With Epsilon > 0 it explores ε-greedily, as
// a learning agent does; the viewer shows the greedy policy at ε = 0.
type Agent struct {
	Policy  run.Policy
	Epsilon float64
	// Q, Probs and Value are about the last observation acted on; Q and Probs are nil when
	// the policy does not provide them, HasValue false without a value estimate.
	Q, Probs []float32
	Value    float32
	HasValue bool
	// Explored reports whether the last action was a random one.
	Explored bool

	space env.Space
	rng   *rand.Rand
}

// NewAgent returns an Agent acting with p in an env whose action space is act; seed drives
// its exploration.
func NewAgent(p run.Policy, act env.Space, seed uint64) *Agent {
	a := &Agent{Policy: p, space: act, rng: env.NewRand(seed)}
	if d, ok := act.(env.Discrete); ok {
		if _, ok := p.(run.QValuer); ok {
			a.Q = make([]float32, d.N)
		}
		if _, ok := p.(run.ActionProber); ok {
			a.Probs = make([]float32, d.N)
		}
	}
	return a
}

// Act writes the action for obs into dst.
func (a *Agent) Act(obs, dst []float32) {
	if a.Q != nil {
		a.Policy.(run.QValuer).QValues(obs, a.Q)
	}
	if a.Probs != nil {
		a.Policy.(run.ActionProber).ActionProbs(obs, a.Probs)
	}
	if v, ok := a.Policy.(run.ValueEstimator); ok {
		a.Value, a.HasValue = v.Value(obs), true
	}
	a.Explored = a.Epsilon > 0 && a.rng.Float64() < a.Epsilon
	if a.Explored {
		a.space.Sample(a.rng, dst)
		return
	}
	a.Policy.Act(obs, dst)
}

// Overlay paints a grid world's cells with a policy's state values and greedy actions
// (grid.Overlayer), the way REINFORCEjs shows an agent learning: for each state s it asks the
// policy for Q(s, ·) (value max Q, arrow argmax) or, for a policy-gradient agent, π(·|s)
// (arrow argmax) and V(s).
type Overlay struct {
	values []float64
	policy []int
	buf    []float32
	obs    [1]float32
}

// Update recomputes the overlay of e from p. It returns false, doing nothing, when e is not
// a grid world with an overlay (or its observations are not its cells) or p has neither
// action values nor action probabilities.
func (o *Overlay) Update(e env.Env, p run.Policy) bool {
	ov, ok := env.Unwrapped(e).(grid.Overlayer)
	obs, ok2 := e.ObservationSpace().(env.Discrete)
	act, ok3 := e.ActionSpace().(env.Discrete)
	if !ok || !ok2 || !ok3 {
		return false
	}
	q, isQ := p.(run.QValuer)
	pr, isP := p.(run.ActionProber)
	if !isQ && !isP {
		return false
	}
	ve, hasV := p.(run.ValueEstimator)
	if len(o.values) != obs.N || len(o.buf) != act.N {
		o.values, o.policy, o.buf = make([]float64, obs.N), make([]int, obs.N), make([]float32, act.N)
	}
	for s := range obs.N {
		o.obs[0] = float32(obs.Start + s)
		if isQ {
			q.QValues(o.obs[:], o.buf)
		} else {
			pr.ActionProbs(o.obs[:], o.buf)
		}
		best := 0
		for i, v := range o.buf {
			if v > o.buf[best] {
				best = i
			}
		}
		o.policy[s] = best
		switch {
		case isQ:
			o.values[s] = float64(o.buf[best])
		case hasV:
			o.values[s] = float64(ve.Value(o.obs[:]))
		default:
			o.values[s] = float64(o.buf[best])
		}
	}
	if isQ || hasV {
		ov.SetOverlay(o.values, o.policy)
	} else {
		ov.SetOverlay(nil, o.policy)
	}
	return true
}

// Values returns the state values of the last Update (for tests and the HUD).
func (o *Overlay) Values() []float64 { return o.values }
