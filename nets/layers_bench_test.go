package nets

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Per-layer benchmarks at the seed CNN's sizes (batch 64) and at batch 1 (acting): a forward on
// a non-recording graph, and a training step (forward on a recording graph and backward).
//
//	go test ./nets -run '^$' -bench 'Layer' -benchtime 20x

func benchLayer(b *testing.B, l Layer, shape ...int) {
	r := rand.New(rand.NewPCG(1, 1))
	x := New(shape...)
	Normal(r, x, 0, 1)
	b.Run("forward", func(b *testing.B) {
		g := NewInference()
		g.SetRand(rand.New(rand.NewPCG(2, 2)))
		l.Forward(g, x) // warm the arena
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			g.Reset()
			l.Forward(g, x)
		}
		b.ReportMetric(float64(shape[0]*b.N)/b.Elapsed().Seconds(), "samples/s")
	})
	b.Run("train", func(b *testing.B) {
		xg := x.Clone().RequireGrad()
		g := NewGraph()
		g.SetRand(rand.New(rand.NewPCG(2, 2)))
		step := func() {
			g.Reset()
			y := l.Forward(g, xg)
			for j := range y.Grad {
				y.Grad[j] = 1
			}
			g.BackwardFromGrads()
		}
		step() // warm the arena
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			step()
		}
		b.ReportMetric(float64(shape[0]*b.N)/b.Elapsed().Seconds(), "samples/s")
	})
}

func BenchmarkLayerConv2D(b *testing.B) {
	r := rand.New(rand.NewPCG(0, 0))
	for _, c := range []struct {
		in, out, hw, batch int
		k                  int
		o                  ConvOptions
	}{
		{3, 32, 32, 64, 3, ConvOptions{Padding: Pair(1)}},
		{32, 64, 16, 64, 3, ConvOptions{Padding: Pair(1)}},
		{32, 64, 16, 1, 3, ConvOptions{Padding: Pair(1)}},
		{64, 128, 16, 64, 4, ConvOptions{Stride: Pair(2), Padding: Pair(1)}},
		{64, 64, 16, 64, 1, ConvOptions{}},
	} {
		name := fmt.Sprintf("%dx%dx%d-%d-k%d-s%d/batch%d", c.in, c.hw, c.hw, c.out, c.k, max(c.o.Stride[0], 1), c.batch)
		b.Run(name, func(b *testing.B) {
			benchLayer(b, NewConv2D(r, c.in, c.out, Pair(c.k), true, c.o), c.batch, c.in, c.hw, c.hw)
		})
	}
}

func BenchmarkLayerConvTranspose2D(b *testing.B) {
	r := rand.New(rand.NewPCG(0, 0))
	// A DCGAN generator step: 128×8×8 → 64×16×16.
	for _, batch := range []int{64, 1} {
		b.Run(fmt.Sprintf("128x8x8-64-k4-s2/batch%d", batch), func(b *testing.B) {
			benchLayer(b, NewConvTranspose2D(r, 128, 64, Pair(4), true, ConvOptions{Stride: Pair(2), Padding: Pair(1)}), batch, 128, 8, 8)
		})
	}
}

func BenchmarkLayerPool(b *testing.B) {
	for _, c := range []struct {
		name string
		l    Layer
	}{
		{"MaxPool2D-k2", MaxPool2D{Kernel: Pair(2)}},
		{"MaxPool2D-k3s2p1", MaxPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1)}}},
		{"AvgPool2D-k2", AvgPool2D{Kernel: Pair(2)}},
		{"AdaptiveAvgPool2D-1x1", AdaptiveAvgPool2D{Size: Pair(1)}},
	} {
		b.Run(c.name+"/64x32x32x32", func(b *testing.B) { benchLayer(b, c.l, 64, 32, 32, 32) })
	}
}

func BenchmarkLayerNorm(b *testing.B) {
	b.Run("BatchNorm2D/64x32x16x16", func(b *testing.B) { benchLayer(b, NewBatchNorm2D(32), 64, 32, 16, 16) })
	b.Run("BatchNorm1D/256x512", func(b *testing.B) { benchLayer(b, NewBatchNorm1D(512), 256, 512) })
	b.Run("LayerNorm/256x512", func(b *testing.B) { benchLayer(b, NewLayerNorm(512), 256, 512) })
	b.Run("Dropout/256x512", func(b *testing.B) { benchLayer(b, Dropout{P: 0.5}, 256, 512) })
	b.Run("Embedding/64x64", func(b *testing.B) {
		e := NewEmbedding(rand.New(rand.NewPCG(3, 3)), 96, 256)
		idx := make([]int, 64*64)
		for i := range idx {
			idx[i] = i % 96
		}
		g := NewGraph()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			g.Reset()
			y := e.Lookup(g, idx, 64, 64)
			for j := range y.Grad {
				y.Grad[j] = 1
			}
			g.BackwardFromGrads()
		}
		b.ReportMetric(float64(len(idx)*b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
}
