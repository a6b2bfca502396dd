package conv

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

// Im2col writes img's column matrix (Rows()×Cols(), see the package doc) into col.
func (g *Geom) Im2col(col, img []float32) {
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

// Col2im adds the column matrix col back into img: every entry of col is added to the pixel it
// was read from (padding entries are dropped). It is the adjoint of Im2col, so the gradient of a
// convolution's input is Col2im of the gradient of its column matrix.
func (g *Geom) Col2im(img, col []float32) {
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
