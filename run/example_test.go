package run_test

import (
	"context"
	"fmt"
	"os"

	_ "github.com/gorl/gorl/env/all"
	"github.com/gorl/gorl/run"
)

// Example trains the random baseline on CartPole for 2000 env steps in a temporary directory and
// evaluates it, as rlrun train random cartpole --steps 2000 --eval-episodes 10 does.
func Example() {
	set, err := run.ParseSet([]string{"n_timesteps=2000", "eval_episodes=10"})
	if err != nil {
		panic(err)
	}
	cfg, err := run.Resolve("random", "cartpole", set)
	if err != nil {
		panic(err)
	}
	out, _ := os.MkdirTemp("", "runs")
	defer os.RemoveAll(out)
	r, err := run.Create(cfg, out)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	if err := r.Train(context.Background()); err != nil {
		panic(err)
	}
	res, err := r.Evaluate(cfg.Run.EvalEpisodes)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %s: %d env steps, %d episodes; evaluation %.1f over %d episodes\n",
		res.Env, res.Algo, res.EnvSteps, r.Episodes(), res.MeanReturn, res.Episodes)
	// Output:
	// CartPole-v1 random: 2000 env steps, 83 episodes; evaluation 22.3 over 10 episodes
}

// ExampleParseSet shows how --set values are read: as YAML, with dotted keys for env options.
func ExampleParseSet() {
	l, err := run.ParseSet([]string{"learning_rate=3e-4", "net_arch=[128, 128]", "env_kwargs.is_slippery=false"})
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Values["learning_rate"], l.Values["net_arch"], l.Values["env_kwargs"])
	// Output: 0.0003 [128 128] map[is_slippery:false]
}
