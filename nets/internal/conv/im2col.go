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

// span returns the output indices [lo, hi) whose input index o·s + off lies in [0, n).
func span(n, s, off, outN int) (lo, hi int) {
	// o·s + off ≥ 0  ⇔  o ≥ ceil(−off/s);  o·s + off ≤ n−1  ⇔  o ≤ floor((n−1−off)/s).
	lo = max(0, ceilDiv(-off, s))
	hi = min(outN, floorDiv(n-1-off, s)+1)
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

// slab reports whether every column-matrix row is a shifted copy of its input plane: with
// stride 1 and an output as wide as the input ("same" padding), output row i, column j reads
// input element (i + yoff)·W + j + xoff, so a whole row of the column matrix is one contiguous
// run of the plane, apart from the columns that wrap around an edge, which are padding.
func (g *Geom) slab() bool { return g.SH == 1 && g.SW == 1 && g.OW == g.W }

// slabRange returns, for kernel tap (a, b), the output rows [i0, i1) that read the input, and the
// offset of output element 0 in the plane.
func (g *Geom) slabRange(a, b int) (i0, i1, shift, xoff int) {
	yoff := a*g.DH - g.PH
	xoff = b*g.DW - g.PW
	i0, i1 = span(g.H, 1, yoff, g.OH)
	return i0, i1, yoff*g.W + xoff, xoff
}

// Im2col writes img's column matrix (Rows()×Cols(), see the package doc) into col.
func (g *Geom) Im2col(col, img []float32) {
	if g.slab() {
		g.im2colSlab(col, img)
		return
	}
	ohw, hw := g.OH*g.OW, g.H*g.W
	_ = col[g.Rows()*ohw-1]
	_ = img[g.C*hw-1]
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

// im2colSlab is Im2col for slab geometries: one copy a row, then the wrapped columns zeroed.
func (g *Geom) im2colSlab(col, img []float32) {
	w, ohw, hw := g.W, g.OH*g.OW, g.H*g.W
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*hw : (c+1)*hw]
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				i0, i1, shift, xoff := g.slabRange(a, b)
				dst := col[r*ohw : (r+1)*ohw]
				r++
				clear(dst[:i0*w])
				clear(dst[i1*w:])
				// Elements i0·W .. i1·W of the row read plane[e + shift]; the first and the last
				// may fall outside the plane by |xoff| (they are wrapped columns, zeroed below).
				lo, hi := i0*w, i1*w
				s0, s1 := max(lo+shift, 0), min(hi+shift, hw)
				if s1 > s0 {
					copy(dst[s0-shift:s1-shift], plane[s0:s1])
				}
				clear(dst[lo : s0-shift])
				clear(dst[s1-shift : hi])
				zeroWrapped(dst, i0, i1, w, xoff)
			}
		}
	}
}

// zeroWrapped zeroes, in output rows [i0, i1) of a slab row, the columns whose input column
// j + xoff lies outside [0, w): they read the neighbouring input row.
// The runs are a padding's width (one or two elements), too short for clear's call.
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

// Col2im adds the column matrix col back into img: every entry of col is added to the pixel it
// was read from (padding entries are dropped). It is the adjoint of Im2col, so the gradient of a
// convolution's input is Col2im of the gradient of its column matrix. It may overwrite the
// padding entries of col (it is scratch).
func (g *Geom) Col2im(img, col []float32) {
	if g.slab() {
		g.col2imSlab(img, col)
		return
	}
	ohw, hw := g.OH*g.OW, g.H*g.W
	_ = col[g.Rows()*ohw-1]
	_ = img[g.C*hw-1]
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

// col2imSlab is Col2im for slab geometries: the wrapped columns of a row are zeroed in col, then
// the row is added to its plane in one run.
func (g *Geom) col2imSlab(img, col []float32) {
	w, ohw, hw := g.W, g.OH*g.OW, g.H*g.W
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*hw : (c+1)*hw]
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				i0, i1, shift, xoff := g.slabRange(a, b)
				src := col[r*ohw : (r+1)*ohw]
				r++
				zeroWrapped(src, i0, i1, w, xoff)
				s0, s1 := max(i0*w+shift, 0), min(i1*w+shift, hw)
				if s1 <= s0 {
					continue
				}
				vec.Add(plane[s0:s1], src[s0-shift:s1-shift])
			}
		}
	}
}
