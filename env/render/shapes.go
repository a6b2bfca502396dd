package render

import (
	"image/color"
	"math"
)

// Shapes are built in pixel space from sub-polygons whose edges all go into the accumulator
// before a single composite. Sub-polygons of one shape (the segments and joins of a polyline,
// an arrow's shaft and head) are oriented the same way, so their overlaps add up instead of
// cancelling, and a translucent shape is blended exactly once per pixel.

// arcTol is the largest distance, in pixels, between a sampled arc and the true circle.
const arcTol = 0.1

// arcSegments returns how many chords approximate an arc of the given sweep (radians) at
// radius r pixels within arcTol.
func arcSegments(r, sweep float64) int {
	sweep = math.Abs(sweep)
	step := math.Pi / 2
	if r > arcTol {
		step = math.Min(step, 2*math.Acos(1-arcTol/r))
	}
	// At most maxArcSegments: an absurdly large circle gets coarser, not unboundedly slow.
	const maxArcSegments = 1 << 12
	return int(clampF(math.Ceil(sweep/step), 1, maxArcSegments))
}

// FillPolygon fills the polygon with the given vertices (closed automatically). Convex,
// concave and self-intersecting polygons are all accepted; overlaps are filled by the non-zero
// winding rule, so a polygon traced twice in the same direction is filled once, and a region
// wound once each way is left empty. Edges are anti-aliased by exact area coverage.
func (c *Canvas) FillPolygon(pts []Point, col color.RGBA) {
	if len(pts) < 3 {
		return
	}
	t := c.Transform
	fx, fy := t.Apply(pts[0].X, pts[0].Y)
	px, py := fx, fy
	for _, p := range pts[1:] {
		x, y := t.Apply(p.X, p.Y)
		c.edge(px, py, x, y)
		px, py = x, y
	}
	c.edge(px, py, fx, fy)
	c.composite(col)
}

// quad fills the quadrilateral a-b-c-d given in drawing coordinates.
func (c *Canvas) quad(a, b, p, d Point, col color.RGBA) {
	t := c.Transform
	ax, ay := t.Apply(a.X, a.Y)
	bx, by := t.Apply(b.X, b.Y)
	cx, cy := t.Apply(p.X, p.Y)
	dx, dy := t.Apply(d.X, d.Y)
	c.edge(ax, ay, bx, by)
	c.edge(bx, by, cx, cy)
	c.edge(cx, cy, dx, dy)
	c.edge(dx, dy, ax, ay)
	c.composite(col)
}

// FillRotatedRect fills a w×h rectangle centred on (cx, cy) and rotated by angle radians
// (counterclockwise from +x toward +y in drawing coordinates): a car seen from above, a cart,
// a pole.
func (c *Canvas) FillRotatedRect(cx, cy, w, h, angle float64, col color.RGBA) {
	sin, cos := math.Sincos(angle)
	ux, uy := cos*w/2, sin*w/2  // half the length axis
	vx, vy := -sin*h/2, cos*h/2 // half the width axis
	c.quad(Pt(cx-ux-vx, cy-uy-vy), Pt(cx+ux-vx, cy+uy-vy), Pt(cx+ux+vx, cy+uy+vy), Pt(cx-ux+vx, cy-uy+vy), col)
}

// StrokeRect outlines the rectangle with corners (x0, y0) and (x1, y1) with a line of the given
// width centred on its edges, with sharp corners.
func (c *Canvas) StrokeRect(x0, y0, x1, y1, width float64, col color.RGBA) {
	if x0 > x1 {
		x0, x1 = x1, x0
	}
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	hw := math.Abs(width) / 2
	c.rectRing(x0-hw, y0-hw, x1+hw, y1+hw, false)
	if x1-x0 > 2*hw && y1-y0 > 2*hw {
		c.rectRing(x0+hw, y0+hw, x1-hw, y1-hw, true)
	}
	c.composite(col)
}

// rectRing adds the edges of an axis-aligned rectangle in drawing coordinates, in one
// direction or (reverse) the other.
func (c *Canvas) rectRing(x0, y0, x1, y1 float64, reverse bool) {
	c.poly = append(c.poly[:0], Pt(x0, y0), Pt(x1, y0), Pt(x1, y1), Pt(x0, y1))
	t := c.Transform
	for i := range c.poly {
		c.poly[i].X, c.poly[i].Y = t.Apply(c.poly[i].X, c.poly[i].Y)
	}
	c.ring(c.poly, reverse)
}

