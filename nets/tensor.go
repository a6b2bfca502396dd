package nets

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDims bounds the rank of the tensors that broadcasting and axis ops handle; it lets them keep
// their index bookkeeping in fixed arrays on the stack instead of allocating.
const maxDims = 8

// Tensor is a dense float32 array in row-major order (the last index varies fastest), as in
// PyTorch and NumPy.
//
// Grad is nil for a tensor that takes no gradient (data, constants, detached values, anything a
// non-recording Graph produced). Parameters have a Grad from NewParam; it accumulates over
// Backward calls until ZeroGrad, as in PyTorch. Intermediates a recording Graph makes have a Grad
// (from the graph's arena) exactly when some input had one.
type Tensor struct {
	Shape []int
	Data  []float32
	Grad  []float32
}

// NamedTensor is a tensor under its PyTorch state-dict name ("weight", "0.bias", "fc1.weight").
type NamedTensor struct {
	Name   string
	Tensor *Tensor
}

// New returns a zero tensor of the given shape, without a gradient. New() is a scalar (shape []).
func New(shape ...int) *Tensor {
	return &Tensor{Shape: cloneShape(shape), Data: make([]float32, numel(shape))}
}

// FromData wraps data (not copied) as a tensor of the given shape; it panics when the sizes
// disagree.
func FromData(data []float32, shape ...int) *Tensor {
	if len(data) != numel(shape) {
		panic(fmt.Sprintf("nets: FromData: %d values for shape %v (%d elements)", len(data), shape, numel(shape)))
	}
	return &Tensor{Shape: cloneShape(shape), Data: data}
}

// Scalar returns a shape-[] tensor holding v.
func Scalar(v float32) *Tensor { return &Tensor{Shape: []int{}, Data: []float32{v}} }

// NewParam returns a zero tensor with a zero gradient: a learnable parameter. Initialize it with
// one of the initializers (KaimingUniform, XavierUniform, Orthogonal, ...).
func NewParam(shape ...int) *Tensor {
	n := numel(shape)
	return &Tensor{Shape: cloneShape(shape), Data: make([]float32, n), Grad: make([]float32, n)}
}

// Numel is the number of elements.
func (t *Tensor) Numel() int { return len(t.Data) }

// Dim returns the size of axis i; negative i counts from the end (-1 is the last axis).
func (t *Tensor) Dim(i int) int { return t.Shape[normAxis(i, len(t.Shape), "Dim")] }

// RequiresGrad reports whether the tensor carries a gradient.
func (t *Tensor) RequiresGrad() bool { return t.Grad != nil }

// RequireGrad gives t a zero gradient if it has none, and returns t. Use it on an input whose
// gradient you want (as x.requires_grad_() in PyTorch).
func (t *Tensor) RequireGrad() *Tensor {
	if t.Grad == nil {
		t.Grad = make([]float32, len(t.Data))
	}
	return t
}

// ZeroGrad sets the gradient to zero (no-op without one), over the cores when it is large.
func (t *Tensor) ZeroGrad() { zeroFloats(t.Grad) }

// Item returns the single value of a one-element tensor.
func (t *Tensor) Item() float32 {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("nets: Item on a tensor of shape %v", t.Shape))
	}
	return t.Data[0]
}

// Clone returns a deep copy (data and gradient) that shares nothing with t, for keeping a value
// past the next Graph.Reset.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{Shape: cloneShape(t.Shape), Data: append([]float32(nil), t.Data...)}
	if t.Grad != nil {
		c.Grad = append([]float32(nil), t.Grad...)
	}
	return c
}

// String prints the shape and up to 8 values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v[", t.Shape)
	for i, v := range t.Data {
		if i == 8 {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.4g", v)
	}
	b.WriteByte(']')
	return b.String()
}

// ZeroGrads zeroes the gradient of every tensor in ts.
func ZeroGrads(ts []NamedTensor) {
	for _, p := range ts {
		p.Tensor.ZeroGrad()
	}
}

// Prefix returns ts with prefix prepended to every name: how a container names its children's
// tensors ("0." + "weight" = "0.weight").
func Prefix(prefix string, ts []NamedTensor) []NamedTensor {
	out := make([]NamedTensor, len(ts))
	for i, t := range ts {
		out[i] = NamedTensor{Name: prefix + t.Name, Tensor: t.Tensor}
	}
	return out
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic("nets: negative dimension in shape " + shapeStr(shape))
		}
		n *= d
	}
	return n
}

func cloneShape(s []int) []int { return append(make([]int, 0, len(s)), s...) }

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// normAxis maps a possibly negative axis to [0, ndim) and panics with op's name when it is out
// of range.
func normAxis(axis, ndim int, op string) int {
	if axis < 0 {
		axis += ndim
	}
	if axis < 0 || axis >= ndim {
		panic(fmt.Sprintf("nets: %s: axis out of range for a %d-d tensor", op, ndim))
	}
	return axis
}

// splitAxis views a shape as [outer, n, inner] around axis.
func splitAxis(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for i, d := range shape {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, shape[axis], inner
}

// shapeStr formats a shape for a panic message. Formatting the slice itself with %v would make it
// escape to the heap in every caller, including the hot paths that keep shapes on the stack.
func shapeStr(s []int) string {
	b := make([]byte, 0, 16)
	b = append(b, '[')
	for i, d := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}
