package driving

import (
	"errors"
	"math"
	"math/rand/v2"
)

// CarRacing's track recipe (Gymnasium's car_racing.py), in its units (about a metre each).
const (
	trackScale      = 6.0
	trackRad        = 900 / trackScale // 150
	trackDetailStep = 21 / trackScale  // 3.5: the length of a tile
	trackTurnRate   = 0.31             // the most the direction turns between two points [rad]
	trackHalfWidth  = 40 / trackScale  // 6.67: half the road's width
	trackCheckpts   = 12
	borderMinCount  = 4 // a kerb needs this many consecutive tiles turning the same way
)

// Track is a closed racetrack: CarRacing's centreline of N points, the tiles between
// consecutive points, and the lane that gives local coordinates along it. Tile i is the
// quadrilateral between points i and i+1 (mod N), spanning the road's width.
type Track struct {
	// X, Y are the centreline points; Beta[i] is CarRacing's angle at point i, whose normal
	// (cos β, sin β) points to the right of the driving direction (-sin β, cos β).
	X, Y, Beta []float64
	// HalfWidth is half the road's width [m].
	HalfWidth float64
	// Left and Right are the road's edges at each point: (x, y) ∓ HalfWidth·(cos β, sin β).
	LeftX, LeftY, RightX, RightY []float64
	// Kerb marks the tiles of sharp bends, drawn with red and white kerbs as in CarRacing.
	Kerb []bool
	// Lane is the centreline as a closed lane of N straight segments.
	Lane *Lane
	// Curvature[i] is the turn rate of the centreline around point i [rad/m], smoothed over
	// three tiles.
	Curvature []float64
}

// N is the number of tiles.
func (t *Track) N() int { return len(t.X) }

// errTrackFailed reports one failed attempt of the recipe; GenerateTrack retries.
var errTrackFailed = errors.New("driving: track generation failed")

// GenerateTrack builds a track with CarRacing's recipe from r, retrying (with the following
// random numbers) until an attempt succeeds, as CarRacing's reset does: 12 checkpoints at
// noisy angles and radii around the centre, a path that steers towards them one after the
// other with a limited turn rate, and the second of its laps cut out where it passes the start
// angle, kept when its ends meet. An attempt is also rejected when the road would overlap
// itself (non-neighbouring parts of the centreline closer than a road width plus 2 m), which
// CarRacing allows but which would make "on the track" ambiguous.
func GenerateTrack(r *rand.Rand) *Track {
	for {
		if t, err := tryTrack(r); err == nil {
			return t
		}
	}
}

type trackPoint struct{ alpha, beta, x, y float64 }

