//go:build race

package gemm

// raceDetector is true in a -race build, where sync.Pool drops items at random, so allocation
// counts of the recycled tasks mean nothing.
const raceDetector = true
