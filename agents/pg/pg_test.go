package pg

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// trainer is what the tests drive; PPO, A2C and Reinforce all satisfy it.
type trainer interface {
	Learn(ctx context.Context, until int64) error
	Steps() int64
	Save(dir string) error
	Load(dir string) error
	Act(obs, action []float32)
	Value(obs []float32) float32
	base() *core
}

func (c *core) base() *core { return c }

// variant is one algorithm with a small config, on one env.
type variant struct {
	name, algo, env string
	ppo             func(*PPOConfig)
	a2c             func(*A2CConfig)
	rf              func(*ReinforceConfig)
}

var variants = []variant{
	{name: "ppo", algo: "ppo", env: "CartPole-v1", ppo: func(c *PPOConfig) {}},
	{name: "ppo every option", algo: "ppo", env: "Pendulum-v1", ppo: func(c *PPOConfig) {
		c.NumEnvs, c.NormObs, c.NormReward, c.ClipRangeVF, c.TargetKL, c.EntCoef = 3, true, true, 0.2, 0.01, 0.01
		c.LRSchedule, c.ClipRangeSchedule, c.SharedTrunk, c.Activation, c.LogStdInit = "linear", "linear", true, "relu", -0.5
	}},
	{name: "a2c", algo: "a2c", env: "CartPole-v1", a2c: func(c *A2CConfig) {}},
	{name: "a2c box normalized", algo: "a2c", env: "Pendulum-v1", a2c: func(c *A2CConfig) {
		c.NormObs, c.NormReward, c.NormalizeAdvantage, c.EntCoef, c.UseRMSProp, c.LRSchedule = true, true, true, 0.01, false, "linear"
		c.VFNetArch, c.GAELambda = []int{8, 8}, 0.9
	}},
	{name: "reinforce", algo: "reinforce", env: "CartPole-v1", rf: func(c *ReinforceConfig) {}},
	{name: "reinforce baseline box", algo: "reinforce", env: "MountainCarContinuous-v0", rf: func(c *ReinforceConfig) {
		c.Baseline, c.NormObs, c.NormReward, c.EntCoef, c.MaxGradNorm = true, true, true, 0.01, 1
		// Short episodes, so that several finish in the test (the env's limit is 999 steps).
	}},
}

// build makes the variant's trainer with a tiny network, on a vector env of its env.
func (v variant) build(tb testing.TB, seed uint64, total int64, log func(int64, string, float64), kwargs env.Options) trainer {
	tb.Helper()
	opts := Options{Seed: seed, TotalSteps: total, Log: log}
	var n int
	var newTrainer func(env.VectorEnv) (trainer, error)
	switch v.algo {
	case "ppo":
		c := DefaultPPOConfig()
		c.NumEnvs, c.NumSteps, c.BatchSize, c.NumEpochs, c.NetArch, c.LogInterval = 2, 64, 32, 2, []int{16}, 100
		v.ppo(&c)
		n = c.NumEnvs
		newTrainer = func(e env.VectorEnv) (trainer, error) { return NewPPO(c, e, opts) }
	case "a2c":
		c := DefaultA2CConfig()
		c.NumEnvs, c.NetArch, c.LogInterval = 2, []int{16}, 100
		v.a2c(&c)
		n = c.NumEnvs
		newTrainer = func(e env.VectorEnv) (trainer, error) { return NewA2C(c, e, opts) }
	case "reinforce":
		c := DefaultReinforceConfig()
		c.NumEnvs, c.BatchEpisodes, c.NetArch, c.LogInterval = 2, 2, []int{16}, 100
		v.rf(&c)
		n = c.NumEnvs
		newTrainer = func(e env.VectorEnv) (trainer, error) { return NewReinforce(c, e, opts) }
	}
	if kwargs == nil && v.env == "MountainCarContinuous-v0" {
		kwargs = env.Options{"max_episode_steps": 100}
	}
	vec, err := env.MakeVector(v.env, n, kwargs, 1)
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := newTrainer(vec)
	if err != nil {
		tb.Fatal(err)
	}
	return tr
}

// state is everything a trainer's future depends on, for comparisons.
func state(tr trainer) []float32 {
	c := tr.base()
	var s []float32
	for _, p := range c.ps {
		s = append(s, p.Tensor.Data...)
	}
	s = append(s, c.obs...)
	ts, _ := c.opt.State()
	for _, t := range ts {
		s = append(s, t.Tensor.Data...)
	}
	if c.norm.obsRMS != nil {
		for _, m := range c.norm.obsRMS.Mean {
			s = append(s, float32(m))
		}
	}
	return append(s, float32(c.steps), float32(c.updates))
}

