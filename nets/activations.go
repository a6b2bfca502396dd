package nets

import (
	"fmt"
	"math"

	"github.com/gorl/gorl/nets/internal/vec"
)

// ReLU returns max(x, 0); its derivative at 0 is 0, as PyTorch's. Forward and backward are
// branchless and 8 lanes wide (internal/vec): on inputs of random sign a branch mispredicts half
// the time, which made ReLU slower than the matrix products around it. Large tensors are split
// over the cores (parallel.go), with the same bits as one serial pass.
func (g *Graph) ReLU(x *Tensor) *Tensor {
	out := g.resultDirty(x.Shape, x)
	reluForward(out.Data, x.Data)
	if out.Grad != nil {
		g.Record(func() { reluBackward(x.Grad, out.Grad, out.Data) })
	}
	return out
}

// reluForward writes max(x, 0) without branches (vec.ReLU), over the cores for large tensors.
func reluForward(dst, src []float32) { elementwise(elemReLU, dst[:len(src)], src, nil) }

// reluBackward adds d into dx where the ReLU output y is positive.
func reluBackward(dx, d, y []float32) { elementwise(elemReLUBackward, dx[:len(d)], d, y[:len(d)]) }

// LeakyReLU returns x for x > 0 and slope·x otherwise; its derivative at 0 (either sign) is slope,
// as PyTorch's. Both passes are branchless: on inputs of random sign (a GAN discriminator's) a
// branch mispredicts half the time, and the branchy loops were a fifth of a DCGAN step. The
// forward is max(x, 0) + slope·min(x, 0); the backward selects its factor from the sign and
// zero test of x's bits (leakyNotPositive), which differs from PyTorch's only for a NaN input
// with a positive sign bit (factor 1 instead of slope: the output is NaN either way).
func (g *Graph) LeakyReLU(x *Tensor, slope float32) *Tensor {
	out := g.resultDirty(x.Shape, x)
	y := out.Data[:len(x.Data)]
	for i, v := range x.Data {
		y[i] = max(v, 0) + slope*min(v, 0)
	}
	if out.Grad != nil {
		g.Record(func() {
			dx, xs := x.Grad[:len(out.Grad)], x.Data[:len(out.Grad)]
			for i, d := range out.Grad {
				np := leakyNotPositive(xs[i])
				dx[i] += d * (slope*np + (1 - np))
			}
		})
	}
	return out
}

// leakyNotPositive is 1 where v ≤ 0 (+0 and −0 included) and 0 where v > 0, without a branch:
// as a signed integer, v's bits are positive exactly when v is, so subtracting 1 leaves the
// 64-bit sign set for zero and for every negative value.
func leakyNotPositive(v float32) float32 {
	return float32(uint64(int64(int32(math.Float32bits(v)))-1) >> 63)
}

// Tanh returns tanh(x); the backward uses the output (1 − y²).
func (g *Graph) Tanh(x *Tensor) *Tensor {
	out := g.resultDirty(x.Shape, x)
	tanhSlice(out.Data, x.Data)
	if out.Grad != nil {
		g.Record(func() { tanhBackward(x.Grad, out.Grad, out.Data) })
	}
	return out
}

// Sigmoid returns 1/(1+e^−x), accurate to a few ulp also where it is tiny (vec.Sigmoid, 8 lanes
// wide); the backward uses y(1−y).
func (g *Graph) Sigmoid(x *Tensor) *Tensor {
	out := g.resultDirty(x.Shape, x)
	vec.Sigmoid(out.Data, x.Data)
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				y := out.Data[i]
				x.Grad[i] += d * y * (1 - y)
			}
		})
	}
	return out
}

// sigmoid32 is the scalar sigmoid, stable for large |x|.
func sigmoid32(v float32) float32 { return vec.Sigmoid32(v) }

const (
	sqrt2OverPi  = 0.7978845608028654 // √(2/π)
	invSqrt2     = 0.7071067811865476 // 1/√2
	invSqrt2Pi   = 0.3989422804014327 // 1/√(2π)
	geluTanhCoef = 0.044715
)

