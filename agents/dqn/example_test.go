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
	q := make([]float32, 2)
	agent.QValues([]float32{0, 0, 0.05, 0}, q) // pole leaning right
	action := []float32{0}
	agent.Act([]float32{0, 0, 0.05, 0}, action)
	fmt.Println("env steps:", agent.Steps(), "gradient steps:", agent.GradientSteps())
	fmt.Println("greedy action:", action[0], "Q values positive:", q[0] > 0 && q[1] > 0)
	// Output:
	// env steps: 3000 gradient steps: 625
	// greedy action: 1 Q values positive: true
}
