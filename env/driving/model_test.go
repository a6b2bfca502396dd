package driving

import (
	"math"
	"testing"

	"github.com/gorl/gorl/env"
)

// Constant steering at constant speed drives the rear axle around a circle of radius
// L/tan δ and the reference point around a circle of radius √((L/tan δ)² + lr²), whatever the
// step size, because Step integrates the model exactly.
func TestBicycleCircle(t *testing.T) {
	for _, c := range []struct {
		L, lr, delta, v, dt float64
	}{
		{5, 2.5, 0.2, 20, 1.0 / 15},
		{2.6, 1.3, 0.45, 8, 0.02},
		{2.6, 0, -0.3, 5, 0.5}, // reference point on the rear axle
		{4, 3, 0.05, 30, 1},
	} {
		b := Bicycle{Wheelbase: c.L, RearToRef: c.lr, MaxSteer: 1, MaxAccel: 1, MaxDecel: 1, MaxSpeed: 100}
		s := State{X: 1, Y: -2, Heading: 0.3, Speed: c.v, Steer: c.delta}
		R := c.L / math.Tan(c.delta) // signed: positive turns left
		rear := func(s State) (float64, float64) {
			return s.X - c.lr*math.Cos(s.Heading), s.Y - c.lr*math.Sin(s.Heading)
		}
		rx, ry := rear(s)
		// The centre of the rear axle's circle lies R to the left of the rear axle.
		cx, cy := rx-R*math.Sin(s.Heading), ry+R*math.Cos(s.Heading)
		h0 := s.Heading
		steps := 200
		for range steps {
			b.Step(&s, c.delta, 0, c.dt)
		}
		rx, ry = rear(s)
		if d := math.Hypot(rx-cx, ry-cy); math.Abs(d-math.Abs(R)) > 1e-9*math.Abs(R) {
			t.Errorf("%+v: rear axle at %.12f from the centre; want |L/tan δ| = %.12f", c, d, math.Abs(R))
		}
		if d, want := math.Hypot(s.X-cx, s.Y-cy), math.Hypot(R, c.lr); math.Abs(d-want) > 1e-9*want {
			t.Errorf("%+v: reference point at %.12f from the centre; want %.12f", c, d, want)
		}
		// The heading turns by the distance travelled over the reference point's radius.
		if got, want := s.Heading-h0, c.v*c.dt*float64(steps)/math.Copysign(math.Hypot(R, c.lr), R); math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%+v: heading turned %.12f; want v·t/√(R²+lr²) = %.12f", c, got, want)
		}
	}
}

// Straight ahead, the distance is v·t + a·t²/2 until a speed limit, at any step size.
func TestBicycleStraight(t *testing.T) {
	b := Bicycle{Wheelbase: 2.6, RearToRef: 1.3, MaxSteer: 0.5, MaxAccel: 3, MaxDecel: 8, MaxSpeed: 30}
	s := State{Heading: math.Pi / 6, Speed: 10}
	for range 10 {
		b.Step(&s, 0, 5, 0.1) // clipped to MaxAccel = 3
	}
	d := 10*1 + 0.5*3*1*1
	if got := math.Hypot(s.X, s.Y); math.Abs(got-d) > 1e-9 || math.Abs(s.Speed-13) > 1e-12 {
		t.Errorf("after 1 s at 3 m/s² from 10 m/s: distance %v speed %v; want %v and 13", got, s.Speed, d)
	}
	if math.Abs(math.Atan2(s.Y, s.X)-math.Pi/6) > 1e-12 {
		t.Errorf("straight motion left the heading's line")
	}
	// The speed saturates at MaxSpeed.
	for range 100 {
		b.Step(&s, 0, 3, 0.1)
	}
	if s.Speed != 30 {
		t.Errorf("speed %v; want the limit 30", s.Speed)
	}
	// The steering rate limit.
	b.MaxSteerRate = 1
	s.Steer = 0
	b.Step(&s, 0.5, 0, 0.1)
	if math.Abs(s.Steer-0.1) > 1e-15 {
		t.Errorf("steer %v after 0.1 s at 1 rad/s; want 0.1", s.Steer)
	}
}

// SteerForYawRate inverts the model: the heading then turns at the requested rate.
func TestSteerForYawRate(t *testing.T) {
	b := DefaultCar()
	for _, w := range []float64{-0.5, -0.01, 0, 0.02, 0.3} {
		s := State{Speed: 20}
		s.Steer = b.SteerForYawRate(w, s.Speed)
		b.Step(&s, s.Steer, 0, 0.01)
		if got := s.Heading / 0.01; math.Abs(got-w) > 1e-9 {
			t.Errorf("yaw rate %v: got %v", w, got)
		}
	}
}

