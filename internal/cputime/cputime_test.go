package cputime

import (
	"runtime"
	"testing"
	"time"
)

// spin burns about d of CPU time on the calling thread.
func spin(d time.Duration) {
	x := 1.0
	for start := time.Now(); time.Since(start) < d; {
		for i := 0; i < 1000; i++ {
			x = x*1.0000001 + 1e-9
		}
	}
	sink = x
}

var sink float64

func TestProcessAndThreadAdvance(t *testing.T) {
	p0 := Process()
	if p0 == 0 {
		t.Skip("no process CPU time on " + runtime.GOOS)
	}
	defer LockThread()()
	t0 := Thread()
	spin(50 * time.Millisecond)
	p1 := Process()
	// The loop held a core for 50 ms of wall time; on a loaded machine it may have had less
	// of it, but never none, and the process's time includes the thread's.
	if d := p1 - p0; d <= 0 {
		t.Errorf("process CPU advanced %v over a 50 ms busy loop", d)
	}
	if t0 == 0 {
		if runtime.GOOS == "linux" {
			t.Error("Thread reports no CPU time on Linux")
		}
		return
	}
	t1 := Thread()
	if d := t1 - t0; d <= 0 || d > p1-p0+10*time.Millisecond {
		t.Errorf("thread CPU advanced %v, process %v: want 0 < thread ≤ process", d, p1-p0)
	}
}
