package nets

// The finite-difference gradient check every op and layer uses (table-driven in ops_test.go and
// in each layer's test file).
//
// gradCheck(t, f, wrt, opts) checks the tape's gradients of f with respect to every tensor in wrt
// (inputs and parameters; each must have a Grad):
//
//   - f builds its output on the graph it is given, from tensors it captures. It must be
//     deterministic: it is run once on a recording graph and 4 more times per checked element on
//     non-recording graphs. Stochastic ops get a fresh generator of the same seed on every run
//     (g.Rand()), so Dropout draws the same mask each time.
//   - The scalar checked is L = Σ_i w_i·out_i with fixed pseudo-random weights w_i in [0.5, 1.5)
//     of random sign, so every output element and every mixing of them counts.
//   - The analytic gradient is the float32 gradient from g.BackwardFromGrads with out.Grad = w.
//     The numeric one is the five-point central difference
//     (−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)) / 12h of L accumulated in float64, whose truncation
//     error is O(h⁴); h = opts.Step (default 2⁻⁶, a power of two so that x ± h is exact in float32
//     for |x| < 2^16).
//   - An element passes when |analytic − numeric| ≤ Tol·(scale + |numeric|), scale being the largest
//     |numeric| of that tensor (at least 1), Tol = opts.Tol (default 2e-3): the float32 rounding of
//     the op itself dominates the difference.
//
// Keep inputs away from kinks (ReLU and Abs at 0, the branches of Clamp, Huber and max, ties of
// Maximum), where a finite difference straddles two derivatives. opts.Train selects training mode.

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

type gradCheckOptions struct {
	Train bool    // run the graph in training mode (BatchNorm batch statistics, Dropout active)
	Step  float64 // finite-difference step h; 0 means 2⁻⁶
	Tol   float64 // relative tolerance; 0 means 2e-3
	Seed  uint64  // seed of the weights w and of g.Rand(); 0 is a fine default
}

// reporter is the part of *testing.T that gradCheck uses (an interface, so that the check can be
// tested on a recorder).
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// gradCheck compares the tape's gradients of f with finite differences (see the file comment).
func gradCheck(t reporter, f func(g *Graph) *Tensor, wrt []*Tensor, opts gradCheckOptions) {
	t.Helper()
	h := opts.Step
	if h == 0 {
		h = 1.0 / 64
	}
	tol := opts.Tol
	if tol == 0 {
		tol = 2e-3
	}
	newGraph := func(record bool) *Graph {
		g := NewInference()
		if record {
			g = NewGraph()
		}
		g.SetTraining(opts.Train)
		g.SetRand(rand.New(rand.NewPCG(opts.Seed, 7)))
		return g
	}
	for _, x := range wrt {
		if x.Grad == nil {
			t.Fatalf("gradCheck: a tensor of shape %v in wrt has no Grad", x.Shape)
		}
		x.ZeroGrad()
	}

	g := newGraph(true)
	out := f(g)
	if out.Grad == nil {
		t.Fatalf("gradCheck: the output has no gradient (no tensor in wrt reaches it?)")
	}
	wr := rand.New(rand.NewPCG(opts.Seed, 11))
	w := make([]float64, len(out.Data))
	for i := range w {
		w[i] = 0.5 + wr.Float64()
		if wr.IntN(2) == 0 {
			w[i] = -w[i]
		}
		out.Grad[i] = float32(w[i])
	}
	g.BackwardFromGrads()
	analytic := make([][]float32, len(wrt))
	for k, x := range wrt {
		analytic[k] = append([]float32(nil), x.Grad...)
	}

	loss := func() float64 {
		g := newGraph(false)
		o := f(g)
		var s float64
		for i, v := range o.Data {
			s += w[i] * float64(v)
		}
		return s
	}
	for k, x := range wrt {
		numeric := make([]float64, len(x.Data))
		scale := 1.0
		for j := range x.Data {
			v := x.Data[j]
			at := func(d float64) float64 {
				x.Data[j] = float32(float64(v) + d)
				return loss()
			}
			numeric[j] = (-at(2*h) + 8*at(h) - 8*at(-h) + at(-2*h)) / (12 * h)
			x.Data[j] = v
			scale = math.Max(scale, math.Abs(numeric[j]))
		}
		for j, n := range numeric {
			a := float64(analytic[k][j])
			if d := math.Abs(a - n); !(d <= tol*(scale+math.Abs(n))) {
				t.Errorf("gradient of wrt[%d] (shape %v) element %d: tape %.6g, finite difference %.6g (|diff| %.3g > %.3g)",
					k, x.Shape, j, a, n, d, tol*(scale+math.Abs(n)))
				break
			}
		}
	}
}

// randTensor returns a tensor of the given shape with values uniform in [lo, hi), with a Grad.
func randTensor(r *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := NewParam(shape...)
	Uniform(r, t, lo, hi)
	return t
}

// awayFromZero returns a tensor with values of magnitude in [0.2, 1.5) and random sign: inputs
// for ops with a kink at 0.
func awayFromZero(r *rand.Rand, shape ...int) *Tensor {
	t := NewParam(shape...)
	for i := range t.Data {
		v := 0.2 + 1.3*r.Float64()
		if r.IntN(2) == 0 {
			v = -v
		}
		t.Data[i] = float32(v)
	}
	return t
}

// failRecorder records failures instead of failing the test.
type failRecorder struct{ failed bool }

func (*failRecorder) Helper()                 {}
func (f *failRecorder) Errorf(string, ...any) { f.failed = true }
func (f *failRecorder) Fatalf(string, ...any) { f.failed = true; runtime.Goexit() }

func TestGradCheckCatchesAWrongGradient(t *testing.T) {
	// A deliberately wrong op (backward off by 10%) must fail the check.
	r := rand.New(rand.NewPCG(1, 2))
	x := randTensor(r, -1, 1, 3, 4)
	wrong := func(g *Graph) *Tensor {
		out := g.Result(x.Shape, x)
		for i, v := range x.Data {
			out.Data[i] = v * v
		}
		if out.Grad != nil {
			g.Record(func() {
				for i, d := range out.Grad {
					x.Grad[i] += 2.2 * d * x.Data[i]
				}
			})
		}
		return out
	}
	rec := &failRecorder{}
	done := make(chan struct{})
	go func() { // Fatalf ends this goroutine, as it would a test's
		defer close(done)
		gradCheck(rec, wrong, []*Tensor{x}, gradCheckOptions{})
	}()
	<-done
	if !rec.failed {
		t.Fatal("gradCheck accepted a gradient that is 10% off")
	}
	right := func(g *Graph) *Tensor { return g.Square(x) }
	gradCheck(t, right, []*Tensor{x}, gradCheckOptions{})
}
