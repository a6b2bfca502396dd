package pg_test

import (
	"context"
	"fmt"

	"github.com/gorl/gorl/agents/pg"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/classic"
)

// Train PPO on CartPole with RL Zoo's rollout settings, then ask the greedy policy what to do
// when the pole leans to the right.
func ExampleNewPPO() {
	vec, err := env.MakeVector("CartPole-v1", 8, nil, 1)
	if err != nil {
		panic(err)
	}
	cfg := pg.DefaultPPOConfig()
	cfg.NumEnvs, cfg.NumSteps, cfg.BatchSize, cfg.LearningRate = 8, 32, 256, 1e-3
	agent, err := pg.NewPPO(cfg, vec, pg.Options{Seed: 1, TotalSteps: 8_000})
	if err != nil {
		panic(err)
	}
	if err := agent.Learn(context.Background(), 8_000); err != nil {
		panic(err)
	}
	action := make([]float32, 1)
	agent.Act([]float32{0, 0, 0.1, 0.5}, action) // cart position, velocity, pole angle, angular velocity
	fmt.Println(agent.Steps(), "steps; push", []string{"left", "right"}[int(action[0])])
	// Output: 8000 steps; push right
}

// A Box action space gets a diagonal Gaussian policy; its greedy action is the mean, clipped to
// the bounds.
func ExampleNewA2C() {
	vec, err := env.MakeVector("Pendulum-v1", 4, nil, 1)
	if err != nil {
		panic(err)
	}
	cfg := pg.DefaultA2CConfig()
	cfg.NumEnvs, cfg.NormObs = 4, true
	agent, err := pg.NewA2C(cfg, vec, pg.Options{Seed: 1, TotalSteps: 2000})
	if err != nil {
		panic(err)
	}
	if err := agent.Learn(context.Background(), 2000); err != nil {
		panic(err)
	}
	torque := make([]float32, 1)
	agent.Act([]float32{1, 0, 0}, torque)
	fmt.Println(torque[0] >= -2 && torque[0] <= 2)
	// Output: true
}
