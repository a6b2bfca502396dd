package grid

import (
	"math"

	"github.com/gorl/gorl/env"
)

// init registers the envs under Gymnasium's IDs (and versioned IDs in Gymnasium's style for
// the REINFORCEjs worlds), with Gymnasium's time limits, reward thresholds and keyword
// arguments, and the short lowercase aliases the CLI accepts. Import
// github.com/gorl/gorl/env/all (or this package) for its side effect.
func init() {
	env.Register(env.Spec{
		ID:              "FrozenLake-v1",
		Aliases:         []string{"frozenlake"},
		New:             newFrozenLakeFromOptions,
		MaxEpisodeSteps: 100,
		RewardThreshold: 0.70,
		Kwargs:          env.Options{"map_name": "4x4"},
		Description:     "cross a slippery frozen lake to the goal without falling into a hole (4x4)",
	})
	env.Register(env.Spec{
		ID:              "FrozenLake8x8-v1",
		Aliases:         []string{"frozenlake8x8"},
		New:             newFrozenLakeFromOptions,
		MaxEpisodeSteps: 200,
		RewardThreshold: 0.85,
		Kwargs:          env.Options{"map_name": "8x8"},
		Description:     "cross a slippery frozen lake to the goal without falling into a hole (8x8)",
	})
	env.Register(env.Spec{
		ID:              "CliffWalking-v1",
		Aliases:         []string{"cliffwalking"},
		New:             newCliffWalkingFromOptions,
		RewardThreshold: math.NaN(),
		Description:     "walk along a cliff to the goal without falling off (Sutton & Barto, Example 6.6)",
	})
	env.Register(env.Spec{
		ID:              "CliffWalkingSlippery-v1",
		Aliases:         []string{"cliffwalkingslippery"},
		New:             newCliffWalkingFromOptions,
		RewardThreshold: math.NaN(),
		Kwargs:          env.Options{"is_slippery": true},
		Description:     "cliff walking where each move may slip to a perpendicular direction",
	})
	env.Register(env.Spec{
		ID:              "Taxi-v4",
		Aliases:         []string{"taxi"},
		New:             newTaxiFromOptions,
		MaxEpisodeSteps: 200,
		RewardThreshold: 8,
		Description:     "pick up a passenger and drop them at their destination (Dietterich 2000); is_rainy for slippery roads",
	})
	env.Register(env.Spec{
		ID:              "Blackjack-v1",
		Aliases:         []string{"blackjack"},
		New:             newBlackjackFromOptions,
		RewardThreshold: math.NaN(),
		Kwargs:          env.Options{"sab": true, "natural": false},
		Description:     "beat the dealer at blackjack with an infinite deck (Sutton & Barto, Example 5.1)",
	})
	env.Register(env.Spec{
		ID:              "GridWorld-v0",
		Aliases:         []string{"gridworld"},
		New:             newGridWorldFromOptions,
		MaxEpisodeSteps: 500,
		RewardThreshold: math.NaN(),
		Description:     "Karpathy's REINFORCEjs grid world: reach the +1 goal around walls and -1 cells",
	})
	env.Register(env.Spec{
		ID:              "PuckWorld-v0",
		Aliases:         []string{"puckworld"},
		New:             newPuckWorldFromOptions,
		MaxEpisodeSteps: 500,
		RewardThreshold: math.NaN(),
		Description:     "REINFORCEjs's PuckWorld: steer a puck to a green target away from a chasing red one",
	})
	env.Register(env.Spec{
		ID:              "WaterWorld-v0",
		Aliases:         []string{"waterworld"},
		New:             newWaterWorldFromOptions,
		MaxEpisodeSteps: 1000,
		RewardThreshold: math.NaN(),
		Description:     "REINFORCEjs's WaterWorld: eat apples and avoid poison, seen through 30 range sensors",
	})
}
