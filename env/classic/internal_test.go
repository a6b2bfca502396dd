package classic

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConstants pins the derived constants to the values Gymnasium 1.4 prints for its env
// instances (the "constants" of the reference data): a constant folded by the Go compiler
// instead of computed in float64 could differ in the last bit and shift every trajectory.
func TestConstants(t *testing.T) {
	cp := newCartPoleParams()
	ac := newAcrobotParams(false, 0)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"CartPole total_mass", cp.totalMass, 1.1},
		{"CartPole polemass_length", cp.polemassLength, 0.05},
		{"CartPole theta_threshold_radians", cp.thetaThreshold, 0.20943951023931953},
		{"Acrobot MAX_VEL_1", ac.maxVel1, 12.566370614359172},
		{"Acrobot MAX_VEL_2", ac.maxVel2, 28.274333882308138},
		{"Acrobot rk4 dt/6", ac.dtOverSix, 0.03333333333333333}, // Python: 0.2/6.0
	} {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

// pyFloorMod is Python's float % for a positive divisor, written the slow obvious way.
func pyFloorMod(a, b float64) float64 {
	m := math.Mod(a, b)
	if m != 0 {
		if (b < 0) != (m < 0) {
			m += b
		}
	} else {
		m = math.Copysign(0, b)
	}
	return m
}

func TestAngleNormalize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := []float64{0, math.Copysign(0, -1), math.Pi, -math.Pi, 3 * math.Pi, -3 * math.Pi, 2 * math.Pi, -2 * math.Pi,
		math.Nextafter(math.Pi, 4), math.Nextafter(-math.Pi, -4), 1e-300, -1e-300, 1e6, -1e6, 123.456, -987.5}
	for range 100000 {
		xs = append(xs, (r.Float64()-0.5)*40)
	}
	for range 100000 {
		xs = append(xs, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(16))))
	}
	for k := -40.0; k <= 40; k++ { // on and around multiples of 2π, where n is most likely off
		for _, x := range []float64{k * 2 * math.Pi, k*2*math.Pi - math.Pi} {
			xs = append(xs, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
		}
	}
	for _, x := range xs {
		want := pyFloorMod(x+math.Pi, 2*math.Pi) - math.Pi
		if got := angleNormalize(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("angleNormalize(%v) = %v; want %v", x, got, want)
		}
	}
	if got := angleNormalize(math.NaN()); !math.IsNaN(got) {
		t.Errorf("angleNormalize(NaN) = %v; want NaN", got)
	}
}

// TestWrapAngle checks Gymnasium's wrap on values a step can produce and the fallback for
// values only SetState can reach.
// TestFmod compares the fused fmod with math.Mod bit for bit.
func TestFmod(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	d := 2 * math.Pi
	for i := range 300000 {
		y := (r.Float64() - 0.5) * math.Pow(2, float64(r.IntN(60)))
		if i%3 == 0 { // near a multiple of d
			y = math.Round(y/d)*d + float64(r.IntN(5)-2)*math.Pow(2, -float64(r.IntN(60)))
		}
		if got, want := fmod(y, d), math.Mod(y, d); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("fmod(%v, 2π) = %v; math.Mod gives %v", y, got, want)
		}
	}
}

func TestWrapAngle(t *testing.T) {
	p := newAcrobotParams(false, 0)
	for _, c := range []struct{ x, want float64 }{
		{0.5, 0.5},
		{p.pi, p.pi},
		{-p.pi, -p.pi},
		{p.pi + 0.25, p.pi + 0.25 - p.twoPi},
		{-p.pi - 0.25, -p.pi - 0.25 + p.twoPi},
		{3*p.twoPi + 1, 3*p.twoPi + 1 - p.twoPi - p.twoPi - p.twoPi},
	} {
		if got := wrapAngle(c.x, -p.pi, p.pi, p.twoPi); got != c.want {
			t.Errorf("wrap(%v) = %v; want %v", c.x, got, c.want)
		}
	}
	for _, x := range []float64{1e12, -1e12, 1e300} {
		if got := wrapAngle(x, -p.pi, p.pi, p.twoPi); !(got >= -p.pi && got <= p.pi) {
			t.Errorf("wrap(%v) = %v; want a value in [-π, π]", x, got)
		}
	}
}

// TestSincos checks that math.Sincos gives the bits math.Sin and math.Cos give (Gymnasium
// calls sin and cos separately), and that the package's sincos gives math.Sincos's bits.
func TestSincos(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	xs := []float64{0, math.Copysign(0, -1), 0.78, -0.78, math.Nextafter(0.78, 0), math.Nextafter(-0.78, 0),
		math.Pi / 4, 1e-300, -5e-324, math.Inf(1), math.NaN()}
	for range 200000 {
		xs = append(xs, (r.Float64()-0.5)*20, (r.Float64()-0.5)*1.6, (r.Float64()-0.5)*math.Pow(2, -float64(r.IntN(40))))
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
	for _, x := range xs {
		s, c := math.Sincos(x)
		if !same(s, math.Sin(x)) || !same(c, math.Cos(x)) {
			t.Fatalf("math.Sincos(%v) = %v, %v; Sin, Cos = %v, %v", x, s, c, math.Sin(x), math.Cos(x))
		}
		if s2, c2 := sincos(x); !same(s2, s) || !same(c2, c) {
			t.Fatalf("sincos(%v) = %v, %v; math.Sincos = %v, %v", x, s2, c2, s, c)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip(math.NaN(), -1, 1); !math.IsNaN(got) {
		t.Errorf("clip(NaN) = %v; want NaN", got)
	}
	for _, c := range []struct{ v, want float64 }{{-2, -1}, {2, 1}, {0.5, 0.5}, {-1, -1}, {1, 1}} {
		if got := clip(c.v, -1, 1); got != c.want {
			t.Errorf("clip(%v, -1, 1) = %v; want %v", c.v, got, c.want)
		}
	}
}
