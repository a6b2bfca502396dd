package conv

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Threads returns how many goroutines Parallel may use: GOMAXPROCS.
func Threads() int { return runtime.GOMAXPROCS(0) }

// Parallel calls run(worker, part) for every part in [0, parts), on the caller's goroutine and up
// to threads−1 pool workers, and returns when all calls have returned. worker is in
// [0, min(threads, parts)) and no two concurrent calls share it, so run may use per-worker scratch
// indexed by it; the caller's goroutine is worker 0. With threads ≤ 1 or a single part, everything
// runs on the caller's goroutine in order, and nothing is allocated.
func Parallel(threads, parts int, run func(worker, part int)) {
	helpers := min(threads, parts, maxWorkers+1) - 1
	if helpers <= 0 {
		for i := 0; i < parts; i++ {
			run(0, i)
		}
		return
	}
	j := &job{run: run, parts: int64(parts)}
	j.wg.Add(parts)
	startWorkers(helpers)
	for i := 0; i < helpers; i++ {
		select {
		case pool.jobs <- j:
		default: // every worker is busy: the goroutines already in take the remaining parts
		}
	}
	j.work(0)
	j.wg.Wait()
}

// job is one Parallel call. Workers that receive it after all its parts are taken return at once.
type job struct {
	run   func(worker, part int)
	parts int64
	next  atomic.Int64
	ids   atomic.Int64 // worker indices handed out to helpers (the caller is 0)
	wg    sync.WaitGroup
}

func (j *job) work(worker int) {
	for {
		i := j.next.Add(1) - 1
		if i >= j.parts {
			return
		}
		j.run(worker, int(i))
		j.wg.Done()
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
			}
		}()
	}
}