func tryTrack(r *rand.Rand) (*Track, error) {
	// Checkpoints at noisy angles and radii.
	var cps [trackCheckpts][3]float64
	startAlpha := 2 * math.Pi * (-0.5) / trackCheckpts
	for c := range trackCheckpts {
		noise := uniform(r, 0, 2*math.Pi/trackCheckpts)
		alpha := 2*math.Pi*float64(c)/trackCheckpts + noise
		rad := uniform(r, trackRad/3, trackRad)
		if c == 0 {
			alpha, rad = 0, 1.5*trackRad
		}
		if c == trackCheckpts-1 {
			alpha = 2 * math.Pi * float64(c) / trackCheckpts
			rad = 1.5 * trackRad
		}
		cps[c] = [3]float64{alpha, rad * math.Cos(alpha), rad * math.Sin(alpha)}
	}
	// Steer from checkpoint to checkpoint.
	x, y, beta := 1.5*trackRad, 0.0, 0.0
	dest := 0
	laps := 0
	var track []trackPoint
	noFreeze := 2500
	visitedOtherSide := false
	for {
		alpha := math.Atan2(y, x)
		if visitedOtherSide && alpha > 0 {
			laps++
			visitedOtherSide = false
		}
		if alpha < 0 {
			visitedOtherSide = true
			alpha += 2 * math.Pi
		}
		var destX, destY float64
		for {
			failed := true
			for {
				cp := cps[dest%trackCheckpts]
				destX, destY = cp[1], cp[2]
				if alpha <= cp[0] {
					failed = false
					break
				}
				dest++
				if dest%trackCheckpts == 0 {
					break
				}
			}
			if !failed {
				break
			}
			alpha -= 2 * math.Pi
		}
		r1x, r1y := math.Cos(beta), math.Sin(beta)
		p1x, p1y := -r1y, r1x
		dx, dy := destX-x, destY-y
		proj := r1x*dx + r1y*dy // the destination on the right-pointing normal
		for beta-alpha > 1.5*math.Pi {
			beta -= 2 * math.Pi
		}
		for beta-alpha < -1.5*math.Pi {
			beta += 2 * math.Pi
		}
		prevBeta := beta
		proj *= trackScale
		if proj > 0.3 {
			beta -= math.Min(trackTurnRate, math.Abs(0.001*proj))
		}
		if proj < -0.3 {
			beta += math.Min(trackTurnRate, math.Abs(0.001*proj))
		}
		x += p1x * trackDetailStep
		y += p1y * trackDetailStep
		track = append(track, trackPoint{alpha, prevBeta*0.5 + beta*0.5, x, y})
		if laps > 4 {
			break
		}
		noFreeze--
		if noFreeze == 0 {
			break
		}
	}
	// The closed loop between the last two passes through the start angle.
	i1, i2 := -1, -1
	i := len(track)
	for {
		i--
		if i == 0 {
			return nil, errTrackFailed
		}
		through := track[i].alpha > startAlpha && track[i-1].alpha <= startAlpha
		if through && i2 == -1 {
			i2 = i
		} else if through && i1 == -1 {
			i1 = i
			break
		}
	}
	track = track[i1 : i2-1]
	if len(track) < 10 {
		return nil, errTrackFailed
	}
	firstBeta := track[0].beta
	fpx, fpy := math.Cos(firstBeta), math.Sin(firstBeta)
	last := track[len(track)-1]
	glue := math.Sqrt(math.Pow(fpx*(track[0].x-last.x), 2) + math.Pow(fpy*(track[0].y-last.y), 2))
	if glue > trackDetailStep {
		return nil, errTrackFailed
	}
	t := newTrack(track)
	if !t.separated() {
		return nil, errTrackFailed
	}
	return t, nil
}

