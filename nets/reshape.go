package nets

import "fmt"

// Reshape is a layer that views every sample of a batch with another shape: [N, ...] becomes
// [N, Shape...], one entry of Shape may be −1 (inferred). It is PyTorch's x.view(x.size(0), *Shape)
// inside a forward, or nn.Unflatten(1, Shape) after a Linear: the step from a DCGAN generator's
// projection to its first feature map. Like g.Reshape it is a view: no copy, no backward closure.
// (Flatten is its inverse.)
type Reshape struct{ Shape []int }

// Forward returns the view of x as [x.Shape[0], Shape...].
func (r Reshape) Forward(g *Graph, x *Tensor) *Tensor {
	if len(x.Shape) == 0 || len(r.Shape)+1 > maxDims {
		panic(fmt.Sprintf("nets: Reshape layer: cannot view %v per sample as %s", x.Shape, shapeStr(r.Shape)))
	}
	var buf [maxDims]int
	s := append(buf[:0], x.Shape[0])
	s = append(s, r.Shape...)
	return g.Reshape(x, s...)
}

var _ Layer = Reshape{}
