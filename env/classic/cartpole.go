package classic

import (
	"log/slog"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// cartPoleParams are CartPole's constants, named and derived as Gymnasium's CartPoleEnv.__init__
// does. The derived values (totalMass, polemassLength, thetaThreshold) are computed in float64 at
// run time, not as Go constant expressions: Go folds constants exactly and rounds once, Python
// rounds after every operation, and the two can differ in the last bit.
type cartPoleParams struct {
	gravity, masscart, masspole, totalMass float64
	length                                 float64 // half the pole's length
	polemassLength                         float64
	forceMag, tau                          float64
	thetaThreshold                         float64 // radians; ±12°
	xThreshold                             float64
}

func newCartPoleParams() cartPoleParams {
	p := cartPoleParams{gravity: 9.8, masscart: 1.0, masspole: 0.1, length: 0.5, forceMag: 10.0, tau: 0.02, xThreshold: 2.4}
	p.totalMass = p.masspole + p.masscart
	p.polemassLength = p.masspole * p.length
	pi := math.Pi
	p.thetaThreshold = 12 * 2 * pi / 360
	return p
}

// cartPole holds the constants shared by every CartPole and CartPoleVector.
var cartPole = newCartPoleParams()

// cartPoleStep is CartPole's physics: one Euler step of tau seconds from state s = (x, ẋ, θ, θ̇)
// with the cart pushed right (right=true) or left. It is Gymnasium's CartPoleEnv.step arithmetic
// operation for operation (the explicit float64 conversions keep the compiler from fusing a
// multiply and an add that Python rounds separately). The scalar CartPole and the batched
// CartPoleVector both step through this one function.
func cartPoleStep(p *cartPoleParams, s [4]float64, right bool) [4]float64 {
	x, xDot, theta, thetaDot := s[0], s[1], s[2], s[3]
	force := -p.forceMag
	if right {
		force = p.forceMag
	}
	sin, cos := sincos(theta)
	temp := (force + float64(p.polemassLength*(thetaDot*thetaDot)*sin)) / p.totalMass
	thetaAcc := (float64(p.gravity*sin) - float64(cos*temp)) /
		(p.length * (4.0/3.0 - p.masspole*(cos*cos)/p.totalMass))
	xAcc := temp - p.polemassLength*thetaAcc*cos/p.totalMass
	return [4]float64{
		x + float64(p.tau*xDot),
		xDot + float64(p.tau*xAcc),
		theta + float64(p.tau*thetaDot),
		thetaDot + float64(p.tau*thetaAcc),
	}
}

// cartPoleTerminated reports whether the cart left [-2.4, 2.4] or the pole left ±12°.
func cartPoleTerminated(p *cartPoleParams, s [4]float64) bool {
	return s[0] < -p.xThreshold || s[0] > p.xThreshold || s[2] < -p.thetaThreshold || s[2] > p.thetaThreshold
}

// cartPoleReward is the reward of a step that ends in a terminal state or not, for the default
// reward (+1 every step, the terminating one included) or Sutton and Barto's (0, and -1 on
// failure).
func cartPoleReward(terminated, suttonBarto bool) float64 {
	switch {
	case suttonBarto && terminated:
		return -1
	case suttonBarto:
		return 0
	default:
		return 1
	}
}

// cartPoleObservationSpace is Gymnasium's: x within ±4.8 and θ within ±24° (twice the
// termination bounds, so that a terminal observation is still inside the space), velocities
// unbounded.
func cartPoleObservationSpace() *env.Box {
	inf := float32(math.Inf(1))
	high := []float32{float32(cartPole.xThreshold * 2), inf, float32(cartPole.thetaThreshold * 2), inf}
	low := make([]float32, 4)
	for i, h := range high {
		low[i] = -h
	}
	return env.NewBox(low, high)
}

// CartPole is CartPole-v1: a pole balanced on a cart that is pushed left or right.
//
// # Description
//
// This environment corresponds to the version of the cart-pole problem described by Barto,
// Sutton, and Anderson in "Neuronlike Adaptive Elements That Can Solve Difficult Learning Control
// Problem". A pole is attached by an un-actuated joint to a cart, which moves along a
// frictionless track. The pendulum is placed upright on the cart and the goal is to balance the
// pole by applying forces in the left and right direction on the cart. The dynamics are
// Gymnasium 1.4's CartPoleEnv (Euler integration, tau = 0.02 s), operation for operation.
//
// # Action Space
//
// Discrete(2), the direction of the fixed force (10 N) the cart is pushed with:
//
//   - 0: push the cart to the left
//   - 1: push the cart to the right
//
// The velocity change a push causes is not fixed: it depends on the angle of the pole.
//
// # Observation Space
//
// Box of shape (4,), float32:
//
//	| Num | Observation           | Min                 | Max               |
//	|-----|-----------------------|---------------------|-------------------|
//	| 0   | Cart Position         | -4.8                | 4.8               |
//	| 1   | Cart Velocity         | -Inf                | Inf               |
//	| 2   | Pole Angle            | ~ -0.418 rad (-24°) | ~ 0.418 rad (24°) |
//	| 3   | Pole Angular Velocity | -Inf                | Inf               |
//
// The bounds are twice the termination bounds: the episode terminates when the cart leaves
// (-2.4, 2.4) or the pole leaves (-0.2095, 0.2095) rad (±12°).
//
// # Rewards
//
// +1 for every step taken, the terminating step included; the reward threshold is 475. With the
// option sutton_barto_reward, 0 for every step and -1 on termination. Stepping again after
// termination, which is undefined behaviour, returns reward 0 (-1 with sutton_barto_reward),
// keeps terminated true and logs a warning once, as Gymnasium does.
//
// # Starting State
//
// All four state variables are drawn uniformly from (-0.05, 0.05).
//
// # Episode End
//
//  1. Termination: the pole angle leaves ±12°.
//  2. Termination: the cart position leaves ±2.4 (the centre of the cart reaches the edge of the
//     display).
//  3. Truncation: the episode reaches 500 steps (the TimeLimit that env.Make adds).
//
// # Arguments
//
//	env.Make("CartPole-v1", env.Options{"sutton_barto_reward": true})
//
// sutton_barto_reward (bool, default false) selects the reward above. Render needs no
// render_mode: it always draws.
//
// # Version History
//
//   - v1: max_episode_steps raised to 500 and the reward threshold to 475; sutton_barto_reward
//     added in Gymnasium 1.0.
//   - v0: initial version (200 steps, threshold 195), not provided by gorl.
//
// # State
//
// CartPole implements env.StateAccessor with the state (x, x_dot, theta, theta_dot) in float64.
// SetState also forgets an earlier termination: the next step into a terminal state counts as
// the terminating step (reward +1), as after env.unwrapped.state = s following a reset in
// Gymnasium.
type CartPole struct {
	state       [4]float64
	ready       bool
	suttonBarto bool
	// stepsBeyondTerminated is Gymnasium's steps_beyond_terminated, -1 standing for None.
	stepsBeyondTerminated int
	rng                   *rand.Rand
	obs                   [4]float32
	obsSpace              *env.Box
	canvas                *render.Canvas
}

var (
	_ env.Env           = (*CartPole)(nil)
	_ env.StateAccessor = (*CartPole)(nil)
)

// cartPoleStateNames are the state components in Gymnasium's order.
var cartPoleStateNames = []string{"x", "x_dot", "theta", "theta_dot"}

// NewCartPole returns an unwrapped CartPole (use env.Make("CartPole-v1", opts) for the one with
// the 500-step TimeLimit). The only option is sutton_barto_reward.
func NewCartPole(opts env.Options) (*CartPole, error) {
	if err := env.CheckOptions(opts, "sutton_barto_reward"); err != nil {
		return nil, err
	}
	sb, err := env.BoolOption(opts, "sutton_barto_reward", false)
	if err != nil {
		return nil, err
	}
	return &CartPole{suttonBarto: sb, stepsBeyondTerminated: -1, obsSpace: cartPoleObservationSpace()}, nil
}

// Reset draws a new state uniformly from (-0.05, 0.05)^4.
func (e *CartPole) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	for i := range e.state {
		e.state[i] = uniform(e.rng, -0.05, 0.05)
	}
	e.ready = true
	e.stepsBeyondTerminated = -1
	return e.observe(), nil
}

