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

// asin returns the arc sine of x: asinSeries within its range, else math.Asin.
func asin(x float64) float64 {
	if x > asinRange || x < -asinRange {
		return math.Asin(x)
	}
	return asinSeries(x)
}

// asinRange is the largest |x| for which asinSeries is exact to rounding (its first omitted
// term is below 2e-17 of the result): the lane controller's heading references at highway
// speeds, a vehicle a lane away at 17 m/s or faster.
const asinRange = 0.4

// asinC are the coefficients (2k)!/(4^k (k!)^2 (2k+1)) of asin x = Σ c_k x^(2k+1).
var asinC = [18]float64{1.0, 0.16666666666666666, 0.075, 0.044642857142857144, 0.030381944444444444, 0.022372159090909092, 0.017352764423076924, 0.01396484375, 0.011551800896139705, 0.009761609529194078, 0.008390335809616815, 0.0073125258735988454, 0.006447210311889649, 0.005740037670841924, 0.005153309682319905, 0.004660143486915096, 0.004240907093679363, 0.003880964558837669}

// asinSeries is the series of asin x to the x^35 term in Estrin's scheme (as the vector
// sweep evaluates it, so that the two agree bit for bit).
func asinSeries(x float64) float64 {
	c := &asinC
	y := x * x
	y2 := y * y
	y4 := y2 * y2
	y8 := y4 * y4
	q0 := (c[0] + y*c[1]) + y2*(c[2]+y*c[3])
	q1 := (c[4] + y*c[5]) + y2*(c[6]+y*c[7])
	q2 := (c[8] + y*c[9]) + y2*(c[10]+y*c[11])
	q3 := (c[12] + y*c[13]) + y2*(c[14]+y*c[15])
	return x * (((q0 + y4*q1) + y8*(q2+y4*q3)) + (y8*y8)*(c[16]+y*c[17]))
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

// lnPowCentre is ln powCentre: powCentre^δ = exp(δ·ln powCentre), a third of math.Pow's cost
// for the same accuracy, when every vehicle of a reset gets its series.
var lnPowCentre = math.Log(powCentre)

func (p *powSeries) set(delta float64) {
	p.delta = delta
	c := math.Exp(delta * lnPowCentre)
	for k := range p.c {
		p.c[k] = c
		c *= (delta - float64(k)) * powRecip[k]
	}
}

// powRecip[k] is 1/((k+1)·powCentre), the factor of the coefficients' recurrence.
var powRecip = func() (r [16]float64) {
	for k := range r {
		r[k] = 1 / (float64(k+1) * powCentre)
	}
	return r
}()

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
