package render

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

var white = RGB(255, 255, 255)

// coverage returns the alpha of every pixel as a fraction: on a transparent canvas, an opaque
// fill leaves alpha = coverage.
func coverage(c *Canvas) []float64 {
	img := c.Image()
	w, h := c.Size()
	out := make([]float64, w*h)
	for y := range h {
		for x := range w {
			out[y*w+x] = float64(img.RGBAAt(img.Rect.Min.X+x, img.Rect.Min.Y+y).A) / 255
		}
	}
	return out
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// shoelace returns the signed area of a simple polygon.
func shoelace(pts []Point) float64 {
	a := 0.0
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		a += p.X*q.Y - q.X*p.Y
	}
	return a / 2
}

// winding returns the winding number of pts around (x, y).
func winding(pts []Point, x, y float64) int {
	wn := 0
	for i := range pts {
		p, q := pts[i], pts[(i+1)%len(pts)]
		side := (q.X-p.X)*(y-p.Y) - (x-p.X)*(q.Y-p.Y)
		if p.Y <= y {
			if q.Y > y && side > 0 {
				wn++
			}
		} else if q.Y <= y && side < 0 {
			wn--
		}
	}
	return wn
}

// reference returns each pixel's non-zero coverage of the polygon by k×k supersampling.
func reference(pts []Point, w, h, k int) []float64 {
	out, _ := referenceWinding(pts, w, h, k)
	return out
}

// referenceWinding is reference that also reports, per pixel, whether its samples saw two
// different non-zero winding numbers.
func referenceWinding(pts []Point, w, h, k int) (out []float64, multi []bool) {
	out = make([]float64, w*h)
	multi = make([]bool, w*h)
	for y := range h {
		for x := range w {
			n, seen := 0, 0
			for sy := range k {
				for sx := range k {
					px := float64(x) + (float64(sx)+0.5)/float64(k)
					py := float64(y) + (float64(sy)+0.5)/float64(k)
					wn := winding(pts, px, py)
					if wn != 0 {
						n++
						if seen != 0 && seen != wn {
							multi[y*w+x] = true
						}
						seen = wn
					}
				}
			}
			out[y*w+x] = float64(n) / float64(k*k)
		}
	}
	return out, multi
}

func TestFillRectExactPixels(t *testing.T) {
	c := New(10, 10)
	c.FillRect(2, 3, 5, 7, white)
	for y := range 10 {
		for x := range 10 {
			inside := x >= 2 && x < 5 && y >= 3 && y < 7
			a := c.Image().RGBAAt(x, y).A
			if inside && a != 255 || !inside && a != 0 {
				t.Fatalf("pixel (%d,%d) alpha %d, inside=%v", x, y, a, inside)
			}
		}
	}
	// Reversed corners are the same rectangle.
	d := New(10, 10)
	d.FillRect(5, 7, 2, 3, white)
	if string(d.Image().Pix) != string(c.Image().Pix) {
		t.Fatal("FillRect with swapped corners differs")
	}
}

func TestFillRectFractionalEdges(t *testing.T) {
	c := New(10, 10)
	c.FillRect(1.25, 2.5, 4.75, 5, white)
	cov := coverage(c)
	want := map[[2]int]float64{
		{1, 2}: 0.75 * 0.5, {2, 2}: 0.5, {4, 2}: 0.75 * 0.5,
		{1, 3}: 0.75, {2, 3}: 1, {3, 4}: 1, {4, 4}: 0.75, {5, 4}: 0, {2, 5}: 0,
	}
	for p, w := range want {
		if got := cov[p[1]*10+p[0]]; math.Abs(got-w) > 1.0/255 {
			t.Errorf("pixel %v coverage %.3f, want %.3f", p, got, w)
		}
	}
	if got, want := sum(cov), 3.5*2.5; math.Abs(got-want) > 0.05 {
		t.Errorf("area %.3f, want %.3f", got, want)
	}
}

