package tabular

import (
	"fmt"
	"math"

	"github.com/gorl/gorl/env"
)

// EvalResult summarizes the episodes of a policy.
type EvalResult struct {
	Episodes int
	// MeanReturn and StdReturn are the mean and the (population) standard deviation of the
	// episodes' undiscounted returns.
	MeanReturn, StdReturn float64
	// MeanLength is the mean number of steps of an episode.
	MeanLength float64
	// SuccessRate is the fraction of episodes that terminated with a positive last reward:
	// for FrozenLake, those that reached the goal (eval.json's success_rate).
	SuccessRate float64
}

// Evaluate runs a deterministic policy (an action per state index, such as Table.Policy) for
// the given number of episodes, the first reset with seed and the others continuing its random
// stream, and summarizes them. Episodes end when the env terminates or truncates, so e needs a
// time limit (Make adds it) when the policy may never finish.
func Evaluate(e env.Env, policy []int, episodes int, seed uint64) (EvalResult, error) {
	enc, err := newStateEncoder(e.ObservationSpace())
	if err != nil {
		return EvalResult{}, err
	}
	if len(policy) != enc.n {
		return EvalResult{}, fmt.Errorf("tabular: Evaluate: a policy of %d states for an env of %d", len(policy), enc.n)
	}
	if episodes < 1 {
		return EvalResult{}, fmt.Errorf("tabular: Evaluate: %d episodes; want at least 1", episodes)
	}
	var elapsed int
	st := newStepper(e, enc, &elapsed)
	var sum, sumSq, steps float64
	successes := 0
	for ep := 0; ep < episodes; ep++ {
		var sp *uint64
		if ep == 0 {
			sp = &seed
		}
		s := st.reset(sp)
		ret := 0.0
		for {
			s2, r, term, trunc := st.step(policy[s])
			ret += r
			steps++
			if term && r > 0 {
				successes++
			}
			if term || trunc {
				break
			}
			s = s2
		}
		sum += ret
		sumSq += ret * ret
	}
	n := float64(episodes)
	mean := sum / n
	return EvalResult{
		Episodes:    episodes,
		MeanReturn:  mean,
		StdReturn:   math.Sqrt(max(0, sumSq/n-mean*mean)),
		MeanLength:  steps / n,
		SuccessRate: float64(successes) / n,
	}, nil
}

// checkPolicy validates a deterministic policy against a model.
func checkPolicy(m env.Model, policy []int) error {
	if len(policy) != m.NumStates() {
		return fmt.Errorf("tabular: a policy of %d states for a model of %d", len(policy), m.NumStates())
	}
	for s, a := range policy {
		if a < 0 || a >= m.NumActions() {
			return fmt.Errorf("tabular: policy[%d] = %d is not an action of %d", s, a, m.NumActions())
		}
	}
	return nil
}

// SuccessProbability returns the exact probability, computed from the model, that an episode
// started from the initial-state distribution and following policy terminates with a positive
// reward (FrozenLake: reaches the goal) within horizon steps: the success rate Evaluate
// estimates under a time limit of horizon.
func SuccessProbability(m env.Model, policy []int, horizon int) (float64, error) {
	p := 0.0
	err := forward(m, policy, horizon, func(t int, mass float64, tr env.Transition) {
		if tr.Terminated && tr.Reward > 0 {
			p += mass
		}
	})
	return p, err
}

// ExpectedReturn returns the exact expected undiscounted return, computed from the model, of
// an episode started from the initial-state distribution and following policy for at most
// horizon steps: the mean return Evaluate estimates under a time limit of horizon.
func ExpectedReturn(m env.Model, policy []int, horizon int) (float64, error) {
	ret := 0.0
	err := forward(m, policy, horizon, func(t int, mass float64, tr env.Transition) {
		ret += mass * tr.Reward
	})
	return ret, err
}

// forward propagates the state distribution of the episode for horizon steps, calling visit
// with the probability mass of every transition taken; mass that terminates leaves the
// distribution.
func forward(m env.Model, policy []int, horizon int, visit func(t int, mass float64, tr env.Transition)) error {
	if err := checkPolicy(m, policy); err != nil {
		return err
	}
	d := append([]float64(nil), m.InitialDistribution()...)
	next := make([]float64, len(d))
	for t := 0; t < horizon; t++ {
		clear(next)
		for s, ps := range d {
			if ps == 0 {
				continue
			}
			for _, tr := range m.Transitions(s, policy[s]) {
				mass := ps * tr.Prob
				visit(t, mass, tr)
				if !tr.Terminated {
					next[tr.Next] += mass
				}
			}
		}
		d, next = next, d
	}
	return nil
}