func equalFloats(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// logTo returns a Log function writing every row into buf.
func logTo(buf *bytes.Buffer) func(int64, string, float64) {
	return func(step int64, k string, x float64) { fmt.Fprintf(buf, "%d,%s,%v\n", step, k, x) }
}

func TestLearnIsChunkInvariant(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			const total = 1500
			var logs [2]bytes.Buffer
			run := func(i int, chunks ...int64) trainer {
				tr := v.build(t, 7, total, logTo(&logs[i]), nil)
				for _, c := range chunks {
					if err := tr.Learn(context.Background(), c); err != nil {
						t.Fatal(err)
					}
				}
				return tr
			}
			whole := run(0, total)
			parts := run(1, 1, 63, 64, 65, 299, 300, 301, 1000, 1499, total)
			if whole.Steps() < total || whole.base().updates == 0 {
				t.Fatalf("trained %d steps with %d updates", whole.Steps(), whole.base().updates)
			}
			if !equalFloats(state(whole), state(parts)) {
				t.Fatal("training in chunks changed the state")
			}
			if logs[0].String() != logs[1].String() || logs[0].Len() == 0 {
				t.Fatalf("training in chunks changed the logged metrics (%d and %d bytes)", logs[0].Len(), logs[1].Len())
			}
		})
	}
}

func TestSameSeedSameMetricsAndOtherSeedOthers(t *testing.T) {
	for _, v := range variants[:3] {
		t.Run(v.name, func(t *testing.T) {
			var logs [3]bytes.Buffer
			for i, seed := range []uint64{3, 3, 4} {
				if err := v.build(t, seed, 800, logTo(&logs[i]), nil).Learn(context.Background(), 800); err != nil {
					t.Fatal(err)
				}
			}
			if logs[0].String() != logs[1].String() {
				t.Fatal("two runs with seed 3 logged different metrics")
			}
			if logs[0].String() == logs[2].String() {
				t.Fatal("seeds 3 and 4 logged the same metrics")
			}
		})
	}
}

// Resuming from Save/Load continues exactly when the env is restored too: the run package
// restores it by replaying the env log; here the test replays the agent's own actions into a
// fresh env through a recording wrapper.
func TestSaveLoadContinuesExactly(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			whole := v.build(t, 5, 1200, nil, nil)
			if err := whole.Learn(context.Background(), 1200); err != nil {
				t.Fatal(err)
			}

			first := v.build(t, 5, 1200, nil, nil)
			rec := &recordingVec{VectorEnv: first.base().vec}
			first.base().vec = rec
			if err := first.Learn(context.Background(), 700); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := first.Save(dir); err != nil {
				t.Fatal(err)
			}
			second := v.build(t, 5, 1200, nil, nil)
			if err := second.Load(dir); err != nil {
				t.Fatal(err)
			}
			rec.replay(t, second.base().vec)
			if err := second.Learn(context.Background(), 1200); err != nil {
				t.Fatal(err)
			}
			if !equalFloats(state(whole), state(second)) {
				t.Fatal("a trainer saved at 700 steps and loaded into a fresh one ended elsewhere than an uninterrupted one")
			}
		})
	}
}

// recordingVec records Reset seeds and Step actions so that replay can bring a fresh env to
// the same state.
type recordingVec struct {
	env.VectorEnv
	seed    *uint64
	actions [][]float32
}

func (r *recordingVec) Reset(seed *uint64) []float32 {
	s := *seed
	r.seed = &s
	return r.VectorEnv.Reset(seed)
}

func (r *recordingVec) Step(a []float32) ([]float32, []float64, []bool, []bool) {
	r.actions = append(r.actions, slices.Clone(a))
	return r.VectorEnv.Step(a)
}

func (r *recordingVec) replay(t *testing.T, v env.VectorEnv) {
	t.Helper()
	v.Reset(r.seed)
	for _, a := range r.actions {
		v.Step(a)
	}
}

