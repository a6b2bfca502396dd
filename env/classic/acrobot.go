package classic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// acrobotParams are Acrobot's constants, named as in Gymnasium's AcrobotEnv (class attributes
// there). They are float64 fields rather than Go constants so that products such as
// (m1·lc1 + m2·l1)·g round after every operation, as in Python.
type acrobotParams struct {
	dt                float64
	l1, l2            float64 // link lengths [m]
	m1, m2            float64 // link masses [kg]
	lc1, lc2          float64 // positions of the centres of mass [m]
	moi               float64 // moment of inertia of both links
	g                 float64
	maxVel1, maxVel2  float64 // 4π and 9π
	nips              bool    // book_or_nips == "nips"
	torqueNoiseMax    float64
	availTorque       [3]float64
	pi, halfPi, twoPi float64
	dtHalf, dtOverSix float64
}

func newAcrobotParams(nips bool, torqueNoiseMax float64) acrobotParams {
	pi := math.Pi
	p := acrobotParams{dt: 0.2, l1: 1, l2: 1, m1: 1, m2: 1, lc1: 0.5, lc2: 0.5, moi: 1, g: 9.8,
		maxVel1: 4 * pi, maxVel2: 9 * pi, nips: nips, torqueNoiseMax: torqueNoiseMax,
		availTorque: [3]float64{-1, 0, 1}, pi: pi}
	p.halfPi = pi / 2
	p.twoPi = pi - (-pi)
	// rk4 is called with t = [0, dt]: its step is dt - 0, halved, and dt/6.
	h := p.dt - 0
	p.dtHalf = h / 2
	p.dtOverSix = h / 6
	return p
}

// acrobotStateNames are the state components in Gymnasium's order.
var acrobotStateNames = []string{"theta1", "theta2", "dtheta1", "dtheta2"}

// acrobotDsdt is the time derivative of (θ1, θ2, θ̇1, θ̇2) under torque a on the middle joint:
// Gymnasium's AcrobotEnv._dsdt (book dynamics, or the NIPS paper's with p.nips), evaluated in
// Python's order of operations.
func acrobotDsdt(p *acrobotParams, s [4]float64, a float64) [4]float64 {
	m1, m2, l1, lc1, lc2, i1, i2, g := p.m1, p.m2, p.l1, p.lc1, p.lc2, p.moi, p.moi, p.g
	theta1, theta2, dtheta1, dtheta2 := s[0], s[1], s[2], s[3]
	sin2, cos2 := math.Sincos(theta2) // the bits of math.Sin and math.Cos, in one call
	d1 := float64(float64(m1*(lc1*lc1))+
		float64(m2*(float64(float64(l1*l1)+float64(lc2*lc2))+float64(2*l1*lc2*cos2)))) + i1 + i2
	d2 := float64(m2*(float64(lc2*lc2)+float64(l1*lc2*cos2))) + i2
	phi2 := float64(m2 * lc2 * g * math.Cos(theta1+theta2-p.halfPi)) // rounded: Go may fuse across statements
	phi1 := float64(float64(float64(-m2*l1*lc2*(dtheta2*dtheta2)*sin2)-
		float64(2*m2*l1*lc2*dtheta2*dtheta1*sin2))+
		float64((float64(m1*lc1)+float64(m2*l1))*g*math.Cos(theta1-p.halfPi))) + phi2
	var ddtheta2 float64
	den := float64(float64(m2*(lc2*lc2))+i2) - (d2*d2)/d1
	if p.nips {
		ddtheta2 = float64(float64(a+float64(d2/d1*phi1))-phi2) / den
	} else {
		ddtheta2 = float64(float64(float64(a+float64(d2/d1*phi1))-
			float64(m2*l1*lc2*(dtheta1*dtheta1)*sin2))-phi2) / den
	}
	ddtheta1 := -(float64(d2*ddtheta2) + phi1) / d1
	return [4]float64{dtheta1, dtheta2, ddtheta1, ddtheta2}
}

// acrobotRK4 integrates acrobotDsdt over one dt with the classic fourth-order Runge-Kutta
// step, as Gymnasium's rk4(derivs, y0, [0, dt]) does (the torque rides along as a fifth
// component whose derivative is 0, so it is simply held constant here).
func acrobotRK4(p *acrobotParams, y0 [4]float64, a float64) [4]float64 {
	h2 := p.dtHalf
	k1 := acrobotDsdt(p, y0, a)
	var y [4]float64
	for i := range y {
		y[i] = y0[i] + float64(h2*k1[i])
	}
	k2 := acrobotDsdt(p, y, a)
	for i := range y {
		y[i] = y0[i] + float64(h2*k2[i])
	}
	k3 := acrobotDsdt(p, y, a)
	h := p.dt - 0
	for i := range y {
		y[i] = y0[i] + float64(h*k3[i])
	}
	k4 := acrobotDsdt(p, y, a)
	for i := range y {
		y[i] = y0[i] + float64(p.dtOverSix*float64(float64(float64(k1[i]+float64(2*k2[i]))+float64(2*k3[i]))+k4[i]))
	}
	return y
}

