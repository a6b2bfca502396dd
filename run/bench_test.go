package run

import (
	"context"
	"testing"
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
