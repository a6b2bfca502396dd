package driving_test

import (
	"fmt"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/driving"
)

// Highway-v0 with its defaults: 50 vehicles, meta-actions, Kinematics observations of the 5
// nearest vehicles.
func Example_highway() {
	e, err := env.Make("highway", nil)
	if err != nil {
		panic(err)
	}
	obs, _ := e.Reset(env.Seed(1))
	fmt.Println(e.ActionSpace(), e.ObservationSpace().Shape(), len(obs))
	_, r, term, trunc, info := env.StepDiscrete(e, 1) // IDLE
	fmt.Printf("reward %.3f terminated %v truncated %v crashed %v\n", r, term, trunc, info["crashed"])
	// Output:
	// Discrete(5) [5 5] 25
	// reward 0.867 terminated false truncated false crashed false
}

// Racetrack-v0 with vector observations and continuous controls (steer, gas, brake).
func Example_racetrack() {
	e, err := env.Make("racetrack", nil)
	if err != nil {
		panic(err)
	}
	e.Reset(env.Seed(1))
	fmt.Println(e.ActionSpace(), e.ObservationSpace().Shape())
	total := 0.0
	for range 20 {
		_, r, _, _, _ := e.Step([]float32{0, 1, 0}) // full throttle, straight
		total += r
	}
	fmt.Printf("return after 2 s: %.2f\n", total)
	// Output:
	// Box([-1.0 0.0 0.0], 1.0, (3,), float32) [21]
	// return after 2 s: 15.06
}
