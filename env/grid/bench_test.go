package grid_test

import (
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/cputime"
)

// benchSteps steps a registered env with actions cycling through its Discrete action space,
// resetting at episode ends, and reports env steps per second.
func benchSteps(b *testing.B, id string) {
	e, err := env.Make(id, nil)
	if err != nil {
		b.Fatal(err)
	}
	n := e.ActionSpace().(env.Discrete).N
	act := []float32{0}
	e.Reset(env.Seed(1))
	b.ReportAllocs()
	defer cputime.LockThread()()
	b.ResetTimer()
	c0 := cputime.Thread()
	for i := 0; i < b.N; i++ {
		act[0] = float32(i % n)
		if _, _, term, trunc, _ := e.Step(act); term || trunc {
			e.Reset(nil)
		}
	}
	report(b, "steps", cputime.Thread()-c0)
}

// report gives the throughput per wall-clock second and, where the benchmark thread's CPU
// time is available, per CPU second (the machine is shared: wall-clock figures vary with the
// load, CPU-time ones do not).
func report(b *testing.B, unit string, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), unit+"/cpu-s")
	}
}

func BenchmarkPuckWorld(b *testing.B)    { benchSteps(b, "PuckWorld-v0") }
func BenchmarkWaterWorld(b *testing.B)   { benchSteps(b, "WaterWorld-v0") }
func BenchmarkFrozenLake(b *testing.B)   { benchSteps(b, "FrozenLake-v1") }
func BenchmarkTaxi(b *testing.B)         { benchSteps(b, "Taxi-v4") }
func BenchmarkBlackjack(b *testing.B)    { benchSteps(b, "Blackjack-v1") }
func BenchmarkGridWorld(b *testing.B)    { benchSteps(b, "GridWorld-v0") }
func BenchmarkCliffWalking(b *testing.B) { benchSteps(b, "CliffWalking-v1") }

func BenchmarkRenderGridWorld(b *testing.B)  { benchRender(b, "GridWorld-v0") }
func BenchmarkRenderWaterWorld(b *testing.B) { benchRender(b, "WaterWorld-v0") }

func benchRender(b *testing.B, id string) {
	e, _ := env.Make(id, nil)
	e.Reset(env.Seed(1))
	e.Render()
	b.ReportAllocs()
	defer cputime.LockThread()()
	b.ResetTimer()
	c0 := cputime.Thread()
	for i := 0; i < b.N; i++ {
		e.Render()
	}
	report(b, "frames", cputime.Thread()-c0)
}
