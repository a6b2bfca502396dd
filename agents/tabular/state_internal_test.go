package tabular

import (
	"testing"

	"github.com/gorl/gorl/env"
)

// The agent's generator is env.NewRand's: a seed means the same stream everywhere.
func TestAgentRandIsEnvNewRand(t *testing.T) {
	a := env.NewRand(42)
	ag, err := New(QLearning, DefaultConfig(), env.NewDiscrete(2), env.NewDiscrete(2), 10, 42)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if x, y := a.Uint64(), ag.rng.Uint64(); x != y {
			t.Fatalf("draw %d: env.NewRand %d, agent %d", i, x, y)
		}
	}
}
