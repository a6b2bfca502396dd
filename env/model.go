package env

// Transition is one possible outcome of taking an action in a state of a finite MDP: Gymnasium's
// (probability, next_state, reward, terminated) tuple of env.unwrapped.P[s][a].
type Transition struct {
	Prob       float64
	Next       int
	Reward     float64
	Terminated bool
}

// Model is implemented by envs with finitely many states and actions whose transition model is
// known, as Gymnasium's toy-text envs expose it in env.unwrapped.P. Planning agents (policy and
// value iteration) need nothing else, so they depend on this interface and not on any env.
//
// States and actions are the integers 0..NumStates()-1 and 0..NumActions()-1, the env's
// Discrete observations and actions.
type Model interface {
	NumStates() int
	NumActions() int
	// Transitions returns P[s][a]: every outcome of action a in state s, in Gymnasium's order
	// (which matters, because Step samples by the cumulative sum of the probabilities in this
	// order). Outcomes are not merged even when two lead to the same state. The slice belongs
	// to the model and must not be modified.
	Transitions(s, a int) []Transition
	// InitialDistribution returns the probability of each state at Reset (Gymnasium's
	// initial_state_distrib). The slice belongs to the model and must not be modified.
	InitialDistribution() []float64
}
