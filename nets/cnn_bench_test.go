package nets

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gorl/gorl/internal/cputime"
)

// The seed CNN of the nets issue, as ../shared/baselines/pytorch/bench_cnn.py builds it: conv
// 3→32 k3 p1, ReLU, maxpool 2, conv 32→64 k3 p1, ReLU, maxpool 2, flatten, linear 4096→10, on
// batches of 64 random 3×32×32 images with random labels, cross-entropy, SGD lr 0.01 momentum
// 0.9. PyTorch 1.13 on this 2-core machine: ~1,800 training images/s with 2 threads (~1,330 with
// one), ~3,400 inference images/s.
//
//	go test ./nets -run '^$' -bench SeedCNN -benchtime 100x
//	/usr/bin/python3 ../shared/baselines/pytorch/bench_cnn.py --threads 2

func newSeedCNN(r *rand.Rand) *Sequential {
	return NewSequential(
		NewConv2D(r, 3, 32, Pair(3), true, ConvOptions{Padding: Pair(1)}), ReLU{}, MaxPool2D{Kernel: Pair(2)},
		NewConv2D(r, 32, 64, Pair(3), true, ConvOptions{Padding: Pair(1)}), ReLU{}, MaxPool2D{Kernel: Pair(2)},
		Flatten{}, NewLinear(r, 64*8*8, 10, true),
	)
}

// seedCNNData returns batches of 64 standard-normal images and labels in [0, 10).
func seedCNNData(r *rand.Rand, batches int) ([]*Tensor, [][]int) {
	xs, ys := make([]*Tensor, batches), make([][]int, batches)
	for i := range xs {
		xs[i] = New(64, 3, 32, 32)
		Normal(r, xs[i], 0, 1)
		ys[i] = make([]int, 64)
		for j := range ys[i] {
			ys[i][j] = r.IntN(10)
		}
	}
	return xs, ys
}

// BenchmarkSeedCNNTrain is one training step a batch: zero_grad, forward, cross-entropy,
// backward, SGD with momentum.
func BenchmarkSeedCNNTrain(b *testing.B) {
	r := rand.New(rand.NewPCG(0, 0))
	net := newSeedCNN(r)
	opt, err := NewSGD(net.Params(), SGDConfig{LR: 0.01, Momentum: 0.9})
	if err != nil {
		b.Fatal(err)
	}
	xs, ys := seedCNNData(r, 8)
	g := NewGraph()
	step := func(i int) {
		g.Reset()
		opt.ZeroGrad()
		loss := g.CrossEntropyLoss(net.Forward(g, xs[i%len(xs)]), ys[i%len(ys)], CrossEntropyOptions{})
		g.Backward(loss)
		opt.Step()
	}
	for i := range 3 { // warm the arena and the worker pool, as bench_cnn.py warms up
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		step(i)
	}
	reportCNN(b, cpu0)
}

// BenchmarkSeedCNNInference is a forward in eval mode without a tape (torch.no_grad()).
func BenchmarkSeedCNNInference(b *testing.B) {
	r := rand.New(rand.NewPCG(0, 0))
	net := newSeedCNN(r)
	xs, _ := seedCNNData(r, 8)
	g := NewInference()
	for i := range 3 {
		g.Reset()
		net.Forward(g, xs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		g.Reset()
		net.Forward(g, xs[i%len(xs)])
	}
	reportCNN(b, cpu0)
}

// reportCNN reports images/s of wall time, and the CPU time a batch took over all cores: on the
// shared machine wall time also counts other processes' turns on the cores, CPU time does not.
func reportCNN(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "images/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/batch")
	}
}
