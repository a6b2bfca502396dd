package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The cell kernels against float64 evaluations of their formulas, with rows whose length is not
// a multiple of 8 (the tail takes the Go loop) and one that is.
func TestCellBackward(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		u := func(n int, lo, hi float64) []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = float32(lo + (hi-lo)*r.Float64())
			}
			return s
		}
		f64 := func(v float32) float64 { return float64(v) }
		check := func(what string, got float32, want float64) {
			t.Helper()
			if math.Abs(float64(got)-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("%s: %g, want %g", what, got, want)
			}
		}
		for _, h := range []int{19, 64} {
			// LSTM: activations in the ranges of sigmoid and tanh.
			act, cp, tc := u(4*h, 0, 1), u(h, -2, 2), u(h, -1, 1)
			for j := 2 * h; j < 3*h; j++ {
				act[j] = 2*act[j] - 1
			}
			dy, dh, dc, dG := u(h, -1, 1), u(h, -1, 1), u(h, -1, 1), make([]float32, 4*h)
			dc0 := append([]float32(nil), dc...)
			LSTMBackward(dG, act, cp, tc, dy, dh, dc)
			for j := 0; j < h; j++ {
				i, f, g, o, tj := f64(act[j]), f64(act[h+j]), f64(act[2*h+j]), f64(act[3*h+j]), f64(tc[j])
				dhj := f64(dy[j]) + f64(dh[j])
				dcj := f64(dc0[j]) + dhj*o*(1-tj*tj)
				check("lstm di", dG[j], dcj*g*i*(1-i))
				check("lstm df", dG[h+j], dcj*f64(cp[j])*f*(1-f))
				check("lstm dg", dG[2*h+j], dcj*i*(1-g*g))
				check("lstm do", dG[3*h+j], dhj*tj*o*(1-o))
				check("lstm dc", dc[j], dcj*f)
			}

			// GRU.
			act, ghn, hp := u(3*h, 0, 1), u(h, -2, 2), u(h, -1, 1)
			for j := 2 * h; j < 3*h; j++ {
				act[j] = 2*act[j] - 1
			}
			dy, dh = u(h, -1, 1), u(h, -1, 1)
			dh0 := append([]float32(nil), dh...)
			dG, dGh := make([]float32, 3*h), make([]float32, 3*h)
			GRUBackward(dG, dGh, act, ghn, hp, dy, dh)
			for j := 0; j < h; j++ {
				rj, z, n := f64(act[j]), f64(act[h+j]), f64(act[2*h+j])
				dhj := f64(dy[j]) + f64(dh0[j])
				dn := dhj * (1 - z) * (1 - n*n)
				dz := dhj * (f64(hp[j]) - n) * z * (1 - z)
				dr := dn * f64(ghn[j]) * rj * (1 - rj)
				check("gru dr", dG[j], dr)
				check("gru dz", dG[h+j], dz)
				check("gru dn", dG[2*h+j], dn)
				check("gru dGh r", dGh[j], dr)
				check("gru dGh z", dGh[h+j], dz)
				check("gru dGh n", dGh[2*h+j], dn*rj)
				check("gru dh", dh[j], dhj*z)
			}
		}
	})
}
