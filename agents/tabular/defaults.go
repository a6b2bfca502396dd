package tabular

import (
	"bytes"
	"fmt"

	"github.com/gorl/gorl/hyperparams"
	"go.yaml.in/yaml/v3"
)

// Planner names, for PlanDefaults and rlrun (`rlrun train valueiteration taxi`).
const (
	ValueIterationName  = "valueiteration"
	PolicyIterationName = "policyiteration"
)

// DefaultSteps is the number of training steps of an env without a tuned n_timesteps (rlrun's
// default).
const DefaultSteps = 100_000

// runKeys are the keys of rlrun's run configuration (run.RunConfig) that a hyperparams entry
// may hold besides an algorithm's: Defaults reads n_timesteps and skips the others, which
// concern the run (its env options, evaluation and checkpoints), not the agent. The package
// cannot import run (run imports it), so the list is repeated here: an entry with a run key
// missing from it fails this package's TestShippedSettings, and run's TestTabularDefaultsAgree
// checks that both readers give the same settings.
var runKeys = []string{"seed", "env_kwargs", "eval_episodes", "checkpoint_every", "keep_checkpoints", "episode_log_interval"}

// Defaults returns the shipped settings of a TD method for an env: DefaultConfig overlaid with
// the env's entry in rlrun's hyperparams/<method>.yml (package hyperparams, the one copy that
// rlrun and the tests of this package both read), and the number of training steps (its
// n_timesteps, or DefaultSteps). An env without an entry gets the plain defaults.
func Defaults(method Method, envID string) (Config, int64, error) {
	entry := struct {
		Config `yaml:",inline"`
		Steps  int64 `yaml:"n_timesteps"`
	}{Config: DefaultConfig(), Steps: DefaultSteps}
	if err := overlay(string(method), envID, &entry); err != nil {
		return Config{}, 0, err
	}
	return entry.Config, entry.Steps, nil
}

// PlanDefaults returns the shipped settings of a planner (ValueIterationName or
// PolicyIterationName) for an env: DefaultPlanConfig overlaid with the env's entry.
func PlanDefaults(algo, envID string) (PlanConfig, error) {
	entry := struct {
		PlanConfig `yaml:",inline"`
		Steps      int64 `yaml:"n_timesteps"`
	}{PlanConfig: DefaultPlanConfig()}
	if err := overlay(algo, envID, &entry); err != nil {
		return PlanConfig{}, err
	}
	return entry.PlanConfig, nil
}

// overlay decodes the entry of envID in hyperparams/<algo>.yml into dst, which holds the
// defaults; an unknown key other than a run key is an error.
func overlay(algo, envID string, dst any) error {
	data, name, ok, err := hyperparams.File(algo)
	if err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	if !ok {
		return fmt.Errorf("tabular: no shipped settings for algorithm %q (no %s)", algo, name)
	}
	var entries map[string]map[string]any
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return fmt.Errorf("tabular: %s: %w", name, err)
	}
	entry, ok := entries[envID]
	if !ok {
		return nil
	}
	for _, k := range runKeys {
		delete(entry, k)
	}
	raw, err := yaml.Marshal(entry)
	if err != nil {
		return fmt.Errorf("tabular: %s: %s: %w", name, envID, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("tabular: %s: %s: %w", name, envID, err)
	}
	return nil
}
