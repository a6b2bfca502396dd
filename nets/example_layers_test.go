package nets_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorl/gorl/nets"
)

// A small CNN for 3×32×32 images (the seed CNN of the benchmarks): its parameter names are those
// of the same torch.nn.Sequential, so its state dict loads into PyTorch as is.
func ExampleNewConv2D() {
	r := rand.New(rand.NewPCG(1, 2))
	net := nets.NewSequential(
		nets.NewConv2D(r, 3, 32, nets.Pair(3), true, nets.ConvOptions{Padding: nets.Pair(1)}), nets.ReLU{},
		nets.MaxPool2D{Kernel: nets.Pair(2)},
		nets.NewConv2D(r, 32, 64, nets.Pair(3), true, nets.ConvOptions{Padding: nets.Pair(1)}), nets.ReLU{},
		nets.MaxPool2D{Kernel: nets.Pair(2)},
		nets.Flatten{}, nets.NewLinear(r, 64*8*8, 10, true),
	)
	g := nets.NewInference()
	logits := net.Forward(g, nets.New(4, 3, 32, 32))
	fmt.Println(logits.Shape)
	for _, p := range net.Params() {
		fmt.Print(p.Name, p.Tensor.Shape, " ")
	}
	fmt.Println()
	// Output:
	// [4 10]
	// 0.weight[32 3 3 3] 0.bias[32] 3.weight[64 32 3 3] 3.bias[64] 7.weight[10 4096] 7.bias[10]
}

// A DCGAN-style generator step: a transposed convolution with kernel 4, stride 2 and padding 1
// doubles the height and width.
func ExampleNewConvTranspose2D() {
	r := rand.New(rand.NewPCG(1, 2))
	up := nets.NewConvTranspose2D(r, 128, 64, nets.Pair(4), false, nets.ConvOptions{Stride: nets.Pair(2), Padding: nets.Pair(1)})
	y := up.Forward(nets.NewInference(), nets.New(2, 128, 8, 8))
	fmt.Println(y.Shape, up.Weight.Shape)
	// Output: [2 64 16 16] [128 64 4 4]
}

// BatchNorm normalizes with the batch's statistics on a training graph, updating its running
// statistics, and with the running statistics on an inference graph: the mode is the graph's.
func ExampleNewBatchNorm1D() {
	bn := nets.NewBatchNorm1D(1)
	x := nets.FromData([]float32{1, 2, 3, 4}, 4, 1)
	train := nets.NewGraph()
	fmt.Printf("train: %.3f\n", bn.Forward(train, x).Data)
	// running_var moves towards the unbiased variance 5/3: 0.9·1 + 0.1·5/3.
	fmt.Printf("running mean %.2f, var %.4f, batches %v\n", bn.RunningMean.Data[0], bn.RunningVar.Data[0], bn.NumBatchesTracked.Data[0])
	fmt.Printf("eval:  %.3f\n", bn.Forward(nets.NewInference(), x).Data)
	// Output:
	// train: [-1.342 -0.447 0.447 1.342]
	// running mean 0.25, var 1.0667, batches 1
	// eval:  [0.726 1.694 2.663 3.631]
}

// Dropout draws its mask from the graph's generator in training mode and is the identity on an
// inference graph.
func ExampleDropout() {
	x := nets.FromData([]float32{1, 1, 1, 1, 1, 1}, 1, 6)
	g := nets.NewGraph()
	g.SetRand(rand.New(rand.NewPCG(1, 2)))
	fmt.Println(nets.Dropout{P: 0.5}.Forward(g, x).Data)
	fmt.Println(nets.Dropout{P: 0.5}.Forward(nets.NewInference(), x).Data)
	// Output:
	// [2 0 2 0 2 0]
	// [1 1 1 1 1 1]
}

// An embedding with a padding token: the padding row starts at zero and never learns.
func ExampleEmbedding_Lookup() {
	r := rand.New(rand.NewPCG(1, 2))
	emb := nets.NewEmbedding(r, 10, 3).WithPaddingIdx(0)
	g := nets.NewGraph()
	y := emb.Lookup(g, []int{0, 7, 7, 0}, 2, 2) // two sequences of two tokens
	fmt.Println(y.Shape, y.Data[:3])
	// Output: [2 2 3] [0 0 0]
}
