package tabular

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"slices"

	"github.com/gorl/gorl/env"
)

// Planner runs value iteration or policy iteration one sweep at a time, so that a caller can
// act, draw or save between sweeps: rlrun's planners play episodes with the greedy policy of
// the values so far while they converge, and the viewer can show the values spreading from the
// goal as REINFORCEjs's DP demo does. ValueIteration and PolicyIteration are loops over Sweep,
// so a Planner run to the end gives exactly their results.
type Planner struct {
	name string
	m    env.Model
	cfg  PlanConfig
	v    []float64

	// Policy iteration: the policy being evaluated (the uniform random policy before the
	// first improvement, then policy's) and the sweeps of its evaluation so far.
	pi         []float64
	policy     []int // -1 before the first improvement
	evalSweeps int

	iterations, sweeps int
	done               bool
}

// SweepStats describes one sweep of a Planner.
type SweepStats struct {
	// Delta is the largest change of a state value in the sweep (the Bellman residual).
	Delta float64
	// Improved reports that the sweep ended a policy evaluation, which was then followed by a
	// greedy improvement (policy iteration only); PolicyChanges is the number of states whose
	// action that improvement changed.
	Improved      bool
	PolicyChanges int
	// Done reports that the planner has converged: value iteration's sweep changed no value by
	// more than Theta, or policy iteration's improvement left the policy unchanged.
	Done bool
}

