package replay

import "fmt"

// Batch is a reusable minibatch of Size transitions in row-major arrays, ready to be viewed as
// tensors without copying. Sample overwrites every field.
type Batch struct {
	Size int
	// Obs holds Size×obsDim observations the actions were taken from.
	Obs []float32
	// Actions holds Size×actDim actions (a Discrete action is its index).
	Actions []float32
	// Rewards holds the n-step discounted returns Σ_j γ^j r_j (the reward when NStep is 1).
	Rewards []float32
	// NextObs holds Size×obsDim observations to bootstrap from.
	NextObs []float32
	// Discounts holds the factor of the bootstrap value: γ^k after a window of k steps, 0 when
	// the window ended in termination. A truncated window keeps γ^k: the target is
	// Rewards + Discounts·V(NextObs) in every case.
	Discounts []float32
	// Terminated is 1 where the window ended in termination, else 0.
	Terminated []float32
	// Weights are the normalized importance-sampling weights of prioritized replay (1 when
	// uniform): multiply each row's loss by its weight.
	Weights []float32
	// Indices are the slots drawn, for UpdatePriorities.
	Indices []int

	obsDim, actDim int
}

// NewBatch returns a batch of size rows for observations of obsDim and actions of actDim floats.
func NewBatch(size, obsDim, actDim int) *Batch {
	if size < 1 || obsDim < 1 || actDim < 1 {
		panic(fmt.Sprintf("replay: NewBatch(%d, %d, %d): want positive sizes", size, obsDim, actDim))
	}
	return &Batch{
		Size:       size,
		Obs:        make([]float32, size*obsDim),
		Actions:    make([]float32, size*actDim),
		Rewards:    make([]float32, size),
		NextObs:    make([]float32, size*obsDim),
		Discounts:  make([]float32, size),
		Terminated: make([]float32, size),
		Weights:    make([]float32, size),
		Indices:    make([]int, size),
		obsDim:     obsDim,
		actDim:     actDim,
	}
}
