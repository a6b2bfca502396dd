package driving

import (
	"math"

	"github.com/gorl/gorl/env/render"
)

// Colours of highway-env's renderer.
var (
	hwRoad    = render.RGB(100, 100, 100)
	hwLine    = render.RGB(255, 255, 255)
	hwEgo     = render.RGB(50, 200, 0)
	hwTraffic = render.RGB(100, 200, 255)
	hwCrashed = render.RGB(255, 100, 100)
	hwOutline = render.RGB(60, 60, 60)
)

// Highway rendering constants (highway-env's screen scaling and lane markings).
const (
	hwScale        = 5.5 // pixels per metre
	hwCenterX      = 0.3 // the ego's position across the frame
	hwStripeLength = 3.0 // dashed lane markings: 3 m lines every 5 m
	hwStripeGap    = 5.0
	hwStripeWidth  = 0.3
)

// drawHighway draws the road and the vehicles in highway-env's top-down view: the camera
// follows the ego, placed at 30% of the width and mid-height, 5.5 pixels per metre, y growing
// downwards (highway-env's coordinates are the screen's).
func drawHighway(c *render.Canvas, t *Traffic, ready bool) {
	w, h := c.Size()
	c.Transform = render.Identity()
	c.Clear(hwRoad)
	if !ready || len(t.Vehicles) == 0 {
		return
	}
	ego := &t.Vehicles[0]
	ox := hwCenterX*float64(w) - ego.X*hwScale
	oy := 0.5*float64(h) - ego.Y*hwScale
	c.Transform = render.Transform{A: hwScale, C: ox, E: hwScale, F: oy}
	x0 := ego.X - hwCenterX*float64(w)/hwScale - 1
	x1 := ego.X + (1-hwCenterX)*float64(w)/hwScale + 1
	// Lane markings: solid at the road's edges, dashed between lanes.
	n := len(t.Lanes)
	for i := 0; i <= n; i++ {
		y := (float64(i) - 0.5) * laneWidth
		if i == 0 || i == n {
			c.Line(x0, y, x1, y, hwStripeWidth, hwLine)
			continue
		}
		start := math.Floor(x0/hwStripeGap) * hwStripeGap
		for x := start; x < x1; x += hwStripeGap {
			c.Line(x, y, x+hwStripeLength, y, hwStripeWidth, hwLine)
		}
	}
	for i := len(t.Vehicles) - 1; i >= 0; i-- {
		v := &t.Vehicles[i]
		if v.X < x0-v.Length || v.X > x1+v.Length {
			continue
		}
		col := hwTraffic
		switch {
		case v.Crashed:
			col = hwCrashed
		case i == 0:
			col = hwEgo
		}
		c.FillRotatedRect(v.X, v.Y, v.Length+0.2, v.Width+0.2, v.Heading, hwOutline)
		c.FillRotatedRect(v.X, v.Y, v.Length, v.Width, v.Heading, col)
	}
}

// Colours of CarRacing.
var (
	rcGrass      = render.RGB(102, 204, 102)
	rcGrassPatch = render.RGB(102, 230, 102)
	rcRoad       = render.RGB(102, 102, 102)
	rcKerbRed    = render.RGB(255, 0, 0)
	rcKerbWhite  = render.RGB(255, 255, 255)
	rcCar        = render.RGB(204, 0, 0)
	rcWheel      = render.RGB(0, 0, 0)
	rcBar        = render.RGB(0, 0, 0)
	rcSpeed      = render.RGB(255, 255, 255)
	rcSteer      = render.RGB(0, 255, 0)
	rcGyro       = render.RGB(255, 0, 0)
)

const (
	rcViewWidth = 62.0          // metres across the frame
	rcGrassDim  = 2000 / 6 / 20 // CarRacing's GRASS_DIM: the light squares' side [m]
	rcKerbWidth = 8 / 6.0       // CarRacing's BORDER [m]
	rcBarFrac   = 1.0 / 8       // the indicator bar's share of the frame's height
)

