package classic_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/classic"
	"github.com/gorl/gorl/internal/cputime"
)

// cpuClock measures the process CPU time of a benchmark loop.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{cputime.Process()} }

// report adds steps/s (wall clock) and cpu-ns/step (process CPU time, all goroutines) for
// steps env steps. On a busy machine the first falls with the load and the second barely
// moves; on an idle one, steps/s ≈ workers × 1e9 / cpu-ns/step.
func (c cpuClock) report(b *testing.B, steps float64) {
	b.ReportMetric(steps/b.Elapsed().Seconds(), "steps/s")
	if t := cputime.Process(); c.start > 0 && t > c.start {
		b.ReportMetric(float64(t-c.start)/steps, "cpu-ns/step")
	}
}

// benchStep measures Step of one unwrapped env with a fixed cycle of actions, resetting when an
// episode ends.
func benchStep(b *testing.B, e env.Env, actions [][]float32) {
	e.Reset(env.Seed(1))
	b.ReportAllocs()
	b.ResetTimer()
	clock := startCPU()
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
	clock.report(b, float64(b.N))
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

// BenchmarkCartPoleVector steps the batched CartPole at N=1024 and N=256 on one worker and on
// every core, and reports env steps/s (N per Step call). Compare the worker counts of one run:
// the machine is shared.
func BenchmarkCartPoleVector(b *testing.B) {
	for _, n := range []int{1024, 256} {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			benchmarkCartPoleVector(b, n, w)
		}
	}
}

func benchmarkCartPoleVector(b *testing.B, n, w int) {
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
		clock := startCPU()
		k := 0
		for b.Loop() {
			v.Step(actions[k&15])
			k++
		}
		clock.report(b, float64(b.N*n))
	})
}
