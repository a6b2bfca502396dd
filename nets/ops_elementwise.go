package nets

import (
	"fmt"
	"math"
)

// This file holds the elementwise ops. Each keeps its forward and its backward side by side: the
// forward loop fills out.Data, and, only when out has a Grad, a closure recorded on the tape adds
// out.Grad times the local derivative into each input's Grad.

// broadcast returns the output of a binary op on a and b under NumPy/PyTorch broadcasting (shapes
// aligned at the right, a dimension of 1 stretched), with index maps from each output element to
// the element of a and of b it reads. A map is nil when that operand already has the output's
// shape. Backward scatters through the same maps, which sums gradients over broadcast dimensions.
func (g *Graph) broadcast(op string, a, b *Tensor) (out *Tensor, ia, ib []int) {
	if sameShape(a.Shape, b.Shape) {
		return g.Result(a.Shape, a, b), nil, nil
	}
	var p bcastPlan
	p.plan(op, a.Shape, b.Shape)
	out = g.Result(p.shape[:p.nd], a, b)
	if !sameShape(a.Shape, out.Shape) {
		ia = g.ints.get(len(out.Data))
		p.fill(ia, &p.sa)
	}
	if !sameShape(b.Shape, out.Shape) {
		ib = g.ints.get(len(out.Data))
		p.fill(ib, &p.sb)
	}
	return out, ia, ib
}

// broadcastTo returns the index map from the elements of a tensor of shape big to the elements
// of small broadcast to it (nil when the shapes are equal); it panics unless small broadcasts to
// exactly big (weights of a loss, a bias).
func (g *Graph) broadcastTo(op string, small, big []int) []int {
	if sameShape(small, big) {
		return nil
	}
	var p bcastPlan
	p.plan(op, small, big)
	if !sameShape(p.shape[:p.nd], big) {
		panic(fmt.Sprintf("nets: %s: shape %v does not broadcast to %v", op, small, big))
	}
	m := g.ints.get(numel(big))
	p.fill(m, &p.sa)
	return m
}

// bcastPlan is the broadcast of two shapes: the result shape and each operand's strides (0 along
// stretched dimensions), all on the stack.
type bcastPlan struct {
	shape, sa, sb [maxDims]int
	nd            int
}

func (p *bcastPlan) plan(op string, a, b []int) {
	nd := max(len(a), len(b))
	if nd > maxDims {
		panic(fmt.Sprintf("nets: %s: more than %d dimensions", op, maxDims))
	}
	p.nd = nd
	strideA, strideB := 1, 1
	for i := nd - 1; i >= 0; i-- {
		da, db := 1, 1
		if j := i - (nd - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (nd - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			p.shape[i] = da
		case da == 1:
			p.shape[i] = db
		case db == 1:
			p.shape[i] = da
		default:
			panic(fmt.Sprintf("nets: %s: shapes %s and %s do not broadcast", op, shapeStr(a), shapeStr(b)))
		}
		if da != 1 {
			p.sa[i] = strideA
		}
		if db != 1 {
			p.sb[i] = strideB
		}
		strideA *= da
		strideB *= db
	}
}

// fill writes, for every element of the result in row-major order, its offset under strides.
func (p *bcastPlan) fill(dst []int, strides *[maxDims]int) {
	var idx [maxDims]int
	off := 0
	for k := range dst {
		dst[k] = off
		for d := p.nd - 1; d >= 0; d-- {
			idx[d]++
			off += strides[d]
			if idx[d] < p.shape[d] {
				break
			}
			off -= strides[d] * p.shape[d]
			idx[d] = 0
		}
	}
}

// at reads x[m[i]], or x[i] when the map is nil.
func at(x []float32, m []int, i int) float32 {
	if m == nil {
		return x[i]
	}
	return x[m[i]]
}

// addAt adds v into x[m[i]] (x[i] with a nil map); x may be nil (no gradient wanted).
func addAt(x []float32, m []int, i int, v float32) {
	if x == nil {
		return
	}
	if m == nil {
		x[i] += v
	} else {
		x[m[i]] += v
	}
}

// Add returns a + b with broadcasting.
func (g *Graph) Add(a, b *Tensor) *Tensor {
	out, ia, ib := g.broadcast("Add", a, b)
	if ia == nil && ib == nil {
		for i := range out.Data {
			out.Data[i] = a.Data[i] + b.Data[i]
		}
	} else {
		for i := range out.Data {
			out.Data[i] = at(a.Data, ia, i) + at(b.Data, ib, i)
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				addAt(a.Grad, ia, i, d)
				addAt(b.Grad, ib, i, d)
			}
		})
	}
	return out
}

// Sub returns a - b with broadcasting.
func (g *Graph) Sub(a, b *Tensor) *Tensor {
	out, ia, ib := g.broadcast("Sub", a, b)
	for i := range out.Data {
		out.Data[i] = at(a.Data, ia, i) - at(b.Data, ib, i)
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				addAt(a.Grad, ia, i, d)
				addAt(b.Grad, ib, i, -d)
			}
		})
	}
	return out
}

// Mul returns a * b elementwise with broadcasting.
func (g *Graph) Mul(a, b *Tensor) *Tensor {
	out, ia, ib := g.broadcast("Mul", a, b)
	for i := range out.Data {
		out.Data[i] = at(a.Data, ia, i) * at(b.Data, ib, i)
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				addAt(a.Grad, ia, i, d*at(b.Data, ib, i))
				addAt(b.Grad, ib, i, d*at(a.Data, ia, i))
			}
		})
	}
	return out
}

