package tabular_test

import (
	"math"
	"testing"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
)

// The toy-text envs take the agents' fast path.
var (
	_ tabular.FastEnv = (*grid.FrozenLake)(nil)
	_ tabular.FastEnv = (*grid.CliffWalking)(nil)
	_ tabular.FastEnv = (*grid.Taxi)(nil)
	_ tabular.FastEnv = (*grid.GridWorld)(nil)
)

// suttonGrid is the 4×4 grid world of Sutton and Barto's Example 4.1: terminal corners 0 and
// 15, reward -1 per move, moves off the grid leave the state unchanged.
type suttonGrid struct{}

func (suttonGrid) NumStates() int                 { return 16 }
func (suttonGrid) NumActions() int                { return 4 }
func (suttonGrid) InitialDistribution() []float64 { d := make([]float64, 16); d[5] = 1; return d }
func (suttonGrid) Transitions(s, a int) []env.Transition {
	if s == 0 || s == 15 {
		return []env.Transition{{Prob: 1, Next: s, Reward: 0, Terminated: true}}
	}
	r, c := s/4, s%4
	switch a {
	case 0:
		r = max(r-1, 0)
	case 1:
		c = min(c+1, 3)
	case 2:
		r = min(r+1, 3)
	case 3:
		c = max(c-1, 0)
	}
	n := r*4 + c
	return []env.Transition{{Prob: 1, Next: n, Reward: -1, Terminated: n == 0 || n == 15}}
}

