package dqn_test

import (
	"context"
	"fmt"

	"github.com/gorl/gorl/agents/dqn"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/classic"
)

// Example trains DQN on CartPole for a few thousand steps and reads the Q-values of a state.
func Example() {
	vec, err := env.MakeVector("CartPole-v1", 1, nil, 1)
	if err != nil {
		panic(err)
	}
	defer vec.Close()
	cfg := dqn.DefaultConfig()
	cfg.LearningStarts, cfg.BufferSize, cfg.TargetUpdateInterval = 500, 10_000, 500
	agent, err := dqn.New(cfg, vec, dqn.Options{Seed: 1, TotalSteps: 3000})
	if err != nil {
		panic(err)
	}
	if err := agent.Learn(context.Background(), 3000); err != nil {
		panic(err)
	}
	obs := []float32{0, 0, 0.05, 0} // the pole leaning right
	q := make([]float32, 2)
	agent.QValues(obs, q) // what the viewer's HUD shows
	action := []float32{0}
	agent.Act(obs, action) // the greedy action: the index of the larger Q-value
	fmt.Println("env steps:", agent.Steps(), "gradient steps:", agent.GradientSteps())
	fmt.Println("Q-values positive (every reward is +1):", q[0] > 0 && q[1] > 0)
	fmt.Println("greedy:", (q[1] > q[0]) == (action[0] == 1))
	// Output:
	// env steps: 3000 gradient steps: 625
	// Q-values positive (every reward is +1): true
	// greedy: true
}
