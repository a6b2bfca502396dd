package classic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// pendulumParams are Pendulum's constants, named as in Gymnasium's PendulumEnv.
type pendulumParams struct {
	maxSpeed, maxTorque, dt, g, m, l float64
}

// pendulumStateNames are the state components in Gymnasium's order.
var pendulumStateNames = []string{"theta", "thetadot"}

// angleNormalize maps x into [-π, π] as Gymnasium's angle_normalize does:
// ((x + π) mod 2π) - π with Python's floored modulo (the result takes the divisor's sign).
func angleNormalize(x float64) float64 {
	const twoPi = 2 * math.Pi // exact: twice the float64 π
	y := x + math.Pi
	var m float64
	switch {
	case y >= 0 && y < twoPi:
		m = y // fmod leaves y unchanged
	case y >= twoPi && y < 2*twoPi:
		m = y - twoPi // what fmod returns; exact (Sterbenz)
	case y < 0 && y > -twoPi:
		m = y + twoPi // fmod gives y, negative, and Python adds the divisor
	default: // an angle that has wound up over many turns, or NaN
		m = fmod(y, twoPi)
		switch {
		case m < 0:
			m += twoPi
		case m == 0:
			m = 0 // Python returns +0 for a zero remainder with a positive divisor
		}
	}
	return m - math.Pi
}

// fmod is math.Mod(y, d) for d > 0, bit for bit, in a few operations instead of math.Mod's
// bit-by-bit loop: the remainder y - n·d with n the truncated quotient is exactly representable,
// so one fused multiply-add computes it without rounding once n is right (n from y/d may be
// off by one, which the sign or size of the remainder reveals).
func fmod(y, d float64) float64 {
	if !(math.Abs(y) < 1<<50) { // huge or not finite
		return math.Mod(y, d)
	}
	n := math.Trunc(y / d)
	r := math.FMA(-n, d, y)
	switch {
	case y >= 0 && r < 0:
		r = math.FMA(-(n - 1), d, y)
	case y >= 0 && r >= d:
		r = math.FMA(-(n + 1), d, y)
	case y < 0 && r > 0:
		r = math.FMA(-(n + 1), d, y)
	case y < 0 && r <= -d:
		r = math.FMA(-(n - 1), d, y)
	}
	if r == 0 {
		r = math.Copysign(0, y) // math.Mod's zero takes the sign of y
	}
	return r
}

// pendulumStep is Pendulum's physics: one step of dt from (θ, θ̇) with torque u (already
// clipped), and the cost of the state and action before the step. It is Gymnasium's
// PendulumEnv.step arithmetic operation for operation; the reward is -cost.
func pendulumStep(p *pendulumParams, s [2]float64, u float64) (next [2]float64, cost float64) {
	th, thdot := s[0], s[1]
	an := angleNormalize(th)
	cost = float64(float64(an*an)+float64(0.1*(thdot*thdot))) + float64(0.001*(u*u))
	newthdot := thdot + float64((float64(3*p.g/(2*p.l)*math.Sin(th))+float64(3.0/(p.m*(p.l*p.l))*u))*p.dt)
	newthdot = clip(newthdot, -p.maxSpeed, p.maxSpeed)
	newth := th + float64(newthdot*p.dt)
	return [2]float64{newth, newthdot}, cost
}

