package nets

import "fmt"

// Shape and indexing ops. Reshape, Flatten, Rows and Detach are views: they share the input's
// Data (and Grad), so they cost nothing and need no backward closure.

// Reshape returns a view of x with another shape of the same size; one dimension may be -1 and
// is then inferred (torch.reshape / view).
func (g *Graph) Reshape(x *Tensor, shape ...int) *Tensor {
	if len(shape) > maxDims {
		panic(fmt.Sprintf("nets: Reshape: more than %d dimensions", maxDims))
	}
	var buf [maxDims]int
	s := buf[:len(shape)]
	copy(s, shape)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic("nets: Reshape: bad shape " + shapeStr(shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(x.Data)%known != 0 {
			panic(fmt.Sprintf("nets: Reshape: cannot view %v as %s", x.Shape, shapeStr(shape)))
		}
		s[infer] = len(x.Data) / known
	}
	return g.View(x, s...)
}

// Flatten returns a view of x as [x.Shape[0], rest] (nn.Flatten's default): conv features into a
// linear layer.
func (g *Graph) Flatten(x *Tensor) *Tensor {
	if len(x.Shape) == 0 {
		return g.View(x, 1, 1)
	}
	b := x.Shape[0]
	if b == 0 {
		return g.View(x, x.Shape[0], numel(x.Shape[1:]))
	}
	return g.View(x, b, len(x.Data)/b)
}

// Detach returns a view of x's data without a gradient: nothing flows back through it
// (tensor.detach(); TD targets, the old log-probabilities of PPO).
func (g *Graph) Detach(x *Tensor) *Tensor {
	t := g.header(x.Shape)
	t.Data = x.Data
	return t
}

// Rows returns rows [from, to) of x along its first axis as a view (x[from:to]).
func (g *Graph) Rows(x *Tensor, from, to int) *Tensor {
	if len(x.Shape) == 0 || from < 0 || to < from || to > x.Shape[0] {
		panic(fmt.Sprintf("nets: Rows: [%d, %d) out of range for shape %v", from, to, x.Shape))
	}
	row := 1
	if x.Shape[0] > 0 {
		row = len(x.Data) / x.Shape[0]
	}
	t := g.header(x.Shape)
	t.Shape[0] = to - from
	t.Data = x.Data[from*row : to*row]
	if g.record && x.Grad != nil {
		t.Grad = x.Grad[from*row : to*row]
	}
	return t
}

// Narrow returns the slice [start, start+length) of x along axis, as a copy (torch.narrow): the
// value head of a shared actor-critic output, one gate of a fused LSTM projection.
func (g *Graph) Narrow(x *Tensor, axis, start, length int) *Tensor {
	axis = normAxis(axis, len(x.Shape), "Narrow")
	if start < 0 || length < 0 || start+length > x.Shape[axis] {
		panic(fmt.Sprintf("nets: Narrow: [%d, %d) out of range for axis %d of %v", start, start+length, axis, x.Shape))
	}
	var buf [maxDims]int
	s := buf[:len(x.Shape)]
	copy(s, x.Shape)
	s[axis] = length
	out := g.Result(s, x)
	outer, n, inner := splitAxis(x.Shape, axis)
	w := length * inner
	for o := 0; o < outer; o++ {
		copy(out.Data[o*w:(o+1)*w], x.Data[(o*n+start)*inner:])
	}
	if out.Grad != nil {
		g.Record(func() {
			for o := 0; o < outer; o++ {
				dst := x.Grad[(o*n+start)*inner:]
				for i, d := range out.Grad[o*w : (o+1)*w] {
					dst[i] += d
				}
			}
		})
	}
	return out
}

// Concat joins tensors along axis (torch.cat); all other dimensions must agree.
func (g *Graph) Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("nets: Concat of nothing")
	}
	first := ts[0]
	ax := normAxis(axis, len(first.Shape), "Concat")
	var buf [maxDims]int
	s := buf[:len(first.Shape)]
	copy(s, first.Shape)
	s[ax] = 0
	for _, t := range ts {
		if len(t.Shape) != len(first.Shape) {
			panic(fmt.Sprintf("nets: Concat: shapes %v and %v differ in rank", first.Shape, t.Shape))
		}
		for i := range s {
			if i != ax && t.Shape[i] != first.Shape[i] {
				panic(fmt.Sprintf("nets: Concat along %d: shapes %v and %v differ", axis, first.Shape, t.Shape))
			}
		}
		s[ax] += t.Shape[ax]
	}
	out := g.Result(s, ts...)
	outer, total, inner := splitAxis(s, ax)
	off := 0
	for _, t := range ts {
		w := t.Shape[ax] * inner
		for o := 0; o < outer; o++ {
			copy(out.Data[o*total*inner+off:], t.Data[o*w:(o+1)*w])
		}
		off += w
	}
	if out.Grad != nil {
		parts := append([]*Tensor(nil), ts...)
		g.Record(func() {
			off := 0
			for _, t := range parts {
				w := t.Shape[ax] * inner
				if t.Grad != nil {
					for o := 0; o < outer; o++ {
						src := out.Grad[o*total*inner+off:]
						for i := range w {
							t.Grad[o*w+i] += src[i]
						}
					}
				}
				off += w
			}
		})
	}
	return out
}

// Gather picks one element of every row along the last axis: out[i] = x[i, idx[i]] with x of
// shape [..., n] and out of shape [...] (x.gather(-1, idx.unsqueeze(-1)).squeeze(-1)): Q(s, a)
// from the Q-values of every action, log π(a|s) from log-probabilities.
func (g *Graph) Gather(x *Tensor, idx []int) *Tensor {
	if len(x.Shape) == 0 {
		panic("nets: Gather on a scalar")
	}
	n := x.Shape[len(x.Shape)-1]
	rows := len(x.Data) / max(n, 1)
	if len(idx) != rows {
		panic(fmt.Sprintf("nets: Gather: %d indices for %d rows of %v", len(idx), rows, x.Shape))
	}
	out := g.Result(x.Shape[:len(x.Shape)-1], x)
	for r, k := range idx {
		if k < 0 || k >= n {
			panic(fmt.Sprintf("nets: Gather: index %d out of range [0, %d)", k, n))
		}
		out.Data[r] = x.Data[r*n+k]
	}
	if out.Grad != nil {
		g.Record(func() {
			for r, k := range idx {
				x.Grad[r*n+k] += out.Grad[r]
			}
		})
	}
	return out
}

// OneHot returns a [len(idx), n] tensor of zeros with a 1 at (i, idx[i]) (F.one_hot); it takes no
// gradient.
func (g *Graph) OneHot(idx []int, n int) *Tensor {
	out := g.Zeros(len(idx), n)
	for r, k := range idx {
		if k < 0 || k >= n {
			panic(fmt.Sprintf("nets: OneHot: index %d out of range [0, %d)", k, n))
		}
		out.Data[r*n+k] = 1
	}
	return out
}
