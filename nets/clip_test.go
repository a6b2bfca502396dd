package nets

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gorl/gorl/internal/cputime"
)

// clipGradNormLoop is ClipGradNorm as it was before internal/vec served it: every element
// converted to float64 and added to one running sum (the 2-norm) or compared by math.Max (the
// ∞-norm). The reference of TestClipGradNormMatchesLoop and the baseline of BenchmarkClipGradNorm.
func clipGradNormLoop(params []NamedTensor, maxNorm, normType float64) float64 {
	var norm float64
	if math.IsInf(normType, 1) {
		for _, p := range params {
			for _, g := range p.Tensor.Grad {
				norm = math.Max(norm, math.Abs(float64(g)))
			}
		}
	} else {
		var s float64
		for _, p := range params {
			for _, g := range p.Tensor.Grad {
				s += float64(g) * float64(g)
			}
		}
		norm = math.Sqrt(s)
	}
	if coef := maxNorm / (norm + 1e-6); coef < 1 || math.IsNaN(coef) {
		for _, p := range params {
			for j := range p.Tensor.Grad {
				p.Tensor.Grad[j] *= float32(coef)
			}
		}
	}
	return norm
}

// ppoGrads returns the gradients of a PPO actor-critic's MLPs (two 64-64 tanh towers on an
// 8-dimensional observation, 4 actions), filled with values of mixed scales, plus extra
// parameters given as sizes.
func ppoGrads(r *rand.Rand, extra ...int) []NamedTensor {
	var ps []NamedTensor
	for _, n := range append([]int{8 * 64, 64, 64 * 64, 64, 64 * 4, 4, 8 * 64, 64, 64 * 64, 64, 64, 1}, extra...) {
		p := NewParam(n)
		for i := range p.Grad {
			p.Grad[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-3)))
		}
		ps = append(ps, NamedTensor{"p", p})
	}
	return ps
}

func cloneGrads(ps []NamedTensor) []NamedTensor {
	out := make([]NamedTensor, len(ps))
	for i, p := range ps {
		t := NewParam(p.Tensor.Shape...)
		copy(t.Grad, p.Tensor.Grad)
		out[i] = NamedTensor{p.Name, t}
	}
	return out
}

// TestClipGradNormMatchesLoop: the vector kernels give the loop's norm to float64 rounding (the
// summation order differs) and the same clipped gradients, for both norms, with and without
// clipping, and NaN and Inf gradients propagate as in PyTorch.
func TestClipGradNormMatchesLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, normType := range []float64{2, math.Inf(1)} {
		for _, maxNorm := range []float64{1e-3, 1e6} {
			ps := ppoGrads(r, 3, 17, 1000)
			ref := cloneGrads(ps)
			got, want := ClipGradNorm(ps, maxNorm, normType), clipGradNormLoop(ref, maxNorm, normType)
			if math.Abs(got-want) > 1e-12*want {
				t.Errorf("norm %v: %.17g, loop %.17g", normType, got, want)
			}
			for i := range ps {
				for j, g := range ps[i].Tensor.Grad {
					if w := ref[i].Tensor.Grad[j]; math.Abs(float64(g-w)) > 1e-6*math.Abs(float64(w)) {
						t.Fatalf("norm %v max %g: grad %d[%d] = %g, loop %g", normType, maxNorm, i, j, g, w)
					}
				}
			}
		}
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
			ps := ppoGrads(r)
			ps[3].Tensor.Grad[5] = bad
			ref := cloneGrads(ps)
			got, want := ClipGradNorm(ps, 1, normType), clipGradNormLoop(ref, 1, normType)
			if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("norm %v with a %g gradient: %g, loop %g", normType, bad, got, want)
			}
			if g := ps[0].Tensor.Grad[0]; !math.IsNaN(float64(g)) && !math.IsNaN(float64(ref[0].Tensor.Grad[0])) && g != ref[0].Tensor.Grad[0] {
				t.Errorf("norm %v with a %g gradient: grad %g, loop %g", normType, bad, g, ref[0].Tensor.Grad[0])
			}
		}
	}
}

// BenchmarkClipGradNorm: the 2-norm of a PPO actor-critic's gradients (~13k floats) with
// clipping, against the element-by-element float64 loop it replaced.
//
//	go test ./nets -run '^$' -bench ClipGradNorm
func BenchmarkClipGradNorm(b *testing.B) {
	for _, impl := range []struct {
		name string
		f    func([]NamedTensor, float64, float64) float64
	}{{"vec", ClipGradNorm}, {"loop", clipGradNormLoop}} {
		b.Run(impl.name, func(b *testing.B) {
			ps := ppoGrads(rand.New(rand.NewPCG(1, 1)))
			cpu0 := cputime.Process()
			for range b.N {
				impl.f(ps, 0.5, 2) // after the first call the norm is 0.5: 1e-6 below it scales again
			}
			if cpu := cputime.Process() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
