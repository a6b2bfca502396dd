package tabular_test

import (
	"context"
	"fmt"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/grid"
)

// Value iteration on FrozenLake's model: the greedy policy reaches the goal within the
// 100-step limit three times out of four.
func ExampleValueIteration() {
	e, _ := env.Make("FrozenLake-v1", nil)
	m := env.Unwrapped(e).(env.Model)
	plan, err := tabular.ValueIteration(m, tabular.DefaultPlanConfig())
	if err != nil {
		panic(err)
	}
	p, _ := tabular.SuccessProbability(m, plan.Policy, 100)
	fmt.Printf("policy %v\nP(goal within 100 steps) = %.4f\n", plan.Policy, p)
	// Output:
	// policy [0 3 3 3 0 0 0 0 3 1 0 0 0 2 1 0]
	// P(goal within 100 steps) = 0.7402
}

// Q-learning on Taxi with the shipped settings learns the optimal policy: its mean return over
// the 300 starts equals value iteration's.
func ExampleAgent_Learn() {
	e, _ := env.Make("Taxi-v4", nil)
	cfg, steps, _ := tabular.Defaults(tabular.QLearning, "Taxi-v4")
	ag, err := tabular.New(tabular.QLearning, cfg, e.ObservationSpace(), e.ActionSpace(), steps, 1)
	if err != nil {
		panic(err)
	}
	episodes := 0
	if err := ag.Learn(context.Background(), e, steps, func(tabular.EpisodeStats) { episodes++ }); err != nil {
		panic(err)
	}
	ret, _ := tabular.ExpectedReturn(env.Unwrapped(e).(env.Model), ag.Policy(), 200)
	fmt.Printf("%d steps, mean return %.2f\n", ag.Steps(), ret)
	// Output:
	// 500000 steps, mean return 7.93
}

// The step API drives an agent from any loop, as REINFORCEjs's act and learn do.
func ExampleAgent_Observe() {
	e, _ := env.Make("CliffWalking-v1", nil)
	cfg, _, _ := tabular.Defaults(tabular.SARSA, "CliffWalking-v1")
	ag, _ := tabular.New(tabular.SARSA, cfg, e.ObservationSpace(), e.ActionSpace(), 20000, 1)
	obs, _ := e.Reset(env.Seed(1))
	a := ag.Start(ag.StateOf(obs))
	for ag.Steps() < 20000 {
		obs, r, term, trunc, _ := env.StepDiscrete(e, a)
		a = ag.Observe(r, ag.StateOf(obs), term, trunc)
		if term || trunc {
			obs, _ = e.Reset(nil)
			a = ag.Start(ag.StateOf(obs))
		}
	}
	fmt.Println(ag.Episodes() > 100, ag.Greedy(36) == 0) // from the start, go up, away from the cliff
	// Output:
	// true true
}

// A Planner sweeps one at a time, so a caller can act or draw in between: value iteration's
// the value of CliffWalking's start falls by one a sweep until it is that of the 13-step
// path.
func ExamplePlanner() {
	e, _ := env.Make("CliffWalking-v1", nil)
	m := env.Unwrapped(e).(env.Model)
	p, err := tabular.NewPlanner(tabular.ValueIterationName, m, tabular.PlanConfig{Gamma: 1, Theta: 1e-10, MaxSweeps: 1000})
	if err != nil {
		panic(err)
	}
	for !p.Done() {
		st, err := p.Sweep()
		if err != nil {
			panic(err)
		}
		if p.Sweeps()%4 == 1 || st.Done {
			fmt.Printf("sweep %2d: V(start) = %v, largest change %v\n", p.Sweeps(), p.Values()[36], st.Delta)
		}
	}
	// Output:
	// sweep  1: V(start) = -1, largest change 2
	// sweep  5: V(start) = -5, largest change 1
	// sweep  9: V(start) = -9, largest change 1
	// sweep 13: V(start) = -13, largest change 1
	// sweep 15: V(start) = -13, largest change 0
}

// NewTDTrainer trains as rlrun does, on a vector env of one copy (here Q-learning on Taxi with
// the shipped settings): its greedy policy's mean return over the 300 starts equals value
// iteration's.
func ExampleNewTDTrainer() {
	v, _ := env.MakeVector("Taxi-v4", 1, nil, 1)
	defer v.Close()
	cfg, steps, _ := tabular.Defaults(tabular.QLearning, "Taxi-v4")
	tr, err := tabular.NewTDTrainer(tabular.QLearning, cfg, v, tabular.Options{Seed: 1, TotalSteps: steps})
	if err != nil {
		panic(err)
	}
	if err := tr.Learn(context.Background(), steps); err != nil {
		panic(err)
	}
	e, _ := env.Make("Taxi-v4", nil)
	m := env.Unwrapped(e).(env.Model)
	vi, _ := tabular.ValueIteration(m, tabular.DefaultPlanConfig())
	q, _ := tabular.ExpectedReturn(m, tr.Table().Policy(), 200)
	best, _ := tabular.ExpectedReturn(m, vi.Policy, 200)
	fmt.Printf("%d env steps, %d episodes: mean return %.2f (value iteration %.2f)\n", tr.Steps(), tr.Agent.Episodes(), q, best)
	// Output:
	// 500000 env steps, 23675 episodes: mean return 7.93 (value iteration 7.93)
}
