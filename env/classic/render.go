package classic

import (
	"image"
	"image/color"
	"math"

	"github.com/gorl/gorl/env/render"
)

// The frames reproduce Gymnasium's pygame renderers: the same image sizes (600×400 for CartPole
// and the mountain cars, 500×500 for Acrobot and Pendulum), the same geometry in the same pixel
// units (each drawing below is written in Gymnasium's own y-up pixel coordinates and mapped by
// render.YUp, which also performs pygame's final vertical flip) and the same colours. Each env
// keeps its canvas, so a frame costs no allocation once the first has been drawn.

var (
	white = render.RGB(255, 255, 255)
	black = render.RGB(0, 0, 0)
)

// yUpCanvas returns *c, creating a w×h canvas with Gymnasium's pixel-unit y-up view on first
// use, cleared to white.
func yUpCanvas(c **render.Canvas, w, h int) *render.Canvas {
	if *c == nil {
		*c = render.New(w, h)
		(*c).Transform = render.YUp(h, 1, 0, 0)
	}
	(*c).Clear(white)
	return *c
}

// rotatedQuad fills the rectangle [l, r] × [b, t] rotated by angle (counterclockwise, as
// pygame's Vector2.rotate_rad) and moved to (ox, oy): how Gymnasium places carts, poles, cars
// and links.
func rotatedQuad(c *render.Canvas, l, r, b, t, angle, ox, oy float64, col color.RGBA) {
	sin, cos := math.Sincos(angle)
	pts := [4]render.Point{{X: l, Y: b}, {X: l, Y: t}, {X: r, Y: t}, {X: r, Y: b}}
	for i, p := range pts {
		pts[i] = render.Pt(p.X*cos-p.Y*sin+ox, p.X*sin+p.Y*cos+oy)
	}
	c.FillPolygon(pts[:], col)
}

// Render draws the cart on its track and the pole, as Gymnasium's CartPole does: a 600×400
// frame 4.8 m wide (the track between the termination bounds ±2.4 m fills it), black cart,
// brown pole, blue axle.
func (e *CartPole) Render() *image.RGBA {
	const (
		width, height = 600, 400
		poleWidth     = 10.0
		cartWidth     = 50.0
		cartHeight    = 30.0
		cartY         = 100.0 // centre of the cart, above the bottom of the frame
	)
	c := yUpCanvas(&e.canvas, width, height)
	p := &cartPole
	scale := width / (p.xThreshold * 2)
	poleLen := scale * (2 * p.length)
	axleOffset := cartHeight / 4.0
	cartX := e.state[0]*scale + width/2.0

	c.Line(0, cartY+0.5, width, cartY+0.5, 1, black) // the track: pygame's pixel row 100
	c.FillRect(cartX-cartWidth/2, cartY-cartHeight/2, cartX+cartWidth/2, cartY+cartHeight/2, black)
	rotatedQuad(c, -poleWidth/2, poleWidth/2, -poleWidth/2, poleLen-poleWidth/2, -e.state[2],
		cartX, cartY+axleOffset, render.RGB(202, 152, 101))
	c.FillCircle(cartX, cartY+axleOffset, poleWidth/2, render.RGB(129, 132, 203))
	return c.Image()
}

// mountainCarFrame draws the hill, the flag at the goal and the car, as Gymnasium's two
// mountain-car renderers do (600×400; the x range [-1.2, 0.6] fills the frame).
func mountainCarFrame(c **render.Canvas, hill *[]render.Point, p *mountainCarParams, pos float64) *image.RGBA {
	const (
		width, height = 600, 400
		carWidth      = 40.0
		carHeight     = 20.0
		clearance     = 10.0
	)
	cv := yUpCanvas(c, width, height)
	scale := width / (p.maxPosition - p.minPosition)
	heightAt := func(x float64) float64 { return math.Sin(3*x)*0.45 + 0.55 }
	if *hill == nil {
		pts := make([]render.Point, 100)
		for i := range pts {
			x := p.minPosition + (p.maxPosition-p.minPosition)*float64(i)/float64(len(pts)-1)
			pts[i] = render.Pt((x-p.minPosition)*scale, heightAt(x)*scale)
		}
		*hill = pts
	}
	cv.Polyline(*hill, 1.5, black)

	// The flag: a pole 50 pixels tall and a yellow pennant.
	flagX := math.Trunc((p.goalPosition - p.minPosition) * scale)
	flagY1 := math.Trunc(heightAt(p.goalPosition) * scale)
	flagY2 := flagY1 + 50
	cv.Line(flagX, flagY1, flagX, flagY2, 1.5, black)
	pennant := [3]render.Point{{X: flagX, Y: flagY2}, {X: flagX, Y: flagY2 - 10}, {X: flagX + 25, Y: flagY2 - 5}}
	cv.FillPolygon(pennant[:], render.RGB(204, 204, 0))

	// The car, tilted by cos(3·pos) radians as Gymnasium tilts it, and its two wheels.
	angle := math.Cos(3 * pos)
	ox, oy := (pos-p.minPosition)*scale, clearance+heightAt(pos)*scale
	rotatedQuad(cv, -carWidth/2, carWidth/2, 0, carHeight, angle, ox, oy, black)
	sin, cos := math.Sincos(angle)
	for _, wx := range [2]float64{carWidth / 4, -carWidth / 4} {
		cv.FillCircle(math.Trunc(wx*cos+ox), math.Trunc(wx*sin+oy), math.Trunc(carHeight/2.5), render.RGB(128, 128, 128))
	}
	return cv.Image()
}