// NewPlanner returns a planner named name (ValueIterationName or PolicyIterationName) for the
// model m, with all state values 0 and no sweep done.
func NewPlanner(name string, m env.Model, cfg PlanConfig) (*Planner, error) {
	if name != ValueIterationName && name != PolicyIterationName {
		return nil, fmt.Errorf("tabular: unknown planner %q; want %q or %q", name, ValueIterationName, PolicyIterationName)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	nS, nA := m.NumStates(), m.NumActions()
	if nS < 1 || nA < 1 {
		return nil, fmt.Errorf("tabular: a model of %d states and %d actions", nS, nA)
	}
	p := &Planner{name: name, m: m, cfg: cfg, v: make([]float64, nS)}
	if name == PolicyIterationName {
		p.pi = UniformPolicy(nS, nA)
		p.policy = make([]int, nS)
		for i := range p.policy {
			p.policy[i] = -1 // no current action: the first improvement takes the first best one
		}
	}
	return p, nil
}

// Name returns the planner's name.
func (p *Planner) Name() string { return p.name }

// Done reports whether the planner has converged; further sweeps change nothing.
func (p *Planner) Done() bool { return p.done }

// Sweeps returns the number of sweeps over the states so far.
func (p *Planner) Sweeps() int { return p.sweeps }

// Iterations returns the number of value-iteration sweeps, or of policy improvements.
func (p *Planner) Iterations() int { return p.iterations }

// Values returns the current state values (a view, changed by the next Sweep).
func (p *Planner) Values() []float64 { return p.v }

// Sweep runs one sweep over the states: for value iteration a Bellman optimality sweep, for
// policy iteration a sweep of the current policy's evaluation, followed by a greedy
// improvement when the evaluation has converged. After convergence it does nothing and
// reports Done. It returns an error when the sweeps run out (MaxSweeps of value iteration, or
// of one policy evaluation) or the values diverge; the planner is then stuck.
func (p *Planner) Sweep() (SweepStats, error) {
	if p.done {
		return SweepStats{Done: true}, nil
	}
	if p.name == ValueIterationName {
		return p.valueSweep()
	}
	return p.policySweep()
}

// valueSweep is one sweep of value iteration (value_iteration.go).
func (p *Planner) valueSweep() (SweepStats, error) {
	m, g := p.m, p.cfg.Gamma
	nS, nA := m.NumStates(), m.NumActions()
	p.iterations++
	p.sweeps++
	delta, size := 0.0, 0.0
	for s := 0; s < nS; s++ {
		best := math.Inf(-1)
		for a := 0; a < nA; a++ {
			best = max(best, backup(m, p.v, g, s, a))
		}
		delta = max(delta, math.Abs(best-p.v[s]))
		size = max(size, math.Abs(best))
		p.v[s] = best
	}
	st := SweepStats{Delta: delta}
	if converged(delta, size, p.cfg.Theta) {
		p.done, st.Done = true, true
		return st, nil
	}
	if p.iterations >= p.cfg.MaxSweeps || math.IsNaN(delta) {
		return st, notConverged("value iteration", p.iterations, delta, p.cfg.Theta)
	}
	return st, nil
}

// policySweep is one sweep of policy iteration (policy_iteration.go): an evaluation sweep
// (policy_evaluation.go) and, once the evaluation has converged, an improvement.
func (p *Planner) policySweep() (SweepStats, error) {
	m, g := p.m, p.cfg.Gamma
	nS, nA := m.NumStates(), m.NumActions()
	p.sweeps++
	p.evalSweeps++
	delta, size := evaluationSweep(m, p.pi, p.v, g)
	st := SweepStats{Delta: delta}
	if math.IsNaN(delta) || math.IsInf(delta, 0) {
		return st, fmt.Errorf("tabular: policy evaluation diverged at sweep %d", p.evalSweeps)
	}
	if !converged(delta, size, p.cfg.Theta) {
		if p.evalSweeps >= p.cfg.MaxSweeps {
			return st, notConverged("policy evaluation", p.cfg.MaxSweeps, delta, p.cfg.Theta)
		}
		return st, nil
	}
	p.evalSweeps = 0
	p.iterations++
	st.Improved = true
	for s := 0; s < nS; s++ {
		best, bestQ := p.policy[s], math.Inf(-1)
		if best >= 0 {
			bestQ = backup(m, p.v, g, s, best)
		}
		for a := 0; a < nA; a++ {
			// Switch only for a clear improvement: a difference at the level of the
			// evaluation's error is a tie.
			if q := backup(m, p.v, g, s, a); q > bestQ+tieTolerance(p.cfg, bestQ) {
				best, bestQ = a, q
			}
		}
		if best != p.policy[s] {
			st.PolicyChanges++
			p.policy[s] = best
		}
	}
	if st.PolicyChanges == 0 {
		p.done, st.Done = true, true
		return st, nil
	}
	p.pi = DeterministicPolicy(p.policy, nA)
	return st, nil
}

// Run sweeps until the planner converges (or fails) and returns the plan.
func (p *Planner) Run() (*Plan, error) {
	for !p.done {
		if _, err := p.Sweep(); err != nil {
			return nil, err
		}
	}
	return p.Plan(), nil
}

// Plan returns the current plan: a copy of the values, their one-step lookahead Q and its
// greedy policy (policy iteration: the improved policy, which keeps an action on ties, once
// there is one).
func (p *Planner) Plan() *Plan {
	plan := &Plan{V: slices.Clone(p.v), Q: p.Lookahead(nil), Iterations: p.iterations, Sweeps: p.sweeps}
	if p.name == PolicyIterationName && p.iterations > 0 {
		plan.Policy = slices.Clone(p.policy)
	} else {
		plan.Policy = plan.Q.Policy()
	}
	return plan
}

// Lookahead fills dst (a table of the model's size, or nil for a new one) with the one-step
// lookahead Q(s, a) of the current values and returns it.
func (p *Planner) Lookahead(dst *Table) *Table {
	nS, nA := p.m.NumStates(), p.m.NumActions()
	if dst == nil {
		dst = NewTable(nS, nA, 0)
	}
	if dst.NumStates != nS || dst.NumActions != nA {
		panic(fmt.Sprintf("tabular: Planner.Lookahead into a table of %d×%d; the model is %d×%d", dst.NumStates, dst.NumActions, nS, nA))
	}
	for s := 0; s < nS; s++ {
		row := dst.Row(s)
		for a := range row {
			row[a] = backup(p.m, p.v, p.cfg.Gamma, s, a)
		}
	}
	return dst
}

// plannerState is what MarshalBinary saves.
type plannerState struct {
	Name                  string
	NumStates, NumActions int
	V                     []float64
	Policy                []int
	EvalSweeps            int
	Iterations, Sweeps    int
	Done                  bool
}

// MarshalBinary encodes the planner's state (values, policy, counters), for rlrun's
// checkpoints.
func (p *Planner) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	st := plannerState{Name: p.name, NumStates: p.m.NumStates(), NumActions: p.m.NumActions(), V: p.v,
		Policy: p.policy, EvalSweeps: p.evalSweeps, Iterations: p.iterations, Sweeps: p.sweeps, Done: p.done}
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("tabular: saving the planner: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores a state MarshalBinary wrote into a planner built by NewPlanner with
// the same name and a model of the same size; anything else is an error that leaves the
// planner unchanged.
func (p *Planner) UnmarshalBinary(data []byte) error {
	var st plannerState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("tabular: not a saved planner state: %w", err)
	}
	nS, nA := p.m.NumStates(), p.m.NumActions()
	if st.Name != p.name || st.NumStates != nS || st.NumActions != nA || len(st.V) != nS {
		return fmt.Errorf("tabular: the saved state is of %s with %d states × %d actions; this planner is %s with %d × %d",
			st.Name, st.NumStates, st.NumActions, p.name, nS, nA)
	}
	if p.name == PolicyIterationName {
		if len(st.Policy) != nS {
			return fmt.Errorf("tabular: the saved policy iteration state has a policy of %d states; want %d", len(st.Policy), nS)
		}
		for s, a := range st.Policy {
			if a < -1 || a >= nA || (a < 0) != (st.Iterations == 0) {
				return fmt.Errorf("tabular: the saved policy iteration state has action %d in state %d after %d improvements", a, s, st.Iterations)
			}
		}
		copy(p.policy, st.Policy)
		if st.Iterations == 0 {
			p.pi = UniformPolicy(nS, nA)
		} else {
			p.pi = DeterministicPolicy(p.policy, nA)
		}
	}
	copy(p.v, st.V)
	p.evalSweeps, p.iterations, p.sweeps, p.done = st.EvalSweeps, st.Iterations, st.Sweeps, st.Done
	return nil
}
