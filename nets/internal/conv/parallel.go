package conv

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Threads returns how many goroutines Parallel may use: GOMAXPROCS.
func Threads() int { return runtime.GOMAXPROCS(0) }

// Task is work split into parts for Parallel.
type Task interface {
	// Run does one part. worker identifies the goroutine (see Parallel).
	Run(worker, part int)
}

// Parallel calls t.Run(worker, part) for every part in [0, parts), on the caller's goroutine and
// up to threads−1 pool workers, and returns when all calls have returned. worker is in
// [0, min(threads, parts)) and no two concurrent calls share it, so Run may use per-worker
// scratch indexed by it; the caller's goroutine is worker 0. With threads ≤ 1 or a single part,
// everything runs on the caller's goroutine in order. It allocates nothing in steady state (t is
// typically a pointer to a pooled struct).
func Parallel(threads, parts int, t Task) {
	helpers := min(threads, parts, maxWorkers+1) - 1
	if helpers <= 0 {
		for i := 0; i < parts; i++ {
			t.Run(0, i)
		}
		return
	}
	j := jobs.Get().(*job)
	j.task, j.parts = t, int64(parts)
	j.next.Store(0)
	j.ids.Store(0)
	j.refs.Store(1) // the caller's
	j.wg.Add(parts)
	startWorkers(helpers)
	for i := 0; i < helpers; i++ {
		j.refs.Add(1) // before the send: the worker may release it at once
		select {
		case pool.jobs <- j:
		default: // every worker is busy: the goroutines already in take the remaining parts
			j.refs.Add(-1)
		}
	}
	j.work(0)
	j.wg.Wait()
	j.release()
}

// job is one Parallel call. Workers that receive it after all its parts are taken return at once;
// it is recycled when the caller and every worker it was sent to are done with it.
type job struct {
	task  Task
	parts int64
	next  atomic.Int64
	ids   atomic.Int64 // worker indices handed out to helpers (the caller is 0)
	refs  atomic.Int32
	wg    sync.WaitGroup
}

var jobs = sync.Pool{New: func() any { return new(job) }}

func (j *job) work(worker int) {
	for {
		i := j.next.Add(1) - 1
		if i >= j.parts {
			return
		}
		j.task.Run(worker, int(i))
		j.wg.Done()
	}
}

func (j *job) release() {
	if j.refs.Add(-1) == 0 {
		j.task = nil
		jobs.Put(j)
	}
}

const maxWorkers = 256

var pool struct {
	once    sync.Once
	jobs    chan *job
	mu      sync.Mutex
	started atomic.Int64
}

// startWorkers makes sure at least n pool workers exist.
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
				j.work(int(j.ids.Add(1)))
				j.release()
			}
		}()
	}
}
