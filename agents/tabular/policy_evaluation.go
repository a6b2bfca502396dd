package tabular

import (
	"fmt"
	"math"

	"github.com/gorl/gorl/env"
)

// Policy evaluation (Sutton & Barto, section 4.1) computes the state values of a policy from
// the model by sweeping the Bellman expectation equation until it is a fixed point:
//
//	V(s) ← Σ_a π(a|s) Σ_{s',r} p(s', r | s, a) [r + γ V(s')]
//
// The sweeps update V in place (the book's in-place variant, which converges faster than
// keeping two arrays) until no value changes by more than Theta.

// PolicyEvaluation returns the state values of the stochastic policy pi, given as the
// probability of each action in each state (row-major, NumStates × NumActions; see
// DeterministicPolicy and UniformPolicy), and the number of sweeps it took.
func PolicyEvaluation(m env.Model, pi []float64, cfg PlanConfig) ([]float64, int, error) {
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	nS, nA := m.NumStates(), m.NumActions()
	if len(pi) != nS*nA {
		return nil, 0, fmt.Errorf("tabular: PolicyEvaluation: a policy of %d probabilities for %d states × %d actions", len(pi), nS, nA)
	}
	v := make([]float64, nS)
	sweeps, err := evaluateSweeps(m, pi, v, cfg)
	if err != nil {
		return nil, sweeps, err
	}
	return v, sweeps, nil
}

// evaluateSweeps runs policy evaluation in place from the values in v and returns the number
// of sweeps.
func evaluateSweeps(m env.Model, pi []float64, v []float64, cfg PlanConfig) (int, error) {
	delta := 0.0
	for sweep := 1; sweep <= cfg.MaxSweeps; sweep++ {
		var size float64
		delta, size = evaluationSweep(m, pi, v, cfg.Gamma)
		if math.IsNaN(delta) || math.IsInf(delta, 0) {
			return sweep, fmt.Errorf("tabular: policy evaluation diverged at sweep %d", sweep)
		}
		if converged(delta, size, cfg.Theta) {
			return sweep, nil
		}
	}
	return cfg.MaxSweeps, notConverged("policy evaluation", cfg.MaxSweeps, delta, cfg.Theta)
}

// evaluationSweep updates every value of v in place once with the Bellman expectation
// equation of pi and returns the largest change and the largest |value|.
func evaluationSweep(m env.Model, pi []float64, v []float64, gamma float64) (delta, size float64) {
	nS, nA := m.NumStates(), m.NumActions()
	for s := 0; s < nS; s++ {
		x := 0.0
		for a := 0; a < nA; a++ {
			if p := pi[s*nA+a]; p != 0 {
				x += p * backup(m, v, gamma, s, a)
			}
		}
		delta = max(delta, math.Abs(x-v[s]))
		size = max(size, math.Abs(x))
		v[s] = x
	}
	return delta, size
}

// DeterministicPolicy returns the probability matrix of the policy that takes action
// policy[s] in state s.
func DeterministicPolicy(policy []int, nA int) []float64 {
	pi := make([]float64, len(policy)*nA)
	for s, a := range policy {
		pi[s*nA+a] = 1
	}
	return pi
}

// UniformPolicy returns the probability matrix of the uniform random policy.
func UniformPolicy(nS, nA int) []float64 {
	pi := make([]float64, nS*nA)
	for i := range pi {
		pi[i] = 1 / float64(nA)
	}
	return pi
}
