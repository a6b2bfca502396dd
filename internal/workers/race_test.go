//go:build race

package workers

// raceDetector is true in a -race build, where sync.Pool drops items at random, so allocation
// counts of the recycled jobs mean nothing.
const raceDetector = true