func TestPolygonAreaMatchesGeometry(t *testing.T) {
	tests := []struct {
		name string
		pts  []Point
	}{
		{"triangle", []Point{{3.3, 4.1}, {57.9, 10.2}, {20.5, 50.7}}},
		{"thin sliver", []Point{{2, 2}, {60, 5}, {2, 3}}},
		{"concave L", []Point{{5, 5}, {50, 5}, {50, 15}, {15, 15}, {15, 55}, {5, 55}}},
		{"clockwise square", []Point{{10.5, 10.5}, {10.5, 40.5}, {40.5, 40.5}, {40.5, 10.5}}},
		{"hexagon", ArcPoints(nil, 32, 32, 25, 0, 2*math.Pi*5/6, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(64, 64)
			c.FillPolygon(tt.pts, white)
			got, want := sum(coverage(c)), math.Abs(shoelace(tt.pts))
			if math.Abs(got-want) > 0.005*want+0.5 {
				t.Errorf("pixel area %.2f, geometric area %.2f", got, want)
			}
		})
	}
}

func TestPolygonMatchesSupersampledReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const w, h = 40, 30
	for trial := range 20 {
		n := 3 + rng.IntN(8)
		pts := make([]Point, n)
		for i := range pts {
			// Some vertices outside the image: clipping must not change the visible coverage.
			pts[i] = Pt(rng.Float64()*60-10, rng.Float64()*50-10)
		}
		c := New(w, h)
		c.FillPolygon(pts, white)
		got := coverage(c)
		ref, multi := referenceWinding(pts, w, h, 16)
		for i := range got {
			if multi[i] {
				// Where two differently wound regions of a self-intersecting
				// polygon share a pixel, area coverage adds their signed areas
				// (documented); elsewhere it is exact.
				continue
			}
			if d := math.Abs(got[i] - ref[i]); d > 0.09 {
				t.Fatalf("trial %d: pixel (%d,%d) coverage %.3f, supersampled %.3f; polygon %v",
					trial, i%w, i/w, got[i], ref[i], pts)
			}
		}
	}
}

func TestNonZeroWinding(t *testing.T) {
	// A pentagram: its centre has winding number 2 and is filled under the non-zero rule.
	var star []Point
	for i := range 5 {
		a := -math.Pi/2 + float64(i)*4*math.Pi/5
		star = append(star, Pt(32+28*math.Cos(a), 32+28*math.Sin(a)))
	}
	c := New(64, 64)
	c.FillPolygon(star, white)
	if a := c.Image().RGBAAt(32, 33).A; a != 255 {
		t.Errorf("pentagram centre alpha %d, want 255 (non-zero rule)", a)
	}
	// The same square traced twice in one direction is filled once.
	sq := []Point{{10, 10}, {30, 10}, {30, 30}, {10, 30}}
	twice := append(append([]Point{}, sq...), sq...)
	d := New(64, 64)
	d.FillPolygon(twice, Alpha(white, 0.5))
	if a := d.Image().RGBAAt(20, 20).A; a != 128 {
		t.Errorf("doubly wound square alpha %d, want 128 (blended once)", a)
	}
	// An outer ring and an inner ring wound the other way leave a hole.
	ring := []Point{{10, 10}, {50, 10}, {50, 50}, {10, 50}, {10, 10}, {20, 20}, {20, 40}, {40, 40}, {40, 20}, {20, 20}}
	e := New(64, 64)
	e.FillPolygon(ring, white)
	if a := e.Image().RGBAAt(30, 30).A; a != 0 {
		t.Errorf("hole alpha %d, want 0", a)
	}
	if a := e.Image().RGBAAt(15, 30).A; a != 255 {
		t.Errorf("ring alpha %d, want 255", a)
	}
}

func TestAntiAliasedEdgesHaveIntermediateAlpha(t *testing.T) {
	c := New(32, 32)
	c.FillPolygon([]Point{{2, 2}, {30, 9}, {9, 30}}, white)
	partial := 0
	for _, a := range coverage(c) {
		if a > 0 && a < 1 {
			partial++
		}
	}
	if partial < 30 {
		t.Errorf("only %d partially covered pixels along the slanted edges", partial)
	}
	// Each edge pixel of a circle is partially covered, and coverage falls off outward.
	d := New(32, 32)
	d.FillCircle(16, 16, 10, white)
	in, edge, out := d.Image().RGBAAt(16, 16).A, d.Image().RGBAAt(16+9, 16).A, d.Image().RGBAAt(16+11, 16).A
	if in != 255 || out != 0 {
		t.Errorf("circle centre %d, outside %d", in, out)
	}
	ed := coverage(d)
	mid := 0
	for y := range 32 {
		for x := range 32 {
			r := math.Hypot(float64(x)+0.5-16, float64(y)+0.5-16)
			if math.Abs(r-10) < 0.2 && ed[y*32+x] > 0.2 && ed[y*32+x] < 0.8 {
				mid++
			}
		}
	}
	if mid < 4 || edge == 0 {
		t.Errorf("circle rim has %d half-covered pixels on the radius, pixel inside the rim %d", mid, edge)
	}
}

