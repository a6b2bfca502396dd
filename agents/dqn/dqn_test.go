package dqn

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// fiveSteps is an env with one state and one action: reward 1 a step, and the episode ends after
// five steps, either by termination or by truncation. Its observation never changes, so the only
// difference between the two is whether the last step's target bootstraps: with truncation the
// state's value is that of an endless episode, 1/(1−γ); with termination it is the fixed point of
// Q = 1 + γ·Q·4/5, 1/(1−0.8γ).
type fiveSteps struct {
	terminate bool
	t         int
	obs       []float32
}

func (e *fiveSteps) Reset(*uint64) ([]float32, env.Info) { e.t = 0; return e.obs, nil }
func (e *fiveSteps) Step([]float32) ([]float32, float64, bool, bool, env.Info) {
	e.t++
	end := e.t == 5
	return e.obs, 1, end && e.terminate, end && !e.terminate, nil
}
func (e *fiveSteps) ObservationSpace() env.Space { return env.NewBox([]float32{0}, []float32{2}) }
func (e *fiveSteps) ActionSpace() env.Space      { return env.NewDiscrete(1) }
func (e *fiveSteps) Render() *image.RGBA         { return nil }
func (e *fiveSteps) Close() error                { return nil }

func TestBootstrapsThroughTruncationNotTermination(t *testing.T) {
	const gamma = 0.9
	for _, c := range []struct {
		terminate bool
		want      float64
	}{{false, 1 / (1 - gamma)}, {true, 1 / (1 - 0.8*gamma)}} {
		v, err := env.NewSyncVector(func() (env.Env, error) { return &fiveSteps{terminate: c.terminate, obs: []float32{1}}, nil }, 1)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Gamma, cfg.NetArch, cfg.LearningRate, cfg.BatchSize = gamma, []int{8}, 1e-2, 32
		cfg.TrainFreq, cfg.LearningStarts, cfg.TargetUpdateInterval, cfg.BufferSize = 1, 50, 20, 1000
		// The mean squared error regresses to the mean target, whose fixed point is the value
		// above (the Huber loss would settle between the targets' mean and median).
		cfg.Loss = "mse"
		a, err := New(cfg, v, Options{Seed: 1, TotalSteps: 4000})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Learn(context.Background(), 4000); err != nil {
			t.Fatal(err)
		}
		q := make([]float32, 1)
		a.QValues([]float32{1}, q)
		if math.Abs(float64(q[0])-c.want) > 0.05*c.want {
			t.Errorf("terminate=%v: Q = %.3f, want %.3f (truncation must bootstrap, termination must not)", c.terminate, q[0], c.want)
		}
	}
}

func tinyConfig() Config {
	cfg := DefaultConfig()
	cfg.NetArch, cfg.BatchSize, cfg.LearningStarts, cfg.TrainFreq, cfg.BufferSize = []int{16}, 16, 100, 1, 2000
	cfg.TargetUpdateInterval, cfg.LearningRate = 50, 1e-3
	return cfg
}

func weights(a *Agent) []float32 {
	var w []float32
	for _, p := range a.onlineP {
		w = append(w, p.Tensor.Data...)
	}
	return w
}

