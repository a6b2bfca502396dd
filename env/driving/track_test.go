package driving

import (
	"math"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

func TestTrackGeneration(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 10
	}
	for seed := range uint64(n) {
		tr := GenerateTrack(env.NewRand(seed))
		N := tr.N()
		if N < 150 || N > 500 {
			t.Errorf("seed %d: %d tiles; CarRacing's tracks have about 300", seed, N)
		}
		// Closed: CarRacing's glue test (the last point lies within a tile's length of the
		// first across the track) and the closing tile no longer than a few.
		fx, fy := math.Cos(tr.Beta[0]), math.Sin(tr.Beta[0])
		dx, dy := tr.X[N-1]-tr.X[0], tr.Y[N-1]-tr.Y[0]
		if perp := math.Hypot(fx*dx, fy*dy); perp > trackDetailStep {
			t.Errorf("seed %d: the ends are %.2f m apart across the track", seed, perp)
		}
		if gap := math.Hypot(dx, dy); gap > 5*trackDetailStep {
			t.Errorf("seed %d: the ends are %.2f m apart", seed, gap)
		}
		if math.Abs(tr.Lane.Length()-float64(N)*trackDetailStep) > 0.1*float64(N)*trackDetailStep {
			t.Errorf("seed %d: the lane is %.1f m long for %d tiles", seed, tr.Lane.Length(), N)
		}
		// Not self-intersecting: no two non-adjacent segments of the centre line or of either
		// edge cross, and the edges do not cross each other.
		polys := [][2][]float64{{tr.X, tr.Y}, {tr.LeftX, tr.LeftY}, {tr.RightX, tr.RightY}}
		for a, pa := range polys {
			for b := a; b < len(polys); b++ {
				pb := polys[b]
				for i := range N {
					i1 := (i + 1) % N
					for j := range N {
						j1 := (j + 1) % N
						if a == b && (j <= i+1 || (i == 0 && j1 == 0)) {
							continue // each pair once, neighbours share a point
						}
						if a == 0 && b > 0 {
							continue // the centre line lies between the edges by construction
						}
						if segmentsIntersect(pa[0][i], pa[1][i], pa[0][i1], pa[1][i1], pb[0][j], pb[1][j], pb[0][j1], pb[1][j1]) {
							t.Fatalf("seed %d: polyline %d segment %d crosses polyline %d segment %d", seed, a, i, b, j)
						}
					}
				}
			}
		}
		if !tr.separated() {
			t.Errorf("seed %d: parts of the road overlap", seed)
		}
	}
	// Seeded: the same seed gives the same track, different seeds different ones.
	a, b, c := GenerateTrack(env.NewRand(5)), GenerateTrack(env.NewRand(5)), GenerateTrack(env.NewRand(6))
	if a.N() != b.N() {
		t.Fatal("the same seed gave tracks of different lengths")
	}
	for i := range a.X {
		if a.X[i] != b.X[i] || a.Y[i] != b.Y[i] || a.Beta[i] != b.Beta[i] {
			t.Fatalf("the same seed gave different tracks at point %d", i)
		}
	}
	if a.N() == c.N() && a.X[10] == c.X[10] {
		t.Error("seeds 5 and 6 gave the same track")
	}
}

