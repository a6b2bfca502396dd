package dqn

import (
	"context"
	"testing"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/classic"
)

func newCartPoleAgent(tb testing.TB, cfg Config, total int64) *Agent {
	tb.Helper()
	v, err := env.MakeVector("CartPole-v1", cfg.NumEnvs, nil, 1)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := New(cfg, v, Options{Seed: 1, TotalSteps: total})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkGradientStep measures one DQN gradient step (batch 64, 4-64-64-2, Double DQN).
func BenchmarkGradientStep(b *testing.B) {
	for _, arch := range [][]int{{64, 64}, {128, 128}, {256, 256}} {
		b.Run(fmtArch(arch), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.NetArch, cfg.BatchSize, cfg.DoubleQ, cfg.LearningStarts, cfg.BufferSize = arch, 64, true, 1<<40, 10000
			a := newCartPoleAgent(b, cfg, 1e6)
			if err := a.Learn(context.Background(), 2000); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := a.gradientStep(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}

// BenchmarkAct measures the greedy batch-1 forward of evaluation.
func BenchmarkAct(b *testing.B) {
	cfg := DefaultConfig()
	cfg.BufferSize = 1000
	a := newCartPoleAgent(b, cfg, 1e6)
	obs := []float32{0.01, 0.02, 0.03, 0.04}
	act := make([]float32, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		a.Act(obs, act)
	}
}

func fmtArch(a []int) string {
	s := ""
	for i, h := range a {
		if i > 0 {
			s += "x"
		}
		s += string(rune('0'+h/100)) + string(rune('0'+h/10%10)) + string(rune('0'+h%10))
	}
	return s
}
