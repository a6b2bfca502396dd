package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorl/gorl/internal/cputime"
	"github.com/gorl/gorl/run"
)

// tabularTrain runs `rlrun train ALGO ENV args...` and returns the run directory.
func tabularTrain(t *testing.T, out, algo, envID string, args ...string) string {
	t.Helper()
	all := append([]string{"train", algo, envID, "--out", out, "-q"}, args...)
	code, stdout, stderr := rl(t, all...)
	if code != 0 {
		t.Fatalf("rlrun %v: exit %d\n%s%s", all, code, stdout, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(line, "run directory: "); ok {
			return d
		}
	}
	t.Fatalf("no run directory in %q", stdout)
	return ""
}

// evalJSON runs `rlrun eval path --json args...`.
func evalJSON(t *testing.T, path string, args ...string) run.EvalResult {
	t.Helper()
	code, stdout, stderr := rl(t, append([]string{"eval", path, "--json"}, args...)...)
	var res run.EvalResult
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil {
		t.Fatalf("rlrun eval %s: exit %d\n%s%s", path, code, stdout, stderr)
	}
	return res
}

// metricKeys returns the keys of a run's metrics.csv.
func metricKeys(t *testing.T, dir string) map[string]bool {
	t.Helper()
	rows, err := run.ReadMetrics(filepath.Join(dir, run.MetricsFile), "")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rows {
		keys[r.Key] = true
	}
	return keys
}

// TestTabularSmoke trains every tabular algorithm for a few thousand steps through the CLI and
// checks the run directory, eval.json (success_rate on FrozenLake only), the metrics, and that
// rlrun eval reproduces the final evaluation from the run and from a checkpoint.
func TestTabularSmoke(t *testing.T) {
	out := t.TempDir()
	td := []string{"losses/td_loss", "losses/q_values", "charts/epsilon", "charts/learning_rate"}
	plan := []string{"losses/value_delta", "charts/sweeps", "charts/policy_changes", "charts/start_value"}
	for _, c := range []struct {
		algo, env, id string
		keys          []string
	}{
		{"qlearning", "frozenlake", "FrozenLake-v1", td},
		{"sarsa", "cliffwalking", "CliffWalking-v1", td},
		{"expectedsarsa", "taxi", "Taxi-v4", td},
		{"valueiteration", "taxi", "Taxi-v4", plan},
		{"policyiteration", "frozenlake", "FrozenLake-v1", append(slices.Clone(plan), "charts/iterations")},
	} {
		dir := tabularTrain(t, out, c.algo, c.env, "--steps", "3000", "--set", "checkpoint_every=1000", "--eval-episodes", "20")
		for _, f := range []string{run.ConfigFile, run.MetricsFile, run.TimingFile, run.EvalFile, run.CurveFile,
			"checkpoints/latest", "checkpoints/step-000003000/" + run.PolicyFile, "checkpoints/step-000002000/" + run.PolicyFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s %s: missing %s", c.algo, c.env, f)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, run.EvalFile))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"env", "algo", "seed", "episodes", "mean_return", "std_return", "env_steps", "train_seconds", "eval_seconds", "returns"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s %s: eval.json lacks %s", c.algo, c.env, k)
			}
		}
		if m["env"] != c.id || m["algo"] != c.algo || m["env_steps"] != 3000.0 || m["episodes"] != 20.0 {
			t.Errorf("%s %s: eval.json %v", c.algo, c.env, m)
		}
		var res run.EvalResult
		json.Unmarshal(b, &res)
		if c.id == "FrozenLake-v1" {
			// Reward 1 at the goal only: the success rate is the fraction of returns of 1.
			wins := 0
			for _, r := range res.Returns {
				if r == 1 {
					wins++
				}
			}
			if res.SuccessRate == nil || *res.SuccessRate != float64(wins)/20 {
				t.Errorf("%s: success_rate %v; %d of 20 returns are 1", c.algo, res.SuccessRate, wins)
			}
		} else if res.SuccessRate != nil {
			t.Errorf("%s %s: success_rate %v on an env that does not report success", c.algo, c.env, *res.SuccessRate)
		}
		keys := metricKeys(t, dir)
		for _, k := range append(slices.Clone(c.keys), "charts/episodic_return", "charts/episodic_length") {
			if !keys[k] {
				t.Errorf("%s %s: metrics.csv has no %s", c.algo, c.env, k)
			}
		}
		for _, p := range []string{dir, filepath.Join(dir, "checkpoints", "step-000003000")} {
			again := evalJSON(t, p, "--episodes", "20")
			if again.MeanReturn != res.MeanReturn || !slices.Equal(again.Returns, res.Returns) || again.EnvSteps != 3000 ||
				(res.SuccessRate != nil) != (again.SuccessRate != nil) || (res.SuccessRate != nil && *again.SuccessRate != *res.SuccessRate) {
				t.Errorf("%s %s: rlrun eval %s gives %+v; the run's evaluation %+v", c.algo, c.env, p, again, res)
			}
		}
	}
	// rlrun list shows the five algorithms; rlrun config shows a planner's keys and the shipped
	// time limit of CliffWalking.
	code, stdout, _ := rl(t, "list")
	for _, a := range []string{"qlearning", "sarsa", "expectedsarsa", "valueiteration", "policyiteration"} {
		if code != 0 || !strings.Contains(stdout, "\n"+a+" ") {
			t.Errorf("rlrun list does not show %s", a)
		}
	}
	code, stdout, _ = rl(t, "config", "valueiteration", "cliffwalking")
	if code != 0 || !strings.Contains(stdout, "max_sweeps: 100000") || !strings.Contains(stdout, "max_episode_steps: 200") || !strings.Contains(stdout, "gamma: 1") {
		t.Errorf("rlrun config valueiteration cliffwalking: %s", stdout)
	}
	// A planner on an env without a model, and a TD agent on continuous observations, fail
	// before training with a hint.
	if code, _, stderr := rl(t, "train", "valueiteration", "blackjack", "--out", out, "-q"); code == 0 || !strings.Contains(stderr, "qlearning") {
		t.Errorf("valueiteration on Blackjack: %d %s", code, stderr)
	}
	if code, _, stderr := rl(t, "train", "sarsa", "cartpole", "--out", out, "-q"); code == 0 || !strings.Contains(stderr, "Discrete") {
		t.Errorf("sarsa on CartPole: %d %s", code, stderr)
	}
}

