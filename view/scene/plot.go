package scene

import (
	"image"
	"math"
	"strconv"

	"github.com/gorl/gorl/env/render"
)

// Plot is a live line plot of returns: one point per episode (x the episode number or the
// env step it ended at), drawn as the raw returns (a light band of each pixel column's range)
// with a rolling mean over them, and the env's reward threshold as a dashed line.
type Plot struct {
	Title string
	// X and Y are the points, in order of X.
	X, Y []float64
	// Threshold is the reward threshold (NaN: none).
	Threshold float64
}

// Axes map data coordinates into a rectangle of pixels: nice rounded ranges with their
// ticks.
type Axes struct {
	XMin, XMax, YMin, YMax float64
	XTicks, YTicks         []float64
	// Rect is the plotting area in pixels (inside the tick labels).
	Rect image.Rectangle
}

// NewAxes returns axes for the points xs, ys (NaN and infinite values are ignored) and the
// extra y values (a threshold) in the rectangle r, with room for the tick labels. An empty or
// constant range gets a unit range around its value, so that a single point is drawn in the
// middle.
func NewAxes(r image.Rectangle, xs, ys []float64, extraY ...float64) Axes {
	x0, x1 := finiteRange(xs)
	y0, y1 := finiteRange(ys)
	for _, y := range extraY {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			y0, y1 = math.Min(y0, y), math.Max(y1, y)
		}
	}
	var a Axes
	a.YTicks, a.YMin, a.YMax = NiceTicks(y0, y1, max(2, r.Dy()/40))
	// Room for the y labels: the widest label plus a gap.
	lw := 0
	for _, t := range a.YTicks {
		w, _ := render.TextSize(formatTick(t, a.YTicks))
		lw = max(lw, w)
	}
	a.Rect = image.Rect(r.Min.X+lw+6, r.Min.Y+4, r.Max.X-8, r.Max.Y-18)
	a.XTicks, a.XMin, a.XMax = NiceTicks(x0, x1, max(2, a.Rect.Dx()/70))
	if whole(xs) && len(a.XTicks) > 1 && a.XTicks[1]-a.XTicks[0] < 1 {
		// Episode numbers and env steps are whole: no tick at 0.5.
		a.XTicks, a.XMin, a.XMax = NiceTicks(math.Floor(a.XMin), math.Max(math.Ceil(a.XMax), math.Floor(a.XMin)+1), 1)
	}
	return a
}

// whole reports whether every finite value of v is a whole number.
func whole(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) && x != math.Trunc(x) {
			return false
		}
	}
	return true
}

// finiteRange returns the range of the finite values of v, or (+Inf, -Inf) if there are none.
func finiteRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	return lo, hi
}

// NiceTicks returns at most about n ticks at multiples of 1, 2 or 5 times a power of ten,
// covering [lo, hi], and the range they span (the axis range). An empty range (lo > hi)
// becomes [0, 1]; a constant one is widened by one on each side (or by a tenth of its
// magnitude, for large values).
func NiceTicks(lo, hi float64, n int) (ticks []float64, axisLo, axisHi float64) {
	if lo > hi {
		lo, hi = 0, 1
	}
	if lo == hi {
		d := math.Max(1, math.Abs(lo)/10)
		lo, hi = lo-d, hi+d
	}
	n = max(n, 1)
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	axisLo = math.Floor(lo/step) * step
	axisHi = math.Ceil(hi/step) * step
	for i := 0; ; i++ {
		t := axisLo + float64(i)*step
		if t > axisHi+step/2 {
			break
		}
		// Snap values like 0.30000000000000004.
		t = math.Round(t/step) * step
		ticks = append(ticks, t)
	}
	return ticks, axisLo, axisHi
}

// Map returns the pixel position of the data point (x, y).
func (a *Axes) Map(x, y float64) (px, py float64) {
	r := a.Rect
	px = float64(r.Min.X) + (x-a.XMin)/(a.XMax-a.XMin)*float64(r.Dx())
	py = float64(r.Max.Y) - (y-a.YMin)/(a.YMax-a.YMin)*float64(r.Dy())
	return px, py
}

// formatTick prints a tick with as many decimals as its step needs.
func formatTick(t float64, ticks []float64) string {
	step := 1.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	}
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	if math.Abs(t) >= 1e5 {
		return strconv.FormatFloat(t, 'g', 3, 64)
	}
	return strconv.FormatFloat(t, 'f', dec, 64)
}

