package driving

import "math"

// RaceCar is the car of Racetrack-v0: the kinematic bicycle with a simple powertrain, brakes,
// drag, a grip limit and grass.
//
// The engine's acceleration falls linearly from EngineAccel at rest to zero at TopSpeed;
// rolling resistance and aerodynamic drag slow the car; the brakes decelerate it without
// reversing. The kinematic model has no tyres, so the grip limit caps the lateral acceleration
// v²·tan δ / L at μ·g by reducing the effective wheel angle: a car that enters a bend too fast
// understeers and runs wide, which is what makes braking before bends pay. Off the road the grip
// is lower and the grass adds resistance.
type RaceCar struct {
	Bicycle
	EngineAccel float64 // [m/s²] at rest, full throttle
	TopSpeed    float64 // [m/s] where the engine stops pulling
	BrakeDecel  float64 // [m/s²] at full brake
	Rolling     float64 // rolling resistance [m/s²]
	Drag        float64 // aerodynamic drag coefficient [1/m]: Drag·v² m/s²
	GrassDrag   float64 // extra resistance on grass [m/s²], plus GrassDrag/30 per m/s
	Grip        float64 // friction coefficient μ on the road
	GrassGrip   float64 // μ on grass
}

// DefaultRaceCar returns Racetrack-v0's car: 2.6 m wheelbase, wheels turning ±0.45 rad at up to
// 3 rad/s, 7 m/s² from rest, a top speed near 36 m/s on the road and 13 m/s on grass, 12 m/s²
// brakes, μ = 1 on the road and 0.6 on grass.
func DefaultRaceCar() RaceCar {
	return RaceCar{
		Bicycle: Bicycle{
			Wheelbase: 2.6, RearToRef: 1.3, MaxSteer: 0.45, MaxSteerRate: 3,
			MaxAccel: 20, MaxDecel: 30, MinSpeed: 0, MaxSpeed: 60,
		},
		EngineAccel: 7, TopSpeed: 50, BrakeDecel: 12, Rolling: 0.3, Drag: 0.0012,
		GrassDrag: 3, Grip: 1, GrassGrip: 0.6,
	}
}

// StepControls advances the car by dt with the wheel-angle command steer [rad], throttle gas
// and brake in [0, 1], on the road or on grass.
func (c *RaceCar) StepControls(s *State, steer, gas, brake float64, onRoad bool, dt float64) {
	gas = clamp(gas, 0, 1)
	brake = clamp(brake, 0, 1)
	v := s.Speed
	a := gas*c.EngineAccel*math.Max(0, 1-v/c.TopSpeed) - c.Rolling - c.Drag*v*v - brake*c.BrakeDecel
	mu := c.Grip
	if !onRoad {
		a -= c.GrassDrag * (1 + v/30)
		mu = c.GrassGrip
	}
	if v <= 0 && a < 0 {
		a = 0 // resistance and brakes hold the car; they do not reverse it
	} else if v+a*dt < 0 {
		a = -v / dt
	}
	// The wheel first turns toward the command at the steering rate; the grip then limits the
	// angle that acts: |tan δ| <= μ·g·L / v².
	steer = clamp(steer, -c.MaxSteer, c.MaxSteer)
	d := c.MaxSteerRate * dt
	s.Steer = clamp(steer, s.Steer-d, s.Steer+d)
	eff := s.Steer
	if v > 1e-3 {
		if lim := math.Atan(mu * 9.81 * c.Wheelbase / (v * v)); math.Abs(eff) > lim {
			eff = math.Copysign(lim, eff)
		}
	}
	v1 := clamp(v+a*dt, c.MinSpeed, c.MaxSpeed)
	dist := 0.5 * (v + v1) * dt
	s.Speed = v1
	s.Heading, s.X, s.Y = c.advance(s.Heading, s.X, s.Y, math.Tan(eff), dist)
}
