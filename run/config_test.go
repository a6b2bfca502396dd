package run

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorl/gorl/agents/dqn"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all"
	"github.com/gorl/gorl/hyperparams"
	"go.yaml.in/yaml/v3"
)

func mustSet(t *testing.T, args ...string) Layer {
	t.Helper()
	l, err := ParseSet(args)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestResolvePrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "my.yml")
	os.WriteFile(file, []byte("learning_rate: 0.005\nbatch_size: 7\nenv_kwargs: {sutton_barto_reward: true}\n"), 0o644)
	l, err := ReadConfigFile(file, "dqn", "CartPole-v1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve("dqn", "cartpole", l, mustSet(t, "batch_size=9", "seed=4", "net_arch=[8, 8]"),
		Layer{Source: "flags", Values: map[string]any{"seed": uint64(5)}})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Params.(*dqn.Config)
	def := dqn.DefaultConfig()
	switch {
	case cfg.EnvID != "CartPole-v1" || cfg.Algo != "dqn":
		t.Errorf("env %q algo %q", cfg.EnvID, cfg.Algo)
	case p.LearningRate != 0.005: // the file over the shipped entry
		t.Errorf("learning_rate %v, want the file's 0.005", p.LearningRate)
	case p.BatchSize != 9: // --set over the file
		t.Errorf("batch_size %v, want --set's 9", p.BatchSize)
	case cfg.Run.Seed != 5: // flags over --set
		t.Errorf("seed %v, want the flag's 5", cfg.Run.Seed)
	case !reflect.DeepEqual(p.NetArch, []int{8, 8}):
		t.Errorf("net_arch %v", p.NetArch)
	case p.Activation != def.Activation:
		t.Errorf("activation %q: struct default lost", p.Activation)
	case cfg.Run.EnvKwargs["sutton_barto_reward"] != true:
		t.Errorf("env_kwargs %v", cfg.Run.EnvKwargs)
	}
	// The shipped entry applies when nothing overrides it.
	def2, err := Resolve("dqn", "CartPole-v1")
	if err != nil {
		t.Fatal(err)
	}
	entry, ok, err := DefaultsLayer("dqn", "CartPole-v1")
	if err != nil || !ok {
		t.Fatalf("no shipped CartPole-v1 entry: %v", err)
	}
	if def2.Run.Steps != int64(entry.Values["n_timesteps"].(int)) {
		t.Errorf("n_timesteps %d, want the shipped %v", def2.Run.Steps, entry.Values["n_timesteps"])
	}
}

