// Package work holds the measured workloads of the benchmark runner and the timing loop they
// share, so that the runner (in process) and its helper binaries (built with other tags, such as
// the OpenBLAS sgemm helper) time exactly the same code.
//
// # Timing
//
// Timed runs a workload in chunks until a minimum wall time has passed and reports the count of
// work units with the wall and CPU time they took. CPU time is the whole process's (user and
// system, every thread): on a shared machine, wall time also counts other processes' turns on
// the cores, CPU time does not, so units per CPU-second move much less with the load than units
// per second. For a workload that runs on several goroutines, CPU time also counts their spinning
// and waiting, so units per CPU-second then measure efficiency, not speed.
package work

import (
	"time"

	"github.com/gorl/gorl/internal/cputime"
)

// Sample is one timed run: Units of work done in Wall (and CPU, when CPUOK) time.
type Sample struct {
	Units float64
	Wall  time.Duration
	CPU   time.Duration
	CPUOK bool
}

// Rate returns units per wall-clock second.
func (s Sample) Rate() float64 { return s.Units / s.Wall.Seconds() }

// CPURate returns units per CPU-second, or 0 when the CPU time is unknown.
func (s Sample) CPURate() float64 {
	if !s.CPUOK || s.CPU <= 0 {
		return 0
	}
	return s.Units / s.CPU.Seconds()
}

// Timed calls chunk, which does some work and returns how many units it did, until minWall has
// passed (and at least once). Warm-up is the caller's business: call chunk before Timed.
func Timed(minWall time.Duration, chunk func() float64) Sample {
	cpu0 := cputime.Process()
	t0 := time.Now()
	var units float64
	for {
		units += chunk()
		if time.Since(t0) >= minWall {
			break
		}
	}
	wall := time.Since(t0)
	cpu1 := cputime.Process()
	return Sample{Units: units, Wall: wall, CPU: cpu1 - cpu0, CPUOK: cpu0 > 0 && cpu1 > cpu0}
}
