package tabular

import (
	"fmt"

	"github.com/gorl/gorl/env"
)

// PlanConfig holds the parameters of the dynamic-programming planners (policy evaluation,
// policy iteration, value iteration).
type PlanConfig struct {
	// Gamma is the discount factor γ. Default 0.99. With γ = 1 the planners need every policy
	// they evaluate to end its episodes (CliffWalking's and FrozenLake's do from the uniform
	// random policy on).
	Gamma float64 `yaml:"gamma"`
	// Theta is the convergence threshold: a sweep that changes no state value by more than
	// Theta (times the largest |value| when that exceeds 1, since float64 resolves values
	// only relative to their size) ends the iteration. Default 1e-10.
	Theta float64 `yaml:"theta"`
	// MaxSweeps bounds the number of sweeps over the states (of value iteration, or of each
	// policy evaluation). Default 100000.
	MaxSweeps int `yaml:"max_sweeps"`
}

// DefaultPlanConfig returns the defaults documented on PlanConfig.
func DefaultPlanConfig() PlanConfig {
	return PlanConfig{Gamma: 0.99, Theta: 1e-10, MaxSweeps: 100_000}
}

// Validate checks the values (rlrun calls it when it resolves a config); the planners call it
// too.
func (c PlanConfig) Validate() error {
	if !(c.Gamma >= 0 && c.Gamma <= 1) {
		return fmt.Errorf("tabular: gamma = %v; want a value in [0, 1]", c.Gamma)
	}
	if !(c.Theta > 0) {
		return fmt.Errorf("tabular: theta = %v; want a positive threshold", c.Theta)
	}
	if c.MaxSweeps < 1 {
		return fmt.Errorf("tabular: max_sweeps = %d; want at least 1", c.MaxSweeps)
	}
	return nil
}

// Plan is the result of a planner: the state values, the action values and a greedy policy.
type Plan struct {
	// V holds the state values.
	V []float64
	// Q holds the action values, one step of lookahead from V.
	Q *Table
	// Policy is greedy with respect to Q (the first best action on ties).
	Policy []int
	// Iterations is the number of value-iteration sweeps, or of policy-improvement rounds.
	Iterations int
	// Sweeps is the total number of sweeps over the states.
	Sweeps int
}

// backup returns Σ_outcomes p·(r + γ·V(s')) for action a in state s, not bootstrapping from
// terminal transitions.
func backup(m env.Model, v []float64, gamma float64, s, a int) float64 {
	q := 0.0
	for _, tr := range m.Transitions(s, a) {
		x := tr.Reward
		if !tr.Terminated {
			x += gamma * v[tr.Next]
		}
		q += tr.Prob * x
	}
	return q
}

// converged reports whether a sweep whose largest change was delta, over values up to size
// in magnitude, meets the threshold theta.
func converged(delta, size, theta float64) bool { return delta <= theta*max(1, size) }

// notConverged is the error of a planner that ran out of sweeps.
func notConverged(what string, sweeps int, delta, theta float64) error {
	return fmt.Errorf("tabular: %s did not converge in %d sweeps (the last changed a value by %g > theta = %g); "+
		"raise max_sweeps, or with gamma = 1 check that the policies end their episodes", what, sweeps, delta, theta)
}

// RunPlanner runs the planner named name (ValueIterationName or PolicyIterationName), for
// callers that pick it from a command line (`rlrun train valueiteration taxi`).
func RunPlanner(name string, m env.Model, cfg PlanConfig) (*Plan, error) {
	switch name {
	case ValueIterationName:
		return ValueIteration(m, cfg)
	case PolicyIterationName:
		return PolicyIteration(m, cfg)
	}
	return nil, fmt.Errorf("tabular: unknown planner %q; want %q or %q", name, ValueIterationName, PolicyIterationName)
}