// fiveSteps is an env with one state and one action: reward 1 a step, and the episode ends after
// five steps by termination or by truncation. With one-step TD targets the value of its state
// is 1/(1−γ) when the fifth step truncates (every target bootstraps) and the fixed point of
// V = 1 + γ·V·4/5, 1/(1−0.8γ), when it terminates. Only an agent that tells the two apart, and
// skips the NEXT_STEP reset steps, finds both.
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
		for _, algo := range []string{"a2c", "ppo"} {
			v, err := env.NewSyncVector(func() (env.Env, error) { return &fiveSteps{terminate: c.terminate, obs: []float32{1}}, nil }, 2)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Seed: 1, TotalSteps: 6000}
			var tr trainer
			if algo == "a2c" {
				cfg := DefaultA2CConfig()
				cfg.NumEnvs, cfg.NumSteps, cfg.GAELambda, cfg.Gamma, cfg.NetArch, cfg.LearningRate, cfg.VFCoef = 2, 1, 0, gamma, []int{8}, 3e-3, 1
				// Without clipping: a clipped gradient biases the fixed point (the rare terminal
				// targets have the largest errors).
				cfg.LRSchedule, cfg.MaxGradNorm = "linear", 0
				tr, err = NewA2C(cfg, v, opts)
			} else {
				// PPO with λ = 0: one-step targets as well, through the minibatch machinery.
				cfg := DefaultPPOConfig()
				cfg.NumEnvs, cfg.NumSteps, cfg.BatchSize, cfg.NumEpochs, cfg.GAELambda, cfg.Gamma = 2, 16, 8, 4, 0, gamma
				cfg.NetArch, cfg.LearningRate, cfg.LRSchedule, cfg.MaxGradNorm = []int{8}, 3e-3, "linear", 10
				tr, err = NewPPO(cfg, v, opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Learn(context.Background(), 6000); err != nil {
				t.Fatal(err)
			}
			if got := float64(tr.Value([]float32{1})); math.Abs(got-c.want) > 0.03*c.want {
				t.Errorf("%s, terminate=%v: V = %.3f, want %.3f", algo, c.terminate, got, c.want)
			}
		}
	}
}

func TestReinforceReturnsAndBootstrap(t *testing.T) {
	// Episodes of five rewards of 1 with γ = 0.9: G_0 = Σ 0.9^k for k < 5 when the episode
	// terminates, plus 0.9^5·V(final) when it is truncated and there is a baseline.
	for _, c := range []struct {
		terminate, baseline bool
	}{{true, false}, {false, false}, {true, true}, {false, true}} {
		v, _ := env.NewSyncVector(func() (env.Env, error) { return &fiveSteps{terminate: c.terminate, obs: []float32{1}}, nil }, 1)
		cfg := DefaultReinforceConfig()
		cfg.Gamma, cfg.BatchEpisodes, cfg.Baseline, cfg.NetArch = 0.9, 3, c.baseline, []int{4}
		r, err := NewReinforce(cfg, v, Options{Seed: 1, TotalSteps: 100})
		if err != nil {
			t.Fatal(err)
		}
		// Two episodes and the reset step between them: 5 + 1 + 5 steps.
		if err := r.Learn(context.Background(), 11); err != nil {
			t.Fatal(err)
		}
		if r.episodes != 2 || len(r.batch.Ret) != 10 {
			t.Fatalf("%+v: %d episodes, %d steps in the batch; want 2 and 10", c, r.episodes, len(r.batch.Ret))
		}
		want := 1 + 0.9 + 0.81 + 0.729 + 0.6561
		if !c.terminate && c.baseline {
			want += math.Pow(0.9, 5) * float64(r.Value([]float32{1}))
		}
		for _, k := range []int{0, 5} {
			if !near(float64(r.batch.Ret[k]), want, 1e-5) {
				t.Errorf("%+v: G_0 of episode %d = %v, want %v", c, k/5, r.batch.Ret[k], want)
			}
		}
	}
}

func TestActingDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			tr := v.build(t, 1, 1e6, nil, nil)
			ctx := context.Background()
			if err := tr.Learn(ctx, 1000); err != nil {
				t.Fatal(err)
			}
			c := tr.base()
			if r, ok := tr.(*Reinforce); ok {
				// Vector steps that never fill a batch, once the episode arrays have grown.
				r.cfg.BatchEpisodes = math.MaxInt32
				if err := r.Learn(ctx, r.steps+3000); err != nil {
					t.Fatal(err)
				}
				if n := testing.AllocsPerRun(50, func() {
					if err := r.Learn(ctx, c.steps+int64(c.n)); err != nil {
						t.Fatal(err)
					}
				}); n != 0 {
					t.Errorf("a vector step allocates %v times", n)
				}
				return
			}
			// PPO and A2C: the acting part of Learn's loop (the update allocates its backward
			// closures once per gradient step).
			var buf interface {
				Add(obs, actions, logProbs, values []float32, rewards []float64, terminated, truncated []bool)
				Reset()
			}
			switch x := tr.(type) {
			case *PPO:
				buf = x.buf
			case *A2C:
				buf = x.buf
			}
			if n := testing.AllocsPerRun(50, func() {
				buf.Reset()
				c.sample(true)
				next, rew, term, trunc := c.step()
				buf.Add(c.obs, c.actions, c.logp, c.values, rew, term, trunc)
				c.observe(next, term, trunc)
			}); n != 0 {
				t.Errorf("an acting step allocates %v times", n)
			}
		})
	}
	// The policy's Act and ActionProbs allocate nothing.
	tr := variants[0].build(t, 1, 1000, nil, nil)
	obs, act, probs := []float32{0.01, 0.02, 0.03, 0.04}, make([]float32, 1), make([]float32, 2)
	if n := testing.AllocsPerRun(100, func() { tr.Act(obs, act); tr.base().ActionProbs(obs, probs); tr.Value(obs) }); n != 0 {
		t.Errorf("Act, ActionProbs and Value allocate %v times", n)
	}
}

// nanEnv returns NaN observations from its 50th step on: a diverging simulation.
type nanEnv struct{ t int }

func (e *nanEnv) Reset(*uint64) ([]float32, env.Info) { return []float32{0, 0}, nil }
func (e *nanEnv) Step([]float32) ([]float32, float64, bool, bool, env.Info) {
	e.t++
	x := float32(0.1)
	if e.t >= 50 {
		x = float32(math.NaN())
	}
	return []float32{x, x}, 1, false, false, nil
}
func (e *nanEnv) ObservationSpace() env.Space {
	return env.NewBox([]float32{-1, -1}, []float32{1, 1})
}
func (e *nanEnv) ActionSpace() env.Space { return env.NewDiscrete(2) }
func (e *nanEnv) Render() *image.RGBA    { return nil }
func (e *nanEnv) Close() error           { return nil }

func TestNonFiniteLossKeepsWeights(t *testing.T) {
	v, _ := env.NewSyncVector(func() (env.Env, error) { return &nanEnv{}, nil }, 1)
	cfg := DefaultPPOConfig()
	cfg.NumSteps, cfg.BatchSize = 64, 16
	p, err := NewPPO(cfg, v, Options{Seed: 1, TotalSteps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	before := state(p)
	err = p.Learn(context.Background(), 1000)
	if err == nil || !strings.Contains(err.Error(), "at env step 64") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("Learn on NaN observations: %v; want an error naming env step 64", err)
	}
	after := state(p)
	n := nets.NumParams(p.ps)
	if !equalFloats(before[:n], after[:n]) {
		t.Fatal("the update with a non-finite loss changed the weights")
	}
}

func TestSaveAndLoadPolicy(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			tr := v.build(t, 2, 2000, nil, nil)
			if err := tr.Learn(context.Background(), 1500); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := tr.Save(dir); err != nil {
				t.Fatal(err)
			}
			c := tr.base()
			obsSpace, actSpace := c.vec.SingleObservationSpace(), c.vec.SingleActionSpace()
			var p *Policy
			var err error
			switch x := tr.(type) {
			case *PPO:
				p, err = LoadPPOPolicy(x.cfg, obsSpace, actSpace, dir)
			case *A2C:
				p, err = LoadA2CPolicy(x.cfg, obsSpace, actSpace, dir)
			case *Reinforce:
				p, err = LoadReinforcePolicy(x.cfg, obsSpace, actSpace, dir)
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.norm.normObs && (p.norm.obsRMS == nil || !p.norm.obsRMS.Frozen) {
				t.Fatal("the loaded policy does not normalize with frozen statistics")
			}
			var statsBefore []float64
			if p.norm.obsRMS != nil {
				statsBefore = slices.Clone(p.norm.obsRMS.Mean)
			}
			r := rand.New(rand.NewPCG(1, 2))
			d := obsSpace.Dim()
			obs := make([]float32, d)
			a1, a2 := make([]float32, actSpace.Dim()), make([]float32, actSpace.Dim())
			for range 50 {
				obsSpace.Sample(r, obs)
				for i := range obs { // unbounded spaces sample far out; keep to the env's range
					obs[i] = float32(math.Max(-3, math.Min(3, float64(obs[i]))))
				}
				tr.Act(obs, a1)
				p.Act(obs, a2)
				if !equalFloats(a1, a2) || tr.Value(obs) != p.Value(obs) {
					t.Fatalf("loaded policy acts %v (V %v), trained %v (V %v)", a2, p.Value(obs), a1, tr.Value(obs))
				}
				if !actSpace.Contains(a2) {
					t.Fatalf("action %v outside %v", a2, actSpace)
				}
			}
			if statsBefore != nil && !slices.Equal(statsBefore, p.norm.obsRMS.Mean) {
				t.Fatal("acting changed the frozen statistics")
			}
			// The file carries SB3's names and refuses another architecture.
			ts, _, err := nets.LoadTensors(filepath.Join(dir, PolicyFile))
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, x := range ts {
				names[x.Name] = true
			}
			if !names["action_net.weight"] {
				t.Errorf("policy.safetensors names: %v", names)
			}
			if _, err := LoadPPOPolicy(PPOConfig{NetArch: []int{3}, Activation: "tanh"}, obsSpace, actSpace, dir); err == nil {
				t.Error("loading into another architecture succeeded")
			}
			// A damaged state file is an error, not a panic.
			os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o644)
			if err := v.build(t, 2, 2000, nil, nil).Load(dir); err == nil {
				t.Error("Load of a damaged checkpoint succeeded")
			}
		})
	}
}

