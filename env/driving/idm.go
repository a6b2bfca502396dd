package driving

import "math"

// IDM holds the parameters of the Intelligent Driver Model (Treiber, Hennecke and Helbing,
// 2000), the longitudinal controller of traffic vehicles. Distances are between vehicle centres,
// as highway-env measures them, so MinGap includes a vehicle length.
type IDM struct {
	// ComfortAccel is the maximum acceleration a [m/s²] (highway-env: 3).
	ComfortAccel float64
	// ComfortDecel is the comfortable deceleration b > 0 [m/s²] (highway-env: 5).
	ComfortDecel float64
	// MinGap is the jam distance s0 between centres [m] (highway-env: 5 + vehicle length).
	MinGap float64
	// TimeGap is the desired time headway T [s] (highway-env: 1.5).
	TimeGap float64
	// MaxAccel bounds the magnitude of the command [m/s²] (highway-env: 6).
	MaxAccel float64
}

// DefaultIDM returns highway-env's IDMVehicle parameters.
func DefaultIDM() IDM {
	return IDM{ComfortAccel: 3, ComfortDecel: 5, MinGap: 5 + 5, TimeGap: 1.5, MaxAccel: 6}
}

// FreeTerm is the free-road part of the IDM acceleration, a·(1 - (v/v0)^δ), for speed v,
// desired speed v0 and exponent delta. Negative speeds count as 0, as in highway-env.
func (p IDM) FreeTerm(v, v0, delta float64) float64 {
	return p.ComfortAccel * (1 - powPos(math.Max(v, 0)/math.Abs(notZero(v0)), delta))
}

// DesiredGap is the IDM's desired distance s* = s0 + max(0, v·T + v·Δv/(2√(ab))) to a leader
// when driving at v with approach rate Δv = v - v_leader. The max keeps a much faster leader
// from producing a negative s* (highway-env omits it; the two agree unless the leader is
// about 15 m/s faster).
func (p IDM) DesiredGap(v, dv float64) float64 {
	return p.MinGap + math.Max(0, v*p.TimeGap+v*dv/(2*math.Sqrt(p.ComfortAccel*p.ComfortDecel)))
}

// InteractionTerm is the braking part of the IDM acceleration, a·(s*/s)², for a leader at
// centre distance gap.
func (p IDM) InteractionTerm(v, dv, gap float64) float64 {
	q := p.DesiredGap(v, dv) / notZero(gap)
	return p.ComfortAccel * q * q
}

// Accel is the IDM acceleration a·(1 - (v/v0)^δ - (s*/s)²) of a vehicle at speed v with desired
// speed v0 behind a leader at centre distance gap driving at vLead (hasLeader false: free
// road). It is not clipped to MaxAccel; the traffic simulation clips the command.
func (p IDM) Accel(v, v0, delta float64, hasLeader bool, gap, vLead float64) float64 {
	a := p.FreeTerm(v, v0, delta)
	if hasLeader {
		a -= p.InteractionTerm(v, v-vLead, gap)
	}
	return a
}

// MOBIL holds the parameters of MOBIL, "Minimizing Overall Braking Induced by Lane changes"
// (Kesting, Treiber and Helbing, 2007), the lane-change rule of traffic vehicles.
type MOBIL struct {
	// Politeness p in [0, 1] weighs the acceleration changes imposed on the followers
	// (highway-env: 0, selfish drivers).
	Politeness float64
	// MinAccelGain is the threshold Δa_th [m/s²] the weighted advantage must exceed (0.2).
	MinAccelGain float64
	// MaxBrakingImposed is the safety limit b_safe [m/s²]: the new follower may not have to
	// brake harder than this (2).
	MaxBrakingImposed float64
	// Delay is the time between two lane-change decisions of a vehicle [s] (1).
	Delay float64
}

// DefaultMOBIL returns highway-env's IDMVehicle lane-change parameters.
func DefaultMOBIL() MOBIL {
	return MOBIL{Politeness: 0, MinAccelGain: 0.2, MaxBrakingImposed: 2, Delay: 1}
}

// Decide applies MOBIL to a candidate lane given the IDM accelerations before (a) and after
// (pred) the change: the deciding vehicle behind its present and its would-be leader, the new
// follower behind its present leader and behind the deciding vehicle, and the old follower
// behind the deciding vehicle and behind the deciding vehicle's leader. A missing follower
// contributes 0 to both of its terms.
//
// The change is made when it is safe (newFollowerPred >= -MaxBrakingImposed) and the
// incentive self + p·(new follower + old follower) exceeds MinAccelGain, highway-env's order
// of tests.
func (m MOBIL) Decide(self, selfPred, newFollower, newFollowerPred, oldFollower, oldFollowerPred float64) bool {
	if newFollowerPred < -m.MaxBrakingImposed {
		return false
	}
	gain := selfPred - self + m.Politeness*(newFollowerPred-newFollower+oldFollowerPred-oldFollower)
	return gain >= m.MinAccelGain
}

// powPos returns x^y for x >= 0: the IDM's (v/v0)^δ where powSeries does not reach. For
// exponents in highway-env's range [3.5, 4.5] it uses x^y = x^4 · exp((y-4)·ln x): for
// 0.7 <= x <= 1.4 with ln x from the atanh series and exp from its Taylor series, both short
// because their arguments are small and evaluated in Estrin's scheme so that the terms are
// computed in parallel rather than in one long chain (accurate to 1e-10); for slower speeds
// through math.Log and math.Exp. Other arguments go to math.Pow.
func powPos(x, y float64) float64 {
	e := y - 4
	if x < 0.7 || x > 1.4 || e < -0.5 || e > 0.5 {
		if x <= 0 {
			if y == 0 {
				return 1
			}
			return 0
		}
		if x < 0.7 && e >= -0.5 && e <= 0.5 {
			// A vehicle far below its desired speed: x^4 · exp((y-4)·ln x), a logarithm and
			// an exponential instead of math.Pow's general path.
			x2 := x * x
			return x2 * x2 * math.Exp(e*math.Log(x))
		}
		return math.Pow(x, y)
	}
	// ln x = 2·atanh(u) = 2u(1 + u²/3 + u⁴/5 + ...), u = (x-1)/(x+1), |u| <= 1/6.
	u := (x - 1) / (x + 1)
	u2 := u * u
	u4 := u2 * u2
	p := (1 + u2*(1.0/3)) + u4*((1.0/5+u2*(1.0/7))+u4*(1.0/9+u2*(1.0/11)))
	// exp(z) for |z| <= 0.5·ln 1.4 < 0.17, to the 7th power.
	z := 2 * e * u * p
	z2 := z * z
	z4 := z2 * z2
	ez := (1 + z) + z2*(1.0/2+z*(1.0/6)) + z4*((1.0/24+z*(1.0/120))+z2*(1.0/720+z*(1.0/5040)))
	x2 := x * x
	return x2 * x2 * ez
}
