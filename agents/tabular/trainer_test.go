package tabular_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/hyperparams"
	"go.yaml.in/yaml/v3"
)

// metricLog collects what a trainer logs, one "step key value" line each.
type metricLog struct{ rows []string }

func (l *metricLog) log(step int64, key string, v float64) {
	l.rows = append(l.rows, fmt.Sprintf("%d %s %v", step, key, v))
}

func vector(t *testing.T, id string, opts env.Options) env.VectorEnv {
	t.Helper()
	v, err := env.MakeVector(id, 1, opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func tdTrainer(t *testing.T, m tabular.Method, cfg tabular.Config, id string, total int64, l *metricLog) *tabular.TDTrainer {
	t.Helper()
	tr, err := tabular.NewTDTrainer(m, cfg, vector(t, id, nil), tabular.Options{Seed: 7, TotalSteps: total, Log: l.log, EnvID: id})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func model(t *testing.T, id string, opts env.Options) env.Model {
	t.Helper()
	e, err := env.Make(id, opts)
	if err != nil {
		t.Fatal(err)
	}
	return env.Unwrapped(e).(env.Model)
}

func planTrainer(t *testing.T, name, id string, total int64, l *metricLog) *tabular.PlanTrainer {
	t.Helper()
	cfg, err := tabular.PlanDefaults(name, id)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tabular.NewPlanTrainer(name, cfg, model(t, id, nil), vector(t, id, nil), tabular.Options{Seed: 7, TotalSteps: total, Log: l.log, EnvID: id})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestTrainersAreChunkInvariant: Learn(a) then Learn(b) gives the state and the metrics of
// Learn(b), for every TD method (with traces and Dyna) and both planners.
func TestTrainersAreChunkInvariant(t *testing.T) {
	cfg := tabular.DefaultConfig()
	cfg.Lambda, cfg.PlanningSteps, cfg.LogInterval = 0.6, 2, 50
	ctx := context.Background()
	for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
		var la, lb metricLog
		a := tdTrainer(t, m, cfg, "FrozenLake-v1", 5000, &la)
		b := tdTrainer(t, m, cfg, "FrozenLake-v1", 5000, &lb)
		if err := a.Learn(ctx, 5000); err != nil {
			t.Fatal(err)
		}
		for _, until := range []int64{1, 2, 3, 999, 1000, 1001, 2500, 5000} {
			if err := b.Learn(ctx, until); err != nil {
				t.Fatal(err)
			}
			if b.Steps() != until {
				t.Fatalf("%s: Learn(%d) stopped at %d", m, until, b.Steps())
			}
		}
		if !slices.Equal(a.Agent.Q, b.Agent.Q) || !slices.Equal(la.rows, lb.rows) || a.Agent.Episodes() != b.Agent.Episodes() {
			t.Errorf("%s: training in chunks differs from training at once", m)
		}
		if len(la.rows) != 4*100 || !strings.HasPrefix(la.rows[0], "50 losses/td_loss ") {
			t.Errorf("%s: %d metric rows, first %q; want 4 keys every 50 steps", m, len(la.rows), la.rows[0])
		}
		// The autoreset steps start episodes without a transition: fewer transitions than steps.
		if a.Agent.Steps() >= 5000 || a.Agent.Steps() != 5000-int64(a.Agent.Episodes()) {
			t.Errorf("%s: %d transitions in %d env steps and %d episodes", m, a.Agent.Steps(), a.Steps(), a.Agent.Episodes())
		}
	}
	for _, name := range []string{tabular.ValueIterationName, tabular.PolicyIterationName} {
		var la, lb metricLog
		a := planTrainer(t, name, "FrozenLake-v1", 3000, &la)
		b := planTrainer(t, name, "FrozenLake-v1", 3000, &lb)
		if err := a.Learn(ctx, 3000); err != nil {
			t.Fatal(err)
		}
		for _, until := range []int64{1, 17, 1000, 2999, 3000} {
			if err := b.Learn(ctx, until); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(a.Table().Q, b.Table().Q) || !slices.Equal(la.rows, lb.rows) {
			t.Errorf("%s: planning in chunks differs from planning at once", name)
		}
	}
}

// TestPlanTrainerCompletesThePlan: a planner run ends with exactly the plan of
// ValueIteration/PolicyIteration however short the run, sweeping once per episode before.
func TestPlanTrainerCompletesThePlan(t *testing.T) {
	for _, name := range []string{tabular.ValueIterationName, tabular.PolicyIterationName} {
		for _, total := range []int64{1, 500, 200_000} {
			var l metricLog
			tr := planTrainer(t, name, "FrozenLake-v1", total, &l)
			if err := tr.Learn(context.Background(), total); err != nil {
				t.Fatal(err)
			}
			cfg, _ := tabular.PlanDefaults(name, "FrozenLake-v1")
			want, err := tabular.RunPlanner(name, model(t, "FrozenLake-v1", nil), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !tr.Planner.Done() || !slices.Equal(tr.Table().Q, want.Q.Q) || !slices.Equal(tr.Planner.Plan().Policy, want.Policy) {
				t.Errorf("%s, %d steps: the trainer's plan differs from %s's", name, total, name)
			}
			if got := tr.Planner.Sweeps(); got != want.Sweeps {
				t.Errorf("%s, %d steps: %d sweeps; the planner alone takes %d", name, total, got, want.Sweeps)
			}
			// Sweep rows: nondecreasing steps, one charts/sweeps row per sweep.
			var sweeps, last int64
			for _, r := range l.rows {
				var step int64
				var key string
				var v float64
				fmt.Sscan(r, &step, &key, &v)
				if step < last {
					t.Fatalf("%s: metrics step goes back: %v", name, r)
				}
				last = step
				if key == "charts/sweeps" {
					sweeps++
				}
				if key == "charts/start_value" && (v < 0 || v > 1) {
					t.Errorf("%s: start value %v outside [0, 1]", name, v)
				}
			}
			if sweeps != int64(want.Sweeps) {
				t.Errorf("%s, %d steps: %d sweep rows for %d sweeps", name, total, sweeps, want.Sweeps)
			}
			// A long run converged while playing: sweeps happened before the last step.
			if total == 200_000 && last >= total {
				t.Errorf("%s: the plan converged only at the end of %d steps", name, total)
			}
		}
	}
}

// TestTrainerSaveLoad: Save then Load into a new trainer restores the table, the planner and
// the counters; LoadPolicy reads the table back as the greedy policy.
func TestTrainerSaveLoad(t *testing.T) {
	ctx := context.Background()
	var l metricLog
	cfg := tabular.DefaultConfig()
	cfg.Lambda = 0.5
	a := tdTrainer(t, tabular.SARSA, cfg, "Taxi-v4", 10_000, &l)
	if err := a.Learn(ctx, 4321); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	b := tdTrainer(t, tabular.SARSA, cfg, "Taxi-v4", 10_000, &l)
	if err := b.Load(dir); err != nil {
		t.Fatal(err)
	}
	if b.Steps() != 4321 || !slices.Equal(a.Agent.Q, b.Agent.Q) || a.Agent.Episodes() != b.Agent.Episodes() {
		t.Errorf("loaded trainer at step %d", b.Steps())
	}
	e, _ := env.Make("Taxi-v4", nil)
	p, err := tabular.LoadPolicy(e.ObservationSpace(), e.ActionSpace(), dir)
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := e.Reset(env.Seed(3))
	act, want := []float32{0}, []float32{0}
	p.Act(obs, act)
	a.Act(obs, want)
	if act[0] != want[0] {
		t.Errorf("the loaded policy acts %v; the trainer %v", act, want)
	}
	// The wrong env, a planner's directory for a TD trainer, a missing directory.
	fl, _ := env.Make("FrozenLake-v1", nil)
	if _, err := tabular.LoadPolicy(fl.ObservationSpace(), fl.ActionSpace(), dir); !errors.Is(err, tabular.ErrShape) {
		t.Errorf("LoadPolicy of a Taxi table for FrozenLake: %v", err)
	}
	pt := planTrainer(t, tabular.ValueIterationName, "Taxi-v4", 1000, &l)
	if err := pt.Learn(ctx, 600); err != nil {
		t.Fatal(err)
	}
	pdir := t.TempDir()
	if err := pt.Save(pdir); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(pdir); err == nil {
		t.Error("a TD trainer loaded a planner's checkpoint")
	}
	pu := planTrainer(t, tabular.PolicyIterationName, "Taxi-v4", 1000, &l)
	if err := pu.Load(pdir); err == nil {
		t.Error("policy iteration loaded value iteration's state")
	}
	pv := planTrainer(t, tabular.ValueIterationName, "Taxi-v4", 1000, &l)
	if err := pv.Load(pdir); err != nil || pv.Steps() != 600 || pv.Planner.Sweeps() != pt.Planner.Sweeps() || !slices.Equal(pv.Table().Q, pt.Table().Q) {
		t.Errorf("planner load: %v at step %d", err, pv.Steps())
	}
	if err := pv.Load(filepath.Join(pdir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing directory: %v", err)
	}
}

// TestPlannerResume: a planner saved mid-way (policy iteration mid-evaluation included) and
// restored continues to the same plan.
func TestPlannerResume(t *testing.T) {
	m := model(t, "FrozenLake-v1", nil)
	cfg := tabular.DefaultPlanConfig()
	for _, name := range []string{tabular.ValueIterationName, tabular.PolicyIterationName} {
		want, _ := tabular.RunPlanner(name, m, cfg)
		for _, at := range []int{0, 1, 37, want.Sweeps - 1} {
			p, _ := tabular.NewPlanner(name, m, cfg)
			for range at {
				if _, err := p.Sweep(); err != nil {
					t.Fatal(err)
				}
			}
			data, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			q, _ := tabular.NewPlanner(name, m, cfg)
			if err := q.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			got, err := q.Run()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.V, want.V) || !slices.Equal(got.Policy, want.Policy) || got.Sweeps != want.Sweeps || got.Iterations != want.Iterations {
				t.Errorf("%s resumed after %d sweeps: a different plan", name, at)
			}
		}
		p, _ := tabular.NewPlanner(name, m, cfg)
		if err := p.UnmarshalBinary([]byte("junk")); err == nil {
			t.Errorf("%s: junk restored", name)
		}
		other, _ := tabular.NewPlanner(name, model(t, "Taxi-v4", nil), cfg)
		data, _ := other.MarshalBinary()
		if err := p.UnmarshalBinary(data); err == nil {
			t.Errorf("%s: a Taxi state restored into a FrozenLake planner", name)
		}
	}
	// Sweep after convergence does nothing.
	p, _ := tabular.NewPlanner(tabular.ValueIterationName, m, cfg)
	plan, _ := p.Run()
	st, err := p.Sweep()
	if err != nil || !st.Done || p.Sweeps() != plan.Sweeps {
		t.Errorf("a sweep after convergence: %+v %v", st, err)
	}
	if _, err := tabular.NewPlanner("montecarlo", m, cfg); err == nil {
		t.Error("an unknown planner")
	}
}

// TestPolicyIterationSweepStats: the improvements are reported, the last one without changes.
func TestPolicyIterationSweepStats(t *testing.T) {
	p, _ := tabular.NewPlanner(tabular.PolicyIterationName, model(t, "CliffWalking-v1", nil), tabular.PlanConfig{Gamma: 0.9, Theta: 1e-10, MaxSweeps: 10000})
	improvements := 0
	for !p.Done() {
		st, err := p.Sweep()
		if err != nil {
			t.Fatal(err)
		}
		if st.Improved {
			improvements++
			if st.Done != (st.PolicyChanges == 0) {
				t.Errorf("improvement %d: %+v", improvements, st)
			}
		}
		if math.IsNaN(st.Delta) {
			t.Fatal("NaN residual")
		}
	}
	if improvements != p.Iterations() || improvements < 2 {
		t.Errorf("%d improvements reported, %d iterations", improvements, p.Iterations())
	}
}

func TestTrainerErrors(t *testing.T) {
	box := env.NewUniformBox(-1, 1, 2)
	if err := tabular.CheckTD(box, env.NewDiscrete(2)); err == nil {
		t.Error("CheckTD accepted a Box observation space")
	}
	if err := tabular.CheckTD(env.NewDiscrete(2), box); err == nil {
		t.Error("CheckTD accepted a Box action space")
	}
	if err := tabular.CheckPlan(env.MultiDiscrete{Nvec: []int{32, 11, 2}}, env.NewDiscrete(2)); err == nil || !strings.Contains(err.Error(), "qlearning") {
		t.Errorf("CheckPlan of Blackjack's spaces: %v", err)
	}
	v, err := env.MakeVector("FrozenLake-v1", 2, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := tabular.NewTDTrainer(tabular.QLearning, tabular.DefaultConfig(), v, tabular.Options{TotalSteps: 10}); err == nil {
		t.Error("a TD trainer on two copies")
	}
	if _, err := tabular.NewPlanTrainer(tabular.ValueIterationName, tabular.DefaultPlanConfig(), model(t, "Taxi-v4", nil), vector(t, "FrozenLake-v1", nil), tabular.Options{TotalSteps: 10}); err == nil {
		t.Error("a planner with Taxi's model on FrozenLake")
	}
	bad := tabular.DefaultConfig()
	bad.LogInterval = 0
	if err := bad.Validate(); err == nil {
		t.Error("log_interval 0 accepted")
	}
	bad = tabular.DefaultConfig()
	bad.ExplorationSchedule = "cosine"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "exploration_schedule") {
		t.Errorf("an unknown schedule: %v", err)
	}
	if err := (tabular.PlanConfig{Gamma: 0.9, Theta: 1e-8}).Validate(); err == nil {
		t.Error("max_sweeps 0 accepted")
	}
	// A planner that runs out of sweeps stops Learn with an error naming the step.
	var l metricLog
	cfg := tabular.DefaultPlanConfig()
	cfg.MaxSweeps = 3
	tr, _ := tabular.NewPlanTrainer(tabular.ValueIterationName, cfg, model(t, "FrozenLake-v1", nil), vector(t, "FrozenLake-v1", nil), tabular.Options{TotalSteps: 100_000, Log: l.log})
	if err := tr.Learn(context.Background(), 100_000); err == nil || !strings.Contains(err.Error(), "at env step") {
		t.Errorf("value iteration out of sweeps: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	td := tdTrainer(t, tabular.QLearning, tabular.DefaultConfig(), "FrozenLake-v1", 1e6, &l)
	if err := td.Learn(ctx, 1e6); !errors.Is(err, context.Canceled) {
		t.Errorf("Learn with a cancelled context: %v", err)
	}
}

// TestShippedSettings decodes every entry of the tabular algorithms' hyperparams files (the one
// copy in package hyperparams) as Defaults and PlanDefaults do: a key that is neither the
// config's nor a run key fails here.
func TestShippedSettings(t *testing.T) {
	for _, algo := range []string{"qlearning", "sarsa", "expectedsarsa", tabular.ValueIterationName, tabular.PolicyIterationName} {
		data, name, ok, err := hyperparams.File(algo)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", name, ok, err)
		}
		var entries map[string]any
		if err := yaml.Unmarshal(data, &entries); err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Errorf("%s has no entries", name)
		}
		for id := range entries {
			if algo == tabular.ValueIterationName || algo == tabular.PolicyIterationName {
				if _, err := tabular.PlanDefaults(algo, id); err != nil {
					t.Error(err)
				}
				continue
			}
			cfg, steps, err := tabular.Defaults(tabular.Method(algo), id)
			if err != nil {
				t.Error(err)
				continue
			}
			if err := cfg.Validate(); err != nil || steps < 1 {
				t.Errorf("%s %s: %v, %d steps", name, id, err, steps)
			}
		}
	}
}

// TestTDTrainerExplorationOverride: an ε set from the start trains exactly as the same ε given
// by a constant schedule (every use of ε follows the override, and nothing else changes); the
// metrics show it; ClearExploration returns to the schedule; Save and Load keep the override.
func TestTDTrainerExplorationOverride(t *testing.T) {
	for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
		t.Run(string(m), func(t *testing.T) {
			cfg := tabular.DefaultConfig()
			cfg.PlanningSteps = 2 // Dyna's simulated SARSA actions use ε too
			var la, lb metricLog
			a := tdTrainer(t, m, cfg, "FrozenLake-v1", 6000, &la)
			a.SetExploration(0.3)
			constant := cfg
			constant.ExplorationSchedule, constant.ExplorationInitialEps = tabular.Constant, 0.3
			b := tdTrainer(t, m, constant, "FrozenLake-v1", 6000, &lb)
			ctx := context.Background()
			for _, tr := range []*tabular.TDTrainer{a, b} {
				if err := tr.Learn(ctx, 3000); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(a.Agent.Q, b.Agent.Q) || !slices.Equal(la.rows, lb.rows) {
				t.Fatal("training with ε overridden to 0.3 differs from training with a constant ε of 0.3")
			}
			if eps, over := a.Exploration(); eps != 0.3 || !over {
				t.Errorf("Exploration() = %v, %v", eps, over)
			}
			// Save and Load carry the override into a trainer built alike.
			dir := t.TempDir()
			if err := a.Save(dir); err != nil {
				t.Fatal(err)
			}
			var lc metricLog
			c := tdTrainer(t, m, cfg, "FrozenLake-v1", 6000, &lc)
			if err := c.Load(dir); err != nil {
				t.Fatal(err)
			}
			if eps, over := c.Exploration(); eps != 0.3 || !over {
				t.Errorf("loaded: Exploration() = %v, %v; want 0.3, true", eps, over)
			}
			// Back to the schedule: linear from 1 to 0.05 over half of the 6000 steps (of the
			// agent's, which do not count the autoreset steps), so 0.05 by step 4000.
			a.ClearExploration()
			if eps, over := a.Exploration(); eps == 0.3 || eps <= 0.05 || over {
				t.Errorf("after ClearExploration: %v, %v; want the schedule's, between 0.05 and 0.3", eps, over)
			}
			if err := a.Learn(ctx, 4000); err != nil {
				t.Fatal(err)
			}
			if last := la.rows[len(la.rows)-2]; last != "4000 charts/epsilon 0.05" {
				t.Errorf("the row after ClearExploration is %q", last)
			}
		})
	}
	ag, _ := tabular.New(tabular.QLearning, tabular.DefaultConfig(), env.NewDiscrete(4), env.NewDiscrete(2), 10, 1)
	defer func() {
		if recover() == nil {
			t.Error("SetExploration(-0.1) did not panic")
		}
	}()
	ag.SetExploration(-0.1)
}
