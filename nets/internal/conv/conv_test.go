package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gorl/gorl/internal/cputime"
)

// naiveIm2col is the package doc's formula, element by element.
func naiveIm2col(g *Geom, img []float32) []float32 {
	col := make([]float32, g.Rows()*g.Cols())
	for c := 0; c < g.C; c++ {
		for a := 0; a < g.KH; a++ {
			for b := 0; b < g.KW; b++ {
				r := (c*g.KH+a)*g.KW + b
				for i := 0; i < g.OH; i++ {
					for j := 0; j < g.OW; j++ {
						y, x := i*g.SH+a*g.DH-g.PH, j*g.SW+b*g.DW-g.PW
						if y >= 0 && y < g.H && x >= 0 && x < g.W {
							col[r*g.Cols()+i*g.OW+j] = img[(c*g.H+y)*g.W+x]
						}
					}
				}
			}
		}
	}
	return col
}

func geoms() []Geom {
	var gs []Geom
	for _, k := range [][2]int{{1, 1}, {3, 3}, {3, 2}, {5, 5}} {
		for _, s := range [][2]int{{1, 1}, {2, 2}, {2, 1}, {3, 3}} {
			for _, p := range [][2]int{{0, 0}, {1, 1}, {2, 0}} {
				for _, d := range [][2]int{{1, 1}, {2, 2}, {1, 3}} {
					g := Geom{C: 2, H: 7, W: 9, KH: k[0], KW: k[1], SH: s[0], SW: s[1], PH: p[0], PW: p[1], DH: d[0], DW: d[1]}
					g.OH = (g.H+2*g.PH-g.DH*(g.KH-1)-1)/g.SH + 1
					g.OW = (g.W+2*g.PW-g.DW*(g.KW-1)-1)/g.SW + 1
					if g.OH > 0 && g.OW > 0 {
						gs = append(gs, g)
					}
				}
			}
		}
	}
	// A grid larger than the one that fits (a transposed convolution with output_padding).
	gs = append(gs, Geom{C: 1, H: 5, W: 5, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, DH: 1, DW: 1, OH: 3, OW: 3})
	// Strided geometries of the phase path, odd and even sizes (ConvTranspose2D k4 s2 p1's image
	// is 2× its grid).
	gs = append(gs,
		Geom{C: 2, H: 16, W: 16, KH: 4, KW: 4, SH: 2, SW: 2, PH: 1, PW: 1, DH: 1, DW: 1, OH: 8, OW: 8},
		Geom{C: 2, H: 7, W: 9, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, DH: 1, DW: 1, OH: 4, OW: 5},
		Geom{C: 1, H: 11, W: 10, KH: 5, KW: 5, SH: 2, SW: 2, PH: 2, PW: 2, DH: 1, DW: 1, OH: 6, OW: 5},
		Geom{C: 1, H: 9, W: 9, KH: 3, KW: 3, SH: 3, SW: 3, PH: 1, PW: 1, DH: 1, DW: 1, OH: 3, OW: 3},
		Geom{C: 1, H: 8, W: 12, KH: 3, KW: 2, SH: 2, SW: 1, PH: 1, PW: 0, DH: 2, DW: 1, OH: 4, OW: 11},
	)
	for _, g := range gs {
		if g.phased() || g.slab() {
			return gs
		}
	}
	panic("no geometry exercises the slab paths")
}

func TestIm2colMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range geoms() {
		img := make([]float32, g.C*g.H*g.W)
		for i := range img {
			img[i] = float32(r.NormFloat64())
		}
		want := naiveIm2col(&g, img)
		got := make([]float32, len(want))
		for i := range got {
			got[i] = 99 // every entry must be written, padding included
		}
		scratch := make([]float32, g.ScratchLen())
		for i := range scratch {
			scratch[i] = 77 // scratch comes dirty
		}
		g.Im2col(got, img, scratch)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%+v: col[%d] = %g, want %g", g, i, got[i], want[i])
			}
		}
	}
}

// TestCol2imIsTheAdjoint checks ⟨Col2im(c), x⟩ = ⟨c, Im2col(x)⟩, which is what makes Col2im the
// input gradient of a convolution, and that Col2im accumulates.
func TestCol2imIsTheAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, g := range geoms() {
		x := make([]float32, g.C*g.H*g.W)
		c := make([]float32, g.Rows()*g.Cols())
		for i := range x {
			x[i] = float32(r.IntN(7) - 3)
		}
		for i := range c {
			c[i] = float32(r.IntN(7) - 3)
		}
		img := make([]float32, len(x))
		for i := range img {
			img[i] = 1
		}
		scratch := make([]float32, g.ScratchLen())
		for i := range scratch {
			scratch[i] = 77
		}
		g.Col2im(img, c, scratch)
		col := naiveIm2col(&g, x)
		var lhs, rhs, sumX float64
		for i := range x {
			lhs += float64((img[i] - 1) * x[i])
			sumX += float64(x[i])
		}
		for i := range c {
			rhs += float64(c[i] * col[i])
		}
		if lhs != rhs {
			t.Fatalf("%+v: <col2im(c), x> = %g, <c, im2col(x)> = %g", g, lhs, rhs)
		}
	}
}

func TestIdentity(t *testing.T) {
	g := Geom{C: 3, H: 4, W: 5, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, OH: 4, OW: 5}
	if !g.Identity() {
		t.Error("1×1 stride-1 unpadded kernel not recognized as the identity")
	}
	g.PH = 1
	g.OH = 6
	if g.Identity() {
		t.Error("padded 1×1 kernel taken for the identity")
	}
}

func BenchmarkIm2col(b *testing.B) {
	for _, g := range []Geom{
		{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 32, OW: 32},
		{C: 32, H: 16, W: 16, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 16, OW: 16},
		{C: 32, H: 16, W: 16, KH: 4, KW: 4, SH: 2, SW: 2, PH: 1, PW: 1, DH: 1, DW: 1, OH: 8, OW: 8},
	} {
		img := make([]float32, g.C*g.H*g.W)
		col := make([]float32, g.Rows()*g.Cols())
		scratch := make([]float32, g.ScratchLen())
		name := fmt.Sprintf("C%d_%dx%d_k%d_s%d", g.C, g.H, g.W, g.KH, g.SH)
		b.Run("im2col/"+name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(col)))
			cpu0 := cputime.Process()
			for range b.N {
				g.Im2col(col, img, scratch)
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
		b.Run("col2im/"+name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(col)))
			cpu0 := cputime.Process()
			for range b.N {
				g.Col2im(img, col, scratch)
			}
			b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
