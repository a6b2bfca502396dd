package work

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorl/gorl/nets"
)

// The nets workloads are those of the nets package's benchmarks (nets/*_test.go) and of the
// PyTorch scripts in benchmarks/pytorch, rebuilt here on the public API. Each New* function
// builds the model and data (untimed) and returns a step that does one unit of work and returns
// the units it did: images, updates, characters or floating-point operations.

// NewMatMul returns a step that multiplies two n×n matrices of uniform values in [-0.5, 0.5) on
// a non-recording graph (nets' MatMul, which calls the package-level Sgemm: gorl's kernels on up
// to GOMAXPROCS goroutines, or OpenBLAS under the openblas build tag) and returns the 2n³
// floating-point operations it did.
func NewMatMul(n int) func() float64 {
	rng := rand.New(rand.NewPCG(9, 9))
	fill := func() *nets.Tensor {
		t := nets.New(n, n)
		for i := range t.Data {
			t.Data[i] = rng.Float32() - 0.5
		}
		return t
	}
	a, b := fill(), fill()
	g := nets.NewInference()
	flop := 2 * float64(n) * float64(n) * float64(n)
	return func() float64 {
		g.Reset()
		g.MatMul(a, b)
		return flop
	}
}

// NewMLPUpdate returns one training step of the DQN-sized MLP 4→64→64→2 (ReLU) as
// bench_mlp.py times it: zero_grad, forward on a batch of 64, MSE loss against random targets,
// backward, Adam (lr 1e-3). It returns 1 (an update).
func NewMLPUpdate() func() float64 {
	r := rand.New(rand.NewPCG(0, 0))
	net := nets.NewMLP(r, nets.ReLU{}, 4, 64, 64, 2)
	opt, err := nets.NewAdam(net.Params(), nets.AdamConfig{LR: 1e-3})
	if err != nil {
		panic(fmt.Sprintf("work: NewAdam: %v", err))
	}
	const pool = 16
	xs, ys := make([]*nets.Tensor, pool), make([]*nets.Tensor, pool)
	for i := range pool {
		xs[i], ys[i] = nets.New(64, 4), nets.New(64, 2)
		nets.Normal(r, xs[i], 0, 1)
		nets.Normal(r, ys[i], 0, 1)
	}
	g := nets.NewGraph()
	i := 0
	return func() float64 {
		g.Reset()
		opt.ZeroGrad()
		loss := g.MSELoss(net.Forward(g, xs[i%pool]), ys[i%pool], nets.ReduceMean)
		g.Backward(loss)
		opt.Step()
		i++
		return 1
	}
}

// NewMLPForward returns acting with the same MLP: one observation through the network on a
// non-recording graph (PyTorch: eval mode under torch.no_grad()). It returns 1 (a call).
func NewMLPForward() func() float64 {
	r := rand.New(rand.NewPCG(0, 0))
	net := nets.NewMLP(r, nets.ReLU{}, 4, 64, 64, 2)
	x := nets.New(1, 4)
	nets.Normal(r, x, 0, 1)
	g := nets.NewInference()
	return func() float64 {
		g.Reset()
		net.Forward(g, x)
		return 1
	}
}

// SeedCNN returns the seed CNN of bench_cnn.py for inC input channels of side×side images:
// conv inC→32 k3 p1, ReLU, maxpool 2, conv 32→64 k3 p1, ReLU, maxpool 2, flatten,
// linear 64·(side/4)²→10.
func SeedCNN(r *rand.Rand, inC, side int) *nets.Sequential {
	return nets.NewSequential(
		nets.NewConv2D(r, inC, 32, nets.Pair(3), true, nets.ConvOptions{Padding: nets.Pair(1)}), nets.ReLU{}, nets.MaxPool2D{Kernel: nets.Pair(2)},
		nets.NewConv2D(r, 32, 64, nets.Pair(3), true, nets.ConvOptions{Padding: nets.Pair(1)}), nets.ReLU{}, nets.MaxPool2D{Kernel: nets.Pair(2)},
		nets.Flatten{}, nets.NewLinear(r, 64*(side/4)*(side/4), 10, true),
	)
}

// cnnBatch is bench_cnn.py's batch size.
const cnnBatch = 64

