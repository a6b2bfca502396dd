package render

import (
	"image/color"
	"math"
	"math/bits"
)

// The rasterizer accumulates, for every pixel cell, the signed area that each directed edge
// sweeps to its right (the method of libart, stb_truetype and font-rs). A running sum along a
// row then gives each pixel's exact coverage by the filled region, which is both the
// anti-aliasing and the winding number: coverage is min(|sum|, 1), the non-zero fill rule.
// Edges are added straight into c.acc, and each cell they write is marked in a per-row bitmap;
// composite then visits only the marked cells of the touched rows (filling the constant runs
// between them), blends, and zeroes what it read. A shape's cost is therefore its number of
// edge crossings plus the pixels it paints, whatever the image size, and nothing is allocated.

func (c *Canvas) resetDirty() {
	c.dy0, c.dy1 = math.MaxInt, 0
}

// touch records that cells [x0, x1) of row y may be non-zero, in the row's bitmap.
func (c *Canvas) touch(y, x0, x1 int) {
	row := c.marks[y*c.words : y*c.words+c.words]
	for x0 < x1 {
		w := x0 >> 6
		lo := uint(x0 & 63)
		n := min(x1-x0, 64-int(lo))
		m := ^uint64(0) >> (64 - uint(n)) << lo
		row[w] |= m
		x0 += n
	}
}

// touch2 is touch(y, x, x+2), the common case of an edge within one column, without a loop.
func (c *Canvas) touch2(y, x int) {
	i := y*c.words + x>>6
	if b := uint(x & 63); b < 63 {
		c.marks[i] |= 3 << b
	} else {
		c.marks[i] |= 1 << 63
		c.marks[i+1] |= 1
	}
}

// touchRows records that rows [y0, y1) may be non-zero.
func (c *Canvas) touchRows(y0, y1 int) {
	if y0 < c.dy0 {
		c.dy0 = y0
	}
	if y1 > c.dy1 {
		c.dy1 = y1
	}
}

// edge adds the directed segment (ax, ay)→(bx, by), in pixel coordinates, to the accumulator,
// clipped to the image: parts above or below are dropped, parts left of x = 0 are projected
// onto x = 0 (they still change the winding of everything to their right), parts right of
// x = w are dropped (they only affect cells past the last pixel).
func (c *Canvas) edge(ax, ay, bx, by float64) {
	if ay == by || math.IsNaN(ax) || math.IsNaN(ay) || math.IsNaN(bx) || math.IsNaN(by) {
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
		c.beyond(ay, by)
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
			c.beyond(ay, ym)
			ax, ay = W, ym
		} else {
			c.beyond(ym, by)
			bx, by = W, ym
		}
	}
	if by > ay {
		c.line(ax, ay, bx, by, dir)
	}
}

// beyond records an edge right of the image between rows y0 and y1: invisible, but the cover
// carried from edges further left must still be composited up to the right border.
func (c *Canvas) beyond(y0, y1 float64) {
	yi0, yi1 := int(y0), min(ceilPos(y1), c.h)
	for y := yi0; y < yi1; y++ {
		c.touch(y, c.w, c.w+1)
	}
	c.touchRows(yi0, yi1)
}

// ceilPos returns ⌈v⌉ for 0 <= v < 2^62 without math.Ceil's function call.
func ceilPos(v float64) int {
	i := int(v)
	if float64(i) < v {
		i++
	}
	return i
}

// clampF clamps v to [lo, hi], mapping NaN to lo so that it can never become an index.
func clampF(v, lo, hi float64) float64 {
	if !(v >= lo) {
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
	yi0, yi1 := int(y0), ceilPos(y1)
	if yi1 > c.h {
		yi1 = c.h
	}
	for y := yi0; y < yi1; y++ {
		dy := min(float64(y+1), y1) - max(float64(y), y0)
		c.acc[y*c.stride] += float32(dy) * dir
		c.touch(y, 0, 1)
	}
	c.touchRows(yi0, yi1)
}

// line adds an edge with 0 <= y0 < y1 <= h and x in [0, w] (font-rs's draw_line).
func (c *Canvas) line(x0, y0, x1, y1 float64, dir float32) {
	W := float64(c.w)
	dxdy := (x1 - x0) / (y1 - y0)
	x := x0
	yi0, yi1 := int(y0), ceilPos(y1)
	if yi1 > c.h {
		yi1 = c.h
	}
	stride := c.stride
	for y := yi0; y < yi1; y++ {
		row := c.acc[y*stride : y*stride+stride]
		dy := min(float64(y+1), y1) - max(float64(y), y0)
		xnext := x + dxdy*dy
		d := dy * float64(dir)
		lo, hi := x, xnext
		if lo > hi {
			lo, hi = hi, lo
		}
		lo, hi = clampF(lo, 0, W), clampF(hi, 0, W)
		loi := int(lo) // lo, hi >= 0: truncation is floor
		lof := float64(loi)
		hii := ceilPos(hi)
		hic := float64(hii)
		if hii <= loi+1 {
			// The edge stays in one column in this row: split its area between the
			// column (the part right of the edge) and the next (the rest of the cover).
			xmf := 0.5*(lo+hi) - lof
			row[loi] += float32(d - d*xmf)
			row[loi+1] += float32(d * xmf)
			c.touch2(y, loi)
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
			c.touch(y, loi, hii+1)
		}
		x = xnext
	}
	c.touchRows(yi0, yi1)
}

// composite blends col over the image wherever the accumulated coverage is non-zero and
// zeroes the accumulator again. Each row visits only the cells its edges touched, found in
// the row's bitmap; between two touched cells the coverage is constant, so a run inside the
// shape is one fill and a run outside costs nothing.
func (c *Canvas) composite(col color.RGBA) {
	sc := newSrc(col)
	visible := col != color.RGBA{}
	W := c.w
	for y := c.dy0; y < c.dy1; y++ {
		marks := c.marks[y*c.words : y*c.words+c.words]
		row := c.acc[y*c.stride : y*c.stride+c.stride]
		o := c.off(0, y)
		pix := c.img.Pix[o : o+4*W]
		var s float32
		prev := -1 // last cell visited; pixels after it until the next one have coverage s
		for wi, word := range marks {
			if word == 0 {
				continue
			}
			marks[wi] = 0
			for word != 0 {
				x := wi<<6 + bits.TrailingZeros64(word)
				word &= word - 1
				if visible && x > prev+1 && prev >= 0 && prev+1 < W {
					sc.run(pix[4*(prev+1):4*min(x, W)], s)
				}
				s += row[x]
				row[x] = 0
				if visible && x < W {
					sc.run(pix[4*x:4*x+4], s)
				}
				prev = x
			}
		}
	}
	c.resetDirty()
}

// run blends the source over the pixels of p with the coverage given by the accumulated sum s.
func (sc *src) run(p []byte, s float32) {
	const eps = 1.0 / 512 // below half an 8-bit step
	a := s
	if a < 0 {
		a = -a
	}
	switch {
	case a < eps:
	case a >= 1-eps && sc.opaque:
		sc.fill(p)
	default:
		ma := uint32(255)
		if a < 1-eps {
			ma = uint32(a*255 + 0.5)
		}
		for k := 0; k+4 <= len(p); k += 4 {
			sc.blendMask(p[k:k+4:k+4], ma)
		}
	}
}
