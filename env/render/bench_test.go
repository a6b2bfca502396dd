package render

import (
	"math"
	"testing"
)

// drivingScene is a top-down racing frame as a driving env draws it: grass, a closed road of
// about 100 vertices seen by a camera following the ego car, a dashed centre line, ten cars
// as rotated boxes.
type drivingScene struct {
	c      *Canvas
	road   []Point // outer boundary, then inner boundary wound the other way (a ring)
	centre []Point
	cars   [10][3]float64 // x, y, heading
}

func newDrivingScene(size int) *drivingScene {
	s := &drivingScene{c: New(size, size)}
	// The road is one polygon of 102 vertices: the outer edge counterclockwise, then the inner
	// edge clockwise, joined by a zero-width bridge whose two edges cancel (non-zero rule).
	const n = 50
	for i := 0; i <= n; i++ {
		a := 2 * math.Pi * float64(i) / n
		r := 100 + 15*math.Sin(3*a)
		s.road = append(s.road, Pt((r+6)*math.Cos(a), (r+6)*math.Sin(a)))
		if i < n {
			s.centre = append(s.centre, Pt(r*math.Cos(a), r*math.Sin(a)))
		}
	}
	for i := n; i >= 0; i-- {
		a := 2 * math.Pi * float64(i) / n
		r := 100 + 15*math.Sin(3*a)
		s.road = append(s.road, Pt((r-6)*math.Cos(a), (r-6)*math.Sin(a)))
	}
	for i := range s.cars {
		a := 0.07 * float64(i-3)
		r := 100 + 15*math.Sin(3*a) + float64(i%3-1)*3
		s.cars[i] = [3]float64{r * math.Cos(a), r * math.Sin(a), a + math.Pi/2 + 0.1*float64(i%2)}
	}
	return s
}

func (s *drivingScene) draw(step int) {
	c := s.c
	ego := s.cars[3]
	w, h := c.Size()
	c.Transform = Identity()
	c.Clear(RGB(102, 204, 102))
	c.Transform = Camera(float64(w)/2, float64(h)*0.7, ego[0], ego[1]+0.01*float64(step%10), ego[2], float64(w)/40)
	c.FillPolygon(s.road, RGB(102, 102, 102))
	c.StrokePolygon(s.centre, 0.3, RGB(255, 255, 255))
	for i, car := range s.cars {
		col := RGB(30, 60, 200)
		if i == 3 {
			col = RGB(200, 0, 0)
		}
		c.FillRotatedRect(car[0], car[1], 4.5, 2, car[2], col)
	}
}

// cartPoleFrame draws a Gymnasium-like CartPole frame into a 600×400 canvas.
func cartPoleFrame(c *Canvas, x, theta float64) {
	c.Transform = YUp(400, 1, 0, 0) // Gymnasium's own pixel geometry, y up
	c.Clear(RGB(255, 255, 255))
	scale := 600 / 4.8
	cartx := x*scale + 300
	c.Line(0, 100, 600, 100, 1, RGB(0, 0, 0))
	c.FillRect(cartx-25, 100-15+10, cartx+25, 100+15+10, RGB(0, 0, 0))
	sin, cos := math.Sincos(theta)
	c.LineCap = RoundCap
	L := scale * 1.0
	c.Line(cartx, 110, cartx+L*sin, 110+L*cos, 10, RGB(202, 152, 101))
	c.FillCircle(cartx, 110, 5, RGB(129, 132, 203))
	c.Text(10, 390, "step 123", RGB(0, 0, 0))
}