func TestCircleArea(t *testing.T) {
	for _, r := range []float64{2, 5.5, 10, 33.3} {
		c := New(80, 80)
		c.FillCircle(40.3, 39.7, r, white)
		got, want := sum(coverage(c)), math.Pi*r*r
		if math.Abs(got-want) > 0.01*want+0.3 {
			t.Errorf("r=%g: pixel area %.2f, πr² = %.2f", r, got, want)
		}
	}
	// A ring has the area between its two circles.
	c := New(80, 80)
	c.StrokeCircle(40, 40, 20, 4, white)
	got, want := sum(coverage(c)), math.Pi*(22*22-18*18)
	if math.Abs(got-want) > 0.01*want {
		t.Errorf("ring area %.2f, want %.2f", got, want)
	}
	if a := c.Image().RGBAAt(40, 40).A; a != 0 {
		t.Errorf("ring centre alpha %d, want 0", a)
	}
}

func TestLineTouchesSegmentPixels(t *testing.T) {
	lines := [][4]float64{{3, 4, 60, 41}, {60, 2, 5, 7}, {10.5, 3, 10.5, 60}, {2, 30.5, 62, 30.5}, {5, 60, 55, 3}}
	for _, l := range lines {
		c := New(64, 64)
		c.Line(l[0], l[1], l[2], l[3], 1, white)
		img := c.Image()
		for i := 0; i <= 100; i++ {
			f := float64(i) / 100
			x, y := l[0]+(l[2]-l[0])*f, l[1]+(l[3]-l[1])*f
			// Butt caps end exactly at the end points; sample just inside them.
			if i == 0 || i == 100 {
				continue
			}
			if a := img.RGBAAt(int(x), int(y)).A; a == 0 {
				t.Fatalf("line %v: pixel (%d,%d) on the segment is empty", l, int(x), int(y))
			}
		}
		// Nothing far from the segment is touched.
		cov := coverage(c)
		L := math.Hypot(l[2]-l[0], l[3]-l[1])
		for y := range 64 {
			for x := range 64 {
				px, py := float64(x)+0.5, float64(y)+0.5
				f := ((px-l[0])*(l[2]-l[0]) + (py-l[1])*(l[3]-l[1])) / (L * L)
				f = clampF(f, 0, 1)
				d := math.Hypot(px-l[0]-f*(l[2]-l[0]), py-l[1]-f*(l[3]-l[1]))
				if d > 1.3 && cov[y*64+x] > 0 {
					t.Fatalf("line %v: pixel (%d,%d) at distance %.2f is drawn", l, x, y, d)
				}
			}
		}
		// The total ink is the line's area: length × width.
		if got := sum(cov); math.Abs(got-L) > 0.02*L {
			t.Errorf("line %v: ink %.2f, want %.2f", l, got, L)
		}
	}
	// A 1-pixel line along pixel centres covers exactly one row.
	c := New(16, 16)
	c.Line(0, 5.5, 10, 5.5, 1, white)
	for x := range 16 {
		for y := range 16 {
			want := uint8(0)
			if y == 5 && x < 10 {
				want = 255
			}
			if a := c.Image().RGBAAt(x, y).A; a != want {
				t.Fatalf("pixel (%d,%d) alpha %d, want %d", x, y, a, want)
			}
		}
	}
}

func TestLineCaps(t *testing.T) {
	butt := New(64, 64)
	butt.Line(10, 32, 50, 32, 8, white)
	round := New(64, 64)
	round.LineCap = RoundCap
	round.Line(10, 32, 50, 32, 8, white)
	if got, want := sum(coverage(butt)), 40.0*8; math.Abs(got-want) > 0.5 {
		t.Errorf("butt line area %.2f, want %.2f", got, want)
	}
	if got, want := sum(coverage(round)), 40.0*8+math.Pi*16; math.Abs(got-want) > 0.01*want {
		t.Errorf("round line area %.2f, want %.2f", got, want)
	}
	if butt.Image().RGBAAt(8, 32).A != 0 || round.Image().RGBAAt(8, 32).A != 255 {
		t.Error("round cap should extend past the end point and butt cap should not")
	}
}