func TestParameterNamesAreSB3s(t *testing.T) {
	want := map[string][]string{
		"separate discrete": {"mlp_extractor.policy_net.0.weight", "mlp_extractor.policy_net.0.bias", "mlp_extractor.policy_net.2.weight",
			"mlp_extractor.policy_net.2.bias", "mlp_extractor.value_net.0.weight", "mlp_extractor.value_net.0.bias",
			"mlp_extractor.value_net.2.weight", "mlp_extractor.value_net.2.bias", "action_net.weight", "action_net.bias",
			"value_net.weight", "value_net.bias"},
		"shared box": {"log_std", "mlp_extractor.shared_net.0.weight", "mlp_extractor.shared_net.0.bias", "action_net.weight",
			"action_net.bias", "value_net.weight", "value_net.bias"},
		"no critic": {"mlp_extractor.policy_net.0.weight", "mlp_extractor.policy_net.0.bias", "action_net.weight", "action_net.bias"},
	}
	build := map[string]func() (*actorCritic, error){
		"separate discrete": func() (*actorCritic, error) {
			return newActorCritic(rand.New(rand.NewPCG(1, 1)), 4, actionSpec{discrete: true, nActions: 2},
				netSpec{piArch: []int{64, 64}, vfArch: []int{64, 64}, activation: "tanh", orthoInit: true, critic: true})
		},
		"shared box": func() (*actorCritic, error) {
			return newActorCritic(rand.New(rand.NewPCG(1, 1)), 3, actionSpec{dim: 1, low: []float32{-2}, high: []float32{2}},
				netSpec{piArch: []int{32}, activation: "relu", shared: true, critic: true})
		},
		"no critic": func() (*actorCritic, error) {
			return newActorCritic(rand.New(rand.NewPCG(1, 1)), 4, actionSpec{discrete: true, nActions: 2},
				netSpec{piArch: []int{8}, activation: "tanh"})
		},
	}
	for name, w := range want {
		n, err := build[name]()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range n.Params() {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s: %v\nwant %v", name, got, w)
		}
	}
}