func TestDrawingDoesNotAllocate(t *testing.T) {
	s := newDrivingScene(96)
	s.draw(0)
	if n := testing.AllocsPerRun(50, func() { s.draw(1) }); n != 0 {
		t.Errorf("driving scene: %v allocations per frame", n)
	}
	c := New(600, 400)
	cartPoleFrame(c, 0.3, 0.1)
	if n := testing.AllocsPerRun(20, func() { cartPoleFrame(c, 0.3, 0.1) }); n != 0 {
		t.Errorf("CartPole frame: %v allocations per frame", n)
	}
	g := New(64, 64)
	poly := []Point{{1, 1}, {60, 10}, {30, 60}, {20, 30}}
	ops := map[string]func(){
		"Clear":           func() { g.Clear(white) },
		"FillRect":        func() { g.FillRect(1.5, 2.5, 40.2, 30.7, RGB(1, 2, 3)) },
		"FillRotatedRect": func() { g.FillRotatedRect(30, 30, 20, 10, 0.4, RGB(1, 2, 3)) },
		"FillPolygon":     func() { g.FillPolygon(poly, Alpha(white, 0.3)) },
		"StrokePolygon":   func() { g.StrokePolygon(poly, 3, white) },
		"Polyline":        func() { g.Polyline(poly, 2, white) },
		"Line":            func() { g.Line(3, 4, 50, 60, 1.5, white) },
		"Arc":             func() { g.Arc(32, 32, 20, 0, 4, 2, white) },
		"FillCircle":      func() { g.FillCircle(30, 30, 12, white) },
		"StrokeCircle":    func() { g.StrokeCircle(30, 30, 12, 2, white) },
		"StrokeRect":      func() { g.StrokeRect(5, 5, 50, 40, 2, white) },
		"Arrow":           func() { g.Arrow(5, 5, 50, 40, 2, 8, white) },
		"Text":            func() { g.TextCenter(32, 32, "-0.75", RGB(0, 0, 0)) },
	}
	for name, op := range ops {
		op() // grow scratch buffers once
		if n := testing.AllocsPerRun(20, op); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
	gray := make([]uint8, 96*96)
	obs := make([]float32, 96*96*3)
	small := New(84, 84).Image()
	for name, op := range map[string]func(){
		"Gray":        func() { Gray(gray, s.c.Image()) },
		"RGBFloat32":  func() { RGBFloat32(obs, s.c.Image(), 1.0/255) },
		"GrayFloat32": func() { GrayFloat32(obs[:96*96], s.c.Image(), 1) },
		"Resize":      func() { Resize(small, s.c.Image()) },
	} {
		if n := testing.AllocsPerRun(20, op); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

func framesPerSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkDrivingScene96 draws the 96×96 top-down driving frame of Racetrack's pixel
// observations (issue 10's target: at least 10,000 frames/s including the env step).
func BenchmarkDrivingScene96(b *testing.B) {
	s := newDrivingScene(96)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.draw(i)
	}
	framesPerSecond(b)
}

// BenchmarkDrivingScene84Gray is the 84×84 grayscale observation: draw at 84×84, then luma
// into a float32 observation buffer.
func BenchmarkDrivingScene84Gray(b *testing.B) {
	s := newDrivingScene(84)
	obs := make([]float32, 84*84)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.draw(i)
		GrayFloat32(obs, s.c.Image(), 1.0/255)
	}
	framesPerSecond(b)
}

// BenchmarkCartPole600x400 draws Gymnasium's CartPole frame at its full 600×400 size.
func BenchmarkCartPole600x400(b *testing.B) {
	c := New(600, 400)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		cartPoleFrame(c, 0.5*math.Sin(float64(i)*0.01), 0.2*math.Cos(float64(i)*0.013))
	}
	framesPerSecond(b)
}

// BenchmarkResize600x400To84 is Atari-style preprocessing of a full classic-control frame.
func BenchmarkResize600x400To84(b *testing.B) {
	c := New(600, 400)
	cartPoleFrame(c, 0.3, 0.1)
	dst := New(84, 84).Image()
	b.ReportAllocs()
	for b.Loop() {
		Resize(dst, c.Image())
	}
	framesPerSecond(b)
}

// BenchmarkResize96To84 shrinks a driving frame to the 84×84 observation size.
func BenchmarkResize96To84(b *testing.B) {
	s := newDrivingScene(96)
	s.draw(0)
	dst := New(84, 84).Image()
	b.ReportAllocs()
	for b.Loop() {
		Resize(dst, s.c.Image())
	}
	framesPerSecond(b)
}