func TestOverlap(t *testing.T) {
	car := func(x, y, h float64) Box { return Box{X: x, Y: y, Heading: h, Length: 4, Width: 2} }
	for _, c := range []struct {
		name string
		a, b Box
		want bool
	}{
		{"same place", car(0, 0, 0), car(0, 0, 1), true},
		{"nose to tail, 1 cm apart", car(0, 0, 0), car(4.01, 0, 0), false},
		{"nose to tail, touching", car(0, 0, 0), car(4, 0, 0), true},
		{"nose to tail, overlapping", car(0, 0, 0), car(3.9, 0, 0), true},
		{"side by side, 1 cm apart", car(0, 0, 0), car(0, 2.01, 0), false},
		{"side by side, overlapping", car(0, 0, 0), car(1, 1.9, 0), true},
		// A box rotated 45° whose corner points at the other's side: apart along a's axis.
		{"corner near side, apart", car(0, 0, 0), car(0, 1+math.Sqrt2*1.5+0.01, math.Pi/4), false},
		{"corner into side", car(0, 0, 0), car(0, 1+math.Sqrt2*1.5-0.05, math.Pi/4), true},
		// Separated only along an axis of b (not of a): b, turned -45°, faces a's corner with
		// its side; the projections overlap on both of a's axes.
		{"beyond the corner", car(0, 0, 0), car(3.2/math.Sqrt2, 3.2/math.Sqrt2, -math.Pi/4), false},
		{"into the corner", car(0, 0, 0), car(3.0/math.Sqrt2, 3.0/math.Sqrt2, -math.Pi/4), true},
		{"perpendicular T", car(0, 0, 0), car(0, 2.9, math.Pi/2), true},
		{"perpendicular apart", car(0, 0, 0), car(0, 3.01, math.Pi/2), false},
	} {
		if got := Overlap(c.a, c.b); got != c.want {
			t.Errorf("%s: Overlap = %v; want %v", c.name, got, c.want)
		}
		if got := Overlap(c.b, c.a); got != c.want {
			t.Errorf("%s (swapped): Overlap = %v; want %v", c.name, got, c.want)
		}
		if got := polygonsIntersect(c.a.Corners(), c.b.Corners()); got != c.want {
			t.Errorf("%s: the brute-force polygon test says %v; the case is wrong", c.name, got)
		}
	}
}

// polygonsIntersect is an independent check for the SAT: two convex polygons intersect when an
// edge of one crosses an edge of the other or one contains a corner of the other.
func polygonsIntersect(a, b [4][2]float64) bool {
	for i := range 4 {
		p, q := a[i], a[(i+1)%4]
		for j := range 4 {
			r, s := b[j], b[(j+1)%4]
			if segmentsIntersect(p[0], p[1], q[0], q[1], r[0], r[1], s[0], s[1]) {
				return true
			}
		}
	}
	inside := func(poly [4][2]float64, x, y float64) bool {
		var pos, neg bool
		for i := range 4 {
			o := orient(poly[i][0], poly[i][1], poly[(i+1)%4][0], poly[(i+1)%4][1], x, y)
			pos, neg = pos || o > 0, neg || o < 0
		}
		return !(pos && neg)
	}
	return inside(a, b[0][0], b[0][1]) || inside(b, a[0][0], a[0][1])
}

