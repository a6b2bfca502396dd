package classic

import (
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// mountainCarParams are the constants of both mountain-car tasks, named as in Gymnasium.
type mountainCarParams struct {
	minPosition, maxPosition, maxSpeed float64
	goalPosition, goalVelocity         float64
	force, gravity                     float64 // MountainCar-v0
	power                              float64 // MountainCarContinuous-v0
	minAction, maxAction               float64 // MountainCarContinuous-v0
}

// mountainCarStateNames are the state components in Gymnasium's order.
var mountainCarStateNames = []string{"position", "velocity"}

// mountainCarStep is MountainCar-v0's physics: one step from (position, velocity) with action 0
// (accelerate left), 1 (none) or 2 (right), followed by Gymnasium's clipping and inelastic left
// wall; it also reports whether the new state is terminal. The arithmetic is Gymnasium's
// MountainCarEnv.step operation for operation.
func mountainCarStep(p *mountainCarParams, s [2]float64, action int) (next [2]float64, terminated bool) {
	position, velocity := s[0], s[1]
	velocity += float64(float64(action-1)*p.force) + float64(math.Cos(3*position)*(-p.gravity))
	velocity = clip(velocity, -p.maxSpeed, p.maxSpeed)
	position += velocity
	position = clip(position, p.minPosition, p.maxPosition)
	if position == p.minPosition && velocity < 0 {
		velocity = 0
	}
	terminated = position >= p.goalPosition && velocity >= p.goalVelocity
	return [2]float64{position, velocity}, terminated
}

// mountainCarContinuousStep is MountainCarContinuous-v0's physics: one step from (position,
// velocity) with the force action (clipped to [-1, 1] here, as Gymnasium does). Gymnasium
// computes in float64, decides termination, and then stores the state as float32; next is that
// float32-rounded state, terminated is decided before the rounding.
func mountainCarContinuousStep(p *mountainCarParams, s [2]float64, action float64) (next [2]float64, terminated bool) {
	position, velocity := s[0], s[1]
	force := clip(action, p.minAction, p.maxAction)
	velocity += float64(force*p.power) - float64(0.0025*math.Cos(3*position))
	if velocity > p.maxSpeed {
		velocity = p.maxSpeed
	}
	if velocity < -p.maxSpeed {
		velocity = -p.maxSpeed
	}
	position += velocity
	if position > p.maxPosition {
		position = p.maxPosition
	}
	if position < p.minPosition {
		position = p.minPosition
	}
	if position == p.minPosition && velocity < 0 {
		velocity = 0
	}
	terminated = position >= p.goalPosition && velocity >= p.goalVelocity
	return [2]float64{float64(float32(position)), float64(float32(velocity))}, terminated
}

// mountainCarObservationSpace is Gymnasium's ([-1.2, 0.6] × [-0.07, 0.07] in float32) for both
// tasks.
func mountainCarObservationSpace(p *mountainCarParams) *env.Box {
	return env.NewBox(
		[]float32{float32(p.minPosition), float32(-p.maxSpeed)},
		[]float32{float32(p.maxPosition), float32(p.maxSpeed)})
}

// mountainCarReset draws Gymnasium's starting state: position uniform in [-0.6, -0.4),
// velocity 0.
func mountainCarReset(r *rand.Rand) [2]float64 {
	return [2]float64{uniform(r, -0.6, -0.4), 0}
}

// MountainCar is MountainCar-v0: an under-powered car must rock back and forth to climb a hill.
//
// # Description
//
// The Mountain Car MDP is a deterministic MDP that consists of a car placed stochastically at
// the bottom of a sinusoidal valley, with the only possible actions being the accelerations
// that can be applied to the car in either direction. The goal of the MDP is to strategically
// accelerate the car to reach the goal state on top of the right hill. This is the version
// with discrete actions (see MountainCarContinuous for the other); it first appeared in Andrew
// Moore's PhD thesis (1990). The dynamics are Gymnasium 1.4's MountainCarEnv:
//
//	velocity' = velocity + (action - 1)·force - cos(3·position)·gravity, clipped to [-0.07, 0.07]
//	position' = position + velocity', clipped to [-1.2, 0.6]
//
// with force = 0.001 and gravity = 0.0025. The collision with the left wall is inelastic: the
// velocity is set to 0 when the car is at -1.2 moving left.
//
// # Action Space
//
// Discrete(3):
//
//   - 0: accelerate to the left
//   - 1: don't accelerate
//   - 2: accelerate to the right
//
// # Observation Space
//
// Box of shape (2,), float32:
//
//	| Num | Observation                          | Min   | Max  | Unit         |
//	|-----|--------------------------------------|-------|------|--------------|
//	| 0   | position of the car along the x-axis | -1.2  | 0.6  | position (m) |
//	| 1   | velocity of the car                  | -0.07 | 0.07 | velocity (v) |
//
// # Rewards
//
// -1 for every step; the reward threshold is -110.
//
// # Starting State
//
// The position is drawn uniformly from [-0.6, -0.4]; the velocity is 0.
//
// # Episode End
//
//  1. Termination: the position is at least 0.5 (the flag on top of the right hill) and the
//     velocity at least goal_velocity.
//  2. Truncation: the episode reaches 200 steps (the TimeLimit that env.Make adds).
//
// # Arguments
//
//	env.Make("MountainCar-v0", env.Options{"goal_velocity": 0.0})
//
// goal_velocity (number, default 0) is the minimum velocity at the goal for termination.
//
// # Version History
//
//   - v0: initial version.
//
// # State
//
// MountainCar implements env.StateAccessor with the state (position, velocity) in float64.
type MountainCar struct {
	p        mountainCarParams
	state    [2]float64
	ready    bool
	rng      *rand.Rand
	obs      [2]float32
	obsSpace *env.Box
	canvas   *render.Canvas
	hill     []render.Point // the valley polyline in pixels, computed on the first Render
}

var (
	_ env.Env           = (*MountainCar)(nil)
	_ env.StateAccessor = (*MountainCar)(nil)
)

// NewMountainCar returns an unwrapped MountainCar-v0. The only option is goal_velocity.
func NewMountainCar(opts env.Options) (*MountainCar, error) {
	if err := env.CheckOptions(opts, "goal_velocity"); err != nil {
		return nil, err
	}
	gv, err := env.FloatOption(opts, "goal_velocity", 0)
	if err != nil {
		return nil, err
	}
	p := mountainCarParams{minPosition: -1.2, maxPosition: 0.6, maxSpeed: 0.07, goalPosition: 0.5,
		goalVelocity: gv, force: 0.001, gravity: 0.0025}
	return &MountainCar{p: p, obsSpace: mountainCarObservationSpace(&p)}, nil
}

// Reset puts the car at rest at a position drawn uniformly from [-0.6, -0.4].
func (e *MountainCar) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	e.state = mountainCarReset(e.rng)
	e.ready = true
	return e.observe(), nil
}