// newTrack builds the geometry of a closed centreline.
func newTrack(pts []trackPoint) *Track {
	n := len(pts)
	t := &Track{
		X: make([]float64, n), Y: make([]float64, n), Beta: make([]float64, n), HalfWidth: trackHalfWidth,
		LeftX: make([]float64, n), LeftY: make([]float64, n), RightX: make([]float64, n), RightY: make([]float64, n),
		Kerb: make([]bool, n), Curvature: make([]float64, n),
	}
	for i, p := range pts {
		t.X[i], t.Y[i], t.Beta[i] = p.x, p.y, p.beta
		c, s := math.Cos(p.beta), math.Sin(p.beta)
		t.LeftX[i], t.LeftY[i] = p.x-trackHalfWidth*c, p.y-trackHalfWidth*s
		t.RightX[i], t.RightY[i] = p.x+trackHalfWidth*c, p.y+trackHalfWidth*s
	}
	// Kerbs on hard turns, as CarRacing marks them.
	for i := range n {
		good := true
		oneside := 0.0
		for neg := range borderMinCount {
			b1 := pts[(i-neg+n)%n].beta
			b2 := pts[(i-neg-1+n)%n].beta
			good = good && math.Abs(b1-b2) > trackTurnRate*0.2
			oneside += sign(b1 - b2)
		}
		t.Kerb[i] = good && math.Abs(oneside) == borderMinCount
	}
	kerb := append([]bool(nil), t.Kerb...)
	for i := range n {
		if kerb[i] {
			for neg := range borderMinCount {
				t.Kerb[(i-neg+n)%n] = true
			}
		}
	}
	segs := make([]Segment, n)
	for i := range n {
		j := (i + 1) % n
		segs[i] = NewLine(t.X[i], t.Y[i], t.X[j], t.Y[j])
	}
	t.Lane = &Lane{Segments: segs, Width: 2 * trackHalfWidth, Closed: true, starts: make([]float64, n)}
	for i := range segs {
		t.Lane.starts[i] = t.Lane.length
		t.Lane.length += segs[i].Length
	}
	// Turn rate per metre, from the headings of the segments around each point.
	for i := range n {
		prev := &segs[(i-1+n)%n]
		next := &segs[(i+1)%n]
		t.Curvature[i] = wrapToPi(next.Heading-prev.Heading) / (prev.Length/2 + segs[i].Length + next.Length/2)
	}
	return t
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// separated reports whether parts of the centreline that are far apart along the track are
// at least a road width plus 2 m apart, so that the road does not overlap itself.
func (t *Track) separated() bool {
	n := t.N()
	// Along the track, parts within a half turn at the tightest radius of each other may be
	// close; beyond that they must be apart.
	minGap := 2*trackHalfWidth + 2
	skip := int(math.Ceil(math.Pi*minGap/trackDetailStep)) + 2
	if 2*skip >= n {
		return false
	}
	g2 := minGap * minGap
	for i := range n {
		for j := i + skip; j < n && j < i+n-skip+1; j++ {
			dx, dy := t.X[i]-t.X[j], t.Y[i]-t.Y[j]
			if dx*dx+dy*dy < g2 {
				return false
			}
		}
	}
	return true
}

// Locate returns the tile nearest to (x, y) searching window tiles either side of hint (all
// tiles when hint < 0), the lateral offset from the centreline (positive to the left of the
// driving direction), the distance along the track, and the direction of the track there.
func (t *Track) Locate(x, y float64, hint, window int) (tile int, offset, s, heading float64) {
	s, r, seg := t.Lane.LocalNear(x, y, hint, window)
	return seg, r, s, t.Lane.Segments[seg].Heading
}

// OnTile reports whether (x, y) lies inside tile i's quadrilateral (points i and i+1 and
// their edge points).
func (t *Track) OnTile(i int, x, y float64) bool {
	n := t.N()
	i = ((i % n) + n) % n
	j := (i + 1) % n
	qx := [4]float64{t.LeftX[i], t.RightX[i], t.RightX[j], t.LeftX[j]}
	qy := [4]float64{t.LeftY[i], t.RightY[i], t.RightY[j], t.LeftY[j]}
	var pos, neg bool
	for k := range 4 {
		l := (k + 1) % 4
		o := orient(qx[k], qy[k], qx[l], qy[l], x, y)
		if o > 0 {
			pos = true
		} else if o < 0 {
			neg = true
		}
	}
	return !(pos && neg)
}

// RayDistance returns how far the ray from (x, y) in direction (dx, dy) (a unit vector) runs
// before it crosses an edge of the road, searching the edges of the tiles within window of
// tile, and maxDist when it crosses none within maxDist.
func (t *Track) RayDistance(x, y, dx, dy float64, tile, window int, maxDist float64) float64 {
	n := t.N()
	best := maxDist
	for k := tile - window; k <= tile+window; k++ {
		i := ((k % n) + n) % n
		j := (i + 1) % n
		if d, ok := raySegment(x, y, dx, dy, t.LeftX[i], t.LeftY[i], t.LeftX[j], t.LeftY[j]); ok && d < best {
			best = d
		}
		if d, ok := raySegment(x, y, dx, dy, t.RightX[i], t.RightY[i], t.RightX[j], t.RightY[j]); ok && d < best {
			best = d
		}
	}
	return best
}

// raySegment intersects the ray p + t·d (t >= 0) with the segment ab.
func raySegment(px, py, dx, dy, ax, ay, bx, by float64) (float64, bool) {
	ex, ey := bx-ax, by-ay
	den := dx*ey - dy*ex
	if den == 0 {
		return 0, false
	}
	wx, wy := ax-px, ay-py
	t := (wx*ey - wy*ex) / den
	u := (wx*dy - wy*dx) / den
	if t < 0 || u < 0 || u > 1 {
		return 0, false
	}
	return t, true
}
