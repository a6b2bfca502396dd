package driving

import (
	"fmt"
	"math"
)

// Segment is one piece of a road centreline: a straight line (Curvature 0) or a circular arc.
//
// Points near a segment have local coordinates (s, r): s the distance along the segment from
// its start, r the lateral offset along the normal (-sin h, cos h) of the heading h at s,
// which is highway-env's convention (to the left in a y-up world, to the right of the driving
// direction on highway-env's y-down screen).
type Segment struct {
	X, Y    float64 // start point
	Heading float64 // direction at the start [rad]
	Length  float64 // [m]
	// Curvature is 1/radius, positive when the heading increases along the segment.
	Curvature float64

	cos, sin float64 // of Heading
	cx, cy   float64 // centre of an arc
}

// NewLine returns the straight segment from (x0, y0) to (x1, y1).
func NewLine(x0, y0, x1, y1 float64) Segment {
	return newSegment(x0, y0, math.Atan2(y1-y0, x1-x0), math.Hypot(x1-x0, y1-y0), 0)
}

// NewArc returns the arc that starts at (x, y) with the given heading and turns with the given
// curvature (non-zero) for length metres.
func NewArc(x, y, heading, length, curvature float64) Segment {
	if curvature == 0 {
		panic("driving: NewArc with zero curvature; use NewLine")
	}
	return newSegment(x, y, heading, length, curvature)
}

func newSegment(x, y, heading, length, curvature float64) Segment {
	g := Segment{X: x, Y: y, Heading: heading, Length: length, Curvature: curvature}
	g.sin, g.cos = math.Sincos(heading)
	if curvature != 0 {
		g.cx, g.cy = x-g.sin/curvature, y+g.cos/curvature
	}
	return g
}

// Position returns the point at local coordinates (s, r). s may lie beyond the ends: the line
// or circle continues.
func (g *Segment) Position(s, r float64) (x, y float64) {
	if g.Curvature == 0 {
		return g.X + s*g.cos - r*g.sin, g.Y + s*g.sin + r*g.cos
	}
	sh, ch := math.Sincos(g.Heading + g.Curvature*s)
	rho := 1/g.Curvature - r
	return g.cx + rho*sh, g.cy - rho*ch
}

// HeadingAt returns the direction of the centreline at s.
func (g *Segment) HeadingAt(s float64) float64 { return g.Heading + g.Curvature*s }

// Local returns the local coordinates (s, r) of the point (x, y): the projection on the
// centreline and the signed lateral offset. For an arc, s is measured on the branch of angles
// centred on the arc's middle, so points beyond either end get s < 0 or s > Length.
func (g *Segment) Local(x, y float64) (s, r float64) {
	dx, dy := x-g.X, y-g.Y
	if g.Curvature == 0 {
		return dx*g.cos + dy*g.sin, -dx*g.sin + dy*g.cos
	}
	k := g.Curvature
	ex, ey := x-g.cx, y-g.cy
	d := math.Hypot(ex, ey)
	var th float64
	if k > 0 {
		th = math.Atan2(ex, -ey)
		r = 1/k - d
	} else {
		th = math.Atan2(-ex, ey)
		r = 1/k + d
	}
	mid := g.Heading + k*g.Length/2
	s = g.Length/2 + wrapToPi(th-mid)/k
	return s, r
}

// Lane is a lane of a road: a centreline made of segments laid end to end, a width and a speed
// limit. Highway lanes are single lines; the racetrack is one closed lane of many short lines.
type Lane struct {
	Segments   []Segment
	Width      float64 // [m]
	SpeedLimit float64 // [m/s]; 0 means none
	// Closed lanes loop: the end of the last segment is the start of the first.
	Closed bool

	starts []float64 // distance along the lane at the start of each segment
	length float64
}

