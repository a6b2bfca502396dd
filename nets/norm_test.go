package nets

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func init() {
	// configure applies the case's hparams to a BatchNorm built with PyTorch's defaults.
	configure := func(t *testing.T, c torchCase, bn *BatchNorm) {
		bn.Eps, bn.Momentum = c.hpFloat(t, "eps"), c.hpFloat(t, "momentum")
		if !c.hpBool(t, "affine") {
			bn.Weight, bn.Bias = nil, nil
		}
		if !c.hpBool(t, "track_running_stats") {
			bn.RunningMean, bn.RunningVar, bn.NumBatchesTracked = nil, nil, nil
		}
	}
	torchCheckers["BatchNorm1d"] = func(t *testing.T, c torchCase) {
		bn := NewBatchNorm1D(c.hpInt(t, "num_features"))
		configure(t, c, &bn.BatchNorm)
		runTorchLayerCase(t, c, torchLayer{Params: bn.Params(), Buffers: bn.Buffers(), Forward: singleIO(bn)})
	}
	torchCheckers["BatchNorm2d"] = func(t *testing.T, c torchCase) {
		bn := NewBatchNorm2D(c.hpInt(t, "num_features"))
		configure(t, c, &bn.BatchNorm)
		runTorchLayerCase(t, c, torchLayer{Params: bn.Params(), Buffers: bn.Buffers(), Forward: singleIO(bn)})
	}
	torchCheckers["LayerNorm"] = func(t *testing.T, c torchCase) {
		l := NewLayerNorm(c.hpInts(t, "normalized_shape")...)
		l.Eps = c.hpFloat(t, "eps")
		if !c.hpBool(t, "elementwise_affine") {
			l.Weight, l.Bias = nil, nil
		}
		runTorchLayerCase(t, c, torchLayer{Params: l.Params(), Forward: singleIO(l)})
	}
}

// bnCase is a gradient check of a BatchNorm in the given mode, with random parameters and
// running statistics (the running statistics move on every forward of a training check, which
// does not change the output).
func bnCase(mk func() (Layer, *BatchNorm), train bool, shape ...int) opCase {
	return opCase{
		build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
			l, bn := mk()
			x := randTensor(r, -2, 2, shape...)
			wrt := []*Tensor{x}
			if bn.Weight != nil {
				Uniform(r, bn.Weight, 0.5, 1.5)
				Uniform(r, bn.Bias, -1, 1)
				wrt = append(wrt, bn.Weight, bn.Bias)
			}
			if bn.RunningMean != nil {
				Uniform(r, bn.RunningMean, -0.5, 0.5)
				Uniform(r, bn.RunningVar, 0.5, 2)
			}
			return func(g *Graph) *Tensor { return l.Forward(g, x) }, wrt
		},
		opts: gradCheckOptions{Train: train},
	}
}

func bn1(c int, edit func(*BatchNorm)) func() (Layer, *BatchNorm) {
	return func() (Layer, *BatchNorm) {
		l := NewBatchNorm1D(c)
		edit(&l.BatchNorm)
		return l, &l.BatchNorm
	}
}

func bn2(c int, edit func(*BatchNorm)) func() (Layer, *BatchNorm) {
	return func() (Layer, *BatchNorm) {
		l := NewBatchNorm2D(c)
		edit(&l.BatchNorm)
		return l, &l.BatchNorm
	}
}

func noEdit(*BatchNorm)     {}
func noAffine(b *BatchNorm) { b.Weight, b.Bias = nil, nil }
func noStats(b *BatchNorm) {
	b.RunningMean, b.RunningVar, b.NumBatchesTracked = nil, nil, nil
}

func named(name string, c opCase) opCase { c.name = name; return c }

func layerNormCase(shape []int, affine bool, x ...int) opCase {
	return opCase{build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		l := NewLayerNorm(shape...)
		xt := randTensor(r, -2, 2, x...)
		wrt := []*Tensor{xt}
		if affine {
			Uniform(r, l.Weight, 0.5, 1.5)
			Uniform(r, l.Bias, -1, 1)
			wrt = append(wrt, l.Weight, l.Bias)
		} else {
			l.Weight, l.Bias = nil, nil
		}
		return func(g *Graph) *Tensor { return l.Forward(g, xt) }, wrt
	}}
}

