//go:build !unix

package classic_test

import "time"

// processCPU is not available here: the benchmarks report wall-clock rates only.
func processCPU() (time.Duration, bool) { return 0, false }
