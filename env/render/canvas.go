package render

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
)

// Point is a point in the canvas's drawing coordinates (world units under the canvas's
// Transform).
type Point struct{ X, Y float64 }

// Pt is shorthand for Point{x, y}.
func Pt(x, y float64) Point { return Point{x, y} }

// Cap is how a stroked line ends.
type Cap uint8

const (
	// ButtCap ends a line flat at its end points (the default, and what lane markings want).
	ButtCap Cap = iota
	// RoundCap adds a half disc of the line's width at each end (links, rods, sensor rays).
	RoundCap
)

// Canvas draws anti-aliased shapes into an *image.RGBA. It is not safe for concurrent use; an
// env keeps one canvas for its frames and reuses it, which is what makes drawing allocation-free.
type Canvas struct {
	// Transform maps drawing coordinates to pixels. New and Wrap set it to Identity.
	Transform Transform
	// LineCap is how Line, Polyline and Arc end their strokes (ButtCap by default). Joins
	// inside a polyline are always round, so that thick bends have no notches.
	LineCap Cap

	img    *image.RGBA
	w, h   int
	acc    []float32 // signed-area accumulator, stride w+2 per row, all zero between shapes
	stride int
	// Rows [dy0, dy1) of acc may be non-zero, each only in the cells marked in its bitmap of
	// words uint64s in marks.
	dy0, dy1 int
	marks    []uint64
	words    int
	poly     []Point // scratch for sub-polygons in pixel space
	pts      []Point // scratch for a transformed polyline
	base     int     // offset in img.Pix of the image's top-left pixel
}

// New returns a canvas drawing into a new w×h image, cleared to transparent black.
func New(w, h int) *Canvas {
	if w <= 0 || h <= 0 {
		panic("render: New needs a positive width and height")
	}
	return Wrap(image.NewRGBA(image.Rect(0, 0, w, h)))
}

// Wrap returns a canvas drawing into img. Pixel coordinates are relative to img.Rect.Min, so a
// canvas over a sub-image draws in that sub-image's own frame.
func Wrap(img *image.RGBA) *Canvas {
	if img == nil {
		panic("render: Wrap of a nil image")
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	c := &Canvas{
		Transform: Identity(),
		img:       img,
		w:         w,
		h:         h,
		stride:    w + 2,
		acc:       make([]float32, (w+2)*h),
		marks:     make([]uint64, (w+2+63)/64*h),
		words:     (w + 2 + 63) / 64,
		poly:      make([]Point, 0, 64),
		base:      img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y),
	}
	c.resetDirty()
	return c
}

// Image returns the image the canvas draws into.
func (c *Canvas) Image() *image.RGBA { return c.img }

// Size returns the image's width and height in pixels.
func (c *Canvas) Size() (w, h int) { return c.w, c.h }

// Px returns the length in drawing coordinates of n pixels under the current Transform: a
// one-pixel sensor ray in world units is c.Line(x0, y0, x1, y1, c.Px(1), col).
func (c *Canvas) Px(n float64) float64 { return n / c.Transform.Len(1) }

// Clear sets every pixel of the image to col, replacing what was there (no blending).
func (c *Canvas) Clear(col color.RGBA) {
	c.setRect(0, 0, c.w, c.h, col)
}

// FillRect fills the rectangle with corners (x0, y0) and (x1, y1). Under an axis-aligned
// transform it takes a direct path that anti-aliases fractional edges and covers whole pixels
// exactly: FillRect(2, 3, 5, 7, col) under Identity paints pixels x = 2..4, y = 3..6 and nothing
// else. Under a rotating transform it is drawn as a polygon.
func (c *Canvas) FillRect(x0, y0, x1, y1 float64, col color.RGBA) {
	t := c.Transform
	if !t.axisAligned() {
		c.quad(Pt(x0, y0), Pt(x1, y0), Pt(x1, y1), Pt(x0, y1), col)
		return
	}
	px0, py0 := t.Apply(x0, y0)
	px1, py1 := t.Apply(x1, y1)
	if px0 > px1 {
		px0, px1 = px1, px0
	}
	if py0 > py1 {
		py0, py1 = py1, py0
	}
	c.fillPixRect(px0, py0, px1, py1, col)
}

// setRect overwrites the integer pixel rectangle [x0, x1) × [y0, y1) (already clipped) with col.
func (c *Canvas) setRect(x0, y0, x1, y1 int, col color.RGBA) {
	if x0 >= x1 || y0 >= y1 {
		return
	}
	img := c.img
	first := img.Pix[c.off(x0, y0) : c.off(x0, y0)+4*(x1-x0)]
	fillColor(first, col)
	for y := y0 + 1; y < y1; y++ {
		o := c.off(x0, y)
		copy(img.Pix[o:o+len(first)], first)
	}
}

// fillColor writes col into every pixel of p (len(p) a multiple of 4) by doubling copies.
func fillColor(p []byte, col color.RGBA) {
	if len(p) < 4 {
		return
	}
	p[0], p[1], p[2], p[3] = col.R, col.G, col.B, col.A
	for n := 4; n < len(p); n *= 2 {
		copy(p[n:], p[:n])
	}
}

// off returns the offset in img.Pix of pixel (x, y) in canvas coordinates.
func (c *Canvas) off(x, y int) int { return c.base + y*c.img.Stride + 4*x }

