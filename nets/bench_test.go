package nets

import (
	"math/rand/v2"
	"testing"
)

// The MLP benchmarks of the nets issue: a 4→64→64→2 MLP (DQN-sized), compared with PyTorch 1.13 on
// the same machine (../shared/baselines/pytorch/bench_mlp.py: ~3,000 Adam updates/s at batch 64
// and ~17 µs per batch-1 forward).
//
//	go test ./nets -run '^$' -bench MLP -benchtime 2s

func mlpActs() []struct {
	name string
	act  Layer
} {
	return []struct {
		name string
		act  Layer
	}{{"ReLU", ReLU{}}, {"Tanh", Tanh{}}}
}

// BenchmarkMLPAdamUpdate is one training step as bench_mlp.py times it: zero_grad, forward,
// MSE loss against random targets, backward, Adam step, on batches of 64.
func BenchmarkMLPAdamUpdate(b *testing.B) {
	for _, a := range mlpActs() {
		b.Run(a.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(0, 0))
			net := NewMLP(r, a.act, 4, 64, 64, 2)
			opt, err := NewAdam(net.Params(), AdamConfig{LR: 1e-3})
			if err != nil {
				b.Fatal(err)
			}
			const pool = 16
			xs, ys := make([]*Tensor, pool), make([]*Tensor, pool)
			for i := range pool {
				xs[i], ys[i] = New(64, 4), New(64, 2)
				Normal(r, xs[i], 0, 1)
				Normal(r, ys[i], 0, 1)
			}
			g := NewGraph()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.Reset()
				opt.ZeroGrad()
				loss := g.MSELoss(net.Forward(g, xs[i%pool]), ys[i%pool], ReduceMean)
				g.Backward(loss)
				opt.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}

// BenchmarkMLPForwardBatch1 is acting: one observation through the network on a non-recording
// graph (PyTorch: torch.no_grad(), eval mode).
func BenchmarkMLPForwardBatch1(b *testing.B) {
	for _, a := range mlpActs() {
		b.Run(a.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(0, 0))
			net := NewMLP(r, a.act, 4, 64, 64, 2)
			x := New(1, 4)
			Normal(r, x, 0, 1)
			g := NewInference()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.Reset()
				net.Forward(g, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/forward")
		})
	}
}
