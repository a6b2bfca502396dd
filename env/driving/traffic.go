package driving

import (
	"fmt"
	"math"
	"math/bits"
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

// Vehicle is one car in a Traffic simulation. Its exported fields are up to date after
// Traffic.Step and Traffic.SyncWorld (Highway.Step ends with one); read them freely then, and
// change a vehicle through Traffic's methods (SetTargetLane, SetTargetSpeed) or before adding
// it.
type Vehicle struct {
	// The fields that the per-step bookkeeping reads of every vehicle changing lanes come
	// first, within 56 bytes, so that it touches one or two cache lines of a vehicle rather
	// than five: 51 vehicles and the rows' planes do not fit in the first-level cache.

	// Lane is the index of the nearest lane; TargetLane the lane the vehicle steers to.
	Lane, TargetLane int
	qlo, qhi         float64  // lateral offsets between which a lane change step keeps its lane and rows (settleQuick)
	radius           float64  // half the diagonal of the footprint
	idx              [2]int32 // entries of the vehicle on the rows memb
	memb             [2]int8  // rows (lanes) holding the vehicle, in increasing order (-1: unused)
	// Driver says who commands the vehicle.
	Driver Driver
	// Crashed is set by a collision; the vehicle then brakes to a stop with straight wheels.
	Crashed  bool
	centered bool // exactly on Lane's centre, aligned with it, and keeping the lane
	slow     bool // on the slow list; otherwise its row entry holds its state
	// steerLazy says that SteerCmd and Steer are atan(tanSteer), which SyncWorld computes:
	// the lane-frame integration needs only the tangent.
	steerLazy bool

	State
	Length, Width float64
	// TargetSpeed is the desired speed: IDM's v0, or the meta-action speed.
	TargetSpeed float64
	// Delta is the IDM exponent δ (0 means 4), read when the vehicle is added.
	Delta float64
	// Timer counts the seconds since the last MOBIL decision.
	Timer float64
	// SteerCmd and AccelCmd are the commands of the current simulation step (for
	// DriverDirect, the agent's commands, which the caller sets).
	SteerCmd, AccelCmd float64

	s, r0    float64 // distance along the road and lateral offset from lane 0's centre
	r        float64 // offset from Lane's centre
	ec, es   float64 // cos and sin of the heading relative to the lanes' direction
	e        float64 // heading relative to the lanes' direction, in [-π, π)
	tanSteer float64 // tan(SteerCmd) for the lane controller's commands
	sinB     float64 // sine and cosine of the slip angle that wheel angle gives
	cosB     float64
	invV0    float64 // 1/|desired speed| (clipped) for the IDM free term
	free     float64 // IDM free-road term at the current speed
	hl       float64 // half the length
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
// highway-env scans every vehicle to find each vehicle's neighbours. Here each lane keeps a row
// of the vehicles on it sorted by position (a vehicle within Width/2 + 1 m of a lane's centre
// is on it, so vehicles changing lanes are on two), so a vehicle's leader and follower are its
// neighbours in the row and a MOBIL query is a search of a short sorted array.
//
// A row is struct of arrays: one array (plane) per quantity, position, speed, IDM free-road
// term, the coefficients of each vehicle's power series, the lane-change state, and so on.
// One sweep per row and simulation step (sweep) computes every vehicle's command from its
// leader, the next entry, and moves it: with AVX-512 eight vehicles an instruction, with AVX2
// four, else in Go, all bit for bit alike.
//
// Vehicles sitting exactly on their lane's centre, aligned with it and keeping their lane —
// nearly all of them at any time — move along the lane without the steering controller or the
// trigonometry of the bicycle model: for them both are exactly zero. A vehicle changing lanes
// is on a short slow list; the sweep gives it IDM's command like the others, and integrates
// highway-env's lane controller and the bicycle model in the lanes' frame (laneStep), where its
// angles are small and the trigonometry is a few terms of a series (AVX-512 does this in the
// sweep too, the others in Go after it). It rejoins the fast path once within 1 cm and 1 mrad
// of its lane's centreline, where it is snapped onto it. Its row entries stay in step with it
// by a quick check a step while it keeps its lane and rows (settleQuick), and by the full
// bookkeeping when it joins or leaves a row or changes lane. The vehicles outside the lanes'
// frame (driven directly by the agent, or crashed) take Bicycle.Step in the world's frame.
//
// The Vehicle structs are brought up to date once a policy step (SyncWorld), not at every
// simulation step.
//
// A step keeps highway-env's synchronous update (every vehicle's command is computed from the
// state before anyone moves, then all move, then collisions are found): the sweep reads each
// vehicle's leader before writing anything of it, and the slow vehicles' other entries (copies
// on the lane they leave or join) change only after every row was swept. MOBIL decisions are
// taken at the end of a step, which sees the same state as the start of the next one.
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

	road    Segment    // lane 0's centreline: the frame of s and r0
	off     []float64  // lateral offset of each lane's centre from lane 0's
	spacing float64    // the common width and spacing of the lanes when they are uniform, else 0
	rows    []row      // per lane: the vehicles on it, sorted by s
	slow    []int32    // vehicles off the fast path
	changer []int32    // scratch: vehicles whose Lane differs from their TargetLane
	into    []int32    // scratch: per lane, the changers not driven directly that target it
	due     []int32    // scratch: traffic vehicles whose lane-change logic runs this step
	dirty   []bool     // per lane: the row may be out of order
	flags   []uint8    // scratch: per lane, the sweep's flags
	batch   []sweepRow // scratch: the rows of one AVX-512 sweep call
	k       sweepConsts
	tab     sweepTable
	params  trafficParams // the parameters k, tab and reach were derived from
	reach   []float64     // per lane: half its width plus OnLaneMargin
	// maxRadius is the largest radius of the vehicles added since the last Reset.
	maxRadius float64
	// snapped says that settle may have centred a slow vehicle since the last dropFast.
	snapped bool
}

// NewTraffic returns an empty simulation on the given lanes with highway-env's parameters.
// The lanes must be single straight segments, parallel, and start side by side.
func NewTraffic(lanes []*Lane) (*Traffic, error) {
	if len(lanes) == 0 || len(lanes) > 100 {
		return nil, fmt.Errorf("driving: a road of %d lanes; want 1 to 100", len(lanes))
	}
	t := &Traffic{
		Lanes: lanes, IDM: DefaultIDM(), MOBIL: DefaultMOBIL(), Control: DefaultLaneController(),
		Car: DefaultCar(), OnLaneMargin: 1, rows: make([]row, len(lanes)),
		off: make([]float64, len(lanes)), dirty: make([]bool, len(lanes)), flags: make([]uint8, len(lanes)),
		into: make([]int32, len(lanes)),
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
	for c := range t.rows {
		t.rows[c].reset()
	}
	t.refresh(0)
	return t, nil
}

// refresh derives the constants of the hot loops from the parameters when these changed, so
// that changes to IDM, Car, Control and MOBIL take effect at the next Step.
func (t *Traffic) refresh(dt float64) {
	ps := trafficParams{t.IDM, t.Car, t.Control, t.MOBIL, dt, t.OnLaneMargin}
	if ps == t.params {
		return
	}
	t.params = ps
	t.reach = t.reach[:0]
	for _, l := range t.Lanes {
		t.reach = append(t.reach, l.Width/2+t.OnLaneMargin)
	}
	t.k = newSweepConsts(t.IDM, t.Car, t.Control, t.MOBIL, dt)
	t.k.table(&t.tab)
}

// trafficParams are the parameters the constants of the hot loops derive from.
type trafficParams struct {
	idm     IDM
	car     Bicycle
	control LaneController
	mobil   MOBIL
	dt      float64
	margin  float64
}

// Reset removes every vehicle.
func (t *Traffic) Reset() {
	t.Vehicles = t.Vehicles[:0]
	t.maxRadius = 0
	for c := range t.rows {
		t.rows[c].reset()
	}
	t.slow = t.slow[:0]
}

// Add places a vehicle and returns its index. Its Lane is set to the nearest lane; it starts
// on the fast path when it is on that lane's centre, aligned with it, and keeping it.
func (t *Traffic) Add(v Vehicle) int {
	t.refresh(t.params.dt)
	i := t.add(v)
	t.relink()
	return i
}

// AddAll adds several vehicles at once (Add relinks the lanes after each vehicle).
func (t *Traffic) AddAll(vs ...Vehicle) {
	t.refresh(t.params.dt)
	for _, v := range vs {
		t.add(v)
	}
	t.relink()
}

// add adds a vehicle with the parameters of the last refresh.
func (t *Traffic) add(v Vehicle) int {
	v.memb = [2]int8{-1, -1}
	v.slow = false
	if v.Delta == 0 {
		v.Delta = 4
	}
	v.pw.set(v.Delta)
	v.radius = 0.5 * math.Hypot(v.Length, v.Width)
	if v.radius > t.maxRadius {
		t.maxRadius = v.radius
	}
	v.hl = 0.5 * v.Length
	t.Vehicles = append(t.Vehicles, v)
	i := int32(len(t.Vehicles) - 1)
	p := &t.Vehicles[i]
	t.fromWorld(p)
	t.nearestLane(p, true)
	p.TargetLane = min(max(p.TargetLane, 0), len(t.Lanes)-1)
	p.centered = p.r == 0 && p.e == 0 && p.Lane == p.TargetLane && p.Driver != DriverDirect
	t.setV0(p)
	t.updateMembership(i)
	if !p.centered {
		t.markSlow(i)
	}
	return int(i)
}

// SetTargetSpeed changes a vehicle's desired speed.
func (t *Traffic) SetTargetSpeed(i int, v0 float64) {
	t.pull(int32(i))
	p := &t.Vehicles[i]
	p.TargetSpeed = v0
	t.setV0(p)
	t.push(int32(i))
}

// SetTargetLane changes a vehicle's target lane (clipped to the road).
func (t *Traffic) SetTargetLane(i int, lane int) {
	p := &t.Vehicles[i]
	p.TargetLane = min(max(lane, 0), len(t.Lanes)-1)
	switch {
	case p.TargetLane != p.Lane:
		p.centered = false
		t.markSlow(int32(i))
	case p.slow:
		t.pull(int32(i))
		t.push(int32(i)) // its entry steers to the target lane
	}
}

// markSlow moves a vehicle from the fast path to the slow list: its state moves from its row
// entry to its Vehicle, and the entry becomes a slow one.
func (t *Traffic) markSlow(i int32) {
	p := &t.Vehicles[i]
	if p.slow {
		t.pull(i)
		t.push(i) // its target lane may have changed
		return
	}
	t.pull(i)
	p.slow = true
	p.sinB, p.cosB, p.tanSteer = 0, 1, 0
	t.slow = append(t.slow, i)
	t.push(i)
}

// pull copies the state of a vehicle from its row entry to its Vehicle, where the entry holds
// it: on the fast path, and when changing lanes in the lanes' frame (its entry on its own
// lane), and sets its world pose (which a vehicle leaving the lanes' frame, on a crash,
// integrates from). Change a vehicle between a pull and a push.
func (t *Traffic) pull(i int32) {
	p := &t.Vehicles[i]
	switch {
	case p.memb[0] < 0:
	case !p.slow:
		r, k := &t.rows[p.memb[0]], int(p.idx[0])
		p.s, p.Speed, p.free = r.at(pS, k), r.at(pV, k), r.at(pFree, k)
		p.Timer, p.AccelCmd = r.at(pTimer, k), r.at(pAcc, k)
		t.toWorld(p)
	case t.laneFrame(p):
		t.pullSlow(p)
		t.toWorld(p)
	}
}

// pullSlow copies the state of a vehicle changing lanes in the lanes' frame from its entry
// on its own lane, which holds it, to its Vehicle.
func (t *Traffic) pullSlow(p *Vehicle) {
	r, k := t.own(p)
	c := r.col(k)
	p.s, p.Speed, p.free, p.Timer, p.AccelCmd = c.get(pS), c.get(pV), c.get(pFree), c.get(pTimer), c.get(pAcc)
	p.r0, p.e, p.ec, p.es = c.get(pR0), c.get(pE), c.get(pEC), c.get(pES)
	p.sinB, p.cosB = c.get(pSinB), c.get(pCosB)
	p.tanSteer = t.k.lOverLr * p.sinB / p.cosB
}

// push writes a vehicle's state and parameters to its row entries.
func (t *Traffic) push(i int32) {
	p := &t.Vehicles[i]
	for n, c := range p.memb {
		if c >= 0 {
			t.writeEntry(int(c), int(p.idx[n]), p)
		}
	}
	if p.slow && t.laneFrame(p) {
		t.quickBounds(p)
	}
}

// laneFrame reports whether slow vehicle p changes lanes under the lane controller, which
// the sweep's kernels command and laneStep integrates; the others (directly driven, crashed,
// or with a steering-rate limit) take Bicycle.Step in the world's frame.
func (t *Traffic) laneFrame(p *Vehicle) bool {
	return !p.Crashed && (p.Driver == DriverIDM || p.Driver == DriverMeta) && t.Car.MaxSteerRate == 0
}

// entryKind returns the kind of p's entry on lane c.
func (t *Traffic) entryKind(p *Vehicle, c int) float64 {
	switch {
	case p.slow:
		if c != p.Lane || !t.laneFrame(p) {
			return kGhost
		}
		if p.Driver == DriverIDM {
			return kSlowIDM
		}
		return kSlowMeta
	case p.Crashed:
		return kCrashed
	case p.Driver == DriverIDM:
		return kIDM
	case p.Driver == DriverMeta:
		return kMeta
	}
	return kGhost
}

// writeEntry fills entry k of lane c's row from vehicle p.
func (t *Traffic) writeEntry(c, k int, p *Vehicle) {
	r := &t.rows[c]
	e := r.col(k)
	e.set(pS, p.s)
	e.set(pV, p.Speed)
	e.set(pFree, p.free)
	e.set(pTimer, p.Timer)
	e.set(pAcc, p.AccelCmd)
	e.set(pTgt, p.TargetSpeed)
	e.set(pInv, p.invV0)
	e.set(pHL, p.hl)
	e.set(pKind, t.entryKind(p, c))
	for j, c := range p.pw.c {
		e.set(pC0+j, c)
	}
	t.writeLane(r, k, p)
}

// writeLane writes the lane-change state of vehicle p to entry k of row r.
func (t *Traffic) writeLane(r *row, k int, p *Vehicle) {
	e := r.col(k)
	e.set(pR0, p.r0)
	e.set(pE, p.e)
	e.set(pEC, p.ec)
	e.set(pES, p.es)
	e.set(pOff, t.off[p.TargetLane])
	e.set(pSinB, p.sinB)
	e.set(pCosB, p.cosB)
}

// crash marks vehicle i crashed.
func (t *Traffic) crash(i int32) {
	p := &t.Vehicles[i]
	if p.Crashed {
		return
	}
	t.pull(i) // before the vehicle leaves the lane-frame integration
	p.Crashed = true
	t.push(i)
}

// setV0 caches the IDM's desired speed, the target speed clipped to the lane's limit, and
// recomputes the free-road term from p.Speed.
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
func (t *Traffic) updateFree(p *Vehicle) { p.free = t.freeTerm(p, p.Speed) }

// freeTerm is vehicle p's free-road term at speed v.
func (t *Traffic) freeTerm(p *Vehicle, v float64) float64 {
	if p.Driver == DriverDirect {
		return 0
	}
	if v < 0 {
		v = 0
	}
	x := v * p.invV0
	var xd float64
	if w := x - powCentre; w <= powHalfWidth && w >= -powHalfWidth {
		xd = estrin16(w, &p.pw.c)
	} else {
		xd = powPos(x, p.pw.delta)
	}
	return t.k.a * (1 - xd)
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

// laneOf returns the lane nearest to the lateral offset r0 among lane and the lanes beside
// it, and the offset from its centre, as nearestLane.
func (t *Traffic) laneOf(r0 float64, lane int) (int, float64) {
	if w := t.spacing; w > 0 {
		x := r0/w + 0.5
		c := int(x)
		if float64(c) > x {
			c--
		}
		c = min(max(c, 0), len(t.off)-1)
		return c, r0 - float64(c)*w
	}
	lo, hi := max(lane-1, 0), min(lane+1, len(t.off)-1)
	best := math.Inf(1)
	for c := lo; c <= hi; c++ {
		if d := math.Abs(r0 - t.off[c]); d < best {
			best, lane = d, c
		}
	}
	return lane, r0 - t.off[lane]
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
	t.refresh(dt)
	t.step()
	t.SyncWorld()
}

// SyncWorld copies the state of the vehicles on the fast path and of those changing lanes in
// the lanes' frame from the rows to their Vehicle and sets their world position and heading,
// which step leaves behind (a highway step of several simulation steps needs them only at its
// end).
func (t *Traffic) SyncWorld() {
	for _, i := range t.slow {
		p := &t.Vehicles[i]
		if !t.laneFrame(p) {
			continue
		}
		t.pullSlow(p)
		t.nearestLane(p, false)
		t.toWorld(p)
		if p.steerLazy {
			p.SteerCmd = atan(p.tanSteer)
			p.Steer, p.steerLazy = p.SteerCmd, false
		}
	}
	g := &t.road
	gx, gy, gc, gs, gh := g.X, g.Y, g.cos, g.sin, g.Heading
	for c := range t.rows {
		r := &t.rows[c]
		st := r.stride
		S, V, F := r.d[pS*st:pS*st+r.n], r.d[pV*st:pV*st+r.n], r.d[pFree*st:pFree*st+r.n]
		T, A, K := r.d[pTimer*st:pTimer*st+r.n], r.d[pAcc*st:pAcc*st+r.n], r.d[pKind*st:pKind*st+r.n]
		for e, i := range r.id[:len(S)] {
			if K[e] == kGhost || K[e] >= kSlowIDM {
				continue
			}
			p := &t.Vehicles[i]
			p.s, p.Speed, p.free, p.Timer, p.AccelCmd = S[e], V[e], F[e], T[e], A[e]
			p.X = gx + p.s*gc - p.r0*gs
			p.Y = gy + p.s*gs + p.r0*gc
			p.Heading = gh + p.e
		}
	}
}

// step is Step without refresh and SyncWorld: a simulation step of the duration refresh was
// given.
func (t *Traffic) step() {
	vs := t.Vehicles
	t.due = t.due[:0]
	clear(t.dirty)
	// 1. Commands of the slow vehicles outside the lane-frame integration, from the state
	// before anyone moves (the sweep commands the others).
	for _, i := range t.slow {
		if p := &vs[i]; !t.laneFrame(p) {
			t.command(p)
		}
	}
	// 2. The rows' sweeps, one after the other (so that the processor overlaps them), then
	// row by row the free-road terms the series could not give, the vehicles due for a
	// lane-change decision, and the collisions between neighbours on the row.
	t.sweepAll()
	unmoved := false
	for c := range t.rows {
		r := &t.rows[c]
		if r.n == 0 {
			continue
		}
		flags := t.flags[c]
		unmoved = unmoved || flags&sweepUnmoved != 0
		if flags&sweepCrashed != 0 {
			t.dirty[c] = true // crashed vehicles may pass through each other
		}
		t.afterSweep(r)
		if flags&sweepClose != 0 {
			t.collideRow(r)
		}
	}
	// 3. The slow vehicles move.
	t.moveSlow(unmoved)
	// 4. Order of the rows that changed, the collisions that involve slow vehicles, then the
	// lane-change decisions for the next step.
	for c, dirty := range t.dirty {
		if dirty {
			t.relinkRow(c)
		}
	}
	t.collideSlow()
	t.decide()
	t.dropFast()
}

// afterSweep finishes a row's sweep: the free-road terms outside the series' range, and the
// list of vehicles due for a lane-change decision, in row order. It gathers the bits of up to
// sixteen words of out (64 entries) into one mask of each kind first, so that the branches
// are one per set bit and one per mask rather than one per word, whose outcome is as good as
// random; four words (sixteen entries) at a time, read as one 64-bit word.
func (t *Traffic) afterSweep(r *row) {
	n := r.n
	for base := 0; base < n; base += 64 {
		var due, miss uint64
		for j := base; j < n && j < base+64; j += 16 {
			// out holds stride/4 words, a multiple of four, and n <= stride-8.
			o := (*[4]uint16)(r.out[j>>2 : j>>2+4])
			x := uint64(o[0]) | uint64(o[1])<<16 | uint64(o[2])<<32 | uint64(o[3])<<48
			sh := uint(j-base) & 63
			due |= nibbles(x>>4) << sh
			miss |= nibbles(x) << sh
		}
		// The words past the row's last block may be a longer row's.
		if m := uint(n - base); m < 64 {
			due &= 1<<m - 1
			miss &= 1<<m - 1
		}
		if miss != 0 {
			t.freeMisses(r, base, miss)
		}
		for ; due != 0; due &= due - 1 {
			t.due = append(t.due, r.id[base+bits.TrailingZeros64(due)])
		}
	}
}

// nibbles gathers the low four bits of each of the four 16-bit words of x into 16 bits.
func nibbles(x uint64) uint64 {
	x &= 0x000F_000F_000F_000F
	x = (x | x>>12) & 0x0000_00FF_0000_00FF
	return (x | x>>24) & 0xFFFF
}

// freeMisses computes the free-road terms of the entries base+k of row r for the bits k set in
// miss: those whose speed is outside the series' range.
func (t *Traffic) freeMisses(r *row, base int, miss uint64) {
	for ; miss != 0; miss &= miss - 1 {
		e := base + bits.TrailingZeros64(miss)
		p := &t.Vehicles[r.id[e]]
		v1 := r.at(pV, e)
		x := v1 * p.invV0
		if v1 < 0 {
			x = 0
		}
		r.set(pFree, e, t.k.a*(1-powPos(x, p.pw.delta)))
	}
}

// collideRow marks crashed the fast vehicles of a row that overlap the fast vehicle behind
// them. (On the same lane centre and aligned, two footprints overlap when their centres are
// less than the half lengths apart.)
func (t *Traffic) collideRow(r *row) {
	st := r.stride
	S, HL, K := r.d[pS*st:(pS+1)*st], r.d[pHL*st:(pHL+1)*st], r.d[pKind*st:(pKind+1)*st]
	behind := -1
	for e := range r.n {
		if K[e] == kGhost || K[e] >= kSlowIDM {
			continue
		}
		if behind >= 0 && S[e]-S[behind] < HL[e]+HL[behind] {
			i, j := r.id[e], r.id[behind]
			if !(t.Vehicles[i].Crashed && t.Vehicles[j].Crashed) {
				t.crash(i)
				t.crash(j)
			}
		}
		behind = e
	}
}

// own returns the row of a vehicle's own lane and its entry there.
func (t *Traffic) own(p *Vehicle) (*row, int) {
	n := 0
	if int(p.memb[0]) != p.Lane {
		n = 1
	}
	return &t.rows[p.Lane], int(p.idx[n])
}

// front returns the vehicle ahead of vehicle i on its lane (-1: none).
func (t *Traffic) front(i int32) int32 {
	r, k := t.own(&t.Vehicles[i])
	if k+1 < r.n {
		return r.id[k+1]
	}
	return -1
}

// rear returns the vehicle behind vehicle i on its lane (-1: none).
func (t *Traffic) rear(i int32) int32 {
	r, k := t.own(&t.Vehicles[i])
	if k > 0 {
		return r.id[k-1]
	}
	return -1
}

// state returns the position, speed and free-road term of vehicle i as its row entry holds
// them (they are the vehicle's own on the fast path, copies on the slow list).
func (t *Traffic) state(i int32) (s, v, free float64) {
	p := &t.Vehicles[i]
	c := t.rows[p.memb[0]].col(int(p.idx[0]))
	return c.get(pS), c.get(pV), c.get(pFree)
}

// timer returns vehicle i's lane-change timer.
func (t *Traffic) timer(i int32) float64 {
	p := &t.Vehicles[i]
	if p.slow && !t.laneFrame(p) {
		return p.Timer
	}
	r, k := t.own(p)
	return r.at(pTimer, k)
}

// pose returns vehicle i's position along the road, lateral offset from lane 0's centre, and
// the cosine and sine of its heading relative to the lanes, wherever they are kept.
func (t *Traffic) pose(i int32) (s, r0, ec, es float64) {
	p := &t.Vehicles[i]
	switch {
	case !p.slow:
		r, k := t.own(p)
		return r.at(pS, k), p.r0, p.ec, p.es
	case t.laneFrame(p):
		r, k := t.own(p)
		return r.at(pS, k), r.at(pR0, k), r.at(pEC, k), r.at(pES, k)
	}
	return p.s, p.r0, p.ec, p.es
}

// resetTimer sets vehicle i's lane-change timer to 0.
func (t *Traffic) resetTimer(i int32) {
	p := &t.Vehicles[i]
	p.Timer = 0
	for n, c := range p.memb {
		if c >= 0 {
			t.rows[c].set(pTimer, int(p.idx[n]), 0)
		}
	}
}

// command computes the commands of a slow vehicle outside the lane-frame integration (see
// laneFrame), from the state before anyone moves: a crashed vehicle brakes to a stop with its
// wheels straight; with a steering-rate limit, a traffic or meta-action vehicle takes IDM's or
// the speed controller's acceleration and the lane controller's wheel angle, which
// Bicycle.Step follows at its rate. (The sweep commands the vehicles changing lanes in the
// lanes' frame.)
func (t *Traffic) command(p *Vehicle) {
	v := p.Speed
	if p.Crashed {
		p.SteerCmd, p.tanSteer, p.sinB, p.cosB, p.AccelCmd, p.steerLazy = 0, 0, 0, 1, -v, false
		return
	}
	k := &t.k
	switch p.Driver {
	case DriverIDM:
		a := p.free
		if r, e := t.own(p); e+1 < r.n {
			st := r.stride
			a -= t.interaction(v, p.s, r.d[pV*st+e+1], r.d[pS*st+e+1])
		}
		p.AccelCmd = clamp(a, k.lo, k.hi)
	case DriverMeta:
		p.AccelCmd = (p.TargetSpeed - v) * k.invTau
	default:
		return // directly driven: the caller's commands
	}
	var steer float64
	var clipped bool
	p.sinB, p.cosB, p.tanSteer, steer, clipped = k.controller(v, p.r0, t.off[p.TargetLane], p.e)
	if !clipped {
		steer = atan(p.tanSteer)
	}
	p.SteerCmd, p.steerLazy = steer, false
}

// moveSlow moves the slow vehicles: the sweep moved those it could and left the others'
// acceleration command in their entry (unmoved says that there are such vehicles); laneStep
// integrates these, Bicycle.Step the vehicles outside the lane-frame integration. Then each
// vehicle's lane, rows, fast-path flag and lane-change decision (settle). The vehicles the
// sweep left need a first pass of their own: their out bits are indexed by entry, and entries
// move when settle puts a vehicle on a row or takes it off one. Without them, nearly always,
// one pass does both (a move changes only the vehicle's own state, which no other vehicle's
// settle reads).
func (t *Traffic) moveSlow(unmoved bool) {
	vs := t.Vehicles
	k := &t.k
	delay := t.MOBIL.Delay
	if !unmoved {
		for _, i := range t.slow {
			p := &vs[i]
			if t.laneFrame(p) {
				p.steerLazy = true // moved by the sweep
			} else {
				t.moveWorld(p)
			}
			timer := t.settle(i)
			if p.Driver == DriverIDM && (timer > delay || p.Lane != p.TargetLane) {
				t.due = append(t.due, i)
			}
		}
		return
	}
	for _, i := range t.slow {
		p := &vs[i]
		if !t.laneFrame(p) {
			t.moveWorld(p)
			continue
		}
		r, e := t.own(p)
		if r.out[e>>2]>>(8+e&3)&1 != 0 {
			p.steerLazy = true // moved by the sweep
			continue
		}
		c := r.col(e)
		ls := c.laneState()
		steer, clipped := k.laneStep(&ls)
		c.setLaneStep(&ls, k.dt)
		c.set(pFree, t.freeTerm(p, ls.v))
		if clipped {
			p.SteerCmd, p.Steer, p.steerLazy = steer, steer, false
		} else {
			p.steerLazy = true
		}
	}
	for _, i := range t.slow {
		timer := t.settle(i)
		if p := &vs[i]; p.Driver == DriverIDM && (timer > delay || p.Lane != p.TargetLane) {
			t.due = append(t.due, i)
		}
	}
}

// moveWorld moves a slow vehicle outside the lane-frame integration by one simulation step
// in the world's frame.
func (t *Traffic) moveWorld(p *Vehicle) {
	t.Car.Step(&p.State, p.SteerCmd, p.AccelCmd, t.k.dt)
	t.fromWorld(p)
	p.Timer += t.k.dt
	t.updateFree(p)
}

// settle updates a slow vehicle's lane, rows and fast-path flag after its move, and returns
// its lane-change timer.
func (t *Traffic) settle(i int32) float64 {
	p := &t.Vehicles[i]
	if t.laneFrame(p) {
		if timer, ok := t.settleQuick(p); ok {
			return timer
		}
		t.pullSlow(p)
		t.toWorld(p)
	}
	old := p.Lane
	t.nearestLane(p, p.Driver == DriverDirect)
	if p.Lane != old {
		// Its leader and follower are now those on the other row.
		t.dirty[old], t.dirty[p.Lane] = true, true
		if t.Lanes[p.Lane].SpeedLimit != t.Lanes[old].SpeedLimit {
			t.setV0(p)
		}
	}
	if p.r < snapOffset && p.r > -snapOffset && p.e < snapAngle && p.e > -snapAngle &&
		p.Lane == p.TargetLane && p.Driver != DriverDirect && !p.Crashed {
		// Converged on the centreline: snap onto it and rejoin the fast path.
		p.r0, p.r, p.e, p.ec, p.es = t.off[p.Lane], 0, 0, 1, 0
		p.Steer, p.SteerCmd, p.tanSteer, p.sinB, p.cosB, p.steerLazy = 0, 0, 0, 0, 1, false
		t.toWorld(p)
		p.centered = true
		t.snapped = true
	}
	t.updateMembership(i)
	// Copy the new state to the row entries, and mark a row whose order the move broke.
	for n := range 2 {
		c := p.memb[n]
		if c < 0 {
			break
		}
		r := &t.rows[c]
		k, st := int(p.idx[n]), r.stride
		d := r.d
		d[pS*st+k], d[pV*st+k], d[pFree*st+k], d[pTimer*st+k] = p.s, p.Speed, p.free, p.Timer
		d[pAcc*st+k], d[pInv*st+k], d[pKind*st+k] = p.AccelCmd, p.invV0, t.entryKind(p, int(c))
		t.writeLane(r, k, p)
		if (k > 0 && d[pS*st+k-1] > p.s) || (k+1 < r.n && d[pS*st+k+1] < p.s) {
			t.dirty[c] = true
		}
	}
	if p.slow && t.laneFrame(p) {
		t.quickBounds(p)
	}
	return p.Timer
}

// settleQuick is settle for a vehicle changing lanes in the lanes' frame that stays on its
// lane and its rows and does not snap onto its lane's centre, nearly every step of a lane
// change (the lateral offsets where the lane and rows stay are the interval quickBounds
// computed; within it, snapping needs an offset in snapWindow and a heading within
// snapAngle): its state stays in its entry on its own lane, which it copies to the other
// lane's entry (position, speed and free-road term: what the vehicles there read), marking a
// row whose order the move broke, and returns its timer. It reports false, doing nothing, in
// the other cases.
func (t *Traffic) settleQuick(p *Vehicle) (float64, bool) {
	r, k := t.own(p)
	c := r.col(k)
	r0 := c.get(pR0)
	if !(r0 > p.qlo && r0 < p.qhi) {
		return 0, false
	}
	// Near the centre a vehicle may wait several steps for its heading to converge: settle
	// would do nothing then but what this function does, so only a heading that may snap
	// (the test is settle's) needs settle.
	if e := c.get(pE); e < snapAngle && e > -snapAngle && t.snapWindow(p, r0) {
		return 0, false
	}
	s, v, free := c.get(pS), c.get(pV), c.get(pFree)
	S := r.d[pS*r.stride : pS*r.stride+r.n]
	if (k > 0 && S[k-1] > s) || (k+1 < len(S) && S[k+1] < s) {
		t.dirty[p.Lane] = true
	}
	n := 1
	if int(p.memb[0]) != p.Lane {
		n = 0
	}
	if l := p.memb[n]; l >= 0 {
		o := &t.rows[l]
		ko := int(p.idx[n])
		co := o.col(ko)
		co.set(pS, s)
		co.set(pV, v)
		co.set(pFree, free)
		S := o.d[pS*o.stride : pS*o.stride+o.n]
		if (ko > 0 && S[ko-1] > s) || (ko+1 < len(S) && S[ko+1] < s) {
			t.dirty[l] = true
		}
	}
	return c.get(pTimer), true
}

// quickBounds sets the open interval (qlo, qhi) of lateral offsets from lane 0's centre
// around vehicle p's within which it keeps its lane (nearestLane) and its rows (membership):
// the nearest of those functions' breakpoints on each side, moved in by a micrometre for the
// rounding of the comparisons. (Snapping onto the lane's centre, within the interval, is
// settleQuick's test of snapWindow and the heading.)
func (t *Traffic) quickBounds(p *Vehicle) {
	lo, hi := math.Inf(-1), math.Inf(1)
	cut := func(b float64) {
		switch {
		case b <= p.r0 && b > lo:
			lo = b
		case b > p.r0 && b < hi:
			hi = b
		}
	}
	l, n, c := p.Lane, len(t.off), t.off[p.Lane]
	if l > 0 {
		cut(t.off[l-1] + t.reach[l-1]) // membership of the lane beside
		if w := t.spacing; w > 0 {
			cut((float64(l) - 0.5) * w)
		} else {
			cut(0.5 * (t.off[l-1] + c))
		}
	}
	if l+1 < n {
		cut(t.off[l+1] - t.reach[l+1])
		if w := t.spacing; w > 0 {
			cut((float64(l) + 0.5) * w)
		} else {
			cut(0.5 * (c + t.off[l+1]))
		}
	}
	cut(c) // the side of the offset, which membership looks at
	p.qlo, p.qhi = lo+1e-6, hi-1e-6
}

// snapWindow reports whether vehicle p, changing lanes at offset r0 from lane 0's centre, may
// be within snapOffset of its lane's centre, where settle snaps it onto the centre once its
// heading is within snapAngle: on its target lane, and closer than snapOffset plus a
// micrometre (settle's offset is computed another way, which may round differently).
func (t *Traffic) snapWindow(p *Vehicle, r0 float64) bool {
	return p.Lane == p.TargetLane && math.Abs(r0-t.off[p.Lane]) < snapOffset+1e-6
}

// A vehicle ending a lane change rejoins the fast path when within snapOffset [m] and
// snapAngle [rad] of its lane's centreline and direction.
const (
	snapOffset = 0.01
	snapAngle  = 1e-3
)

// interaction is the IDM braking term a·(s*/s)² of a follower at speed v and position s
// behind a leader at speed vl and position sl.
func (t *Traffic) interaction(v, s, vl, sl float64) float64 {
	dyn := v*t.k.tg + v*(v-vl)*t.k.hk
	if dyn < 0 {
		dyn = 0
	}
	q := (t.k.s0 + dyn) / notZero(sl-s)
	return t.k.a * q * q
}

// desiredGap is the IDM's desired gap s* of a follower at speed v behind a leader at speed vl.
func (t *Traffic) desiredGap(v, vl float64) float64 {
	dyn := v*t.k.tg + v*(v-vl)*t.k.hk
	if !(dyn > 0) {
		dyn = 0 // math.Max(0, dyn) for finite values
	}
	return t.k.s0 + dyn
}

// dropFast returns the vehicles that converged on their lane's centre to the fast path.
func (t *Traffic) dropFast() {
	if !t.snapped {
		return // settle centred none
	}
	t.snapped = false
	n := 0
	for _, i := range t.slow {
		if p := &t.Vehicles[i]; p.centered {
			t.pull(i)
			p.slow = false
			t.push(i)
		} else {
			t.slow[n] = i
			n++
		}
	}
	t.slow = t.slow[:n]
}

// membership returns the lanes whose rows should hold p: its own, and the one beside it on
// the side of its offset when p lies within that lane's half width plus OnLaneMargin of its
// centre (a vehicle on the fast path is on its own lane only).
func (t *Traffic) membership(p *Vehicle) [2]int8 {
	return t.membershipOf(p.Lane, p.r, p.r0, p.centered)
}

// membershipOf is membership for a vehicle on lane at offset r from its centre and r0 from
// lane 0's.
func (t *Traffic) membershipOf(lane int, r, r0 float64, centered bool) [2]int8 {
	want := [2]int8{int8(lane), -1}
	if centered {
		return want
	}
	side := lane + 1
	if r < 0 {
		side = lane - 1
	}
	if side >= 0 && side < len(t.reach) {
		if d := math.Abs(r0 - t.off[side]); d <= t.reach[side] {
			if side < lane {
				want = [2]int8{int8(side), int8(lane)}
			} else {
				want[1] = int8(side)
			}
		}
	}
	return want
}

// updateMembership puts vehicle i on the rows of the lanes it is on (membership) and off the
// others.
func (t *Traffic) updateMembership(i int32) {
	p := &t.Vehicles[i]
	want := t.membership(p)
	if want == p.memb {
		return
	}
	old, oldIdx := p.memb, p.idx
	for n, c := range old {
		if c >= 0 && c != want[0] && c != want[1] {
			t.removeEntry(int(c), int(oldIdx[n]))
			p.memb[n] = -1
		}
	}
	for _, c := range want {
		if c >= 0 && c != old[0] && c != old[1] {
			t.insertEntry(int(c), i)
		}
	}
	// The entries of the lanes kept, at their present places (inserting and removing entries
	// on other rows does not move them).
	var idx [2]int32
	for n, c := range want {
		switch {
		case c < 0:
		case c == p.memb[0]:
			idx[n] = p.idx[0]
		case c == p.memb[1]:
			idx[n] = p.idx[1]
		}
	}
	p.memb, p.idx = want, idx
}

// insertEntry adds vehicle i to row c after the last entry not ahead of it, records the
// entry in the vehicle's first free membership slot, and moves the entries above.
func (t *Traffic) insertEntry(c int, i int32) {
	r := &t.rows[c]
	p := &t.Vehicles[i]
	k := r.n
	S := r.d[pS*r.stride:]
	for k > 0 && S[k-1] > p.s {
		k--
	}
	r.insertAt(k)
	r.id[k] = i
	t.writeEntry(c, k, p)
	n := 0
	if p.memb[0] >= 0 {
		n = 1
	}
	p.memb[n], p.idx[n] = int8(c), int32(k)
	t.renumber(c, k+1)
	t.dirty[c] = true
}

// removeEntry removes entry k from row c and moves the entries above.
func (t *Traffic) removeEntry(c, k int) {
	t.rows[c].removeAt(k)
	t.renumber(c, k)
	t.dirty[c] = true
}

// renumber records the places of row c's entries from k on in their vehicles.
func (t *Traffic) renumber(c, k int) {
	r := &t.rows[c]
	for e := k; e < r.n; e++ {
		p := &t.Vehicles[r.id[e]]
		if int(p.memb[0]) == c {
			p.idx[0] = int32(e)
		} else {
			p.idx[1] = int32(e)
		}
	}
}

// relink restores the order of every row.
func (t *Traffic) relink() {
	for c := range t.rows {
		t.relinkRow(c)
	}
}

// relinkRow sorts row c by position (insertion sort: it is nearly sorted) and records the
// entries' places in their vehicles.
func (t *Traffic) relinkRow(c int) {
	r := &t.rows[c]
	S := r.d[pS*r.stride:]
	moved := r.n
	for k := 1; k < r.n; k++ {
		for m := k; m > 0 && S[m-1] > S[m]; m-- {
			r.swap(m - 1)
			moved = min(moved, m-1)
		}
	}
	t.renumber(c, moved)
}

// decide runs the lane-change logic of the traffic vehicles that are due (highway-env's
// change_lane_policy): a vehicle changing lanes aborts when another is changing into the same
// lane just ahead of it; a vehicle keeping its lane runs MOBIL once every MOBIL.Delay seconds.
func (t *Traffic) decide() {
	vs := t.Vehicles
	t.changer = t.changer[:0]
	clear(t.into)
	for _, i := range t.slow {
		if p := &vs[i]; p.Lane != p.TargetLane {
			t.changer = append(t.changer, i)
			if p.Driver != DriverDirect {
				t.into[p.TargetLane]++
			}
		}
	}
	for _, i := range t.due {
		p := &vs[i]
		if p.Crashed {
			continue
		}
		// A vehicle is due when its timer passed MOBIL's delay or, changing lanes, always.
		if p.Lane != p.TargetLane {
			// Only another vehicle changing into the same lane can make it abort: with none
			// (t.into counts p itself), abortLaneChange would find nothing.
			if t.into[p.TargetLane] > 1 {
				t.abortLaneChange(int(i))
			}
		} else {
			t.resetTimer(i)
			t.changeLanePolicy(i)
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
		sp, vp, _ := t.state(int32(i))
		so, vo, _ := t.state(j)
		if d := so - sp; d > 0 && d < t.desiredGap(vp, vo) {
			t.into[p.TargetLane]-- // no longer changing lanes
			t.pull(int32(i))
			p.TargetLane = p.Lane
			t.push(int32(i))
			return
		}
	}
}

// changeLanePolicy runs MOBIL on the lanes beside vehicle i, left then right; the last lane
// that passes wins (highway-env's order).
func (t *Traffic) changeLanePolicy(i int32) {
	p := &t.Vehicles[i]
	r, k := t.own(p)
	c := r.col(k)
	self := mobilVehicle{s: c.get(pS), v: c.get(pV), free: c.get(pFree), ok: true}
	var front mobilVehicle
	if k+1 < r.n {
		f := r.col(k + 1)
		front = mobilVehicle{s: f.get(pS), v: f.get(pV), free: f.get(pFree), ok: true}
	}
	m := &t.MOBIL
	if m.Politeness != 0 {
		for _, l := range [2]int{p.Lane - 1, p.Lane + 1} {
			if l >= 0 && l < len(t.Lanes) && t.mobil(i, self, front, l) {
				p.TargetLane = l
				p.centered = false
				t.markSlow(i)
			}
		}
		return
	}
	// A selfish driver: MOBIL.Decide with the followers' terms 0, the incentive (which needs
	// only the new leader) tested before the safety criterion. It gains at most the braking
	// its present leader imposes: without enough of it no lane can pass.
	if !front.ok {
		return
	}
	braking := t.interaction(self.v, self.s, front.v, front.s)
	if m.MinAccelGain > 0 && braking < m.MinAccelGain {
		return
	}
	selfA := self.free - braking
	for _, l := range [2]int{p.Lane - 1, p.Lane + 1} {
		if l < 0 || l >= len(t.Lanes) {
			continue
		}
		o := &t.rows[l]
		kf, kr := t.neighbourEntries(i, self.s, l)
		selfPredA := self.free
		if kf >= 0 {
			f := o.col(kf)
			selfPredA -= t.interaction(self.v, self.s, f.get(pV), f.get(pS))
		}
		if !(selfPredA-selfA >= m.MinAccelGain) {
			continue
		}
		if kr >= 0 {
			b := o.col(kr)
			if b.get(pFree)-t.interaction(b.get(pV), b.get(pS), self.v, self.s) < -m.MaxBrakingImposed {
				continue
			}
		}
		p.TargetLane = l
		p.centered = false
		t.markSlow(i)
	}
}

// mobilVehicle is a vehicle as MOBIL weighs it: position, speed and free-road term (ok false:
// no vehicle).
type mobilVehicle struct {
	s, v, free float64
	ok         bool
}

// accel is highway-env's IDMVehicle.acceleration(ego, front): 0 without ego, the free term
// without front.
func (t *Traffic) accel(ego, front mobilVehicle) float64 {
	if !ego.ok {
		return 0
	}
	a := ego.free
	if front.ok {
		a -= t.interaction(ego.v, ego.s, front.v, front.s)
	}
	return a
}

// mobil reports whether vehicle i (self), behind front on its lane, should change to lane c,
// as MOBIL.Decide on the IDM accelerations of the vehicles involved; the followers' terms are
// computed only when politeness weighs them.
func (t *Traffic) mobil(i int32, self, front mobilVehicle, c int) bool {
	r := &t.rows[c]
	st := r.stride
	kf, kr := t.neighbourEntries(i, self.s, c)
	var newPre, newFol mobilVehicle
	if kf >= 0 {
		newPre = mobilVehicle{s: r.d[pS*st+kf], v: r.d[pV*st+kf], free: r.d[pFree*st+kf], ok: true}
	}
	if kr >= 0 {
		newFol = mobilVehicle{s: r.d[pS*st+kr], v: r.d[pV*st+kr], free: r.d[pFree*st+kr], ok: true}
	}
	newFolPredA := t.accel(newFol, self)
	if newFolPredA < -t.MOBIL.MaxBrakingImposed {
		return false
	}
	selfPredA := t.accel(self, newPre)
	selfA := t.accel(self, front)
	var newFolA, oldFolA, oldFolPredA float64
	if t.MOBIL.Politeness != 0 {
		var rear mobilVehicle
		if j := t.rear(i); j >= 0 {
			s, v, free := t.state(j)
			rear = mobilVehicle{s: s, v: v, free: free, ok: true}
		}
		newFolA = t.accel(newFol, newPre)
		oldFolA = t.accel(rear, self)
		oldFolPredA = t.accel(rear, front)
	} else {
		newFolA = newFolPredA
	}
	return t.MOBIL.Decide(selfA, selfPredA, newFolA, newFolPredA, oldFolA, oldFolPredA)
}

// neighbourEntries returns the entries of row c holding the nearest vehicles ahead (s_v >= s)
// and behind (s_v < s) of vehicle i at position s, not counting i (-1: none).
func (t *Traffic) neighbourEntries(i int32, s float64, c int) (front, rear int) {
	r := &t.rows[c]
	S := r.d[pS*r.stride : pS*r.stride+r.n]
	id := r.id[:len(S)]
	// The first entry with s_v >= s: in a short row, the count of the entries before it
	// (compares without branches to mispredict), else a binary search.
	lo := 0
	if len(S) <= 32 {
		// Over a fixed number of entries, sixteen (a stride's least) or 32, so that the count's
		// loop always runs the same number of times: the padding after the last entry is
		// +Inf, never below s.
		m := 16
		if len(S) > 16 {
			m = 32
		}
		lo = countBelow(r.d[pS*r.stride:pS*r.stride+min(m, r.stride)], s)
	} else {
		for hi := len(S); lo < hi; {
			m := int(uint(lo+hi) >> 1)
			if S[m] < s {
				lo = m + 1
			} else {
				hi = m
			}
		}
	}
	front, rear = lo, lo-1
	if front < len(id) && id[front] == i {
		front++
	}
	if front >= len(id) {
		front = -1
	}
	if rear >= 0 && id[rear] == i {
		rear--
	}
	return front, rear
}

// neighbours returns the nearest vehicles ahead (s_v >= s) and behind (s_v < s) of vehicle i
// on lane c, not counting i.
func (t *Traffic) neighbours(i int32, c int) (front, rear int32) {
	s, _, _ := t.state(i)
	kf, kr := t.neighbourEntries(i, s, c)
	front, rear = -1, -1
	if kf >= 0 {
		front = t.rows[c].id[kf]
	}
	if kr >= 0 {
		rear = t.rows[c].id[kr]
	}
	return front, rear
}

// Neighbours returns the indices of the nearest vehicles ahead and behind vehicle i on lane c
// (-1 for none), as highway-env's road.neighbour_vehicles(vehicle, lane).
func (t *Traffic) Neighbours(i, c int) (front, rear int) {
	f, r := t.neighbours(int32(i), c)
	return int(f), int(r)
}

// collideSlow tests the slow vehicles against their neighbours on their rows (the fast ones
// were tested against each other as they moved), and the directly driven vehicles, which may
// be anywhere, against every vehicle.
func (t *Traffic) collideSlow() {
	vs := t.Vehicles
	for _, i := range t.slow {
		p := &vs[i]
		// Its position along the road, as pose gives it (the rest of the pose only for the
		// rare neighbour within reach, in testPair).
		si := p.s
		if t.laneFrame(p) {
			r, k := t.own(p)
			si = r.at(pS, k)
		}
		if p.Driver == DriverDirect {
			for j := range vs {
				if j != int(i) {
					t.testPair(i, int32(j), si)
				}
			}
			continue
		}
		// Beyond reach along the road, no footprint can touch p's (testPair decides the
		// others).
		reach := p.radius + t.maxRadius
		for n := range 2 {
			c := p.memb[n]
			if c < 0 {
				continue
			}
			r := &t.rows[c]
			S := r.d[pS*r.stride : pS*r.stride+r.n]
			k := int(p.idx[n])
			for m := k + 1; m < len(S) && S[m]-si <= reach; m++ {
				t.testPair(i, r.id[m], si)
			}
			for m := k - 1; m >= 0 && si-S[m] <= reach; m-- {
				t.testPair(i, r.id[m], si)
			}
		}
	}
}

// testPair marks vehicles i (at si along the road) and j crashed when their footprints
// overlap.
func (t *Traffic) testPair(i, j int32, si float64) {
	a, b := &t.Vehicles[i], &t.Vehicles[j]
	if a.Crashed && b.Crashed {
		return
	}
	_, ar0, aec, aes := t.pose(i)
	sj, br0, bec, bes := t.pose(j)
	ds, dr := sj-si, br0-ar0
	reach := a.radius + b.radius
	if ds*ds+dr*dr > reach*reach {
		return
	}
	// Overlap in the lanes' frame, where the headings are e.
	if overlapSC(Box{X: si, Y: ar0, Length: a.Length, Width: a.Width}, Box{X: sj, Y: br0, Length: b.Length, Width: b.Width}, aec, aes, bec, bes) {
		t.crash(i)
		t.crash(j)
	}
}
