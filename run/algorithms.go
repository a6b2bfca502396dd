package run

import (
	"github.com/gorl/gorl/agents/dqn"
	"github.com/gorl/gorl/agents/pg"
	"github.com/gorl/gorl/agents/tabular"
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
	Register(Algorithm{
		Name:         "ppo",
		Description:  "Proximal Policy Optimization: GAE, clipped surrogate, minibatch epochs, annealing, VecNormalize",
		ActionSpaces: "Discrete, Box",
		NewConfig:    func() any { c := pg.DefaultPPOConfig(); return &c },
		Check:        pg.Check,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			c := params.(*pg.PPOConfig)
			v, err := s.MakeVector(c.NumEnvs)
			if err != nil {
				return nil, err
			}
			return pg.NewPPO(*c, v, pg.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log})
		},
		LoadPolicy: func(params any, s PolicySetup, dir string) (Policy, error) {
			return pg.LoadPPOPolicy(*params.(*pg.PPOConfig), s.ObsSpace, s.ActSpace, dir)
		},
	})
	Register(Algorithm{
		Name:         "a2c",
		Description:  "synchronous Advantage Actor-Critic: n-step returns on a vector env, RMSprop, entropy bonus, VecNormalize",
		ActionSpaces: "Discrete, Box",
		NewConfig:    func() any { c := pg.DefaultA2CConfig(); return &c },
		Check:        pg.Check,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			c := params.(*pg.A2CConfig)
			v, err := s.MakeVector(c.NumEnvs)
			if err != nil {
				return nil, err
			}
			return pg.NewA2C(*c, v, pg.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log})
		},
		LoadPolicy: func(params any, s PolicySetup, dir string) (Policy, error) {
			return pg.LoadA2CPolicy(*params.(*pg.A2CConfig), s.ObsSpace, s.ActSpace, dir)
		},
	})
	Register(Algorithm{
		Name:         "reinforce",
		Description:  "REINFORCE: batches of whole episodes, standardized returns, RMSprop, optional learned baseline",
		ActionSpaces: "Discrete, Box",
		NewConfig:    func() any { c := pg.DefaultReinforceConfig(); return &c },
		Check:        pg.Check,
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			c := params.(*pg.ReinforceConfig)
			v, err := s.MakeVector(c.NumEnvs)
			if err != nil {
				return nil, err
			}
			return pg.NewReinforce(*c, v, pg.Options{Seed: s.Seed, TotalSteps: s.Steps, Log: s.Log})
		},
		LoadPolicy: func(params any, s PolicySetup, dir string) (Policy, error) {
			return pg.LoadReinforcePolicy(*params.(*pg.ReinforceConfig), s.ObsSpace, s.ActSpace, dir)
		},
	})
	// The tabular agents (tabular.go adapts them): TD learners and model-based planners.
	Register(tdAlgorithm(tabular.QLearning, "tabular Q-learning (Discrete or MultiDiscrete states): ε schedules, traces (Watkins's Q(λ)), Dyna-Q"))
	Register(tdAlgorithm(tabular.SARSA, "tabular SARSA: on-policy TD control, ε-greedy schedules, eligibility traces (SARSA(λ)), Dyna-Q"))
	Register(tdAlgorithm(tabular.ExpectedSARSA, "tabular Expected SARSA: the expectation over the ε-greedy policy as target, traces, Dyna-Q"))
	Register(planAlgorithm(tabular.ValueIterationName, "value iteration on the env's transition model (FrozenLake, CliffWalking, Taxi, GridWorld), a sweep per episode played"))
	Register(planAlgorithm(tabular.PolicyIterationName, "policy iteration on the env's transition model, an evaluation sweep per episode its greedy policy plays"))
}

// The agents implement the interfaces structurally; these checks keep them honest.
var (
	_ Trainer           = (*dqn.Agent)(nil)
	_ QValuer           = (*dqn.Agent)(nil)
	_ ExplorationSetter = (*dqn.Agent)(nil)

	_ Trainer        = (*pg.PPO)(nil)
	_ Trainer        = (*pg.A2C)(nil)
	_ Trainer        = (*pg.Reinforce)(nil)
	_ ActionProber   = (*pg.Policy)(nil)
	_ ValueEstimator = (*pg.Policy)(nil)
	_ ActionProber   = (*pg.PPO)(nil)
	_ ValueEstimator = (*pg.PPO)(nil)

	_ Trainer           = (*tabular.TDTrainer)(nil)
	_ QValuer           = (*tabular.TDTrainer)(nil)
	_ ExplorationSetter = (*tabular.TDTrainer)(nil)

	_ Trainer = (*tabular.PlanTrainer)(nil)
	_ QValuer = (*tabular.PlanTrainer)(nil)
	_ QValuer = (*tabular.Policy)(nil)
)