// Render draws the valley, the flag at 0.5 and the car.
func (e *MountainCar) Render() *image.RGBA {
	return mountainCarFrame(&e.canvas, &e.hill, &e.p, e.state[0])
}

// Render draws the valley, the flag at 0.45 and the car.
func (e *MountainCarContinuous) Render() *image.RGBA {
	return mountainCarFrame(&e.canvas, &e.hill, &e.p, e.state[0])
}

// Render draws the two links hanging from the fixed joint and the target line one link length
// above it, as Gymnasium's Acrobot does (500×500, 4.4 link lengths across): cyan links, yellow
// joints.
func (e *Acrobot) Render() *image.RGBA {
	const dim = 500
	c := yUpCanvas(&e.canvas, dim, dim)
	p := &e.p
	bound := p.l1 + p.l2 + 0.2
	scale := dim / (bound * 2)
	offset := dim / 2.0
	s := &e.state

	// The middle joint, in Gymnasium's (x, y) order after its [:, ::-1] swap: straight below
	// the fixed joint when theta1 = 0.
	sin0, cos0 := math.Sincos(s[0])
	x1, y1 := p.l1*sin0*scale, -p.l1*cos0*scale

	lineY := math.Trunc(1*scale+offset) + 0.5 // the target height, on pygame's pixel row
	c.Line(-2.2*scale+offset, lineY, 2.2*scale+offset, lineY, 1, black)
	joints := [2][2]float64{{0, 0}, {x1, y1}}
	thetas := [2]float64{s[0] - math.Pi/2, s[0] + s[1] - math.Pi/2}
	lengths := [2]float64{p.l1 * scale, p.l2 * scale}
	for i := range joints {
		x, y := joints[i][0]+offset, joints[i][1]+offset
		// The link is the rectangle [0, length] × [-0.1, 0.1]·scale turned by theta - π/2,
		// so that it runs from this joint to the next.
		rotatedQuad(c, 0, lengths[i], -0.1*scale, 0.1*scale, thetas[i], x, y, render.RGB(0, 204, 204))
		c.FillCircle(math.Trunc(x), math.Trunc(y), math.Trunc(0.1*scale), render.RGB(204, 204, 0))
	}
	return c.Image()
}

// Render draws the pendulum rod from its pivot, the torque of the last step as a curved arrow
// around the pivot (Gymnasium blits a clockwise-arrow image scaled by |u|) and the axle, as
// Gymnasium's Pendulum does (500×500, 4.4 m across).
func (e *Pendulum) Render() *image.RGBA {
	const dim = 500
	c := yUpCanvas(&e.canvas, dim, dim)
	bound := 2.2
	scale := dim / (bound * 2)
	offset := float64(dim / 2)
	rodLength := 1 * scale
	rodWidth := 0.2 * scale
	red := render.RGB(204, 77, 77)

	angle := e.state[0] + math.Pi/2
	rotatedQuad(c, 0, rodLength, -rodWidth/2, rodWidth/2, angle, offset, offset, red)
	c.FillCircle(offset, offset, math.Trunc(rodWidth/2), red)
	sin, cos := math.Sincos(angle)
	c.FillCircle(math.Trunc(rodLength*cos+offset), math.Trunc(rodLength*sin+offset), math.Trunc(rodWidth/2), red)

	if e.hasLastU && e.lastU != 0 {
		// A three-quarter arc around the pivot, its radius proportional to |u| like
		// Gymnasium's scaled image, with the head pointing the way the torque turns
		// (counterclockwise for u > 0).
		r := scale * math.Abs(e.lastU) / 4
		a0, a1 := math.Pi/2+math.Pi/4, math.Pi/2-math.Pi
		if e.lastU > 0 {
			a0, a1 = math.Pi/2-math.Pi/4, math.Pi/2+math.Pi
		}
		w := max(2, r/8)
		c.Arc(offset, offset, r, a0, a1, w, black)
		hs, hc := math.Sincos(a1)
		dir := math.Copysign(1, a1-a0) // tangent direction of travel at the arc's end
		tx, ty := -hs*dir, hc*dir
		ex, ey := offset+r*hc, offset+r*hs
		c.Arrow(ex-tx*w, ey-ty*w, ex+tx*2*w, ey+ty*2*w, w, 4*w, black)
	}
	c.FillCircle(offset, offset, math.Trunc(0.05*scale), black) // the axle
	return c.Image()
}