// Div returns a / b elementwise with broadcasting.
func (g *Graph) Div(a, b *Tensor) *Tensor {
	out, ia, ib := g.broadcast("Div", a, b)
	for i := range out.Data {
		out.Data[i] = at(a.Data, ia, i) / at(b.Data, ib, i)
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				bv := at(b.Data, ib, i)
				addAt(a.Grad, ia, i, d/bv)
				addAt(b.Grad, ib, i, -d*out.Data[i]/bv)
			}
		})
	}
	return out
}

// Minimum returns min(a, b) elementwise with broadcasting (torch.minimum). Where a == b the
// gradient is split in half between them, as PyTorch does.
func (g *Graph) Minimum(a, b *Tensor) *Tensor { return g.minmax("Minimum", a, b, true) }

// Maximum returns max(a, b) elementwise with broadcasting (torch.maximum); ties split the gradient.
func (g *Graph) Maximum(a, b *Tensor) *Tensor { return g.minmax("Maximum", a, b, false) }

func (g *Graph) minmax(op string, a, b *Tensor, isMin bool) *Tensor {
	out, ia, ib := g.broadcast(op, a, b)
	for i := range out.Data {
		av, bv := at(a.Data, ia, i), at(b.Data, ib, i)
		switch {
		case av != av: // NaN propagates, as in torch.minimum and torch.maximum
			out.Data[i] = av
		case bv != bv:
			out.Data[i] = bv
		case (av < bv) == isMin:
			out.Data[i] = av
		default:
			out.Data[i] = bv
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				av, bv := at(a.Data, ia, i), at(b.Data, ib, i)
				switch {
				case av == bv:
					addAt(a.Grad, ia, i, d/2)
					addAt(b.Grad, ib, i, d/2)
				case out.Data[i] == av:
					addAt(a.Grad, ia, i, d)
				default:
					addAt(b.Grad, ib, i, d)
				}
			}
		})
	}
	return out
}

// Where returns a where mask is nonzero and b elsewhere (torch.where(mask, a, b)); mask, a and b
// have the same shape and mask takes no gradient.
func (g *Graph) Where(mask, a, b *Tensor) *Tensor {
	if !sameShape(mask.Shape, a.Shape) || !sameShape(a.Shape, b.Shape) {
		panic(fmt.Sprintf("nets: Where: mask %v, a %v and b %v must have one shape", mask.Shape, a.Shape, b.Shape))
	}
	out := g.Result(a.Shape, a, b)
	for i, m := range mask.Data {
		if m != 0 {
			out.Data[i] = a.Data[i]
		} else {
			out.Data[i] = b.Data[i]
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				if mask.Data[i] != 0 {
					if a.Grad != nil {
						a.Grad[i] += d
					}
				} else if b.Grad != nil {
					b.Grad[i] += d
				}
			}
		})
	}
	return out
}

// AddScalar returns x + c.
func (g *Graph) AddScalar(x *Tensor, c float32) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = v + c
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d
			}
		})
	}
	return out
}

// Scale returns c·x.
func (g *Graph) Scale(x *Tensor, c float32) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = v * c
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d * c
			}
		})
	}
	return out
}

// Neg returns -x.
func (g *Graph) Neg(x *Tensor) *Tensor { return g.Scale(x, -1) }

// Exp returns e^x.
func (g *Graph) Exp(x *Tensor) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(math.Exp(float64(v)))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d * out.Data[i]
			}
		})
	}
	return out
}

// Log returns the natural logarithm of x (−Inf at 0, NaN below, as PyTorch).
func (g *Graph) Log(x *Tensor) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(math.Log(float64(v)))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d / x.Data[i]
			}
		})
	}
	return out
}

// Sqrt returns √x.
func (g *Graph) Sqrt(x *Tensor) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(math.Sqrt(float64(v)))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d / (2 * out.Data[i])
			}
		})
	}
	return out
}

// Square returns x².
func (g *Graph) Square(x *Tensor) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = v * v
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += 2 * d * x.Data[i]
			}
		})
	}
	return out
}

// Pow returns x^p for a constant exponent p (torch.pow(x, p)); the gradient is p·x^(p−1).
func (g *Graph) Pow(x *Tensor, p float64) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(math.Pow(float64(v), p))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				if p == 0 {
					continue
				}
				x.Grad[i] += d * float32(p*math.Pow(float64(x.Data[i]), p-1))
			}
		})
	}
	return out
}

// Abs returns |x|; its gradient at 0 is 0 (sign(0) = 0, as PyTorch).
func (g *Graph) Abs(x *Tensor) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = float32(math.Abs(float64(v)))
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				switch v := x.Data[i]; {
				case v > 0:
					x.Grad[i] += d
				case v < 0:
					x.Grad[i] -= d
				}
			}
		})
	}
	return out
}

// Clamp returns x limited to [lo, hi] (torch.clamp); the gradient passes where lo ≤ x ≤ hi, the
// bounds included, as in PyTorch. Use ±Inf for a one-sided clamp.
func (g *Graph) Clamp(x *Tensor, lo, hi float32) *Tensor {
	out := g.Result(x.Shape, x)
	for i, v := range x.Data {
		out.Data[i] = min(max(v, lo), hi)
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				if v := x.Data[i]; v >= lo && v <= hi {
					x.Grad[i] += d
				}
			}
		})
	}
	return out
}