func TestTranslucentStrokeBlendedOnce(t *testing.T) {
	c := New(64, 64)
	c.Clear(white)
	col := Alpha(RGB(0, 0, 0), 0.5)
	// A polyline that crosses itself and turns sharply: every covered pixel gets one blend.
	c.Polyline([]Point{{5, 5}, {55, 55}, {55, 5}, {5, 55}, {30, 20}}, 6, col)
	img := c.Image()
	darkest := uint8(255)
	for y := range 64 {
		for x := range 64 {
			darkest = min(darkest, img.RGBAAt(x, y).R)
		}
	}
	if darkest != 127 && darkest != 128 {
		t.Errorf("darkest pixel %d, want 127 or 128 (a single 50%% blend over white)", darkest)
	}
	if r := img.RGBAAt(30, 30).R; r != darkest {
		t.Errorf("crossing pixel %d, want %d", r, darkest)
	}
	if r := img.RGBAAt(55, 5).R; r != darkest {
		t.Errorf("sharp corner pixel %d, want %d: the join must fill the gap", r, darkest)
	}
}

func TestAlphaBlending(t *testing.T) {
	c := New(4, 4)
	c.Clear(RGB(255, 255, 255))
	c.FillRect(0, 0, 4, 4, Premultiply(color.NRGBA{255, 0, 0, 128}))
	if got := c.Image().RGBAAt(1, 1); got != (color.RGBA{255, 127, 127, 255}) {
		t.Errorf("half red over white = %v, want {255 127 127 255}", got)
	}
	// Over transparent black the result is the source itself.
	d := New(4, 4)
	src := Alpha(RGB(10, 200, 40), 0.25)
	d.FillPolygon([]Point{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, src)
	if got := d.Image().RGBAAt(2, 2); got != src {
		t.Errorf("over transparent: %v, want %v", got, src)
	}
	if got := Premultiply(color.NRGBA{200, 100, 0, 255}); got != (color.RGBA{200, 100, 0, 255}) {
		t.Errorf("Premultiply opaque changed the colour: %v", got)
	}
}

func TestTextDrawsInsideItsBox(t *testing.T) {
	c := New(100, 40)
	c.Text(10, 5, "0.52", RGB(255, 0, 0))
	w, h := TextSize("0.52")
	if w != 28 || h != 13 {
		t.Fatalf("TextSize = %d×%d, want 28×13", w, h)
	}
	inside, outside := 0, 0
	img := c.Image()
	for y := range 40 {
		for x := range 100 {
			if img.RGBAAt(x, y).A == 0 {
				continue
			}
			if x >= 10 && x < 10+w && y >= 5 && y < 5+h {
				inside++
			} else {
				outside++
			}
		}
	}
	if inside < 15 || outside != 0 {
		t.Errorf("text pixels inside its box %d, outside %d", inside, outside)
	}
	// Different strings draw different pixels; centring puts the box around the point.
	d := New(100, 40)
	d.TextCenter(50, 20, "0.53", RGB(255, 0, 0))
	e := New(100, 40)
	e.Text(50-14, 20-6.5, "0.53", RGB(255, 0, 0))
	if string(d.Image().Pix) != string(e.Image().Pix) {
		t.Error("TextCenter is not Text at the centred box")
	}
	if string(d.Image().Pix) == string(New(100, 40).Image().Pix) {
		t.Error("TextCenter drew nothing")
	}
}

func TestTransforms(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	check := func(name string, tr Transform, x, y, px, py float64) {
		t.Helper()
		gx, gy := tr.Apply(x, y)
		if !near(gx, px) || !near(gy, py) {
			t.Errorf("%s: (%g,%g) → (%g,%g), want (%g,%g)", name, x, y, gx, gy, px, py)
		}
		ix, iy := tr.Invert().Apply(px, py)
		if !near(ix, x) || !near(iy, y) {
			t.Errorf("%s inverse: (%g,%g) → (%g,%g), want (%g,%g)", name, px, py, ix, iy, x, y)
		}
	}
	// CartPole's view: 4.8 m across 600 pixels, origin at the centre bottom, y up.
	cp := YUp(400, 600/4.8, 300, 0)
	check("YUp origin", cp, 0, 0, 300, 400)
	check("YUp top-left", cp, -2.4, 3.2, 0, 0)
	check("YUp bottom-right", cp, 2.4, 0, 600, 400)
	// Fit: a square world box in a wide image is centred and not stretched.
	f := Fit(200, 100, -1, -1, 1, 1)
	check("Fit bottom-left", f, -1, -1, 50, 100)
	check("Fit top-right", f, 1, 1, 150, 0)
	if !near(f.Len(1), 50) {
		t.Errorf("Fit scale %g, want 50", f.Len(1))
	}
	// Camera: the followed point sits at the anchor and its heading points up.
	cam := Camera(48, 70, 10, -5, 0.7, 3)
	check("Camera anchor", cam, 10, -5, 48, 70)
	check("Camera ahead", cam, 10+2*math.Cos(0.7), -5+2*math.Sin(0.7), 48, 64)
	check("Camera left", cam, 10-math.Sin(0.7), -5+math.Cos(0.7), 45, 70)
	// Nested frames: a point one unit along the rotated x axis of a translated frame.
	local := Identity().Translate(10, 20).Rotate(math.Pi/2).Scale(2, 2)
	check("Translate.Rotate.Scale", local, 1, 0, 10, 22)
	if got := local.Len(3); !near(got, 6) {
		t.Errorf("Len = %g, want 6", got)
	}
	// Drawing through a transform matches drawing the mapped rectangle in pixels.
	a := New(64, 64)
	a.Transform = Fit(64, 64, 0, 0, 8, 8)
	a.FillRect(1, 1, 3, 2, white)
	b := New(64, 64)
	b.FillRect(8, 48, 24, 56, white)
	if string(a.Image().Pix) != string(b.Image().Pix) {
		t.Error("FillRect through Fit differs from the pixel rectangle")
	}
	// A rotating transform turns FillRect into a polygon of the same area.
	r := New(64, 64)
	r.Transform = Identity().Translate(32, 32).Rotate(0.3)
	r.FillRect(-10, -5, 10, 5, white)
	if got := sum(coverage(r)); math.Abs(got-200) > 1 {
		t.Errorf("rotated rect area %.2f, want 200", got)
	}
}

func TestRotatedRect(t *testing.T) {
	c := New(64, 64)
	c.FillRotatedRect(32, 32, 30, 10, math.Pi/2, white)
	img := c.Image()
	if img.RGBAAt(32, 20).A != 255 || img.RGBAAt(20, 32).A != 0 {
		t.Error("a rectangle rotated by π/2 should stand upright")
	}
	if got := sum(coverage(c)); math.Abs(got-300) > 0.5 {
		t.Errorf("area %.2f, want 300", got)
	}
}

func TestStrokeRectAndPolygon(t *testing.T) {
	c := New(64, 64)
	c.StrokeRect(10, 10, 50, 40, 2, white)
	img := c.Image()
	if img.RGBAAt(30, 25).A != 0 || img.RGBAAt(30, 10).A != 255 || img.RGBAAt(9, 9).A != 255 {
		t.Error("StrokeRect: interior must be empty, edges and sharp corners drawn")
	}
	if got, want := sum(coverage(c)), 42.0*32-38*28; math.Abs(got-want) > 0.5 {
		t.Errorf("StrokeRect area %.2f, want %.2f", got, want)
	}
	d := New(64, 64)
	d.StrokePolygon([]Point{{10, 10}, {50, 10}, {50, 40}, {10, 40}}, 2, white)
	if d.Image().RGBAAt(30, 25).A != 0 || d.Image().RGBAAt(10, 25).A == 0 || d.Image().RGBAAt(30, 40).A == 0 {
		t.Error("StrokePolygon must close the outline and leave the inside empty")
	}
}

func TestArcAndArrow(t *testing.T) {
	c := New(64, 64)
	c.Arc(32, 32, 20, 0, math.Pi, 2, white)
	img := c.Image()
	if img.RGBAAt(32, 52).A == 0 || img.RGBAAt(32, 12).A != 0 {
		t.Error("arc from 0 to π (y down) should pass below the centre only")
	}
	if got, want := sum(coverage(c)), math.Pi*20*2; math.Abs(got-want) > 0.02*want {
		t.Errorf("arc area %.2f, want %.2f", got, want)
	}
	a := New(64, 64)
	a.Arrow(10, 32, 50, 32, 2, 10, white)
	ai := a.Image()
	if ai.RGBAAt(11, 32).A == 0 || ai.RGBAAt(48, 32).A == 0 || ai.RGBAAt(42, 28).A == 0 || ai.RGBAAt(20, 28).A != 0 {
		t.Error("arrow: shaft, tip and head wider than the shaft expected")
	}
	if got, want := sum(coverage(a)), 30.0*2+10*10/2; math.Abs(got-want) > 1 {
		t.Errorf("arrow area %.2f, want %.2f", got, want)
	}
	// An arrow shorter than its head is a smaller head; a zero-length arrow draws nothing.
	s := New(64, 64)
	s.Arrow(10, 10, 14, 10, 2, 10, white)
	s.Arrow(30, 30, 30, 30, 2, 10, white)
	if got := sum(coverage(s)); got <= 0 || got > 10 {
		t.Errorf("short arrow area %.2f", got)
	}
}

func TestClippingNeverPanics(t *testing.T) {
	huge := 1e12
	cases := []func(c *Canvas){
		func(c *Canvas) { c.FillRect(-50, -50, 200, 200, white) },
		func(c *Canvas) { c.FillRect(100, 100, 200, 200, white) },
		func(c *Canvas) { c.FillPolygon([]Point{{-100, -100}, {-50, -100}, {-50, -50}}, white) },
		func(c *Canvas) { c.FillPolygon([]Point{{-huge, 5}, {huge, 10}, {0, huge}}, white) },
		func(c *Canvas) {
			c.FillPolygon([]Point{{math.NaN(), 5}, {math.Inf(1), 10}, {3, math.Inf(-1)}, {4, 4}}, white)
		},
		func(c *Canvas) {
			c.FillPolygon([]Point{{5, math.NaN()}, {10, 10}, {3, 40}, {1e300, -1e300}, {-1e300, 1e300}}, white)
		},
		func(c *Canvas) { c.Polyline([]Point{{5, math.NaN()}, {10, 10}, {1e300, 3}, {-1e308, 1e308}}, 2, white) },
		func(c *Canvas) { c.FillCircle(32, 1e9+20, 1e9, white) },
		func(c *Canvas) { c.FillCircle(math.NaN(), 3, 5, white); c.FillCircle(3, 3, math.Inf(1), white) },
		func(c *Canvas) { c.Transform = Fit(64, 64, 0, 0, 1e-300, 1e-300); c.FillCircle(0, 0, 1, white) },
		func(c *Canvas) { c.FillCircle(-30, 10, 40, white) },
		func(c *Canvas) { c.FillCircle(1000, 1000, 3, white) },
		func(c *Canvas) { c.StrokeCircle(32, 32, 1000, 5, white) },
		func(c *Canvas) { c.Line(-100, -100, 200, 200, 3, white) },
		func(c *Canvas) { c.Polyline([]Point{{-10, 5}, {80, 5}, {80, 80}, {-5, 90}}, 4, white) },
		func(c *Canvas) { c.Arc(0, 0, 100, 0, 7, 3, white) },
		func(c *Canvas) { c.Arrow(-20, -20, 100, 100, 2, 8, white) },
		func(c *Canvas) { c.FillRotatedRect(64, 0, 40, 20, 1, white) },
		func(c *Canvas) { c.StrokeRect(-5, -5, 70, 70, 3, white) },
		func(c *Canvas) { c.Text(-20, -5, "clipped text", white) },
		func(c *Canvas) { c.Text(60, 60, "clipped text", white) },
		func(c *Canvas) { c.TextCenter(1e9, -1e9, "far", white) },
		func(c *Canvas) { c.Polyline(nil, 3, white); c.FillPolygon(nil, white); c.Line(5, 5, 5, 5, 2, white) },
	}
	for i, draw := range cases {
		c := New(64, 64)
		draw(c)
		// The accumulator must be clean for the next shape.
		for _, v := range c.acc {
			if v != 0 {
				t.Fatalf("case %d left the accumulator dirty", i)
			}
		}
	}
	// Visible coverage of a shape partly outside is exactly its visible part.
	c := New(64, 64)
	c.FillPolygon([]Point{{-50, 10}, {30, 10}, {30, 20}, {-50, 20}}, white)
	if got := sum(coverage(c)); math.Abs(got-300) > 0.01 {
		t.Errorf("clipped rectangle polygon area %.3f, want 300", got)
	}
	d := New(64, 64)
	d.FillPolygon([]Point{{40, -30}, {100, 50}, {40, 50}}, white) // right and top clipped
	ref := reference([]Point{{40, -30}, {100, 50}, {40, 50}}, 64, 64, 16)
	if got, want := sum(coverage(d)), sum(ref); math.Abs(got-want) > 0.01*want {
		t.Errorf("clipped triangle area %.2f, supersampled %.2f", got, want)
	}
}

func TestSubImageCanvas(t *testing.T) {
	full := image.NewRGBA(image.Rect(0, 0, 20, 20))
	sub := full.SubImage(image.Rect(5, 5, 15, 15)).(*image.RGBA)
	c := Wrap(sub)
	if w, h := c.Size(); w != 10 || h != 10 {
		t.Fatalf("Size = %d×%d", w, h)
	}
	c.FillCircle(5, 5, 100, white) // covers all of the sub-image
	c.FillRect(0, 0, 1, 1, RGB(255, 0, 0))
	for y := range 20 {
		for x := range 20 {
			in := x >= 5 && x < 15 && y >= 5 && y < 15
			if a := full.RGBAAt(x, y).A; in != (a == 255) {
				t.Fatalf("pixel (%d,%d) alpha %d, inside the sub-image %v", x, y, a, in)
			}
		}
	}
	if full.RGBAAt(5, 5) != RGB(255, 0, 0) {
		t.Error("canvas (0,0) must be the sub-image's top-left pixel")
	}
}

func TestColormap(t *testing.T) {
	if got := Diverging(0, 1); got != RGB(255, 255, 255) {
		t.Errorf("Diverging(0) = %v, want white", got)
	}
	if got := Diverging(5, 1); got != RGB(0, 255, 0) {
		t.Errorf("Diverging(+) = %v, want green", got)
	}
	if got := Diverging(-1, 1); got != RGB(255, 0, 0) {
		t.Errorf("Diverging(-1) = %v, want red", got)
	}
	if got := Diverging(0.5, 1); got != RGB(128, 255, 128) {
		t.Errorf("Diverging(0.5) = %v, want {128 255 128}", got)
	}
	if got := Diverging(math.NaN(), 1); got != RGB(128, 128, 128) {
		t.Errorf("Diverging(NaN) = %v, want grey", got)
	}
	if got := Lerp(RGB(0, 0, 0), RGB(200, 100, 50), 0.5); got != RGB(100, 50, 25) {
		t.Errorf("Lerp = %v", got)
	}
	if got := Alpha(RGB(200, 100, 50), 0.5); got != (color.RGBA{100, 50, 25, 128}) {
		t.Errorf("Alpha = %v", got)
	}
}

func TestResizeAreaAveraging(t *testing.T) {
	// A 2×2 checkerboard of black and white blocks halves to uniform grey.
	src := New(8, 8)
	src.Clear(RGB(0, 0, 0))
	for y := range 8 {
		for x := range 8 {
			if (x+y)%2 == 0 {
				src.FillRect(float64(x), float64(y), float64(x+1), float64(y+1), white)
			}
		}
	}
	dst := New(4, 4).Image()
	Resize(dst, src.Image())
	for y := range 4 {
		for x := range 4 {
			if got := dst.RGBAAt(x, y); got != (color.RGBA{128, 128, 128, 255}) {
				t.Fatalf("pixel (%d,%d) = %v, want grey 128", x, y, got)
			}
		}
	}
	// Any ratio keeps a uniform image uniform and the mean of any image (area is conserved).
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][4]int{{96, 96, 84, 84}, {600, 400, 84, 84}, {37, 23, 10, 9}, {10, 10, 25, 17}} {
		s := New(size[0], size[1])
		s.Clear(RGB(40, 90, 200))
		d := New(size[2], size[3]).Image()
		Resize(d, s.Image())
		for i := 0; i < len(d.Pix); i += 4 {
			if got := (color.RGBA{d.Pix[i], d.Pix[i+1], d.Pix[i+2], d.Pix[i+3]}); got != RGB(40, 90, 200) {
				t.Fatalf("%v: uniform image became %v", size, got)
			}
		}
		for i := range s.Image().Pix {
			s.Image().Pix[i] = uint8(rng.IntN(256))
		}
		Resize(d, s.Image())
		mean := func(p []uint8) float64 {
			v := 0.0
			for i := 0; i < len(p); i += 4 {
				v += float64(p[i+1])
			}
			return v / float64(len(p)/4)
		}
		if a, b := mean(s.Image().Pix), mean(d.Pix); math.Abs(a-b) > 0.6 {
			t.Errorf("%v: mean green %.2f became %.2f", size, a, b)
		}
	}
	// A one-pixel line survives a 4× reduction as a faint line.
	line := New(64, 64)
	line.Clear(RGB(0, 0, 0))
	line.FillRect(0, 30, 64, 31, white)
	small := New(16, 16).Image()
	Resize(small, line.Image())
	if got := small.RGBAAt(5, 7).R; got < 60 || got > 68 {
		t.Errorf("reduced line intensity %d, want 64 (a quarter of white)", got)
	}
}

