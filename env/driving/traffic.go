package driving

import (
	"fmt"
	"math"
)

// Driver says who decides a vehicle's commands.
type Driver uint8

const (
	// DriverIDM is a traffic vehicle: IDM for speed, MOBIL for lane changes, and the lane
	// controller for steering (highway-env's IDMVehicle).
	DriverIDM Driver = iota
	// DriverMeta follows a target lane and a target speed that the agent sets with
	// meta-actions (highway-env's MDPVehicle).
	DriverMeta
	// DriverDirect takes acceleration and steering commands from the agent, held for the
	// whole policy step (highway-env's ContinuousAction on a plain Vehicle).
	DriverDirect
)

// Vehicle is one car in a Traffic simulation. Read its fields freely; change a vehicle through
// Traffic's methods (SetTargetLane, SetTargetSpeed) or before adding it.
type Vehicle struct {
	State
	Length, Width float64
	Driver        Driver
	// Lane is the index of the nearest lane; TargetLane the lane the vehicle steers to.
	Lane, TargetLane int
	// TargetSpeed is the desired speed: IDM's v0, or the meta-action speed.
	TargetSpeed float64
	// Delta is the IDM exponent δ (0 means 4), read when the vehicle is added.
	Delta float64
	// Timer counts the seconds since the last MOBIL decision.
	Timer   float64
	Crashed bool
	// SteerCmd and AccelCmd are the commands of the current simulation step (for
	// DriverDirect, the agent's commands, which the caller sets).
	SteerCmd, AccelCmd float64

	s, r0    float64 // distance along the road and lateral offset from lane 0's centre
	r        float64 // offset from Lane's centre
	ec, es   float64 // cos and sin of the heading relative to the lanes' direction
	e        float64 // heading relative to the lanes' direction, in [-π, π)
	tanSteer float64 // tan(SteerCmd) for the lane controller's commands
	invV0    float64 // 1/|desired speed| (clipped) for the IDM free term
	free     float64 // IDM free-road term at the current speed
	radius   float64 // half the diagonal of the footprint
	hl       float64 // half the length
	centered bool    // exactly on Lane's centre, aligned with it, and keeping the lane
	slow     bool    // on the slow list
	front    int32   // nearest vehicle ahead on Lane (-1: none)
	rear     int32   // nearest vehicle behind on Lane (-1: none)
	memb     [2]int8 // lanes whose lists hold the vehicle (-1: unused)
	idx      [2]int32
	pw       powSeries
}

// S is the vehicle's distance along the road [m].
func (v *Vehicle) S() float64 { return v.s }

// LateralOffset is the vehicle's offset from its lane's centre [m], positive towards higher
// lane indices.
func (v *Vehicle) LateralOffset() float64 { return v.r }

// Box returns the vehicle's footprint.
func (v *Vehicle) Box() Box {
	return Box{X: v.X, Y: v.Y, Heading: v.Heading, Length: v.Length, Width: v.Width}
}

// LaneController is highway-env's ControlledVehicle steering and speed control: a
// proportional speed controller, and a lateral-position controller cascaded with a heading
// controller.
type LaneController struct {
	// TauAccel is the speed controller's time constant [s] (0.6): a = (v* - v)/TauAccel.
	TauAccel float64
	// TauHeading is the heading controller's time constant [s] (0.2).
	TauHeading float64
	// TauLateral is the lateral position controller's time constant [s] (0.6).
	TauLateral float64
	// MaxSteer bounds the steering command [rad] (π/3).
	MaxSteer float64
}

// DefaultLaneController returns highway-env's ControlledVehicle gains.
func DefaultLaneController() LaneController {
	return LaneController{TauAccel: 0.6, TauHeading: 0.2, TauLateral: 0.6, MaxSteer: math.Pi / 3}
}

// DefaultCar returns highway-env's vehicle model: a 5 m wheelbase with the reference point at
// its middle, speeds within ±40 m/s, no steering-rate limit, and no acceleration limits
// beyond those of the controllers (±1000 m/s² here).
func DefaultCar() Bicycle {
	return Bicycle{Wheelbase: 5, RearToRef: 2.5, MaxSteer: math.Pi / 2 * 0.999, MaxAccel: 1000, MaxDecel: 1000, MinSpeed: -40, MaxSpeed: 40}
}

