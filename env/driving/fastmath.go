package driving

import "math"

// Small-angle trigonometry for the traffic simulation's slow path. The vehicles that steer are
// nearly all finishing a lane change, with angles of a few milliradians, where a short Taylor
// series is exact to rounding (the first omitted term is below 1e-16 of the result within the
// stated ranges) and several times cheaper than the math package's range reduction. Larger
// arguments go to the math package.

// sincos returns sin x and cos x.
func sincos(x float64) (s, c float64) {
	if x <= 0.05 && x >= -0.05 {
		// The half of a step's heading change: four terms each.
		x2 := x * x
		s = x * (1 - x2*(1.0/6)*(1-x2*(1.0/20)*(1-x2*(1.0/42))))
		c = 1 - x2*(1.0/2)*(1-x2*(1.0/12)*(1-x2*(1.0/30)*(1-x2*(1.0/56))))
		return s, c
	}
	if x > 0.3 || x < -0.3 {
		return math.Sincos(x)
	}
	x2 := x * x
	s = x * (1 - x2*(1.0/6)*(1-x2*(1.0/20)*(1-x2*(1.0/42)*(1-x2*(1.0/72)*(1-x2*(1.0/110))))))
	c = 1 - x2*(1.0/2)*(1-x2*(1.0/12)*(1-x2*(1.0/30)*(1-x2*(1.0/56)*(1-x2*(1.0/90)*(1-x2*(1.0/132))))))
	return s, c
}

// atan returns the arc tangent of x.
func atan(x float64) float64 {
	if x > 0.1 || x < -0.1 {
		return math.Atan(x)
	}
	x2 := x * x
	return x * (1 - x2*(1.0/3-x2*(1.0/5-x2*(1.0/7-x2*(1.0/9-x2*(1.0/11-x2*(1.0/13-x2*(1.0/15))))))))
}

// asin returns the arc sine of x.
func asin(x float64) float64 {
	if x > 0.1 || x < -0.1 {
		return math.Asin(x)
	}
	x2 := x * x
	// Coefficients (2n)!/(4^n (n!)^2 (2n+1)).
	return x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336+x2*(105.0/3456+x2*(945.0/42240+x2*(10395.0/599040+x2*(135135.0/9676800))))))))
}

// powSeries holds the binomial series of x^δ around x = 1 for one exponent δ, the IDM's free
// term of one vehicle: x^δ = Σ C(δ, k)·(x-1)^k. Within |x-1| <= 0.15 the eleven terms kept are
// exact to 1e-12 for δ up to 8 and need neither a division nor a logarithm, which makes the
// free term of a vehicle cruising near its desired speed a dozen multiply-adds.
type powSeries struct {
	delta float64
	c     [11]float64
}

func (p *powSeries) set(delta float64) {
	p.delta = delta
	c := 1.0
	for k := range p.c {
		p.c[k] = c
		c *= (delta - float64(k)) / float64(k+1)
	}
}

// pow returns x^δ for x >= 0.
func (p *powSeries) pow(x float64) float64 {
	t := x - 1
	if t > 0.15 || t < -0.15 {
		return powPos(x, p.delta)
	}
	c := &p.c
	t2 := t * t
	t4 := t2 * t2
	t8 := t4 * t4
	// Estrin's scheme: independent pairs, then quadruples.
	return (c[0] + t*c[1]) + t2*(c[2]+t*c[3]) + t4*((c[4]+t*c[5])+t2*(c[6]+t*c[7])) + t8*((c[8]+t*c[9])+t2*c[10])
}
