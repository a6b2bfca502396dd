package nets

import (
	"fmt"
	"math"
)

// Reductions accumulate in float64: a float32 running sum over a large batch loses digits that
// PyTorch's pairwise summation keeps.

// Sum returns the sum of all elements as a scalar (shape []).
func (g *Graph) Sum(x *Tensor) *Tensor {
	out := g.Result(nil, x)
	var s float64
	for _, v := range x.Data {
		s += float64(v)
	}
	out.Data[0] = float32(s)
	if out.Grad != nil {
		g.Record(func() {
			d := out.Grad[0]
			for i := range x.Grad {
				x.Grad[i] += d
			}
		})
	}
	return out
}

// Mean returns the mean of all elements as a scalar (NaN for an empty tensor, as PyTorch).
func (g *Graph) Mean(x *Tensor) *Tensor {
	out := g.Result(nil, x)
	var s float64
	for _, v := range x.Data {
		s += float64(v)
	}
	n := float64(len(x.Data))
	out.Data[0] = float32(s / n)
	if out.Grad != nil {
		g.Record(func() {
			d := float32(float64(out.Grad[0]) / n)
			for i := range x.Grad {
				x.Grad[i] += d
			}
		})
	}
	return out
}

// reducedShape is shape without axis, or with it set to 1 when keepdim.
func reducedShape(buf *[maxDims]int, shape []int, axis int, keepdim bool) []int {
	if len(shape) > maxDims {
		panic(fmt.Sprintf("nets: more than %d dimensions", maxDims))
	}
	s := buf[:0]
	for i, d := range shape {
		switch {
		case i != axis:
			s = append(s, d)
		case keepdim:
			s = append(s, 1)
		}
	}
	return s
}

// SumAxis sums over one axis (negative counts from the end), keeping it as size 1 when keepdim
// (torch.sum(x, dim, keepdim)).
func (g *Graph) SumAxis(x *Tensor, axis int, keepdim bool) *Tensor {
	return g.sumAxis("SumAxis", x, axis, keepdim, false)
}

// MeanAxis averages over one axis (torch.mean(x, dim, keepdim)).
func (g *Graph) MeanAxis(x *Tensor, axis int, keepdim bool) *Tensor {
	return g.sumAxis("MeanAxis", x, axis, keepdim, true)
}

func (g *Graph) sumAxis(op string, x *Tensor, axis int, keepdim, mean bool) *Tensor {
	axis = normAxis(axis, len(x.Shape), op)
	var buf [maxDims]int
	out := g.Result(reducedShape(&buf, x.Shape, axis, keepdim), x)
	outer, n, inner := splitAxis(x.Shape, axis)
	scale := 1.0 // a mean is a sum scaled by 1/n, forward and backward
	if mean {
		scale = 1 / float64(n)
	}
	sc := scale // not reassigned, so the closure captures it by value
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			var s float64
			for k := 0; k < n; k++ {
				s += float64(x.Data[(o*n+k)*inner+in])
			}
			out.Data[o*inner+in] = float32(s * scale)
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for o := 0; o < outer; o++ {
				for in := 0; in < inner; in++ {
					d := float32(float64(out.Grad[o*inner+in]) * sc)
					for k := 0; k < n; k++ {
						x.Grad[(o*n+k)*inner+in] += d
					}
				}
			}
		})
	}
	return out
}

// MaxAxis returns the maximum over one axis (torch.max(x, dim, keepdim).values); the gradient goes
// to the first maximal element of each slice. NaN wins, as in PyTorch.
func (g *Graph) MaxAxis(x *Tensor, axis int, keepdim bool) *Tensor {
	axis = normAxis(axis, len(x.Shape), "MaxAxis")
	var buf [maxDims]int
	out := g.Result(reducedShape(&buf, x.Shape, axis, keepdim), x)
	outer, n, inner := splitAxis(x.Shape, axis)
	if n == 0 {
		panic("nets: MaxAxis over an empty axis")
	}
	arg := g.ints.get(len(out.Data))
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			best, bi := x.Data[o*n*inner+in], 0
			for k := 1; k < n && best == best; k++ {
				if v := x.Data[(o*n+k)*inner+in]; v > best || v != v {
					best, bi = v, k
				}
			}
			out.Data[o*inner+in] = best
			arg[o*inner+in] = bi
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for o := 0; o < outer; o++ {
				for in := 0; in < inner; in++ {
					x.Grad[(o*n+arg[o*inner+in])*inner+in] += out.Grad[o*inner+in]
				}
			}
		})
	}
	return out
}

// Argmax returns the index of the largest of xs (the first one on ties, -1 for an empty slice):
// greedy action selection from one row of Q-values.
func Argmax(xs []float32) int {
	bi := -1
	best := float32(math.Inf(-1))
	for i, v := range xs {
		if bi < 0 || v > best {
			best, bi = v, i
		}
	}
	return bi
}
