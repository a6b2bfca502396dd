package run

import (
	"github.com/gorl/gorl/agents/dqn"
)

// The built-in algorithms. An entry adapts an agent package to the registry: its Config (a
// pointer to the struct with defaults), the spaces it handles, how to build its trainer from a
// Setup, and how to load a checkpoint's policy. /work/notes/run-api.md walks through adding one.
func init() {
	Register(Algorithm{
		Name:         "dqn",
		Description:  "Deep Q-Network with target network, Double DQN, dueling heads, n-step and prioritized replay",
		ActionSpaces: "Discrete",
		NewConfig:    func() any { c := dqn.DefaultConfig(); return &c },
		Check:        dqn.Check,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			c := params.(*dqn.Config)
			v, err := s.MakeVector(c.NumEnvs)
			if err != nil {
				return nil, err
			}
			return dqn.New(*c, v, dqn.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log})
		},
		LoadPolicy: func(params any, s PolicySetup, dir string) (Policy, error) {
			return dqn.LoadPolicy(*params.(*dqn.Config), s.ObsSpace, s.ActSpace, dir)
		},
	})
}