// Plot colours.
var (
	plotAxis      = render.RGB(120, 120, 120)
	plotGrid      = render.RGB(225, 225, 225)
	plotRaw       = render.RGB(150, 190, 235)
	plotMean      = render.RGB(20, 80, 180)
	plotThreshold = render.RGB(40, 160, 60)
	plotText      = render.RGB(60, 60, 60)
)

// Draw draws the plot into the rectangle r of c (in c's pixels: c's Transform must be the
// identity). Each pixel column shows the range of the returns that fall in it, so drawing
// costs the same for ten episodes or a hundred thousand.
func (p *Plot) Draw(c *render.Canvas, r image.Rectangle) {
	c.FillRect(float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y), render.RGB(255, 255, 255))
	c.Text(float64(r.Min.X+4), float64(r.Min.Y+2), p.Title, plotText)
	area := r
	area.Min.Y += 16
	a := NewAxes(area, p.X, p.Y, p.Threshold)
	ar := a.Rect
	for _, t := range a.YTicks {
		_, y := a.Map(a.XMin, t)
		c.Line(float64(ar.Min.X), y, float64(ar.Max.X), y, 1, plotGrid)
		s := formatTick(t, a.YTicks)
		w, _ := render.TextSize(s)
		c.Text(float64(ar.Min.X-w-3), y-7, s, plotText)
	}
	for _, t := range a.XTicks {
		x, _ := a.Map(t, a.YMin)
		c.Line(x, float64(ar.Min.Y), x, float64(ar.Max.Y), 1, plotGrid)
		s := formatTick(t, a.XTicks)
		c.TextCenter(x, float64(ar.Max.Y+10), s, plotText)
	}
	c.StrokeRect(float64(ar.Min.X), float64(ar.Min.Y), float64(ar.Max.X), float64(ar.Max.Y), 1, plotAxis)
	if !math.IsNaN(p.Threshold) && !math.IsInf(p.Threshold, 0) {
		_, y := a.Map(a.XMin, p.Threshold)
		for x := float64(ar.Min.X); x < float64(ar.Max.X); x += 8 {
			c.Line(x, y, math.Min(x+4, float64(ar.Max.X)), y, 1.5, plotThreshold)
		}
	}
	if len(p.X) == 0 {
		c.TextCenter(float64(ar.Min.X+ar.Dx()/2), float64(ar.Min.Y+ar.Dy()/2), "no episode finished yet", plotText)
		return
	}
	p.drawColumns(c, &a)
}

// drawColumns draws the range of the raw points per pixel column and the rolling mean.
func (p *Plot) drawColumns(c *render.Canvas, a *Axes) {
	w := max(1, a.Rect.Dx())
	lo := make([]float64, w)
	hi := make([]float64, w)
	for i := range lo {
		lo[i], hi[i] = math.Inf(1), math.Inf(-1)
	}
	col := func(x float64) int {
		px, _ := a.Map(x, 0)
		return min(w-1, max(0, int(px)-a.Rect.Min.X))
	}
	for i, x := range p.X {
		y := p.Y[i]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		k := col(x)
		lo[k], hi[k] = math.Min(lo[k], y), math.Max(hi[k], y)
	}
	single := len(p.X) <= 2*w // few points: dots rather than bands
	for k := range w {
		if lo[k] > hi[k] {
			continue
		}
		x := float64(a.Rect.Min.X+k) + 0.5
		_, y0 := a.Map(0, lo[k])
		_, y1 := a.Map(0, hi[k])
		if single {
			c.FillCircle(x, y0, 2, plotRaw)
			if y1 != y0 {
				c.FillCircle(x, y1, 2, plotRaw)
			}
			continue
		}
		c.Line(x, y0+0.5, x, y1-0.5, 1, plotRaw)
	}
	mean := RollingMean(p.Y, max(1, min(100, len(p.Y)/10)))
	pts := make([]render.Point, 0, len(p.X))
	for i, x := range p.X {
		if math.IsNaN(mean[i]) {
			continue
		}
		px, py := a.Map(x, mean[i])
		pts = append(pts, render.Pt(px, py))
	}
	if len(pts) == 1 {
		c.FillCircle(pts[0].X, pts[0].Y, 2.5, plotMean)
	}
	c.Polyline(pts, 2, plotMean)
}

// RollingMean returns the mean of each value and the w-1 before it (fewer at the start),
// skipping non-finite values (NaN where a window has none).
func RollingMean(v []float64, w int) []float64 {
	out := make([]float64, len(v))
	sum, n := 0.0, 0
	for i, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			sum += x
			n++
		}
		if j := i - w; j >= 0 {
			if y := v[j]; !math.IsNaN(y) && !math.IsInf(y, 0) {
				sum -= y
				n--
			}
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = sum / float64(n)
		}
	}
	return out
}
