package tabular

import "github.com/gorl/gorl/env"

// Value iteration (Bellman 1957; Sutton & Barto, section 4.4) sweeps the Bellman optimality
// equation until it is a fixed point,
//
//	V(s) ← max_a Σ_{s',r} p(s', r | s, a) [r + γ V(s')]
//
// updating V in place, and returns the greedy policy of the result. When the last sweep
// changes no value by more than Theta (relative to the values' size above 1), V is within
// Theta·γ/(1−γ) of the optimal values. The sweep itself is Planner.valueSweep (planner.go).

// ValueIteration returns the optimal values and a greedy optimal policy.
func ValueIteration(m env.Model, cfg PlanConfig) (*Plan, error) {
	p, err := NewPlanner(ValueIterationName, m, cfg)
	if err != nil {
		return nil, err
	}
	return p.Run()
}
