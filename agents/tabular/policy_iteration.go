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
// good actions.

// PolicyIteration returns the optimal values and a greedy optimal policy.
func PolicyIteration(m env.Model, cfg PlanConfig) (*Plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nS, nA := m.NumStates(), m.NumActions()
	v := make([]float64, nS)
	pi := UniformPolicy(nS, nA)
	policy := make([]int, nS)
	for i := range policy {
		policy[i] = -1 // no current action: the first improvement takes the first best one
	}
	plan := &Plan{}
	for {
		sweeps, err := evaluateSweeps(m, pi, v, cfg)
		plan.Sweeps += sweeps
		if err != nil {
			return nil, err
		}
		plan.Iterations++
		stable := true
		for s := 0; s < nS; s++ {
			best, bestQ := policy[s], math.Inf(-1)
			if best >= 0 {
				bestQ = backup(m, v, cfg.Gamma, s, best)
			}
			for a := 0; a < nA; a++ {
				// Switch only for a clear improvement: a difference at the level of the
				// evaluation's error is a tie.
				if q := backup(m, v, cfg.Gamma, s, a); q > bestQ+tieTolerance(cfg, bestQ) {
					best, bestQ = a, q
				}
			}
			if best != policy[s] {
				stable = false
				policy[s] = best
			}
		}
		if stable {
			break
		}
		pi = DeterministicPolicy(policy, nA)
	}
	plan.V = v
	plan.Q = lookahead(m, v, cfg.Gamma)
	plan.Policy = policy
	return plan, nil
}

// tieTolerance is how much better an action must look to replace the current one: a few
// times the evaluation's convergence threshold, relative to the value's size.
func tieTolerance(cfg PlanConfig, q float64) float64 {
	if math.IsInf(q, 0) {
		return 0
	}
	return 10*cfg.Theta + 1e-12*math.Abs(q)
}
