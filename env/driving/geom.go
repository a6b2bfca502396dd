package driving

import "math"

// wrapToPi maps an angle to [-π, π).
func wrapToPi(a float64) float64 {
	if a >= -math.Pi && a < math.Pi {
		return a
	}
	return a - 2*math.Pi*math.Floor((a+math.Pi)/(2*math.Pi))
}

// clamp limits v to [lo, hi].
func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// notZero keeps a divisor away from zero as highway-env's utils.not_zero does: values within
// 1e-2 of zero become ±1e-2.
func notZero(x float64) float64 {
	const eps = 1e-2
	if math.Abs(x) > eps {
		return x
	}
	if x >= 0 {
		return eps
	}
	return -eps
}

// lmap maps v linearly from [x0, x1] to [y0, y1] (highway-env's utils.lmap), without clipping.
func lmap(v, x0, x1, y0, y1 float64) float64 {
	return y0 + (v-x0)*(y1-y0)/(x1-x0)
}

// Box is an oriented rectangle: a vehicle's footprint. Heading is the direction of the Length
// side, in radians counterclockwise from +x.
type Box struct {
	X, Y          float64 // centre
	Heading       float64
	Length, Width float64
}

// Corners returns the four corners in order around the box (front-left, front-right,
// rear-right, rear-left for a y-up world).
func (b Box) Corners() [4][2]float64 {
	s, c := math.Sincos(b.Heading)
	hl, hw := b.Length/2, b.Width/2
	ux, uy := c*hl, s*hl  // half length along the heading
	vx, vy := -s*hw, c*hw // half width along the left normal
	return [4][2]float64{
		{b.X + ux + vx, b.Y + uy + vy},
		{b.X + ux - vx, b.Y + uy - vy},
		{b.X - ux - vx, b.Y - uy - vy},
		{b.X - ux + vx, b.Y - uy + vy},
	}
}

// Overlap reports whether two oriented boxes intersect (touching counts as intersecting), by
// the separating axis theorem: two convex polygons are disjoint exactly when their projections
// on some edge normal of one of them are disjoint, and a rectangle has only two distinct edge
// normals, so four axes decide. Each projection of a box on a unit axis is its centre's
// projection ± (half length·|cos| + half width·|sin|) of the angle between axis and box.
func Overlap(a, b Box) bool {
	sa, ca := math.Sincos(a.Heading)
	sb, cb := math.Sincos(b.Heading)
	return overlapSC(a, b, ca, sa, cb, sb)
}

// overlapSC is Overlap with the boxes' heading cosines and sines already known.
func overlapSC(a, b Box, ca, sa, cb, sb float64) bool {
	dx, dy := b.X-a.X, b.Y-a.Y
	ahl, ahw := a.Length/2, a.Width/2
	bhl, bhw := b.Length/2, b.Width/2
	// |cos| and |sin| of the angle between the boxes' axes.
	c := math.Abs(ca*cb + sa*sb)
	s := math.Abs(sa*cb - ca*sb)
	// Axes of a: along (ca, sa) and across (-sa, ca).
	if math.Abs(dx*ca+dy*sa) > ahl+bhl*c+bhw*s {
		return false
	}
	if math.Abs(-dx*sa+dy*ca) > ahw+bhl*s+bhw*c {
		return false
	}
	// Axes of b.
	if math.Abs(dx*cb+dy*sb) > bhl+ahl*c+ahw*s {
		return false
	}
	if math.Abs(-dx*sb+dy*cb) > bhw+ahl*s+ahw*c {
		return false
	}
	return true
}

// segmentsIntersect reports whether the closed segments p1p2 and q1q2 cross or touch.
func segmentsIntersect(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y float64) bool {
	d1 := orient(q1x, q1y, q2x, q2y, p1x, p1y)
	d2 := orient(q1x, q1y, q2x, q2y, p2x, p2y)
	d3 := orient(p1x, p1y, p2x, p2y, q1x, q1y)
	d4 := orient(p1x, p1y, p2x, p2y, q2x, q2y)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(ax, ay, bx, by, px, py float64) bool {
		return math.Min(ax, bx) <= px && px <= math.Max(ax, bx) && math.Min(ay, by) <= py && py <= math.Max(ay, by)
	}
	return (d1 == 0 && on(q1x, q1y, q2x, q2y, p1x, p1y)) ||
		(d2 == 0 && on(q1x, q1y, q2x, q2y, p2x, p2y)) ||
		(d3 == 0 && on(p1x, p1y, p2x, p2y, q1x, q1y)) ||
		(d4 == 0 && on(p1x, p1y, p2x, p2y, q2x, q2y))
}

// orient is the cross product (b-a)×(c-a): positive when a, b, c turn counterclockwise.
func orient(ax, ay, bx, by, cx, cy float64) float64 {
	return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
}