// Traffic simulates vehicles on a road of straight parallel lanes that share one longitudinal
// coordinate (a multi-lane highway): lane 0 is highway-env's leftmost lane and the others lie
// side by side along its normal.
//
// # Speed
//
// highway-env scans every vehicle to find each vehicle's neighbours. Here each lane keeps the
// list of vehicles on it sorted by position (a vehicle within Width/2 + 1 m of a lane's centre
// is on it, so vehicles changing lanes are on two), so a vehicle's leader and follower are its
// neighbours in the list and a MOBIL query is a binary search.
//
// Vehicles sitting exactly on their lane's centre, aligned with it and keeping their lane —
// nearly all of them at any time — move along the lane without evaluating the steering
// controller or the trigonometry of the bicycle model: for them both are exactly zero. A
// vehicle ending a lane change rejoins that fast path once within 1 cm and 1 mrad of the
// centreline, where it is snapped onto it. The others, on a short slow list, are integrated in
// the lanes' frame, where their angles are small and the trigonometry is a few terms of a
// series.
//
// A step keeps highway-env's synchronous update (every vehicle's command is computed from the
// state before anyone moves, then all move, then collisions are found): the slow vehicles'
// commands are computed first; then each lane list is walked from the back, where every fast
// vehicle computes its IDM command from its leader (who has not moved yet) and moves; then the
// slow vehicles move. MOBIL decisions are taken at the end of a step, which sees the same state
// as the start of the next one.
type Traffic struct {
	Lanes    []*Lane
	Vehicles []Vehicle
	IDM      IDM
	MOBIL    MOBIL
	Control  LaneController
	Car      Bicycle
	// OnLaneMargin widens a lane beyond its half width when listing the vehicles on it (1 m,
	// highway-env's margin for neighbour_vehicles).
	OnLaneMargin float64

	road    Segment   // lane 0's centreline: the frame of s and r0
	off     []float64 // lateral offset of each lane's centre from lane 0's
	spacing float64   // the common width and spacing of the lanes when they are uniform, else 0
	lists   [][]int32 // per lane: vehicles on it, sorted by s
	slow    []int32   // vehicles off the fast path
	changer []int32   // scratch: vehicles whose Lane differs from their TargetLane
	due     []int32   // scratch: traffic vehicles whose lane-change logic runs this step
	dirty   []bool    // per lane: the list may be out of order
	k       idmConsts
}

// idmConsts are the IDM parameters in the form the hot loops use, refreshed at every Step so
// that changes to Traffic.IDM take effect.
type idmConsts struct {
	a, s0, timeGap, halfInvSqrtAB, maxAccel float64
}

// NewTraffic returns an empty simulation on the given lanes with highway-env's parameters.
// The lanes must be single straight segments, parallel, and start side by side.
func NewTraffic(lanes []*Lane) (*Traffic, error) {
	if len(lanes) == 0 || len(lanes) > 100 {
		return nil, fmt.Errorf("driving: a road of %d lanes; want 1 to 100", len(lanes))
	}
	t := &Traffic{
		Lanes: lanes, IDM: DefaultIDM(), MOBIL: DefaultMOBIL(), Control: DefaultLaneController(),
		Car: DefaultCar(), OnLaneMargin: 1, lists: make([][]int32, len(lanes)),
		off: make([]float64, len(lanes)), dirty: make([]bool, len(lanes)),
	}
	for i, l := range lanes {
		if len(l.Segments) != 1 || l.Segments[0].Curvature != 0 {
			return nil, fmt.Errorf("driving: lane %d is not one straight segment", i)
		}
	}
	t.road = lanes[0].Segments[0]
	for i, l := range lanes {
		g := &l.Segments[0]
		s, r := t.road.Local(g.X, g.Y)
		if math.Abs(wrapToPi(g.Heading-t.road.Heading)) > 1e-9 || math.Abs(s) > 1e-6 {
			return nil, fmt.Errorf("driving: lane %d is not parallel to lane 0 or does not start beside it", i)
		}
		t.off[i] = r
		if i > 0 && r <= t.off[i-1] {
			return nil, fmt.Errorf("driving: lane %d does not lie beyond lane %d along lane 0's normal", i, i-1)
		}
	}
	t.spacing = lanes[0].Width
	for i, l := range lanes {
		if l.Width != t.spacing || math.Abs(t.off[i]-float64(i)*t.spacing) > 1e-9 {
			t.spacing = 0
		}
	}
	t.refresh()
	return t, nil
}