func TestLaneGeometry(t *testing.T) {
	segs := []Segment{
		NewLine(0, 0, 10, 0),
		NewArc(10, 0, 0, math.Pi*10, 1.0/10), // half circle to the left, radius 10
	}
	x, y := segs[1].Position(segs[1].Length, 0)
	segs = append(segs, NewLine(x, y, x-10, y))
	l, err := NewLane(segs, 4, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(x-10) > 1e-12 || math.Abs(y-20) > 1e-12 {
		t.Fatalf("half circle ends at (%v, %v); want (10, 20)", x, y)
	}
	for _, c := range []struct{ s, r float64 }{{3, 1}, {12, -1.5}, {10 + math.Pi*5, 0.5}, {35, 1.9}, {45, -1}} {
		px, py := l.Position(c.s, c.r)
		s, r := l.Local(px, py)
		if math.Abs(s-c.s) > 1e-9 || math.Abs(r-c.r) > 1e-9 {
			t.Errorf("Local(Position(%v, %v)) = (%v, %v)", c.s, c.r, s, r)
		}
	}
	if h := l.HeadingAt(10 + math.Pi*5); math.Abs(h-math.Pi/2) > 1e-12 {
		t.Errorf("heading a quarter round the arc %v; want π/2", h)
	}
	if _, err := NewLane([]Segment{NewLine(0, 0, 1, 0), NewLine(2, 0, 3, 0)}, 4, 0, false); err == nil {
		t.Error("NewLane accepted segments that do not join")
	}
}

// IDM against its formula a·[1 - (v/v0)^δ - (s*/s)²], s* = s0 + v·T + v·Δv/(2√(ab)).
func TestIDMFormula(t *testing.T) {
	p := DefaultIDM()
	for _, c := range []struct{ v, v0, delta, gap, vLead float64 }{
		{20, 25, 4, 50, 18}, {25, 25, 3.7, 30, 25}, {0, 20, 4.3, 12, 0}, {28, 24, 4.5, 200, 30},
		{10, 30, 3.5, 15, 12}, {33, 30, 4.1, 60, 20},
	} {
		sStar := p.MinGap + c.v*p.TimeGap + c.v*(c.v-c.vLead)/(2*math.Sqrt(p.ComfortAccel*p.ComfortDecel))
		want := p.ComfortAccel * (1 - math.Pow(c.v/c.v0, c.delta) - math.Pow(sStar/c.gap, 2))
		if got := p.Accel(c.v, c.v0, c.delta, true, c.gap, c.vLead); math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: Accel = %.12f; want %.12f", c, got, want)
		}
		free := p.ComfortAccel * (1 - math.Pow(c.v/c.v0, c.delta))
		if got := p.Accel(c.v, c.v0, c.delta, false, 0, 0); math.Abs(got-free) > 1e-9 {
			t.Errorf("%+v: free-road Accel = %.12f; want %.12f", c, got, free)
		}
	}
	// A much faster leader does not make s* negative.
	if got := p.DesiredGap(20, -100); got != p.MinGap {
		t.Errorf("DesiredGap with a leader 100 m/s faster = %v; want s0 = %v", got, p.MinGap)
	}
}

// The fast power functions agree with math.Pow: powPos and powSeries.pow to 1e-10 anywhere,
// the series itself to 2e-13 within its range for exponents up to 8 (1e-14 for highway-env's).
func TestPow(t *testing.T) {
	var ps powSeries
	for d := 3.5; d <= 4.5; d += 0.0625 {
		ps.set(d)
		for x := 0.0; x <= 2; x += 0.0013 {
			want := math.Pow(x, d)
			for name, got := range map[string]float64{"powPos": powPos(x, d), "powSeries": ps.pow(x)} {
				if math.Abs(got-want) > 1e-10*want+1e-300 {
					t.Fatalf("%s(%v, %v) = %v; want %v", name, x, d, got, want)
				}
			}
		}
	}
	for d := 1.0; d <= 8; d += 0.03 {
		ps.set(d)
		tol := 2e-13
		if d >= 3.5 && d <= 4.5 {
			tol = 2e-14
		}
		for x := powCentre - powHalfWidth; x <= powCentre+powHalfWidth; x += 0.0007 {
			want := math.Pow(x, d)
			if got := estrin16(x-powCentre, &ps.c); math.Abs(got-want) > tol*want {
				t.Fatalf("series of x^%v at %v = %v; want %v (relative error %.1e)", d, x, got, want, math.Abs(got-want)/want)
			}
		}
	}
}

func TestSmallAngleTrig(t *testing.T) {
	for x := -0.5; x <= 0.5; x += 0.0007 {
		s, c := sincos(x)
		if math.Abs(s-math.Sin(x)) > 1e-16 || math.Abs(c-math.Cos(x)) > 2e-16 {
			t.Fatalf("sincos(%v) = %v, %v", x, s, c)
		}
		if math.Abs(atan(x)-math.Atan(x)) > 1e-16 {
			t.Fatalf("atan(%v) = %v", x, atan(x))
		}
		if math.Abs(asin(x)-math.Asin(x)) > 6e-16*math.Abs(math.Asin(x)) {
			t.Fatalf("asin(%v) = %v", x, asin(x))
		}
	}
}

