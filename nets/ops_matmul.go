package nets

import (
	"fmt"

	"github.com/gorl/gorl/nets/internal/gemm"
	"github.com/gorl/gorl/nets/internal/vec"
)

// Every matrix product goes through gemm.Sgemm, so a faster kernel speeds up everything at once.

// MatMul returns the matrix product a·b of a [m, k] and a [k, n] tensor.
func (g *Graph) MatMul(a, b *Tensor) *Tensor {
	if len(a.Shape) != 2 || len(b.Shape) != 2 || a.Shape[1] != b.Shape[0] {
		panic(fmt.Sprintf("nets: MatMul: shapes %v and %v do not multiply", a.Shape, b.Shape))
	}
	m, k, n := a.Shape[0], a.Shape[1], b.Shape[1]
	out := g.resultDirty([]int{m, n}, a, b) // beta = 0 overwrites it
	if k == 0 {
		clear(out.Data) // an empty sum: nothing for the kernel to overwrite with
	}
	gemm.Sgemm(false, false, m, n, k, 1, a.Data, max(k, 1), b.Data, max(n, 1), 0, out.Data, max(n, 1))
	if out.Grad != nil {
		g.Record(func() {
			if a.Grad != nil { // dA += dC·Bᵀ
				gemm.Sgemm(false, true, m, k, n, 1, out.Grad, max(n, 1), b.Data, max(n, 1), 1, a.Grad, max(k, 1))
			}
			if b.Grad != nil { // dB += Aᵀ·dC
				gemm.Sgemm(true, false, k, n, m, 1, a.Data, max(k, 1), out.Grad, max(n, 1), 1, b.Grad, max(n, 1))
			}
		})
	}
	return out
}

// Linear returns x·wᵀ + b (F.linear): x is [..., in] (leading dimensions are batch dimensions),
// w is [out, in] as PyTorch stores it, b is [out] or nil.
func (g *Graph) Linear(x, w, b *Tensor) *Tensor {
	if len(w.Shape) != 2 || len(x.Shape) == 0 || x.Shape[len(x.Shape)-1] != w.Shape[1] {
		panic(fmt.Sprintf("nets: Linear: input %v does not match weight %v", x.Shape, w.Shape))
	}
	nout, nin := w.Shape[0], w.Shape[1]
	if b != nil && (len(b.Shape) != 1 || b.Shape[0] != nout) {
		panic(fmt.Sprintf("nets: Linear: bias %v does not match weight %v", b.Shape, w.Shape))
	}
	if len(x.Shape) > maxDims {
		panic(fmt.Sprintf("nets: Linear: more than %d dimensions", maxDims))
	}
	var buf [maxDims]int
	s := buf[:len(x.Shape)]
	copy(s, x.Shape)
	s[len(s)-1] = nout
	out := g.resultDirty(s, x, w, b) // beta = 0 overwrites it
	m := numel(x.Shape[:len(x.Shape)-1])
	ldx, ldo := max(nin, 1), max(nout, 1)
	if nin == 0 {
		clear(out.Data)
	}
	gemm.Sgemm(false, true, m, nout, nin, 1, x.Data, ldx, w.Data, ldx, 0, out.Data, ldo)
	if b != nil {
		vec.AddRowVector(out.Data, b.Data, m, nout)
	}
	if out.Grad != nil {
		g.Record(func() {
			if x.Grad != nil { // dx += dy·W
				gemm.Sgemm(false, false, m, nin, nout, 1, out.Grad, ldo, w.Data, ldx, 1, x.Grad, ldx)
			}
			if w.Grad != nil { // dW += dyᵀ·x
				gemm.Sgemm(true, false, nout, nin, m, 1, out.Grad, ldo, x.Data, ldx, 1, w.Grad, ldx)
			}
			if b != nil && b.Grad != nil { // db += column sums of dy
				vec.SumRows(b.Grad, out.Grad, m, nout)
			}
		})
	}
	return out
}