// TestTabularSameSeedSameMetrics: a seed gives a byte-identical metrics.csv, another seed a
// different one, for a TD agent and a planner.
func TestTabularSameSeedSameMetrics(t *testing.T) {
	out := t.TempDir()
	for _, algo := range []string{"qlearning", "valueiteration"} {
		metrics := func(seed int) []byte {
			dir := tabularTrain(t, out, algo, "frozenlake", "--steps", "5000", "--eval-episodes", "0", "--seed", strconv.Itoa(seed), "--set", "checkpoint_every=5000")
			b, err := os.ReadFile(filepath.Join(dir, run.MetricsFile))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		a, b, c := metrics(3), metrics(3), metrics(4)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs with seed 3 wrote different metrics.csv files", algo)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: seeds 3 and 4 wrote the same metrics.csv", algo)
		}
	}
}

// TestTabularLearning is the learning checks through rlrun with the shipped defaults:
// Q-learning on FrozenLake 4x4 slippery succeeds within 0.03 as often as the value-iteration
// policy over 100,000 evaluation episodes; on CliffWalking Q-learning learns the optimal path
// along the cliff and SARSA a longer, safe one (Sutton and Barto's Example 6.6); Q-learning on
// Taxi comes within 0.5 of value iteration's mean return.
func TestTabularLearning(t *testing.T) {
	if testing.Short() {
		t.Skip("millions of env steps and 100,000-episode evaluations")
	}
	out := t.TempDir()
	const n = "100000"
	vi := evalJSON(t, tabularTrain(t, out, "valueiteration", "frozenlake", "--eval-episodes", "0"), "--episodes", n)
	for _, seed := range []string{"1", "2", "3"} {
		q := evalJSON(t, tabularTrain(t, out, "qlearning", "frozenlake", "--seed", seed, "--eval-episodes", "0"), "--episodes", n)
		if q.SuccessRate == nil || vi.SuccessRate == nil || *q.SuccessRate < *vi.SuccessRate-0.03 {
			t.Fatalf("seed %s: Q-learning's success rate %v, value iteration's %v", seed, q.SuccessRate, vi.SuccessRate)
		}
		t.Logf("FrozenLake-v1 over %s episodes: Q-learning seed %s succeeds %.4f, value iteration %.4f (%d env steps of Q-learning in %.2f s)",
			n, seed, *q.SuccessRate, *vi.SuccessRate, q.EnvSteps, q.TrainSeconds)
	}
	for _, seed := range []string{"1", "2", "3"} {
		q := evalJSON(t, tabularTrain(t, out, "qlearning", "cliffwalking", "--seed", seed, "--eval-episodes", "0"), "--episodes", "1")
		s := evalJSON(t, tabularTrain(t, out, "sarsa", "cliffwalking", "--seed", seed, "--eval-episodes", "0"), "--episodes", "1")
		// -1 a step: the optimal path takes 13 steps; a safe one more, and reaches the goal
		// (the 200-step limit would give -200, a fall -100 more).
		if q.MeanReturn != -13 || !(s.MeanReturn < -13 && s.MeanReturn > -40) {
			t.Errorf("CliffWalking seed %s: Q-learning's greedy return %v (want -13), SARSA's %v (want a safe path)", seed, q.MeanReturn, s.MeanReturn)
		}
	}
	viTaxi := evalJSON(t, tabularTrain(t, out, "valueiteration", "taxi", "--eval-episodes", "0"), "--episodes", "3000")
	qTaxi := evalJSON(t, tabularTrain(t, out, "qlearning", "taxi", "--eval-episodes", "0"), "--episodes", "3000")
	if qTaxi.MeanReturn < viTaxi.MeanReturn-0.5 || math.IsNaN(qTaxi.MeanReturn) {
		t.Errorf("Taxi-v4 over 3000 episodes: Q-learning's mean return %.3f, value iteration's %.3f", qTaxi.MeanReturn, viTaxi.MeanReturn)
	}
	t.Logf("Taxi-v4 over 3000 episodes: Q-learning %.3f, value iteration %.3f", qTaxi.MeanReturn, viTaxi.MeanReturn)
}

