package replay_test

import (
	"fmt"

	"github.com/gorl/gorl/replay"
)

// One copy, three steps, the second truncated by a time limit. The third slot is the NEXT_STEP
// reset: invalid, and its value V(final observation) = 10 is what the truncated step bootstraps
// from: A = 1 + 0.5·10 − 2 = 4. The first step's advantage continues the recursion with γλ = 0.25.
func ExampleRollout() {
	r, _ := replay.NewRollout(replay.RolloutConfig{NumSteps: 3, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 0.5, Lambda: 0.5})
	values := []float32{1, 2, 10}
	rewards := []float64{1, 1, 0}
	truncated := []bool{false, true, false}
	for t := range 3 {
		r.Add([]float32{float32(t)}, []float32{0}, []float32{0}, values[t:t+1], rewards[t:t+1], []bool{false}, truncated[t:t+1])
	}
	r.ComputeGAE([]float32{3})
	fmt.Println(r.Valid, r.Advantages, r.ValidIndices(nil))
	// Output: [true true false] [2 4 0] [0 1]
}
