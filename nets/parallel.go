package nets

import (
	"sync"

	"github.com/gorl/gorl/internal/workers"
	"github.com/gorl/gorl/nets/internal/vec"
)

// Elementwise passes over large tensors, the zeroing of gradient buffers and ReLU forward and
// backward, are memory-bound loops that one core ran while the other waited: about 4-5 ms of each
// 25 ms training step of the seed CNN, whose 64×32×32×32 activations (8 MB) need a zeroed
// gradient at every layer. From parallelElems elements on they are cut into parts over the
// cores (workers.Run, a pooled task, no allocation). Each element is computed by the same
// instruction whichever part it falls in, and part bounds are multiples of 64 elements, so the
// 8-wide kernels meet their scalar tail only at the very end, as in one serial call: the results
// are bit-identical for any core count.

const (
	parallelElems = 1 << 17 // 512 KB of float32: ~30 µs alone, against a few µs to wake a worker
	elemChunk     = 1 << 15 // the least elements a part
)

type elemKind uint8

const (
	elemClear        elemKind = iota // dst = 0
	elemReLU                         // dst = max(a, 0)
	elemReLUBackward                 // dst += a where b > 0
)

// elemTask is one elementwise pass for workers.Run.
type elemTask struct {
	kind      elemKind
	dst, a, b []float32
	parts     int
}

var elemTasks = sync.Pool{New: func() any { return new(elemTask) }}

var _ workers.Task = (*elemTask)(nil)

// elementwise runs the pass on the slices (all as long as dst), over the cores when they are
// large.
func elementwise(kind elemKind, dst, a, b []float32) {
	if len(dst) < parallelElems { // first: GOMAXPROCS takes the scheduler's lock
		elemRun(kind, dst, a, b)
		return
	}
	threads := workers.Threads()
	if threads < 2 {
		elemRun(kind, dst, a, b)
		return
	}
	t := elemTasks.Get().(*elemTask)
	t.kind, t.dst, t.a, t.b = kind, dst, a, b
	t.parts = min(4*threads, len(dst)/elemChunk) // a few parts a core: a slow core costs less
	workers.Run(threads, t.parts, t)
	*t = elemTask{} // drop the references to the buffers
	elemTasks.Put(t)
}

func (t *elemTask) Run(_, i int) {
	n := len(t.dst)
	lo, hi := (i*n/t.parts)&^63, ((i+1)*n/t.parts)&^63
	if i == t.parts-1 {
		hi = n
	}
	if t.kind == elemClear {
		elemRun(t.kind, t.dst[lo:hi], nil, nil)
	} else if t.kind == elemReLU {
		elemRun(t.kind, t.dst[lo:hi], t.a[lo:hi], nil)
	} else {
		elemRun(t.kind, t.dst[lo:hi], t.a[lo:hi], t.b[lo:hi])
	}
}

func elemRun(kind elemKind, dst, a, b []float32) {
	switch kind {
	case elemClear:
		clear(dst)
	case elemReLU:
		vec.ReLU(dst, a)
	case elemReLUBackward:
		vec.ReLUBackward(dst, a, b)
	}
}

// zeroFloats sets s to zero, over the cores when it is large.
func zeroFloats(s []float32) { elementwise(elemClear, s, nil, nil) }