// TestDQNGridWorldsSmoke: DQN trains on PuckWorld and WaterWorld through the CLI (a few hundred
// steps; BenchmarkDQNGridWorlds checks the shipped defaults).
func TestDQNGridWorldsSmoke(t *testing.T) {
	out := t.TempDir()
	for _, id := range []string{"puckworld", "waterworld"} {
		dir := tabularTrain(t, out, "dqn", id, tiny...)
		res := evalJSON(t, dir, "--episodes", "2")
		if res.EnvSteps != 600 || len(res.Returns) != 2 {
			t.Errorf("dqn on %s: %+v", id, res)
		}
	}
}

// BenchmarkDQNGridWorlds runs `rlrun train dqn ENV` with the shipped defaults on PuckWorld-v0
// and WaterWorld-v0 and the random baseline (`rlrun train random ENV`) for seeds 1..n, both
// evaluated on the same 100 greedy episodes, and reports the mean returns:
//
//	go test ./cmd/rlrun -run '^$' -bench DQNGridWorlds -benchtime 1x -seeds 5 -v
func BenchmarkDQNGridWorlds(b *testing.B) {
	for _, id := range []string{"PuckWorld-v0", "WaterWorld-v0"} {
		b.Run(strings.Split(id, "-")[0], func(b *testing.B) {
			for range b.N {
				var rnd, dqn, cpu float64
				for s := 1; s <= *solveSeeds; s++ {
					out := b.TempDir()
					seed := strconv.Itoa(s)
					r := evalRun(b, "train", "random", id, "--steps", "1000", "--seed", seed, "--out", out, "-q")
					c0 := cputime.Process().Seconds()
					d := evalRun(b, "train", "dqn", id, "--seed", seed, "--out", out, "-q")
					c := cputime.Process().Seconds() - c0
					rnd += r.MeanReturn
					dqn += d.MeanReturn
					cpu += c
					b.Logf("%s seed %d: random %.2f ± %.2f, DQN %.2f ± %.2f over %d episodes; %d env steps, train %.1f s wall, command %.1f s CPU",
						id, s, r.MeanReturn, r.StdReturn, d.MeanReturn, d.StdReturn, d.Episodes, d.EnvSteps, d.TrainSeconds, c)
				}
				n := float64(*solveSeeds)
				b.ReportMetric(rnd/n, "random-return")
				b.ReportMetric(dqn/n, "dqn-return")
				b.ReportMetric(cpu/n, "cpu-s/run")
			}
		})
	}
}

// evalRun runs an rlrun train command and returns the run's eval.json.
func evalRun(b *testing.B, args ...string) run.EvalResult {
	b.Helper()
	code, stdout, stderr := rl(b, args...)
	if code != 0 {
		b.Fatalf("rlrun %v: %s%s", args, stdout, stderr)
	}
	var res run.EvalResult
	for _, line := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(line, "run directory: "); ok {
			data, err := os.ReadFile(filepath.Join(d, run.EvalFile))
			if err != nil || json.Unmarshal(data, &res) != nil {
				b.Fatalf("%s: no eval.json: %v", d, err)
			}
			return res
		}
	}
	b.Fatalf("no run directory in %q", stdout)
	return res
}