func (t *Traffic) refresh() {
	p := &t.IDM
	t.k = idmConsts{a: p.ComfortAccel, s0: p.MinGap, timeGap: p.TimeGap,
		halfInvSqrtAB: 1 / (2 * math.Sqrt(p.ComfortAccel*p.ComfortDecel)), maxAccel: p.MaxAccel}
}

// Reset removes every vehicle.
func (t *Traffic) Reset() {
	t.Vehicles = t.Vehicles[:0]
	for i := range t.lists {
		t.lists[i] = t.lists[i][:0]
	}
	t.slow = t.slow[:0]
}

// Add places a vehicle and returns its index. Its Lane is set to the nearest lane; it starts
// on the fast path when it is on that lane's centre, aligned with it, and keeping it.
func (t *Traffic) Add(v Vehicle) int {
	i := t.add(v)
	t.relink()
	return i
}

// AddAll adds several vehicles at once (Add relinks the lanes after each vehicle).
func (t *Traffic) AddAll(vs ...Vehicle) {
	for _, v := range vs {
		t.add(v)
	}
	t.relink()
}

func (t *Traffic) add(v Vehicle) int {
	t.refresh()
	v.front, v.rear = -1, -1
	v.memb = [2]int8{-1, -1}
	v.slow = false
	if v.Delta == 0 {
		v.Delta = 4
	}
	v.pw.set(v.Delta)
	v.radius = 0.5 * math.Hypot(v.Length, v.Width)
	v.hl = 0.5 * v.Length
	t.Vehicles = append(t.Vehicles, v)
	i := len(t.Vehicles) - 1
	p := &t.Vehicles[i]
	t.fromWorld(p)
	t.nearestLane(p, true)
	p.TargetLane = min(max(p.TargetLane, 0), len(t.Lanes)-1)
	p.centered = p.r == 0 && p.e == 0 && p.Lane == p.TargetLane && p.Driver != DriverDirect
	t.setV0(p)
	t.updateMembership(int32(i))
	if !p.centered {
		t.markSlow(int32(i))
	}
	return i
}

// SetTargetSpeed changes a vehicle's desired speed.
func (t *Traffic) SetTargetSpeed(i int, v0 float64) {
	p := &t.Vehicles[i]
	p.TargetSpeed = v0
	t.setV0(p)
}

// SetTargetLane changes a vehicle's target lane (clipped to the road).
func (t *Traffic) SetTargetLane(i int, lane int) {
	p := &t.Vehicles[i]
	p.TargetLane = min(max(lane, 0), len(t.Lanes)-1)
	if p.TargetLane != p.Lane {
		p.centered = false
		t.markSlow(int32(i))
	}
}

func (t *Traffic) markSlow(i int32) {
	if p := &t.Vehicles[i]; !p.slow {
		p.slow = true
		t.slow = append(t.slow, i)
	}
}

// setV0 caches the IDM's desired speed, the target speed clipped to the lane's limit, and
// recomputes the free-road term.
func (t *Traffic) setV0(p *Vehicle) {
	v0 := p.TargetSpeed
	if lim := t.Lanes[p.Lane].SpeedLimit; lim > 0 {
		v0 = clamp(v0, 0, lim)
	}
	p.invV0 = 1 / math.Abs(notZero(v0))
	t.updateFree(p)
}

// updateFree recomputes the IDM free-road term a·(1 - (v/v0)^δ) after a change of speed. A
// directly driven vehicle has no desired speed: when other vehicles weigh it as a follower in
// their MOBIL decisions, its free-road term is 0 (highway-env divides by a zero target speed
// there).
func (t *Traffic) updateFree(p *Vehicle) {
	if p.Driver == DriverDirect {
		p.free = 0
		return
	}
	v := p.Speed
	if v < 0 {
		v = 0
	}
	p.free = t.k.a * (1 - p.pw.pow(v*p.invV0))
}

// fromWorld sets the road-frame state (s, r0, e) from the world pose.
func (t *Traffic) fromWorld(p *Vehicle) {
	p.s, p.r0 = t.road.Local(p.X, p.Y)
	p.e = wrapToPi(p.Heading - t.road.Heading)
	p.es, p.ec = sincos(p.e)
}

// toWorld sets the world pose from the road-frame state.
func (t *Traffic) toWorld(p *Vehicle) {
	g := &t.road
	p.X = g.X + p.s*g.cos - p.r0*g.sin
	p.Y = g.Y + p.s*g.sin + p.r0*g.cos
	p.Heading = g.Heading + p.e
}

