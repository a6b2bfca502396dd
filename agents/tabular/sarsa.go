package tabular

import "github.com/gorl/gorl/env"

// SARSA (Rummery & Niranjan 1994; Sutton & Barto, section 6.4) learns the action values of
// the policy it follows, ε-greedy included, by bootstrapping from the action it takes next:
//
//	Q(S, A) ← Q(S, A) + α [R + γ Q(S', A') − Q(S, A)]
//
// With eligibility traces it is SARSA(λ) (section 12.7). Because it counts the exploratory
// moves of its own policy, on CliffWalking it learns the safe path away from the cliff edge
// (Example 6.6).

// NewSARSA returns a SARSA agent (New with SARSA).
func NewSARSA(cfg Config, e env.Env, totalSteps int64, seed uint64) (*Agent, error) {
	return New(SARSA, cfg, e.ObservationSpace(), e.ActionSpace(), totalSteps, seed)
}

// sarsaBootstrap is the value of the next state for SARSA: Q(s2, a2) of the next action.
func (ag *Agent) sarsaBootstrap(s2, a2 int) float64 { return ag.Q[s2*ag.NumActions+a2] }