// Step accelerates left (0), not at all (1) or right (2) for one step.
func (e *MountainCar) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("MountainCar", e.ready)
	a := discreteAction("MountainCar", action, 3)
	var terminated bool
	e.state, terminated = mountainCarStep(&e.p, e.state, a)
	return e.observe(), -1, terminated, false, nil
}

func (e *MountainCar) observe() []float32 {
	e.obs[0], e.obs[1] = float32(e.state[0]), float32(e.state[1])
	return e.obs[:]
}

func (e *MountainCar) ObservationSpace() env.Space { return e.obsSpace }
func (e *MountainCar) ActionSpace() env.Space      { return env.NewDiscrete(3) }
func (e *MountainCar) Close() error                { return nil }

// State returns (position, velocity).
func (e *MountainCar) State() []float64 { return append([]float64(nil), e.state[:]...) }

// SetState sets (position, velocity).
func (e *MountainCar) SetState(state []float64) error {
	if err := checkState("MountainCar", state, mountainCarStateNames); err != nil {
		return err
	}
	copy(e.state[:], state)
	e.ready = true
	return nil
}

// MountainCarContinuous is MountainCarContinuous-v0: the mountain car with a continuous force.
//
// # Description
//
// The Mountain Car MDP is a deterministic MDP that consists of a car placed stochastically at
// the bottom of a sinusoidal valley, with the only possible actions being the accelerations
// that can be applied to the car in either direction. The goal of the MDP is to strategically
// accelerate the car to reach the goal state on top of the right hill. This is the version
// with continuous actions; the dynamics are Gymnasium 1.4's Continuous_MountainCarEnv:
//
//	velocity' = velocity + force·power - 0.0025·cos(3·position), clipped to [-0.07, 0.07]
//	position' = position + velocity', clipped to [-1.2, 0.6]
//
// where force is the action clipped to [-1, 1] and power = 0.0015. The collision with the left
// wall is inelastic. As in Gymnasium, the state is computed in float64 and stored in float32
// after every step (it is float64 right after Reset).
//
// # Action Space
//
// Box(-1, 1, (1,), float32): the directional force applied on the car. Actions outside the box
// are clipped by the dynamics (but penalised unclipped by the reward), as in Gymnasium.
//
// # Observation Space
//
// Box of shape (2,), float32:
//
//	| Num | Observation                          | Min   | Max  | Unit         |
//	|-----|--------------------------------------|-------|------|--------------|
//	| 0   | position of the car along the x-axis | -1.2  | 0.6  | position (m) |
//	| 1   | velocity of the car                  | -0.07 | 0.07 | velocity (v) |
//
// # Rewards
//
// -0.1·action² at each step, plus 100 on the step that reaches the goal; the reward threshold is
// 90.
//
// # Starting State
//
// The position is drawn uniformly from [-0.6, -0.4]; the velocity is 0.
//
// # Episode End
//
//  1. Termination: the position is at least 0.45 (the flag on top of the right hill) and the
//     velocity at least goal_velocity.
//  2. Truncation: the episode reaches 999 steps (the TimeLimit that env.Make adds).
//
// # Arguments
//
//	env.Make("MountainCarContinuous-v0", env.Options{"goal_velocity": 0.0})
//
// goal_velocity (number, default 0) is the minimum velocity at the goal for termination.
//
// # Version History
//
//   - v0: initial version.
//
// # State
//
// MountainCarContinuous implements env.StateAccessor with the state (position, velocity): float64
// values that are float32-exact after every step.
type MountainCarContinuous struct {
	p        mountainCarParams
	state    [2]float64
	ready    bool
	rng      *rand.Rand
	obs      [2]float32
	obsSpace *env.Box
	actSpace *env.Box
	canvas   *render.Canvas
	hill     []render.Point // the valley polyline in pixels, computed on the first Render
}