// ring adds the closed pixel-space polygon pts, forward or reversed.
func (c *Canvas) ring(pts []Point, reverse bool) {
	n := len(pts)
	for i := range n {
		a, b := pts[i], pts[(i+1)%n]
		if reverse {
			a, b = b, a
		}
		c.edge(a.X, a.Y, b.X, b.Y)
	}
}

// ringPos adds the closed pixel-space polygon pts oriented to positive signed area, so that
// all parts of one shape wind the same way.
func (c *Canvas) ringPos(pts []Point) {
	var area float64
	n := len(pts)
	for i := range n {
		a, b := pts[i], pts[(i+1)%n]
		area += a.X*b.Y - b.X*a.Y
	}
	if area == 0 {
		return
	}
	c.ring(pts, area < 0)
}

// FillCircle fills the disc of radius r centred on (cx, cy). The polygon it is drawn as is
// within a tenth of a pixel of the circle and has the disc's exact area.
func (c *Canvas) FillCircle(cx, cy, r float64, col color.RGBA) {
	x, y := c.Transform.Apply(cx, cy)
	c.circle(x, y, c.Transform.Len(math.Abs(r)), false)
	c.composite(col)
}

// StrokeCircle outlines the circle of radius r centred on (cx, cy) with a ring of the given
// width centred on the circle.
func (c *Canvas) StrokeCircle(cx, cy, r, width float64, col color.RGBA) {
	x, y := c.Transform.Apply(cx, cy)
	rp, hw := c.Transform.Len(math.Abs(r)), c.Transform.Len(math.Abs(width))/2
	c.circle(x, y, rp+hw, false)
	if rp > hw {
		c.circle(x, y, rp-hw, true)
	}
	c.composite(col)
}

// circle adds a full circle in pixel space, with positive orientation unless reverse. Its
// radius is enlarged so that the inscribed polygon has the circle's area.
func (c *Canvas) circle(cx, cy, r float64, reverse bool) {
	if !(r > 0) || !c.onImage(cx-2*r, cy-2*r, cx+2*r, cy+2*r) {
		return
	}
	n := max(arcSegments(r, 2*math.Pi), 8)
	step := 2 * math.Pi / float64(n)
	r *= math.Sqrt(step / math.Sin(step))
	if reverse {
		step = -step
	}
	// Rotate by a recurrence instead of calling Sincos per vertex: n is small, the drift
	// negligible, and the last vertex is the exact first one.
	sin, cos := math.Sincos(step)
	vx, vy := r, 0.0
	px, py := cx+vx, cy
	for i := 1; i < n; i++ {
		vx, vy = vx*cos-vy*sin, vx*sin+vy*cos
		x, y := cx+vx, cy+vy
		c.edge(px, py, x, y)
		px, py = x, y
	}
	c.edge(px, py, cx+r, cy)
}

// Line draws a straight line of the given width from (x0, y0) to (x1, y1), ended by
// c.LineCap. A line of width 1 along pixel centres, such as Line(0, 5.5, 10, 5.5, 1, col)
// under Identity, covers exactly one row of pixels.
func (c *Canvas) Line(x0, y0, x1, y1, width float64, col color.RGBA) {
	t := c.Transform
	c.pts = c.pts[:0]
	ax, ay := t.Apply(x0, y0)
	bx, by := t.Apply(x1, y1)
	c.pts = append(c.pts, Pt(ax, ay), Pt(bx, by))
	c.stroke(c.pts, t.Len(math.Abs(width)), false, c.LineCap)
	c.composite(col)
}

// Polyline draws connected line segments through pts with the given width: round joins,
// c.LineCap at the two ends. Translucent polylines are blended once where segments overlap.
func (c *Canvas) Polyline(pts []Point, width float64, col color.RGBA) {
	c.strokeWorld(pts, width, false, c.LineCap, col)
}

