package nets

import (
	"fmt"
	"math/rand/v2"
)

// Embedding is F.embedding: row idx[i] of weight [num, dim] for every index, as a tensor of shape
// [idxShape..., dim]. The gradient of a row sums the output gradients of every position that
// picked it; the row paddingIdx (−1 for none) gets no gradient.
func (g *Graph) Embedding(weight *Tensor, idx []int, idxShape []int, paddingIdx int) *Tensor {
	if len(weight.Shape) != 2 {
		panic(fmt.Sprintf("nets: Embedding: weight must be [num_embeddings, dim], got %v", weight.Shape))
	}
	if numel(idxShape) != len(idx) || len(idxShape) >= maxDims {
		panic(fmt.Sprintf("nets: Embedding: %d indices for index shape %s", len(idx), shapeStr(idxShape)))
	}
	num, dim := weight.Shape[0], weight.Shape[1]
	var buf [maxDims]int
	s := append(buf[:0], idxShape...)
	s = append(s, dim)
	out := g.Result(s, weight)
	for i, k := range idx {
		if k < 0 || k >= num {
			panic(fmt.Sprintf("nets: Embedding: index %d out of range [0, %d)", k, num))
		}
		copy(out.Data[i*dim:(i+1)*dim], weight.Data[k*dim:(k+1)*dim])
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, k := range idx {
				if k == paddingIdx {
					continue
				}
				row, d := weight.Grad[k*dim:(k+1)*dim], out.Grad[i*dim:(i+1)*dim]
				for j, v := range d {
					row[j] += v
				}
			}
		})
	}
	return out
}

// Embedding is nn.Embedding: a lookup table Weight [num_embeddings, embedding_dim].
type Embedding struct {
	Weight *Tensor
	// PaddingIdx is the row that gets no gradient (a padding token's), or −1 for none. PyTorch
	// initializes it to zeros; NewEmbedding(...).WithPaddingIdx does the same.
	PaddingIdx int
}

// NewEmbedding returns nn.Embedding(num, dim) initialized as PyTorch does: N(0, 1), drawn from
// rng, without a padding row.
func NewEmbedding(rng *rand.Rand, num, dim int) *Embedding {
	if num <= 0 || dim <= 0 {
		panic(fmt.Sprintf("nets: NewEmbedding: %d embeddings of size %d", num, dim))
	}
	e := &Embedding{Weight: NewParam(num, dim), PaddingIdx: -1}
	Normal(rng, e.Weight, 0, 1)
	return e
}

// WithPaddingIdx sets padding_idx (negative counts from the end, as in PyTorch), zeroes that row,
// and returns e.
func (e *Embedding) WithPaddingIdx(i int) *Embedding {
	num := e.Weight.Shape[0]
	if i < -num || i >= num {
		panic(fmt.Sprintf("nets: Embedding: padding index %d out of range for %d embeddings", i, num))
	}
	if i < 0 {
		i += num
	}
	e.PaddingIdx = i
	clear(e.Weight.Data[i*e.Weight.Shape[1] : (i+1)*e.Weight.Shape[1]])
	return e
}

// Lookup returns the rows of idx, shaped [idxShape..., dim].
func (e *Embedding) Lookup(g *Graph, idx []int, idxShape ...int) *Tensor {
	return g.Embedding(e.Weight, idx, idxShape, e.PaddingIdx)
}

// Forward looks up the indices held (as exact integers) in x's values, for use in a Sequential:
// the output has shape [x.Shape..., dim].
func (e *Embedding) Forward(g *Graph, x *Tensor) *Tensor {
	idx := g.Ints(len(x.Data))
	for i, v := range x.Data {
		k := int(v)
		if float32(k) != v {
			panic(fmt.Sprintf("nets: Embedding: index %g is not an integer", v))
		}
		idx[i] = k
	}
	return g.Embedding(e.Weight, idx, x.Shape, e.PaddingIdx)
}

// Params returns "weight".
func (e *Embedding) Params() []NamedTensor { return []NamedTensor{{"weight", e.Weight}} }

var (
	_ Module = (*Embedding)(nil)
	_ Layer  = (*Embedding)(nil)
)
