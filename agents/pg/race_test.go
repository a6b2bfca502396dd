//go:build race

package pg

// raceEnabled tells allocation tests that the race detector's bookkeeping is on (it allocates).
const raceEnabled = true
