// Package vec holds nets' elementwise float32 kernels that run often enough on large enough
// slices to matter next to the matrix products: tanh, ReLU and their backwards, the Adam update,
// and a vector add. Each
// has a portable Go loop and, on amd64 with AVX2 and FMA, an assembly loop 8 lanes wide. The
// two agree to a few ulp (the assembly fuses multiply-adds), not bit for bit.
package vec

import "math"

// Tanh writes tanh of every element of src into dst (len(dst) ≥ len(src)): the [13/6] rational
// approximation of Eigen and PyTorch on (−7.9, 7.9), ±1 beyond (where tanh is within 5 ulp of ±1
// in float32); NaN stays NaN. Error below 7 ulp.
func Tanh(dst, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			tanhAVX2(&dst[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = Tanh32(src[i])
	}
}

// Tanh32 is the scalar form of Tanh.
func Tanh32(x float32) float32 {
	if x >= tanhClamp { // plain comparisons: the min and max builtins' NaN and ±0 rules cost 2×
		return 1
	} else if x <= -tanhClamp {
		return -1
	}
	x2 := x * x
	p := float32(a13)
	p = p*x2 + a11
	p = p*x2 + a9
	p = p*x2 + a7
	p = p*x2 + a5
	p = p*x2 + a3
	p = p*x2 + a1
	p *= x
	q := float32(b6)
	q = q*x2 + b4
	q = q*x2 + b2
	q = q*x2 + b0
	return p / q
}

// The coefficients of tanh(x) ≈ x·P(x²)/Q(x²) on [−tanhClamp, tanhClamp].
const (
	tanhClamp = 7.90531110763549805
	a1        = 4.89352455891786e-03
	a3        = 6.37261928875436e-04
	a5        = 1.48572235717979e-05
	a7        = 5.12229709037114e-08
	a9        = -8.60467152213735e-11
	a11       = 2.00018790482477e-13
	a13       = -2.76076847742355e-16
	b0        = 4.89352518554385e-03
	b2        = 2.26843463243900e-03
	b4        = 1.18534705686654e-04
	b6        = 1.19825839466702e-06
)

// TanhBackward adds d·(1 − y²) into dx, where y = tanh(x): dx, d and y have the same length.
func TanhBackward(dx, d, y []float32) {
	dx, y = dx[:len(d)], y[:len(d)]
	n := 0
	if useAVX2 {
		n = len(d) &^ 7
		if n > 0 {
			tanhBackwardAVX2(&dx[0], &d[0], &y[0], n)
		}
	}
	for i := n; i < len(d); i++ {
		dx[i] += d[i] * (1 - y[i]*y[i])
	}
}

// Adam applies one Adam step to a parameter: m = b1·m + c1·g, v = b2·v + c2·g²,
// p −= stepSize·m/(√v·invBc2 + eps), where c1 = 1−b1, c2 = 1−b2, stepSize = lr/(1−b1^t) and
// invBc2 = 1/√(1−b2^t) (PyTorch's Adam with its bias corrections). All slices have len(p).
func Adam(p, g, m, v []float32, b1, b2, c1, c2, stepSize, invBc2, eps float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	n := 0
	if useAVX2 {
		n = len(p) &^ 7
		if n > 0 {
			adamAVX2(&p[0], &g[0], &m[0], &v[0], n, &adamArgs{b1, b2, c1, c2, stepSize, invBc2, eps})
		}
	}
	for j := n; j < len(p); j++ {
		gj := g[j]
		mj := m[j]*b1 + c1*gj
		vj := v[j]*b2 + c2*gj*gj
		m[j], v[j] = mj, vj
		p[j] -= stepSize * mj / (sqrt32(vj)*invBc2 + eps)
	}
}

// adamArgs passes Adam's scalars to the assembly in one pointer.
type adamArgs struct{ b1, b2, c1, c2, stepSize, invBc2, eps float32 }

// ReLU writes max(x, 0) of src into dst, clearing every element whose sign bit is set (negative
// numbers and −0) with a mask instead of a branch, which mispredicts half the time on inputs of
// random sign.
func ReLU(dst, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			reluAVX2(&dst[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		b := math.Float32bits(src[i])
		dst[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
}

// ReLUBackward adds d into dx where the ReLU output y is positive. In the Go loop, y is +0 or
// positive, so −bits(y) is negative exactly when y > 0 and its arithmetic shift is the mask.
func ReLUBackward(dx, d, y []float32) {
	dx, y = dx[:len(d)], y[:len(d)]
	n := 0
	if useAVX2 {
		n = len(d) &^ 7
		if n > 0 {
			reluBackwardAVX2(&dx[0], &d[0], &y[0], n)
		}
	}
	for i := n; i < len(d); i++ {
		mask := uint32(-int32(math.Float32bits(y[i])) >> 31)
		dx[i] += math.Float32frombits(math.Float32bits(d[i]) & mask)
	}
}

// Add adds src into dst elementwise (len(dst) ≥ len(src)): bias rows, gradient sums.
func Add(dst, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			addAVX2(&dst[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] += src[i]
	}
}

// Exp writes e^x of every element of src into dst (len(dst) ≥ len(src)), within 3 ulp; e^x is 0
// below −87.3 (where it would be subnormal) and +Inf above 88.38, NaN stays NaN.
func Exp(dst, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			expAVX2(&dst[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = float32(math.Exp(float64(src[i])))
	}
}

// Sigmoid writes 1/(1 + e^−x) of every element of src into dst, within a few ulp (relative, also
// for the tiny values of very negative x, where 0.5 + 0.5·tanh(x/2) would lose every digit).
func Sigmoid(dst, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			sigmoidAVX2(&dst[0], &src[0], n)
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = Sigmoid32(src[i])
	}
}

// Sigmoid32 is the scalar sigmoid, computed without overflow for large |x|.
func Sigmoid32(v float32) float32 {
	if v >= 0 {
		return float32(1 / (1 + math.Exp(-float64(v))))
	}
	e := math.Exp(float64(v))
	return float32(e / (1 + e))
}

// SumRows adds the column sums of the rows×cols matrix src into dst (len cols): the bias
// gradient of Linear, Σ over the batch of dy.
func SumRows(dst, src []float32, rows, cols int) {
	dst, src = dst[:cols], src[:rows*cols]
	n := 0
	if useAVX2 && rows > 0 {
		n = cols &^ 7
		if n > 0 {
			sumRowsAVX2(&dst[0], &src[0], rows, cols, n)
		}
	}
	for j := n; j < cols; j++ {
		var s float32
		for r := 0; r < rows; r++ {
			s += src[r*cols+j]
		}
		dst[j] += s
	}
}

// AddRowVector adds the vector b (len cols) to every row of the rows×cols matrix dst: Linear's
// bias.
func AddRowVector(dst, b []float32, rows, cols int) {
	dst, b = dst[:rows*cols], b[:cols]
	n := 0
	if useAVX2 && rows > 0 {
		n = cols &^ 7
		if n > 0 {
			addRowVectorAVX2(&dst[0], &b[0], rows, cols, n)
		}
	}
	if n == cols {
		return
	}
	for r := 0; r < rows; r++ {
		row := dst[r*cols : (r+1)*cols]
		for j := n; j < cols; j++ {
			row[j] += b[j]
		}
	}
}

// SumSquares returns Σ x² in float64, whose 53-bit significand keeps the sum of a few million
// float32 squares exact to about 1e-10 relative (a float32 running sum would lose 4 or 5 digits
// there): the Euclidean norm of the gradients that ClipGradNorm computes. The AVX2 loop widens
// 16 elements an iteration to float64 and keeps four vectors of partial sums; the Go loop keeps
// four partial sums. Both beat the single running sum, whose add latency (4 cycles an element)
// made clipping a few percent of a PPO update.
func SumSquares(x []float32) float64 {
	n := 0
	var s float64
	if useAVX2 {
		n = len(x) &^ 15
		if n > 0 {
			s = sumSquaresAVX2(&x[0], n)
		}
	}
	var s0, s1, s2, s3 float64
	for ; n+4 <= len(x); n += 4 {
		v0, v1, v2, v3 := float64(x[n]), float64(x[n+1]), float64(x[n+2]), float64(x[n+3])
		s0 += v0 * v0
		s1 += v1 * v1
		s2 += v2 * v2
		s3 += v3 * v3
	}
	for ; n < len(x); n++ {
		v := float64(x[n])
		s0 += v * v
	}
	return s + (s0 + s1) + (s2 + s3)
}

// MaxAbs returns max |x| (0 for an empty slice), or a NaN if x holds one. It compares the bit
// patterns with the sign cleared as unsigned integers: for non-negative floats their order is
// the float order, and every NaN pattern lies above +Inf's, so no branch tests for NaN.
func MaxAbs(x []float32) float32 {
	var m0, m1 uint32
	n := 0
	for ; n+2 <= len(x); n += 2 {
		m0 = max(m0, math.Float32bits(x[n])&0x7fffffff)
		m1 = max(m1, math.Float32bits(x[n+1])&0x7fffffff)
	}
	if n < len(x) {
		m0 = max(m0, math.Float32bits(x[n])&0x7fffffff)
	}
	return math.Float32frombits(max(m0, m1))
}

// Scale multiplies every element of x by c in place (ClipGradNorm's rescaling).
func Scale(x []float32, c float32) {
	n := 0
	if useAVX2 {
		n = len(x) &^ 7
		if n > 0 {
			scaleAVX2(&x[0], n, c)
		}
	}
	for i := n; i < len(x); i++ {
		x[i] *= c
	}
}