// nearestLane sets Lane and r from r0, searching every lane or the lanes beside Lane.
func (t *Traffic) nearestLane(p *Vehicle, all bool) {
	if w := t.spacing; w > 0 {
		// Uniform lanes: the nearest centre is a rounding away.
		x := p.r0/w + 0.5
		c := int(x)
		if float64(c) > x {
			c--
		}
		c = min(max(c, 0), len(t.off)-1)
		p.Lane, p.r = c, p.r0-float64(c)*w
		return
	}
	lo, hi := 0, len(t.off)-1
	if !all {
		lo, hi = max(p.Lane-1, 0), min(p.Lane+1, hi)
	}
	best := math.Inf(1)
	for c := lo; c <= hi; c++ {
		if d := math.Abs(p.r0 - t.off[c]); d < best {
			best, p.Lane = d, c
		}
	}
	p.r = p.r0 - t.off[p.Lane]
}

// Step advances the simulation by dt seconds, as highway-env's road.act() then road.step(dt).
func (t *Traffic) Step(dt float64) {
	t.step(dt)
	t.SyncWorld()
}

// SyncWorld sets the world position and heading of the vehicles on the fast path, which step
// leaves behind (they move along the road coordinate only, and a highway step of several
// simulation steps needs the world pose only at its end).
func (t *Traffic) SyncWorld() {
	g := &t.road
	for i := range t.Vehicles {
		if p := &t.Vehicles[i]; !p.slow {
			p.X = g.X + p.s*g.cos - p.r0*g.sin
			p.Y = g.Y + p.s*g.sin + p.r0*g.cos
			p.Heading = g.Heading + p.e
		}
	}
}

// step is Step without SyncWorld.
func (t *Traffic) step(dt float64) {
	t.refresh()
	vs := t.Vehicles
	t.due = t.due[:0]
	clear(t.dirty)
	// 1. Commands of the slow vehicles, from the state before anyone moves.
	for _, i := range t.slow {
		t.command(&vs[i])
	}
	// 2. The fast vehicles, lane by lane from the back: command from the leader (who has not
	// moved yet), move, and test for a collision with the fast vehicle behind (who has). The
	// constants live in locals so that the stores to the vehicles do not force reloads.
	var (
		a, s0, tg, hk = t.k.a, t.k.s0, t.k.timeGap, t.k.halfInvSqrtAB
		lo, hi        = math.Max(-t.k.maxAccel, -t.Car.MaxDecel), math.Min(t.k.maxAccel, t.Car.MaxAccel)
		carLo, carHi  = -t.Car.MaxDecel, t.Car.MaxAccel
		vmin, vmax    = t.Car.MinSpeed, t.Car.MaxSpeed
		invTau        = 1 / t.Control.TauAccel
		delay         = t.MOBIL.Delay
		halfDt        = 0.5 * dt
	)
	for c, l := range t.lists {
		var behind *Vehicle
		n := len(l)
		for m := 0; m < n; m++ {
			p := &vs[l[m]]
			if p.slow {
				continue
			}
			v0 := p.Speed
			var acc float64
			switch {
			case p.Crashed:
				acc = clamp(-v0, carLo, carHi)
				t.dirty[c] = true // crashed vehicles may pass through each other
			case p.Driver == DriverIDM:
				acc = p.free
				if m+1 < n {
					f := &vs[l[m+1]]
					dyn := v0*tg + v0*(v0-f.Speed)*hk
					if dyn < 0 {
						dyn = 0
					}
					gap := f.s - p.s
					if gap < 1e-2 && gap > -1e-2 {
						gap = notZero(gap)
					}
					q := (s0 + dyn) / gap
					acc -= a * q * q
				}
				acc = clamp(acc, lo, hi)
				p.AccelCmd = acc
			default: // DriverMeta keeping its lane
				acc = (p.TargetSpeed - v0) * invTau
				p.AccelCmd = acc
				acc = clamp(acc, carLo, carHi)
			}
			v1 := clamp(v0+acc*dt, vmin, vmax)
			p.s += (v0 + v1) * halfDt
			p.Speed = v1
			// The IDM free term a·(1 - (v/v0)^δ) for the next step (powSeries.pow inlined).
			x := v1 * p.invV0
			if v1 < 0 {
				x = 0
			}
			var xd float64
			if u := x - 1; math.Abs(u) <= 0.15 {
				cs := &p.pw.c
				u2 := u * u
				u4 := u2 * u2
				xd = (cs[0] + u*cs[1]) + u2*(cs[2]+u*cs[3]) + u4*((cs[4]+u*cs[5])+u2*(cs[6]+u*cs[7])) + u4*u4*((cs[8]+u*cs[9])+u2*cs[10])
			} else {
				xd = powPos(x, p.pw.delta)
			}
			p.free = a * (1 - xd)
			p.Timer += dt
			if p.Timer > delay && p.Driver == DriverIDM {
				t.due = append(t.due, l[m])
			}
			if behind != nil && p.s-behind.s < p.hl+behind.hl && !(p.Crashed && behind.Crashed) {
				p.Crashed, behind.Crashed = true, true
			}
			behind = p
		}
	}
	// 3. The slow vehicles move.
	for _, i := range t.slow {
		t.moveSlow(i, dt)
		if p := &vs[i]; p.Driver == DriverIDM && (p.Timer > delay || p.Lane != p.TargetLane) {
			t.due = append(t.due, i)
		}
	}
	// 4. Order and neighbours of the lists that changed, the collisions that involve slow
	// vehicles, then the lane-change decisions for the next step.
	for c, dirty := range t.dirty {
		if dirty {
			t.relinkList(c)
		}
	}
	t.collideSlow()
	t.decide()
	t.dropFast()
}