// wrapAngle is Gymnasium's acrobot wrap(x, m, M): it adds or subtracts M - m until x lies in
// [m, M]. Repeated subtraction rounds differently from a remainder, so it is kept; an absurdly
// large |x| (only reachable through SetState) falls back to math.Remainder instead of looping
// for ages.
func wrapAngle(x, m, mm, diff float64) float64 {
	if math.Abs(x) > 1e6 {
		x = math.Remainder(x, diff)
	}
	for x > mm {
		x = x - diff
	}
	for x < m {
		x = x + diff
	}
	return x
}

// acrobotStep is Acrobot's physics: one step of dt = 0.2 s with the given torque on the middle
// joint, then the angles wrapped to [-π, π] and the velocities bounded to ±4π and ±9π, as
// Gymnasium's AcrobotEnv.step does (noise, if any, is added to the torque by the caller).
func acrobotStep(p *acrobotParams, s [4]float64, torque float64) [4]float64 {
	ns := acrobotRK4(p, s, torque)
	ns[0] = wrapAngle(ns[0], -p.pi, p.pi, p.twoPi)
	ns[1] = wrapAngle(ns[1], -p.pi, p.pi, p.twoPi)
	ns[2] = clip(ns[2], -p.maxVel1, p.maxVel1)
	ns[3] = clip(ns[3], -p.maxVel2, p.maxVel2)
	return ns
}

// acrobotTerminated reports whether the free end is above the target height:
// -cos(θ1) - cos(θ2 + θ1) > 1.
func acrobotTerminated(s [4]float64) bool {
	return -math.Cos(s[0])-math.Cos(s[1]+s[0]) > 1.0
}

// Acrobot is Acrobot-v1: a two-link pendulum actuated at the middle joint, to be swung up.
//
// # Description
//
// The Acrobot environment is based on Sutton's work in "Generalization in Reinforcement
// Learning: Successful Examples Using Sparse Coarse Coding" and Sutton and Barto's book. The
// system consists of two links connected linearly to form a chain, with one end of the chain
// fixed. The joint between the two links is actuated. The goal is to apply torques on the
// actuated joint to swing the free end of the linear chain above a given height while starting
// from the initial state of hanging downwards. The dynamics are Gymnasium 1.4's AcrobotEnv: the
// book's equations of motion integrated by one fourth-order Runge-Kutta step of 0.2 s, then the
// angles wrapped to [-π, π] and the angular velocities bounded to ±4π and ±9π.
//
// # Action Space
//
// Discrete(3), the torque applied on the actuated joint:
//
//	| Num | Action                                | Unit         |
//	|-----|---------------------------------------|--------------|
//	| 0   | apply -1 torque to the actuated joint | torque (N m) |
//	| 1   | apply 0 torque to the actuated joint  | torque (N m) |
//	| 2   | apply 1 torque to the actuated joint  | torque (N m) |
//
// # Observation Space
//
// Box of shape (6,), float32:
//
//	| Num | Observation                  | Min                 | Max               |
//	|-----|------------------------------|---------------------|-------------------|
//	| 0   | Cosine of theta1             | -1                  | 1                 |
//	| 1   | Sine of theta1               | -1                  | 1                 |
//	| 2   | Cosine of theta2             | -1                  | 1                 |
//	| 3   | Sine of theta2               | -1                  | 1                 |
//	| 4   | Angular velocity of theta1   | ~ -12.567 (-4 * pi) | ~ 12.567 (4 * pi) |
//	| 5   | Angular velocity of theta2   | ~ -28.274 (-9 * pi) | ~ 28.274 (9 * pi) |
//
// theta1 is the angle of the first joint (0: the first link points straight down); theta2 is
// relative to the angle of the first link (0: both links aligned).
//
// # Rewards
//
// -1 for every step that does not reach the goal, 0 for the step that does; the reward threshold
// is -100.
//
// # Starting State
//
// theta1, theta2 and the two angular velocities are drawn uniformly from [-0.1, 0.1] and, as in
// Gymnasium, rounded to float32 (the state is float64 after every step).
//
// # Episode End
//
//  1. Termination: the free end reaches the target height: -cos(theta1) - cos(theta2 + theta1)
//     > 1.
//  2. Truncation: the episode reaches 500 steps (the TimeLimit that env.Make adds).
//
// # Arguments
//
//	env.Make("Acrobot-v1", env.Options{"book_or_nips": "nips", "torque_noise_max": 0.1})
//
// Gymnasium's make takes no arguments for Acrobot; the two class attributes its users set on
// env.unwrapped are options here: book_or_nips ("book", the default, or "nips" for the NIPS
// paper's equations, which lack a term) and torque_noise_max (default 0: uniform noise in
// ±torque_noise_max added to the torque, drawn from the env's generator).
//
// # Version History
//
//   - v1: maximum number of steps raised from 200 to 500; observations give the sine and cosine
//     of each angle instead of the angles.
//   - v0: initial version, not provided by gorl (removed from Gymnasium too).
//
// # State
//
// Acrobot implements env.StateAccessor with the state (theta1, theta2, dtheta1, dtheta2) in
// float64.
type Acrobot struct {
	p        acrobotParams
	state    [4]float64
	ready    bool
	rng      *rand.Rand
	obs      [6]float32
	obsSpace *env.Box
	canvas   *render.Canvas
}

