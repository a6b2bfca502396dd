package driving

import "math"

// Bicycle holds the geometry and limits of the kinematic bicycle model every vehicle in this
// package drives with: the two wheels of each axle merged into one, no tyre slip, steering on
// the front wheel. The state is the pose and speed of a reference point on the car's axis,
// RearToRef metres ahead of the rear axle (highway-env puts it at the centre, half the
// wheelbase, which is the default here).
type Bicycle struct {
	// Wheelbase is the distance between the axles, L [m].
	Wheelbase float64
	// RearToRef is the distance from the rear axle to the reference point, lr [m].
	RearToRef float64
	// MaxSteer bounds the front wheel angle |δ| [rad].
	MaxSteer float64
	// MaxSteerRate bounds how fast the wheel angle follows its command [rad/s]; 0 makes the
	// wheel jump to the command (highway-env's vehicles).
	MaxSteerRate float64
	// MaxAccel and MaxDecel bound the longitudinal acceleration command to
	// [-MaxDecel, MaxAccel] [m/s²].
	MaxAccel, MaxDecel float64
	// MinSpeed and MaxSpeed bound the speed [m/s].
	MinSpeed, MaxSpeed float64
}

// State is a vehicle's kinematic state: reference point, heading (radians counterclockwise
// from +x in a y-up world), speed along the heading and front wheel angle.
type State struct {
	X, Y, Heading, Speed, Steer float64
}

// Step advances s by dt seconds under a steering command (wheel angle, rad) and an
// acceleration command (m/s²), both held constant over the step and clipped to the limits.
//
// The step is the exact solution of the model for those inputs rather than an Euler step: with
// the wheel angle δ fixed, the side-slip angle β = atan(lr·tan δ / L) is fixed, the heading
// turns by cos β·tan δ / L per metre travelled, and the reference point moves along a circular
// arc of that curvature (a line when δ = 0). Only the distance travelled depends on the
// acceleration, ½(v₀ + v₁)·dt. Integrating exactly keeps the closed-form properties (constant
// steering drives the rear axle around a circle of radius L/tan δ) at any step size, so the
// model behaves the same at 15 Hz and at 1 kHz.
func (b *Bicycle) Step(s *State, steerCmd, accelCmd, dt float64) {
	steerCmd = clamp(steerCmd, -b.MaxSteer, b.MaxSteer)
	if b.MaxSteerRate > 0 {
		d := b.MaxSteerRate * dt
		s.Steer = clamp(steerCmd, s.Steer-d, s.Steer+d)
	} else {
		s.Steer = steerCmd
	}
	a := clamp(accelCmd, -b.MaxDecel, b.MaxAccel)
	v0 := s.Speed
	v1 := clamp(v0+a*dt, b.MinSpeed, b.MaxSpeed)
	if (v0 > b.MaxSpeed && a > 0) || (v0 < b.MinSpeed && a < 0) {
		v1 = v0 // outside the limits (set from outside): do not push further
	}
	dist := 0.5 * (v0 + v1) * dt
	s.Speed = v1
	s.Heading, s.X, s.Y = b.advance(s.Heading, s.X, s.Y, math.Tan(s.Steer), dist)
}

// advance moves a pose dist metres along the arc of wheel angle atan(tanSteer) and returns the
// new heading and position.
func (b *Bicycle) advance(h, x, y, tanSteer, dist float64) (float64, float64, float64) {
	sh, ch := math.Sincos(h)
	dh, x, y, _, _ := b.move(ch, sh, x, y, tanSteer, dist)
	return h + dh, x, y
}

// move returns the heading change and the new position after dist metres from (x, y) with
// heading cosine and sine (ch, sh) and wheel angle atan(tanSteer). The course angle θ = ψ + β
// and the chord of the arc are built by the angle-sum identities, the chord written as
// dist·(sin Δψ/Δψ, (1-cos Δψ)/Δψ) rotated by θ so that it stays exact as Δψ goes to 0. It
// also returns cos Δψ and sin Δψ.
func (b *Bicycle) move(ch, sh, x, y, tanSteer, dist float64) (dh, nx, ny, cd, sd float64) {
	if tanSteer == 0 {
		return 0, x + dist*ch, y + dist*sh, 1, 0
	}
	tanB := b.RearToRef / b.Wheelbase * tanSteer
	cosB := 1 / math.Sqrt(1+tanB*tanB)
	sinB := tanB * cosB
	c0 := ch*cosB - sh*sinB // cos θ
	s0 := sh*cosB + ch*sinB // sin θ
	dh = dist * cosB * tanSteer / b.Wheelbase
	sHalf, cHalf := sincos(0.5 * dh)
	cd, sd = 1-2*sHalf*sHalf, 2*sHalf*cHalf
	fa, fb := 1.0, 0.5*dh // sin(Δψ)/Δψ and (1-cos Δψ)/Δψ
	if math.Abs(dh) > 1e-12 {
		fa, fb = sd/dh, 2*sHalf*sHalf/dh
	}
	return dh, x + dist*(c0*fa-s0*fb), y + dist*(s0*fa+c0*fb), cd, sd
}

// SteerForYawRate returns the wheel angle that makes the heading turn at yawRate (rad/s) at
// the given speed, the inverse of the model that highway-env's lateral controller applies
// (slip angle β = asin(lr·ω/v), then tan δ = L/lr·tan β), clipped to MaxSteer.
func (b *Bicycle) SteerForYawRate(yawRate, speed float64) float64 {
	d, _ := b.steerForYawRate(yawRate, speed, b.MaxSteer)
	return d
}

// steerForYawRate is SteerForYawRate clipped to maxSteer, also returning the angle's tangent.
func (b *Bicycle) steerForYawRate(yawRate, speed, maxSteer float64) (steer, tanSteer float64) {
	sinB := clamp(b.RearToRef/notZero(speed)*yawRate, -1, 1)
	tanSteer = b.Wheelbase / b.RearToRef * sinB / math.Sqrt(1-sinB*sinB)
	steer = atan(tanSteer)
	if steer > maxSteer || steer < -maxSteer {
		steer = clamp(steer, -maxSteer, maxSteer)
		tanSteer = math.Tan(steer)
	}
	return steer, tanSteer
}
