package classic_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/classic"
)

// benchStep measures Step of one unwrapped env with a fixed cycle of actions, resetting when an
// episode ends, and reports steps/s.
func benchStep(b *testing.B, e env.Env, actions [][]float32) {
	e.Reset(env.Seed(1))
	b.ReportAllocs()
	b.ResetTimer()
	k := 0
	for b.Loop() {
		_, _, term, trunc, _ := e.Step(actions[k])
		k++
		if k == len(actions) {
			k = 0
		}
		if term || trunc {
			e.Reset(nil)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

func discreteCycle(n int) [][]float32 {
	out := make([][]float32, 64)
	for i := range out {
		out[i] = []float32{float32((i*7 + i/3) % n)}
	}
	return out
}

func boxCycle(lim float32) [][]float32 {
	out := make([][]float32, 64)
	for i := range out {
		out[i] = []float32{lim * float32(i%17-8) / 8}
	}
	return out
}

func BenchmarkCartPoleStep(b *testing.B) {
	e, _ := classic.NewCartPole(nil)
	benchStep(b, e, discreteCycle(2))
}

func BenchmarkMountainCarStep(b *testing.B) {
	e, _ := classic.NewMountainCar(nil)
	benchStep(b, e, discreteCycle(3))
}

func BenchmarkMountainCarContinuousStep(b *testing.B) {
	e, _ := classic.NewMountainCarContinuous(nil)
	benchStep(b, e, boxCycle(1))
}

func BenchmarkAcrobotStep(b *testing.B) {
	e, _ := classic.NewAcrobot(nil)
	benchStep(b, e, discreteCycle(3))
}

func BenchmarkPendulumStep(b *testing.B) {
	e, _ := classic.NewPendulum(nil)
	benchStep(b, e, boxCycle(2))
}

// BenchmarkCartPoleVector steps the batched CartPole at N=1024 on one worker and on every
// core, and reports env steps/s (N per Step call).
func BenchmarkCartPoleVector(b *testing.B) {
	const n = 1024
	for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("N=%d/workers=%d", n, w), func(b *testing.B) {
			v, err := classic.NewCartPoleVector(n, env.Options{"workers": w})
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			v.Reset(env.Seed(1))
			actions := make([][]float32, 16)
			for k := range actions {
				actions[k] = make([]float32, n)
				for i := range actions[k] {
					actions[k][i] = float32((i*31 + k*17 + i/5) % 2)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			k := 0
			for b.Loop() {
				v.Step(actions[k&15])
				k++
			}
			b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