var (
	_ env.Env           = (*Acrobot)(nil)
	_ env.StateAccessor = (*Acrobot)(nil)
)

// NewAcrobot returns an unwrapped Acrobot-v1. Options: book_or_nips, torque_noise_max.
func NewAcrobot(opts env.Options) (*Acrobot, error) {
	if err := env.CheckOptions(opts, "book_or_nips", "torque_noise_max"); err != nil {
		return nil, err
	}
	bn, err := env.StringOption(opts, "book_or_nips", "book")
	if err != nil {
		return nil, err
	}
	if bn != "book" && bn != "nips" {
		return nil, fmt.Errorf("option book_or_nips=%q: want \"book\" or \"nips\"", bn)
	}
	noise, err := env.FloatOption(opts, "torque_noise_max", 0)
	if err != nil {
		return nil, err
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("option torque_noise_max=%v: want a finite number >= 0", noise)
	}
	p := newAcrobotParams(bn == "nips", noise)
	high := []float32{1, 1, 1, 1, float32(p.maxVel1), float32(p.maxVel2)}
	low := make([]float32, len(high))
	for i, h := range high {
		low[i] = -h
	}
	return &Acrobot{p: p, obsSpace: env.NewBox(low, high)}, nil
}

// Reset draws the four state variables uniformly from [-0.1, 0.1], rounded to float32.
func (e *Acrobot) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	for i := range e.state {
		e.state[i] = float64(float32(uniform(e.rng, -0.1, 0.1)))
	}
	e.ready = true
	return e.observe(), nil
}

// Step applies torque -1 (action 0), 0 (1) or +1 (2) on the middle joint for 0.2 s.
func (e *Acrobot) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("Acrobot", e.ready)
	torque := e.p.availTorque[discreteAction("Acrobot", action, 3)]
	if e.p.torqueNoiseMax > 0 {
		torque += uniform(e.rng, -e.p.torqueNoiseMax, e.p.torqueNoiseMax)
	}
	e.state = acrobotStep(&e.p, e.state, torque)
	terminated := acrobotTerminated(e.state)
	reward := -1.0
	if terminated {
		reward = 0
	}
	return e.observe(), reward, terminated, false, nil
}

func (e *Acrobot) observe() []float32 {
	s := &e.state
	sin1, cos1 := math.Sincos(s[0])
	sin2, cos2 := math.Sincos(s[1])
	e.obs = [6]float32{float32(cos1), float32(sin1), float32(cos2), float32(sin2), float32(s[2]), float32(s[3])}
	return e.obs[:]
}

func (e *Acrobot) ObservationSpace() env.Space { return e.obsSpace }
func (e *Acrobot) ActionSpace() env.Space      { return env.NewDiscrete(3) }
func (e *Acrobot) Close() error                { return nil }

// State returns (theta1, theta2, dtheta1, dtheta2).
func (e *Acrobot) State() []float64 { return append([]float64(nil), e.state[:]...) }

// SetState sets (theta1, theta2, dtheta1, dtheta2), kept in float64 as given.
func (e *Acrobot) SetState(state []float64) error {
	if err := checkState("Acrobot", state, acrobotStateNames); err != nil {
		return err
	}
	copy(e.state[:], state)
	e.ready = true
	return nil
}
