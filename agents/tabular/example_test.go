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
