package run

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorl/gorl/run/rundir"
)

// BenchmarkCheckpoint measures one DQN checkpoint of a CartPole run (50k-transition buffer),
// fsyncs included.
func BenchmarkCheckpoint(b *testing.B) {
	cfg, err := Resolve("dqn", "cartpole", Layer{Source: "bench", Values: map[string]any{"buffer_size": 50000, "learning_starts": 1 << 30}})
	if err != nil {
		b.Fatal(err)
	}
	r, err := Create(cfg, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if err := r.Advance(context.Background(), 50000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := r.Checkpoint(false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlotLearningCurve draws the learning curve of a run directory whose metrics.csv holds
// 800,000 episodes (what a 2M-step Blackjack run logged one row per episode), interleaved with
// other keys, and reports the time per plot.
func BenchmarkPlotLearningCurve(b *testing.B) {
	dir := b.TempDir()
	cfg, err := Resolve("random", "blackjack")
	if err != nil {
		b.Fatal(err)
	}
	y, _ := cfg.MarshalYAML()
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), y, 0o644); err != nil {
		b.Fatal(err)
	}
	l, err := rundir.OpenCSVLog(filepath.Join(dir, MetricsFile), -1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range int64(800_000) {
		l.Log(i*5/2, ReturnKey, float64(rng.IntN(3)-1))
		l.Log(i*5/2, "charts/episodic_length", float64(1+rng.IntN(3)))
		if i%400 == 0 {
			l.Log(i*5/2, "losses/td_loss", rng.Float64())
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	png := filepath.Join(dir, "curve.png")
	b.ResetTimer()
	for range b.N {
		if err := PlotLearningCurve(dir, png); err != nil {
			b.Fatal(err)
		}
	}
}
