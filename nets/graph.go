package nets

import (
	"fmt"
	"math/rand/v2"
)

// Graph is the context of one forward pass: it owns the arena the intermediates live in, the tape
// of backward closures when it records, the train/eval mode, and the random generator of
// stochastic layers. Every op is a method on *Graph (g.Linear(x, w, b), g.ReLU(x), ...), in the
// spirit of recurrentjs's G.mul(W, x) and G.backward().
//
// One step of training or acting is: g.Reset(); forward; (g.Backward(loss); optimizer step).
// Reset rewinds the arena, so a step that runs the same ops on the same shapes as the previous one
// reuses the same buffers and allocates nothing. Tensors a graph returned are valid until its next
// Reset: Clone (or copy out) whatever must outlive the step.
//
// A Graph is not safe for concurrent use; give each goroutine its own (they may share modules
// for inference, which only reads parameters).
type Graph struct {
	record bool
	train  bool
	rng    *rand.Rand

	tape    []func()
	floats  arenaPool[float32]
	ints    arenaPool[int]
	headers []*Tensor
	nhead   int
}

// NewGraph returns a recording graph in training mode: what a training step uses.
func NewGraph() *Graph { return &Graph{record: true, train: true} }

// NewInference returns a graph that records nothing (no gradients, no closures: PyTorch's
// torch.no_grad()) in eval mode (BatchNorm uses running statistics, Dropout is the identity):
// what acting in an environment uses.
func NewInference() *Graph { return &Graph{} }

// Reset rewinds the arena and drops the tape. Every tensor the graph handed out before is
// invalid after it (its buffer will be reused).
func (g *Graph) Reset() {
	clear(g.tape)
	g.tape = g.tape[:0]
	g.floats.reset()
	g.ints.reset()
	g.nhead = 0
}

// Recording reports whether ops record backward closures and give their outputs gradients.
func (g *Graph) Recording() bool { return g.record }

// SetRecording turns recording on or off from the next op on (for example off around a
// target-network forward inside a training step, as torch.no_grad()).
func (g *Graph) SetRecording(on bool) { g.record = on }

// Training reports the module mode: true is PyTorch's .train(), false its .eval(). Layers whose
// behavior depends on it (BatchNorm, Dropout) read it here, so modules carry no mode flag.
func (g *Graph) Training() bool { return g.train }

// SetTraining sets the module mode for the following ops.
func (g *Graph) SetTraining(on bool) { g.train = on }

// SetRand sets the random generator stochastic ops (Dropout) draw from. Seed it yourself for
// reproducible runs.
func (g *Graph) SetRand(r *rand.Rand) { g.rng = r }

// Rand returns the graph's random generator; it panics if SetRand was never called, because a
// stochastic layer without a seeded generator would make a run irreproducible.
func (g *Graph) Rand() *rand.Rand {
	if g.rng == nil {
		panic("nets: this Graph has no random generator; call g.SetRand(rand.New(...)) before using a stochastic op")
	}
	return g.rng
}

// Backward seeds the gradient of loss (which must have one element) with 1 and runs the tape in
// reverse, accumulating into every Grad it reaches (parameters included). The tape is consumed:
// run a new forward before another Backward.
func (g *Graph) Backward(loss *Tensor) {
	if len(loss.Data) != 1 {
		panic(fmt.Sprintf("nets: Backward needs a one-element loss, got shape %v; for other outputs write their Grad and call BackwardFromGrads", loss.Shape))
	}
	if loss.Grad == nil {
		panic("nets: Backward on a tensor without a gradient: the graph was not recording, or no input of the loss requires a gradient")
	}
	loss.Grad[0] += 1
	g.BackwardFromGrads()
}

// BackwardFromGrads runs the tape in reverse from whatever gradients the caller has written into
// the outputs' Grad: the vector-Jacobian product of several outputs at once
// (torch.autograd.backward(outputs, grad_outputs)). The tape is consumed.
func (g *Graph) BackwardFromGrads() {
	for i := len(g.tape) - 1; i >= 0; i-- {
		g.tape[i]()
		g.tape[i] = nil
	}
	g.tape = g.tape[:0]
}

// --- the op author's API -------------------------------------------------------------------------