var (
	_ env.Env           = (*MountainCarContinuous)(nil)
	_ env.StateAccessor = (*MountainCarContinuous)(nil)
)

// NewMountainCarContinuous returns an unwrapped MountainCarContinuous-v0. The only option is
// goal_velocity.
func NewMountainCarContinuous(opts env.Options) (*MountainCarContinuous, error) {
	if err := env.CheckOptions(opts, "goal_velocity"); err != nil {
		return nil, err
	}
	gv, err := env.FloatOption(opts, "goal_velocity", 0)
	if err != nil {
		return nil, err
	}
	p := mountainCarParams{minPosition: -1.2, maxPosition: 0.6, maxSpeed: 0.07, goalPosition: 0.45,
		goalVelocity: gv, power: 0.0015, minAction: -1, maxAction: 1}
	return &MountainCarContinuous{p: p, obsSpace: mountainCarObservationSpace(&p),
		actSpace: env.NewBox([]float32{-1}, []float32{1})}, nil
}

// Reset puts the car at rest at a position drawn uniformly from [-0.6, -0.4].
func (e *MountainCarContinuous) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	e.state = mountainCarReset(e.rng)
	e.ready = true
	return e.observe(), nil
}

// Step applies the force action[0] (clipped to [-1, 1]) for one step.
func (e *MountainCarContinuous) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("MountainCarContinuous", e.ready)
	a := float64(boxAction("MountainCarContinuous", action))
	var terminated bool
	e.state, terminated = mountainCarContinuousStep(&e.p, e.state, a)
	reward := 0.0
	if terminated {
		reward = 100
	}
	reward -= float64(float64(a*a) * 0.1)
	return e.observe(), reward, terminated, false, nil
}

func (e *MountainCarContinuous) observe() []float32 {
	e.obs[0], e.obs[1] = float32(e.state[0]), float32(e.state[1])
	return e.obs[:]
}

func (e *MountainCarContinuous) ObservationSpace() env.Space { return e.obsSpace }
func (e *MountainCarContinuous) ActionSpace() env.Space      { return e.actSpace }
func (e *MountainCarContinuous) Close() error                { return nil }

// State returns (position, velocity).
func (e *MountainCarContinuous) State() []float64 { return append([]float64(nil), e.state[:]...) }

// SetState sets (position, velocity). The values are kept in float64 as given, like the state
// Gymnasium holds right after a reset; the next step rounds them to float32.
func (e *MountainCarContinuous) SetState(state []float64) error {
	if err := checkState("MountainCarContinuous", state, mountainCarStateNames); err != nil {
		return err
	}
	copy(e.state[:], state)
	e.ready = true
	return nil
}
