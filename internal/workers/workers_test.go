package workers

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// drainQueue waits until the workers have taken every queued entry (the stale ones that earlier
// tests left behind, after AllocsPerRun ran them with GOMAXPROCS 1): with a full queue, Run sends
// no invitation and the caller runs every part itself, which a test that needs two parts to run
// at once must rule out.
func drainQueue() {
	startWorkers(1)
	for len(pool.jobs) > 0 {
		runtime.Gosched()
	}
}

func TestRun(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		for _, parts := range []int{0, 1, 2, 5, 100} {
			t.Run(fmt.Sprintf("threads%d/parts%d", threads, parts), func(t *testing.T) {
				done := make([]atomic.Int32, parts)
				busy := make([]atomic.Int32, max(threads, 1))
				Run(threads, parts, taskFunc(func(w, p int) {
					if w < 0 || w >= max(1, min(threads, parts)) {
						t.Errorf("worker index %d out of range", w)
						return
					}
					if busy[w].Add(1) != 1 {
						t.Errorf("worker index %d used by two goroutines at once", w)
					}
					done[p].Add(1)
					busy[w].Add(-1)
				}))
				for p := range done {
					if n := done[p].Load(); n != 1 {
						t.Errorf("part %d ran %d times", p, n)
					}
				}
			})
		}
	}
}

// taskFunc adapts a function to Task.
type taskFunc func(worker, part int)

func (f taskFunc) Run(worker, part int) { f(worker, part) }

type sumTask struct{ sums [4]atomic.Int64 }

func (s *sumTask) Run(w, p int) { s.sums[w].Add(int64(p)) }

func (s *sumTask) total() int64 {
	var n int64
	for i := range s.sums {
		n += s.sums[i].Load()
	}
	return n
}

// TestRunDoesNotAllocate: with a pointer task, neither the serial nor the parallel path
// allocates once warm (the job is recycled).
func TestRunDoesNotAllocate(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	task := &sumTask{}
	for _, threads := range []int{1, 2} {
		Run(threads, 10, task)
		if a := testing.AllocsPerRun(100, func() { Run(threads, 10, task) }); a != 0 {
			t.Errorf("Run on %d threads: %.1f allocations, want 0", threads, a)
		}
	}
	if got := task.total(); got != 2*102*45 { // AllocsPerRun calls once more to warm up
		t.Errorf("parts summed to %d, want %d", got, 2*102*45)
	}
}

// TestRunStress runs many short jobs back to back, so that workers receive entries of jobs
// that have already been recycled and reused (run it with -race): every part runs once per call,
// with a worker index within the call's bound.
func TestRunStress(t *testing.T) {
	task := &sumTask{}
	var bad atomic.Int64
	check := taskFunc(func(w, p int) {
		if w >= 3 {
			bad.Add(1)
		}
		task.Run(w, p)
	})
	for range 2000 {
		Run(4, 3, check)
	}
	if got := task.total(); got != 2000*3 {
		t.Errorf("parts summed to %d, want %d", got, 2000*3)
	}
	if bad.Load() != 0 {
		t.Errorf("%d parts ran with a worker index ≥ 3 (3 parts a call)", bad.Load())
	}
}

// TestRunConcurrentCallers: goroutines sharing the pool (inference graphs on several
// goroutines) each get all their parts run, with worker indices of their own job.
func TestRunConcurrentCallers(t *testing.T) {
	done := make(chan int64)
	for range 4 {
		go func() {
			task := &sumTask{}
			for range 500 {
				Run(2, 5, task)
			}
			done <- task.total()
		}()
	}
	for range 4 {
		if got := <-done; got != 500*10 {
			t.Errorf("a caller's parts summed to %d, want %d", got, 500*10)
		}
	}
}

// TestRunsPartsConcurrently: two parts that each wait for the other can only finish if the
// pool runs them at the same time, on the caller's goroutine and a worker.
func TestRunsPartsConcurrently(t *testing.T) {
	drainQueue()
	var arrived sync.WaitGroup
	arrived.Add(2)
	done := make(chan struct{})
	go func() {
		Run(2, 2, taskFunc(func(int, int) {
			arrived.Done()
			arrived.Wait()
		}))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the two parts never ran at the same time")
	}
}

// TestNestedRun: tasks that themselves call Run (a parallel product inside a parallel
// convolution) finish even when every worker is busy with the outer call.
func TestNestedRun(t *testing.T) {
	var total atomic.Int64
	done := make(chan struct{})
	go func() {
		Run(3, 6, taskFunc(func(_, p int) {
			inner := &sumTask{}
			Run(3, 4, inner)
			total.Add(inner.total() + int64(p))
		}))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("nested Run calls deadlocked")
	}
	if got, want := total.Load(), int64(6*6+15); got != want {
		t.Errorf("nested parts summed to %d, want %d", got, want)
	}
}

// TestIdleWorkersExit: workers exit after idleExit without a job, so a program that stops
// calling Run keeps no goroutine, and the next Run starts them again and still runs parts on
// two goroutines at once.
func TestIdleWorkersExit(t *testing.T) {
	Run(3, 6, &sumTask{})
	if n := pool.started.Load(); n < 2 {
		t.Fatalf("%d workers after a Run on 3 threads; want at least 2", n)
	}
	deadline := time.Now().Add(10 * idleExit)
	for pool.started.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(idleExit / 10)
	}
	if n := pool.started.Load(); n != 0 {
		t.Fatalf("%d workers still running after %v idle", n, 10*idleExit)
	}
	TestRunsPartsConcurrently(t)
}