var normCases = []opCase{
	named("BatchNorm1D/train-2d", bnCase(bn1(3, noEdit), true, 5, 3)),
	named("BatchNorm1D/train-3d", bnCase(bn1(3, noEdit), true, 4, 3, 5)),
	named("BatchNorm1D/eval", bnCase(bn1(3, noEdit), false, 5, 3)),
	named("BatchNorm1D/train-wide", bnCase(bn1(70, noEdit), true, 3, 70)), // two blocks of channels
	named("BatchNorm1D/train-no-affine", bnCase(bn1(3, noAffine), true, 4, 3, 2)),
	named("BatchNorm1D/eval-no-running-stats", bnCase(bn1(2, noStats), false, 6, 2)),
	named("BatchNorm2D/train", bnCase(bn2(3, noEdit), true, 2, 3, 3, 4)),
	named("BatchNorm2D/eval", bnCase(bn2(3, noEdit), false, 2, 3, 3, 4)),
	named("BatchNorm2D/eval-no-affine", bnCase(bn2(2, noAffine), false, 2, 2, 2, 3)),
	named("BatchNorm2D/train-no-running-stats", bnCase(bn2(2, noStats), true, 2, 2, 3, 2)),
	named("LayerNorm/last", layerNormCase([]int{5}, true, 3, 5)),
	named("LayerNorm/last2", layerNormCase([]int{3, 4}, true, 2, 3, 4)),
	named("LayerNorm/no-affine", layerNormCase([]int{6}, false, 2, 2, 6)),
	named("LayerNorm/all-dims", layerNormCase([]int{2, 3}, true, 2, 3)),
}

func TestNormGradients(t *testing.T) {
	for i, c := range normCases {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 8)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

// TestBatchNormRunningStats follows PyTorch's buffer updates over several training batches, for
// momentum and for the cumulative average, and checks that eval mode leaves them alone.
func TestBatchNormRunningStats(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, cumulative := range []bool{false, true} {
		bn := NewBatchNorm1D(2)
		bn.Momentum = 0.3
		bn.CumulativeAverage = cumulative
		wantMean, wantVar := []float64{0, 0}, []float64{1, 1}
		var sumMean, sumVar [2]float64
		g := NewGraph()
		for step := 1; step <= 4; step++ {
			x := randTensor(r, -1, 3, 6, 2)
			g.Reset()
			bn.Forward(g, x)
			for ch := 0; ch < 2; ch++ {
				var s, ss float64
				for i := 0; i < 6; i++ {
					s += float64(x.Data[i*2+ch])
				}
				m := s / 6
				for i := 0; i < 6; i++ {
					d := float64(x.Data[i*2+ch]) - m
					ss += d * d
				}
				unbiased := ss / 5
				sumMean[ch] += m
				sumVar[ch] += unbiased
				if cumulative {
					wantMean[ch], wantVar[ch] = sumMean[ch]/float64(step), sumVar[ch]/float64(step)
				} else {
					wantMean[ch] = 0.7*wantMean[ch] + 0.3*m
					wantVar[ch] = 0.7*wantVar[ch] + 0.3*unbiased
				}
				if got := float64(bn.RunningMean.Data[ch]); math.Abs(got-wantMean[ch]) > 1e-5 {
					t.Errorf("cumulative=%v step %d: running_mean[%d] = %g, want %g", cumulative, step, ch, got, wantMean[ch])
				}
				if got := float64(bn.RunningVar.Data[ch]); math.Abs(got-wantVar[ch]) > 1e-5 {
					t.Errorf("cumulative=%v step %d: running_var[%d] = %g, want %g", cumulative, step, ch, got, wantVar[ch])
				}
			}
			if got := bn.NumBatchesTracked.Data[0]; got != float32(step) {
				t.Errorf("num_batches_tracked = %g, want %d", got, step)
			}
		}
		before := append([]float32(nil), bn.RunningMean.Data...)
		ev := NewInference()
		bn.Forward(ev, randTensor(r, -1, 1, 3, 2))
		if bn.RunningMean.Data[0] != before[0] || bn.NumBatchesTracked.Data[0] != 4 {
			t.Error("an eval-mode forward changed the running statistics")
		}
	}
}

func TestBatchNormNamesAndPanics(t *testing.T) {
	bn := NewBatchNorm2D(3)
	names := []string{}
	for _, p := range StateDict(bn) {
		names = append(names, p.Name)
	}
	if want := "[weight bias running_mean running_var num_batches_tracked]"; fmtNames(names) != want {
		t.Errorf("state dict %v, want %s", names, want)
	}
	if bn.Weight.Data[0] != 1 || bn.RunningVar.Data[0] != 1 || bn.Bias.Data[0] != 0 || len(bn.NumBatchesTracked.Shape) != 0 {
		t.Error("BatchNorm does not start from PyTorch's weight 1, bias 0, running_var 1, scalar num_batches_tracked")
	}
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"one value", "more than 1 value", func() { NewBatchNorm1D(3).Forward(NewGraph(), New(1, 3)) }},
		{"rank 1d", "input must be", func() { NewBatchNorm1D(3).Forward(NewGraph(), New(1, 3, 2, 2)) }},
		{"rank 2d", "input must be", func() { NewBatchNorm2D(3).Forward(NewGraph(), New(2, 3)) }},
		{"channels", "channels", func() { NewBatchNorm1D(3).Forward(NewGraph(), New(2, 4)) }},
		{"layernorm", "LayerNorm", func() { NewLayerNorm(4).Forward(NewGraph(), New(2, 3)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := mustPanic(t, c.f); !containsAll(msg, "nets: ", c.want) {
				t.Errorf("panic %q does not say %q", msg, c.want)
			}
		})
	}
	// Eval mode with running statistics works on a single sample (acting).
	NewBatchNorm1D(3).Forward(NewInference(), New(1, 3))
}

