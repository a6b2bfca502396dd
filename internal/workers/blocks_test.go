package workers

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// TestBlocksCoverEveryItemOnce: every item is processed exactly once by each pass, by the pass
// asked for, for any thread and part count, including more parts than items.
func TestBlocksCoverEveryItemOnce(t *testing.T) {
	for _, c := range []struct{ n, parts, threads int }{{1, 1, 1}, {10, 3, 2}, {100, 16, 4}, {5, 64, 2}, {333, 16, 3}} {
		t.Run(fmt.Sprintf("n=%d/parts=%d/threads=%d", c.n, c.parts, c.threads), func(t *testing.T) {
			steps, resets := make([]atomic.Int32, c.n), make([]atomic.Int32, c.n)
			mark := func(count []atomic.Int32) func(lo, hi int) {
				return func(lo, hi int) {
					for i := lo; i < hi; i++ {
						count[i].Add(1)
					}
				}
			}
			b := NewBlocks(c.n, c.parts, c.threads, mark(steps), mark(resets))
			if b.Parts() > c.n || b.Parts() < 1 {
				t.Fatalf("Parts() = %d for %d items", b.Parts(), c.n)
			}
			b.Reset()
			for k := 0; k < 20; k++ { // enough Steps for the Splitter to try both ways
				b.Step()
			}
			for i := range c.n {
				if r, s := resets[i].Load(), steps[i].Load(); r != 1 || s != 20 {
					t.Fatalf("item %d: %d resets and %d steps, want 1 and 20", i, r, s)
				}
			}
		})
	}
}

// TestBlocksRaiseTheLowestPanic: a panic in a block comes back in the caller with the lowest
// block's value, whatever the threads, and the next pass starts clean.
func TestBlocksRaiseTheLowestPanic(t *testing.T) {
	for _, threads := range []int{1, 2, 4} {
		var failing atomic.Bool
		failing.Store(true)
		step := func(lo, hi int) {
			if failing.Load() && (lo <= 30 && 30 < hi || lo <= 70 && 70 < hi) {
				panic(fmt.Sprintf("item %d", max(lo, 30)))
			}
		}
		b := NewBlocks(100, 10, threads, step, step)
		for _, pass := range []func(){b.Step, b.Reset} {
			got := func() (r any) {
				defer func() { r = recover() }()
				pass()
				return nil
			}()
			if got != "item 30" {
				t.Errorf("threads %d: recovered %v, want the lowest block's panic \"item 30\"", threads, got)
			}
		}
		failing.Store(false)
		b.Step() // must not re-raise the recorded panics
		b.Reset()
	}
}

func TestBlocksStepDoesNotAllocate(t *testing.T) {
	var sum atomic.Int64
	add := func(lo, hi int) { sum.Add(int64(hi - lo)) }
	b := NewBlocks(1024, 16, 2, add, add)
	b.Step()
	if a := testing.AllocsPerRun(100, b.Step); a != 0 && !raceDetector {
		t.Errorf("%.1f allocations per Step, want 0", a)
	}
}
