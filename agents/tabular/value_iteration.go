package tabular

import (
	"math"

	"github.com/gorl/gorl/env"
)

// Value iteration (Bellman 1957; Sutton & Barto, section 4.4) sweeps the Bellman optimality
// equation until it is a fixed point,
//
//	V(s) ← max_a Σ_{s',r} p(s', r | s, a) [r + γ V(s')]
//
// updating V in place, and returns the greedy policy of the result. When the last sweep
// changes no value by more than Theta (relative to the values' size above 1), V is within
// Theta·γ/(1−γ) of the optimal values.

// ValueIteration returns the optimal values and a greedy optimal policy.
func ValueIteration(m env.Model, cfg PlanConfig) (*Plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nS, nA := m.NumStates(), m.NumActions()
	v := make([]float64, nS)
	plan := &Plan{}
	delta := 0.0
	for {
		plan.Iterations++
		delta = 0
		size := 0.0
		for s := 0; s < nS; s++ {
			best := math.Inf(-1)
			for a := 0; a < nA; a++ {
				best = max(best, backup(m, v, cfg.Gamma, s, a))
			}
			delta = max(delta, math.Abs(best-v[s]))
			size = max(size, math.Abs(best))
			v[s] = best
		}
		if converged(delta, size, cfg.Theta) {
			break
		}
		if plan.Iterations >= cfg.MaxSweeps || math.IsNaN(delta) {
			return nil, notConverged("value iteration", plan.Iterations, delta, cfg.Theta)
		}
	}
	plan.Sweeps = plan.Iterations
	plan.V = v
	plan.Q = lookahead(m, v, cfg.Gamma)
	plan.Policy = plan.Q.Policy()
	return plan, nil
}
