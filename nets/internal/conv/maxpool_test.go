package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// scalarMaxPool2x2 is MaxPool2x2's definition.
func scalarMaxPool2x2(r0, r1, out []float32, arg []int, base, w int) {
	for j := range out {
		v := [4]float32{r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]}
		m := max(v[0], v[1], v[2], v[3])
		out[j] = m
		if arg != nil {
			k := [4]int{0, 1, w, w + 1}
			for t := 3; t >= 0; t-- {
				if v[t] == m {
					arg[j] = base + 2*j + k[t]
				}
			}
		}
	}
}

func TestMaxPool2x2(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, 3, 8, 13, 16, 40} {
		for _, withArg := range []bool{false, true} {
			for _, nan := range []bool{false, true} {
				t.Run(fmt.Sprintf("n%d/arg=%v/nan=%v", n, withArg, nan), func(t *testing.T) {
					w := 2*n + 3 // the row stride of the input plane
					r0, r1 := make([]float32, 2*n), make([]float32, 2*n)
					for i := range r0 {
						// Few distinct values for ties, and signed zeros.
						r0[i] = float32(r.IntN(3)-1) * 0.5
						r1[i] = float32(r.IntN(3)-1) * 0.5
						if r0[i] == 0 && r.IntN(2) == 0 {
							r0[i] = float32(math.Copysign(0, -1))
						}
					}
					if nan && n > 9 {
						r1[19] = float32(math.NaN()) // window 9, in the second group of 8
					}
					out, want := make([]float32, n), make([]float32, n)
					var arg, wantArg []int
					if withArg {
						arg, wantArg = make([]int, n), make([]int, n)
					}
					scalarMaxPool2x2(r0, r1, want, wantArg, 100, w)
					done := MaxPool2x2(r0, r1, out, arg, 100, w)
					if done%8 != 0 || done > n || useSIMD && !(nan && n > 9) && done != n&^7 {
						t.Fatalf("done = %d of %d", done, n)
					}
					if nan && n > 9 && done > 8 {
						t.Fatalf("done = %d: the group holding a NaN was computed", done)
					}
					for j := 0; j < done; j++ {
						if out[j] != want[j] || withArg && arg[j] != wantArg[j] {
							t.Fatalf("output %d: %g (source %v), want %g (source %v)", j, out[j], arg, want[j], wantArg)
						}
					}
				})
			}
		}
	}
}

func BenchmarkMaxPool2x2(b *testing.B) {
	const n = 16 * 32 // one 32×32 plane's outputs, row by row
	r0, r1 := make([]float32, 2*n), make([]float32, 2*n)
	for i := range r0 {
		r0[i], r1[i] = float32(i%7), float32(i%5)
	}
	out, arg := make([]float32, n), make([]int, n)
	for _, withArg := range []bool{false, true} {
		b.Run(fmt.Sprint("arg=", withArg), func(b *testing.B) {
			a := arg
			if !withArg {
				a = nil
			}
			for range b.N {
				MaxPool2x2(r0, r1, out, a, 0, 64)
			}
		})
	}
}