func TestOrthogonalInit(t *testing.T) {
	n, err := newActorCritic(rand.New(rand.NewPCG(1, 1)), 4, actionSpec{discrete: true, nActions: 2},
		netSpec{piArch: []int{64, 64}, vfArch: []int{64, 64}, activation: "tanh", orthoInit: true, critic: true})
	if err != nil {
		t.Fatal(err)
	}
	// W·Wᵀ = gain²·I for a weight with fewer rows than columns, and biases are zero.
	for _, c := range []struct {
		l    *nets.Linear
		gain float64
	}{{n.pi.Layers[2].(*nets.Linear), math.Sqrt2}, {n.actionNet, 0.01}, {n.valueNet, 1}} {
		rows, cols := c.l.Weight.Shape[0], c.l.Weight.Shape[1]
		w := c.l.Weight.Data
		for i := range rows {
			for j := range rows {
				var s float64
				for k := range cols {
					s += float64(w[i*cols+k]) * float64(w[j*cols+k])
				}
				want := 0.0
				if i == j {
					want = c.gain * c.gain
				}
				if math.Abs(s-want) > 1e-5 {
					t.Fatalf("gain %v: (W·Wᵀ)[%d][%d] = %v, want %v", c.gain, i, j, s, want)
				}
			}
		}
		for _, b := range c.l.Bias.Data {
			if b != 0 {
				t.Fatalf("gain %v: bias %v", c.gain, b)
			}
		}
	}
}