// TestPolicyEvaluationExample41 reproduces Figure 4.1: the values of the uniform random policy.
func TestPolicyEvaluationExample41(t *testing.T) {
	cfg := tabular.DefaultPlanConfig()
	cfg.Gamma = 1
	cfg.Theta = 1e-12
	v, sweeps, err := tabular.PolicyEvaluation(suttonGrid{}, tabular.UniformPolicy(16, 4), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0}
	for s := range want {
		// Terminal states: this model marks entering them as terminating, and their own
		// value is that of their self-loop, 0.
		if math.Abs(v[s]-want[s]) > 1e-9 {
			t.Errorf("v(%d) = %v; want %v", s, v[s], want[s])
		}
	}
	if sweeps < 10 {
		t.Errorf("%d sweeps", sweeps)
	}
	// The optimal values are minus the distance to the nearest corner.
	plan, err := tabular.ValueIteration(suttonGrid{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s < 15; s++ {
		r, c := s/4, s%4
		d := min(r+c, 6-r-c)
		if plan.V[s] != -float64(d) {
			t.Errorf("v*(%d) = %v; want %d", s, plan.V[s], -d)
		}
	}
	// A policy that never ends its episodes does not converge with γ = 1.
	cfg.MaxSweeps = 500
	if _, _, err := tabular.PolicyEvaluation(suttonGrid{}, tabular.DeterministicPolicy(make([]int, 16), 4), cfg); err == nil {
		t.Error("evaluating the always-up policy with gamma 1 converged")
	}
}

// TestValueIterationMatchesPolicyIteration checks that the two planners agree to 1e-8 on every
// env with a model, and that the value of the value-iteration policy is the optimal value.
func TestValueIterationMatchesPolicyIteration(t *testing.T) {
	cases := []struct {
		id    string
		opts  env.Options
		gamma float64
	}{
		{"FrozenLake-v1", nil, 0.99},
		{"FrozenLake-v1", nil, 1},
		{"FrozenLake-v1", env.Options{"is_slippery": false}, 0.9},
		{"FrozenLake8x8-v1", nil, 0.99},
		{"CliffWalking-v1", nil, 1},
		{"CliffWalking-v1", nil, 0.9},
		{"CliffWalkingSlippery-v1", nil, 0.99},
		{"Taxi-v4", nil, 0.99},
		{"Taxi-v4", env.Options{"is_rainy": true}, 0.99},
		{"GridWorld-v0", nil, 0.9},
	}
	for _, c := range cases {
		e, err := env.Make(c.id, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		m := env.Unwrapped(e).(env.Model)
		cfg := tabular.DefaultPlanConfig()
		cfg.Gamma = c.gamma
		cfg.Theta = 1e-13
		vi, err := tabular.ValueIteration(m, cfg)
		if err != nil {
			t.Fatalf("%s %v: %v", c.id, c.opts, err)
		}
		pi, err := tabular.PolicyIteration(m, cfg)
		if err != nil {
			t.Fatalf("%s %v: %v", c.id, c.opts, err)
		}
		worst := 0.0
		for s := range vi.V {
			worst = max(worst, math.Abs(vi.V[s]-pi.V[s]))
		}
		if worst > 1e-8 {
			t.Errorf("%s %v γ=%v: value and policy iteration differ by %g", c.id, c.opts, c.gamma, worst)
		}
		// The greedy policy of value iteration is optimal: its own value is V*.
		vpol, _, err := tabular.PolicyEvaluation(m, tabular.DeterministicPolicy(vi.Policy, m.NumActions()), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for s := range vpol {
			if math.Abs(vpol[s]-vi.V[s]) > 1e-8 {
				t.Errorf("%s %v γ=%v: the VI policy is worth %v in state %d; V* is %v", c.id, c.opts, c.gamma, vpol[s], s, vi.V[s])
				break
			}
		}
		if pi.Iterations > 20 || pi.Iterations < 2 {
			t.Errorf("%s: policy iteration took %d improvement rounds", c.id, pi.Iterations)
		}
		t.Logf("%s %v γ=%v: VI %d sweeps, PI %d rounds / %d sweeps, max |ΔV| %.2g", c.id, c.opts, c.gamma, vi.Iterations, pi.Iterations, pi.Sweeps, worst)
	}
}

// finiteHorizonSuccess is the best probability of reaching the goal within h steps, by
// backward induction (the non-stationary optimum).
func finiteHorizonSuccess(m env.Model, h int) float64 {
	v := make([]float64, m.NumStates())
	nv := make([]float64, m.NumStates())
	for k := 0; k < h; k++ {
		for s := range nv {
			best := 0.0
			for a := 0; a < m.NumActions(); a++ {
				q := 0.0
				for _, tr := range m.Transitions(s, a) {
					switch {
					case tr.Terminated && tr.Reward > 0:
						q += tr.Prob
					case !tr.Terminated:
						q += tr.Prob * v[tr.Next]
					}
				}
				best = max(best, q)
			}
			nv[s] = best
		}
		v, nv = nv, v
	}
	start := 0.0
	for s, p := range m.InitialDistribution() {
		start += p * v[s]
	}
	return start
}

// TestFrozenLakeValueIterationSuccess simulates 100,000 episodes of the value-iteration policy
// on FrozenLake-v1 (4x4, slippery, 100-step limit): the success rate must match the success
// probability computed from the model within sampling error, and be close to the best
// achievable within 100 steps (about 0.744).
func TestFrozenLakeValueIterationSuccess(t *testing.T) {
	e, err := env.Make("FrozenLake-v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := env.Unwrapped(e).(env.Model)
	cfg, err := tabular.PlanDefaults(tabular.ValueIterationName, "FrozenLake-v1")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tabular.ValueIteration(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.SuccessProbability(m, plan.Policy, 100)
	if err != nil {
		t.Fatal(err)
	}
	best := finiteHorizonSuccess(m, 100)
	if math.Abs(best-0.744) > 0.001 || p > best || best-p > 0.01 {
		t.Errorf("VI policy succeeds with probability %.4f within 100 steps; the best possible is %.4f (want about 0.744)", p, best)
	}
	const n = 100_000
	res, err := tabular.Evaluate(e, plan.Policy, n, 12345)
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(p * (1 - p) / n)
	if d := math.Abs(res.SuccessRate - p); d > 4.5*sd {
		t.Errorf("success rate over %d episodes %.4f; the model says %.4f (±%.4f)", n, res.SuccessRate, p, sd)
	}
	if res.MeanReturn != res.SuccessRate {
		t.Errorf("mean return %v differs from the success rate %v (reward 1 at the goal only)", res.MeanReturn, res.SuccessRate)
	}
	t.Logf("VI: P(success within 100) = %.4f (best %.4f), simulated %.4f over %d episodes, mean length %.1f", p, best, res.SuccessRate, n, res.MeanLength)
}

func TestPlanErrors(t *testing.T) {
	bad := tabular.DefaultPlanConfig()
	bad.Gamma = 1.5
	if _, err := tabular.ValueIteration(suttonGrid{}, bad); err == nil {
		t.Error("gamma 1.5 accepted")
	}
	bad = tabular.DefaultPlanConfig()
	bad.Theta = 0
	if _, err := tabular.PolicyIteration(suttonGrid{}, bad); err == nil {
		t.Error("theta 0 accepted")
	}
	if _, _, err := tabular.PolicyEvaluation(suttonGrid{}, make([]float64, 3), tabular.DefaultPlanConfig()); err == nil {
		t.Error("a policy of the wrong size accepted")
	}
	if _, err := tabular.SuccessProbability(suttonGrid{}, make([]int, 15), 10); err == nil {
		t.Error("SuccessProbability took a policy of the wrong size")
	}
	few := tabular.DefaultPlanConfig()
	few.MaxSweeps = 3
	if _, err := tabular.ValueIteration(suttonGrid{}, few); err == nil {
		t.Error("value iteration converged in 3 sweeps")
	}
	if _, err := tabular.PlanDefaults("nosuchplanner", "FrozenLake-v1"); err == nil {
		t.Error("PlanDefaults of an unknown planner")
	}
	if _, err := tabular.RunPlanner("nosuchplanner", suttonGrid{}, tabular.DefaultPlanConfig()); err == nil {
		t.Error("RunPlanner of an unknown planner")
	}
	for _, name := range []string{tabular.ValueIterationName, tabular.PolicyIterationName} {
		cfg, err := tabular.PlanDefaults(name, "CliffWalking-v1")
		if err != nil || cfg.Gamma != 1 {
			t.Fatalf("PlanDefaults(%s, CliffWalking-v1) = %+v, %v", name, cfg, err)
		}
		p, err := tabular.RunPlanner(name, suttonGrid{}, cfg)
		if err != nil || p.V[1] != -1 {
			t.Errorf("RunPlanner(%s): %v, v(1) = %v", name, err, p.V[1])
		}
	}
}
