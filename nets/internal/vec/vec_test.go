package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withBoth runs f with the assembly loops (when the CPU has them) and with the Go loops.
func withBoth(t *testing.T, f func(t *testing.T)) {
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, on := range []bool{false, true} {
		if on && !saved {
			t.Log("no AVX2/FMA on this CPU: the assembly is not exercised")
			continue
		}
		useAVX2 = on
		name := "go"
		if on {
			name = "avx2"
		}
		t.Run(name, f)
	}
}

func ulps(got float32, want float64) float64 {
	w := float32(want)
	u := float64(math.Nextafter32(float32(math.Abs(float64(w))), float32(math.Inf(1)))) - math.Abs(float64(w))
	return math.Abs(float64(got)-want) / u
}

func TestTanh(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		const n = 800003 // not a multiple of 8: the tail takes the Go loop
		src, dst := make([]float32, n), make([]float32, n)
		for i := range src {
			src[i] = float32(i-n/2) * 5e-5 // [−20, 20]
		}
		Tanh(dst, src)
		worst, worstAbs := 0.0, 0.0
		for i, x := range src {
			want := math.Tanh(float64(x))
			worst = math.Max(worst, ulps(dst[i], want))
			worstAbs = math.Max(worstAbs, math.Abs(float64(dst[i])-want))
		}
		if worst > 7 || worstAbs > 5e-7 {
			t.Errorf("worst error %.2f ulp, %.3g absolute", worst, worstAbs)
		}
		special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, 100, -100, 1e-30, -1e-30}
		out := make([]float32, 8)
		Tanh(out, special)
		if out[0] == out[0] || out[1] != 1 || out[2] != -1 || out[3] != 0 || out[4] != 1 || out[5] != -1 || out[6] != 1e-30*float32(a1/b0) && out[6] != 1e-30 {
			t.Errorf("tanh of %v = %v", special, out)
		}
	})
}

func TestTanhBackward(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range []int{0, 1, 7, 8, 9, 64, 67} {
			dx, d, y := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range d {
				dx[i], d[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(2*r.Float64()-1)
			}
			want := make([]float64, n)
			for i := range want {
				want[i] = float64(dx[i]) + float64(d[i])*(1-float64(y[i])*float64(y[i]))
			}
			TanhBackward(dx, d, y)
			for i := range want {
				if math.Abs(float64(dx[i])-want[i]) > 1e-6*(1+math.Abs(want[i])) {
					t.Fatalf("n=%d: dx[%d] = %v, want %v", n, i, dx[i], want[i])
				}
			}
		}
	})
}

func TestAdam(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range []int{1, 8, 13, 100} {
			p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range p {
				p[i], g[i], m[i], v[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(0.1*r.NormFloat64()), float32(r.Float64())
			}
			const b1, b2, lr, eps, step = 0.9, 0.999, 1e-3, 1e-8, 3
			stepSize := lr / (1 - math.Pow(b1, step))
			invBc2 := 1 / math.Sqrt(1-math.Pow(b2, step))
			wantP, wantM, wantV := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range p {
				wantM[i] = b1*float64(m[i]) + (1-b1)*float64(g[i])
				wantV[i] = b2*float64(v[i]) + (1-b2)*float64(g[i])*float64(g[i])
				wantP[i] = float64(p[i]) - stepSize*wantM[i]/(math.Sqrt(wantV[i])*invBc2+eps)
			}
			Adam(p, g, m, v, b1, b2, 1-b1, 1-b2, float32(stepSize), float32(invBc2), eps)
			for i := range p {
				if math.Abs(float64(p[i])-wantP[i]) > 1e-6 || math.Abs(float64(m[i])-wantM[i]) > 1e-6 || math.Abs(float64(v[i])-wantV[i]) > 1e-6 {
					t.Fatalf("n=%d i=%d: p %v m %v v %v, want %v %v %v", n, i, p[i], m[i], v[i], wantP[i], wantM[i], wantV[i])
				}
			}
		}
	})
}

func BenchmarkTanh(b *testing.B) {
	src, dst := make([]float32, 4096), make([]float32, 4096)
	for i := range src {
		src[i] = float32(i%200-100) * 0.03
	}
	for i := 0; i < b.N; i++ {
		Tanh(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4096, "ns/elem")
}

func BenchmarkAdam(b *testing.B) {
	const n = 4610 // the 4→64→64→2 MLP
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%17) * 0.01
	}
	for i := 0; i < b.N; i++ {
		Adam(p, g, m, v, 0.9, 0.999, 0.1, 0.001, 1e-3, 1, 1e-8)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
}

