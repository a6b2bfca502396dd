package nets_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/nets"
)

// A training loop: fit y = 2x + 1 with one Linear layer, MSE and Adam.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	model := nets.NewLinear(rng, 1, 1, true)
	opt, err := nets.NewAdam(model.Params(), nets.AdamConfig{LR: 0.05})
	if err != nil {
		panic(err)
	}
	x := nets.FromData([]float32{-1, 0, 1, 2}, 4, 1)
	y := nets.FromData([]float32{-1, 1, 3, 5}, 4, 1)
	g := nets.NewGraph()
	for range 1000 {
		g.Reset()
		loss := g.MSELoss(model.Forward(g, x), y, nets.ReduceMean)
		opt.ZeroGrad()
		g.Backward(loss)
		opt.Step()
	}
	fmt.Printf("w = %.2f, b = %.2f\n", model.Weight.Data[0], model.Bias.Data[0])
	// Output: w = 2.00, b = 1.00
}

// Gradients of a small expression, as micrograd would show them.
func ExampleGraph_Backward() {
	a := nets.FromData([]float32{2, -3}, 2).RequireGrad()
	b := nets.FromData([]float32{4}, 1).RequireGrad()
	g := nets.NewGraph()
	loss := g.Sum(g.Mul(g.Square(a), b)) // Σ a²·b, b broadcast
	g.Backward(loss)
	fmt.Println(loss.Item(), a.Grad, b.Grad)
	// Output: 52 [16 -24] [13]
}

// Acting: a batch-1 forward on an inference graph, which records nothing and reuses its buffers.
func ExampleNewInference() {
	rng := rand.New(rand.NewPCG(1, 2))
	q := nets.NewMLP(rng, nets.ReLU{}, 4, 64, 64, 2)
	obs := nets.New(1, 4)
	g := nets.NewInference()
	for step := range 3 {
		g.Reset()
		copy(obs.Data, []float32{0.01 * float32(step), 0, 0.02, 0})
		action := nets.Argmax(q.Forward(g, obs).Data)
		fmt.Println(action >= 0 && action < 2)
	}
	// Output:
	// true
	// true
	// true
}

// Checkpoints are safetensors files under PyTorch's names; loading a different architecture
// fails with the reason.
func ExampleSave() {
	dir, _ := os.MkdirTemp("", "nets")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "q.safetensors")
	rng := rand.New(rand.NewPCG(1, 2))
	if err := nets.Save(path, nets.NewMLP(rng, nets.ReLU{}, 4, 8, 2), map[string]string{"env": "CartPole-v1"}); err != nil {
		panic(err)
	}
	meta, err := nets.Load(path, nets.NewMLP(rng, nets.ReLU{}, 4, 8, 2))
	fmt.Println(meta["env"], err)
	_, err = nets.Load(path, nets.NewMLP(rng, nets.ReLU{}, 4, 8, 3))
	fmt.Println(err != nil)
	// Output:
	// CartPole-v1 <nil>
	// true
}

// A learning-rate schedule is a pure function of the step.
func ExampleLinearSchedule() {
	s := nets.LinearSchedule{Start: 1e-3, End: 0, Steps: 100}
	fmt.Println(s.At(0), s.At(50), s.At(200))
	// Output: 0.001 0.0005 0
}
