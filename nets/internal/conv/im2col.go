package conv

import "github.com/gorl/gorl/nets/internal/vec"

// Geom is the geometry of one image's 2-D convolution: C channels of H×W, a KH×KW kernel with
// strides SH, SW, zero padding PH, PW and dilations DH, DW, giving an OH×OW output grid (the
// caller computes OH and OW; they need not be the largest grid that fits, which is how a
// transposed convolution with output_padding uses it).
type Geom struct {
	C, H, W int
	KH, KW  int
	SH, SW  int
	PH, PW  int
	DH, DW  int
	OH, OW  int
}

// Rows returns the number of rows of the column matrix, C·KH·KW.
func (g *Geom) Rows() int { return g.C * g.KH * g.KW }

// Cols returns the number of columns of the column matrix, OH·OW.
func (g *Geom) Cols() int { return g.OH * g.OW }

// Identity reports whether the column matrix is the image itself (a 1×1 kernel with stride 1 and
// no padding), so the transform can be skipped.
func (g *Geom) Identity() bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PH == 0 && g.PW == 0 &&
		g.OH == g.H && g.OW == g.W
}

// ScratchLen returns the scratch floats Im2col and Col2im need: the phase planes of a strided
// geometry that has them (see phased), 0 otherwise.
func (g *Geom) ScratchLen() int {
	if !g.phased() {
		return 0
	}
	return g.C * g.SH * g.SW * g.phaseH() * g.phaseW()
}

// span returns the output indices [lo, hi) whose input index o·s + off lies in [0, n).
func span(n, s, off, outN int) (lo, hi int) {
	// o·s + off ≥ 0  ⇔  o ≥ ceil(−off/s);  o·s + off ≤ n−1  ⇔  o ≤ floor((n−1−off)/s).
	lo = max(0, ceilDiv(-off, s))
	hi = min(outN, floorDiv(n-1-off, s)+1)
	return lo, max(lo, hi)
}

