package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/internal/cliargs"
	"github.com/gorl/gorl/run"
)

// rl runs rlrun with args and returns its exit status, stdout and stderr.
func rl(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := rlrun(context.Background(), append([]string{"rlrun"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// tiny trains in well under a second; flags deliberately follow the arguments.
var tiny = []string{"--steps", "600", "--set", "learning_starts=100", "--set", "batch_size=8", "--set", "net_arch=[8]",
	"--set", "checkpoint_every=300", "--eval-episodes", "2", "-q"}

func trainTiny(t *testing.T, out string, extra ...string) string {
	t.Helper()
	args := append(append([]string{"train", "dqn", "cartpole"}, tiny...), append([]string{"--out", out}, extra...)...)
	code, stdout, stderr := rl(t, args...)
	if code != 0 {
		t.Fatalf("rlrun %v: exit %d\n%s%s", args, code, stdout, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(line, "run directory: "); ok {
			return d
		}
	}
	t.Fatalf("no run directory in %q", stdout)
	return ""
}

func TestTrainEvalPlot(t *testing.T) {
	out := t.TempDir()
	dir := trainTiny(t, out)
	var res map[string]any
	b, err := os.ReadFile(filepath.Join(dir, run.EvalFile))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &res)
	if res["env"] != "CartPole-v1" || res["algo"] != "dqn" || res["episodes"] != 2.0 || res["env_steps"] != 600.0 {
		t.Fatalf("eval.json %v", res)
	}
	for _, f := range []string{run.ConfigFile, run.MetricsFile, run.CurveFile, "checkpoints/latest"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// rlrun eval reproduces the final evaluation, from the run and from the checkpoint.
	for _, p := range []string{dir, filepath.Join(dir, "checkpoints", "step-000000600")} {
		code, stdout, stderr := rl(t, "eval", p, "--json", "--episodes", "2")
		var again map[string]any
		if code != 0 || json.Unmarshal([]byte(stdout), &again) != nil || again["mean_return"] != res["mean_return"] {
			t.Fatalf("rlrun eval %s: %d %s %s", p, code, stdout, stderr)
		}
	}
	if code, stdout, _ := rl(t, "eval", dir); code != 0 || !strings.Contains(stdout, "mean return") {
		t.Fatalf("rlrun eval (text): %d %q", code, stdout)
	}
	dir2 := trainTiny(t, out, "--seed", "2")
	png := filepath.Join(t.TempDir(), "c.png")
	if code, stdout, stderr := rl(t, "plot", out, "--out", png); code != 0 || !strings.Contains(stdout, "plotted 2 runs") {
		t.Fatalf("rlrun plot: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := rl(t, "plot", dir, dir2, "--out", png, "--key", "losses/td_loss"); code != 0 {
		t.Fatalf("rlrun plot --key: %s", stderr)
	}
}

func TestResumeCommand(t *testing.T) {
	out := t.TempDir()
	cfg, err := run.Resolve("dqn", "cartpole", run.Layer{Source: "test", Values: map[string]any{
		"n_timesteps": 600, "learning_starts": 100, "batch_size": 8, "net_arch": []any{8}, "eval_episodes": 2}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := run.Create(cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Advance(context.Background(), 300); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Checkpoint(false); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if code, _, stderr := rl(t, "train", "--resume", r.Dir, "--seed", "3"); code == 0 || !strings.Contains(stderr, "--seed cannot change it") {
		t.Fatalf("--resume with --seed: %d %s", code, stderr)
	}
	code, stdout, stderr := rl(t, "train", "--resume", r.Dir, "-q")
	if code != 0 || !strings.Contains(stdout, "trained 600 env steps") {
		t.Fatalf("rlrun train --resume: %d %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, run.EvalFile)); err != nil {
		t.Fatal("no eval.json after resuming")
	}
	if code, _, stderr := rl(t, "train", "--resume", r.Dir); code == 0 || !strings.Contains(stderr, "finished at env step 600") {
		t.Fatalf("resuming a finished run: %d %s", code, stderr)
	}
}

func TestListAndConfig(t *testing.T) {
	code, stdout, _ := rl(t, "list")
	for _, w := range []string{"CartPole-v1", "cartpole", "Discrete(2)", "475", "dqn", "random", "ALGORITHM"} {
		if code != 0 || !strings.Contains(stdout, w) {
			t.Errorf("rlrun list lacks %q:\n%s", w, stdout)
		}
	}
	code, stdout, _ = rl(t, "config", "dqn", "cartpole", "--set", "gamma=0.9", "--set", "net_arch=[32,32]")
	if code != 0 || !strings.Contains(stdout, "gamma: 0.9\n") || !strings.Contains(stdout, "net_arch: [32, 32]\n") || !strings.HasPrefix(stdout, "algo: dqn\nenv: CartPole-v1\n") {
		t.Errorf("rlrun config:\n%s", stdout)
	}
}

func TestErrors(t *testing.T) {
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "dqm", "cartpole"}, `unknown algorithm "dqm"; did you mean "dqn"?`},
		{[]string{"train", "dqn", "cartpol"}, `"CartPole-v1"`},
		{[]string{"train", "dqn", "cartpole", "--stpes", "10"}, "unknown flag --stpes; did you mean --steps?"},
		{[]string{"train", "dqn", "cartpole", "--set", "learnig_rate=0.1"}, `unknown config key "learnig_rate"; did you mean "learning_rate"?`},
		{[]string{"train", "dqn", "cartpole", "--set", "learning_rate=fast"}, `learning_rate: "fast" is not a number`},
		{[]string{"train", "dqn", "cartpole", "--set", "env_kwargs.bogus=1"}, `unknown option "bogus"`},
		{[]string{"train", "dqn", "pendulum"}, "dqn cannot train on Pendulum-v1: DQN needs a Discrete action space"},
		{[]string{"train", "dqn"}, "train wants ALGO ENV"},
		{[]string{"trian", "dqn", "cartpole"}, `unknown command "trian"; did you mean "train"?`},
		{[]string{"eval", filepath.Join(out, "nothing")}, "neither a run directory nor a checkpoint directory"},
		{[]string{"train", "dqn", "cartpole", "--config", filepath.Join(out, "missing.yml")}, "reading --config"},
	} {
		code, _, stderr := rl(t, append(c.args, "--out", out)...)
		if c.args[0] == "eval" || c.args[0] == "trian" {
			code, _, stderr = rl(t, c.args...)
		}
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("rlrun %v: exit %d, stderr %q; want %q", c.args, code, stderr, c.want)
		}
	}
}

func TestReorder(t *testing.T) {
	app := newApp(nil, nil)
	got := cliargs.Reorder(app, []string{"rlrun", "train", "dqn", "--seed", "3", "cartpole", "-q", "--set=a=1", "--", "-x"})
	want := []string{"rlrun", "train", "--seed", "3", "-q", "--set=a=1", "dqn", "cartpole", "--", "-x"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("reorder = %v, want %v", got, want)
	}
}
