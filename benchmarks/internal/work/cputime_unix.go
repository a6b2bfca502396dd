//go:build unix

package work

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user and system CPU time the process has used so far, summed over all
// its threads, and whether the platform reports it.
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
