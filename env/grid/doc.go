// Package grid holds the grid worlds and small games: Gymnasium's toy-text envs (FrozenLake,
// CliffWalking, Taxi, Blackjack), faithful to Gymnasium 1.4, and the worlds of Karpathy's
// REINFORCEjs demos (GridWorld, PuckWorld, WaterWorld).
//
// # Environments
//
//	| ID                       | alias                | observation            | actions | limit |
//	|--------------------------|----------------------|------------------------|---------|-------|
//	| FrozenLake-v1            | frozenlake           | Discrete(16)           | 4       | 100   |
//	| FrozenLake8x8-v1         | frozenlake8x8        | Discrete(64)           | 4       | 200   |
//	| CliffWalking-v1          | cliffwalking         | Discrete(48)           | 4       | none  |
//	| CliffWalkingSlippery-v1  | cliffwalkingslippery | Discrete(48)           | 4       | none  |
//	| Taxi-v4                  | taxi                 | Discrete(500)          | 6       | 200   |
//	| Blackjack-v1             | blackjack            | MultiDiscrete(32,11,2) | 2       | none  |
//	| GridWorld-v0             | gridworld            | Discrete(100)          | 4       | 500   |
//	| PuckWorld-v0             | puckworld            | Box(8)                 | 5       | 500   |
//	| WaterWorld-v0            | waterworld           | Box(152)               | 4       | 1000  |
//
// Each type's documentation follows Gymnasium's template (description, spaces, rewards, start,
// episode end, arguments, versions). Make's options are Gymnasium's keyword arguments:
// env.Make("FrozenLake-v1", env.Options{"is_slippery": false}), env.Make("Taxi-v4",
// env.Options{"is_rainy": true}), env.Make("Blackjack-v1", env.Options{"natural": true,
// "sab": false}); a misspelt option is an error.
//
// # Transition models
//
// FrozenLake, CliffWalking, Taxi and GridWorld implement env.Model: P[s][a] exactly as
// Gymnasium builds env.unwrapped.P (same order of outcomes, same floating-point probabilities,
// such as FrozenLake's 0.33333333333333337) and the initial-state distribution. Step samples
// it as Gymnasium's categorical_sample does, the first outcome whose cumulative probability
// exceeds a uniform draw, from the env's own generator (env.NewRand). The planners of
// agents/tabular use the model; the Gymnasium conformance test of env/all compares it with
// Gymnasium's. Taxi's fickle passenger is outside the model, as in Gymnasium.
//
// # Information and fast path
//
// The toy-text envs return Gymnasium's info: "prob" (and Taxi's "action_mask"). The info map,
// like the observation slice, belongs to the env and is overwritten by the next Reset or Step,
// so stepping allocates nothing. They also implement ResetIndex and StepIndex, integer Reset and
// Step without slices or maps, which agents/tabular uses to train at tens of millions of steps
// per second.
//
// # Rendering
//
// Every env draws itself with env/render. FrozenLake, CliffWalking and GridWorld implement
// Overlayer: given state values and a policy they colour each cell on REINFORCEjs's red-white-
// green scale, print its value and draw the policy's arrow, which is how the viewer shows an
// agent learning.
//
// # REINFORCEjs worlds
//
// GridWorld, PuckWorld and WaterWorld follow the JavaScript of REINFORCEjs
// (gridworld_td.html, puckworld.html, waterworld.js) step for step, with the randomness drawn
// from the env's seeded generator in the same order. They run forever in REINFORCEjs; here
// their registered time limits make episodes for RL training and evaluation. PuckWorld and
// WaterWorld have Box observations and Discrete actions for DQN.
package grid
