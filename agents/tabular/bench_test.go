package tabular_test

import (
	"context"
	"testing"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/grid"
	"github.com/gorl/gorl/internal/cputime"
)

// BenchmarkQLearningFrozenLake measures the whole training loop on FrozenLake-v1 (slippery,
// with its TimeLimit): env step, ε-greedy action and Q-learning update. The target is 10
// million steps per second on one core.
func BenchmarkQLearningFrozenLake(b *testing.B) {
	benchLearn(b, "FrozenLake-v1", tabular.QLearning, tabular.DefaultConfig())
}

func BenchmarkSARSAFrozenLake(b *testing.B) {
	benchLearn(b, "FrozenLake-v1", tabular.SARSA, tabular.DefaultConfig())
}

func BenchmarkExpectedSARSAFrozenLake(b *testing.B) {
	benchLearn(b, "FrozenLake-v1", tabular.ExpectedSARSA, tabular.DefaultConfig())
}

func BenchmarkQLearningTaxi(b *testing.B) {
	benchLearn(b, "Taxi-v4", tabular.QLearning, tabular.DefaultConfig())
}

// BenchmarkQLearningFrozenLakeEnvPath is the same loop through env.Env (observation slices and
// info maps), for comparison with the fast path.
func BenchmarkQLearningFrozenLakeEnvPath(b *testing.B) {
	e, err := env.Make("FrozenLake-v1", nil)
	if err != nil {
		b.Fatal(err)
	}
	benchLearnEnv(b, hideFast{e}, tabular.QLearning, tabular.DefaultConfig())
}

// hideFast hides the fast path of the env it wraps.
type hideFast struct{ env.Env }

func benchLearn(b *testing.B, id string, m tabular.Method, cfg tabular.Config) {
	e, err := env.Make(id, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchLearnEnv(b, e, m, cfg)
}

func benchLearnEnv(b *testing.B, e env.Env, m tabular.Method, cfg tabular.Config) {
	ag, err := tabular.New(m, cfg, e.ObservationSpace(), e.ActionSpace(), int64(b.N), 1)
	if err != nil {
		b.Fatal(err)
	}
	timeSteps(b, func() error { return ag.Learn(context.Background(), e, int64(b.N), nil) })
}

// timeSteps times learn, which takes b.N env steps on the calling goroutine, and reports steps
// per wall-clock second and, where the thread's CPU time is available, per CPU second.
func timeSteps(b *testing.B, learn func() error) {
	b.ReportAllocs()
	defer cputime.LockThread()()
	b.ResetTimer()
	c0 := cputime.Thread()
	if err := learn(); err != nil {
		b.Fatal(err)
	}
	cpu := cputime.Thread() - c0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "steps/cpu-s")
	}
}

// BenchmarkTDTrainerFrozenLake is Q-learning as rlrun trains it: TDTrainer on a vector env of
// one copy (env.Env's Step with its info map, the NEXT_STEP autoreset, the metrics every
// log_interval steps), without the run's action recorder.
func BenchmarkTDTrainerFrozenLake(b *testing.B) {
	v, err := env.MakeVector("FrozenLake-v1", 1, nil, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	tr, err := tabular.NewTDTrainer(tabular.QLearning, tabular.DefaultConfig(), v,
		tabular.Options{Seed: 1, TotalSteps: int64(b.N), Log: func(int64, string, float64) {}})
	if err != nil {
		b.Fatal(err)
	}
	timeSteps(b, func() error { return tr.Learn(context.Background(), int64(b.N)) })
}