// command computes a slow vehicle's commands: IDM or the speed controller for the
// acceleration, and highway-env's ControlledVehicle.steering_control toward the target lane
// for the wheel angle (a lateral speed command proportional to the offset, turned into a
// heading reference, a yaw rate proportional to the heading error, and the wheel angle giving
// that yaw rate; on straight lanes highway-env's look-ahead along the lane has no effect). The
// arithmetic is written out: this runs for every vehicle changing lanes at every step.
func (t *Traffic) command(p *Vehicle) {
	v := p.Speed
	if p.Crashed {
		p.SteerCmd, p.tanSteer, p.AccelCmd = 0, 0, -v
		return
	}
	switch p.Driver {
	case DriverIDM:
		a := p.free
		if f := p.front; f >= 0 {
			a -= t.interaction(p, &t.Vehicles[f])
		}
		p.AccelCmd = clamp(a, -t.k.maxAccel, t.k.maxAccel)
	case DriverMeta:
		p.AccelCmd = (p.TargetSpeed - v) / t.Control.TauAccel
	default:
		return
	}
	invV := 1 / notZero(v)
	// Lateral position → heading reference (relative to the lane), clipped to ±π/4.
	z := clamp(-(p.r0-t.off[p.TargetLane])/t.Control.TauLateral*invV, -1, 1)
	ref := asin(z)
	ref = clamp(ref, -math.Pi/4, math.Pi/4)
	// Heading error → yaw rate → slip angle β = asin(lr·ω/v) → tan δ = L/lr·tan β.
	d := ref - p.e
	if d >= math.Pi || d < -math.Pi {
		d = wrapToPi(d)
	}
	car := &t.Car
	sinB := clamp(car.RearToRef*d/t.Control.TauHeading*invV, -1, 1)
	tanD := car.Wheelbase / car.RearToRef * sinB / math.Sqrt(1-sinB*sinB)
	steer := atan(tanD)
	if maxSteer := math.Min(t.Control.MaxSteer, car.MaxSteer); steer > maxSteer || steer < -maxSteer {
		steer = clamp(steer, -maxSteer, maxSteer)
		tanD = math.Tan(steer)
	}
	p.SteerCmd, p.tanSteer = steer, tanD
}

