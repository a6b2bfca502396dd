package driving

import "math"

// laneState is the state of a vehicle changing lanes as the lane-change integration reads and
// writes it: its pose in the lanes' frame, its speed, the lane it steers to, and the command
// of the step.
type laneState struct {
	s, r0, e, ec, es, v float64 // pose (e's cosine and sine kept alongside e) and speed
	off                 float64 // lateral offset of the target lane's centre
	acc                 float64 // acceleration command of the step
	// The lane controller's command, which the step computes: the slip angle's sine and
	// cosine (the wheel angle's tangent is L/lr·sin β/cos β).
	sinB, cosB float64
}

// Coefficients of sin x/x = 1 + Σ sinc_k x^2k and (1 - cos x)/x² = 1/2 + Σ cosc_k x^2k.
const (
	sinc1, sinc2, sinc3, sinc4, sinc5 = -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800
	cosc1, cosc2, cosc3, cosc4, cosc5 = -1.0 / 24, 1.0 / 720, -1.0 / 40320, 1.0 / 3628800, -1.0 / 479001600
)

// maxArcSeries is the largest heading change a step for which laneStep's series of the
// arc's trigonometry are exact to rounding.
const maxArcSeries = 0.1

// laneStepFast advances st by one simulation step as laneStep does, when every argument lies
// within the range of laneStep's series: a heading reference |z| <= asinRange, a heading error
// within ±π, a wheel angle within its limit, a heading change within ±maxArcSeries and a
// heading staying within ±π. Otherwise it leaves st alone and returns false. It is the scalar
// form of the vector sweep's lane-change integration (sweepAVX512), which must agree with it
// bit for bit.
func (k *sweepConsts) laneStepFast(st *laneState) bool {
	v0 := st.v
	invV := 1 / notZero(v0)
	z := clamp(-(st.r0-st.off)*k.invTauLat*invV, -1, 1)
	if z > asinRange || z < -asinRange {
		return false
	}
	d := asinSeries(z) - st.e
	if d >= math.Pi || d < -math.Pi {
		return false
	}
	sinB := clamp(k.lrTauH*d*invV, -1, 1)
	cosB := math.Sqrt(1 - sinB*sinB)
	if k.lOverLr*math.Abs(sinB) > k.tanMaxSteer*cosB { // |tan δ| beyond its limit
		return false
	}
	v1 := clamp(v0+clamp(st.acc, k.carLo, k.carHi)*k.dt, k.vmin, k.vmax)
	dist := 0.5 * (v0 + v1) * k.dt
	dh := dist * sinB * k.invLr
	e := st.e + dh
	if dh > maxArcSeries || dh < -maxArcSeries || e >= math.Pi || e < -math.Pi {
		return false
	}
	h2 := dh * dh
	fa := 1 + h2*(sinc1+h2*(sinc2+h2*(sinc3+h2*(sinc4+h2*sinc5))))
	g := 0.5 + h2*(cosc1+h2*(cosc2+h2*(cosc3+h2*(cosc4+h2*cosc5))))
	sd, cd, fb := dh*fa, 1-h2*g, dh*g
	ec, es := st.ec, st.es
	c0 := ec*cosB - es*sinB // the course: heading + β
	s0 := es*cosB + ec*sinB
	st.s += dist * (c0*fa - s0*fb)
	st.r0 += dist * (s0*fa + c0*fb)
	st.ec, st.es, st.e, st.v = ec*cd-es*sd, es*cd+ec*sd, e, v1
	st.sinB, st.cosB = sinB, cosB
	return true
}

