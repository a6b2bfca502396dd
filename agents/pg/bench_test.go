package pg

import (
	"context"
	"testing"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/classic"
)

// The speed figures of issue 6. Stable-Baselines3 2.4's PPO with RL Zoo's CartPole settings
// trains 100,000 steps in about 22 s on this machine (plus about 10 s of evaluation):
//
//	go test ./agents/pg -run '^$' -bench . -benchtime 3x

// shippedPPOCartPole is hyperparams/ppo.yml's CartPole-v1 entry: RL Zoo's with 10 epochs.
func shippedPPOCartPole() PPOConfig {
	c := DefaultPPOConfig()
	c.NumEnvs, c.NumSteps, c.BatchSize, c.GAELambda, c.Gamma, c.NumEpochs = 8, 32, 256, 0.8, 0.98, 10
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

// BenchmarkPPOCartPole trains the shipped PPO configuration on CartPole-v1 for 100,000 env
// steps (20 epochs: RL Zoo's own setting, as SB3 ran it), the training part of
// `rlrun train ppo cartpole`.
func BenchmarkPPOCartPole(b *testing.B) {
	for _, epochs := range []int{10, 20} {
		b.Run(map[int]string{10: "shipped", 20: "zoo"}[epochs], func(b *testing.B) {
			cfg := shippedPPOCartPole()
			cfg.NumEpochs = epochs
			for range b.N {
				p := newPPO(b, "CartPole-v1", cfg, 1, 100_000)
				if err := p.Learn(context.Background(), 100_000); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*100_000/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
		})
	}
}

// BenchmarkPPOMinibatch is one PPO gradient step on a minibatch of 256 CartPole transitions
// (two 64-64 tanh MLPs, forward, backward, clipping, Adam).
func BenchmarkPPOMinibatch(b *testing.B) {
	p := newPPO(b, "CartPole-v1", shippedPPOCartPole(), 1, 1e6)
	p.begin()
	for !p.buf.Full() { // one rollout, not yet learned from
		p.sample(true)
		next, rew, term, trunc := p.step()
		p.buf.Add(p.obs, p.actions, p.logp, p.values, rew, term, trunc)
		p.observe(next, term, trunc)
	}
	p.valuesNow(p.lastV)
	p.buf.ComputeGAE(p.lastV)
	idx := p.buf.ValidIndices(nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := p.minibatch(idx, 0.2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkActStep is one acting step of 8 CartPole copies: the network on every observation,
// sampling, the env step and the observation bookkeeping (0 allocations).
func BenchmarkActStep(b *testing.B) {
	p := newPPO(b, "CartPole-v1", shippedPPOCartPole(), 1, 1e6)
	p.begin()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.sample(true)
		next, _, term, trunc := p.step()
		p.observe(next, term, trunc)
	}
	b.ReportMetric(float64(b.N)*8/b.Elapsed().Seconds(), "env-steps/s")
}

// BenchmarkPolicyAct is the greedy batch-1 forward of evaluation and the viewer.
func BenchmarkPolicyAct(b *testing.B) {
	p := newPPO(b, "CartPole-v1", shippedPPOCartPole(), 1, 1e6)
	obs, act := []float32{0.01, 0.02, 0.03, 0.04}, make([]float32, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.Act(obs, act)
	}
}
