package run

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run/rundir"
)

// RandomConfig configures the random baseline: uniform random actions, no learning. It gives the
// return a learning algorithm must beat (CartPole-v1: about 22) and exercises every part of a run
// without a network.
type RandomConfig struct {
	// NumEnvs is the number of env copies stepped together. Default: 1.
	NumEnvs int `yaml:"n_envs"`
}

// Validate checks the config.
func (c *RandomConfig) Validate() error {
	if c.NumEnvs < 1 {
		return fmt.Errorf("n_envs = %d; want at least 1", c.NumEnvs)
	}
	return nil
}

// randomAgent is the random baseline's trainer and policy.
type randomAgent struct {
	n       int
	vec     env.VectorEnv
	space   env.Space
	seed    uint64
	train   *rand.PCG // drives training actions
	act     *rand.PCG // drives Act, so that evaluating does not disturb training
	trainR  *rand.Rand
	actR    *rand.Rand
	actions []float32
	steps   int64
	started bool
}

var _ Trainer = (*randomAgent)(nil)

func newRandomAgent(space env.Space, seed uint64) *randomAgent {
	a := &randomAgent{space: space, seed: seed,
		train: rand.NewPCG(seed, 0x72616e646f6d), act: rand.NewPCG(seed, 0x616374)}
	a.trainR, a.actR = rand.New(a.train), rand.New(a.act)
	return a
}

func (a *randomAgent) Act(obs, action []float32) { a.space.Sample(a.actR, action) }

func (a *randomAgent) Learn(ctx context.Context, until int64) error {
	if !a.started {
		a.vec.Reset(&a.seed)
		a.started = true
	}
	d := a.space.Dim()
	for i := 0; a.steps < until; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		for k := range a.n {
			a.space.Sample(a.trainR, a.actions[k*d:(k+1)*d])
		}
		a.vec.Step(a.actions)
		a.steps += int64(a.n)
	}
	return nil
}

func (a *randomAgent) Steps() int64 { return a.steps }
func (a *randomAgent) Close() error { return nil }

type randomState struct {
	Steps   int64  `json:"steps"`
	Started bool   `json:"started"`
	Train   []byte `json:"train_rng"`
	Act     []byte `json:"act_rng"`
}

func (a *randomAgent) Save(dir string) error {
	t, _ := a.train.MarshalBinary()
	p, _ := a.act.MarshalBinary()
	js, _ := json.Marshal(randomState{Steps: a.steps, Started: a.started, Train: t, Act: p})
	return os.WriteFile(filepath.Join(dir, "random.json"), js, 0o644)
}

func (a *randomAgent) Load(dir string) error {
	var st randomState
	if err := rundir.ReadJSON(filepath.Join(dir, "random.json"), &st); err != nil {
		return err
	}
	if err := a.train.UnmarshalBinary(st.Train); err != nil {
		return fmt.Errorf("random.json: %w", err)
	}
	if err := a.act.UnmarshalBinary(st.Act); err != nil {
		return fmt.Errorf("random.json: %w", err)
	}
	a.steps, a.started = st.Steps, st.Started
	return nil
}

func init() {
	Register(Algorithm{
		Name:         "random",
		Description:  "uniform random actions: the baseline to beat (no learning)",
		ActionSpaces: "any",
		NewConfig:    func() any { return &RandomConfig{NumEnvs: 1} },
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			c := params.(*RandomConfig)
			v, err := s.MakeVector(c.NumEnvs)
			if err != nil {
				return nil, err
			}
			a := newRandomAgent(v.SingleActionSpace(), s.Seed)
			a.n, a.vec = c.NumEnvs, v
			a.actions = make([]float32, c.NumEnvs*a.space.Dim())
			return a, nil
		},
		LoadPolicy: func(params any, s PolicySetup, dir string) (Policy, error) {
			a := newRandomAgent(s.ActSpace, 0)
			if err := a.Load(dir); err != nil {
				return nil, err
			}
			return a, nil
		},
	})
}
