//go:build unix

package gemm

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used. On this shared 2-core machine a benchmark's
// wall time also counts the time other processes hold the cores; benchmarks report CPU time
// beside it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
