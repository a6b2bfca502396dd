package grid

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// PuckWorld actions: thrust in one of four directions, or none.
const (
	PuckLeft = iota
	PuckRight
	PuckUp
	PuckDown
	PuckNone
)

// PuckWorld's constants, REINFORCEjs's values.
const (
	puckRadius      = 0.05  // the puck's radius
	puckBadRadius   = 0.25  // the red target's radius of penalty
	puckAccel       = 0.002 // velocity change of a thrust
	puckDamping     = 0.95  // velocity kept each step
	puckChaseSpeed  = 0.001 // distance the red target moves towards the puck each step
	puckTargetEvery = 100   // the green target moves every this many steps
)

// PuckWorld is the PuckWorld of Karpathy's REINFORCEjs DQN demo (puckworld.html): steer a puck
// towards a green target while a red target chases it.
//
// # Description
//
// A puck moves in the unit square with velocity damping and bounces off the walls losing half
// its speed. The agent applies thrust left, right, up or down, or none. The green target jumps
// to a random place every 100 steps; the red target creeps towards the puck at 0.001 per step.
//
// # Action Space
//
// Discrete(5): 0 left, 1 right, 2 up, 3 down (thrusts of 0.002), 4 no thrust.
//
// # Observation Space
//
// Box(8) of float32, REINFORCEjs's getState:
//
//	| index | observation                      | min  | max |
//	|-------|----------------------------------|------|-----|
//	| 0     | puck x - 0.5                     | -0.5 | 0.5 |
//	| 1     | puck y - 0.5                     | -0.5 | 0.5 |
//	| 2     | puck velocity x · 10             | -1   | 1   |
//	| 3     | puck velocity y · 10             | -1   | 1   |
//	| 4     | green target x - puck x          | -1   | 1   |
//	| 5     | green target y - puck y          | -1   | 1   |
//	| 6     | red target x - puck x            | -1   | 1   |
//	| 7     | red target y - puck y            | -1   | 1   |
//
// # Rewards
//
// Minus the distance to the green target, and within the red target's radius of 0.25 a
// further 2·(d - 0.25)/0.25, down to -2 at its centre: between about -3.4 and 0 per step.
//
// # Starting State
//
// The puck, the green and the red target uniform in the unit square; the puck's velocity
// uniform in [-0.025, 0.025) on each axis.
//
// # Episode End
//
//   - Termination: none, the task is continuing.
//   - Truncation: 500 steps for PuckWorld-v0 (the TimeLimit that Make adds; REINFORCEjs runs
//     forever). 500 steps see five green targets, enough for an episode's return to measure
//     the policy, and short enough for DQN to see many starts.
//
// # Version History
//
//   - v0: the REINFORCEjs world. Where REINFORCEjs would divide by zero when the red target
//     sits exactly on the puck, the target stays put.
type PuckWorld struct {
	rng                *rand.Rand
	ppx, ppy, pvx, pvy float64
	tx, ty, tx2, ty2   float64
	t                  int
	ready              bool
	lastAction         int
	lastReward         float64
	obs                [8]float32
	obsSpace           *env.Box
	render             puckRender
}

var (
	_ env.Env           = (*PuckWorld)(nil)
	_ env.StateAccessor = (*PuckWorld)(nil)
)

// NewPuckWorld returns a PuckWorld; Reset places the puck and the targets.
func NewPuckWorld() *PuckWorld {
	return &PuckWorld{
		obsSpace: env.NewBox(
			[]float32{-0.5, -0.5, -1, -1, -1, -1, -1, -1},
			[]float32{0.5, 0.5, 1, 1, 1, 1, 1, 1}),
		lastAction: PuckNone,
	}
}

func newPuckWorldFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts); err != nil {
		return nil, fmt.Errorf("grid: PuckWorld: %w", err)
	}
	return NewPuckWorld(), nil
}

func (p *PuckWorld) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&p.rng, seed)
	r := p.rng
	p.ppx, p.ppy = r.Float64(), r.Float64()
	p.pvx, p.pvy = r.Float64()*0.05-0.025, r.Float64()*0.05-0.025
	p.tx, p.ty = r.Float64(), r.Float64()
	p.tx2, p.ty2 = r.Float64(), r.Float64()
	p.t = 0
	p.ready = true
	p.lastAction, p.lastReward = PuckNone, 0
	return p.observe(), nil
}

