package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// fakePyRunner returns a Runner whose Python scripts import the stand-in modules of
// testdata/fakepy (gymnasium, torch, stable_baselines3), so that the scripts' own code runs on
// any machine with python3; it skips the test without python3.
func fakePyRunner(t *testing.T, needNumpy bool) (*Runner, string) {
	t.Helper()
	py := "/usr/bin/python3" // the interpreter the runner uses by default
	if _, err := os.Stat(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	if needNumpy && exec.Command(py, "-c", "import numpy").Run() != nil {
		t.Skip("python3 cannot import numpy")
	}
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	fake, _ := filepath.Abs("testdata/fakepy")
	out := filepath.Join(t.TempDir(), "sb3.json")
	r := &Runner{
		Options: Options{Root: root, Progress: &testWriter{t}},
		MinTime: 20 * time.Millisecond,
		Py:      &Python{Path: py, Versions: map[string]string{}},
		pyEnv:   []string{"PYTHONPATH=" + fake, "FAKE_SB3_OUT=" + out},
	}
	return r, out
}

func TestGymEnvsScript(t *testing.T) {
	r, _ := fakePyRunner(t, true)
	out, err := r.runGym(context.Background(), gymCases{
		Single: []gymSingleCase{
			{Name: "fake", GymID: "Fake-v0", MaxSteps: 7},
			{Name: "missing", GymID: "Missing-v0"},
			{Name: "needs-module", GymID: "Fake-v0", Import: "no_such_module"},
		},
		Vector: []gymVectorCase{
			{Name: "sync", GymID: "Fake-v0", NumEnvs: 8, Mode: "sync"},
			{Name: "numpy", GymID: "Fake-v0", NumEnvs: 64, Mode: "vector_entry_point"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Versions["gymnasium"] != "0.0-fake" {
		t.Errorf("versions %v", out.Versions)
	}
	if res := out.Single["fake"]; res.Error != "" || res.StepsPerS <= 0 {
		t.Errorf("fake: %+v", res)
	}
	for _, name := range []string{"missing", "needs-module"} {
		if out.Single[name].Error == "" {
			t.Errorf("%s: no error in %+v", name, out.Single[name])
		}
	}
	for _, name := range []string{"sync", "numpy"} {
		if res := out.Vector[name]; res.Error != "" || res.StepsPerS <= 0 {
			t.Errorf("%s: %+v", name, res)
		}
	}
}

func TestSB3Script(t *testing.T) {
	r, recorded := fakePyRunner(t, false)
	read := func() map[string]any {
		b, err := os.ReadFile(recorded)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// A DQN config as rlrun writes it, with one feature SB3 lacks switched on.
	dqn := map[string]any{"algo": "dqn", "env": "CartPole-v1", "seed": 3, "n_timesteps": 2000, "env_kwargs": map[string]any{},
		"n_envs": 1, "net_arch": []any{256, 256}, "activation": "relu", "dueling": true, "learning_rate": 2.3e-3,
		"lr_schedule": "constant", "buffer_size": 100000, "learning_starts": 1000, "batch_size": 64, "gamma": 0.99,
		"train_freq": 256, "gradient_steps": 128, "target_update_interval": 10, "exploration_fraction": 0.16,
		"exploration_final_eps": 0.04, "adam_eps": 1e-8, "loss": "huber", "n_steps": 1}
	tr, err := r.sb3Train(context.Background(), trainCase{Algo: "dqn", Env: "CartPole-v1", SB3: "dqn"}, 3, 475, dqn)
	if err != nil {
		t.Fatal(err)
	}
	// The stand-in reports an episode of return 500 every 10 steps: the 100th ends at step 1000.
	if !tr.Solved || tr.Return != 500 || tr.EnvSteps != 2000 || tr.ToThreshold != 1000 || len(tr.Unmapped) != 1 || tr.Unmapped[0] != "dueling=True" {
		t.Errorf("dqn: %+v", tr)
	}
	m := read()
	kw := m["kwargs"].(map[string]any)
	if m["class"] != "DQN" || m["seed"] != 3.0 || kw["learning_rate"] != 2.3e-3 || kw["train_freq"] != 256.0 || kw["buffer_size"] != 100000.0 {
		t.Errorf("dqn arguments: %v", m)
	}
	pk := kw["policy_kwargs"].(map[string]any)
	if pk["activation_fn"] != "ReLU" || len(pk["net_arch"].([]any)) != 2 {
		t.Errorf("dqn policy_kwargs: %v", pk)
	}

	ppo := map[string]any{"algo": "ppo", "env": "CartPole-v1", "seed": 1, "n_timesteps": 300, "n_envs": 8, "n_steps": 32,
		"batch_size": 256, "gae_lambda": 0.8, "gamma": 0.98, "n_epochs": 20, "ent_coef": 0.0, "learning_rate": 0.001,
		"lr_schedule": "linear", "learning_rate_final": 0, "clip_range": 0.2, "clip_range_schedule": "linear", "clip_range_vf": 0,
		"target_kl": 0, "net_arch": []any{64, 64}, "vf_net_arch": []any{}, "activation": "tanh", "norm_obs": true, "norm_reward": false}
	tr, err = r.sb3Train(context.Background(), trainCase{Algo: "ppo", Env: "CartPole-v1", SB3: "ppo"}, 1, 475, ppo)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Unmapped) != 0 || !math.IsNaN(tr.ToThreshold) {
		t.Errorf("ppo: %+v (300 steps hold 30 episodes, fewer than the 100 the threshold window needs)", tr)
	}
	m = read()
	kw = m["kwargs"].(map[string]any)
	lr := kw["learning_rate"].(map[string]any)["schedule"].([]any)
	clip := kw["clip_range"].(map[string]any)["schedule"].([]any)
	if lr[0] != 0.001 || lr[1] != 0.0 || clip[0] != 0.2 || clip[1] != 0.0 || kw["clip_range_vf"] != nil || kw["target_kl"] != nil {
		t.Errorf("ppo schedules: %v", kw)
	}
	arch := kw["policy_kwargs"].(map[string]any)["net_arch"].(map[string]any)
	if len(arch["vf"].([]any)) != 2 || kw["policy_kwargs"].(map[string]any)["activation_fn"] != "Tanh" {
		t.Errorf("ppo policy_kwargs: %v", kw["policy_kwargs"])
	}
	if env := m["env"].(map[string]any); env["norm_obs"] != true || env["norm_reward"] != false || env["venv"].(map[string]any)["n_envs"] != 8.0 {
		t.Errorf("ppo env: %v", env)
	}
}