func TestGrayAndFloat32(t *testing.T) {
	c := New(3, 2)
	cols := []color.RGBA{RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255), RGB(255, 255, 255), RGB(10, 20, 30), RGB(0, 0, 0)}
	for i, col := range cols {
		c.Image().SetRGBA(i%3, i/3, col)
	}
	gray := make([]uint8, 6)
	Gray(gray, c.Image())
	// OpenCV RGB2GRAY on these pixels: round(0.299 R + 0.587 G + 0.114 B) in 14-bit fixed point.
	want := []uint8{76, 150, 29, 255, 18, 0}
	for i := range want {
		if gray[i] != want[i] {
			t.Errorf("Gray[%d] = %d, want %d", i, gray[i], want[i])
		}
	}
	gf := make([]float32, 6)
	GrayFloat32(gf, c.Image(), 1.0/255)
	if gf[3] != 1 || gf[0] != 76.0/255 {
		t.Errorf("GrayFloat32 = %v", gf)
	}
	rgb := make([]float32, 18)
	RGBFloat32(rgb, c.Image(), 1)
	if rgb[4*3+0] != 10 || rgb[4*3+1] != 20 || rgb[4*3+2] != 30 || rgb[2*3+2] != 255 {
		t.Errorf("RGBFloat32 layout wrong: %v", rgb)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("Gray with a wrong-sized buffer should panic")
		}
	}()
	Gray(make([]uint8, 5), c.Image())
}