func (p *PuckWorld) observe() []float32 {
	p.obs = [8]float32{
		float32(p.ppx - 0.5), float32(p.ppy - 0.5),
		float32(p.pvx * 10), float32(p.pvy * 10),
		float32(p.tx - p.ppx), float32(p.ty - p.ppy),
		float32(p.tx2 - p.ppx), float32(p.ty2 - p.ppy),
	}
	return p.obs[:]
}

func (p *PuckWorld) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	a := discreteAction("PuckWorld", action, 5)
	if !p.ready {
		panic("grid: PuckWorld.Step called before Reset")
	}
	// Newton, then damping, then the thrust, as sampleNextState.
	p.ppx += p.pvx
	p.ppy += p.pvy
	p.pvx *= puckDamping
	p.pvy *= puckDamping
	switch a {
	case PuckLeft:
		p.pvx -= puckAccel
	case PuckRight:
		p.pvx += puckAccel
	case PuckUp:
		p.pvy -= puckAccel
	case PuckDown:
		p.pvy += puckAccel
	}
	// Bounce off the walls, losing half the speed.
	if p.ppx < puckRadius {
		p.pvx *= -0.5
		p.ppx = puckRadius
	}
	if p.ppx > 1-puckRadius {
		p.pvx *= -0.5
		p.ppx = 1 - puckRadius
	}
	if p.ppy < puckRadius {
		p.pvy *= -0.5
		p.ppy = puckRadius
	}
	if p.ppy > 1-puckRadius {
		p.pvy *= -0.5
		p.ppy = 1 - puckRadius
	}
	p.t++
	if p.t%puckTargetEvery == 0 {
		p.tx, p.ty = p.rng.Float64(), p.rng.Float64()
	}
	dx, dy := p.ppx-p.tx, p.ppy-p.ty
	d1 := math.Sqrt(dx*dx + dy*dy)
	dx, dy = p.ppx-p.tx2, p.ppy-p.ty2
	d2 := math.Sqrt(dx*dx + dy*dy)
	if d2 > 0 {
		p.tx2 += puckChaseSpeed * dx / d2
		p.ty2 += puckChaseSpeed * dy / d2
	}
	r := -d1
	if d2 < puckBadRadius {
		r += 2 * (d2 - puckBadRadius) / puckBadRadius
	}
	p.lastAction, p.lastReward = a, r
	return p.observe(), r, false, false, nil
}

func (p *PuckWorld) ObservationSpace() env.Space { return p.obsSpace }
func (p *PuckWorld) ActionSpace() env.Space      { return env.NewDiscrete(5) }
func (p *PuckWorld) Close() error                { return nil }

// puckStateNames are the variables of State, in order.
var puckStateNames = []string{"puck_x", "puck_y", "puck_vx", "puck_vy", "target_x", "target_y", "bad_x", "bad_y"}

// State returns the puck's position and velocity and the two targets' positions, in the order
// of puckStateNames (raw, not the observation's offsets and scaling).
func (p *PuckWorld) State() []float64 {
	return []float64{p.ppx, p.ppy, p.pvx, p.pvy, p.tx, p.ty, p.tx2, p.ty2}
}

// SetState sets the state returned by State. The step counter that moves the green target is
// kept.
func (p *PuckWorld) SetState(state []float64) error {
	if len(state) != len(puckStateNames) {
		return fmt.Errorf("grid: PuckWorld.SetState: got %d values; want %d %v", len(state), len(puckStateNames), puckStateNames)
	}
	for i, v := range state {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("grid: PuckWorld.SetState: %s = %v; want a finite number", puckStateNames[i], v)
		}
	}
	p.ppx, p.ppy, p.pvx, p.pvy = state[0], state[1], state[2], state[3]
	p.tx, p.ty, p.tx2, p.ty2 = state[4], state[5], state[6], state[7]
	if p.rng == nil {
		p.rng = env.NewRand(rand.Uint64())
	}
	p.ready = true
	return nil
}

// Render draws the puck (coloured by the last reward, as REINFORCEjs), the green target, the
// red target with its radius of penalty and the thrust.
func (p *PuckWorld) Render() *image.RGBA { return p.render.draw(p) }