func TestEnvKwargsMerge(t *testing.T) {
	cfg, err := Resolve("random", "FrozenLake-v1", mustSet(t, "env_kwargs.is_slippery=false"), mustSet(t, "env_kwargs.map_name=8x8"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"is_slippery": false, "map_name": "8x8"}
	if !reflect.DeepEqual(cfg.Run.EnvKwargs, want) {
		t.Fatalf("env_kwargs %v, want %v", cfg.Run.EnvKwargs, want)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
		want []string
	}{
		{"unknown key", []string{"learnig_rate=0.1"}, []string{`unknown config key "learnig_rate"`, `did you mean "learning_rate"?`}},
		{"unknown key far from all", []string{"zzzzzzzzzz=1"}, []string{`unknown config key "zzzzzzzzzz"`, "dqn takes: seed, n_timesteps"}},
		{"bad float", []string{"learning_rate=fast"}, []string{"learning_rate", `"fast" is not a number`}},
		{"bad int", []string{"batch_size=1.5"}, []string{"batch_size", "1.5 is not an integer"}},
		{"bad bool", []string{"double_q=maybe"}, []string{"double_q", `"maybe" is not true or false`}},
		{"bad list", []string{"net_arch=64"}, []string{"net_arch", "64 is not a list of integers"}},
		{"bad list element", []string{"net_arch=[64, x]"}, []string{"net_arch", "element 1", `"x" is not an integer`}},
		{"negative seed", []string{"seed=-1"}, []string{"seed", "-1 is not a non-negative integer"}},
		{"invalid value", []string{"gamma=2"}, []string{"gamma = 2; want a value in [0, 1]"}},
		{"reserved", []string{"env=Acrobot-v1"}, []string{`"env" cannot be set here`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Resolve("dqn", "cartpole", mustSet(t, c.sets...))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := ParseSet([]string{"learning_rate"}); err == nil || !strings.Contains(err.Error(), "want key=value") {
		t.Errorf("--set without '=': %v", err)
	}
	if _, err := Resolve("dqm", "cartpole"); err == nil || !strings.Contains(err.Error(), `did you mean "dqn"?`) {
		t.Errorf("unknown algorithm: %v", err)
	}
	if _, err := Resolve("dqn", "cartpol"); err == nil || !strings.Contains(err.Error(), "CartPole-v1") {
		t.Errorf("unknown env: %v", err)
	}
}

func TestConfigFileForms(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	zoo := write("zoo.yml", "CartPole-v1:\n  batch_size: 11\nAcrobot-v1:\n  batch_size: 12\n")
	l, err := ReadConfigFile(zoo, "dqn", "Acrobot-v1")
	if err != nil || l.Values["batch_size"] != 12 {
		t.Fatalf("zoo form: %v %v", l, err)
	}
	if _, err := ReadConfigFile(zoo, "dqn", "MountainCar-v0"); err == nil || !strings.Contains(err.Error(), "none for MountainCar-v0") {
		t.Errorf("zoo form without the env: %v", err)
	}
	other := write("other.yml", "algo: random\nenv: CartPole-v1\nn_envs: 2\n")
	if _, err := ReadConfigFile(other, "dqn", "CartPole-v1"); err == nil || !strings.Contains(err.Error(), "algorithm random") {
		t.Errorf("a config of another algorithm: %v", err)
	}
	if _, err := ReadConfigFile(write("bad.yml", "[1, 2"), "dqn", "CartPole-v1"); err == nil {
		t.Error("malformed YAML accepted")
	}
	if _, err := ReadConfigFile(filepath.Join(dir, "missing.yml"), "dqn", "CartPole-v1"); err == nil {
		t.Error("missing file accepted")
	}
}

// TestConfigRoundTrip checks that the YAML of a resolved config reads back to the same config,
// and that it can be given back to --config.
func TestConfigRoundTrip(t *testing.T) {
	cfg, err := Resolve("dqn", "cartpole", mustSet(t, "net_arch=[32]", "double_q=true", "env_kwargs.sutton_barto_reward=true", "learning_rate=3e-4"))
	if err != nil {
		t.Fatal(err)
	}
	y, err := cfg.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(y, "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Fatalf("round trip:\n%s\n%+v\n%+v", y, back.Params, cfg.Params)
	}
	p := filepath.Join(t.TempDir(), "config.yml")
	os.WriteFile(p, y, 0o644)
	l, err := ReadConfigFile(p, "dqn", "CartPole-v1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Resolve("dqn", "cartpole", l)
	if err != nil || !reflect.DeepEqual(again, cfg) {
		t.Fatalf("config.yml as --config: %v", err)
	}
	if !strings.HasPrefix(string(y), "algo: dqn\nenv: CartPole-v1\nseed: 1\n") {
		t.Errorf("config.yml starts with %q", y[:40])
	}
}

// TestShippedHyperparams resolves every entry of every shipped file, so that a typo in a key or
// a bad value fails here rather than in a user's run.
func TestShippedHyperparams(t *testing.T) {
	for _, algo := range hyperparams.Algorithms() {
		if _, err := LookupAlgorithm(algo); err != nil {
			t.Errorf("hyperparams/%s.yml: %v", algo, err)
			continue
		}
		data, _, _, err := hyperparams.File(algo)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("hyperparams/%s.yml: %v", algo, err)
		}
		for id := range m {
			if s, err := env.Lookup(id); err != nil || s.ID != id {
				t.Errorf("hyperparams/%s.yml: %q is not a registered env ID", algo, id)
				continue
			}
			if _, err := Resolve(algo, id); err != nil {
				t.Errorf("hyperparams/%s.yml, %s: %v", algo, id, err)
			}
		}
	}
}

func TestRegisterRejectsKeyCollisions(t *testing.T) {
	type bad struct {
		Seed int `yaml:"seed"`
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `config key "seed"`) {
			t.Fatalf("panic %v", r)
		}
	}()
	Register(Algorithm{Name: "collides", NewConfig: func() any { return &bad{} },
		NewTrainer: func(any, Setup) (Trainer, error) { return nil, nil },
		LoadPolicy: func(any, PolicySetup, string) (Policy, error) { return nil, nil }})
}