// Pendulum is Pendulum-v1: swing a pendulum up and keep it upright with a limited torque.
//
// # Description
//
// The inverted pendulum swingup problem is based on the classic problem in control theory. The
// system consists of a pendulum attached at one end to a fixed point, and the other end being
// free. The pendulum starts in a random position and the goal is to apply torque on the free
// end to swing it into an upright position, with its center of gravity right above the fixed
// point. theta is the angle in radians (0 is upright, positive counter-clockwise); the dynamics
// are Gymnasium 1.4's PendulumEnv:
//
//	thetadot' = clip(thetadot + (3g/(2l)·sin(theta) + 3/(m·l²)·u)·dt, -8, 8)
//	theta'    = theta + thetadot'·dt
//
// with dt = 0.05, m = l = 1 and g = 10 unless set. theta itself is not wrapped.
//
// # Action Space
//
// Box(-2, 2, (1,), float32): the torque u applied to the free end. Actions outside the box are
// clipped, as in Gymnasium.
//
// # Observation Space
//
// Box of shape (3,), float32:
//
//	| Num | Observation      | Min  | Max |
//	|-----|------------------|------|-----|
//	| 0   | x = cos(theta)   | -1.0 | 1.0 |
//	| 1   | y = sin(theta)   | -1.0 | 1.0 |
//	| 2   | Angular Velocity | -8.0 | 8.0 |
//
// # Rewards
//
// r = -(theta² + 0.1·thetadot² + 0.001·u²), with theta normalised to [-π, π] and u the clipped
// torque. The minimum is -(π² + 0.1·8² + 0.001·2²) = -16.2736044, the maximum 0 (upright, at
// rest, no torque). There is no reward threshold.
//
// # Starting State
//
// theta is drawn uniformly from [-π, π] and thetadot from [-1, 1].
//
// # Episode End
//
//  1. Truncation: the episode reaches 200 steps (the TimeLimit that env.Make adds). The task
//     never terminates.
//
// # Arguments
//
//	env.Make("Pendulum-v1", env.Options{"g": 9.81})
//
// g (number, default 10.0) is the acceleration of gravity in m/s².
//
// # Version History
//
//   - v1: simplified the math equations, no difference in behaviour.
//   - v0: initial version.
//
// # State
//
// Pendulum implements env.StateAccessor with the state (theta, thetadot) in float64.
type Pendulum struct {
	p        pendulumParams
	state    [2]float64
	ready    bool
	lastU    float64 // the last clipped torque, for Render
	hasLastU bool
	rng      *rand.Rand
	obs      [3]float32
	obsSpace *env.Box
	actSpace *env.Box
	canvas   *render.Canvas
}

var (
	_ env.Env           = (*Pendulum)(nil)
	_ env.StateAccessor = (*Pendulum)(nil)
)

// NewPendulum returns an unwrapped Pendulum-v1. The only option is g.
func NewPendulum(opts env.Options) (*Pendulum, error) {
	if err := env.CheckOptions(opts, "g"); err != nil {
		return nil, err
	}
	g, err := env.FloatOption(opts, "g", 10.0)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(g) || math.IsInf(g, 0) {
		return nil, fmt.Errorf("option g=%v: want a finite number", g)
	}
	p := pendulumParams{maxSpeed: 8, maxTorque: 2.0, dt: 0.05, g: g, m: 1.0, l: 1.0}
	mt := float32(p.maxTorque)
	ms := float32(p.maxSpeed)
	return &Pendulum{p: p,
		obsSpace: env.NewBox([]float32{-1, -1, -ms}, []float32{1, 1, ms}),
		actSpace: env.NewBox([]float32{-mt}, []float32{mt})}, nil
}

// Reset draws theta uniformly from [-π, π] and thetadot from [-1, 1].
func (e *Pendulum) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	e.state = [2]float64{uniform(e.rng, -math.Pi, math.Pi), uniform(e.rng, -1, 1)}
	e.ready = true
	e.hasLastU = false
	return e.observe(), nil
}

// Step applies the torque action[0], clipped to [-2, 2], for 0.05 s.
func (e *Pendulum) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("Pendulum", e.ready)
	// Gymnasium clips the float32 action in float32; the bounds ±2 are exact there.
	mt := float32(e.p.maxTorque)
	u := float64(min(max(boxAction("Pendulum", action), -mt), mt))
	e.lastU, e.hasLastU = u, true
	var cost float64
	e.state, cost = pendulumStep(&e.p, e.state, u)
	return e.observe(), -cost, false, false, nil
}

func (e *Pendulum) observe() []float32 {
	sin, cos := math.Sincos(e.state[0])
	e.obs = [3]float32{float32(cos), float32(sin), float32(e.state[1])}
	return e.obs[:]
}

func (e *Pendulum) ObservationSpace() env.Space { return e.obsSpace }
func (e *Pendulum) ActionSpace() env.Space      { return e.actSpace }
func (e *Pendulum) Close() error                { return nil }

// State returns (theta, thetadot).
func (e *Pendulum) State() []float64 { return append([]float64(nil), e.state[:]...) }

// SetState sets (theta, thetadot).
func (e *Pendulum) SetState(state []float64) error {
	if err := checkState("Pendulum", state, pendulumStateNames); err != nil {
		return err
	}
	copy(e.state[:], state)
	e.ready = true
	e.hasLastU = false
	return nil
}
