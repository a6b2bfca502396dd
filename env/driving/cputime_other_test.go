//go:build !linux

package driving

import "time"

// threadCPU is unavailable off Linux: the benchmarks then report wall-clock throughput only.
func threadCPU() time.Duration { return 0 }

func lockThread() func() { return func() {} }
