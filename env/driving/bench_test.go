package driving

import (
	"testing"

	"github.com/gorl/gorl/env"
)

// BenchmarkHighway steps Highway-v0 with its defaults (50 vehicles, 4 lanes, 15 Hz simulation,
// 1 Hz policy, Kinematics observation) under random meta-actions on one core, resetting at
// episode ends, and reports policy steps per second (highway-env 1.12: about 3.2 here).
func BenchmarkHighway(b *testing.B) {
	h, err := NewHighway(nil)
	if err != nil {
		b.Fatal(err)
	}
	benchEnv(b, h)
}

// benchEnv steps e with random actions from its action space and reports steps/s.
func benchEnv(b *testing.B, e env.Env) {
	rng := env.NewRand(1)
	act := make([]float32, e.ActionSpace().Dim())
	e.Reset(env.Seed(1))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.ActionSpace().Sample(rng, act)
		_, _, term, trunc, _ := e.Step(act)
		if term || trunc {
			e.Reset(nil)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
