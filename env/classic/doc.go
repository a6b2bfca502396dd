// Package classic provides Gymnasium's five classic-control tasks with Gymnasium 1.4's exact
// dynamics: CartPole-v1, MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1 and Pendulum-v1,
// and a native batched CartPole for vector training.
//
// # Using the envs
//
// The package registers its envs with the env registry in init; import it (or
// github.com/gorl/gorl/env/all) and make them by Gymnasium ID or CLI alias:
//
//	e, err := env.Make("CartPole-v1", nil) // or "cartpole"; wrapped in a 500-step TimeLimit
//	obs, _ := e.Reset(env.Seed(42))
//	obs, reward, terminated, truncated, _ := e.Step([]float32{1})
//
// The constructors (NewCartPole, NewMountainCar, ...) return the unwrapped env, without the
// spec's TimeLimit. Options are Gymnasium's keyword arguments: sutton_barto_reward for
// CartPole, goal_velocity for both mountain cars, g for Pendulum, and book_or_nips and
// torque_noise_max for Acrobot (attributes of the unwrapped env in Gymnasium). An unknown
// option is an error.
//
// # Fidelity
//
// Each task's physics is one pure function of the state, the action and the constants,
// written operation for operation as
// Gymnasium's Python computes it: the same order of floating-point operations, constants
// derived at run time as Python derives them, explicit float64 conversions where Python rounds a
// product before adding it (so the Go compiler cannot fuse them), and the float32 roundings
// Gymnasium performs (MountainCarContinuous stores its state in float32 after every step,
// Acrobot rounds its reset state to float32). The conformance test in env/all replays
// thousands of transitions recorded from Gymnasium 1.4 through these envs and finds every state
// within 1e-12 (the remaining differences are the last bit of Go's sin and cos against glibc's),
// every observation and flag identical.
//
// Reset distributions are Gymnasium's; the random numbers come from the env's own generator
// (env.NewRand), so a seed gives the same trajectory in gorl every time but not the one it gives
// in Gymnasium.
//
// # State
//
// Every env implements env.StateAccessor with the state Gymnasium keeps in env.unwrapped.state,
// in Gymnasium's order: (x, x_dot, theta, theta_dot) for CartPole, (position, velocity) for the
// mountain cars, (theta1, theta2, dtheta1, dtheta2) for Acrobot and (theta, thetadot) for
// Pendulum. SetState then Step is a one-step model of the task.
//
// # Batched CartPole
//
// CartPoleVector steps N CartPoles as one batch (struct-of-arrays state, one flat observation
// buffer, NEXT_STEP autoreset, the 500-step limit built in), optionally split over persistent
// worker goroutines, with the physics function the scalar CartPole uses. env.MakeVector
// ("CartPole-v1", n, opts, workers) returns it.
//
// # Rendering
//
// Render draws the frame Gymnasium's pygame renderer draws (600×400 for CartPole and the
// mountain cars, 500×500 for Acrobot and Pendulum) with env/render, into an image the env
// reuses; no render mode needs choosing.
//
// # Speed
//
// Step allocates nothing: observations are written into a buffer the env owns (valid until the
// next Step or Reset), and the hot paths make no interface calls. The benchmarks
// (go test -bench . ./env/classic) report steps per second.
package classic
