package tabular

// Dyna-Q (Sutton 1990; Sutton & Barto, section 8.2) learns a model of the environment from
// real steps and replays it: after each real update, PlanningSteps times, pick a state-action
// pair seen before uniformly at random, look up the last reward and next state it led to, and
// apply the agent's own one-step update to it. The model keeps the last outcome of each pair,
// exact for deterministic envs and a sample for stochastic ones. (REINFORCEjs's TDAgent orders
// its planning updates by priority, prioritized sweeping; uniform replay is the book's Dyna-Q.)
type dynaModel struct {
	next   []int32 // -1: never seen
	reward []float64
	term   []bool
	seen   []int32 // the pairs seen, in order of first visit
}

func newDynaModel(n int) dynaModel {
	m := dynaModel{next: make([]int32, n), reward: make([]float64, n), term: make([]bool, n)}
	for i := range m.next {
		m.next[i] = -1
	}
	return m
}

// remember records the outcome of pair sa.
func (m *dynaModel) remember(sa int, r float64, s2 int, terminated bool) {
	if m.next[sa] < 0 {
		m.seen = append(m.seen, int32(sa))
	}
	m.next[sa], m.reward[sa], m.term[sa] = int32(s2), r, terminated
}

// plan applies PlanningSteps simulated one-step updates (no traces: the simulated transitions
// are not a trajectory).
func (ag *Agent) plan(eps, alpha float64) {
	m := &ag.dyn
	for k := 0; k < ag.cfg.PlanningSteps; k++ {
		sa := int(m.seen[ag.rng.IntN(len(m.seen))])
		target := m.reward[sa]
		if !m.term[sa] {
			s2 := int(m.next[sa])
			var next float64
			switch ag.method {
			case QLearning:
				next = ag.qlearningBootstrap(s2)
			case SARSA:
				// The next action is sampled from the current ε-greedy policy.
				next = ag.sarsaBootstrap(s2, ag.behave(s2, eps))
			case ExpectedSARSA:
				next = ag.expectedSARSABootstrap(s2, eps)
			}
			target += ag.cfg.Gamma * next
		}
		ag.Q[sa] += alpha * (target - ag.Q[sa])
	}
}