// span1 is span for stride 1, without divisions.
func span1(n, off, outN int) (lo, hi int) {
	lo = max(0, -off)
	hi = min(outN, n-off)
	return lo, max(lo, hi)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

// The fast paths: slabs.
//
// With stride 1 and an output as wide as the input ("same" padding), output element (i, j) of
// kernel tap (a, b) reads input element (i + yoff)·W + j + xoff, so a whole row of the column
// matrix is one contiguous run of the input plane, apart from the columns that wrap around an
// edge, which are padding: one copy a row instead of one a row of output.
//
// A strided geometry becomes one too after a space-to-depth split: phase plane (py, px) of a
// channel holds the pixels (r·SH + py, q·SW + px), so tap (a, b), which reads row i·SH + a·DH −
// PH = (i + sy)·SH + py with py = (a·DH − PH) mod SH and sy = ⌊(a·DH − PH)/SH⌋, reads phase plane
// (py, px) with stride 1, shifted by (sy, sx). Phase planes are ⌈H/SH⌉×⌈W/SW⌉ (the cells past the
// image hold zeros), so this applies when the output is ⌈W/SW⌉ wide: kernel 3 or 4 with stride 2
// and padding 1, kernel 5 with stride 2 and padding 2, and their transposed convolutions.

func (g *Geom) slab() bool { return g.SH == 1 && g.SW == 1 && g.OW == g.W }

func (g *Geom) phased() bool { return (g.SH > 1 || g.SW > 1) && g.OW == g.phaseW() }

func (g *Geom) phaseH() int { return ceilDiv(g.H, g.SH) }
func (g *Geom) phaseW() int { return ceilDiv(g.W, g.SW) }

// tap returns the phase (py, px) and the shift (sy, sx) of kernel tap (a, b) (phase 0 and the
// plain offsets for a stride-1 slab).
func (g *Geom) tap(a, b int) (py, px, sy, sx int) {
	yoff, xoff := a*g.DH-g.PH, b*g.DW-g.PW
	sy, sx = floorDiv(yoff, g.SH), floorDiv(xoff, g.SW)
	return yoff - sy*g.SH, xoff - sx*g.SW, sy, sx
}

// slabCopy writes the column-matrix row that reads an h×w plane at (i + sy, j + sx) for output
// rows [0, oh) of width w (zero outside the plane).
func slabCopy(dst, plane []float32, h, w, oh, sy, sx int) {
	i0, i1 := span1(h, sy, oh)
	clear(dst[:i0*w])
	clear(dst[i1*w : oh*w])
	// Elements i0·w .. i1·w of the row read plane[e + shift]; the first and the last may fall
	// outside the plane by |sx| (they are wrapped columns, zeroed below).
	lo, hi, shift := i0*w, i1*w, sy*w+sx
	s0, s1 := max(lo+shift, 0), min(hi+shift, h*w)
	if s1 > s0 {
		copy(dst[s0-shift:s1-shift], plane[s0:s1])
	}
	clear(dst[lo : s0-shift])
	clear(dst[s1-shift : hi])
	zeroWrapped(dst, i0, i1, w, sx)
}

// slabAdd is slabCopy's adjoint: it adds the row back into the plane. It zeroes the row's wrapped
// columns (src is scratch).
func slabAdd(plane, src []float32, h, w, oh, sy, sx int) {
	i0, i1 := span1(h, sy, oh)
	zeroWrapped(src, i0, i1, w, sx)
	shift := sy*w + sx
	s0, s1 := max(i0*w+shift, 0), min(i1*w+shift, h*w)
	if s1 > s0 {
		vec.Add(plane[s0:s1], src[s0-shift:s1-shift])
	}
}

// zeroWrapped zeroes, in output rows [i0, i1) of a slab row, the columns whose input column
// j + xoff lies outside [0, w): they read the neighbouring input row. The runs are a padding's
// width (one or two elements), too short for clear's call.
func zeroWrapped(dst []float32, i0, i1, w, xoff int) {
	switch {
	case xoff < 0:
		n := min(-xoff, w)
		for i := i0; i < i1; i++ {
			for k := i * w; k < i*w+n; k++ {
				dst[k] = 0
			}
		}
	case xoff > 0:
		n := min(xoff, w)
		for i := i0; i < i1; i++ {
			for k := (i+1)*w - n; k < (i+1)*w; k++ {
				dst[k] = 0
			}
		}
	}
}

// splitPhases writes the phase planes of img into ph ([C][SH][SW][phaseH][phaseW]).
func (g *Geom) splitPhases(ph, img []float32) {
	hh, ww := g.phaseH(), g.phaseW()
	n := hh * ww
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for py := 0; py < g.SH; py++ {
			for px := 0; px < g.SW; px++ {
				dst := ph[((c*g.SH+py)*g.SW+px)*n : ((c*g.SH+py)*g.SW+px+1)*n]
				for r := 0; r < hh; r++ {
					row := dst[r*ww : (r+1)*ww]
					y := r*g.SH + py
					if y >= g.H {
						clear(row)
						continue
					}
					src := plane[y*g.W : (y+1)*g.W]
					q := 0
					for x := px; x < g.W; x += g.SW {
						row[q] = src[x]
						q++
					}
					for ; q < ww; q++ {
						row[q] = 0
					}
				}
			}
		}
	}
}

// mergePhases adds the phase planes ph back into img (cells past the image are dropped).
func (g *Geom) mergePhases(img, ph []float32) {
	hh, ww := g.phaseH(), g.phaseW()
	n := hh * ww
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for py := 0; py < g.SH; py++ {
			for px := 0; px < g.SW; px++ {
				src := ph[((c*g.SH+py)*g.SW+px)*n : ((c*g.SH+py)*g.SW+px+1)*n]
				for r := 0; r < hh; r++ {
					y := r*g.SH + py
					if y >= g.H {
						break
					}
					dst, row := plane[y*g.W:(y+1)*g.W], src[r*ww:(r+1)*ww]
					q := 0
					for x := px; x < g.W; x += g.SW {
						dst[x] += row[q]
						q++
					}
				}
			}
		}
	}
}

