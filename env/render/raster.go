package render

import (
	"image/color"
	"math"
)

// The rasterizer accumulates, for every pixel cell, the signed area that each directed edge
// sweeps to its right (the method of libart, stb_truetype and font-rs). A running sum along a
// row then gives each pixel's exact coverage by the filled region, which is both the
// anti-aliasing and the winding number: coverage is min(|sum|, 1), the non-zero fill rule.
// Edges are added straight into c.acc while its dirty box is tracked; composite then walks only
// that box, blends, and zeroes the cells it read, so a small shape costs only its own area and
// nothing is allocated.

func (c *Canvas) resetDirty() {
	c.dx0, c.dx1 = math.MaxInt, 0
	c.dy0, c.dy1 = math.MaxInt, 0
}

// edge adds the directed segment (ax, ay)→(bx, by), in pixel coordinates, to the accumulator,
// clipped to the image: parts above or below are dropped, parts left of x = 0 are projected
// onto x = 0 (they still change the winding of everything to their right), parts right of
// x = w are dropped (they only affect cells past the last pixel).
func (c *Canvas) edge(ax, ay, bx, by float64) {
	if !(ay != by) { // equal, or NaN
		return
	}
	if math.IsNaN(ax) || math.IsNaN(bx) {
		return
	}
	dir := float32(1)
	if ay > by {
		ax, ay, bx, by = bx, by, ax, ay
		dir = -1
	}
	H, W := float64(c.h), float64(c.w)
	if by <= 0 || ay >= H {
		return
	}
	if math.IsInf(ay, 0) || math.IsInf(by, 0) || math.IsInf(ax, 0) || math.IsInf(bx, 0) {
		return
	}
	if ay < 0 {
		ax += (bx - ax) * (0 - ay) / (by - ay)
		ay = 0
	}
	if by > H {
		bx = ax + (bx-ax)*(H-ay)/(by-ay)
		by = H
	}
	if ax >= W && bx >= W {
		return
	}
	if ax <= 0 && bx <= 0 {
		c.vline(ay, by, dir)
		return
	}
	if ax < 0 || bx < 0 {
		ym := clampF(ay+(by-ay)*(0-ax)/(bx-ax), ay, by)
		if ax < 0 {
			c.vline(ay, ym, dir)
			ax, ay = 0, ym
		} else {
			c.vline(ym, by, dir)
			bx, by = 0, ym
		}
	}
	if ax > W || bx > W {
		ym := clampF(ay+(by-ay)*(W-ax)/(bx-ax), ay, by)
		if ax > W {
			ax, ay = W, ym
		} else {
			bx, by = W, ym
		}
	}
	if by > ay {
		c.line(ax, ay, bx, by, dir)
	}
}

func clampF(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// vline adds a vertical edge on x = 0 from y0 to y1 (0 <= y0 < y1 <= h).
func (c *Canvas) vline(y0, y1 float64, dir float32) {
	if !(y1 > y0) {
		return
	}
	yi0, yi1 := int(y0), int(math.Ceil(y1))
	if yi1 > c.h {
		yi1 = c.h
	}
	for y := yi0; y < yi1; y++ {
		dy := math.Min(float64(y+1), y1) - math.Max(float64(y), y0)
		c.acc[y*c.stride] += float32(dy) * dir
	}
	c.markDirty(0, 1, yi0, yi1)
}

func (c *Canvas) markDirty(x0, x1, y0, y1 int) {
	if x0 < c.dx0 {
		c.dx0 = x0
	}
	if x1 > c.dx1 {
		c.dx1 = x1
	}
	if y0 < c.dy0 {
		c.dy0 = y0
	}
	if y1 > c.dy1 {
		c.dy1 = y1
	}
}

// line adds an edge with 0 <= y0 < y1 <= h and x in [0, w] (font-rs's draw_line).
func (c *Canvas) line(x0, y0, x1, y1 float64, dir float32) {
	W := float64(c.w)
	dxdy := (x1 - x0) / (y1 - y0)
	x := x0
	yi0, yi1 := int(y0), int(math.Ceil(y1))
	if yi1 > c.h {
		yi1 = c.h
	}
	stride := c.stride
	for y := yi0; y < yi1; y++ {
		row := c.acc[y*stride : y*stride+stride]
		dy := math.Min(float64(y+1), y1) - math.Max(float64(y), y0)
		xnext := x + dxdy*dy
		d := dy * float64(dir)
		lo, hi := x, xnext
		if lo > hi {
			lo, hi = hi, lo
		}
		lo, hi = clampF(lo, 0, W), clampF(hi, 0, W)
		lof := math.Floor(lo)
		loi := int(lof)
		hic := math.Ceil(hi)
		hii := int(hic)
		if hii <= loi+1 {
			// The edge stays in one column in this row: split its area between the
			// column (the part right of the edge) and the next (the rest of the cover).
			xmf := 0.5*(lo+hi) - lof
			row[loi] += float32(d - d*xmf)
			row[loi+1] += float32(d * xmf)
		} else {
			s := 1 / (hi - lo)
			x0f := lo - lof
			a0 := 0.5 * s * (1 - x0f) * (1 - x0f)
			x1f := hi - hic + 1
			am := 0.5 * s * x1f * x1f
			row[loi] += float32(d * a0)
			if hii == loi+2 {
				row[loi+1] += float32(d * (1 - a0 - am))
			} else {
				a1 := s * (1.5 - x0f)
				row[loi+1] += float32(d * (a1 - a0))
				ds := float32(d * s)
				for xi := loi + 2; xi < hii-1; xi++ {
					row[xi] += ds
				}
				a2 := a1 + float64(hii-loi-3)*s
				row[hii-1] += float32(d * (1 - a2 - am))
			}
			row[hii] += float32(d * am)
		}
		x = xnext
	}
	xmin, xmax := math.Min(x0, x1), math.Max(x0, x1)
	c.markDirty(int(clampF(xmin, 0, W)), int(clampF(xmax, 0, W))+2, yi0, yi1)
}

// composite blends col over the image wherever the accumulated coverage is non-zero and
// zeroes the accumulator again.
func (c *Canvas) composite(col color.RGBA) {
	if c.dy0 >= c.dy1 {
		c.resetDirty()
		return
	}
	x0, end := c.dx0, c.dx1
	if end > c.stride {
		end = c.stride
	}
	n := end - x0 // cells to clear per row
	if n <= 0 {
		c.resetDirty()
		return
	}
	m := n // cells to composite per row
	if x0+m > c.w {
		m = c.w - x0
	}
	sc := newSrc(col)
	visible := col != color.RGBA{}
	const eps = 1.0 / 1024
	for y := c.dy0; y < c.dy1; y++ {
		row := c.acc[y*c.stride+x0 : y*c.stride+x0+n]
		if !visible || m <= 0 {
			clear(row)
			continue
		}
		o := c.off(x0, y)
		pix := c.img.Pix[o : o+4*m]
		var s float32
		for i, v := range row[:m] {
			s += v
			a := s
			if a < 0 {
				a = -a
			}
			if a < eps {
				continue
			}
			p := pix[4*i : 4*i+4 : 4*i+4]
			if a >= 1-eps {
				if sc.opaque {
					p[0], p[1], p[2], p[3] = sc.px[0], sc.px[1], sc.px[2], sc.px[3]
				} else {
					sc.blendMask(p, 0xffff)
				}
				continue
			}
			sc.blendMask(p, uint32(a*0xffff+0.5))
		}
		clear(row)
	}
	c.resetDirty()
}