// laneStep advances st by one simulation step: highway-env's lane controller
// (ControlledVehicle.steering_control: a lateral speed command proportional to the offset from
// the target lane's centre, turned into a heading reference clipped to ±π/4, a yaw rate
// proportional to the heading error, and the wheel angle giving that yaw rate through the slip
// angle β = asin(lr·ω/v), clipped to the wheel's limit), then the bicycle model's exact arc for
// that command held over the step, as Bicycle.Step integrates it, in the lanes' frame. On
// straight lanes highway-env's look-ahead along the lane has no effect.
//
// The integration needs only β's sine and cosine: the heading turns by Δψ = dist·sin β/lr, a
// few hundredths of a radian a step, where sin Δψ/Δψ and (1 - cos Δψ)/Δψ² are six terms of
// their series instead of a sine, a cosine and two divisions. It returns the wheel angle when
// it was clipped (the caller otherwise computes atan(tanD) when it needs the angle).
func (k *sweepConsts) laneStep(st *laneState) (steer float64, clipped bool) {
	if k.laneStepFast(st) {
		return 0, false
	}
	v0 := st.v
	var sinB, cosB float64
	sinB, cosB, _, steer, clipped = k.controller(v0, st.r0, st.off, st.e)
	v1 := clamp(v0+clamp(st.acc, k.carLo, k.carHi)*k.dt, k.vmin, k.vmax)
	dist := 0.5 * (v0 + v1) * k.dt
	dh := dist * sinB * k.invLr
	var sd, cd, fa, fb float64
	if dh <= maxArcSeries && dh >= -maxArcSeries {
		h2 := dh * dh
		fa = 1 + h2*(sinc1+h2*(sinc2+h2*(sinc3+h2*(sinc4+h2*sinc5))))
		g := 0.5 + h2*(cosc1+h2*(cosc2+h2*(cosc3+h2*(cosc4+h2*cosc5))))
		sd, cd, fb = dh*fa, 1-h2*g, dh*g
	} else {
		sHalf, cHalf := sincos(0.5 * dh)
		cd, sd = 1-2*sHalf*sHalf, 2*sHalf*cHalf
		fa, fb = sd/dh, 2*sHalf*sHalf/dh
	}
	ec, es := st.ec, st.es
	c0 := ec*cosB - es*sinB
	s0 := es*cosB + ec*sinB
	st.s += dist * (c0*fa - s0*fb)
	st.r0 += dist * (s0*fa + c0*fb)
	e := st.e + dh
	if e >= math.Pi || e < -math.Pi {
		e = wrapToPi(e)
	}
	st.ec, st.es, st.e, st.v = ec*cd-es*sd, es*cd+ec*sd, e, v1
	st.sinB, st.cosB = sinB, cosB
	return steer, clipped
}

// controller is the lane controller of laneStep for a vehicle at speed v, lateral offset r0
// and heading e steering to the lane centred at off: the slip angle's sine and cosine and
// the wheel angle's tangent, and the wheel angle itself when it is clipped.
func (k *sweepConsts) controller(v, r0, off, e float64) (sinB, cosB, tanD, steer float64, clipped bool) {
	invV := 1 / notZero(v)
	// Lateral position → heading reference (relative to the lane), clipped to ±π/4.
	z := clamp(-(r0-off)*k.invTauLat*invV, -1, 1)
	ref := clamp(asin(z), -math.Pi/4, math.Pi/4)
	// Heading error → yaw rate → slip angle β = asin(lr·ω/v) → tan δ = L/lr·tan β.
	d := ref - e
	if d >= math.Pi || d < -math.Pi {
		d = wrapToPi(d)
	}
	sinB = clamp(k.lrTauH*d*invV, -1, 1)
	cosB = math.Sqrt(1 - sinB*sinB)
	tanD = k.lOverLr * sinB / cosB
	if k.lOverLr*math.Abs(sinB) > k.tanMaxSteer*cosB { // |tan δ| beyond its limit
		// The wheel angle is clipped: β follows from it.
		steer = clamp(atan(tanD), -k.maxSteer, k.maxSteer)
		tanD = math.Tan(steer)
		tanB := k.lrOverL * tanD
		cosB = 1 / math.Sqrt(1+tanB*tanB)
		sinB = tanB * cosB
		clipped = true
	}
	return sinB, cosB, tanD, steer, clipped
}
