package tabular

import "github.com/gorl/gorl/env"

// Q-learning (Watkins 1989; Sutton & Barto, section 6.5) learns the optimal action values
// whatever the behaviour policy, by bootstrapping from the best action of the next state:
//
//	Q(S, A) ← Q(S, A) + α [R + γ max_a Q(S', a) − Q(S, A)]
//
// With eligibility traces it is Watkins's Q(λ) (section 12.10): the traces are cut after an
// exploratory action, since the return that follows is no longer the greedy policy's. On
// CliffWalking it learns the optimal path along the cliff edge, and falls off now and then
// while exploring (Example 6.6).

// NewQLearning returns a Q-learning agent (New with QLearning).
func NewQLearning(cfg Config, e env.Env, totalSteps int64, seed uint64) (*Agent, error) {
	return New(QLearning, cfg, e.ObservationSpace(), e.ActionSpace(), totalSteps, seed)
}

// qlearningBootstrap is the value of the next state for Q-learning: max_a Q(s2, a).
func (ag *Agent) qlearningBootstrap(s2 int) float64 {
	row := ag.Q[s2*ag.NumActions : (s2+1)*ag.NumActions]
	m := row[0]
	for _, q := range row[1:] {
		if q > m {
			m = q
		}
	}
	return m
}
