package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSumSquares compares with a float64 running sum on every length up to 70 (the tails of
// the 16-wide loop and of the 4-wide Go loop) and on a long slice of mixed scales.
func TestSumSquares(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		lengths := []int{100003}
		for n := 0; n <= 70; n++ {
			lengths = append(lengths, n)
		}
		for _, n := range lengths {
			x := make([]float32, n)
			var want float64
			for i := range x {
				x[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
				want += float64(x[i]) * float64(x[i])
			}
			got := SumSquares(x)
			if math.Abs(got-want) > 1e-12*want {
				t.Fatalf("n=%d: SumSquares = %.17g, want %.17g", n, got, want)
			}
		}
		for _, c := range []struct {
			v    float32
			want float64
		}{{float32(math.NaN()), math.NaN()}, {float32(math.Inf(-1)), math.Inf(1)}, {3e38, 9e76 * 33}} {
			x := make([]float32, 33)
			for i := range x {
				x[i] = c.v
			}
			got := SumSquares(x)
			if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want) || math.Abs(got-c.want) < 1e-6*c.want) {
				t.Errorf("33 × %g: SumSquares = %g, want %g", c.v, got, c.want)
			}
		}
	})
}

func TestMaxAbs(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, c := range []struct {
		x    []float32
		want float32
	}{
		{nil, 0},
		{[]float32{-0.0}, 0},
		{[]float32{1, -3, 2}, 3},
		{[]float32{1, -3, 2, 5}, 5},
		{[]float32{-inf, 2, 1}, inf},
		{[]float32{1, nan, -inf}, nan},
		{[]float32{inf, 1, -nan}, nan},
		{[]float32{1e-45, -2e-45}, 2e-45},
	} {
		got := MaxAbs(c.x)
		if !(got == c.want || got != got && c.want != c.want) {
			t.Errorf("MaxAbs(%v) = %g, want %g", c.x, got, c.want)
		}
	}
}

// TestScale: one rounded product an element, so both loops give the same bits.
func TestScale(t *testing.T) {
	withBoth(t, func(t *testing.T) {
		for n := 0; n <= 40; n++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i)*0.37 - 5
			}
			want := make([]float32, n)
			for i := range want {
				want[i] = x[i] * 0.123
			}
			Scale(x, 0.123)
			for i := range x {
				if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: x[%d] = %g, want %g", n, i, x[i], want[i])
				}
			}
		}
	})
}

// BenchmarkSumSquares: ns per element of the PPO-sized gradient (a 64-64 MLP, 5k floats) and of
// a large one, against the single float64 running sum ClipGradNorm used before.
func BenchmarkSumSquares(b *testing.B) {
	for _, n := range []int{5000, 1 << 20} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%97) * 0.01
		}
		for _, impl := range []struct {
			name string
			f    func([]float32) float64
		}{{"vec", SumSquares}, {"loop", func(x []float32) float64 {
			var s float64
			for _, v := range x {
				s += float64(v) * float64(v)
			}
			return s
		}}} {
			b.Run(fmt.Sprintf("%s/%d", impl.name, n), func(b *testing.B) {
				var s float64
				for range b.N {
					s += impl.f(x)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
				sink = s
			})
		}
	}
}

var sink float64
