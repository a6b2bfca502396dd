package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Threads returns how many goroutines Run may use by default: GOMAXPROCS. It takes the
// scheduler's lock (tens of ns, contended when many goroutines ask): call it only once the work
// is known to be large enough to split.
func Threads() int { return runtime.GOMAXPROCS(0) }

// Task is work split into parts for Run.
type Task interface {
	// Run does one part. worker identifies the goroutine (see Run).
	Run(worker, part int)
}

// Run calls t.Run(worker, part) for every part in [0, parts), on the caller's goroutine and up
// to threads−1 pool workers, and returns when all calls have returned. worker is in
// [0, min(threads, parts)) and no two concurrent calls share it, so Run may use per-worker
// scratch indexed by it; the caller's goroutine is worker 0. With threads ≤ 1 or a single part,
// everything runs on the caller's goroutine in order. It allocates nothing in steady state (t is
// typically a pointer to a pooled struct).
func Run(threads, parts int, t Task) {
	helpers := min(threads, parts, maxWorkers+1) - 1
	if helpers <= 0 {
		for i := 0; i < parts; i++ {
			t.Run(0, i)
		}
		return
	}
	if int64(parts) >= closed {
		panic("workers: too many parts")
	}
	j := jobs.Get().(*job)
	gen := uint32(j.state.Load()>>32) + 1
	// Close the new generation before touching the fields: a worker still holding an entry of
	// the previous one can then no longer claim a part (its compare-and-swap fails).
	j.state.Store(uint64(gen)<<32 | closed)
	j.task = t
	j.parts.Store(int64(parts))
	j.ids.Store(0)
	j.left.Store(int64(parts))
	j.wg.Add(parts)
	j.state.Store(uint64(gen) << 32) // open: part 0 is next
	startWorkers(helpers)
	for i := 0; i < helpers; i++ {
		select {
		case pool.jobs <- entry{j, gen}:
		default: // the queue is full: the goroutines already in take the remaining parts
		}
	}
	j.work(gen, 0)
	j.awaitParts()
	j.wg.Wait()
	j.task = nil
	jobs.Put(j)
}

// job is the state of one Run call, recycled for the next as soon as its caller returns. The
// queue holds (job, generation) entries; a worker that receives an entry after its call has
// returned (late, or queued behind other work) finds another generation in state and drops it.
// The caller therefore never waits for a late worker, and the job goes back to its pool at
// once: with reference counting instead, a job stayed out of the pool until its late workers had
// run, and the next call allocated a new one (always, when the caller kept the only core).
type job struct {
	// state is the generation (high 32 bits) and the next part to hand out (low 32 bits,
	// closed while the caller fills in the fields): claiming a part is a compare-and-swap that
	// checks both at once.
	state atomic.Uint64
	parts atomic.Int64 // atomic because a late worker may read it while the next call writes it
	task  Task         // read only by goroutines that claimed a part of the current generation
	ids   atomic.Int64 // worker indices handed out to helpers (the caller is 0)
	left  atomic.Int64 // parts not finished yet, for awaitParts
	wg    sync.WaitGroup
}

// awaitParts spins for up to spinFor while the parts that workers took are running, so that
// the caller, done with its own parts, returns the moment they finish: parking in wg.Wait
// instead means being woken by the last worker and rescheduled, which on a virtual machine
// costs as long as a small job. Parts in flight are running on another goroutine, so the spin
// is short; if one takes longer (its thread preempted), the caller parks.
func (j *job) awaitParts() {
	if j.left.Load() == 0 {
		return
	}
	start := time.Now()
	for k := 1; j.left.Load() > 0; k++ {
		if k&15 == 0 && time.Since(start) > spinFor {
			return
		}
		runtime.Gosched()
	}
}

// closed is the part index of a generation being set up: no part is that large.
const closed = 1<<32 - 1

// entry is one invitation to help with a job, for one generation of it.
type entry struct {
	j   *job
	gen uint32
}

var jobs = sync.Pool{New: func() any { return new(job) }}

// work claims and runs parts of generation gen until none is left. worker < 0 means a pool
// worker that gets its index with its first part.
func (j *job) work(gen uint32, worker int) {
	for {
		v := j.state.Load()
		if uint32(v>>32) != gen {
			return // a later call owns the job now
		}
		i := int64(uint32(v))
		if i >= j.parts.Load() {
			return
		}
		if !j.state.CompareAndSwap(v, v+1) {
			continue
		}
		if worker < 0 {
			worker = int(j.ids.Add(1))
		}
		j.task.Run(worker, int(i))
		j.left.Add(-1)
		j.wg.Done() // after the last Done, the job may be reused: touch nothing but state
	}
}

// maxWorkers bounds the pool (and the job queue).
const maxWorkers = 256

// idleExit is how long a pool worker waits for a job before it exits. A program that stops
// using the pool (a closed vector env, a finished training run) is left with no goroutine after
// it; one that calls Run again restarts the workers, which costs a goroutine start each, nothing
// next to that pause. It is far longer than any gap between the steps of a training loop or the
// frames of the viewer, so steady use never restarts a worker.
const idleExit = 250 * time.Millisecond

// spinFor is how long a caller that has run out of parts spins while workers finish the
// parts they took, before it parks (see awaitParts).
const spinFor = 50 * time.Microsecond

var pool struct {
	once    sync.Once
	jobs    chan entry
	mu      sync.Mutex
	started atomic.Int64 // workers running (each decrements it under mu as it exits)
}

// startWorkers makes sure at least n pool workers exist.
func startWorkers(n int) {
	pool.once.Do(func() { pool.jobs = make(chan entry, maxWorkers) })
	if pool.started.Load() >= int64(n) {
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for pool.started.Load() < int64(n) {
		pool.started.Add(1)
		go serve()
	}
}

// serve is a pool worker: it runs the jobs it receives until it has waited idleExit for one.
// It parks as soon as the queue is empty: polling it for a while first (so that the next job
// finds it awake) was measured on the shared 2-core machine and did not pay, the caller's own
// short spin in awaitParts did. A worker that exits while a caller counts on it costs that
// caller nothing but the help: the caller runs every part nobody takes, and the entry waits in
// the queue for the next worker, which drops it (its generation is over).
func serve() {
	idle := time.NewTimer(idleExit)
	defer idle.Stop()
	for {
		idle.Reset(idleExit) // Go ≥ 1.23 timers: no stale tick can be left in idle.C
		select {
		case e := <-pool.jobs:
			e.j.work(e.gen, -1)
		case <-idle.C:
			// A job and the timer can be ready together (this goroutine was not scheduled
			// for a while): the job wins, so that a busy pool does not restart its workers.
			select {
			case e := <-pool.jobs:
				e.j.work(e.gen, -1)
				continue
			default:
			}
			pool.mu.Lock()
			pool.started.Add(-1)
			pool.mu.Unlock()
			return
		}
	}
}