// TestLearnIsChunkInvariant checks the Trainer contract: training in chunks ends in exactly the
// state of training in one go.
func TestLearnIsChunkInvariant(t *testing.T) {
	variants := map[string]func(*Config){
		"plain": func(*Config) {},
		"every option": func(c *Config) {
			c.NumEnvs, c.DoubleQ, c.Dueling, c.NSteps, c.PrioritizedReplay, c.Tau, c.TargetUpdateInterval = 3, true, true, 3, true, 0.05, 1
			c.LRSchedule, c.GradientSteps, c.TrainFreq, c.Loss = "linear", 2, 2, "mse"
		},
	}
	for name, mod := range variants {
		t.Run(name, func(t *testing.T) {
			cfg := tinyConfig()
			mod(&cfg)
			var logs [2]bytes.Buffer
			run := func(i int, chunks ...int64) []float32 {
				v, err := env.MakeVector("CartPole-v1", cfg.NumEnvs, nil, 1)
				if err != nil {
					t.Fatal(err)
				}
				a, err := New(cfg, v, Options{Seed: 7, TotalSteps: 1500, Log: func(step int64, k string, x float64) {
					fmt.Fprintf(&logs[i], "%d %s %v\n", step, k, x)
				}})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range chunks {
					if err := a.Learn(context.Background(), c); err != nil {
						t.Fatal(err)
					}
				}
				return weights(a)
			}
			whole := run(0, 1500)
			parts := run(1, 1, 299, 300, 301, 1000, 1499, 1500)
			if !equalFloats(whole, parts) {
				t.Fatal("training in chunks changed the weights")
			}
			if logs[0].String() != logs[1].String() {
				t.Fatal("training in chunks changed the logged metrics")
			}
		})
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestActingDoesNotAllocate checks the hot paths: a greedy action, and an env step of training
// (ε-greedy action through the network, env step, replay Add) when no gradient step falls in it.
func TestActingDoesNotAllocate(t *testing.T) {
	cfg := tinyConfig()
	cfg.TrainFreq, cfg.ExplorationFinalEps, cfg.ExplorationFraction = 1_000_000, 0.5, 0
	cfg.TargetUpdateInterval, cfg.LogInterval = 1_000_000, 1_000_000
	v, err := env.MakeVector("CartPole-v1", 1, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, v, Options{Seed: 1, TotalSteps: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a.Learn(ctx, 500)
	if n := testing.AllocsPerRun(200, func() { a.Learn(ctx, a.Steps()+1) }); n != 0 {
		t.Errorf("a training env step allocates %v times", n)
	}
	obs, act := []float32{0.1, 0, 0.01, 0}, []float32{0}
	if n := testing.AllocsPerRun(200, func() { a.Act(obs, act) }); n != 0 {
		t.Errorf("Act allocates %v times", n)
	}
	// A gradient step allocates only the backward closures of the recording graph.
	a.Learn(ctx, 600)
	if n := testing.AllocsPerRun(100, func() { a.gradientStep() }); n > 20 {
		t.Errorf("a gradient step allocates %v times", n)
	}
}

func TestNonFiniteLossKeepsWeights(t *testing.T) {
	cfg := tinyConfig()
	v, err := env.MakeVector("CartPole-v1", 1, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, v, Options{Seed: 1, TotalSteps: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Learn(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	a.targetP[0].Tensor.Data[0] = float32(math.Inf(1)) // a diverged target network
	before := weights(a)
	err = a.Learn(context.Background(), 400)
	if err == nil || !strings.Contains(err.Error(), "at env step 301") {
		t.Fatalf("Learn with an infinite target: %v; want the error naming env step 301", err)
	}
	if !equalFloats(before, weights(a)) {
		t.Fatal("the update with a non-finite loss changed the weights")
	}
}

func TestSaveAndLoadPolicy(t *testing.T) {
	cfg := tinyConfig()
	cfg.Dueling = true
	v, _ := env.MakeVector("CartPole-v1", 1, nil, 1)
	a, err := New(cfg, v, Options{Seed: 3, TotalSteps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Learn(context.Background(), 500); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPolicy(cfg, v.SingleObservationSpace(), v.SingleActionSpace(), dir)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	q1, q2 := make([]float32, 2), make([]float32, 2)
	for range 20 {
		obs := []float32{r.Float32() - 0.5, r.Float32() - 0.5, r.Float32()*0.4 - 0.2, r.Float32() - 0.5}
		a.QValues(obs, q1)
		p.QValues(obs, q2)
		if !equalFloats(q1, q2) {
			t.Fatalf("loaded policy's Q %v, trained %v", q2, q1)
		}
	}
	// The file loads into PyTorch's names and refuses another architecture.
	ts, _, err := nets.LoadTensors(filepath.Join(dir, PolicyFile))
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].Name != "trunk.0.weight" {
		t.Errorf("first tensor %q", ts[0].Name)
	}
	other := cfg
	other.NetArch = []int{32}
	if _, err := LoadPolicy(other, v.SingleObservationSpace(), v.SingleActionSpace(), dir); err == nil || !strings.Contains(err.Error(), "size mismatch") {
		t.Errorf("loading into another architecture: %v", err)
	}
	// A damaged state file is an error, not a panic.
	os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o644)
	b, _ := New(cfg, v, Options{Seed: 3, TotalSteps: 1000})
	if err := b.Load(dir); err == nil {
		t.Error("Load of a damaged checkpoint succeeded")
	}
}

func TestCheckAndValidate(t *testing.T) {
	if err := Check(env.NewBox([]float32{0}, []float32{1}), env.NewBox([]float32{-1}, []float32{1})); err == nil || !strings.Contains(err.Error(), "Discrete") {
		t.Errorf("Check of a continuous action space: %v", err)
	}
	cfg := DefaultConfig()
	cfg.Gamma, cfg.Loss, cfg.NetArch = 1.5, "l1", nil
	err := cfg.Validate()
	for _, w := range []string{"gamma = 1.5", `loss = "l1"`, "net_arch is empty"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate: %v; want %q", err, w)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestSchedules(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ExplorationFraction, cfg.ExplorationInitialEps, cfg.ExplorationFinalEps = 0.5, 1, 0.1
	cfg.LRSchedule, cfg.LearningRate, cfg.LearningRateFinal = "linear", 1e-3, 1e-4
	a := &Agent{cfg: cfg, opts: Options{TotalSteps: 1000}}
	for _, c := range []struct {
		t       int64
		eps, lr float64
	}{{0, 1, 1e-3}, {250, 0.55, 1e-3 - 0.25*9e-4}, {500, 0.1, 1e-3 - 0.5*9e-4}, {2000, 0.1, 1e-4}} {
		if e, l := a.Epsilon(c.t), a.LearningRate(c.t); math.Abs(e-c.eps) > 1e-12 || math.Abs(l-c.lr) > 1e-12 {
			t.Errorf("step %d: ε %v lr %v, want %v %v", c.t, e, l, c.eps, c.lr)
		}
	}
}

func TestScaleObs(t *testing.T) {
	cfg := tinyConfig()
	cfg.ScaleObs = true
	v, _ := env.MakeVector("CartPole-v1", 1, nil, 1)
	if _, err := New(cfg, v, Options{Seed: 1, TotalSteps: 100}); err == nil || !strings.Contains(err.Error(), "scale_obs needs an observation space with finite bounds") {
		t.Errorf("scale_obs on CartPole (unbounded velocities): %v", err)
	}
	mc, err := env.MakeVector("MountainCar-v0", 1, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, mc, Options{Seed: 1, TotalSteps: 100})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{-1.2, -0.07, 0.6, 0.07, -0.3, 0}
	a.scale(x)
	for i, w := range []float32{-1, -1, 1, 1, 0, 0} {
		if math.Abs(float64(x[i]-w)) > 1e-6 {
			t.Fatalf("scaled %v, want the bounds at ±1 and the middle at 0", x)
		}
	}
	if err := a.Learn(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
}

// greedySpy wraps the vector env an agent trains on and counts, at every step, the actions that
// differ from the agent's greedy action in the observation they were chosen in.
type greedySpy struct {
	env.VectorEnv
	a               *Agent
	steps, nongreed int
}

func (s *greedySpy) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	act := make([]float32, 1)
	for k, x := range actions {
		s.a.Act(s.a.obs[k*s.a.obsDim:(k+1)*s.a.obsDim], act)
		if act[0] != x {
			s.nongreed++
		}
		s.steps++
	}
	return s.VectorEnv.Step(actions)
}

// TestExplorationOverride: SetExploration replaces the schedule from the next env step (ε = 0
// acts greedily, ε = 1 at random), charts/epsilon logs it, ClearExploration returns to the
// schedule, and Save and Load carry the override.
func TestExplorationOverride(t *testing.T) {
	cfg := tinyConfig()
	cfg.ExplorationFraction, cfg.ExplorationFinalEps = 1, 0.5 // ε from 1 to 0.5 over the run
	v, _ := env.MakeVector("CartPole-v1", 2, nil, 1)
	cfg.NumEnvs = 2
	spy := &greedySpy{VectorEnv: v}
	epsRows := map[int64]float64{}
	a, err := New(cfg, spy, Options{Seed: 5, TotalSteps: 2000, Log: func(step int64, k string, x float64) {
		if k == "charts/epsilon" {
			epsRows[step] = x
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	spy.a = a
	ctx := context.Background()
	phase := func(until int64) float64 {
		spy.steps, spy.nongreed = 0, 0
		if err := a.Learn(ctx, until); err != nil {
			t.Fatal(err)
		}
		return float64(spy.nongreed) / float64(spy.steps)
	}
	if f := phase(400); f < 0.3 { // ε ≈ 0.95: about half the random actions differ
		t.Fatalf("on the schedule, %.2f of the actions were not greedy", f)
	}
	a.SetExploration(0)
	if eps, over := a.Exploration(); eps != 0 || !over {
		t.Fatalf("Exploration() = %v, %v after SetExploration(0)", eps, over)
	}
	if f := phase(800); f != 0 {
		t.Fatalf("with ε = 0, %.3f of the actions were not greedy", f)
	}
	if epsRows[800] != 0 || epsRows[500] != 0 {
		t.Errorf("charts/epsilon at 500 and 800: %v %v, want 0", epsRows[500], epsRows[800])
	}
	a.SetExploration(1)
	if f := phase(1200); f < 0.35 || f > 0.65 { // CartPole's two actions: half the random ones differ
		t.Fatalf("with ε = 1, %.2f of the actions were not greedy", f)
	}
	// The override survives Save and Load, and so does its absence.
	dir := t.TempDir()
	a.SetExploration(0.3)
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	v2, _ := env.MakeVector("CartPole-v1", 2, nil, 1)
	b, _ := New(cfg, v2, Options{Seed: 5, TotalSteps: 2000})
	if err := b.Load(dir); err != nil {
		t.Fatal(err)
	}
	if eps, over := b.Exploration(); eps != 0.3 || !over {
		t.Errorf("loaded Exploration() = %v, %v; want 0.3, true", eps, over)
	}
	a.ClearExploration()
	if eps, over := a.Exploration(); over || eps != a.Epsilon(1200) || eps == 0.3 {
		t.Errorf("after ClearExploration: %v, %v; want the schedule's %v", eps, over, a.Epsilon(1200))
	}
	phase(1300)
	if want := a.Epsilon(1300); epsRows[1300] != want {
		t.Errorf("charts/epsilon at 1300: %v, want the schedule's %v", epsRows[1300], want)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(dir); err != nil {
		t.Fatal(err)
	}
	if _, over := b.Exploration(); over {
		t.Error("a checkpoint without an override left the loaded agent's override in place")
	}
	defer func() {
		if recover() == nil {
			t.Error("SetExploration(1.5) did not panic")
		}
	}()
	a.SetExploration(1.5)
}