// Im2col writes img's column matrix (Rows()×Cols(), see the package doc) into col. scratch holds
// ScratchLen() floats.
func (g *Geom) Im2col(col, img, scratch []float32) {
	ohw, hw := g.OH*g.OW, g.H*g.W
	_ = col[g.Rows()*ohw-1]
	_ = img[g.C*hw-1]
	switch {
	case g.slab():
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ { // the tap's offsets are every channel's: work them out once
				_, _, sy, sx := g.tap(a, b)
				for c := 0; c < g.C; c++ {
					r := (c*g.KH+a)*g.KW + b
					slabCopy(col[r*ohw:(r+1)*ohw], img[c*hw:(c+1)*hw], g.H, g.W, g.OH, sy, sx)
				}
			}
		}
		return
	case g.phased():
		g.splitPhases(scratch, img)
		hh, ww := g.phaseH(), g.phaseW()
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				py, px, sy, sx := g.tap(a, b)
				for c := 0; c < g.C; c++ {
					r, p := (c*g.KH+a)*g.KW+b, ((c*g.SH+py)*g.SW+px)*hh*ww
					slabCopy(col[r*ohw:(r+1)*ohw], scratch[p:p+hh*ww], hh, ww, g.OH, sy, sx)
				}
			}
		}
		return
	}
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*hw : (c+1)*hw]
		for a := 0; a < g.KH; a++ {
			yoff := a*g.DH - g.PH
			i0, i1 := span(g.H, g.SH, yoff, g.OH)
			for b := 0; b < g.KW; b++ {
				xoff := b*g.DW - g.PW
				j0, j1 := span(g.W, g.SW, xoff, g.OW)
				dst := col[r*ohw : (r+1)*ohw]
				r++
				clear(dst[:i0*g.OW])
				clear(dst[i1*g.OW:])
				for i := i0; i < i1; i++ {
					row := dst[i*g.OW : (i+1)*g.OW]
					src := plane[(i*g.SH+yoff)*g.W:]
					// Rows are short (an output row), so plain loops beat copy and clear calls.
					for j := range row[:j0] {
						row[j] = 0
					}
					for j := j1; j < len(row); j++ {
						row[j] = 0
					}
					if g.SW == 1 {
						d := row[j0:j1]
						s := src[j0+xoff : j0+xoff+len(d)]
						for j := range d {
							d[j] = s[j]
						}
						continue
					}
					for j := j0; j < j1; j++ {
						row[j] = src[j*g.SW+xoff]
					}
				}
			}
		}
	}
}

// Col2im adds the column matrix col back into img: every entry of col is added to the pixel it
// was read from (padding entries are dropped). It is the adjoint of Im2col, so the gradient of a
// convolution's input is Col2im of the gradient of its column matrix. It may overwrite the
// padding entries of col (it is scratch); scratch holds ScratchLen() floats.
func (g *Geom) Col2im(img, col, scratch []float32) {
	ohw, hw := g.OH*g.OW, g.H*g.W
	_ = col[g.Rows()*ohw-1]
	_ = img[g.C*hw-1]
	switch {
	case g.slab():
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				_, _, sy, sx := g.tap(a, b)
				for c := 0; c < g.C; c++ {
					r := (c*g.KH+a)*g.KW + b
					slabAdd(img[c*hw:(c+1)*hw], col[r*ohw:(r+1)*ohw], g.H, g.W, g.OH, sy, sx)
				}
			}
		}
		return
	case g.phased():
		clear(scratch[:g.ScratchLen()])
		hh, ww := g.phaseH(), g.phaseW()
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				py, px, sy, sx := g.tap(a, b)
				for c := 0; c < g.C; c++ {
					r, p := (c*g.KH+a)*g.KW+b, ((c*g.SH+py)*g.SW+px)*hh*ww
					slabAdd(scratch[p:p+hh*ww], col[r*ohw:(r+1)*ohw], hh, ww, g.OH, sy, sx)
				}
			}
		}
		g.mergePhases(img, scratch)
		return
	}
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*hw : (c+1)*hw]
		for a := 0; a < g.KH; a++ {
			yoff := a*g.DH - g.PH
			i0, i1 := span(g.H, g.SH, yoff, g.OH)
			for b := 0; b < g.KW; b++ {
				xoff := b*g.DW - g.PW
				j0, j1 := span(g.W, g.SW, xoff, g.OW)
				src := col[r*ohw : (r+1)*ohw]
				r++
				for i := i0; i < i1; i++ {
					row := src[i*g.OW+j0 : i*g.OW+j1]
					dst := plane[(i*g.SH+yoff)*g.W:]
					if g.SW == 1 {
						d := dst[j0+xoff : j0+xoff+len(row)]
						for j, v := range row {
							d[j] += v
						}
						continue
					}
					for j, v := range row {
						dst[(j0+j)*g.SW+xoff] += v
					}
				}
			}
		}
	}
}