func TestTrackQueries(t *testing.T) {
	tr := GenerateTrack(env.NewRand(1))
	for _, i := range []int{0, 17, tr.N() - 1} {
		j := (i + 1) % tr.N()
		mx, my := (tr.X[i]+tr.X[j])/2, (tr.Y[i]+tr.Y[j])/2
		if !tr.OnTile(i, mx, my) {
			t.Errorf("the middle of tile %d is not on it", i)
		}
		tile, off, _, _ := tr.Locate(mx, my, -1, 0)
		if tile != i || math.Abs(off) > 1e-9 {
			t.Errorf("Locate(middle of tile %d) = tile %d offset %v", i, tile, off)
		}
		// Perpendicular rays from the centre line reach the edges half a width away.
		g := &tr.Lane.Segments[i]
		nx, ny := -math.Sin(g.Heading), math.Cos(g.Heading)
		for _, sgn := range []float64{1, -1} {
			d := tr.RayDistance(mx, my, sgn*nx, sgn*ny, i, 5, 100)
			if math.Abs(d-tr.HalfWidth) > 0.5 {
				t.Errorf("tile %d: the edge is %.2f m across; want about %.2f", i, d, tr.HalfWidth)
			}
		}
		if tr.OnTile(i, mx+3*tr.HalfWidth*nx, my+3*tr.HalfWidth*ny) {
			t.Errorf("a point off the road is on tile %d", i)
		}
	}
}

// driveLap drives a lap with a pure-pursuit controller that slows for bends and returns the
// return, the number of steps and the final info.
func driveLap(t *testing.T, e *Racetrack, maxSteps int) (ret float64, steps int, term bool, info env.Info) {
	t.Helper()
	tr := e.Track()
	act := make([]float32, 3)
	for steps < maxSteps {
		s := e.state
		n := tr.N()
		look := (e.tile + 4) % n
		tx, ty := tr.X[look], tr.Y[look]
		a := wrapToPi(math.Atan2(ty-s.Y, tx-s.X) - s.Heading)
		// Bend ahead: the largest curvature in the next 40 m sets the speed.
		kmax := 0.0
		for k := 0; k < 12; k++ {
			kmax = math.Max(kmax, math.Abs(tr.Curvature[(e.tile+k)%n]))
		}
		target := math.Min(30, math.Sqrt(0.8*9.81/math.Max(kmax, 1e-3)))
		act[0] = float32(clamp(-3*a, -1, 1))
		act[1], act[2] = 0, 0
		if s.Speed < target {
			act[1] = 1
		} else if s.Speed > target+2 {
			act[2] = 1
		}
		_, r, te, tu, inf := e.Step(act)
		ret += r
		steps++
		if te || tu {
			return ret, steps, te, inf
		}
	}
	return ret, steps, false, nil
}

