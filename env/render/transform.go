package render

import "math"

// Transform is an affine map from world coordinates to pixel coordinates:
//
//	px = A*x + B*y + C
//	py = D*x + E*y + F
//
// Every Canvas method maps the points it is given through the canvas's Transform, and scales
// lengths (line widths, radii, rectangle sizes) by Len. Envs therefore draw in their own units
// (metres, grid cells) and pick the view once. Circles and widths assume a similarity transform
// (the same scale on both axes, as every constructor here builds); under a non-uniform scale a
// circle stays a circle whose radius uses the geometric mean of the two scales.
//
// The zero Transform maps everything to one point; start from Identity, YUp, Fit or Camera.
type Transform struct {
	A, B, C float64
	D, E, F float64
}

// Identity returns the transform that leaves pixel coordinates unchanged: x to the right, y
// down, one unit per pixel, (0, 0) at the top-left corner of the image.
func Identity() Transform { return Transform{A: 1, E: 1} }

// YUp returns the view Gymnasium's pygame renderers use: a world point (x, y) goes to pixel
// (offX + scale*x, offY + scale*y) and the picture is then flipped vertically in an image
// height pixels tall, so world y grows upward. CartPole-v1, for example, is
// YUp(400, 600/4.8, 300, 0) in world units, or YUp(400, 1, 0, 0) for Gymnasium's own
// pixel-unit geometry.
func YUp(height int, scale, offX, offY float64) Transform {
	return Transform{A: scale, C: offX, E: -scale, F: float64(height) - offY}
}

// Fit returns the y-up view that shows the world box [xmin, xmax] × [ymin, ymax] as large as
// possible in a w×h image with one scale on both axes, centred. Acrobot-v1 and Pendulum-v1's
// views are Fit(500, 500, -2.2, -2.2, 2.2, 2.2). It panics on an empty box.
func Fit(w, h int, xmin, ymin, xmax, ymax float64) Transform {
	if !(xmax > xmin) || !(ymax > ymin) || w <= 0 || h <= 0 {
		panic("render: Fit needs a non-empty world box and image size")
	}
	s := math.Min(float64(w)/(xmax-xmin), float64(h)/(ymax-ymin))
	cx, cy := (xmin+xmax)/2, (ymin+ymax)/2
	return Transform{A: s, C: float64(w)/2 - s*cx, E: -s, F: float64(h)/2 + s*cy}
}

// Camera returns the view of a camera that follows a vehicle, as top-down driving renderers
// do: the world point (x, y) appears at pixel (px, py), the world direction heading (radians,
// counterclockwise from +x in a y-up world) points up the screen, and one world unit is scale
// pixels.
func Camera(px, py, x, y, heading, scale float64) Transform {
	// Rotate the world by π/2 - heading (so heading becomes +y), flip y, scale, then move the
	// rotated target point to (px, py).
	a := math.Pi/2 - heading
	sin, cos := math.Sincos(a)
	t := Transform{
		A: scale * cos, B: -scale * sin,
		D: -scale * sin, E: -scale * cos,
	}
	tx, ty := t.Apply(x, y)
	t.C, t.F = px-tx, py-ty
	return t
}

// Apply maps the world point (x, y) to pixel coordinates.
func (t Transform) Apply(x, y float64) (px, py float64) {
	return t.A*x + t.B*y + t.C, t.D*x + t.E*y + t.F
}

// Mul returns the transform that applies u first and then t. It is how local frames nest:
// t.Mul(u) draws u's coordinates inside t's view.
func (t Transform) Mul(u Transform) Transform {
	return Transform{
		A: t.A*u.A + t.B*u.D, B: t.A*u.B + t.B*u.E, C: t.A*u.C + t.B*u.F + t.C,
		D: t.D*u.A + t.E*u.D, E: t.D*u.B + t.E*u.E, F: t.D*u.C + t.E*u.F + t.F,
	}
}

// Translate returns t with the origin of the drawing coordinates moved to (dx, dy), like the
// translate of an HTML canvas: t.Translate(car.X, car.Y).Rotate(car.Heading) is the car's frame.
func (t Transform) Translate(dx, dy float64) Transform {
	return t.Mul(Transform{A: 1, C: dx, E: 1, F: dy})
}

// Rotate returns t with the drawing coordinates rotated by theta radians (counterclockwise in a
// y-up world, clockwise on screen under Identity, as in every y-down pixel system).
func (t Transform) Rotate(theta float64) Transform {
	sin, cos := math.Sincos(theta)
	return t.Mul(Transform{A: cos, B: -sin, D: sin, E: cos})
}

// Scale returns t with the drawing coordinates scaled by sx and sy.
func (t Transform) Scale(sx, sy float64) Transform {
	return t.Mul(Transform{A: sx, E: sy})
}

// Invert returns the inverse transform (pixel to world), for mapping mouse positions back into
// the world. It panics if t is singular.
func (t Transform) Invert() Transform {
	det := t.A*t.E - t.B*t.D
	if det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
		panic("render: Invert of a singular transform")
	}
	a, b, d, e := t.E/det, -t.B/det, -t.D/det, t.A/det
	return Transform{A: a, B: b, C: -(a*t.C + b*t.F), D: d, E: e, F: -(d*t.C + e*t.F)}
}

// Len maps a world length to pixels: d times the transform's scale (the square root of the
// absolute determinant, exact for any rotation, flip and uniform scale).
func (t Transform) Len(d float64) float64 {
	return d * math.Sqrt(math.Abs(t.A*t.E-t.B*t.D))
}

// axisAligned reports whether t maps axis-aligned rectangles to axis-aligned rectangles.
func (t Transform) axisAligned() bool { return t.B == 0 && t.D == 0 }
