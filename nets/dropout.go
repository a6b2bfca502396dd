package nets

import "fmt"

// Dropout is F.dropout: in training mode every element is zeroed with probability p and the
// others are scaled by 1/(1−p) ("inverted" dropout, so that eval mode needs no rescaling); in
// eval mode, or with p = 0, it returns x itself. The mask is drawn from g.Rand(), so a seeded
// graph repeats it.
func (g *Graph) Dropout(x *Tensor, p float64) *Tensor {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("nets: Dropout: probability %g outside [0, 1]", p))
	}
	if !g.Training() || p == 0 {
		return x
	}
	out := g.Result(x.Shape, x)
	if p == 1 { // everything dropped: zeros, and no gradient reaches x
		return out
	}
	mask := g.Floats(len(x.Data)) // 0 or 1/(1−p) per element, for the backward
	rng, scale := g.Rand(), float32(1/(1-p))
	for i, v := range x.Data {
		if rng.Float64() >= p {
			mask[i] = scale
			out.Data[i] = v * scale
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for i, d := range out.Grad {
				x.Grad[i] += d * mask[i]
			}
		})
	}
	return out
}

// Dropout is nn.Dropout(P): see g.Dropout. PyTorch's default P is 0.5.
type Dropout struct{ P float64 }

// Forward applies g.Dropout.
func (d Dropout) Forward(g *Graph, x *Tensor) *Tensor { return g.Dropout(x, d.P) }

var _ Layer = Dropout{}
