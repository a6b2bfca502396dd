// Package cputime reads the CPU time a process or a thread has used. gorl's benchmarks report
// throughput per CPU-second beside the wall-clock rate: on a shared machine the wall clock also
// counts the time other processes hold the cores, the CPU time much less. It is the one place
// the benchmarks of every package (and the benchmarks runner) get it from.
package cputime

import "time"

// Process returns the user and system CPU time the process has used so far, summed over all its
// threads: 0 on a platform that does not report it (every Unix does), so a caller reports a
// CPU figure only when the difference of two readings is positive.
func Process() time.Duration { return process() }

// Thread returns the user and system CPU time of the calling OS thread, or 0 where the platform
// does not report it (Linux does). The caller must hold its thread between two readings, or they
// may come from different threads: LockThread does that.
func Thread() time.Duration { return thread() }

// LockThread wires the calling goroutine to its OS thread, so that Thread readings around a
// single-threaded loop measure that loop, and returns the function that undoes it:
//
//	defer cputime.LockThread()()
func LockThread() (unlock func()) {
	lockOSThread()
	return unlockOSThread
}
