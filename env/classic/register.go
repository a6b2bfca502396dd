package classic

import (
	"math"

	"github.com/gorl/gorl/env"
)

// init registers the five tasks under Gymnasium's IDs, with Gymnasium's episode limits and
// reward thresholds and short aliases for the CLI; CartPole also registers its native batched
// implementation, which env.MakeVector uses. Import github.com/gorl/gorl/env/all (or this
// package) for its side effect to make them available to env.Make.
func init() {
	env.Register(env.Spec{
		ID:      "CartPole-v1",
		Aliases: []string{"cartpole"},
		New:     func(o env.Options) (env.Env, error) { return NewCartPole(o) },
		NewVector: func(n int, o env.Options, maxEpisodeSteps, workers int) (env.VectorEnv, error) {
			return newCartPoleVector(n, o, maxEpisodeSteps, workers)
		},
		MaxEpisodeSteps: 500,
		RewardThreshold: 475,
		Description:     "balance a pole on a cart pushed left or right (Barto, Sutton & Anderson 1983)",
	})
	env.Register(env.Spec{
		ID:              "MountainCar-v0",
		Aliases:         []string{"mountaincar"},
		New:             func(o env.Options) (env.Env, error) { return NewMountainCar(o) },
		MaxEpisodeSteps: 200,
		RewardThreshold: -110,
		Description:     "drive an under-powered car up a hill by rocking it (Moore 1990), discrete actions",
	})
	env.Register(env.Spec{
		ID:              "MountainCarContinuous-v0",
		Aliases:         []string{"mountaincarcontinuous"},
		New:             func(o env.Options) (env.Env, error) { return NewMountainCarContinuous(o) },
		MaxEpisodeSteps: 999,
		RewardThreshold: 90,
		Description:     "the mountain car with a continuous force and an energy penalty",
	})
	env.Register(env.Spec{
		ID:              "Acrobot-v1",
		Aliases:         []string{"acrobot"},
		New:             func(o env.Options) (env.Env, error) { return NewAcrobot(o) },
		MaxEpisodeSteps: 500,
		RewardThreshold: -100,
		Description:     "swing the tip of a two-link pendulum above a line by torquing the middle joint (Sutton 1996)",
	})
	env.Register(env.Spec{
		ID:              "Pendulum-v1",
		Aliases:         []string{"pendulum"},
		New:             func(o env.Options) (env.Env, error) { return NewPendulum(o) },
		MaxEpisodeSteps: 200,
		RewardThreshold: math.NaN(),
		Description:     "swing a pendulum up and hold it upright with a limited torque",
	})
}
