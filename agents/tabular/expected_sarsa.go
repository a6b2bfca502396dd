package tabular

import "github.com/gorl/gorl/env"

// Expected SARSA (van Seijen et al. 2009; Sutton & Barto, section 6.6) bootstraps from the
// expected value of the next state under the ε-greedy policy instead of the sampled next
// action, which removes the variance of that sample:
//
//	Q(S, A) ← Q(S, A) + α [R + γ Σ_a π(a|S') Q(S', a) − Q(S, A)]
//
// Under ε-greedy, Σ_a π(a|S') Q(S', a) = ε·mean_a Q(S', a) + (1 − ε)·max_a Q(S', a), whichever
// greedy action the ties pick. With eligibility traces the traces decay by γλ as SARSA(λ)'s.

// NewExpectedSARSA returns an Expected SARSA agent (New with ExpectedSARSA).
func NewExpectedSARSA(cfg Config, e env.Env, totalSteps int64, seed uint64) (*Agent, error) {
	return New(ExpectedSARSA, cfg, e.ObservationSpace(), e.ActionSpace(), totalSteps, seed)
}

// expectedSARSABootstrap is the value of the next state for Expected SARSA: the expectation
// of Q(s2, ·) under the ε-greedy policy.
func (ag *Agent) expectedSARSABootstrap(s2 int, eps float64) float64 {
	row := ag.Q[s2*ag.NumActions : (s2+1)*ag.NumActions]
	m, sum := row[0], 0.0
	for _, q := range row {
		sum += q
		if q > m {
			m = q
		}
	}
	return eps*sum/float64(len(row)) + (1-eps)*m
}
