package gemm

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The worker pool: persistent goroutines started on first need, fed through one channel. A
// parallel call splits its work into parts; the caller and the workers it reached each take parts
// from an atomic counter until none is left, so a busy or slow worker costs no more than its share
// and the caller never waits on a worker that has not started.

type job struct {
	run   func(part int)
	parts int64
	next  atomic.Int64
	wg    sync.WaitGroup
}

const maxWorkers = 256

var pool struct {
	once    sync.Once
	jobs    chan *job
	mu      sync.Mutex
	started atomic.Int64
}

// parallel runs run(0), ..., run(parts-1) on up to threads goroutines (the caller's and pool
// workers') and returns when all have returned.
func parallel(threads, parts int, run func(part int)) {
	helpers := min(threads, parts, maxWorkers+1) - 1
	if helpers <= 0 {
		for i := 0; i < parts; i++ {
			run(i)
		}
		return
	}
	j := &job{run: run, parts: int64(parts)}
	j.wg.Add(parts)
	startWorkers(helpers)
	for i := 0; i < helpers; i++ {
		select {
		case pool.jobs <- j:
		default: // every worker is busy and the queue is full: the caller does the rest itself
		}
	}
	j.work()
	j.wg.Wait()
}

func (j *job) work() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.parts {
			return
		}
		j.run(int(i))
		j.wg.Done()
	}
}

// startWorkers makes sure at least n workers exist.
func startWorkers(n int) {
	pool.once.Do(func() { pool.jobs = make(chan *job, maxWorkers) })
	if pool.started.Load() >= int64(n) {
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for pool.started.Load() < int64(n) {
		pool.started.Add(1)
		go func() {
			for j := range pool.jobs {
				j.work()
			}
		}()
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
