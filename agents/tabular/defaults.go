package tabular

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"
)

// hyperparams holds the tuned settings per env, one file per algorithm in the format of
// rlrun's hyperparams/*.yml (top-level keys are env IDs).
//
//go:embed hyperparams/*.yml
var hyperparams embed.FS

// Planner names, for PlanDefaults and rlrun (`rlrun train valueiteration taxi`).
const (
	ValueIterationName  = "valueiteration"
	PolicyIterationName = "policyiteration"
)

// DefaultSteps is the number of training steps of an env without a tuned n_timesteps (rlrun's
// default).
const DefaultSteps = 100_000

// Defaults returns the shipped settings of a TD method for an env: DefaultConfig overlaid with
// the env's entry in hyperparams/<method>.yml, and the number of training steps (its
// n_timesteps, or DefaultSteps). An env without an entry gets the plain defaults.
func Defaults(method Method, envID string) (Config, int64, error) {
	cfg := DefaultConfig()
	entry := struct {
		Config `yaml:",inline"`
		Steps  int64 `yaml:"n_timesteps"`
	}{Config: cfg, Steps: DefaultSteps}
	if err := overlay(string(method), envID, &entry); err != nil {
		return Config{}, 0, err
	}
	return entry.Config, entry.Steps, nil
}

// PlanDefaults returns the shipped settings of a planner (ValueIterationName or
// PolicyIterationName) for an env: DefaultPlanConfig overlaid with the env's entry.
func PlanDefaults(algo, envID string) (PlanConfig, error) {
	cfg := DefaultPlanConfig()
	if err := overlay(algo, envID, &cfg); err != nil {
		return PlanConfig{}, err
	}
	return cfg, nil
}

// overlay decodes the entry of envID in hyperparams/<algo>.yml into dst, which holds the
// defaults; an unknown key is an error.
func overlay(algo, envID string, dst any) error {
	name := "hyperparams/" + algo + ".yml"
	data, err := hyperparams.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tabular: no shipped settings for algorithm %q", algo)
	}
	if err != nil {
		return fmt.Errorf("tabular: %s: %w", name, err)
	}
	var entries map[string]yaml.Node
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return fmt.Errorf("tabular: %s: %w", name, err)
	}
	node, ok := entries[envID]
	if !ok {
		return nil
	}
	raw, err := yaml.Marshal(&node)
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
