package workers

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingTask counts the runs of each part, and fails when a worker index is out of range or
// two parts run at once under the same index.
type countingTask struct {
	threads int
	runs    []atomic.Int32
	busy    []atomic.Bool
	bad     atomic.Value // string: the first violation
}

func newCountingTask(threads, parts int) *countingTask {
	return &countingTask{threads: threads, runs: make([]atomic.Int32, parts), busy: make([]atomic.Bool, threads)}
}

func (c *countingTask) Run(worker, part int) {
	if worker < 0 || worker >= c.threads {
		c.bad.CompareAndSwap(nil, fmt.Sprintf("worker %d out of [0, %d)", worker, c.threads))
		return
	}
	if !c.busy[worker].CompareAndSwap(false, true) {
		c.bad.CompareAndSwap(nil, fmt.Sprintf("worker %d ran two parts at once", worker))
	}
	c.runs[part].Add(1)
	for i := 0; i < 200*(part%3); i++ { // uneven parts, some long enough to be stolen
		runtime.Gosched()
	}
	c.busy[worker].Store(false)
}

// TestTeamRunsEveryPartOnce: every split call runs each part exactly once, with worker indices
// in range and never shared by two running parts; between bursts of calls the helpers park
// (pauses longer than spinIdle) and are woken by the next call.
func TestTeamRunsEveryPartOnce(t *testing.T) {
	for _, c := range []struct{ threads, parts int }{{2, 2}, {2, 16}, {3, 7}, {4, 16}} {
		t.Run(fmt.Sprintf("threads=%d/parts=%d", c.threads, c.parts), func(t *testing.T) {
			task := newCountingTask(c.threads, c.parts)
			tm := newTeam(c.threads, c.parts)
			calls := 0
			for burst := range 6 {
				for range 50 {
					tm.run(c.threads, c.parts, task)
					calls++
					if burst%2 == 1 {
						tm.run(1, c.parts, task) // a serial call in between, as the Splitter's
						calls++
					}
				}
				time.Sleep(2 * spinIdle)
			}
			if bad := task.bad.Load(); bad != nil {
				t.Fatal(bad)
			}
			for p := range task.runs {
				if got := task.runs[p].Load(); got != int32(calls) {
					t.Fatalf("part %d ran %d times in %d calls", p, got, calls)
				}
			}
		})
	}
}

// TestTeamHomeRanges: the home ranges cut the parts into contiguous ranges that cover each once.
func TestTeamHomeRanges(t *testing.T) {
	for _, c := range []struct{ threads, parts int }{{2, 2}, {2, 16}, {3, 7}, {4, 5}, {8, 3}} {
		tm := newTeam(c.threads, c.parts)
		next := 0
		for h := range tm.threads {
			lo, hi := tm.home(h)
			if lo != next || hi < lo {
				t.Fatalf("%+v: goroutine %d's home is [%d, %d) after %d", c, h, lo, hi, next)
			}
			next = hi
		}
		if next != c.parts || tm.threads > c.parts {
			t.Fatalf("%+v: homes end at %d with %d goroutines", c, next, tm.threads)
		}
	}
}

// TestTeamHelpersExitWhenIdle: a team's helpers exit after idleExit without a call, and the
// next call starts them again.
func TestTeamHelpersExitWhenIdle(t *testing.T) {
	task := newCountingTask(3, 6)
	tm := newTeam(3, 6)
	tm.run(3, 6, task)
	// A helper's flag is set before its goroutine starts and cleared as it returns. (Counting
	// goroutines instead would see other tests' teams exit meanwhile.)
	if !tm.helpers[1].alive.Load() || !tm.helpers[2].alive.Load() {
		t.Fatalf("helpers alive %v, %v after a call on 3 goroutines; want both", tm.helpers[1].alive.Load(), tm.helpers[2].alive.Load())
	}
	deadline := time.Now().Add(idleExit + 2*time.Second)
	for (tm.helpers[1].alive.Load() || tm.helpers[2].alive.Load()) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if tm.helpers[1].alive.Load() || tm.helpers[2].alive.Load() {
		t.Fatalf("helpers still alive %v after the last call", idleExit+2*time.Second)
	}
	tm.run(3, 6, task)
	if !tm.helpers[1].alive.Load() && !tm.helpers[2].alive.Load() {
		t.Error("no helper restarted by a call after they exited")
	}
	for p := range task.runs {
		if got := task.runs[p].Load(); got != 2 {
			t.Fatalf("part %d ran %d times in 2 calls", p, got)
		}
	}
}

// TestTeamRunDoesNotAllocate: a split call allocates nothing once the helpers run.
func TestTeamRunDoesNotAllocate(t *testing.T) {
	task := &sumTask{}
	tm := newTeam(2, 4)
	tm.run(2, 4, task)
	if a := testing.AllocsPerRun(200, func() { tm.run(2, 4, task) }); a != 0 && !raceDetector {
		t.Errorf("%.1f allocations per call, want 0", a)
	}
}

// TestTeamRejectsOtherParts: a team runs only calls of the part count it was made for (its
// claim words are per part).
func TestTeamRejectsOtherParts(t *testing.T) {
	tm := newTeam(2, 4)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "team of 4 parts asked to run 5") {
			t.Errorf("recovered %v, want the team's part-count panic", r)
		}
	}()
	tm.run(2, 5, &sumTask{})
}