func TestMOBILDecide(t *testing.T) {
	m := DefaultMOBIL()
	// self, selfPred, newFollower, newFollowerPred, oldFollower, oldFollowerPred
	if !m.Decide(-2, 1, 0, 0, 0, 0) {
		t.Error("a 3 m/s² gain with no one braking: want a change")
	}
	if m.Decide(-2, 1, 0, -2.5, 0, 0) {
		t.Error("the new follower must brake at 2.5 m/s² > 2: want no change")
	}
	if m.Decide(0.5, 0.6, 0, 0, 0, 0) {
		t.Error("a 0.1 m/s² gain is below the 0.2 threshold: want no change")
	}
	polite := m
	polite.Politeness = 1
	if polite.Decide(-1, 0.5, 1, -1.5, 0, 0) {
		t.Error("a polite driver gaining 1.5 while costing the new follower 2.5: want no change")
	}
	if !polite.Decide(-1, 0.5, 0, -0.2, -1, 0.5) {
		t.Error("a polite driver whose change also helps the old follower: want a change")
	}
}

// newTestTraffic builds a highway of n lanes with vehicles at (lane, x, speed), all IDM with
// desired speed equal to their speed unless given.
func newTestTraffic(t *testing.T, lanes int, vs ...Vehicle) *Traffic {
	t.Helper()
	ls := make([]*Lane, lanes)
	for i := range ls {
		y := float64(i) * laneWidth
		l, err := NewLane([]Segment{NewLine(0, y, highwayLength, y)}, laneWidth, highwaySpeedLimit, false)
		if err != nil {
			t.Fatal(err)
		}
		ls[i] = l
	}
	tr, err := NewTraffic(ls)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		v.Y = float64(v.Lane) * laneWidth
		v.TargetLane = v.Lane
		if v.Length == 0 {
			v.Length, v.Width = vehicleLength, vehicleWidth
		}
		if v.TargetSpeed == 0 {
			v.TargetSpeed = v.Speed
		}
		tr.Add(v)
	}
	return tr
}

func idmAt(lane int, x, v float64) Vehicle {
	return Vehicle{State: State{X: x, Speed: v}, Lane: lane, Driver: DriverIDM}
}

// MOBIL decisions of the simulation on constructed scenes (lane 0 is the leftmost).
func TestMOBILScenes(t *testing.T) {
	const me = 0
	for _, c := range []struct {
		name  string
		lanes int
		vs    []Vehicle
		want  int // the lane vehicle 0 targets after its decision
	}{
		{"free road: stay", 3, []Vehicle{idmAt(1, 100, 25)}, 1},
		{"slow leader ahead, both sides free: right wins", 3,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 130, 15)}, 2},
		{"slow leader, right lane blocked by a fast follower", 3,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 130, 15), idmAt(2, 95, 30)}, 0},
		{"slow leader, both sides blocked beside", 3,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 130, 15), idmAt(2, 100, 25), idmAt(0, 101, 25)}, 1},
		{"slow leader, the left lane as slow: right", 3,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 130, 15), idmAt(0, 135, 15)}, 2},
		{"rightmost lane: only left", 2,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 130, 15)}, 0},
		{"leader far ahead: no gain", 3,
			[]Vehicle{idmAt(1, 100, 25), idmAt(1, 600, 15)}, 1},
	} {
		c.vs[me].Timer = 10 // due
		tr := newTestTraffic(t, c.lanes, c.vs...)
		tr.decideFor(me)
		if got := tr.Vehicles[me].TargetLane; got != c.want {
			t.Errorf("%s: target lane %d; want %d", c.name, got, c.want)
		}
	}
}

// decideFor runs the lane-change logic of one vehicle now.
func (t *Traffic) decideFor(i int) {
	t.refresh(t.params.dt)
	t.due = append(t.due[:0], int32(i))
	t.decide()
}

// The simulation's IDM commands are the formula's: each follower's acceleration after a step
// from a constructed queue.
func TestTrafficIDM(t *testing.T) {
	v0, v1 := idmAt(0, 0, 20), idmAt(0, 35, 22)
	v0.Delta, v1.Delta = 3.6, 4.4
	tr := newTestTraffic(t, 1, v0, v1, idmAt(0, 60, 25))
	tr.SetTargetSpeed(0, 28)
	tr.SetTargetSpeed(1, 24)
	tr.SetTargetSpeed(2, 25)
	p := tr.IDM
	want0 := clamp(p.Accel(20, 28, 3.6, true, 35, 22), -p.MaxAccel, p.MaxAccel)
	want1 := clamp(p.Accel(22, 24, 4.4, true, 25, 25), -p.MaxAccel, p.MaxAccel)
	want2 := p.Accel(25, 25, 4, false, 0, 0)
	tr.Step(0.1)
	for i, want := range []float64{want0, want1, want2} {
		if got := tr.Vehicles[i].AccelCmd; math.Abs(got-want) > 1e-9 {
			t.Errorf("vehicle %d: acceleration %.12f; want %.12f", i, got, want)
		}
	}
}

