//go:build !race

package env

// raceEnabled tells allocation tests that the race detector's bookkeeping is on.
const raceEnabled = false
