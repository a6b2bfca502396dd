package driving

import (
	"fmt"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/cputime"
)

// The driving benchmarks report steps per second (policy steps, one frame each for the pixel
// observations). Compare them with ../shared/baselines: highway-env 1.12's highway-v0 runs
// about 3.2 steps/s on one core here, Gymnasium's CarRacing-v3 about 145.

// BenchmarkHighway steps Highway-v0 with its defaults (50 vehicles, 4 lanes, 15 Hz simulation,
// 1 Hz policy, Kinematics observation) under random meta-actions on one core, resetting at
// episode ends.
func BenchmarkHighway(b *testing.B) {
	h, err := NewHighway(nil)
	if err != nil {
		b.Fatal(err)
	}
	benchEnv(b, h)
}

// BenchmarkHighwayIdle is BenchmarkHighway with the ego keeping its lane and speed, so that
// episodes run their full 40 steps (random meta-actions crash within about 15) and resets count
// for less.
func BenchmarkHighwayIdle(b *testing.B) {
	h, err := NewHighway(nil)
	if err != nil {
		b.Fatal(err)
	}
	h.Reset(env.Seed(1))
	act := []float32{Idle}
	defer cputime.LockThread()()
	b.ReportAllocs()
	cpu0 := cputime.Thread()
	for b.Loop() {
		if _, _, term, trunc, _ := h.Step(act); term || trunc {
			h.Reset(nil)
		}
	}
	report(b, cpu0, "steps")
}

// report adds the throughput per second of wall-clock time and, where it can be measured, per
// second of the benchmark thread's CPU time.
func report(b *testing.B, cpu0 time.Duration, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	if cpu := cputime.Thread() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), unit+"/cpu-s")
	}
}

// BenchmarkRacetrack steps Racetrack-v0 with each observation under random continuous actions
// (resets, which generate a track, included).
func BenchmarkRacetrack(b *testing.B) {
	for _, obs := range []string{"vector", "rgb", "grayscale"} {
		b.Run(obs, func(b *testing.B) {
			e, err := NewRacetrack(env.Options{"observation": obs})
			if err != nil {
				b.Fatal(err)
			}
			benchEnv(b, e)
		})
	}
}

// BenchmarkRacetrackFrame draws one 96×96 RGB observation frame and converts it to float32,
// without the simulation.
func BenchmarkRacetrackFrame(b *testing.B) {
	e, err := NewRacetrack(env.Options{"observation": "rgb"})
	if err != nil {
		b.Fatal(err)
	}
	e.Reset(env.Seed(1))
	for range 20 {
		e.Step([]float32{0, 1, 0})
	}
	defer cputime.LockThread()()
	b.ReportAllocs()
	cpu0 := cputime.Thread()
	for b.Loop() {
		e.observe()
	}
	report(b, cpu0, "frames")
}

// BenchmarkVector steps env.MakeVector's batches of 16 copies on one and on two goroutine
// workers, and reports env steps per second over all copies.
func BenchmarkVector(b *testing.B) {
	for _, c := range []struct {
		id   string
		obs  string // the observation, named in the benchmark's name
		opts env.Options
	}{
		{"Highway-v0", "kinematics", nil},
		{"Racetrack-v0", "vector", nil},
		{"Racetrack-v0", "rgb", env.Options{"observation": "rgb"}},
	} {
		for _, workers := range []int{1, 2} {
			name := fmt.Sprintf("%s/%s/workers=%d", c.id, c.obs, workers)
			b.Run(name, func(b *testing.B) {
				const n = 16
				v, err := env.MakeVector(c.id, n, c.opts, workers)
				if err != nil {
					b.Fatal(err)
				}
				defer v.Close()
				rng := env.NewRand(1)
				space := v.SingleActionSpace()
				d := space.Dim()
				acts := make([]float32, n*d)
				v.Reset(env.Seed(1))
				b.ResetTimer()
				for b.Loop() {
					for i := range n {
						space.Sample(rng, acts[i*d:(i+1)*d])
					}
					v.Step(acts)
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// benchEnv steps e with random actions from its action space and reports steps/s.
func benchEnv(b *testing.B, e env.Env) {
	rng := env.NewRand(1)
	act := make([]float32, e.ActionSpace().Dim())
	e.Reset(env.Seed(1))
	defer cputime.LockThread()()
	b.ReportAllocs()
	cpu0 := cputime.Thread()
	for b.Loop() {
		e.ActionSpace().Sample(rng, act)
		if _, _, term, trunc, _ := e.Step(act); term || trunc {
			e.Reset(nil)
		}
	}
	report(b, cpu0, "steps")
}
