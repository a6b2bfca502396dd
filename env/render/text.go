package render

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"unicode/utf8"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// face is the bitmap font of Text: the 7×13 X11 "fixed" font, enough for labels, step counters
// and the values in grid cells. Its glyphs are drawn straight from the font's alpha mask, without
// image/draw, so text allocates nothing.
var face = basicfont.Face7x13

// TextSize returns the width and height in pixels of the box Text draws s in: 7 pixels per
// character, 13 pixels tall.
func TextSize(s string) (w, h int) {
	return utf8.RuneCountInString(s) * face.Advance, face.Height
}

// Text draws s with the top-left corner of its box at (x, y), mapped through the canvas's
// Transform and rounded to whole pixels (bitmap glyphs are not scaled or rotated). Characters
// outside printable ASCII are drawn as the replacement glyph.
func (c *Canvas) Text(x, y float64, s string, col color.RGBA) {
	px, py := c.Transform.Apply(x, y)
	c.textPix(int(math.Round(px)), int(math.Round(py)), s, col)
}

// TextCenter draws s with its box centred on (x, y): numbers in grid cells, labels under
// objects.
func (c *Canvas) TextCenter(x, y float64, s string, col color.RGBA) {
	px, py := c.Transform.Apply(x, y)
	w, h := TextSize(s)
	c.textPix(int(math.Round(px-float64(w)/2)), int(math.Round(py-float64(h)/2)), s, col)
}

func (c *Canvas) textPix(x, y int, s string, col color.RGBA) {
	if y >= c.h || y+face.Height <= 0 || col == (color.RGBA{}) {
		return
	}
	sc := newSrc(col)
	dot := fixed.P(0, face.Ascent)
	for _, r := range s {
		if x >= c.w {
			return
		}
		if x+face.Advance > 0 {
			dr, m, mp, _, ok := face.Glyph(dot, r)
			if !ok {
				dr, m, mp, _, _ = face.Glyph(dot, '\ufffd')
			}
			if mask, isAlpha := m.(*image.Alpha); isAlpha {
				c.glyph(x+dr.Min.X, y+dr.Min.Y, dr.Dx(), dr.Dy(), mask, mp, &sc)
			}
		}
		x += face.Advance
	}
}

// glyph blends a w×h block of mask starting at mp to the pixel (x, y), clipped.
func (c *Canvas) glyph(x, y, w, h int, mask *image.Alpha, mp image.Point, sc *src) {
	for gy := range h {
		py := y + gy
		if py < 0 || py >= c.h {
			continue
		}
		mo := mask.PixOffset(mp.X, mp.Y+gy)
		mrow := mask.Pix[mo : mo+w]
		o := c.off(0, py)
		row := c.img.Pix[o : o+4*c.w]
		for gx, a := range mrow {
			px := x + gx
			if a == 0 || px < 0 || px >= c.w {
				continue
			}
			p := row[4*px : 4*px+4 : 4*px+4]
			if a == 0xff && sc.opaque {
				binary.LittleEndian.PutUint32(p, sc.packed)
				continue
			}
			sc.blendMask(p, uint32(a))
		}
	}
}