// StrokePolygon outlines the closed polygon through pts with the given width and round joins.
// A closed road is StrokePolygon(centreline, roadWidth, asphalt).
func (c *Canvas) StrokePolygon(pts []Point, width float64, col color.RGBA) {
	c.strokeWorld(pts, width, true, ButtCap, col)
}

func (c *Canvas) strokeWorld(pts []Point, width float64, closed bool, lc Cap, col color.RGBA) {
	t := c.Transform
	c.pts = c.pts[:0]
	for _, p := range pts {
		x, y := t.Apply(p.X, p.Y)
		c.pts = append(c.pts, Pt(x, y))
	}
	c.stroke(c.pts, t.Len(math.Abs(width)), closed, lc)
	c.composite(col)
}

// Arc draws the circular arc of radius r around (cx, cy) from angle a0 to a1 (radians,
// counterclockwise from +x toward +y in drawing coordinates; a1 < a0 goes the other way) as a
// stroke of the given width, sampled finely enough to stay within a tenth of a pixel of the
// true arc.
func (c *Canvas) Arc(cx, cy, r, a0, a1, width float64, col color.RGBA) {
	t := c.Transform
	n := arcSegments(t.Len(math.Abs(r)), a1-a0)
	c.pts = c.pts[:0]
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/float64(n)
		sin, cos := math.Sincos(a)
		x, y := t.Apply(cx+r*cos, cy+r*sin)
		c.pts = append(c.pts, Pt(x, y))
	}
	c.stroke(c.pts, t.Len(math.Abs(width)), false, c.LineCap)
	c.composite(col)
}

// ArcPoints appends to dst n+1 points evenly spaced on the arc of radius r around (cx, cy)
// from angle a0 to a1, and returns the extended slice: the way to build a curved road or a
// lane boundary for Polyline, FillPolygon or StrokePolygon.
func ArcPoints(dst []Point, cx, cy, r, a0, a1 float64, n int) []Point {
	if n < 1 {
		panic("render: ArcPoints needs at least one segment")
	}
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/float64(n)
		sin, cos := math.Sincos(a)
		dst = append(dst, Pt(cx+r*cos, cy+r*sin))
	}
	return dst
}

// Arrow draws an arrow from (x0, y0) to the tip (x1, y1): a shaft of the given width and a
// triangular head head long and head wide. An arrow shorter than its head is all head, shrunk
// to fit. Greedy-policy arrows in a grid world are Arrow(cx, cy, cx+dx, cy+dy, 0.05, 0.2, col)
// in cell units.
func (c *Canvas) Arrow(x0, y0, x1, y1, width, head float64, col color.RGBA) {
	t := c.Transform
	ax, ay := t.Apply(x0, y0)
	bx, by := t.Apply(x1, y1)
	hw := t.Len(math.Abs(width)) / 2
	hl := t.Len(math.Abs(head))
	dx, dy := bx-ax, by-ay
	L := math.Hypot(dx, dy)
	if !(L > 0) {
		return
	}
	ux, uy := dx/L, dy/L
	nx, ny := -uy, ux
	hh := math.Max(hl/2, hw) // half the head's width: never narrower than the shaft
	if hl > L {
		hh *= L / hl
		hl = L
	}
	baseX, baseY := bx-ux*hl, by-uy*hl
	if L > hl && hw > 0 {
		c.poly = append(c.poly[:0],
			Pt(ax+nx*hw, ay+ny*hw), Pt(baseX+nx*hw, baseY+ny*hw),
			Pt(baseX-nx*hw, baseY-ny*hw), Pt(ax-nx*hw, ay-ny*hw))
		c.ringPos(c.poly)
	}
	c.poly = append(c.poly[:0], Pt(bx, by), Pt(baseX+nx*hh, baseY+ny*hh), Pt(baseX-nx*hh, baseY-ny*hh))
	c.ringPos(c.poly)
	c.composite(col)
}