func fmtNames(ns []string) string {
	s := "["
	for i, n := range ns {
		if i > 0 {
			s += " "
		}
		s += n
	}
	return s + "]"
}

func TestNormInferenceDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	net := NewSequential(NewBatchNorm1D(4), NewLayerNorm(4), Dropout{P: 0.5})
	x := randTensor(r, -1, 1, 1, 4)
	g := NewInference()
	if a := testing.AllocsPerRun(50, func() { g.Reset(); net.Forward(g, x) }); a != 0 {
		t.Errorf("%.1f allocations per forward, want 0", a)
	}
}

// TestBatchNormParallelMatchesSerial: an input large enough to split its channels over
// goroutines gives exactly what one goroutine gives: outputs, running statistics, gradients.
func TestBatchNormParallelMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, c := range []struct {
		train bool
		x     *Tensor // above bnParallelMin
	}{{true, randTensor(r, -1, 2, 16, 8, 24, 24)}, {false, randTensor(r, -1, 2, 16, 8, 24, 24)}, {true, randTensor(r, -1, 2, 256, 300)}} {
		x, train := c.x, c.train
		ch := x.Shape[1]
		run := func(procs int) (out, dx, dw, rm []float32) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			var bn *BatchNorm
			var l Layer
			if len(x.Shape) == 2 {
				b1 := NewBatchNorm1D(ch)
				bn, l = &b1.BatchNorm, b1
			} else {
				b2 := NewBatchNorm2D(ch)
				bn, l = &b2.BatchNorm, b2
			}
			Uniform(rand.New(rand.NewPCG(1, 1)), bn.Weight, 0.5, 1.5)
			x.ZeroGrad()
			g := NewGraph()
			g.SetTraining(train)
			y := l.Forward(g, x)
			for i := range y.Grad {
				y.Grad[i] = float32(i%7) - 3
			}
			g.BackwardFromGrads()
			return append([]float32(nil), y.Data...), append([]float32(nil), x.Grad...),
				append([]float32(nil), bn.Weight.Grad...), append([]float32(nil), bn.RunningMean.Data...)
		}
		o1, dx1, dw1, rm1 := run(1)
		o2, dx2, dw2, rm2 := run(2)
		closeSlices(t, "output", o2, o1, 0)
		closeSlices(t, "input grad", dx2, dx1, 0)
		closeSlices(t, "weight grad", dw2, dw1, 0)
		closeSlices(t, "running mean", rm2, rm1, 0)
	}
}
