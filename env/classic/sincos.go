package classic

import "math"

// The polynomial coefficients of Go's math.Sin and math.Cos kernels (Cephes' sin.c), valid on
// [-π/4, π/4].
var (
	sinCoef = [6]float64{
		1.58962301576546568060e-10,
		-2.50507477628578072866e-8,
		2.75573136213857245213e-6,
		-1.98412698295895385996e-4,
		8.33333333332211858878e-3,
		-1.66666666666666307295e-1,
	}
	cosCoef = [6]float64{
		-1.13585365213876817300e-11,
		2.08757008419747316778e-9,
		-2.75573141792967388112e-7,
		2.48015872888517045348e-5,
		-1.38888888888730564116e-3,
		4.16666666666665929218e-2,
	}
)

// sincos returns math.Sincos(x), bit for bit. For |x| < 0.78 < π/4, the range CartPole's pole
// angle stays in, it evaluates math.Sincos's kernel directly: there math.Sincos reduces the
// argument to itself, so the result is the same, without the call, the special cases and the
// octant bookkeeping that cost as much as the polynomials. Other arguments go to math.Sincos.
func sincos(x float64) (sin, cos float64) {
	if x == 0 || !(math.Abs(x) < 0.78) { // ±0 keeps its sign through math.Sincos; NaN, Inf too
		return math.Sincos(x)
	}
	zz := x * x
	cos = 1.0 - 0.5*zz + zz*zz*((((((cosCoef[0]*zz)+cosCoef[1])*zz+cosCoef[2])*zz+cosCoef[3])*zz+cosCoef[4])*zz+cosCoef[5])
	sin = x + x*zz*((((((sinCoef[0]*zz)+sinCoef[1])*zz+sinCoef[2])*zz+sinCoef[3])*zz+sinCoef[4])*zz+sinCoef[5])
	return sin, cos
}
