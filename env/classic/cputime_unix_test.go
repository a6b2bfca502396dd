//go:build unix

package classic_test

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used so far, so that the
// benchmarks can report CPU time per step: on a shared machine the wall-clock rate depends on
// what else is running, the CPU time per step much less.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
