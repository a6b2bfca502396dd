// Package env is gorl's environment contract: Gymnasium's Env API in Go, with its spaces,
// registry, wrappers, env checker and vector envs.
//
// # The contract
//
// An Env is one environment. Reset starts an episode and returns the first observation; Step
// applies an action and returns the next observation, the reward and the two ways an episode
// ends. ObservationSpace and ActionSpace describe the valid observations and actions, Render
// draws the current state into an *image.RGBA (or returns nil for an env that cannot draw),
// and Close releases what the env holds.
//
// The slices an env returns belong to the env and stay valid until its next Reset or Step:
// copy what you keep. That, and Info being nil when an env has nothing to report, is what lets
// envs and wrappers step without allocating, which the vector envs rely on to step millions of
// times a second. An action outside the action space is a contract violation and panics with a
// message that names it (envs whose Gymnasium originals clip Box actions clip them too). After
// an episode has ended the caller Resets; a Step before that must not panic, but its results
// are unspecified.
//
// Envs whose internal state can be read and written implement StateAccessor, as researchers
// use env.unwrapped.state in Gymnasium; Unwrapped reaches it under any wrappers.
//
// # Spaces and their flat representation
//
// Discrete, Box, MultiDiscrete and MultiBinary are Gymnasium's spaces. Every point of every
// space travels as a flat []float32 of length Dim(): a Discrete value is its index in one
// element, MultiDiscrete and MultiBinary values one integer per element, a Box value its
// elements in row-major order of Shape(). One representation for every space keeps vector envs,
// replay buffers and networks free of type switches. Sample draws with Gymnasium's
// distributions from a *rand.Rand the caller owns; Contains tells whether a slice is a point of
// the space; String prints the space as Gymnasium does, such as Box(-1.0, 1.0, (3,), float32).
//
// # Seeding
//
// Randomness comes only from the env's own generator, built with NewRand. Reset(seed) with a
// non-nil seed reseeds it (Gymnasium seeds only at reset); Reset(nil) continues the stream, and
// an env never seeded seeds itself from a random source. The same seed and the same actions
// therefore give a bit-identical trajectory, across Reset(nil) calls too. Spaces sample from a
// generator the caller passes, so that sampling actions never disturbs the env's stream.
//
// # Terminated and truncated
//
// Step reports two flags, never a bare done. terminated means the MDP reached a terminal state:
// the value of what follows is zero, so an agent must not bootstrap from the returned
// observation. truncated means something outside the MDP cut the episode, usually the
// TimeLimit wrapper that Make adds from the spec's MaxEpisodeSteps: the returned observation is
// a real state whose value an agent must bootstrap from. Both can be true at once. Time limits
// never live inside an env's dynamics, so MaxEpisodeSteps (or the max_episode_steps option)
// controls them in one place.
//
// # Vector envs and NEXT_STEP autoreset
//
// A VectorEnv steps N copies as one batch, with observations in one preallocated []float32 of
// N×obsDim and rewards and flags in slices of N. Copies reset themselves in NEXT_STEP mode,
// Gymnasium 1.x's default: the Step in which copy i ends an episode returns that episode's
// last observation with its flag set, so the caller can bootstrap from it; the following Step
// resets copy i instead of stepping it, ignores its action, and reports the new episode's first
// observation with reward 0 and neither flag set. EpisodeReturns and EpisodeLengths hold the
// return and length of the episodes that ended in the last Step. Reset(seed) seeds copy i with
// seed+i.
//
// SyncVector steps the copies in the caller's goroutine. ParallelVector splits them into
// contiguous blocks over persistent worker goroutines (GOMAXPROCS by default); each copy is
// stepped exactly as SyncVector steps it, so the results are the same for any worker count.
// MakeVector builds either from a registered ID, or the env's native batched implementation
// when its Spec has one. Neither allocates per Step.
//
// # Wrappers
//
// The wrappers are Gymnasium 1.x's: TimeLimit, RecordEpisodeStatistics, NormalizeObservation,
// NormalizeReward, ClipAction, RescaleAction, TransformObservation, TransformReward and
// FrameStack, plus NormalizeObservationVector and NormalizeRewardVector for vector envs. The
// normalizing wrappers keep their statistics in a RunningMeanStd (Gymnasium's, with its 1e-4
// initial count), which agents save with a checkpoint, freeze for evaluation and share between
// a training and an evaluation env; an agent can also normalize a whole batch with one
// RunningMeanStd directly. Wrappers embed the Env they wrap, implement Unwrapper, and do not
// allocate per step.
//
// # Checking an env
//
// Check validates any env as Gymnasium's env checker does: well-formed spaces, observations
// inside the observation space, finite rewards, bit-identical trajectories for the same seed
// and actions, different trajectories for different seeds, images of a stable size, a Step
// after the end that does not panic, and the StateAccessor round trip. It returns one error that
// names every failed check. Every env's tests call it.
//
// # Registering an env
//
// A package that defines envs registers them in an init function with Register and a Spec:
// Gymnasium's ID (bump the version when the dynamics change), short lowercase aliases for the
// CLI, a New function that builds the env from Options (checking them with CheckOptions and the
// *Option helpers, so that a misspelt option fails loudly), MaxEpisodeSteps, RewardThreshold
// (NaN when there is none) and default Kwargs. Make(id, options) then builds the env like
// gym.make: the spec's Kwargs overridden by the options, wrapped in the TimeLimit. An unknown
// ID is an error that names the closest registered IDs. Import
// github.com/gorl/gorl/env/all to register every built-in env.
package env
