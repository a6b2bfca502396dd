// Package all registers every environment built into gorl. Import it for its side effect:
//
//	import _ "github.com/gorl/gorl/env/all"
//
// after which env.Make accepts every built-in ID and alias ("CartPole-v1", "cartpole", ...).
// Each env package registers its own envs in init; this package only imports them, so that a
// program that needs one family (say, classic control) can import that package alone.
//
// # Conformance
//
// The tests of this package hold the Gymnasium conformance test (go test ./env/all -run
// Gymnasium): it replays the reference transitions recorded from Gymnasium 1.4 in
// testdata/gymnasium (gzip-compressed copies of the shared reference data; SCHEMA.md there
// describes them), or in the folder named by the environment variable GORL_GYMREF_DIR, through
// the registered envs.
package all

import (
	_ "github.com/gorl/gorl/env/classic" // CartPole, MountainCar, MountainCarContinuous, Acrobot, Pendulum
	_ "github.com/gorl/gorl/env/driving" // Racetrack, Highway
	_ "github.com/gorl/gorl/env/grid"    // FrozenLake, CliffWalking, Taxi, Blackjack, GridWorld, PuckWorld, WaterWorld
)