// GELU returns x·Φ(x), exactly with erf (nn.GELU(), approximate="none") or, when tanhApprox, with
// PyTorch's tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func (g *Graph) GELU(x *Tensor, tanhApprox bool) *Tensor {
	out := g.resultDirty(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(gelu(float64(v), tanhApprox))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d * float32(geluGrad(float64(x.Data[i]), tanhApprox))
			}
		})
	}
	return out
}

func gelu(x float64, tanhApprox bool) float64 {
	if tanhApprox {
		return 0.5 * x * (1 + math.Tanh(sqrt2OverPi*(x+geluTanhCoef*x*x*x)))
	}
	return 0.5 * x * (1 + math.Erf(x*invSqrt2))
}

func geluGrad(x float64, tanhApprox bool) float64 {
	if tanhApprox {
		t := math.Tanh(sqrt2OverPi * (x + geluTanhCoef*x*x*x))
		return 0.5*(1+t) + 0.5*x*(1-t*t)*sqrt2OverPi*(1+3*geluTanhCoef*x*x)
	}
	return 0.5*(1+math.Erf(x*invSqrt2)) + x*invSqrt2Pi*math.Exp(-0.5*x*x)
}

// Softmax returns exp(x)/Σexp(x) along axis (usually -1), shifted by the maximum so that large
// logits do not overflow.
func (g *Graph) Softmax(x *Tensor, axis int) *Tensor {
	ax := normAxis(axis, len(x.Shape), "Softmax")
	out := g.Result(x.Shape, x)
	outer, n, inner := splitAxis(x.Shape, ax)
	softmaxForward(out.Data, x.Data, outer, n, inner, false)
	if out.Grad != nil {
		g.Record(func() { // dx = y·(dy − Σ dy·y)
			for o := 0; o < outer; o++ {
				for in := 0; in < inner; in++ {
					base := o*n*inner + in
					var s float64
					for k := 0; k < n; k++ {
						j := base + k*inner
						s += float64(out.Grad[j]) * float64(out.Data[j])
					}
					for k := 0; k < n; k++ {
						j := base + k*inner
						x.Grad[j] += out.Data[j] * (out.Grad[j] - float32(s))
					}
				}
			}
		})
	}
	return out
}

// LogSoftmax returns x − log Σexp(x) along axis, stably (the log-sum-exp is shifted by the max).
func (g *Graph) LogSoftmax(x *Tensor, axis int) *Tensor {
	ax := normAxis(axis, len(x.Shape), "LogSoftmax")
	out := g.Result(x.Shape, x)
	outer, n, inner := splitAxis(x.Shape, ax)
	softmaxForward(out.Data, x.Data, outer, n, inner, true)
	if out.Grad != nil {
		g.Record(func() { // dx = dy − softmax·Σdy
			for o := 0; o < outer; o++ {
				for in := 0; in < inner; in++ {
					base := o*n*inner + in
					var s float64
					for k := 0; k < n; k++ {
						s += float64(out.Grad[base+k*inner])
					}
					for k := 0; k < n; k++ {
						j := base + k*inner
						x.Grad[j] += out.Grad[j] - float32(math.Exp(float64(out.Data[j]))*s)
					}
				}
			}
		})
	}
	return out
}