// moveSlow integrates a slow vehicle and updates its lane, lists and fast-path flag.
func (t *Traffic) moveSlow(i int32, dt float64) {
	vs := t.Vehicles
	p := &vs[i]
	car := &t.Car
	if p.Driver == DriverDirect || p.Crashed || car.MaxSteerRate > 0 {
		car.Step(&p.State, p.SteerCmd, p.AccelCmd, dt)
		t.fromWorld(p)
	} else {
		// The bicycle model in the lanes' frame, where the pose is (s, r0, e).
		a := clamp(p.AccelCmd, -car.MaxDecel, car.MaxAccel)
		v0 := p.Speed
		v1 := clamp(v0+a*dt, car.MinSpeed, car.MaxSpeed)
		dist := 0.5 * (v0 + v1) * dt
		p.Speed, p.Steer = v1, p.SteerCmd
		dh, s, r0, cd, sd := car.move(p.ec, p.es, p.s, p.r0, p.tanSteer, dist)
		p.s, p.r0 = s, r0
		if dh != 0 {
			p.ec, p.es = p.ec*cd-p.es*sd, p.es*cd+p.ec*sd
			p.e += dh
			if p.e >= math.Pi || p.e < -math.Pi {
				p.e = wrapToPi(p.e)
			}
		}
		t.toWorld(p)
	}
	p.Timer += dt
	t.updateFree(p)
	old := p.Lane
	t.nearestLane(p, p.Driver == DriverDirect)
	if p.Lane != old {
		// Its leader and follower are now those on the other list.
		t.dirty[old], t.dirty[p.Lane] = true, true
		if t.Lanes[p.Lane].SpeedLimit != t.Lanes[old].SpeedLimit {
			t.setV0(p)
		}
	}
	if p.Driver != DriverDirect && !p.Crashed && p.Lane == p.TargetLane &&
		p.r < snapOffset && p.r > -snapOffset && p.e < snapAngle && p.e > -snapAngle {
		// Converged on the centreline: snap onto it and rejoin the fast path.
		p.r0, p.r, p.e, p.ec, p.es = t.off[p.Lane], 0, 0, 1, 0
		p.Steer, p.SteerCmd, p.tanSteer = 0, 0, 0
		t.toWorld(p)
		p.centered = true
	}
	t.updateMembership(i)
	// The lists stay sorted unless the vehicle passed a neighbour on one of them.
	for n, c := range p.memb {
		if c < 0 || t.dirty[c] {
			continue
		}
		l := t.lists[c]
		k := int(p.idx[n])
		if (k > 0 && vs[l[k-1]].s > p.s) || (k+1 < len(l) && vs[l[k+1]].s < p.s) {
			t.dirty[c] = true
		}
	}
}

// A vehicle ending a lane change rejoins the fast path when within snapOffset [m] and
// snapAngle [rad] of its lane's centreline and direction.
const (
	snapOffset = 0.01
	snapAngle  = 1e-3
)

// interaction is the IDM braking term a·(s*/s)² of follower f behind leader l.
func (t *Traffic) interaction(f, l *Vehicle) float64 {
	v := f.Speed
	dyn := v*t.k.timeGap + v*(v-l.Speed)*t.k.halfInvSqrtAB
	if dyn < 0 {
		dyn = 0
	}
	q := (t.k.s0 + dyn) / notZero(l.s-f.s)
	return t.k.a * q * q
}

// desiredGap is the IDM's desired gap s* of follower f behind leader l.
func (t *Traffic) desiredGap(f, l *Vehicle) float64 {
	v := f.Speed
	return t.k.s0 + math.Max(0, v*t.k.timeGap+v*(v-l.Speed)*t.k.halfInvSqrtAB)
}

// idmAccel is highway-env's IDMVehicle.acceleration(ego, front): 0 without ego, the free term
// without front.
func (t *Traffic) idmAccel(ego, front int32) float64 {
	if ego < 0 {
		return 0
	}
	e := &t.Vehicles[ego]
	a := e.free
	if front >= 0 {
		a -= t.interaction(e, &t.Vehicles[front])
	}
	return a
}

// dropFast removes the vehicles that rejoined the fast path from the slow list.
func (t *Traffic) dropFast() {
	n := 0
	for _, i := range t.slow {
		if p := &t.Vehicles[i]; p.centered {
			p.slow = false
		} else {
			t.slow[n] = i
			n++
		}
	}
	t.slow = t.slow[:n]
}