func seedCNNData(r *rand.Rand, batches int) ([]*nets.Tensor, [][]int) {
	xs, ys := make([]*nets.Tensor, batches), make([][]int, batches)
	for i := range xs {
		xs[i] = nets.New(cnnBatch, 3, 32, 32)
		nets.Normal(r, xs[i], 0, 1)
		ys[i] = make([]int, cnnBatch)
		for j := range ys[i] {
			ys[i][j] = r.IntN(10)
		}
	}
	return xs, ys
}

// NewCNNTrain returns one training step of the seed CNN on a batch of 64 random 3×32×32 images
// (zero_grad, forward, cross-entropy, backward, SGD lr 0.01 momentum 0.9). It returns 64
// (images).
func NewCNNTrain() func() float64 {
	r := rand.New(rand.NewPCG(0, 0))
	net := SeedCNN(r, 3, 32)
	opt, err := nets.NewSGD(net.Params(), nets.SGDConfig{LR: 0.01, Momentum: 0.9})
	if err != nil {
		panic(fmt.Sprintf("work: NewSGD: %v", err))
	}
	xs, ys := seedCNNData(r, 8)
	g := nets.NewGraph()
	i := 0
	return func() float64 {
		g.Reset()
		opt.ZeroGrad()
		loss := g.CrossEntropyLoss(net.Forward(g, xs[i%len(xs)]), ys[i%len(ys)], nets.CrossEntropyOptions{})
		g.Backward(loss)
		opt.Step()
		i++
		return cnnBatch
	}
}

// NewCNNInference returns one forward of the seed CNN on a batch of 64 images without a tape, in
// eval mode. It returns 64 (images).
func NewCNNInference() func() float64 {
	r := rand.New(rand.NewPCG(0, 0))
	net := SeedCNN(r, 3, 32)
	xs, _ := seedCNNData(r, 8)
	g := nets.NewInference()
	i := 0
	return func() float64 {
		g.Reset()
		net.Forward(g, xs[i%len(xs)])
		i++
		return cnnBatch
	}
}

// The char-LSTM of bench_lstm.py.
const (
	charVocab  = 96
	charHidden = 256
	charLayers = 2
	charSeq    = 64
	charBatch  = 32
)

// NewCharLSTM returns one training step of the char-LSTM of bench_lstm.py: one-hot inputs over
// 96 characters materialized and multiplied by the input weights (the work PyTorch does for
// F.one_hot(...).float() into nn.LSTM), LSTM(96, 256, 2 layers, batch first), Linear(256→96),
// cross-entropy over every position, Adam lr 2e-3, zero initial state, sequences of 64, batches
// of 32. It returns 32·64 (characters).
func NewCharLSTM() func() float64 {
	r := rand.New(rand.NewPCG(0, 0))
	lstm := nets.NewLSTM(r, nets.RecurrentConfig{InputSize: charVocab, HiddenSize: charHidden, NumLayers: charLayers, BatchFirst: true})
	head := nets.NewLinear(r, charHidden, charVocab, true)
	opt, err := nets.NewAdam(append(nets.Prefix("lstm.", lstm.Params()), nets.Prefix("head.", head.Params())...), nets.AdamConfig{LR: 2e-3})
	if err != nil {
		panic(fmt.Sprintf("work: NewAdam: %v", err))
	}
	const pool = 8
	data := make([][]int, pool)
	for i := range data {
		data[i] = make([]int, charBatch*(charSeq+1))
		for j := range data[i] {
			data[i][j] = r.IntN(charVocab)
		}
	}
	idx, target := make([]int, charBatch*charSeq), make([]int, charBatch*charSeq)
	g := nets.NewGraph()
	i := 0
	return func() float64 {
		d := data[i%pool]
		i++
		for bi := range charBatch {
			row := d[bi*(charSeq+1) : (bi+1)*(charSeq+1)]
			copy(idx[bi*charSeq:(bi+1)*charSeq], row[:charSeq])
			copy(target[bi*charSeq:(bi+1)*charSeq], row[1:])
		}
		g.Reset()
		opt.ZeroGrad()
		x := g.Reshape(g.OneHot(idx, charVocab), charBatch, charSeq, charVocab)
		out, _ := lstm.Forward(g, x, nets.RecurrentState{})
		logits := g.Reshape(head.Forward(g, out), charBatch*charSeq, charVocab)
		g.Backward(g.CrossEntropyLoss(logits, target, nets.CrossEntropyOptions{}))
		opt.Step()
		return charBatch * charSeq
	}
}
