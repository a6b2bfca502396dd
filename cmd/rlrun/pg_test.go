package main

// The policy-gradient agents (agents/pg) through the CLI: short smoke trainings of every
// algorithm on Discrete and Box envs, and BenchmarkSolvePG, the solve checks run with the
// shipped hyperparams/{ppo,a2c,reinforce}.yml.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorl/gorl/internal/cputime"
	"github.com/gorl/gorl/run"
)

var (
	pgSeeds = flag.Int("pgseeds", 10, "BenchmarkSolvePG: number of seeds (1..n) per check")
	pgSets  = flag.String("pgsets", "", "BenchmarkSolvePG: extra --set key=value pairs, separated by spaces")
)

// pgTrain runs `rlrun train ARGS...` and returns the run directory and the eval.json it wrote.
func pgTrain(tb testing.TB, args ...string) (string, run.EvalResult) {
	tb.Helper()
	var out, errb bytes.Buffer
	if code := rlrun(context.Background(), append([]string{"rlrun", "train"}, args...), &out, &errb); code != 0 {
		tb.Fatalf("rlrun train %v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	var dir string
	for _, line := range strings.Split(out.String(), "\n") {
		if d, ok := strings.CutPrefix(line, "run directory: "); ok {
			dir = d
		}
	}
	var res run.EvalResult
	data, err := os.ReadFile(filepath.Join(dir, run.EvalFile))
	if err != nil || json.Unmarshal(data, &res) != nil {
		tb.Fatalf("rlrun train %v: no eval.json in %q: %v", args, dir, err)
	}
	return dir, res
}

func TestPolicyGradientSmoke(t *testing.T) {
	for _, c := range []struct {
		algo, env string
		sets      []string
	}{
		{"ppo", "cartpole", nil},
		{"a2c", "cartpole", nil},
		{"reinforce", "cartpole", nil},
		{"ppo", "pendulum", []string{"n_steps=64", "batch_size=32"}},
		{"a2c", "MountainCarContinuous-v0", nil},
		{"reinforce", "pendulum", []string{"baseline=true", "batch_episodes=2"}},
		{"ppo", "frozenlake", []string{"n_steps=64", "batch_size=32"}}, // Discrete observations, one-hot encoded
	} {
		t.Run(c.algo+" "+c.env, func(t *testing.T) {
			args := []string{c.algo, c.env, "--steps", "2000", "--eval-episodes", "2", "-q", "--out", t.TempDir()}
			for _, kv := range c.sets {
				args = append(args, "--set", kv)
			}
			dir, res := pgTrain(t, args...)
			if res.Algo != c.algo || res.EnvSteps != 2000 || res.Episodes != 2 || math.IsNaN(res.MeanReturn) {
				t.Fatalf("eval.json %+v", res)
			}
			for _, f := range []string{"checkpoints/step-000002000/policy.safetensors", "checkpoints/step-000002000/vecnormalize.json", run.MetricsFile} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
			rows, err := run.ReadMetrics(filepath.Join(dir, run.MetricsFile), "losses/policy_loss")
			if err != nil || len(rows) == 0 {
				t.Errorf("metrics.csv has no losses/policy_loss rows: %v", err)
			}
			// rlrun eval reproduces the final evaluation from the checkpoint alone.
			var out, errb bytes.Buffer
			if code := rlrun(context.Background(), []string{"rlrun", "eval", dir, "--json", "--episodes", "2"}, &out, &errb); code != 0 {
				t.Fatalf("rlrun eval: %s%s", out.String(), errb.String())
			}
			var again run.EvalResult
			if err := json.Unmarshal(out.Bytes(), &again); err != nil || again.MeanReturn != res.MeanReturn {
				t.Fatalf("rlrun eval: mean return %v (%v), train's %v", again.MeanReturn, err, res.MeanReturn)
			}
		})
	}
}

func TestPolicyGradientSameSeedSameMetrics(t *testing.T) {
	for _, algo := range []string{"ppo", "a2c", "reinforce"} {
		metrics := func(seed string) []byte {
			args := []string{algo, "cartpole", "--steps", "3000", "--seed", seed, "--eval-episodes", "1", "-q", "--out", t.TempDir(),
				"--set", "log_interval=200"}
			if algo != "reinforce" {
				args = append(args, "--set", "n_steps=16")
			}
			dir, _ := pgTrain(t, args...)
			b, err := os.ReadFile(filepath.Join(dir, run.MetricsFile))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		a, b, c := metrics("3"), metrics("3"), metrics("4")
		if !bytes.Equal(a, b) || !bytes.Contains(a, []byte("losses/policy_loss")) {
			t.Errorf("%s: two runs with seed 3 wrote different metrics.csv files (or no losses)", algo)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: seeds 3 and 4 wrote the same metrics.csv", algo)
		}
	}
}

// A run with Box actions (logged as float32 in the env log) resumed from a checkpoint taken in
// the middle of a rollout ends exactly as an uninterrupted one.
func TestPolicyGradientResumeBoxActions(t *testing.T) {
	for _, algo := range []string{"ppo", "a2c", "reinforce"} {
		t.Run(algo, func(t *testing.T) {
			sets := []string{"n_timesteps=3000", "checkpoint_every=1000", "eval_episodes=2", "n_envs=2", "net_arch=[16]",
				"norm_obs=true", "norm_reward=true", "keep_checkpoints=0"}
			if algo == "ppo" {
				sets = append(sets, "n_steps=128", "batch_size=64")
			}
			if algo == "reinforce" {
				sets = append(sets, "batch_episodes=2", "baseline=true")
			}
			layer, err := run.ParseSet(sets)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			newRun := func() *run.Run {
				cfg, err := run.Resolve(algo, "pendulum", layer)
				if err != nil {
					t.Fatal(err)
				}
				r, err := run.Create(cfg, out)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			ctx := context.Background()
			whole := newRun()
			if err := whole.Train(ctx); err != nil {
				t.Fatal(err)
			}
			whole.Close()
			broken := newRun()
			if err := broken.Advance(ctx, 1500); err != nil {
				t.Fatal(err)
			}
			if _, err := broken.Checkpoint(false); err != nil {
				t.Fatal(err)
			}
			if err := broken.Advance(ctx, 2200); err != nil {
				t.Fatal(err)
			}
			broken.Close()
			resumed, err := run.Resume(broken.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := resumed.Train(ctx); err != nil {
				t.Fatal(err)
			}
			resumed.Close()
			for _, f := range []string{run.MetricsFile, "checkpoints/step-000003000/policy.safetensors", "checkpoints/step-000003000/vecnormalize.json"} {
				a, _ := os.ReadFile(filepath.Join(whole.Dir, f))
				b, _ := os.ReadFile(filepath.Join(resumed.Dir, f))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s differs between the uninterrupted and the resumed run", f)
				}
			}
		})
	}
}

// BenchmarkSolvePG runs `rlrun train ALGO ENV` with the shipped defaults (training and the final
// 100-episode greedy evaluation) for seeds 1..n and reports how many reached the threshold, with
// the env steps, and wall-clock and CPU seconds per command. It is issue 6's acceptance check:
//
//	go test ./cmd/rlrun -run '^$' -bench 'SolvePG/ppo_CartPole' -benchtime 1x -timeout 60m -v
//
// (SolvePG/a2c_CartPole, SolvePG/ppo_Pendulum, ... for the others; -pgseeds N and
// -pgsets "n_epochs=10 gamma=0.99" to try other settings). Each run's figures are logged with -v.
func BenchmarkSolvePG(b *testing.B) {
	for _, c := range []struct {
		algo, env string
		threshold float64
	}{
		{"ppo", "CartPole-v1", 475},
		{"a2c", "CartPole-v1", 475},
		{"reinforce", "CartPole-v1", 475},
		{"ppo", "Acrobot-v1", -100},
		{"a2c", "Acrobot-v1", -100},
		{"ppo", "Pendulum-v1", -250},
		{"ppo", "MountainCarContinuous-v0", 90},
		{"a2c", "MountainCarContinuous-v0", 90},
	} {
		b.Run(c.algo+"_"+strings.Split(c.env, "-")[0], func(b *testing.B) {
			for range b.N {
				solved := 0
				var wall, cpu, maxWall, sum float64
				var steps int64
				for s := 1; s <= *pgSeeds; s++ {
					args := []string{c.algo, c.env, "--seed", strconv.Itoa(s), "--out", b.TempDir(), "-q"}
					for _, kv := range strings.Fields(*pgSets) {
						args = append(args, "--set", kv)
					}
					c0, t0 := cputime.Process().Seconds(), time.Now()
					_, res := pgTrain(b, args...)
					w, cs := time.Since(t0).Seconds(), cputime.Process().Seconds()-c0
					ok := res.MeanReturn >= c.threshold
					if ok {
						solved++
					}
					wall += w
					cpu += cs
					sum += res.MeanReturn
					maxWall = max(maxWall, w)
					steps = res.EnvSteps
					b.Logf("%s %s seed %2d: mean return %8.2f ± %6.2f  solved %-5v  %d steps  train %.2f s  eval %.2f s  command %.2f s wall, %.2f s CPU",
						c.algo, c.env, s, res.MeanReturn, res.StdReturn, ok, res.EnvSteps, res.TrainSeconds, res.EvalSeconds, w, cs)
				}
				n := float64(*pgSeeds)
				b.ReportMetric(float64(solved), "solved")
				b.ReportMetric(n, "seeds")
				b.ReportMetric(sum/n, "mean-return")
				b.ReportMetric(wall/n, "wall-s/run")
				b.ReportMetric(cpu/n, "cpu-s/run")
				b.ReportMetric(float64(steps), "env-steps")
				fmt.Fprintf(os.Stderr, "%s %s: %d of %d seeds reached %g (mean of means %.1f), %d env steps, %.2f s wall (at most %.2f) and %.2f s CPU per command\n",
					c.algo, c.env, solved, *pgSeeds, c.threshold, sum/n, steps, wall/n, maxWall, cpu/n)
			}
		})
	}
}
