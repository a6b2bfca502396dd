//go:build unix

package cputime

import (
	"runtime"
	"syscall"
	"time"
)

var lockOSThread, unlockOSThread = runtime.LockOSThread, runtime.UnlockOSThread

func process() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