// NewLane returns a lane through the given segments, which must join end to end (each starts
// within a millimetre of where the previous one ends, and for a closed lane the first starts
// where the last ends).
func NewLane(segs []Segment, width, speedLimit float64, closed bool) (*Lane, error) {
	if len(segs) == 0 {
		return nil, fmt.Errorf("driving: a lane needs at least one segment")
	}
	l := &Lane{Segments: segs, Width: width, SpeedLimit: speedLimit, Closed: closed, starts: make([]float64, len(segs))}
	for i := range segs {
		l.starts[i] = l.length
		l.length += segs[i].Length
		next := i + 1
		if next == len(segs) {
			if !closed {
				break
			}
			next = 0
		}
		ex, ey := segs[i].Position(segs[i].Length, 0)
		if math.Hypot(ex-segs[next].X, ey-segs[next].Y) > 1e-3 {
			return nil, fmt.Errorf("driving: lane segment %d ends at (%.3f, %.3f) but segment %d starts at (%.3f, %.3f)", i, ex, ey, next, segs[next].X, segs[next].Y)
		}
	}
	return l, nil
}

// Length is the length of the centreline [m].
func (l *Lane) Length() float64 { return l.length }

// segmentAt returns the index of the segment holding distance s and s relative to it. Beyond
// the ends of an open lane the first or last segment continues; a closed lane wraps s.
func (l *Lane) segmentAt(s float64) (int, float64) {
	if l.Closed {
		s -= l.length * math.Floor(s/l.length)
	}
	if len(l.Segments) == 1 || s < l.starts[1] {
		return 0, s
	}
	lo, hi := 1, len(l.starts)-1
	for lo < hi { // last start <= s
		mid := (lo + hi + 1) / 2
		if l.starts[mid] <= s {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, s - l.starts[lo]
}

// Position returns the point at distance s along the lane and lateral offset r.
func (l *Lane) Position(s, r float64) (x, y float64) {
	i, ds := l.segmentAt(s)
	return l.Segments[i].Position(ds, r)
}

// HeadingAt returns the direction of the lane at distance s.
func (l *Lane) HeadingAt(s float64) float64 {
	i, ds := l.segmentAt(s)
	return l.Segments[i].HeadingAt(ds)
}

// CurvatureAt returns the curvature of the lane at distance s.
func (l *Lane) CurvatureAt(s float64) float64 {
	i, _ := l.segmentAt(s)
	return l.Segments[i].Curvature
}

// Local returns the lane coordinates (s, r) of a point: the distance along the lane of its
// projection on the nearest segment and its lateral offset. It searches every segment; hot
// loops over long lanes use LocalNear.
func (l *Lane) Local(x, y float64) (s, r float64) {
	s, r, _ = l.LocalNear(x, y, -1, 0)
	return s, r
}

// LocalNear is Local restricted to the segments within window of segment hint (all of them
// when hint < 0), and also returns the index of the segment the point projects on. A point
// projects on the segment that is nearest to it, the distance to a segment measured to its
// closest point.
func (l *Lane) LocalNear(x, y float64, hint, window int) (s, r float64, seg int) {
	n := len(l.Segments)
	if n == 1 {
		s, r = l.Segments[0].Local(x, y)
		return s, r, 0
	}
	lo, hi := 0, n-1
	if hint >= 0 && 2*window+1 < n {
		lo, hi = hint-window, hint+window
	}
	best := math.Inf(1)
	for j := lo; j <= hi; j++ {
		i := j
		if l.Closed {
			i = ((j % n) + n) % n
		} else if i < 0 || i >= n {
			continue
		}
		g := &l.Segments[i]
		ds, dr := g.Local(x, y)
		// Distance to the segment's closest point (beyond the ends the end points).
		var d float64
		switch {
		case ds < 0:
			d = math.Hypot(x-g.X, y-g.Y)
		case ds > g.Length:
			ex, ey := g.Position(g.Length, 0)
			d = math.Hypot(x-ex, y-ey)
		default:
			d = math.Abs(dr)
		}
		if d < best {
			best, seg, s, r = d, i, l.starts[i]+ds, dr
		}
	}
	return s, r, seg
}