func TestRacetrackLap(t *testing.T) {
	e, err := NewRacetrack(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []uint64{0, 1, 2} {
		e.Reset(env.Seed(seed))
		ret, steps, term, info := driveLap(t, e, 1000)
		if !term || info == nil || info["lap_finished"] != true {
			t.Fatalf("seed %d: the scripted driver did not finish a lap in %d steps (return %.1f, %d/%d tiles)", seed, steps, ret, e.nVisited, e.track.N())
		}
		want := 1000*float64(e.nVisited)/float64(e.track.N()) - 0.1*float64(steps)
		if math.Abs(ret-want) > 1e-6 {
			t.Errorf("seed %d: return %.3f; want 1000·visited/N - 0.1·steps = %.3f", seed, ret, want)
		}
		if float64(e.nVisited) < 0.95*float64(e.track.N()) || ret < 800 {
			t.Errorf("seed %d: lap with %d/%d tiles, return %.1f", seed, e.nVisited, e.track.N(), ret)
		}
		t.Logf("seed %d: lap in %d steps, return %.1f", seed, steps, ret)
	}
}

func TestRacetrackOffTrack(t *testing.T) {
	e, err := NewRacetrack(env.Options{"continuous": false})
	if err != nil {
		t.Fatal(err)
	}
	e.Reset(env.Seed(3))
	var last float64
	var info env.Info
	term := false
	for i := 0; i < 1000 && !term; i++ {
		a := RaceGas
		if i%2 == 1 {
			a = RaceLeft // sharp left all the way: off the road
		}
		_, last, term, _, info = env.StepDiscrete(e, a)
	}
	if !term || last != -100 || info["lap_finished"] != false {
		t.Fatalf("driving off: terminated %v, last reward %v, info %v; want true, -100, lap_finished false", term, last, info)
	}
	if d := math.Abs(e.offset); d < e.track.HalfWidth+e.cfg.OffTrackDistance {
		t.Errorf("terminated %.1f m from the centre line; the limit is %.1f", d, e.track.HalfWidth+e.cfg.OffTrackDistance)
	}
}

// The vector observation reads the geometry: at the start the car is centred and aligned,
// the side rays reach the edges half a width away, and only the first tile is visited.
func TestRacetrackVectorObs(t *testing.T) {
	e, err := NewRacetrack(nil)
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := e.Reset(env.Seed(4))
	r := e.cfg.LidarRays
	hw := float32(e.track.HalfWidth / e.cfg.LidarRange)
	if math.Abs(float64(obs[0]-hw)) > 0.02 || math.Abs(float64(obs[r-1]-hw)) > 0.02 {
		t.Errorf("side rays %v and %v; want about %v", obs[0], obs[r-1], hw)
	}
	x := obs[r:]
	if x[raceObsSpeed] != 0 || math.Abs(float64(x[raceObsOffset])) > 1e-6 || math.Abs(float64(x[raceObsHeading])) > 1e-6 {
		t.Errorf("start: speed %v offset %v heading error %v; want zeros", x[raceObsSpeed], x[raceObsOffset], x[raceObsHeading])
	}
	// The car starts on the line between the last tile and the first: both are under it.
	if want := 2 / float32(e.track.N()); x[raceObsProgress] != want {
		t.Errorf("progress %v; want %v (the two tiles at the start line)", x[raceObsProgress], want)
	}
	if !e.ObservationSpace().Contains(obs) {
		t.Error("the observation is outside the space")
	}
}

func TestRacetrackPixels(t *testing.T) {
	for _, c := range []struct {
		obs  string
		size int
	}{{"rgb", 96 * 96 * 3}, {"grayscale", 84 * 84}} {
		e, err := NewRacetrack(env.Options{"observation": c.obs})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := e.Reset(env.Seed(1))
		if len(o) != c.size {
			t.Fatalf("%s: %d values; want %d", c.obs, len(o), c.size)
		}
		first := append([]float32(nil), o...)
		// The car is drawn in red (rgb) near the bottom centre, the road around it is grey.
		for range 10 {
			o, _, _, _, _ = e.Step([]float32{0, 1, 0})
		}
		diff := 0
		for i := range o {
			if o[i] != first[i] {
				diff++
			}
		}
		if diff == 0 {
			t.Errorf("%s: the view did not change as the car moved", c.obs)
		}
		if c.obs == "rgb" {
			p := 3 * (72*96 + 48) // the car's position in the view
			if o[p] < 150 || o[p+1] > 50 {
				t.Errorf("rgb: pixel under the car is %v; want CarRacing's red", o[p:p+3])
			}
		}
	}
}

// The observations' own conversions agree with package render's.
func TestPixelConversion(t *testing.T) {
	e, err := NewRacetrack(env.Options{"observation": "rgb"})
	if err != nil {
		t.Fatal(err)
	}
	e.Reset(env.Seed(2))
	img := e.obsView.Image()
	want := make([]float32, len(e.obs))
	render.RGBFloat32(want, img, 1)
	for i := range want {
		if e.obs[i] != want[i] {
			t.Fatalf("rgb value %d: %v; render says %v", i, e.obs[i], want[i])
		}
	}
	g, err := NewRacetrack(env.Options{"observation": "grayscale"})
	if err != nil {
		t.Fatal(err)
	}
	g.Reset(env.Seed(2))
	want = make([]float32, len(g.obs))
	render.GrayFloat32(want, g.obsView.Image(), 1)
	for i := range want {
		if g.obs[i] != want[i] {
			t.Fatalf("gray value %d: %v; render says %v", i, g.obs[i], want[i])
		}
	}
}