// fillPixRect fills a pixel-space rectangle, anti-aliasing its fractional edges.
func (c *Canvas) fillPixRect(x0, y0, x1, y1 float64, col color.RGBA) {
	if !(x0 < x1 && y0 < y1) || col.A == 0 && col.R == 0 && col.G == 0 && col.B == 0 {
		return
	}
	W, H := float64(c.w), float64(c.h)
	x0, x1 = math.Max(x0, 0), math.Min(x1, W)
	y0, y1 = math.Max(y0, 0), math.Min(y1, H)
	if !(x0 < x1 && y0 < y1) {
		return
	}
	// Whole pixels inside: [ix0, ix1) × [iy0, iy1); fractional border rows/columns around them.
	ix0, ix1 := int(math.Ceil(x0)), int(math.Floor(x1))
	iy0, iy1 := int(math.Ceil(y0)), int(math.Floor(y1))
	bx0, bx1 := int(math.Floor(x0)), int(math.Ceil(x1)) // all touched columns
	by0, by1 := int(math.Floor(y0)), int(math.Ceil(y1))
	colCov := func(x int) float64 { return math.Min(float64(x+1), x1) - math.Max(float64(x), x0) }
	rowCov := func(y int) float64 { return math.Min(float64(y+1), y1) - math.Max(float64(y), y0) }
	sc := newSrc(col)
	for y := by0; y < by1; y++ {
		cy := rowCov(y)
		full := y >= iy0 && y < iy1
		o := c.off(0, y)
		row := c.img.Pix[o : o+4*c.w]
		if full && col.A == 255 && ix0 < ix1 {
			// Interior span of an opaque fill: plain stores.
			if y > iy0 {
				prev := c.off(ix0, y-1)
				copy(row[4*ix0:4*ix1], c.img.Pix[prev:prev+4*(ix1-ix0)])
			} else {
				fillColor(row[4*ix0:4*ix1], col)
			}
			for x := bx0; x < bx1; x++ {
				if x < ix0 || x >= ix1 {
					sc.blend(row[4*x:4*x+4], colCov(x)*cy)
				}
			}
			continue
		}
		for x := bx0; x < bx1; x++ {
			cov := cy
			if x < ix0 || x >= ix1 {
				cov *= colCov(x)
			}
			sc.blend(row[4*x:4*x+4], cov)
		}
	}
}

// src is a colour prepared for blending. Blending works on the four channels of a pixel at
// once, each in a 16-bit lane of a uint64 (R, G, B, A from the low end), with 8-bit coverage.
type src struct {
	lanes  uint64 // the premultiplied channels, one per 16-bit lane
	a      uint32 // alpha, 0..255
	packed uint32 // the pixel as a little-endian word, for opaque fills
	opaque bool
}

// newSrc prepares col. A channel above alpha (not a valid premultiplied colour) is clamped
// to alpha, which keeps every lane of the blend from overflowing.
func newSrc(col color.RGBA) src {
	r, g, b := min(col.R, col.A), min(col.G, col.A), min(col.B, col.A)
	packed := uint32(r) | uint32(g)<<8 | uint32(b)<<16 | uint32(col.A)<<24
	return src{lanes: spread(packed), a: uint32(col.A), packed: packed, opaque: col.A == 255}
}

// spread moves the four bytes of a pixel word into 16-bit lanes.
func spread(v uint32) uint64 {
	x := uint64(v)
	return x&0xff | (x&0xff00)<<8 | (x&0xff0000)<<16 | (x&0xff000000)<<24
}

// blend composites the source over the pixel p (4 bytes) with coverage cov in [0, 1].
func (s *src) blend(p []byte, cov float64) {
	if cov >= 1 && s.opaque {
		binary.LittleEndian.PutUint32(p, s.packed)
		return
	}
	if cov > 0 {
		s.blendMask(p, uint32(min(cov, 1)*255+0.5))
	}
}

// fill overwrites every pixel of p with the (opaque) source colour.
func (s *src) fill(p []byte) {
	v := s.packed
	for len(p) >= 16 {
		binary.LittleEndian.PutUint32(p[0:4], v)
		binary.LittleEndian.PutUint32(p[4:8], v)
		binary.LittleEndian.PutUint32(p[8:12], v)
		binary.LittleEndian.PutUint32(p[12:16], v)
		p = p[16:]
	}
	for len(p) >= 4 {
		binary.LittleEndian.PutUint32(p, v)
		p = p[4:]
	}
}

// blendMask composites the source, scaled by the 8-bit coverage m, over the pixel p:
// Porter-Duff src-over on premultiplied values, out = src·m/255 + dst·(1 - srcA·m/255), rounded.
// Each lane holds at most src·m + dst·(255-a) <= 255·255 + 127 because src <= srcA, so the
// four channels never carry into each other.
func (s *src) blendMask(p []byte, m uint32) {
	if m == 0 {
		return
	}
	a := div255(s.a * m) // the effective source alpha
	d := spread(binary.LittleEndian.Uint32(p))
	v := s.lanes*uint64(m) + d*uint64(255-a) + 0x0080_0080_0080_0080
	v = (v + (v>>8)&0x00ff_00ff_00ff_00ff) >> 8 & 0x00ff_00ff_00ff_00ff
	binary.LittleEndian.PutUint32(p, uint32(v&0xff|(v>>8)&0xff00|(v>>16)&0xff0000|(v>>24)&0xff000000))
}

// div255 returns x/255 rounded, for x <= 255·255.
func div255(x uint32) uint32 {
	x += 128
	return (x + x>>8) >> 8
}
