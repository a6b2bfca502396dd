package driving

import (
	"math"

	"github.com/gorl/gorl/env"
)

// init registers the driving scenarios under their IDs with short aliases for the CLI. Import
// github.com/gorl/gorl/env/all (or this package) for its side effect to make them available to
// env.Make and env.MakeVector (whose generic parallel vector env runs the copies over every
// core).
func init() {
	env.Register(env.Spec{
		ID:      "Racetrack-v0",
		Aliases: []string{"racetrack"},
		New:     func(o env.Options) (env.Env, error) { return NewRacetrack(o) },
		// 100 s at the default 10 Hz policy, as CarRacing's 1000 frames.
		MaxEpisodeSteps: 1000,
		RewardThreshold: 900,
		Description:     "drive a lap of a random closed track (CarRacing's recipe), lidar vector or pixel observations",
	})
	env.Register(env.Spec{
		ID:      "Highway-v0",
		Aliases: []string{"highway"},
		New:     func(o env.Options) (env.Env, error) { return NewHighway(o) },
		// The env truncates its own episodes after its duration option (40 s, 40 steps at the
		// default 1 Hz policy): their length in steps depends on two options. The TimeLimit is
		// a backstop that options cannot reach (duration × policy_frequency is limited to it).
		MaxEpisodeSteps: highwayMaxSteps,
		RewardThreshold: math.NaN(),
		Description:     "drive fast on a 4-lane highway among 50 IDM/MOBIL vehicles without crashing (highway-env)",
	})
}
