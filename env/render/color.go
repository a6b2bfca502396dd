package render

import (
	"image/color"
	"math"
)

// Colours are color.RGBA values, alpha-premultiplied as image.RGBA stores them: a translucent
// red at half opacity is {128, 0, 0, 128}, not {255, 0, 0, 128}. RGB, Alpha and Premultiply
// build valid values; an invalid one (a channel above alpha) is drawn as given, like image/draw.

// RGB returns the opaque colour (r, g, b).
func RGB(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// Alpha returns c with its opacity multiplied by a in [0, 1] (clamped): Alpha(RGB(255, 0, 0),
// 0.5) is a half-transparent red.
func Alpha(c color.RGBA, a float64) color.RGBA {
	a = clamp01(a)
	f := func(v uint8) uint8 { return uint8(float64(v)*a + 0.5) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), f(c.A)}
}

// Premultiply converts a non-premultiplied colour (the CSS-like kind) to the color.RGBA the
// canvas draws with.
func Premultiply(c color.NRGBA) color.RGBA {
	a := uint32(c.A)
	f := func(v uint8) uint8 { return uint8((uint32(v)*a + 127) / 255) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), c.A}
}

// Lerp returns the colour a fraction t in [0, 1] (clamped) of the way from a to b.
func Lerp(a, b color.RGBA, t float64) color.RGBA {
	t = clamp01(t)
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), f(a.A, b.A)}
}

// Diverging maps a value to the red-white-green colour scale Karpathy's REINFORCEjs GridWorld
// paints state values with: 0 is white, positive values turn green and negative ones red, fully
// saturated at |v| >= scale (REINFORCEjs's own choice is scale = 2.55). NaN is drawn grey so
// that an unvisited or broken value stands out.
func Diverging(v, scale float64) color.RGBA {
	if math.IsNaN(v) {
		return color.RGBA{128, 128, 128, 255}
	}
	if !(scale > 0) {
		panic("render: Diverging needs a positive scale")
	}
	t := clamp01(math.Abs(v) / scale)
	fade := uint8(255 - 255*t + 0.5)
	if v >= 0 {
		return color.RGBA{fade, 255, fade, 255}
	}
	return color.RGBA{255, fade, fade, 255}
}

func clamp01(a float64) float64 {
	if a < 0 || math.IsNaN(a) {
		return 0
	}
	if a > 1 {
		return 1
	}
	return a
}
