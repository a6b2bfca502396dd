package pg

import (
	"context"
	"testing"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/classic"
)

// zooPPOCartPole is RL Zoo's PPO entry for CartPole-v1 (hyperparams/ppo.yml ships it).
func zooPPOCartPole() PPOConfig {
	c := DefaultPPOConfig()
	c.NumEnvs, c.NumSteps, c.BatchSize, c.GAELambda, c.Gamma, c.NumEpochs = 8, 32, 256, 0.8, 0.98, 20
	c.LearningRate, c.LRSchedule, c.ClipRangeSchedule = 1e-3, "linear", "linear"
	return c
}

func newPPO(tb testing.TB, id string, cfg PPOConfig, seed uint64, total int64) *PPO {
	tb.Helper()
	v, err := env.MakeVector(id, cfg.NumEnvs, nil, 1)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := NewPPO(cfg, v, Options{Seed: seed, TotalSteps: total})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkPPOCartPole trains RL Zoo's PPO configuration on CartPole-v1 for 100,000 env steps:
// the training part of `rlrun train ppo cartpole` (SB3 2.4 takes about 22 s on this machine).
func BenchmarkPPOCartPole(b *testing.B) {
	for range b.N {
		p := newPPO(b, "CartPole-v1", zooPPOCartPole(), 1, 100_000)
		if err := p.Learn(context.Background(), 100_000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*100_000/b.Elapsed().Seconds(), "steps/s")
}
