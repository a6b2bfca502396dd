package run

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/hyperparams"
	"go.yaml.in/yaml/v3"
)

// tinyTD is a Q-learning config with every option whose state a checkpoint must carry
// (eligibility traces, a Dyna model, schedules, an interval of metrics in progress).
var tinyTD = []string{"n_timesteps=3000", "checkpoint_every=1000", "eval_episodes=3", "keep_checkpoints=0",
	"lambda=0.5", "planning_steps=3", "log_interval=64", "learning_rate_schedule=exponential"}

// tabularEnv is the env of the tabular cases of TestResumeMatchesUninterrupted (which trains the
// others on CartPole): Taxi for Q-learning, whose -1 per step makes every value and metric
// nonzero from the start, so that any state lost in a checkpoint shows.
var tabularEnv = map[string]string{"qlearning": "taxi", "valueiteration": "frozenlake"}

// TestTabularDefaultsAgree: the agents' own reader of the shipped files (tabular.Defaults, with
// which agents/tabular's tests train) and the run's resolution give the same settings.
func TestTabularDefaultsAgree(t *testing.T) {
	for _, algo := range []string{"qlearning", "sarsa", "expectedsarsa", "valueiteration", "policyiteration"} {
		data, _, _, err := hyperparams.File(algo)
		if err != nil {
			t.Fatal(err)
		}
		var entries map[string]any
		if err := yaml.Unmarshal(data, &entries); err != nil {
			t.Fatal(err)
		}
		for id := range entries {
			cfg, err := Resolve(algo, id)
			if err != nil {
				t.Fatal(err)
			}
			switch p := cfg.Params.(type) {
			case *tabular.Config:
				want, steps, err := tabular.Defaults(tabular.Method(algo), id)
				if err != nil || !reflect.DeepEqual(*p, want) || steps != cfg.Run.Steps {
					t.Errorf("%s %s: run resolves %+v (%d steps), tabular.Defaults %+v (%d steps, %v)", algo, id, *p, cfg.Run.Steps, want, steps, err)
				}
			case *tabular.PlanConfig:
				want, err := tabular.PlanDefaults(algo, id)
				if err != nil || *p != want {
					t.Errorf("%s %s: run resolves %+v, tabular.PlanDefaults %+v (%v)", algo, id, *p, want, err)
				}
			default:
				t.Fatalf("%s: params of type %T", algo, p)
			}
		}
	}
}

// TestTabularSuccessRate: eval.json's success_rate on FrozenLake counts the episodes that
// reached the goal, also with a reward schedule that pays nothing there, and is absent on an
// env that does not report success.
func TestTabularSuccessRate(t *testing.T) {
	out := t.TempDir()
	for _, c := range []struct {
		algo string
		sets []string
	}{
		{"valueiteration", nil},
		{"valueiteration", []string{"env_kwargs.reward_schedule=[0, -1, -0.01]"}}, // nothing for the goal but the end of the costs
		{"qlearning", []string{"n_timesteps=100000"}},
	} {
		r := newRun(t, out, c.algo, "frozenlake", append([]string{"n_timesteps=2000", "eval_episodes=400"}, c.sets...)...)
		if err := r.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, err := r.Evaluate(400)
		if err != nil {
			t.Fatal(err)
		}
		if res.SuccessRate == nil {
			t.Fatalf("%s %v: no success_rate", c.algo, c.sets)
		}
		// Each successful episode ends on the goal tile: replay the greedy policy's episodes
		// with the same seeds and count them.
		e, _ := env.Make("FrozenLake-v1", env.Options(r.Config.Run.EnvKwargs))
		p := r.Policy()
		act := []float32{0}
		goals := 0
		for i := range 400 {
			obs, _ := e.Reset(env.Seed(EvalSeed(r.Config.Run.Seed, i)))
			for {
				p.Act(obs, act)
				var term, trunc bool
				obs, _, term, trunc, _ = e.Step(act)
				if term && obs[0] == 15 {
					goals++
				}
				if term || trunc {
					break
				}
			}
		}
		if got := *res.SuccessRate; got != float64(goals)/400 || got < 0.5 {
			t.Errorf("%s %v: success_rate %v; %d of 400 episodes reached the goal", c.algo, c.sets, got, goals)
		}
		r.Close()
	}
	r := newRun(t, out, "qlearning", "taxi", "n_timesteps=1000", "eval_episodes=3")
	if err := r.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Evaluate(3); err != nil || res.SuccessRate != nil {
		t.Errorf("Taxi: success_rate %v, %v", res.SuccessRate, err)
	}
}

func TestTabularEnvErrors(t *testing.T) {
	for _, c := range []struct {
		algo, env string
		sets      []string
		want      string
	}{
		{"valueiteration", "blackjack", nil, "qlearning"},
		{"qlearning", "cartpole", nil, "Discrete"},
		{"policyiteration", "frozenlake", []string{"env_kwargs.map_name=random"}, "map_seed"},
		{"policyiteration", "frozenlake", []string{"max_sweeps=0"}, "max_sweeps"},
		{"sarsa", "frozenlake", []string{"exploration_schedule=cosine"}, "exploration_schedule"},
	} {
		cfg, err := Resolve(c.algo, c.env, mustSet(t, c.sets...))
		if err == nil {
			var r *Run
			if r, err = Create(cfg, t.TempDir()); err == nil {
				r.Close()
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s on %s %v: %v; want an error naming %s", c.algo, c.env, c.sets, err, c.want)
		}
	}
	// A random map with its seed is one model: the planner accepts it.
	if _, err := envModel("FrozenLake-v1", env.Options{"map_name": "random", "map_seed": 3}, "valueiteration"); err != nil {
		t.Error(err)
	}
}