// updateMembership puts vehicle i on the lists of the lanes it is on (its own, and the one
// beside it within the lane's half width plus OnLaneMargin) and off the others.
func (t *Traffic) updateMembership(i int32) {
	p := &t.Vehicles[i]
	want := [2]int8{int8(p.Lane), -1}
	if !p.centered {
		// The lane beside on the side of the offset, if the vehicle is on it too.
		side := p.Lane + 1
		if p.r < 0 {
			side = p.Lane - 1
		}
		if side >= 0 && side < len(t.Lanes) {
			reach := t.Lanes[side].Width/2 + t.OnLaneMargin
			if d := math.Abs(p.r0 - t.off[side]); d <= reach {
				if side < p.Lane {
					want = [2]int8{int8(side), int8(p.Lane)}
				} else {
					want[1] = int8(side)
				}
			}
		}
	}
	if want == p.memb {
		return
	}
	for _, c := range p.memb {
		if c >= 0 && c != want[0] && c != want[1] {
			t.remove(int(c), i)
		}
	}
	for _, c := range want {
		if c >= 0 && c != p.memb[0] && c != p.memb[1] {
			t.insert(int(c), i)
		}
	}
	// Keep each list's position with its lane (lists that changed are relinked anyway).
	var idx [2]int32
	for n, c := range want {
		if c >= 0 && c == p.memb[0] {
			idx[n] = p.idx[0]
		} else if c >= 0 && c == p.memb[1] {
			idx[n] = p.idx[1]
		}
	}
	p.memb, p.idx = want, idx
}

func (t *Traffic) remove(c int, i int32) {
	l := t.lists[c]
	for k, j := range l {
		if j == i {
			t.lists[c] = append(l[:k], l[k+1:]...)
			t.dirty[c] = true
			return
		}
	}
}

func (t *Traffic) insert(c int, i int32) {
	s := t.Vehicles[i].s
	l := append(t.lists[c], i)
	k := len(l) - 1
	for k > 0 && t.Vehicles[l[k-1]].s > s {
		l[k] = l[k-1]
		k--
	}
	l[k] = i
	t.lists[c] = l
	t.dirty[c] = true
}

// relink restores the order of every lane list and recomputes the neighbours.
func (t *Traffic) relink() {
	for c := range t.lists {
		t.relinkList(c)
	}
}

// relinkList sorts lane c's list (insertion sort: it is nearly sorted) and recomputes each
// vehicle's position in it and, for the vehicles whose own lane it is, their leader and
// follower.
func (t *Traffic) relinkList(c int) {
	vs := t.Vehicles
	l := t.lists[c]
	for k := 1; k < len(l); k++ {
		j := l[k]
		s := vs[j].s
		m := k
		for m > 0 && vs[l[m-1]].s > s {
			l[m] = l[m-1]
			m--
		}
		l[m] = j
	}
	prev := int32(-1)
	for k, j := range l {
		p := &vs[j]
		if int(p.memb[0]) == c {
			p.idx[0] = int32(k)
		} else {
			p.idx[1] = int32(k)
		}
		if p.Lane == c {
			p.rear = prev
			p.front = -1
			if k+1 < len(l) {
				p.front = l[k+1]
			}
		}
		prev = j
	}
}

// decide runs the lane-change logic of the traffic vehicles that are due (highway-env's
// change_lane_policy): a vehicle changing lanes aborts when another is changing into the same
// lane just ahead of it; a vehicle keeping its lane runs MOBIL once every MOBIL.Delay seconds.
func (t *Traffic) decide() {
	vs := t.Vehicles
	t.changer = t.changer[:0]
	for _, i := range t.slow {
		if vs[i].Lane != vs[i].TargetLane {
			t.changer = append(t.changer, i)
		}
	}
	for _, i := range t.due {
		p := &vs[i]
		if p.Crashed {
			continue
		}
		if p.Lane != p.TargetLane {
			t.abortLaneChange(int(i))
		} else if p.Timer > t.MOBIL.Delay {
			p.Timer = 0
			t.changeLanePolicy(int(i))
		}
	}
}

// abortLaneChange cancels vehicle i's lane change when another vehicle is changing into the
// same lane within i's desired gap ahead.
func (t *Traffic) abortLaneChange(i int) {
	p := &t.Vehicles[i]
	for _, j := range t.changer {
		if int(j) == i {
			continue
		}
		o := &t.Vehicles[j]
		if o.TargetLane != p.TargetLane || o.Lane == p.TargetLane || o.Driver == DriverDirect {
			continue
		}
		if d := o.s - p.s; d > 0 && d < t.desiredGap(p, o) {
			p.TargetLane = p.Lane
			return
		}
	}
}

