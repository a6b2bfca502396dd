package replay_test

import (
	"fmt"

	"github.com/gorl/gorl/replay"
)

// Example records three steps of a one-copy vector env whose episode terminates at the second
// step, then draws the terminal transition: its next observation is the final one, and its
// discount is 0 because the episode terminated. The third step is the autoreset step (the env
// reports the new episode's first observation) and is never drawn.
func Example() {
	b, err := replay.New(replay.Config{Capacity: 16, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 0.99, Seed: 1})
	if err != nil {
		panic(err)
	}
	no := []bool{false}
	b.Add([]float32{0}, []float32{1}, []float64{1}, []float32{1}, no, no)
	b.Add([]float32{1}, []float32{0}, []float64{1}, []float32{2}, []bool{true}, no)
	b.Add([]float32{2}, []float32{0}, []float64{0}, []float32{-5}, no, no) // autoreset step
	fmt.Println("transitions:", b.Len())

	batch := b.NewBatch(8)
	b.Sample(batch)
	for j := range batch.Size {
		if batch.Terminated[j] == 1 {
			fmt.Println("obs", batch.Obs[j], "next", batch.NextObs[j], "reward", batch.Rewards[j], "discount", batch.Discounts[j])
			break
		}
	}
	// Output:
	// transitions: 2
	// obs 1 next 2 reward 1 discount 0
}
