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
