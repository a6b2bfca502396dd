package tabular_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
)

// train builds an agent with the shipped settings for id and trains it.
func train(t *testing.T, m tabular.Method, id string, seed uint64) (*tabular.Agent, env.Env) {
	t.Helper()
	e, err := env.Make(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, steps, err := tabular.Defaults(m, id)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := tabular.New(m, cfg, e.ObservationSpace(), e.ActionSpace(), steps, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Learn(context.Background(), e, steps, nil); err != nil {
		t.Fatal(err)
	}
	return ag, e
}

// TestQLearningFrozenLake trains Q-learning with the shipped settings on FrozenLake-v1 (4x4,
// slippery) and compares its greedy policy's success rate with the value-iteration policy's,
// exactly from the model and over 100,000 simulated episodes: within 0.03.
func TestQLearningFrozenLake(t *testing.T) {
	seeds := []uint64{1}
	if !testing.Short() {
		seeds = []uint64{1, 2, 3}
	}
	vi := planFor(t, "FrozenLake-v1")
	for _, seed := range seeds {
		ag, e := train(t, tabular.QLearning, "FrozenLake-v1", seed)
		m := env.Unwrapped(e).(env.Model)
		pv, _ := tabular.SuccessProbability(m, vi.Policy, 100)
		pq, _ := tabular.SuccessProbability(m, ag.Policy(), 100)
		if pq < pv-0.03 {
			t.Errorf("seed %d: Q-learning's policy succeeds with probability %.4f; value iteration's %.4f", seed, pq, pv)
		}
		const n = 100_000
		rv, _ := tabular.Evaluate(e, vi.Policy, n, 99)
		rq, _ := tabular.Evaluate(e, ag.Policy(), n, 99)
		if rq.SuccessRate < rv.SuccessRate-0.03 {
			t.Errorf("seed %d: over %d episodes Q-learning succeeds %.4f of the time, value iteration %.4f", seed, n, rq.SuccessRate, rv.SuccessRate)
		}
		t.Logf("seed %d: success within 100 steps: Q-learning %.4f (simulated %.4f), value iteration %.4f (simulated %.4f); %d episodes of training",
			seed, pq, rq.SuccessRate, pv, rv.SuccessRate, ag.Episodes())
	}
}

func planFor(t *testing.T, id string) *tabular.Plan {
	t.Helper()
	e, err := env.Make(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tabular.PlanDefaults(tabular.ValueIterationName, id)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tabular.ValueIteration(env.Unwrapped(e).(env.Model), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// greedyPath follows the greedy policy of a deterministic model from the start.
func greedyPath(m env.Model, policy []int, start, limit int) []int {
	path := []int{start}
	s := start
	for len(path) <= limit {
		tr := m.Transitions(s, policy[s])[0]
		path = append(path, tr.Next)
		if tr.Terminated {
			break
		}
		s = tr.Next
	}
	return path
}

// TestCliffWalkingExample66 is Sutton and Barto's Example 6.6 with the shipped settings: with
// ε = 0.1 throughout, Q-learning learns the optimal path along the cliff edge (13 steps) and
// SARSA the safe path away from it.
func TestCliffWalkingExample66(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		q, e := train(t, tabular.QLearning, "CliffWalking-v1", seed)
		m := env.Unwrapped(e).(env.Model)
		qp := greedyPath(m, q.Policy(), grid.CliffStart, 100)
		if len(qp) != 14 || qp[len(qp)-1] != grid.CliffGoal {
			t.Errorf("seed %d: Q-learning's greedy path %v; want the 13-step path along the cliff", seed, qp)
		}
		for _, s := range qp[1 : len(qp)-1] {
			if s/12 != 2 && s != 24 {
				t.Errorf("seed %d: Q-learning's path %v leaves the cliff edge at %d", seed, qp, s)
				break
			}
		}
		sa, _ := train(t, tabular.SARSA, "CliffWalking-v1", seed)
		sp := greedyPath(m, sa.Policy(), grid.CliffStart, 100)
		if sp[len(sp)-1] != grid.CliffGoal || len(sp) <= 14 {
			t.Errorf("seed %d: SARSA's greedy path %v; want a path to the goal longer than the optimal one", seed, sp)
		}
		for _, s := range sp {
			if r, c := s/12, s%12; r == 2 && c >= 1 && c <= 10 {
				t.Errorf("seed %d: SARSA's path %v walks along the cliff edge at %d", seed, sp, s)
				break
			}
		}
		t.Logf("seed %d: Q-learning %d steps, SARSA %d steps: %v", seed, len(qp)-1, len(sp)-1, sp)
	}
}

// TestQLearningTaxi trains Q-learning with the shipped settings on Taxi-v4: its greedy policy's
// mean return over the 300 starts (exact, from the model, and over simulated episodes) is
// within 0.5 of the value-iteration policy's.
func TestQLearningTaxi(t *testing.T) {
	vi := planFor(t, "Taxi-v4")
	ag, e := train(t, tabular.QLearning, "Taxi-v4", 1)
	m := env.Unwrapped(e).(env.Model)
	rv, _ := tabular.ExpectedReturn(m, vi.Policy, 200)
	rq, _ := tabular.ExpectedReturn(m, ag.Policy(), 200)
	if rq < rv-0.5 {
		t.Errorf("Q-learning's mean return %.3f; value iteration's %.3f", rq, rv)
	}
	sim, _ := tabular.Evaluate(e, ag.Policy(), 3000, 5)
	simVI, _ := tabular.Evaluate(e, vi.Policy, 3000, 5)
	if sim.MeanReturn < simVI.MeanReturn-0.5 || sim.SuccessRate != 1 {
		t.Errorf("over 3000 episodes: Q-learning %+v, value iteration %+v", sim, simVI)
	}
	t.Logf("mean return: Q-learning %.3f (simulated %.3f), value iteration %.3f (simulated %.3f)", rq, sim.MeanReturn, rv, simVI.MeanReturn)
}

// TestBlackjack trains Q-learning on Blackjack-v1 (MultiDiscrete observations): its policy
// loses far less than always sticking.
func TestBlackjack(t *testing.T) {
	if testing.Short() {
		t.Skip("2 million steps")
	}
	ag, e := train(t, tabular.QLearning, "Blackjack-v1", 1)
	const n = 100_000
	res, _ := tabular.Evaluate(e, ag.Policy(), n, 3)
	stick, _ := tabular.Evaluate(e, make([]int, ag.NumStates), n, 3)
	if res.MeanReturn < -0.08 || res.MeanReturn < stick.MeanReturn+0.08 {
		t.Errorf("mean return %.4f; always sticking %.4f", res.MeanReturn, stick.MeanReturn)
	}
	// Sutton and Barto's Figure 5.2: stick on 20 and 21 whatever the dealer shows.
	p, err := tabular.NewPolicy(ag.Table, e.ObservationSpace())
	if err != nil {
		t.Fatal(err)
	}
	act := []float32{0}
	for dealer := 1; dealer <= 10; dealer++ {
		for _, sum := range []int{20, 21} {
			p.Act([]float32{float32(sum), float32(dealer), 0}, act)
			if act[0] != grid.BlackjackStick {
				t.Errorf("hits on a hard %d against %d", sum, dealer)
			}
		}
	}
	t.Logf("mean return %.4f over %d hands (always stick %.4f)", res.MeanReturn, n, stick.MeanReturn)
}

// chain drives the step API on a hand-made trajectory: one action, so every choice is forced.
func chainAgent(t *testing.T, m tabular.Method, cfg tabular.Config, nS, nA int) *tabular.Agent {
	t.Helper()
	ag, err := tabular.New(m, cfg, env.NewDiscrete(nS), env.NewDiscrete(nA), 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func fixedConfig() tabular.Config {
	cfg := tabular.DefaultConfig()
	cfg.LearningRate = 0.5
	cfg.Gamma = 0.9
	cfg.ExplorationSchedule = tabular.Constant
	cfg.ExplorationInitialEps = 0
	return cfg
}

// TestTracesByHand checks SARSA(λ) on a trajectory worked out by hand: 0 → 0 → 1 → end with
// rewards 0, 0, 1, α = 0.5, γ = 0.9, λ = 0.8 (γλ = 0.72).
func TestTracesByHand(t *testing.T) {
	for _, c := range []struct {
		replacing bool
		want      []float64
	}{
		// Replacing: the trace of state 0 is reset to 1 on the revisit, then decays once:
		// Q(0) = 0.5·1·0.72, Q(1) = 0.5.
		{true, []float64{0.36, 0.5}},
		// Accumulating: (1·0.72 + 1)·0.72 = 1.2384, Q(0) = 0.5·1.2384.
		{false, []float64{0.6192, 0.5}},
	} {
		cfg := fixedConfig()
		cfg.Lambda = 0.8
		cfg.ReplacingTraces = c.replacing
		for _, m := range []tabular.Method{tabular.SARSA, tabular.QLearning, tabular.ExpectedSARSA} {
			ag := chainAgent(t, m, cfg, 2, 1)
			ag.Start(0)
			ag.Observe(0, 0, false, false)
			ag.Observe(0, 1, false, false)
			ag.Observe(1, 1, true, false)
			for s, w := range c.want {
				if math.Abs(ag.Q[s]-w) > 1e-12 {
					t.Errorf("%s replacing=%v: Q = %v; want %v", m, c.replacing, ag.Q, c.want)
					break
				}
			}
			// The traces were cleared at the end: a new episode touches only its own pairs.
			ag.Start(1)
			before := slices.Clone(ag.Q)
			ag.Observe(0, 1, true, false)
			if ag.Q[0] != before[0] {
				t.Errorf("%s: a trace survived the end of the episode: Q(0) moved from %v to %v", m, before[0], ag.Q[0])
			}
		}
	}
}

// TestTargets checks each method's one-step target with α = 1, so Q(s, a) becomes the target:
// Q-learning r + γ max, SARSA r + γ Q(s', a'), Expected SARSA r + γ (ε mean + (1-ε) max);
// terminated steps do not bootstrap, truncated ones do.
func TestTargets(t *testing.T) {
	cfg := fixedConfig()
	cfg.LearningRate = 1
	cfg.ExplorationInitialEps = 0.3
	next := []float64{1, 5, 2} // Q(1, ·)
	for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
		for _, ending := range []string{"none", "truncated", "terminated"} {
			ag := chainAgent(t, m, cfg, 2, 3)
			copy(ag.Row(1), next)
			a := ag.Start(0)
			a2 := ag.Observe(2, 1, ending == "terminated", ending == "truncated")
			var boot float64
			switch m {
			case tabular.QLearning:
				boot = 5
			case tabular.SARSA:
				if a2 >= 0 {
					boot = next[a2]
				}
			case tabular.ExpectedSARSA:
				boot = 0.3*(1+5+2)/3 + 0.7*5
			}
			want := 2 + 0.9*boot
			if ending == "terminated" {
				want = 2
			}
			if got := ag.Row(0)[a]; math.Abs(got-want) > 1e-12 {
				t.Errorf("%s, %s: Q(0, %d) = %v; want %v", m, ending, a, got, want)
			}
		}
	}
}

// TestDeterminismAndChunks: a seed gives one table, and Learn in chunks gives the same table
// and the same episodes as Learn at once.
func TestDeterminismAndChunks(t *testing.T) {
	for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
		cfg := tabular.DefaultConfig()
		cfg.Lambda = 0.5
		cfg.PlanningSteps = 3
		cfg.ExplorationSchedule = tabular.Exponential
		cfg.LearningRateSchedule = tabular.Linear
		run := func(chunks []int64) (*tabular.Agent, []tabular.EpisodeStats) {
			e, _ := env.Make("FrozenLake-v1", nil)
			ag, err := tabular.New(m, cfg, e.ObservationSpace(), e.ActionSpace(), 20000, 7)
			if err != nil {
				t.Fatal(err)
			}
			var eps []tabular.EpisodeStats
			for _, until := range chunks {
				if err := ag.Learn(context.Background(), e, until, func(s tabular.EpisodeStats) { eps = append(eps, s) }); err != nil {
					t.Fatal(err)
				}
			}
			return ag, eps
		}
		a, ea := run([]int64{20000})
		b, eb := run([]int64{20000})
		c, ec := run([]int64{1, 777, 778, 5000, 13001, 20000})
		if !slices.Equal(a.Q, b.Q) || !slices.Equal(a.Q, c.Q) {
			t.Errorf("%s: the same seed gave different tables (once, again, in chunks)", m)
		}
		if !slices.Equal(ea, eb) || !slices.Equal(ea, ec) || len(ea) == 0 {
			t.Errorf("%s: the episodes differ: %d, %d, %d", m, len(ea), len(eb), len(ec))
		}
		var steps int64
		for i, s := range ea {
			steps += int64(s.Length)
			if s.Episode != i || s.Step != steps || (!s.Terminated && s.Length != 100) {
				t.Fatalf("%s: episode %+v after %d steps", m, s, steps)
			}
		}
		e, _ := env.Make("FrozenLake-v1", nil)
		other, _ := tabular.New(m, cfg, e.ObservationSpace(), e.ActionSpace(), 20000, 8)
		if err := other.Learn(context.Background(), e, 20000, nil); err != nil {
			t.Fatal(err)
		}
		if slices.Equal(a.Q, other.Q) {
			t.Errorf("%s: seeds 7 and 8 gave the same table", m)
		}
	}
}

// TestEnvPathMatchesFastPath: the fast path and env.Env give the same training (the same
// random streams: one uniform per env step, the agent's own generator).
func TestEnvPathMatchesFastPath(t *testing.T) {
	for _, id := range []string{"FrozenLake-v1", "Taxi-v4"} {
		cfg, _, _ := tabular.Defaults(tabular.QLearning, id)
		var tables [][]float64
		for _, hide := range []bool{false, true} {
			e, _ := env.Make(id, nil)
			if hide {
				e = env.NewTimeLimit(hideFast{env.Unwrapped(e)}, e.(*env.TimeLimit).MaxSteps)
			}
			ag, _ := tabular.New(tabular.QLearning, cfg, e.ObservationSpace(), e.ActionSpace(), 30000, 3)
			if err := ag.Learn(context.Background(), e, 30000, nil); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, ag.Q)
		}
		if !slices.Equal(tables[0], tables[1]) {
			t.Errorf("%s: the fast path and env.Env trained different tables", id)
		}
	}
}

// TestDynaQ: with planning steps, Q-learning finds the REINFORCEjs grid world's optimal path in
// far fewer real steps than without.
func TestDynaQ(t *testing.T) {
	e, _ := env.Make("GridWorld-v0", nil)
	m := env.Unwrapped(e).(env.Model)
	opt, _ := tabular.ExpectedReturn(m, planFor(t, "GridWorld-v0").Policy, 500)
	solved := func(planning int, seed uint64) bool {
		cfg, _, _ := tabular.Defaults(tabular.QLearning, "GridWorld-v0")
		cfg.PlanningSteps = planning
		ag, _ := tabular.New(tabular.QLearning, cfg, e.ObservationSpace(), e.ActionSpace(), 3000, seed)
		ag.Learn(context.Background(), e, 3000, nil)
		r, _ := tabular.ExpectedReturn(m, ag.Policy(), 500)
		return math.Abs(r-opt) < 1e-9
	}
	with, without := 0, 0
	for seed := uint64(1); seed <= 5; seed++ {
		if solved(50, seed) {
			with++
		}
		if solved(0, seed) {
			without++
		}
	}
	if with < 4 || without > 1 {
		t.Errorf("after 3000 steps: %d of 5 runs with 50 planning steps found the optimal path, %d of 5 without", with, without)
	}
}

// TestTracesLearn: the λ variants learn CliffWalking (Watkins's Q(λ) the optimal path, SARSA(λ)
// a safe one). Traces with a large step size learn the optimal path more slowly: the long run
// trains ten times the shipped steps with λ = 0.5.
func TestTracesLearn(t *testing.T) {
	lambda, scale := 0.1, int64(1)
	if !testing.Short() {
		lambda, scale = 0.5, 20
	}
	for _, replacing := range []bool{true, false} {
		for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
			cfg, steps, _ := tabular.Defaults(m, "CliffWalking-v1")
			steps *= scale
			cfg.Lambda = lambda
			cfg.ReplacingTraces = replacing
			e, _ := env.Make("CliffWalking-v1", nil)
			ag, _ := tabular.New(m, cfg, e.ObservationSpace(), e.ActionSpace(), steps, 2)
			if err := ag.Learn(context.Background(), e, steps, nil); err != nil {
				t.Fatal(err)
			}
			p := greedyPath(env.Unwrapped(e).(env.Model), ag.Policy(), grid.CliffStart, 100)
			if p[len(p)-1] != grid.CliffGoal {
				t.Errorf("%s(λ=%v) replacing=%v: greedy path %v does not reach the goal", m, lambda, replacing, p)
			}
			if m == tabular.QLearning && len(p) != 14 {
				t.Errorf("Q(λ=%v) replacing=%v: greedy path of %d steps; want 13", lambda, replacing, len(p)-1)
			}
		}
	}
}

// TestWatkinsCut: Watkins's Q(λ) keeps the traces after a greedy next action and cuts them
// after an exploratory one. From state 0 the agent moves to state 1, where Q(1, ·) = [1, 0],
// then takes a random action that ends the episode with reward 2. With α = 0.5, γ = 0.9,
// λ = 0.8: the first update sets Q(0, a) = 0.45; the second TD error, 2 - Q(1, a'), reaches
// Q(0, a) through its trace 0.72 only when a' was the greedy action 0.
func TestWatkinsCut(t *testing.T) {
	cfg := fixedConfig()
	cfg.Lambda = 0.8
	cfg.ExplorationInitialEps = 1 // every action random; a' is greedy or not by chance
	seen := map[int]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		ag, err := tabular.New(tabular.QLearning, cfg, env.NewDiscrete(2), env.NewDiscrete(2), 100, seed)
		if err != nil {
			t.Fatal(err)
		}
		copy(ag.Row(1), []float64{1, 0})
		a := ag.Start(0)
		a2 := ag.Observe(0, 1, false, false)
		if got := ag.Row(0)[a]; math.Abs(got-0.45) > 1e-12 {
			t.Fatalf("after the first step Q(0, %d) = %v; want 0.45", a, got)
		}
		ag.Observe(2, 0, true, false)
		want := 0.45
		if a2 == 0 {
			want += 0.5 * (2 - 1) * 0.72
		}
		if got := ag.Row(0)[a]; math.Abs(got-want) > 1e-12 {
			t.Errorf("seed %d, next action %d: Q(0, %d) = %v; want %v", seed, a2, a, got, want)
		}
		seen[a2] = true
	}
	if !seen[0] || !seen[1] {
		t.Errorf("20 seeds did not try both next actions: %v", seen)
	}
}

func TestSchedules(t *testing.T) {
	cfg := tabular.DefaultConfig()
	cfg.ExplorationSchedule = tabular.Linear
	cfg.ExplorationInitialEps, cfg.ExplorationFinalEps, cfg.ExplorationFraction = 1, 0.1, 0.5
	cfg.LearningRateSchedule = tabular.Exponential
	cfg.LearningRate, cfg.LearningRateFinal, cfg.LearningRateFraction = 0.5, 0.1, 1
	ag, err := tabular.New(tabular.QLearning, cfg, env.NewDiscrete(2), env.NewDiscrete(1), 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ag.Epsilon() != 1 || ag.LearningRate() != 0.5 {
		t.Fatalf("at step 0: ε %v, α %v", ag.Epsilon(), ag.LearningRate())
	}
	ag.Start(0)
	for i := 0; i < 250; i++ {
		ag.Observe(0, 0, false, false)
	}
	if got := ag.Epsilon(); math.Abs(got-0.55) > 1e-12 {
		t.Errorf("linear ε halfway through its span: %v; want 0.55", got)
	}
	for i := 0; i < 750; i++ {
		ag.Observe(0, 0, false, false)
	}
	if got := ag.Epsilon(); got != 0.1 {
		t.Errorf("linear ε after its span: %v; want 0.1", got)
	}
	// Exponential: 99% of the way at the end of the span.
	if got := ag.LearningRate(); math.Abs(got-(0.1+0.4*0.01)) > 1e-12 {
		t.Errorf("exponential α at the end of its span: %v; want %v", got, 0.1+0.4*0.01)
	}
	for _, bad := range []func(*tabular.Config){
		func(c *tabular.Config) { c.ExplorationSchedule = "cosine" },
		func(c *tabular.Config) { c.ExplorationFraction = 2 },
		func(c *tabular.Config) { c.Gamma = -1 },
		func(c *tabular.Config) { c.Lambda = 1.5 },
		func(c *tabular.Config) { c.PlanningSteps = -1 },
	} {
		c := tabular.DefaultConfig()
		bad(&c)
		if _, err := tabular.New(tabular.QLearning, c, env.NewDiscrete(2), env.NewDiscrete(2), 10, 1); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

func TestNewErrors(t *testing.T) {
	box := env.NewUniformBox(-1, 1, 2)
	if _, err := tabular.New(tabular.QLearning, tabular.DefaultConfig(), box, env.NewDiscrete(2), 10, 1); err == nil || !strings.Contains(err.Error(), "Discrete") {
		t.Errorf("a Box observation space: %v", err)
	}
	if _, err := tabular.New(tabular.QLearning, tabular.DefaultConfig(), env.NewDiscrete(2), box, 10, 1); err == nil {
		t.Error("a Box action space accepted")
	}
	if _, err := tabular.New("montecarlo", tabular.DefaultConfig(), env.NewDiscrete(2), env.NewDiscrete(2), 10, 1); err == nil {
		t.Error("an unknown method accepted")
	}
	ag, _ := tabular.New(tabular.QLearning, tabular.DefaultConfig(), env.NewDiscrete(16), env.NewDiscrete(4), 10, 1)
	e, _ := env.Make("Taxi-v4", nil)
	if err := ag.Learn(context.Background(), e, 10, nil); err == nil {
		t.Error("Learn on an env of another size")
	}
	fl, _ := env.Make("FrozenLake-v1", nil)
	for _, mk := range []func(tabular.Config, env.Env, int64, uint64) (*tabular.Agent, error){tabular.NewQLearning, tabular.NewSARSA, tabular.NewExpectedSARSA} {
		if ag, err := mk(tabular.DefaultConfig(), fl, 10, 1); err != nil || ag.NumStates != 16 || ag.NumActions != 4 {
			t.Errorf("constructor: %v", err)
		}
	}
	if _, _, err := tabular.Defaults(tabular.QLearning, "NoSuchEnv-v0"); err != nil {
		t.Errorf("an env without an entry: %v", err)
	}
}

func TestLearnStopsOnCancel(t *testing.T) {
	e, _ := env.Make("FrozenLake-v1", nil)
	ag, _ := tabular.New(tabular.QLearning, tabular.DefaultConfig(), e.ObservationSpace(), e.ActionSpace(), 1e9, 1)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := ag.Learn(ctx, e, 1e9, func(tabular.EpisodeStats) {
		if n++; n == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || ag.Steps() > 100_000 {
		t.Errorf("Learn returned %v after %d steps", err, ag.Steps())
	}
}

func TestTableSaveLoad(t *testing.T) {
	dir := t.TempDir()
	ag, _ := train(t, tabular.QLearning, "Taxi-v4", 1)
	path := filepath.Join(dir, "q.safetensors")
	if err := ag.Table.Save(path, map[string]string{"env": "Taxi-v4", "algo": "qlearning"}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := tabular.LoadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Q, ag.Q) || got.NumStates != 500 || got.NumActions != 6 || meta["env"] != "Taxi-v4" || meta["algo"] != "qlearning" {
		t.Fatalf("loaded %d×%d, meta %v", got.NumStates, got.NumActions, meta)
	}
	fresh := tabular.NewTable(500, 6, 0)
	if _, err := fresh.Load(path); err != nil || !slices.Equal(fresh.Q, ag.Q) {
		t.Fatalf("Load into a table of the right shape: %v", err)
	}
	small := tabular.NewTable(16, 4, 0)
	_, err = small.Load(path)
	if !errors.Is(err, tabular.ErrShape) || !strings.Contains(err.Error(), "500 states × 6 actions") || !strings.Contains(err.Error(), "Taxi-v4") {
		t.Errorf("Load of a Taxi table into a FrozenLake one: %v", err)
	}
	// Damaged and foreign files.
	raw, _ := os.ReadFile(path)
	for name, data := range map[string][]byte{
		"truncated": raw[:len(raw)-9],
		"short":     raw[:5],
		"header":    append([]byte{255, 255, 255, 255, 0, 0, 0, 0}, raw[8:]...),
		"json":      []byte("\x08\x00\x00\x00\x00\x00\x00\x00{notjson"),
		"foreign":   []byte("\x0e\x00\x00\x00\x00\x00\x00\x00{\"w\":1}       "),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, _, err := tabular.LoadTable(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s file: %v", name, err)
		}
	}
	if _, _, err := tabular.LoadTable(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestPolicyAndExports(t *testing.T) {
	tb := tabular.NewTable(3, 2, 0)
	copy(tb.Q, []float64{1, 2, 5, 5, -1, -3})
	if got := tb.Policy(); !slices.Equal(got, []int{1, 0, 0}) {
		t.Errorf("Policy() = %v", got)
	}
	if got := tb.Values(); !slices.Equal(got, []float64{2, 5, -1}) {
		t.Errorf("Values() = %v", got)
	}
	// MultiDiscrete observations are numbered in mixed radix.
	p, err := tabular.NewPolicy(tabular.NewTable(6, 2, 0), env.MultiDiscrete{Nvec: []int{2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.StateOf([]float32{1, 2}); s != 5 {
		t.Errorf("StateOf([1 2]) = %d; want 5", s)
	}
	copy(p.Row(5), []float64{0.5, 0.7})
	act := []float32{-1}
	p.Act([]float32{1, 2}, act)
	q := make([]float32, 2)
	p.QValues([]float32{1, 2}, q)
	if act[0] != 1 || q[0] != 0.5 || q[1] != 0.7 {
		t.Errorf("Act %v, QValues %v", act, q)
	}
	if _, err := tabular.NewPolicy(tb, env.NewDiscrete(4)); err == nil {
		t.Error("a policy for a space of another size")
	}
}

// TestStateResume: saving the agent's state mid-training and restoring it into a new agent
// continues training exactly (traces, planning, mid-episode included).
func TestStateResume(t *testing.T) {
	cfg := tabular.DefaultConfig()
	cfg.Lambda = 0.7
	cfg.PlanningSteps = 2
	for _, m := range []tabular.Method{tabular.QLearning, tabular.SARSA, tabular.ExpectedSARSA} {
		ea, _ := env.Make("FrozenLake-v1", nil)
		a, _ := tabular.New(m, cfg, ea.ObservationSpace(), ea.ActionSpace(), 10000, 5)
		if err := a.Learn(context.Background(), ea, 10000, nil); err != nil {
			t.Fatal(err)
		}
		eb, _ := env.Make("FrozenLake-v1", nil)
		b, _ := tabular.New(m, cfg, eb.ObservationSpace(), eb.ActionSpace(), 10000, 5)
		if err := b.Learn(context.Background(), eb, 4321, nil); err != nil {
			t.Fatal(err)
		}
		data, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := tabular.New(m, cfg, eb.ObservationSpace(), eb.ActionSpace(), 10000, 5)
		if err := c.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if err := c.Learn(context.Background(), eb, 10000, nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Q, c.Q) || a.Episodes() != c.Episodes() || c.Steps() != 10000 {
			t.Errorf("%s: training resumed from a saved state differs from training in one go", m)
		}
		// A state of another size or method is refused.
		other, _ := tabular.New(m, cfg, env.NewDiscrete(64), env.NewDiscrete(4), 10, 1)
		if err := other.UnmarshalBinary(data); err == nil {
			t.Errorf("%s: a state of 16 states restored into an agent of 64", m)
		}
		if err := c.UnmarshalBinary([]byte("garbage")); err == nil {
			t.Errorf("%s: garbage restored", m)
		}
	}
}