func TestBlendMatchesFloatSrcOver(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		a := uint8(rng.IntN(256))
		col := color.RGBA{uint8(rng.IntN(int(a) + 1)), uint8(rng.IntN(int(a) + 1)), uint8(rng.IntN(int(a) + 1)), a}
		da := uint8(rng.IntN(256))
		dst := []byte{uint8(rng.IntN(int(da) + 1)), uint8(rng.IntN(int(da) + 1)), uint8(rng.IntN(int(da) + 1)), da}
		m := uint32(rng.IntN(256))
		want := make([]float64, 4)
		src := []uint8{col.R, col.G, col.B, col.A}
		for i := range 4 {
			f := float64(m) / 255
			want[i] = float64(src[i])*f + float64(dst[i])*(1-float64(col.A)/255*f)
		}
		sc := newSrc(col)
		got := append([]byte{}, dst...)
		sc.blendMask(got, m)
		for i := range 4 {
			if math.Abs(float64(got[i])-want[i]) > 1 {
				t.Fatalf("src %v over %v with coverage %d: got %v, want %.2f", col, dst, m, got, want)
			}
		}
	}
}

func TestContractViolationsPanic(t *testing.T) {
	cases := map[string]func(){
		"New(0, 5)":          func() { New(0, 5) },
		"Wrap(nil)":          func() { Wrap(nil) },
		"Fit empty box":      func() { Fit(10, 10, 1, 0, 1, 1) },
		"Invert singular":    func() { Transform{A: 1, B: 2, D: 2, E: 4}.Invert() },
		"ArcPoints n=0":      func() { ArcPoints(nil, 0, 0, 1, 0, 1, 0) },
		"Diverging scale 0":  func() { Diverging(1, 0) },
		"RGBFloat32 short":   func() { RGBFloat32(make([]float32, 5), New(2, 2).Image(), 1) },
		"GrayFloat32 longer": func() { GrayFloat32(make([]float32, 5), New(2, 2).Image(), 1) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || len(msg) < 8 || msg[:8] != "render: " {
					t.Errorf("panic value %v, want a \"render: ...\" message", r)
				}
			}()
			f()
		})
	}
}
