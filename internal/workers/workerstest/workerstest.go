// Package workerstest checks, from the outside, that users of the internal/workers pool leave no
// goroutine behind: the vector envs' tests step on several workers, close, and wait for the
// pool's workers to exit after idling.
package workerstest

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Count returns the number of the pool's worker goroutines and of the helpers of the Blocks'
// teams (which split vector envs' Steps), from a dump of every stack.
func Count() int {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	// By creator: a goroutine that has not started yet shows only a wrapper frame, but every
	// goroutine's stack ends with the function that started it.
	return strings.Count(stacks, "created by github.com/gorl/gorl/internal/workers.startWorkers") +
		strings.Count(stacks, "created by github.com/gorl/gorl/internal/workers.(*team).run")
}

// AwaitNone waits up to timeout for every pool worker and team helper to exit and fails t if
// some remain.
func AwaitNone(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for Count() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := Count(); n > 0 {
		t.Errorf("%d pool workers %v after the last use; want none", n, timeout)
	}
}