func TestNormalizer(t *testing.T) {
	// Observations: statistics over the batch, then (x − mean)/√(var + 1e-8) clipped.
	box := func(d int) env.Space { return env.NewUniformBox(-100, 100, d) }
	n, err := newNormalizer(box(2), 2, true, true, 1.5, 0.5, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	raw := []float32{1, 10, 3, 30}
	dst := make([]float32, 4)
	n.observe(dst, raw)
	ref := env.NewRunningMeanStd(2)
	ref.Update(raw)
	for i, x := range raw {
		j := i % 2
		want := (float64(x) - ref.Mean[j]) / math.Sqrt(ref.Var[j]+1e-8)
		want = math.Max(-1.5, math.Min(1.5, want))
		if !near(float64(dst[i]), want, 1e-6) {
			t.Errorf("obs %d: %v, want %v", i, dst[i], want)
		}
	}
	n2, _ := newNormalizer(box(1), 1, true, false, 1.5, 10, 0.99)
	n2.observe(dst[:3], []float32{0, 0, 30}) // 30 lies 1.41 sd from the mean: kept; an outlier is clipped
	n2.normalizeObs(dst[:1], []float32{100})
	if dst[0] != 1.5 {
		t.Errorf("an outlier normalized to %v, want the clip 1.5", dst[0])
	}

	// Rewards: G ← γG + r per copy, statistics of the copies that stepped, r/√(var + 1e-8)
	// clipped to ±0.5, G cleared at an episode's end; a reset step leaves everything alone.
	g := env.NewRunningMeanStd(1)
	out := n.rewards([]float64{1, 2}, []bool{false, true}, []bool{false, false}, []bool{false, false})
	g.Update64([]float64{1, 2})
	sd := math.Sqrt(g.Var[0] + 1e-8)
	if !near(out[0], math.Min(0.5, 1/sd), 1e-9) || !near(out[1], math.Min(0.5, 2/sd), 1e-9) {
		t.Errorf("rewards %v, want %v %v", out, 1/sd, 2/sd)
	}
	if n.returns[0] != 1 || n.returns[1] != 0 {
		t.Errorf("returns after a termination of copy 1: %v, want [1 0]", n.returns)
	}
	count := n.retRMS.Count
	out = n.rewards([]float64{0.1, 0}, []bool{false, false}, []bool{true, false}, []bool{false, true})
	g.Update64([]float64{0.5*1 + 0.1})
	if n.retRMS.Count != count+1 || !near(n.retRMS.Var[0], g.Var[0], 1e-12) {
		t.Errorf("the reset step of copy 1 entered the statistics: count %v → %v", count, n.retRMS.Count)
	}
	if !near(out[0], 0.1/math.Sqrt(g.Var[0]+1e-8), 1e-9) || n.returns[0] != 0 {
		t.Errorf("reward %v, returns %v after a truncation", out[0], n.returns)
	}
}

func TestDiscreteObservationsAreOneHot(t *testing.T) {
	n, err := newNormalizer(env.Discrete{N: 3, Start: -1}, 2, false, false, 10, 10, 0.99)
	if err != nil || n.inDim != 3 {
		t.Fatalf("Discrete(3, start=-1): %v, input of %d", err, n.inDim)
	}
	dst := make([]float32, 6)
	n.observe(dst, []float32{1, -1})
	if !slices.Equal(dst, []float32{0, 0, 1, 1, 0, 0}) {
		t.Errorf("one-hot of [1 -1]: %v", dst)
	}
	m, _ := newNormalizer(env.MultiDiscrete{Nvec: []int{2, 3}}, 1, false, false, 10, 10, 0.99)
	dst = make([]float32, 5)
	m.normalizeObs(dst, []float32{1, 2})
	if !slices.Equal(dst, []float32{0, 1, 0, 0, 1}) {
		t.Errorf("one-hot of MultiDiscrete [1 2]: %v", dst)
	}
	defer func() {
		if recover() == nil {
			t.Error("an index outside the space did not panic")
		}
	}()
	if _, err := newNormalizer(env.Discrete{N: 3}, 1, true, false, 10, 10, 0.99); err == nil || !strings.Contains(err.Error(), "norm_obs") {
		t.Errorf("norm_obs on Discrete observations: %v", err)
	}
	m.normalizeObs(dst, []float32{2, 0})
}

func TestCheckAndValidate(t *testing.T) {
	if err := Check(env.NewBox([]float32{0}, []float32{1}), env.MultiBinary{N: 2}); err == nil || !strings.Contains(err.Error(), "neither Discrete nor Box") {
		t.Errorf("Check(MultiBinary) = %v", err)
	}
	if err := Check(env.NewBox([]float32{0}, []float32{1}), env.NewBox([]float32{-1, -1}, []float32{1, 1})); err != nil {
		t.Errorf("Check(Box) = %v", err)
	}
	bad := []struct {
		err string
		cfg interface{ Validate() error }
	}{
		{"n_steps", func() PPOConfig { c := DefaultPPOConfig(); c.NumSteps = 0; return c }()},
		{"clip_range_schedule", func() PPOConfig { c := DefaultPPOConfig(); c.ClipRangeSchedule = "cosine"; return c }()},
		{"activation", func() PPOConfig { c := DefaultPPOConfig(); c.Activation = "gelu"; return c }()},
		{"batch_size", func() PPOConfig { c := DefaultPPOConfig(); c.BatchSize = 1; return c }()},
		{"gae_lambda", func() A2CConfig { c := DefaultA2CConfig(); c.GAELambda = 2; return c }()},
		{"rms_prop_eps", func() A2CConfig { c := DefaultA2CConfig(); c.RMSPropEps = 0; return c }()},
		{"vf_net_arch", func() A2CConfig { c := DefaultA2CConfig(); c.SharedTrunk, c.VFNetArch = true, []int{3}; return c }()},
		{"batch_episodes", func() ReinforceConfig { c := DefaultReinforceConfig(); c.BatchEpisodes = 0; return c }()},
		{"shared_trunk", func() ReinforceConfig { c := DefaultReinforceConfig(); c.SharedTrunk = true; return c }()},
		{"clip_obs", func() ReinforceConfig { c := DefaultReinforceConfig(); c.ClipObs = 0; return c }()},
	}
	for _, b := range bad {
		if err := b.cfg.Validate(); err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("Validate: %v; want an error naming %s", err, b.err)
		}
	}
	for _, c := range []interface{ Validate() error }{DefaultPPOConfig(), DefaultA2CConfig(), DefaultReinforceConfig()} {
		if err := c.Validate(); err != nil {
			t.Errorf("defaults: %v", err)
		}
	}
	v, _ := env.MakeVector("CartPole-v1", 2, nil, 1)
	if _, err := NewPPO(DefaultPPOConfig(), v, Options{TotalSteps: 10}); err == nil || !strings.Contains(err.Error(), "n_envs") {
		t.Errorf("NewPPO with 2 copies and n_envs 1: %v", err)
	}
}

func TestSchedules(t *testing.T) {
	c := DefaultPPOConfig()
	c.LearningRate, c.LRSchedule, c.LearningRateFinal, c.ClipRange, c.ClipRangeSchedule = 1e-3, "linear", 1e-4, 0.2, "linear"
	v, _ := env.MakeVector("CartPole-v1", 1, nil, 1)
	p, err := NewPPO(c, v, Options{TotalSteps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		t        int64
		lr, clip float64
	}{{0, 1e-3, 0.2}, {500, 5.5e-4, 0.1}, {1000, 1e-4, 0}, {2000, 1e-4, 0}} {
		if !near(p.LearningRate(x.t), x.lr, 1e-12) || !near(p.ClipRangeAt(x.t), x.clip, 1e-12) {
			t.Errorf("step %d: lr %v clip %v, want %v %v", x.t, p.LearningRate(x.t), p.ClipRangeAt(x.t), x.lr, x.clip)
		}
	}
}
