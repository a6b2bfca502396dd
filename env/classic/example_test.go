package classic_test

import (
	"fmt"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/classic"
)

// Balance the pole with a hand-written policy: push the cart towards the side the pole leans
// to, harder when it is also falling that way.
func Example() {
	e, err := env.Make("CartPole-v1", nil)
	if err != nil {
		panic(err)
	}
	obs, _ := e.Reset(env.Seed(0))
	ret := 0.0
	for {
		a := 0
		if obs[2]+0.5*obs[3] > 0 {
			a = 1
		}
		var reward float64
		var terminated, truncated bool
		obs, reward, terminated, truncated, _ = env.StepDiscrete(e, a)
		ret += reward
		if terminated || truncated {
			fmt.Printf("return %v, terminated %v, truncated %v\n", ret, terminated, truncated)
			return
		}
	}
	// Output: return 500, terminated false, truncated true
}

// Use the state accessor as a one-step model: where does the pendulum go from rest, level
// (90° from upright), under full torque, and at what cost? By hand: thetadot' = (3g/2·sin θ +
// 3u)·dt = (15 + 6)·0.05 and the cost θ² + 0.001·u².
func ExamplePendulum_SetState() {
	p, err := classic.NewPendulum(nil)
	if err != nil {
		panic(err)
	}
	if err := p.SetState([]float64{1.5707963267948966, 0}); err != nil {
		panic(err)
	}
	_, reward, _, _, _ := p.Step([]float32{2})
	fmt.Printf("state %.4f, reward %.4f\n", p.State(), reward)
	// Output: state [1.6233 1.0500], reward -2.4714
}
