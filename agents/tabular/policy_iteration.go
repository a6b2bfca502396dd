package tabular

import (
	"math"

	"github.com/gorl/gorl/env"
)

// Policy iteration (Howard 1960; Sutton & Barto, section 4.3) alternates policy evaluation and
// greedy policy improvement until the policy is stable; a finite MDP has finitely many
// deterministic policies and each improvement is strict, so it ends after few rounds.
//
// It starts from the uniform random policy, as REINFORCEjs's DP agent does, so that with γ = 1
// the first policy evaluated ends its episodes wherever the goal can be reached at all; each
// improvement keeps the current action on ties, so that the policy cannot cycle between equally
// good actions. The evaluation sweeps and the improvement are Planner.policySweep (planner.go).

// PolicyIteration returns the optimal values and a greedy optimal policy.
func PolicyIteration(m env.Model, cfg PlanConfig) (*Plan, error) {
	p, err := NewPlanner(PolicyIterationName, m, cfg)
	if err != nil {
		return nil, err
	}
	return p.Run()
}

// tieTolerance is how much better an action must look to replace the current one: a few
// times the evaluation's convergence threshold, relative to the value's size.
func tieTolerance(cfg PlanConfig, q float64) float64 {
	if math.IsInf(q, 0) {
		return 0
	}
	return 10*cfg.Theta + 1e-12*math.Abs(q)
}