func TestReLUAndAdd(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range []int{0, 3, 8, 21, 64} {
			x, y, d, dx, acc := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range x {
				x[i], d[i], dx[i], acc[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
				if i%5 == 0 {
					x[i] = 0
				}
				if i%7 == 0 {
					x[i] = float32(math.Copysign(0, -1))
				}
			}
			ReLU(y, x)
			wantDx := append([]float32(nil), dx...)
			wantAcc := append([]float32(nil), acc...)
			for i, v := range x {
				want := float32(0)
				if v > 0 {
					want = v
					wantDx[i] += d[i]
				}
				if y[i] != want || math.Signbit(float64(y[i])) {
					t.Fatalf("n=%d: relu(%v) = %v", n, v, y[i])
				}
				wantAcc[i] += x[i]
			}
			ReLUBackward(dx, d, y)
			Add(acc, x)
			for i := range x {
				if dx[i] != wantDx[i] || acc[i] != wantAcc[i] {
					t.Fatalf("n=%d i=%d: dx %v want %v; add %v want %v", n, i, dx[i], wantDx[i], acc[i], wantAcc[i])
				}
			}
		}
	})
}

func TestExpAndSigmoid(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		const n = 400001
		src, e, s := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range src {
			src[i] = float32(i-n/2) * 4.3e-4 // [−86, 86]
		}
		Exp(e, src)
		Sigmoid(s, src)
		worstE, worstS := 0.0, 0.0
		for i, x := range src {
			worstE = math.Max(worstE, ulps(e[i], math.Exp(float64(x))))
			worstS = math.Max(worstS, ulps(s[i], 1/(1+math.Exp(-float64(x)))))
		}
		if worstE > 3 || worstS > 4 {
			t.Errorf("worst errors: exp %.2f ulp, sigmoid %.2f ulp", worstE, worstS)
		}
		special := []float32{float32(math.NaN()), 200, -200, 0, 1, -1, 88, -88}
		out := make([]float32, 8)
		Sigmoid(out, special)
		if out[0] == out[0] || out[1] != 1 || out[2] != 0 || out[3] != 0.5 {
			t.Errorf("sigmoid of %v = %v", special, out)
		}
		Exp(out, special)
		if out[0] == out[0] || !math.IsInf(float64(out[1]), 1) || out[2] != 0 || out[3] != 1 {
			t.Errorf("exp of %v = %v", special, out)
		}
		inf := []float32{float32(math.Inf(-1)), float32(math.Inf(1)), 0, 0, 0, 0, 0, 0}
		Exp(out, inf)
		if out[0] != 0 || !math.IsInf(float64(out[1]), 1) {
			t.Errorf("exp(±Inf) = %v", out[:2])
		}
	})
}

func BenchmarkSigmoid(b *testing.B) {
	src, dst := make([]float32, 4096), make([]float32, 4096)
	for i := range src {
		src[i] = float32(i%200-100) * 0.05
	}
	for i := 0; i < b.N; i++ {
		Sigmoid(dst, src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4096, "ns/elem")
}

func TestSumRowsAndAddRowVector(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, sz := range [][2]int{{0, 5}, {1, 8}, {2, 9}, {3, 16}, {64, 64}, {5, 3}, {7, 21}} {
			rows, cols := sz[0], sz[1]
			src, dst, b := make([]float32, rows*cols), make([]float32, cols), make([]float32, cols)
			for i := range src {
				src[i] = float32(r.NormFloat64())
			}
			for j := range dst {
				dst[j], b[j] = float32(r.NormFloat64()), float32(r.NormFloat64())
			}
			want := make([]float64, cols)
			for j := range want {
				want[j] = float64(dst[j])
				for i := 0; i < rows; i++ {
					want[j] += float64(src[i*cols+j])
				}
			}
			SumRows(dst, src, rows, cols)
			for j := range want {
				if math.Abs(float64(dst[j])-want[j]) > 1e-5*(1+math.Abs(want[j])) {
					t.Fatalf("%dx%d: SumRows[%d] = %v, want %v", rows, cols, j, dst[j], want[j])
				}
			}
			wantAdd := make([]float32, len(src))
			for i := range src {
				wantAdd[i] = src[i] + b[i%cols]
			}
			AddRowVector(src, b, rows, cols)
			for i := range src {
				if src[i] != wantAdd[i] {
					t.Fatalf("%dx%d: AddRowVector[%d] = %v, want %v", rows, cols, i, src[i], wantAdd[i])
				}
			}
		}
	})
}