// stroke adds the outline of a polyline in pixel space: one quadrilateral per segment, a pie
// wedge filling the outer gap at every join, and caps. Consecutive duplicate points are
// skipped.
func (c *Canvas) stroke(pts []Point, width float64, closed bool, lc Cap) {
	hw := width / 2
	if !(hw > 0) || len(pts) == 0 {
		return
	}
	// Drop zero-length segments (and NaNs) in place.
	k := 0
	for i, p := range pts {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			continue
		}
		if k > 0 && p == pts[k-1] {
			continue
		}
		pts[k] = pts[i]
		k++
	}
	pts = pts[:k]
	if closed && len(pts) > 2 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	if len(pts) == 1 {
		if lc == RoundCap {
			c.circle(pts[0].X, pts[0].Y, hw, false)
		}
		return
	}
	if len(pts) == 2 {
		closed = false
	}
	n := len(pts)
	segs := n - 1
	if closed {
		segs = n
	}
	for i := range segs {
		a, b := pts[i], pts[(i+1)%n]
		if !c.onImage(min(a.X, b.X)-hw, min(a.Y, b.Y)-hw, max(a.X, b.X)+hw, max(a.Y, b.Y)+hw) {
			continue
		}
		ux, uy := unit(b.X-a.X, b.Y-a.Y)
		nx, ny := -uy*hw, ux*hw
		c.poly = append(c.poly[:0], Pt(a.X+nx, a.Y+ny), Pt(b.X+nx, b.Y+ny), Pt(b.X-nx, b.Y-ny), Pt(a.X-nx, a.Y-ny))
		c.ringPos(c.poly)
	}
	// Joins at interior vertices (all vertices of a closed polyline).
	first, last := 1, n-1
	if closed {
		first, last = 0, n
	}
	for i := first; i < last; i++ {
		p, v, q := pts[(i-1+n)%n], pts[i], pts[(i+1)%n]
		if !c.onImage(v.X-hw, v.Y-hw, v.X+hw, v.Y+hw) {
			continue
		}
		u1x, u1y := unit(v.X-p.X, v.Y-p.Y)
		u2x, u2y := unit(q.X-v.X, q.Y-v.Y)
		cross := u1x*u2y - u1y*u2x
		dot := u1x*u2x + u1y*u2y
		if math.Abs(cross) < 1e-9 && dot > 0 {
			continue // straight on: the quads already meet edge to edge
		}
		// The gap is on the outer side of the turn.
		s := 1.0
		if cross > 0 {
			s = -1
		}
		a0 := math.Atan2(s*u1x, -s*u1y) // angle of s·n(u1), n(u) = (-u.y, u.x)
		sweep := math.Atan2(cross, dot)
		c.wedge(v.X, v.Y, hw, a0, sweep)
	}
	if !closed && lc == RoundCap {
		a, b := pts[0], pts[1]
		ux, uy := unit(b.X-a.X, b.Y-a.Y)
		// A cap sweeps π from n(u), the angle atan2(u.x, -u.y), through -u to -n(u),
		// where u points into the line.
		c.wedge(a.X, a.Y, hw, math.Atan2(ux, -uy), math.Pi)
		a, b = pts[n-1], pts[n-2]
		ux, uy = unit(b.X-a.X, b.Y-a.Y)
		c.wedge(a.X, a.Y, hw, math.Atan2(ux, -uy), math.Pi)
	}
}

// onImage reports whether the pixel-space box [x0, x1] × [y0, y1] meets the image. A closed
// sub-polygon inside a box that does not can be skipped: even wholly left of the image, where
// its edges would be projected onto x = 0, its up and down edges cancel row by row.
func (c *Canvas) onImage(x0, y0, x1, y1 float64) bool {
	return x1 > 0 && y1 > 0 && x0 < float64(c.w) && y0 < float64(c.h)
}

// wedge adds the pie slice of radius r around (cx, cy) from angle a0 sweeping sweep radians.
func (c *Canvas) wedge(cx, cy, r, a0, sweep float64) {
	if !c.onImage(cx-r, cy-r, cx+r, cy+r) {
		return
	}
	n := arcSegments(r, sweep)
	c.poly = append(c.poly[:0], Pt(cx, cy))
	for i := 0; i <= n; i++ {
		sin, cos := math.Sincos(a0 + sweep*float64(i)/float64(n))
		c.poly = append(c.poly, Pt(cx+r*cos, cy+r*sin))
	}
	c.ringPos(c.poly)
}

func unit(x, y float64) (float64, float64) {
	l := math.Hypot(x, y)
	return x / l, y / l
}
