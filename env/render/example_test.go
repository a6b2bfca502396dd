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
