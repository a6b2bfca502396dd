package env

// VectorEnv steps N copies of an env as one batch (Gymnasium's VectorEnv).
//
// # Layout
//
// Observations of all copies live in one preallocated []float32 of N×obsDim (copy i at
// [i*obsDim, (i+1)*obsDim)); actions come in the same layout, N×actDim (a Discrete action is its
// index); rewards and the two flags are slices of length N. The slices returned by Reset and Step
// belong to the vector env and are overwritten by the next call.
//
// # Autoreset
//
// Copies reset themselves in NEXT_STEP mode, Gymnasium 1.x's default: the step in which copy i
// ends its episode returns that episode's final observation with terminated[i] or truncated[i]
// set, so the caller can bootstrap from it; the next Step resets copy i instead of stepping it,
// ignores its action, and reports the first observation of the new episode with reward 0 and
// neither flag set. EpisodeReturns and EpisodeLengths give the return and length of the episode
// that copy i finished in the last Step, valid where terminated[i] || truncated[i].
//
// # Seeding
//
// Reset with a seed s seeds copy i with s+i, as Gymnasium does, so results do not depend on how
// the batch is split over goroutines.
//
// # Misuse
//
// A Step before the first Reset, a Step whose actions do not hold N×actDim values, and any use
// after Close panic with a message saying so; so does an invalid action, with the copy's own
// message. Close closes every copy and stops any goroutines; implementations allow a second
// Close.
type VectorEnv interface {
	NumEnvs() int
	SingleObservationSpace() Space
	SingleActionSpace() Space
	Reset(seed *uint64) (obs []float32)
	Step(actions []float32) (obs []float32, rewards []float64, terminated, truncated []bool)
	EpisodeReturns() []float64
	EpisodeLengths() []int
	Close() error
}
