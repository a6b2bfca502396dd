package grid_test

import (
	"fmt"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/grid"
)

// The transition model of FrozenLake is Gymnasium's P: from the start, "down" on slippery ice
// slides left, down or right with the probabilities Gymnasium computes.
func Example_model() {
	e, err := env.Make("FrozenLake-v1", nil)
	if err != nil {
		panic(err)
	}
	m := env.Unwrapped(e).(env.Model)
	for _, tr := range m.Transitions(0, 1) {
		fmt.Printf("p=%v next=%d reward=%v terminated=%v\n", tr.Prob, tr.Next, tr.Reward, tr.Terminated)
	}
	// Output:
	// p=0.33333333333333337 next=0 reward=0 terminated=false
	// p=0.3333333333333333 next=4 reward=0 terminated=false
	// p=0.33333333333333337 next=1 reward=0 terminated=false
}

// Options are Gymnasium's keyword arguments; the lake can be a custom map.
func Example_options() {
	e, err := env.Make("frozenlake", env.Options{"desc": "SFF,FHF,FFG", "is_slippery": false})
	if err != nil {
		panic(err)
	}
	obs, _ := e.Reset(env.Seed(1))
	fmt.Println("start", obs[0])
	for _, a := range []int{2, 2, 1, 1} { // right, right, down, down
		obs, r, term, _, _ := env.StepDiscrete(e, a)
		fmt.Println(obs[0], r, term)
	}
	// Output:
	// start 0
	// 1 0 false
	// 2 0 false
	// 5 0 false
	// 8 1 true
}