// changeLanePolicy runs MOBIL on the lanes beside vehicle i, left then right; the last lane
// that passes wins (highway-env's order).
func (t *Traffic) changeLanePolicy(i int) {
	p := &t.Vehicles[i]
	if m := &t.MOBIL; m.Politeness == 0 && m.MinAccelGain > 0 {
		// A selfish driver gains at most the braking its present leader imposes: without
		// enough of it no lane can pass.
		if p.front < 0 || t.interaction(p, &t.Vehicles[p.front]) < m.MinAccelGain {
			return
		}
	}
	for _, c := range [2]int{p.Lane - 1, p.Lane + 1} {
		if c < 0 || c >= len(t.Lanes) {
			continue
		}
		if t.mobil(i, c) {
			p.TargetLane = c
			p.centered = false
			t.markSlow(int32(i))
		}
	}
}

// mobil reports whether vehicle i should change to lane c, as MOBIL.Decide on the IDM
// accelerations of the vehicles involved; the followers' terms are computed only when
// politeness weighs them.
func (t *Traffic) mobil(i, c int) bool {
	p := &t.Vehicles[i]
	self := int32(i)
	newPre, newFol := t.neighbours(self, c)
	newFolPredA := t.idmAccel(newFol, self)
	if newFolPredA < -t.MOBIL.MaxBrakingImposed {
		return false
	}
	selfPredA := t.idmAccel(self, newPre)
	selfA := t.idmAccel(self, p.front)
	var newFolA, oldFolA, oldFolPredA float64
	if t.MOBIL.Politeness != 0 {
		newFolA = t.idmAccel(newFol, newPre)
		oldFolA = t.idmAccel(p.rear, self)
		oldFolPredA = t.idmAccel(p.rear, p.front)
	} else {
		newFolA = newFolPredA
	}
	return t.MOBIL.Decide(selfA, selfPredA, newFolA, newFolPredA, oldFolA, oldFolPredA)
}

// neighbours returns the nearest vehicles ahead (s_v >= s) and behind (s_v < s) of vehicle i
// on lane c, not counting i.
func (t *Traffic) neighbours(i int32, c int) (front, rear int32) {
	list := t.lists[c]
	vs := t.Vehicles
	s := vs[i].s
	lo, hi := 0, len(list)
	for lo < hi { // first entry with s_v >= s
		m := int(uint(lo+hi) >> 1)
		if vs[list[m]].s < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	front, rear = -1, -1
	for k := lo; k < len(list); k++ {
		if list[k] != i {
			front = list[k]
			break
		}
	}
	for k := lo - 1; k >= 0; k-- {
		if list[k] != i {
			rear = list[k]
			break
		}
	}
	return front, rear
}

// Neighbours returns the indices of the nearest vehicles ahead and behind vehicle i on lane c
// (-1 for none), as highway-env's road.neighbour_vehicles(vehicle, lane).
func (t *Traffic) Neighbours(i, c int) (front, rear int) {
	f, r := t.neighbours(int32(i), c)
	return int(f), int(r)
}

// collideSlow tests the slow vehicles against their neighbours on their lane lists (the fast
// ones were tested against each other as they moved), and the directly driven vehicles, which
// may be anywhere, against every vehicle.
func (t *Traffic) collideSlow() {
	vs := t.Vehicles
	for _, i := range t.slow {
		p := &vs[i]
		if p.Driver == DriverDirect {
			for j := range vs {
				if j != int(i) {
					t.testPair(p, &vs[j])
				}
			}
			continue
		}
		for n, c := range p.memb {
			if c < 0 {
				continue
			}
			l := t.lists[c]
			k := int(p.idx[n])
			for m := k + 1; m < len(l); m++ {
				b := &vs[l[m]]
				if b.s-p.s > p.radius+b.radius {
					break
				}
				t.testPair(p, b)
			}
			for m := k - 1; m >= 0; m-- {
				b := &vs[l[m]]
				if p.s-b.s > p.radius+b.radius {
					break
				}
				t.testPair(p, b)
			}
		}
	}
}

// testPair marks two vehicles crashed when their footprints overlap.
func (t *Traffic) testPair(a, b *Vehicle) {
	if a.Crashed && b.Crashed {
		return
	}
	ds, dr := b.s-a.s, b.r0-a.r0
	reach := a.radius + b.radius
	if ds*ds+dr*dr > reach*reach {
		return
	}
	// Overlap in the lanes' frame, where the headings are e.
	if overlapSC(Box{X: a.s, Y: a.r0, Length: a.Length, Width: a.Width}, Box{X: b.s, Y: b.r0, Length: b.Length, Width: b.Width}, a.ec, a.es, b.ec, b.es) {
		a.Crashed, b.Crashed = true, true
	}
}