// NeedsGrad reports whether an op on these inputs must record: the graph records and at least one
// input carries a gradient.
func (g *Graph) NeedsGrad(inputs ...*Tensor) bool {
	if !g.record {
		return false
	}
	for _, t := range inputs {
		if t != nil && t.Grad != nil {
			return true
		}
	}
	return false
}

// Result returns an op's output tensor from the arena: zeroed data of the given shape, and a
// zeroed Grad exactly when NeedsGrad(inputs...). An op records its backward closure (Record) iff
// the result has a Grad.
func (g *Graph) Result(shape []int, inputs ...*Tensor) *Tensor {
	t := g.header(shape)
	n := numel(shape)
	t.Data = g.zeroed(n)
	if g.NeedsGrad(inputs...) {
		t.Grad = g.zeroed(n)
	}
	return t
}

// resultDirty is Result without zeroing Data, for ops that overwrite every element of their
// output (a matrix product with beta = 0, an activation): the memclr showed in profiles.
func (g *Graph) resultDirty(shape []int, inputs ...*Tensor) *Tensor {
	t := g.header(shape)
	n := numel(shape)
	t.Data = g.floats.getDirty(n)
	if g.NeedsGrad(inputs...) {
		t.Grad = g.zeroed(n)
	}
	return t
}

// Zeros returns a zeroed arena tensor without a gradient (a constant or a scratch tensor).
func (g *Graph) Zeros(shape ...int) *Tensor {
	t := g.header(shape)
	t.Data = g.zeroed(numel(shape))
	return t
}

// Floats returns n zeroed float32s from the arena, valid until Reset: scratch an op saves for its
// backward (BatchNorm's inverse std, a dropout mask).
func (g *Graph) Floats(n int) []float32 { return g.zeroed(n) }

// zeroed returns n zeroed float32s from the arena, cleared over the cores when n is large (the
// gradient buffers of big activations).
func (g *Graph) zeroed(n int) []float32 {
	s := g.floats.getDirty(n)
	zeroFloats(s)
	return s
}

// Ints returns n zeroed ints from the arena, valid until Reset (argmax positions of max pooling).
func (g *Graph) Ints(n int) []int { return g.ints.get(n) }

// View returns a tensor header over the same Data (and Grad, when the graph records) as x with
// another shape of the same size. Gradients flow through it without a closure, because the
// view's Grad is x's Grad.
func (g *Graph) View(x *Tensor, shape ...int) *Tensor {
	if numel(shape) != len(x.Data) {
		panic(fmt.Sprintf("nets: View: shape %s does not hold the %d elements of %v", shapeStr(shape), len(x.Data), x.Shape))
	}
	t := g.header(shape)
	t.Data = x.Data
	if g.record {
		t.Grad = x.Grad
	}
	return t
}

// Record appends a backward closure to the tape. Call it only when the op's result has a Grad;
// the closure reads the result's Grad and adds into every input's Grad that is not nil. Variables
// it captures must not be reassigned after it is created, so that the non-recording path does not
// move them to the heap.
func (g *Graph) Record(backward func()) { g.tape = append(g.tape, backward) }

// header returns a reusable tensor header with the given shape and no data or grad.
func (g *Graph) header(shape []int) *Tensor {
	var t *Tensor
	if g.nhead < len(g.headers) {
		t = g.headers[g.nhead]
	} else {
		t = &Tensor{}
		g.headers = append(g.headers, t)
	}
	g.nhead++
	t.Shape = append(t.Shape[:0], shape...)
	t.Data, t.Grad = nil, nil
	return t
}

// arenaPool is a rewindable arena of slices: after reset, the k-th get returns the buffer the k-th get
// returned before whenever it is large enough, so a repeated op sequence allocates nothing.
type arenaPool[T any] struct {
	bufs [][]T
	next int
}

func (p *arenaPool[T]) get(n int) []T {
	s := p.getDirty(n)
	clear(s)
	return s
}

// getDirty is get without zeroing a reused buffer.
func (p *arenaPool[T]) getDirty(n int) []T {
	if p.next < len(p.bufs) && cap(p.bufs[p.next]) >= n {
		s := p.bufs[p.next][:n]
		p.next++
		return s
	}
	s := make([]T, n)
	if p.next < len(p.bufs) {
		p.bufs[p.next] = s
	} else {
		p.bufs = append(p.bufs, s)
	}
	p.next++
	return s
}

func (p *arenaPool[T]) reset() { p.next = 0 }
