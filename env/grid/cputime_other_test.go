//go:build !linux

package grid_test

import "time"

// threadCPU is not available here: the benchmarks report wall-clock throughput only.
func threadCPU() time.Duration { return 0 }

func lockThread() func() { return func() {} }