// drawRacetrack draws CarRacing's top-down view: the camera follows the car with its heading
// up, the car a quarter of the height above the bottom, rcViewWidth metres across; grass with
// lighter squares, the road, red and white kerbs on sharp bends, the car, and CarRacing's
// indicator bar (speed in white, wheel angle in green, yaw rate in red). Only the tiles and
// squares within reach of the frame are drawn; the road is filled as one polygon per run of
// visible tiles, so that adjacent tiles show no anti-aliasing seams.
func drawRacetrack(c *render.Canvas, e *Racetrack, _ bool) {
	w, h := c.Size()
	fw, fh := float64(w), float64(h)
	c.Transform = render.Identity()
	c.Clear(rcGrass)
	if !e.ready || e.track == nil {
		return
	}
	s := &e.state
	scale := fw / rcViewWidth
	cam := render.Camera(fw/2, 0.75*fh, s.X, s.Y, s.Heading, scale)
	c.Transform = cam
	reach := math.Hypot(fw/2, 0.75*fh)/scale + 2*trackDetailStep
	t := e.track

	// Grass squares: CarRacing's light squares at even grid positions.
	i0, i1 := int(math.Floor((s.X-reach)/rcGrassDim)), int(math.Ceil((s.X+reach)/rcGrassDim))
	j0, j1 := int(math.Floor((s.Y-reach)/rcGrassDim)), int(math.Ceil((s.Y+reach)/rcGrassDim))
	for i := i0; i <= i1; i++ {
		if i%2 != 0 {
			continue
		}
		for j := j0; j <= j1; j++ {
			if j%2 != 0 {
				continue
			}
			x, y := float64(i)*rcGrassDim, float64(j)*rcGrassDim
			e.pts = append(e.pts[:0], render.Pt(x, y), render.Pt(x+rcGrassDim, y), render.Pt(x+rcGrassDim, y+rcGrassDim), render.Pt(x, y+rcGrassDim))
			c.FillPolygon(e.pts, rcGrassPatch)
		}
	}

	// The road, one polygon per run of visible tiles.
	n := t.N()
	r2 := (reach + trackHalfWidth) * (reach + trackHalfWidth)
	visible := func(i int) bool {
		i = ((i % n) + n) % n
		dx, dy := t.X[i]-s.X, t.Y[i]-s.Y
		return dx*dx+dy*dy < r2
	}
	start := -1
	for i := range n {
		if visible(i) && !visible(i-1) {
			start = i
			break
		}
	}
	if start < 0 {
		if visible(0) { // the whole track is in view: fill the ring
			e.pts = e.pts[:0]
			for i := 0; i <= n; i++ {
				e.pts = append(e.pts, render.Pt(t.LeftX[i%n], t.LeftY[i%n]))
			}
			for i := n; i >= 0; i-- {
				e.pts = append(e.pts, render.Pt(t.RightX[i%n], t.RightY[i%n]))
			}
			c.FillPolygon(e.pts, rcRoad)
		}
	} else {
		for k := 0; k < n; {
			i := (start + k) % n
			if !visible(i) {
				k++
				continue
			}
			// A run of visible tiles from i: tile m spans points m and m+1.
			e.pts = e.pts[:0]
			m := k
			for m < n && visible((start+m)%n) {
				m++
			}
			for q := k; q <= m; q++ {
				p := (start + q) % n
				e.pts = append(e.pts, render.Pt(t.LeftX[p], t.LeftY[p]))
			}
			for q := m; q >= k; q-- {
				p := (start + q) % n
				e.pts = append(e.pts, render.Pt(t.RightX[p], t.RightY[p]))
			}
			c.FillPolygon(e.pts, rcRoad)
			k = m
		}
	}
	// Kerbs on the outside of sharp bends, alternating red and white.
	for i := range n {
		if !t.Kerb[i] || !visible(i) {
			continue
		}
		j := (i + 1) % n
		side := sign(t.Beta[i] - t.Beta[j])
		ci, si := math.Cos(t.Beta[i]), math.Sin(t.Beta[i])
		cj, sj := math.Cos(t.Beta[j]), math.Sin(t.Beta[j])
		a0, a1 := side*trackHalfWidth, side*(trackHalfWidth+rcKerbWidth)
		e.pts = append(e.pts[:0],
			render.Pt(t.X[i]+a0*ci, t.Y[i]+a0*si), render.Pt(t.X[i]+a1*ci, t.Y[i]+a1*si),
			render.Pt(t.X[j]+a1*cj, t.Y[j]+a1*sj), render.Pt(t.X[j]+a0*cj, t.Y[j]+a0*sj))
		col := rcKerbRed
		if i%2 == 0 {
			col = rcKerbWhite
		}
		c.FillPolygon(e.pts, col)
	}

	// The car in its own frame: +x forward, +y to the left.
	c.Transform = cam.Translate(s.X, s.Y).Rotate(s.Heading)
	const wl, ww = 1.1, 0.55 // wheel length and width
	for _, p := range [4][2]float64{{1.6, 1.1}, {1.6, -1.1}, {-1.6, 1.1}, {-1.6, -1.1}} {
		angle := 0.0
		if p[0] > 0 {
			angle = s.Steer
		}
		c.FillRotatedRect(p[0], p[1], wl, ww, angle, rcWheel)
	}
	c.FillRect(-2.2, -0.95, 2.3, 0.95, rcCar)

	// CarRacing's indicator bar.
	c.Transform = render.Identity()
	bar := math.Round(fh * rcBarFrac)
	c.FillRect(0, fh-bar, fw, fh, rcBar)
	u := fw / 40 // CarRacing's unit: the window's width over 40
	speed := clamp(s.Speed/raceSpeedScale, 0, 1)
	c.FillRect(u, fh-bar*0.1-speed*bar*0.8, 2*u, fh-bar*0.1, rcSpeed)
	steer := clamp(s.Steer/e.car.MaxSteer, -1, 1)
	mid := fw * 0.5
	c.FillRect(mid, fh-bar*0.65, mid-steer*fw*0.2, fh-bar*0.35, rcSteer)
	yaw := 0.0
	if e.car.Wheelbase > 0 {
		yaw = s.Speed * math.Tan(s.Steer) / e.car.Wheelbase
	}
	yaw = clamp(yaw/2, -1, 1)
	c.FillRect(mid+fw*0.3, fh-bar*0.65, mid+fw*0.3-yaw*fw*0.15, fh-bar*0.35, rcGyro)
}