// softmaxForward writes softmax (or log-softmax) of every [outer, ·, inner] slice of x into dst.
// Rows along the last axis (inner = 1, the common case) take the 8-lane exp of internal/vec with
// float64 sums; other axes go element by element in float64.
func softmaxForward(dst, x []float32, outer, n, inner int, logOut bool) {
	if n == 0 {
		return
	}
	if inner == 1 {
		for o := 0; o < outer; o++ {
			row, out := x[o*n:(o+1)*n], dst[o*n:(o+1)*n]
			m := row[0]
			for _, v := range row[1:] {
				m = max(m, v)
			}
			for k, v := range row {
				out[k] = v - m
			}
			vec.Exp(out, out)
			var s float64
			for _, e := range out {
				s += float64(e)
			}
			if logOut {
				ls := float32(math.Log(s))
				for k, v := range row {
					out[k] = (v - m) - ls
				}
			} else {
				inv := float32(1 / s)
				for k := range out {
					out[k] *= inv
				}
			}
		}
		return
	}
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			base := o*n*inner + in
			m := x[base]
			for k := 1; k < n; k++ {
				m = max(m, x[base+k*inner])
			}
			var s float64
			for k := 0; k < n; k++ {
				s += math.Exp(float64(x[base+k*inner] - m))
			}
			if logOut {
				ls := math.Log(s)
				for k := 0; k < n; k++ {
					j := base + k*inner
					dst[j] = float32(float64(x[j]-m) - ls)
				}
			} else {
				inv := 1 / s
				for k := 0; k < n; k++ {
					j := base + k*inner
					dst[j] = float32(math.Exp(float64(x[j]-m)) * inv)
				}
			}
		}
	}
}

// tanhSlice writes tanh of every element of src into dst, 8 lanes at a time where the CPU can.
func tanhSlice(dst, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("nets: tanh of %d values into %d", len(src), len(dst)))
	}
	vec.Tanh(dst, src)
}

// tanhBackward adds d·(1 − y²) into dx, where y = tanh(x).
func tanhBackward(dx, d, y []float32) { vec.TanhBackward(dx, d, y) }

// tanh32 is a float32 tanh: the [13/6] rational approximation Eigen (and so PyTorch's CPU
// kernels) use, within 7 ulp of tanh, at a fifth of math.Tanh's cost. Tanh is the activation of
// the PPO and A2C networks and of every LSTM and GRU gate.
func tanh32(x float32) float32 { return vec.Tanh32(x) }

// The activations as layers, for Sequential.

// ReLU is nn.ReLU.
type ReLU struct{}

// Forward applies g.ReLU.
func (ReLU) Forward(g *Graph, x *Tensor) *Tensor { return g.ReLU(x) }

// LeakyReLU is nn.LeakyReLU; PyTorch's default slope is 0.01.
type LeakyReLU struct{ Slope float32 }

// Forward applies g.LeakyReLU.
func (l LeakyReLU) Forward(g *Graph, x *Tensor) *Tensor { return g.LeakyReLU(x, l.Slope) }

// Tanh is nn.Tanh.
type Tanh struct{}

// Forward applies g.Tanh.
func (Tanh) Forward(g *Graph, x *Tensor) *Tensor { return g.Tanh(x) }

// Sigmoid is nn.Sigmoid.
type Sigmoid struct{}

// Forward applies g.Sigmoid.
func (Sigmoid) Forward(g *Graph, x *Tensor) *Tensor { return g.Sigmoid(x) }

// GELU is nn.GELU: exact (erf) by default, the tanh approximation when TanhApprox
// (approximate="tanh").
type GELU struct{ TanhApprox bool }

// Forward applies g.GELU.
func (l GELU) Forward(g *Graph, x *Tensor) *Tensor { return g.GELU(x, l.TanhApprox) }

// Softmax is nn.Softmax(dim=Axis). Axis has no default: the zero value is the batch axis of an
// [N, C] input; write -1 for the class axis.
type Softmax struct{ Axis int }

// Forward applies g.Softmax.
func (l Softmax) Forward(g *Graph, x *Tensor) *Tensor { return g.Softmax(x, l.Axis) }

// LogSoftmax is nn.LogSoftmax(dim=Axis); as for Softmax, write -1 for the last axis.
type LogSoftmax struct{ Axis int }

// Forward applies g.LogSoftmax.
func (l LogSoftmax) Forward(g *Graph, x *Tensor) *Tensor { return g.LogSoftmax(x, l.Axis) }

// Flatten is nn.Flatten(): [N, ...] to [N, rest].
type Flatten struct{}

// Forward applies g.Flatten.
func (Flatten) Forward(g *Graph, x *Tensor) *Tensor { return g.Flatten(x) }

// Identity is nn.Identity.
type Identity struct{}

// Forward returns x.
func (Identity) Forward(_ *Graph, x *Tensor) *Tensor { return x }