// The lane lists and neighbours stay those of highway-env's brute-force neighbour search over
// long random highway episodes with lane changes, and every overlap of two footprints is a
// crash.
func TestTrafficNeighboursBruteForce(t *testing.T) {
	h, err := NewHighway(env.Options{"vehicles_count": 40, "vehicles_density": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(7))
	rng := env.NewRand(7)
	act := make([]float32, 1)
	changes := 0
	for step := range 300 {
		h.ActionSpace().Sample(rng, act)
		_, _, term, trunc, _ := h.Step(act)
		tr := h.traffic
		for i := range tr.Vehicles {
			p := &tr.Vehicles[i]
			if p.Lane != p.TargetLane {
				changes++
			}
			wantF, wantR := bruteNeighbours(tr, i, p.Lane)
			if f, r := tr.front(int32(i)), tr.rear(int32(i)); int(f) != wantF || int(r) != wantR {
				t.Fatalf("step %d vehicle %d: front/rear %d/%d; brute force says %d/%d", step, i, f, r, wantF, wantR)
			}
			for c := range tr.Lanes {
				f, r := tr.Neighbours(i, c)
				if bf, br := bruteNeighbours(tr, i, c); f != bf || r != br {
					t.Fatalf("step %d vehicle %d lane %d: Neighbours %d/%d; brute force %d/%d", step, i, c, f, r, bf, br)
				}
			}
			for j := i + 1; j < len(tr.Vehicles); j++ {
				if q := &tr.Vehicles[j]; Overlap(p.Box(), q.Box()) && !(p.Crashed && q.Crashed) {
					t.Fatalf("step %d: vehicles %d and %d overlap but are not crashed", step, i, j)
				}
			}
		}
		if term || trunc {
			h.Reset(nil)
		}
	}
	if changes == 0 {
		t.Error("no lane change happened: the test exercised nothing")
	}
}

// bruteNeighbours is highway-env's road.neighbour_vehicles over every vehicle: on lane c means
// within half the lane's width plus 1 m of its centre.
func bruteNeighbours(tr *Traffic, i, c int) (front, rear int) {
	front, rear = -1, -1
	s := tr.Vehicles[i].s
	var sf, sr float64
	for j := range tr.Vehicles {
		if j == i {
			continue
		}
		v := &tr.Vehicles[j]
		if math.Abs(v.r0-tr.off[c]) > laneWidth/2+tr.OnLaneMargin {
			continue
		}
		if s <= v.s && (front < 0 || v.s <= sf) {
			front, sf = j, v.s
		}
		if v.s < s && (rear < 0 || v.s > sr) {
			rear, sr = j, v.s
		}
	}
	return front, rear
}

// Within the lateral bounds quickBounds gives a vehicle changing lanes, its lane and rows stay
// those it has, and it can snap onto its lane's centre only within snapWindow, as settleQuick
// assumes: checked at offsets across the bounds of every such vehicle over random highway
// episodes.
func TestQuickBounds(t *testing.T) {
	for _, opts := range []env.Options{nil, {"lanes_count": 3, "vehicles_count": 30, "vehicles_density": 2}} {
		h, err := NewHighway(opts)
		if err != nil {
			t.Fatal(err)
		}
		h.Reset(env.Seed(11))
		rng := env.NewRand(11)
		act := make([]float32, 1)
		checked := 0
		for range 400 {
			h.ActionSpace().Sample(rng, act)
			if _, _, term, trunc, _ := h.Step(act); term || trunc {
				h.Reset(nil)
				continue
			}
			tr := h.traffic
			for _, i := range tr.slow {
				p := &tr.Vehicles[i]
				if !tr.laneFrame(p) || p.centered {
					continue
				}
				lo, hi := math.Max(p.qlo, -100), math.Min(p.qhi, 100)
				for k := 1; k < 50 && lo < hi; k++ {
					r0 := lo + (hi-lo)*float64(k)/50
					lane, off := tr.laneOf(r0, p.Lane)
					if lane != p.Lane || (off < snapOffset && off > -snapOffset && lane == p.TargetLane && !tr.snapWindow(p, r0)) ||
						tr.membershipOf(lane, off, r0, false) != p.memb {
						t.Fatalf("vehicle %d at r0 = %v within (%v, %v): lane %d (was %d), offset %v, rows %v (were %v)",
							i, r0, p.qlo, p.qhi, lane, p.Lane, off, tr.membershipOf(lane, off, r0, false), p.memb)
					}
					checked++
				}
			}
		}
		if checked == 0 {
			t.Fatalf("%v: checked nothing", opts)
		}
	}
}
