package gemm

import (
	"sync"
	"unsafe"

	"github.com/gorl/gorl/internal/workers"
)

// Parallel steps run on internal/workers, the goroutine pool shared with the convolutions: the
// caller and the workers it reached take parts from one atomic counter, so a busy or slow worker
// costs no more than its share and the caller never waits on a worker that has not started.
//
// A step travels as a task: a pooled struct that holds its operands by value, with a kind that
// says which loop to run. Closures capturing the operands escaped to the heap on every call
// (about four allocations a parallel product: the closure, the copied operands and the pool's
// job), which showed as ~90 allocations a batch-64 inference of the seed CNN's Linear layer and
// ~1,550 a char-LSTM training step.

type taskKind uint8

const (
	taskDot    taskKind = iota // blocks of Y rows on the dot kernels (dotJob.run)
	taskRows                   // row blocks of a sweep
	taskCols                   // column panels of a sweep
	taskPackB                  // panels of op(B) packed into dst
	taskPacked                 // row and column parts of a packed block, each packing its rows of A
)

// task is one parallel step of a product. units (blocks, row blocks, panels) are cut into parts
// nearly equal parts; the packed step has rparts×cparts parts of rp rows and a cparts-th of the
// units (column panels).
type task struct {
	kind         taskKind
	units, parts int
	ar           *arch
	d            dotJob    // taskDot
	s            sweepJob  // taskRows, taskCols, taskPacked (the block's sweep, rows unset)
	op           operands  // taskPackB, taskPacked
	dst          []float32 // taskPackB: the panels' buffer
	pc, kc       int       // taskPackB, taskPacked: the block of k
	jc, nc, w    int       // taskPackB: the block of columns, the panel width
	rp, cparts   int       // taskPacked: rows a part, column parts
}

var tasks = sync.Pool{New: func() any { return new(task) }}

var _ workers.Task = (*task)(nil)

func newTask(kind taskKind, ar *arch) *task {
	t := tasks.Get().(*task)
	t.kind, t.ar = kind, ar
	return t
}

// dispatch runs the task's parts on up to threads goroutines and recycles it.
func (t *task) dispatch(threads int) {
	workers.Run(threads, t.parts, t)
	*t = task{} // drop the references to the operands
	tasks.Put(t)
}

// Run does part i of the step.
func (t *task) Run(_, i int) {
	switch t.kind {
	case taskDot:
		t.d.run(split(t.units, t.parts, i))
	case taskRows:
		sub := t.s.rowBlocks(split(t.units, t.parts, i))
		sub.sweep()
	case taskCols:
		sub := t.s.cols(split(t.units, t.parts, i))
		sub.sweep()
	case taskPackB:
		p0, p1 := split(t.units, t.parts, i)
		t.ar.packB(t.dst[p0*t.kc*t.w:], &t.op, t.pc, t.kc, t.jc+p0*t.w, min(t.nc, p1*t.w)-p0*t.w, t.w)
	case taskPacked:
		ri, ci := i/t.cparts, i%t.cparts
		i0, i1 := ri*t.rp, min(t.op.m, (ri+1)*t.rp)
		abuf := getBuffer(t.rp * t.kc)
		t.ar.packA(abuf.f, &t.op, i0, i1-i0, t.pc, t.kc, t.ar.mr)
		sub := t.s.cols(split(t.units, t.cparts, ci))
		sub.m, sub.a, sub.c = i1-i0, unsafe.Pointer(&abuf.f[0]), unsafe.Add(sub.c, uintptr(i0)*sub.crs)
		sub.sweep()
		putBuffer(abuf)
	}
}

// split returns the bounds of part i when total units are cut into parts nearly equal parts.
func split(total, parts, i int) (lo, hi int) {
	return i * total / parts, (i + 1) * total / parts
}

// Packing scratch comes from a sync.Pool: no allocation once the pool holds a buffer big enough.

type buffer struct{ f []float32 }

var buffers = sync.Pool{New: func() any { return new(buffer) }}

// getBuffer returns a scratch buffer of n floats (contents undefined) starting on a cache line.
func getBuffer(n int) *buffer {
	buf := buffers.Get().(*buffer)
	if cap(buf.f) < n {
		s := make([]float32, n+16)
		off := int(-uintptr(unsafe.Pointer(&s[0]))%64) / 4
		buf.f = s[off : off+n]
	}
	buf.f = buf.f[:n]
	return buf
}

func putBuffer(buf *buffer) { buffers.Put(buf) }
