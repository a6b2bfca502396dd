package run

import (
	"fmt"
	"slices"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
)

// tdAlgorithm is the registry entry of a tabular TD method (qlearning, sarsa, expectedsarsa):
// tabular.TDTrainer on a vector env of one copy, the greedy policy of its table for eval.
func tdAlgorithm(m tabular.Method, description string) Algorithm {
	return Algorithm{
		Name:         string(m),
		Description:  description,
		ActionSpaces: "Discrete",
		NewConfig:    func() any { c := tabular.DefaultConfig(); return &c },
		Check:        tabular.CheckTD,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			v, err := s.MakeVector(1)
			if err != nil {
				return nil, err
			}
			return tabular.NewTDTrainer(m, *params.(*tabular.Config), v, tabular.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log, EnvID: s.EnvID})
		},
		LoadPolicy: func(_ any, s PolicySetup, dir string) (Policy, error) {
			return tabular.LoadPolicy(s.ObsSpace, s.ActSpace, dir)
		},
	}
}

// planAlgorithm is the registry entry of a dynamic-programming planner (valueiteration,
// policyiteration): tabular.PlanTrainer, which sweeps the env's model while its greedy policy
// plays the run's env (see its doc for what global_step and the metrics mean).
func planAlgorithm(name, description string) Algorithm {
	return Algorithm{
		Name:         name,
		Description:  description,
		ActionSpaces: "Discrete, model",
		NewConfig:    func() any { c := tabular.DefaultPlanConfig(); return &c },
		Check:        tabular.CheckPlan,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			m, err := envModel(s.EnvID, s.EnvKwargs, name)
			if err != nil {
				return nil, err
			}
			v, err := s.MakeVector(1)
			if err != nil {
				return nil, err
			}
			return tabular.NewPlanTrainer(name, *params.(*tabular.PlanConfig), m, v, tabular.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log, EnvID: s.EnvID})
		},
		LoadPolicy: func(_ any, s PolicySetup, dir string) (Policy, error) {
			return tabular.LoadPolicy(s.ObsSpace, s.ActSpace, dir)
		},
	}
}

// envModel returns the transition model of the env id with the options kwargs, for a planner.
// The planner plans on one instance and its policy acts in others (the run's vector env, the
// evaluation's env), so the model must not differ between instances: an env that draws its
// layout at random per instance (FrozenLake's map_name=random without map_seed) is refused.
func envModel(id string, kwargs env.Options, algo string) (env.Model, error) {
	var models [2]env.Model
	for i := range models {
		e, err := env.Make(id, kwargs)
		if err != nil {
			return nil, err
		}
		e.Close()
		m, ok := env.Unwrapped(e).(env.Model)
		if !ok {
			return nil, fmt.Errorf("%s plans with the env's transition model, which %s does not expose (the envs with one: FrozenLake, CliffWalking, Taxi, GridWorld); learn from experience with qlearning instead", algo, id)
		}
		models[i] = m
	}
	if !sameModel(models[0], models[1]) {
		return nil, fmt.Errorf("%s: two instances of %s with env_kwargs %v have different models (a layout drawn at random per instance?); fix it, for FrozenLake with env_kwargs.map_seed", algo, id, kwargs)
	}
	return models[0], nil
}

// sameModel reports whether two models have the same transitions and initial distribution.
func sameModel(a, b env.Model) bool {
	if a.NumStates() != b.NumStates() || a.NumActions() != b.NumActions() ||
		!slices.Equal(a.InitialDistribution(), b.InitialDistribution()) {
		return false
	}
	for s := range a.NumStates() {
		for x := range a.NumActions() {
			if !slices.Equal(a.Transitions(s, x), b.Transitions(s, x)) {
				return false
			}
		}
	}
	return true
}
