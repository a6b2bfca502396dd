//go:build !unix

package work

import "time"

// ProcessCPU is not available on this platform: the runner reports wall-clock figures only.
func ProcessCPU() (time.Duration, bool) { return 0, false }
