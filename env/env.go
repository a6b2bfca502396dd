package env

import (
	"image"
	"math/rand/v2"
)

// Env is one environment: Gymnasium's Env in Go.
//
// Observations and actions are points of their spaces flattened into []float32 (see Space). The
// slice an env returns from Reset or Step belongs to the env and stays valid until the next call
// to Reset or Step: copy it to keep it. This is what lets an env step without allocating.
type Env interface {
	// Reset starts a new episode. A non-nil seed reseeds the env's random generator first
	// (Gymnasium seeds only at reset); nil continues the current random stream. An env that was
	// never seeded seeds itself from a random source on its first Reset.
	Reset(seed *uint64) (obs []float32, info Info)

	// Step applies one action and returns the next observation, the reward, and the two ways an
	// episode ends: terminated (the MDP reached a terminal state: do not bootstrap) and truncated
	// (a limit outside the MDP, such as TimeLimit, cut the episode: bootstrap from obs).
	// An action outside ActionSpace is a contract violation and panics with a message naming it,
	// except that an env whose Gymnasium original clips Box actions to its bounds (Pendulum,
	// MountainCarContinuous) clips them too.
	//
	// After an episode has ended the caller must Reset before stepping on. A Step in between must
	// not panic (Check verifies it) but its results are unspecified: Gymnasium's CartPole, for
	// one, warns and keeps integrating.
	Step(action []float32) (obs []float32, reward float64, terminated, truncated bool, info Info)

	ObservationSpace() Space
	ActionSpace() Space

	// Render draws the current state into an image the env owns (reused between calls). It
	// returns nil for an env that cannot draw.
	Render() *image.RGBA

	Close() error
}

// Info carries the optional extra values of Reset and Step (Gymnasium's info dict). Envs return
// nil when they have nothing to say, so that the hot loop does not allocate.
type Info map[string]any

// Options are the keyword arguments of Make (Gymnasium's **kwargs), such as
// {"is_slippery": false} for FrozenLake or {"g": 9.81} for Pendulum.
type Options map[string]any

// Seed returns a pointer to s, for Reset: e.Reset(env.Seed(42)).
func Seed(s uint64) *uint64 { return &s }

// NewRand returns the random generator an env seeded with seed uses. Every env builds its
// generator this way, so a seed means the same stream everywhere.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^seed))
}

// StateAccessor is implemented by envs whose internal state can be read and set, as researchers
// do with env.unwrapped.state in Gymnasium. State returns a copy of the state variables in the
// order the env documents (Gymnasium's order for the classic-control tasks); SetState replaces
// them and makes the env continue from there as if it had reached that state by stepping (the
// episode is not over unless the state says so). SetState returns an error for a slice of the
// wrong length.
type StateAccessor interface {
	State() []float64
	SetState(state []float64) error
}

// Unwrapper is implemented by wrappers: Unwrap returns the wrapped env.
type Unwrapper interface {
	Unwrap() Env
}

// Unwrapped returns the innermost env under any number of wrappers (Gymnasium's env.unwrapped).
func Unwrapped(e Env) Env {
	for {
		w, ok := e.(Unwrapper)
		if !ok {
			return e
		}
		e = w.Unwrap()
	}
}

// StepDiscrete steps an env whose action space is Discrete with action a, so that callers
// need not build the one-element action slice themselves. Hot loops keep their own slice.
func StepDiscrete(e Env, a int) (obs []float32, reward float64, terminated, truncated bool, info Info) {
	act := [1]float32{float32(a)}
	return e.Step(act[:])
}