// Step pushes the cart left (action 0) or right (action 1) for one time step of 0.02 s.
func (e *CartPole) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("CartPole", e.ready)
	a := discreteAction("CartPole", action, 2)
	e.state = cartPoleStep(&cartPole, e.state, a == 1)
	terminated := cartPoleTerminated(&cartPole, e.state)
	reward := cartPoleReward(terminated, e.suttonBarto)
	if terminated {
		switch {
		case e.stepsBeyondTerminated < 0:
			e.stepsBeyondTerminated = 0 // the pole just fell
		default:
			if e.stepsBeyondTerminated == 0 {
				slog.Warn("classic: CartPole.Step called after the episode terminated; call Reset once Step returns terminated = true: any further steps are undefined behaviour")
			}
			e.stepsBeyondTerminated++
			if !e.suttonBarto {
				reward = 0
			}
		}
	}
	return e.observe(), reward, terminated, false, nil
}

func (e *CartPole) observe() []float32 {
	for i, v := range e.state {
		e.obs[i] = float32(v)
	}
	return e.obs[:]
}

func (e *CartPole) ObservationSpace() env.Space { return e.obsSpace }
func (e *CartPole) ActionSpace() env.Space      { return env.NewDiscrete(2) }
func (e *CartPole) Close() error                { return nil }

// State returns (x, x_dot, theta, theta_dot).
func (e *CartPole) State() []float64 { return append([]float64(nil), e.state[:]...) }

// SetState sets (x, x_dot, theta, theta_dot) and forgets an earlier termination.
func (e *CartPole) SetState(state []float64) error {
	if err := checkState("CartPole", state, cartPoleStateNames); err != nil {
		return err
	}
	copy(e.state[:], state)
	e.ready = true
	e.stepsBeyondTerminated = -1
	return nil
}
