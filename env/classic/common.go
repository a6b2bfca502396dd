package classic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// reseed implements the seeding rule of env.Env.Reset for an env whose generator is *r: a seed
// replaces the generator, no seed continues it, and an env never seeded draws a random seed.
func reseed(r **rand.Rand, seed *uint64) {
	switch {
	case seed != nil:
		*r = env.NewRand(*seed)
	case *r == nil:
		*r = env.NewRand(rand.Uint64())
	}
}

// uniform draws from U[low, high) as NumPy's Generator.uniform does (low + (high-low)·U). The
// distribution is Gymnasium's; the bit stream is gorl's own.
func uniform(r *rand.Rand, low, high float64) float64 {
	return low + float64((high-low)*r.Float64())
}

// clip bounds v to [lo, hi] with two comparisons, as np.clip and Gymnasium's bound() do (a NaN
// stays NaN). It is cheaper than the min and max builtins, which also order signed zeros.
func clip(v, lo, hi float64) float64 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}

// discreteAction returns the index carried by a Discrete(n) action and panics, naming the env,
// for anything else: stepping with an invalid action is a contract violation. The check is
// small enough to be inlined into Step; the panic message is built out of line.
func discreteAction(envName string, action []float32, n int) int {
	if len(action) == 1 {
		a := action[0]
		if i := int(a); float32(i) == a && uint(i) < uint(n) {
			return i
		}
	}
	badDiscreteAction(envName, action, n)
	return 0
}

// badDiscreteAction panics with the message for an invalid Discrete(n) action.
func badDiscreteAction(envName string, action []float32, n int) {
	if len(action) != 1 {
		panic(fmt.Sprintf("classic: %s.Step: action has %d elements; want 1 (a Discrete(%d) index)", envName, len(action), n))
	}
	panic(fmt.Sprintf("classic: %s.Step: action %v is not in Discrete(%d)", envName, action[0], n))
}

// boxAction returns the single element of a one-dimensional Box action. Like Gymnasium, the
// continuous-action envs accept values outside the action space and clip them in their dynamics
// (the reference data steps with such actions), so only a wrong length or a NaN panics.
func boxAction(envName string, action []float32) float32 {
	if len(action) != 1 {
		panic(fmt.Sprintf("classic: %s.Step: action has %d elements; want 1", envName, len(action)))
	}
	if a := action[0]; a != a {
		panic(fmt.Sprintf("classic: %s.Step: action is NaN", envName))
	}
	return action[0]
}

// checkState validates a state given to SetState: the right length and finite values. It
// returns an error rather than panicking because the state usually comes from outside (a file,
// a planner, a test).
func checkState(envName string, state []float64, names []string) error {
	if len(state) != len(names) {
		return fmt.Errorf("classic: %s.SetState: got %d values; want %d %v", envName, len(state), len(names), names)
	}
	for i, v := range state {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("classic: %s.SetState: %s = %v; want a finite number", envName, names[i], v)
		}
	}
	return nil
}

// mustReset panics when Step is called before the env has a state, as Gymnasium's assertion
// "Call reset before using step method" does.
func mustReset(envName string, ready bool) {
	if !ready {
		panic(fmt.Sprintf("classic: %s.Step called before Reset (or SetState)", envName))
	}
}
