package render_test

import (
	"fmt"
	"math"

	"github.com/gorl/gorl/env/render"
)

// A CartPole-like frame in world units: Gymnasium's view (600×400 pixels, 4.8 m across, y up).
func Example() {
	c := render.New(600, 400)
	c.Transform = render.YUp(400, 600/4.8, 300, 0)
	c.Clear(render.RGB(255, 255, 255))

	x, theta := 0.5, 0.2 // cart position (m) and pole angle (rad from vertical)
	cartY := 100 / (600 / 4.8)
	c.Line(-2.4, cartY, 2.4, cartY, 0.01, render.RGB(0, 0, 0))            // track
	c.FillRect(x-0.2, cartY-0.12, x+0.2, cartY+0.12, render.RGB(0, 0, 0)) // cart
	sin, cos := math.Sincos(theta)
	c.LineCap = render.RoundCap
	c.Line(x, cartY+0.08, x+0.8*sin, cartY+0.08+0.8*cos, 0.08, render.RGB(202, 152, 101)) // pole
	c.FillCircle(x, cartY+0.08, 0.04, render.RGB(129, 132, 203))                          // axle
	c.Text(-2.3, 3.1, "step 17", render.RGB(0, 0, 0))

	px, py := c.Transform.Apply(x, cartY)
	fmt.Println("cart centre pixel:", px, py)
	fmt.Println("cart pixel colour:", c.Image().RGBAAt(int(px), int(py)+5))
	// Output:
	// cart centre pixel: 362.5 300
	// cart pixel colour: {0 0 0 255}
}

// A top-down driving view: the camera keeps the ego car at the bottom centre of a 96×96 frame,
// heading up, 2.4 pixels per metre.
func ExampleCamera() {
	egoX, egoY, heading := 120.0, -40.0, math.Pi/4
	c := render.New(96, 96)
	c.Transform = render.Camera(48, 67, egoX, egoY, heading, 2.4)

	fmt.Println(c.Transform.Apply(egoX, egoY))
	// 10 m straight ahead is 24 pixels up the screen.
	ahead := func(d float64) (float64, float64) {
		return egoX + d*math.Cos(heading), egoY + d*math.Sin(heading)
	}
	px, py := c.Transform.Apply(ahead(10))
	fmt.Printf("%.1f %.1f\n", px, py)

	c.Clear(render.RGB(102, 204, 102))
	c.FillRotatedRect(egoX, egoY, 4.5, 2, heading, render.RGB(200, 0, 0))
	fmt.Println(c.Image().RGBAAt(48, 67))
	// Output:
	// 48 67
	// 48.0 43.0
	// {200 0 0 255}
}

// Grid-world values on REINFORCEjs's scale, with the greedy action as an arrow and the value
// as text, in cell units.
func ExampleDiverging() {
	values := []float64{-1, -0.25, 0, 0.5, 1}
	for _, v := range values {
		fmt.Println(v, render.Diverging(v, 1))
	}
	c := render.New(5*40, 40)
	c.Transform = render.Identity().Scale(40, 40) // one unit per cell
	for i, v := range values {
		x := float64(i)
		c.FillRect(x, 0, x+1, 1, render.Diverging(v, 1))
		c.Arrow(x+0.5, 0.5, x+0.9, 0.5, 0.05, 0.2, render.RGB(0, 0, 0))
		c.TextCenter(x+0.5, 0.2, fmt.Sprintf("%.2f", v), render.RGB(0, 0, 0))
	}
	// Output:
	// -1 {255 0 0 255}
	// -0.25 {255 191 191 255}
	// 0 {255 255 255 255}
	// 0.5 {128 255 128 255}
	// 1 {0 255 0 255}
}

// An 84×84 grayscale observation from a frame drawn at that size.
func ExampleGrayFloat32() {
	c := render.New(84, 84)
	c.Clear(render.RGB(0, 0, 0))
	c.FillCircle(42, 42, 20, render.RGB(255, 255, 255))
	obs := make([]float32, 84*84) // owned by the env, reused every step
	render.GrayFloat32(obs, c.Image(), 1.0/255)
	fmt.Println(obs[42*84+42], obs[0])
	// Output:
	// 1 0
}
