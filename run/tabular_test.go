package run

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"slices"
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
	// Without one (a config not made by Resolve, which seeds it), every instance has its own
	// map, and the planner refuses it.
	cfg, err := NewConfig("policyiteration", "frozenlake")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Apply(mustSet(t, "env_kwargs.map_name=random")); err != nil {
		t.Fatal(err)
	}
	if r, err := Create(cfg, t.TempDir()); err == nil || !strings.Contains(err.Error(), "map_seed") {
		if err == nil {
			r.Close()
		}
		t.Errorf("policyiteration on an unseeded random map: %v; want an error naming map_seed", err)
	}
}

// TestRandomMapIsTheRunsMap: FrozenLake with map_name=random and no map_seed gets the run's
// seed as map_seed in the resolved config, so that a resumed run replays its env log into the
// same map (byte-identical metrics), and the evaluation and rlrun eval play on the map the
// agent learned; a map_seed given is kept, and the planners accept the map.
func TestRandomMapIsTheRunsMap(t *testing.T) {
	sets := []string{"seed=5", "n_timesteps=6000", "checkpoint_every=2000", "eval_episodes=20", "keep_checkpoints=0",
		"env_kwargs.map_name=random", "env_kwargs.size=5", "env_kwargs.is_slippery=false"}
	cfg, err := Resolve("qlearning", "frozenlake", mustSet(t, sets...))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Run.EnvKwargs["map_seed"]; got != int64(5) {
		t.Fatalf("map_seed = %v (%T), want the run's seed 5", got, got)
	}
	out := t.TempDir()
	ctx := context.Background()
	whole := newRun(t, out, "qlearning", "frozenlake", sets...)
	if !strings.Contains(string(readFile(t, filepath.Join(whole.Dir, ConfigFile))), "map_seed: 5") {
		t.Errorf("config.yml does not hold map_seed:\n%s", readFile(t, filepath.Join(whole.Dir, ConfigFile)))
	}
	if err := whole.Train(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := whole.Evaluate(20)
	if err != nil {
		t.Fatal(err)
	}
	if res.SuccessRate == nil || *res.SuccessRate != 1 {
		t.Errorf("the greedy policy of 6000 steps on a non-slippery 5x5 map succeeds in %v of the evaluation", res.SuccessRate)
	}
	whole.Close()

	broken := newRun(t, out, "qlearning", "frozenlake", sets...)
	if err := broken.Advance(ctx, 3000); err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Checkpoint(false); err != nil {
		t.Fatal(err)
	}
	if err := broken.Advance(ctx, 4000); err != nil {
		t.Fatal(err)
	}
	broken.Close()
	resumed, err := Resume(broken.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Train(ctx); err != nil {
		t.Fatal(err)
	}
	resumed.Close()
	if !bytes.Equal(readFile(t, filepath.Join(whole.Dir, MetricsFile)), readFile(t, filepath.Join(resumed.Dir, MetricsFile))) {
		t.Error("metrics.csv of the resumed run differs from the uninterrupted one's")
	}
	again, err := EvaluateCheckpoint(resumed.Dir, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Returns, res.Returns) || *again.SuccessRate != 1 {
		t.Errorf("rlrun eval of the resumed run: returns %v, the run's own evaluation %v", again.Returns, res.Returns)
	}

	// A given map_seed stays; the planners plan on the seeded map.
	given, err := Resolve("valueiteration", "frozenlake", mustSet(t, "env_kwargs.map_name=random", "env_kwargs.map_seed=11"))
	if err != nil || given.Run.EnvKwargs["map_seed"] != 11 {
		t.Fatalf("a given map_seed: %v, %v", given.Run.EnvKwargs, err)
	}
	r, err := Create(given, out)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	// A fixed map has nothing to seed.
	plain, err := Resolve("qlearning", "frozenlake")
	if err != nil || len(plain.Run.EnvKwargs) != 0 {
		t.Errorf("the 4x4 map: env_kwargs %v, %v", plain.Run.EnvKwargs, err)
	}
}
