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

// powSeries holds the Taylor series of x^δ around x = powCentre for one exponent δ, the IDM's
// free-road term of one vehicle: x^δ = Σ c_k·(x - powCentre)^k with c_k = C(δ, k)·
// powCentre^(δ-k). The sixteen terms kept are exact to 1e-12 (relative) within powHalfWidth of
// the centre for δ up to 8, better than 1e-14 for highway-env's δ in [3.5, 4.5], and need
// neither a division nor a logarithm: the free term of a vehicle between 70% and 115% of its
// desired speed (99% of the vehicle steps on a busy highway) is 31 multiply-adds, which the
// traffic's sweep evaluates for four vehicles at a time.
type powSeries struct {
	delta float64
	c     [16]float64
}

// The series is centred on 92.5% of the desired speed, where traffic vehicles spend most of
// their time (behind a leader, slightly below their desired speed), and used within ±22.5%.
const (
	powCentre    = 0.925
	powHalfWidth = 0.225
)

func (p *powSeries) set(delta float64) {
	p.delta = delta
	c := math.Pow(powCentre, delta)
	for k := range p.c {
		p.c[k] = c
		c *= (delta - float64(k)) / (float64(k+1) * powCentre)
	}
}

// pow returns x^δ for x >= 0.
func (p *powSeries) pow(x float64) float64 {
	w := x - powCentre
	if w > powHalfWidth || w < -powHalfWidth {
		return powPos(x, p.delta)
	}
	return estrin16(w, &p.c)
}

// estrin16 evaluates Σ c_k w^k, k < 16, in Estrin's scheme: independent pairs, then pairs of
// pairs, so that the multiply-adds run in parallel rather than in one long chain. The vector
// sweeps evaluate it in the same order, so that they agree with it bit for bit.
func estrin16(w float64, c *[16]float64) float64 {
	w2 := w * w
	w4 := w2 * w2
	q0 := (c[0] + w*c[1]) + w2*(c[2]+w*c[3])
	q1 := (c[4] + w*c[5]) + w2*(c[6]+w*c[7])
	q2 := (c[8] + w*c[9]) + w2*(c[10]+w*c[11])
	q3 := (c[12] + w*c[13]) + w2*(c[14]+w*c[15])
	return (q0 + w4*q1) + (w4*w4)*(q2+w4*q3)
}
