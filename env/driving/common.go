package driving

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

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

// uniform draws from U[low, high).
func uniform(r *rand.Rand, low, high float64) float64 {
	return low + (high-low)*r.Float64()
}

// discreteAction returns the index carried by a Discrete(n) action and panics, naming the env,
// for anything else: stepping with an invalid action is a contract violation.
func discreteAction(envName string, action []float32, n int) int {
	if len(action) != 1 {
		panic(fmt.Sprintf("driving: %s.Step: action has %d elements; want 1 (a Discrete(%d) index)", envName, len(action), n))
	}
	a := action[0]
	i := int(a)
	if float32(i) != a || i < 0 || i >= n {
		panic(fmt.Sprintf("driving: %s.Step: action %v is not in Discrete(%d)", envName, a, n))
	}
	return i
}

// boxAction checks a continuous action's length and values: like their Python originals
// (highway-env's ContinuousAction, CarRacing's car controls) the driving envs clip actions to
// the action space, so only a wrong length or a NaN panics.
func boxAction(envName string, action []float32, n int) {
	if len(action) != n {
		panic(fmt.Sprintf("driving: %s.Step: action has %d elements; want %d", envName, len(action), n))
	}
	for i, a := range action {
		if a != a {
			panic(fmt.Sprintf("driving: %s.Step: action[%d] is NaN", envName, i))
		}
	}
}

// mustReset panics when an env is stepped before its first Reset.
func mustReset(envName string, ready bool) {
	if !ready {
		panic(fmt.Sprintf("driving: %s.Step before Reset", envName))
	}
}

// floatListOption returns opts[key] as a list of numbers: a []float64, a []any or []int of
// numbers (as YAML and JSON decode lists), or a string such as "20,30" or "[20, 30]" (a --set
// flag).
func floatListOption(opts env.Options, key string, def []float64) ([]float64, error) {
	v, ok := opts[key]
	if !ok {
		return append([]float64(nil), def...), nil
	}
	bad := fmt.Errorf("option %s=%v: want a list of numbers such as [20, 30]", key, v)
	var out []float64
	switch x := v.(type) {
	case []float64:
		out = append(out, x...)
	case []float32:
		for _, f := range x {
			out = append(out, float64(f))
		}
	case []int:
		for _, f := range x {
			out = append(out, float64(f))
		}
	case []any:
		for i := range x {
			f, err := env.FloatOption(env.Options{key: x[i]}, key, 0)
			if err != nil {
				return nil, bad
			}
			out = append(out, f)
		}
	case string:
		s := strings.TrimSpace(x)
		s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			f, err := strconv.ParseFloat(part, 64)
			if err != nil {
				return nil, bad
			}
			out = append(out, f)
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, bad
		}
		out = append(out, f)
	default:
		return nil, bad
	}
	for _, f := range out {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad
		}
	}
	return out, nil
}

// optionReader reads options one by one and keeps the first error, so that a constructor can
// read all of them and check once.
type optionReader struct {
	opts env.Options
	err  error
}

func (o *optionReader) int(key string, def int) int {
	v, err := env.IntOption(o.opts, key, def)
	if err != nil && o.err == nil {
		o.err = err
	}
	return v
}

func (o *optionReader) float(key string, def float64) float64 {
	v, err := env.FloatOption(o.opts, key, def)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = fmt.Errorf("option %s=%v: want a finite number", key, v)
	}
	if err != nil && o.err == nil {
		o.err = err
	}
	return v
}

func (o *optionReader) bool(key string, def bool) bool {
	v, err := env.BoolOption(o.opts, key, def)
	if err != nil && o.err == nil {
		o.err = err
	}
	return v
}

func (o *optionReader) string(key string, def string) string {
	v, err := env.StringOption(o.opts, key, def)
	if err != nil && o.err == nil {
		o.err = err
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func (o *optionReader) floats(key string, def []float64) []float64 {
	v, err := floatListOption(o.opts, key, def)
	if err != nil && o.err == nil {
		o.err = err
	}
	return v
}

// check records an error for an option whose value is out of range.
func (o *optionReader) check(ok bool, format string, args ...any) {
	if !ok && o.err == nil {
		o.err = fmt.Errorf(format, args...)
	}
}

var errNoTrack = errors.New("driving: Racetrack.SetState before the first Reset: there is no track yet")

// checkState validates a state given to SetState: the right length and finite values.
func checkState(envName string, state []float64, names []string) error {
	if len(state) != len(names) {
		return fmt.Errorf("driving: %s.SetState: got %d values; want %d %v", envName, len(state), len(names), names)
	}
	for i, v := range state {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("driving: %s.SetState: %s = %v; want a finite number", envName, names[i], v)
		}
	}
	return nil
}
