package driving

import (
	"math"
	"unsafe"
)

// A row holds the vehicles on one lane of a Traffic, sorted by their distance s along the road,
// in struct-of-arrays form: one float64 plane per quantity, entry k of plane f at
// d[f*stride+k]. The IDM sweep (sweep) walks a row's planes with vector loads, each vehicle's
// leader being the next entry.
//
// A vehicle keeping its lane (on the fast path) has one entry, which holds its state: s, speed,
// free-road term, timer and acceleration command live there while the simulation runs and are
// copied to the Vehicle by Traffic.SyncWorld. A vehicle changing lanes (on the slow list) keeps
// its state in its Vehicle and has a ghost entry (kind kGhost) on each lane it is on, holding
// copies of s, speed and free-road term that its followers and the lane-change decisions read.
//
// Entry n, just past the last vehicle, is a sentinel leader infinitely far ahead, and every
// entry from n to stride-1 is padding: s = +Inf, speed 0, kind kGhost (and finite values
// elsewhere). The sweep processes whole blocks of four or eight entries and reads the entry
// after a block, so stride >= n+8.
type row struct {
	n      int
	stride int
	id     []int32   // vehicle of each entry
	d      []float64 // planes
	// out is the sweep's output, one word per four entries: free-road terms for afterSweep to
	// compute (bits 0-3), traffic vehicles due for a lane-change decision (4-7), slow vehicles
	// moved (8-11).
	out []uint16
}

// Planes of a row.
const (
	pS     = iota // distance along the road [m]
	pV            // speed [m/s]
	pFree         // IDM free-road term a·(1 - (v/v0)^δ) at the present speed
	pTimer        // seconds since the last lane-change decision
	pAcc          // acceleration command of the last step
	pTgt          // target speed (the meta-action speed controller's)
	pInv          // 1/|v0| for the free-road term
	pHL           // half the vehicle's length
	pKind         // kGhost, kIDM, ... (see below)
	pC0           // first of the nPow coefficients of powSeries
)

// Planes of the lane-change state of a vehicle changing lanes (laneState), valid in its entry
// on its own lane, after the coefficients.
const (
	pR0   = pC0 + nPow + iota // lateral offset from lane 0's centre
	pE                        // heading relative to the lanes
	pEC                       // its cosine
	pES                       // and sine
	pOff                      // lateral offset of the target lane's centre
	pSinB                     // slip angle's sine
	pCosB                     // and cosine of the last command
	nPlanes
)

// Kinds of row entries. The sweep moves the vehicles on the fast path (kIDM, kMeta,
// kCrashed), computes the acceleration command of the vehicles changing lanes on their own
// lane (kSlowIDM, kSlowMeta), and with AVX-512 also moves these.
const (
	kGhost    = 0 // another entry of a slow vehicle, the sentinel and the padding
	kIDM      = 1 // a traffic vehicle keeping its lane
	kMeta     = 2 // a meta-action vehicle (the ego) keeping its lane
	kCrashed  = 3 // a crashed vehicle on the fast path: it brakes to a stop
	kSlowIDM  = 4 // a traffic vehicle changing lanes, on its own lane
	kSlowMeta = 5 // a meta-action vehicle changing lanes, on its own lane
)

// nPow is the number of terms of powSeries.
const nPow = len(powSeries{}.c)

func (r *row) plane(f int) []float64 { return r.d[f*r.stride : (f+1)*r.stride] }

// col is one entry of a row, for the scalar code that reads and writes several of its
// planes: they lie stride float64s apart, and an entry within the planes' length has every
// plane within d, so that col's accesses, checked once, need no bounds check each (the
// checks cost more than the loads in the per-vehicle bookkeeping).
type col struct {
	p  unsafe.Pointer
	st uintptr // stride in bytes
}

// col returns entry k.
func (r *row) col(k int) col {
	_ = r.d[(nPlanes-1)*r.stride+k] // every plane of entry k
	return col{unsafe.Pointer(&r.d[k]), uintptr(r.stride) * 8}
}

func (c col) get(f int) float64    { return *(*float64)(unsafe.Add(c.p, uintptr(f)*c.st)) }
func (c col) set(f int, v float64) { *(*float64)(unsafe.Add(c.p, uintptr(f)*c.st)) = v }

// laneState reads the lane-change state of the vehicle in this column.
func (c col) laneState() laneState {
	return laneState{
		s: c.get(pS), r0: c.get(pR0), e: c.get(pE), ec: c.get(pEC), es: c.get(pES),
		v: c.get(pV), off: c.get(pOff), acc: c.get(pAcc),
	}
}

// setLaneStep writes back what one simulation step of a lane change (laneStep or laneStepFast)
// changed, and advances the vehicle's timer by dt.
func (c col) setLaneStep(ls *laneState, dt float64) {
	c.set(pS, ls.s)
	c.set(pV, ls.v)
	c.set(pR0, ls.r0)
	c.set(pE, ls.e)
	c.set(pEC, ls.ec)
	c.set(pES, ls.es)
	c.set(pSinB, ls.sinB)
	c.set(pCosB, ls.cosB)
	c.set(pTimer, c.get(pTimer)+dt)
}

// at returns entry k of plane f.
func (r *row) at(f, k int) float64 { return r.d[f*r.stride+k] }

func (r *row) set(f, k int, v float64) { r.d[f*r.stride+k] = v }

// reset empties the row.
func (r *row) reset() {
	if r.stride == 0 {
		r.grow(16)
	}
	// Entries from n on are padding already; the others become padding (what the sweep
	// reads of an entry it does not move: position, speed and kind).
	for k := range r.n {
		e := r.col(k)
		e.set(pS, math.Inf(1))
		e.set(pV, 0)
		e.set(pKind, kGhost)
	}
	r.n = 0
	r.id = r.id[:0]
}

// grow reallocates the planes with room for at least size entries.
func (r *row) grow(size int) {
	stride := max(16, 2*r.stride)
	for stride < size {
		stride *= 2
	}
	d := alignedFloats(nPlanes * stride)
	for f := range nPlanes {
		dst := d[f*stride : (f+1)*stride]
		fill := 0.0
		if f == pS {
			fill = math.Inf(1)
		}
		n := 0
		if r.stride > 0 {
			n = copy(dst, r.plane(f))
		}
		for k := n; k < stride; k++ {
			dst[k] = fill
		}
	}
	r.d, r.stride = d, stride
	r.out = make([]uint16, stride/4)
}

// alignedFloats returns n zeros starting on a 64-byte boundary: with strides of multiples of
// eight every plane then starts on a cache line, and the sweeps' vector loads and stores of
// eight (or four) entries never straddle two lines, which costs the processor a second access
// each (measured: a third of the AVX-512 sweep's time).
func alignedFloats(n int) []float64 {
	d := make([]float64, n+7)
	off := int((64 - uintptr(unsafe.Pointer(&d[0]))%64) % 64 / 8)
	return d[off : off+n : off+n]
}

// insertAt makes room for an entry at k, shifting the entries from k one place up. The caller
// fills entry k.
func (r *row) insertAt(k int) {
	if r.n+9 > r.stride {
		r.grow(r.n + 9)
	}
	shiftUp(r.d, r.stride, k, r.n-k)
	r.id = append(r.id, 0)
	copy(r.id[k+1:], r.id[k:r.n])
	r.n++
}

// removeAt removes entry k, shifting the entries above it one place down.
func (r *row) removeAt(k int) {
	st, n := r.stride, r.n
	shiftDown(r.d, st, k, n-1-k)
	for f := range nPlanes {
		r.d[f*st+n-1] = 0
	}
	r.d[pS*st+n-1] = math.Inf(1)
	copy(r.id[k:], r.id[k+1:n])
	r.n--
	r.id = r.id[:r.n]
}

// shiftPlanesUp moves entries [k, k+m) of every plane of d one place up (the generic form of
// shiftUp).
func shiftPlanesUp(d []float64, stride, k, m int) {
	for f := range nPlanes {
		o := f*stride + k
		copy(d[o+1:o+1+m], d[o:o+m])
	}
}

// shiftPlanesDown moves entries [k+1, k+1+m) of every plane of d one place down (the generic
// form of shiftDown).
func shiftPlanesDown(d []float64, stride, k, m int) {
	for f := range nPlanes {
		o := f*stride + k
		copy(d[o:o+m], d[o+1:o+1+m])
	}
}

// swap exchanges entries k and k+1.
func (r *row) swap(k int) {
	st := r.stride
	for f := range nPlanes {
		o := f*st + k
		r.d[o], r.d[o+1] = r.d[o+1], r.d[o]
	}
	r.id[k], r.id[k+1] = r.id[k+1], r.id[k]
}

// sweepConsts are the parameters of one simulation step as the hot loops read them.
type sweepConsts struct {
	a, s0, tg, hk float64 // IDM: a, s0, T and 1/(2√(ab))
	lo, hi        float64 // bounds of the IDM command
	carLo, carHi  float64 // bounds of any acceleration command
	vmin, vmax    float64 // speed limits
	invTau        float64 // 1/TauAccel of the speed controller
	dt, halfDt    float64
	delay         float64 // MOBIL.Delay
	eps           float64 // notZero's threshold
	maxAccel      float64 // IDM.MaxAccel
	// The lane controller's and the car's constants in the form the slow path uses them.
	invTauLat, lrTauH, lOverLr, lrOverL, invLr float64
	maxSteer, tanMaxSteer                      float64
}

// newSweepConsts derives the constants of a simulation step of dt seconds.
func newSweepConsts(p IDM, car Bicycle, ctl LaneController, m MOBIL, dt float64) sweepConsts {
	k := sweepConsts{
		a: p.ComfortAccel, s0: p.MinGap, tg: p.TimeGap, hk: 1 / (2 * math.Sqrt(p.ComfortAccel*p.ComfortDecel)),
		lo: math.Max(-p.MaxAccel, -car.MaxDecel), hi: math.Min(p.MaxAccel, car.MaxAccel),
		carLo: -car.MaxDecel, carHi: car.MaxAccel, vmin: car.MinSpeed, vmax: car.MaxSpeed,
		invTau: 1 / ctl.TauAccel, dt: dt, halfDt: 0.5 * dt, delay: m.Delay, eps: 1e-2,
		maxAccel: p.MaxAccel, invTauLat: 1 / ctl.TauLateral, lrTauH: car.RearToRef / ctl.TauHeading,
		lOverLr: car.Wheelbase / car.RearToRef, lrOverL: car.RearToRef / car.Wheelbase,
		invLr: 1 / car.RearToRef, maxSteer: math.Min(ctl.MaxSteer, car.MaxSteer), tanMaxSteer: math.Inf(1),
	}
	if k.maxSteer < math.Pi/2 {
		k.tanMaxSteer = math.Tan(k.maxSteer)
	}
	return k
}

// sweepTable holds sweepConsts for the vector kernels, each constant four times, in the order
// of sweep_amd64.s's offsets.
type sweepTable [72][4]float64

// table fills tab from k.
func (k *sweepConsts) table(tab *sweepTable) {
	bits := math.Float64frombits
	vals := []float64{
		k.a, k.s0, k.tg, k.hk, k.lo, k.hi, k.carLo, k.carHi, k.vmin, k.vmax, k.invTau, k.dt,
		k.halfDt, k.delay, powHalfWidth, k.eps, -k.eps, 1, kIDM, kMeta, kCrashed,
		bits(1<<63 - 1), bits(1 << 63), math.Inf(-1), powCentre, kSlowIDM, kSlowMeta,
		// PDEP masks spreading eight lanes' bits over two words of out (sweepAVX512).
		bits(0x000F000F), bits(0x00F000F0), bits(0x0F000F00),
		// The lane-change integration (laneStepFast).
		k.invTauLat, k.lrTauH, k.lOverLr, k.invLr, k.tanMaxSteer, asinRange, math.Pi, -math.Pi,
		0.5, maxArcSeries, -1,
		sinc1, sinc2, sinc3, sinc4, sinc5, cosc1, cosc2, cosc3, cosc4, cosc5,
	}
	vals = append(vals, asinC[:]...)
	for i, v := range vals {
		tab[i] = [4]float64{v, v, v, v}
	}
}

// Flags returned by a sweep.
const (
	sweepClose   = 1 << iota // two neighbours on the row may overlap
	sweepCrashed             // the row holds a crashed vehicle on the fast path
	// sweepUnmoved: the row holds a vehicle changing lanes that the sweep (with laneSteps)
	// did not move, for Traffic.moveSlow.
	sweepUnmoved
)

// sweepGeneric is the portable sweep (see sweep): the scalar form of the vector kernels, which
// must agree with it bit for bit.
func sweepGeneric(r *row, k *sweepConsts) int {
	st := r.stride
	S, V, F := r.d[pS*st:(pS+1)*st], r.d[pV*st:(pV+1)*st], r.d[pFree*st:(pFree+1)*st]
	T, A, TG := r.d[pTimer*st:(pTimer+1)*st], r.d[pAcc*st:(pAcc+1)*st], r.d[pTgt*st:(pTgt+1)*st]
	INV, HL, K := r.d[pInv*st:(pInv+1)*st], r.d[pHL*st:(pHL+1)*st], r.d[pKind*st:(pKind+1)*st]
	C := r.d[pC0*st:]
	nb := (r.n + 3) >> 2
	flags := 0
	prevS, prevHL := math.Inf(-1), 0.0
	for b := range nb {
		var out uint16
		for j := range 4 {
			e := 4*b + j
			kind := K[e]
			s := S[e]
			if kind != kGhost {
				v0 := V[e]
				dyn := v0*k.tg + v0*(v0-V[e+1])*k.hk
				if dyn < 0 {
					dyn = 0
				}
				gap := S[e+1] - s
				if gap < k.eps && gap > -k.eps {
					if gap >= 0 {
						gap = k.eps
					} else {
						gap = -k.eps
					}
				}
				q := (k.s0 + dyn) / gap
				accI := clamp(F[e]-k.a*q*q, k.lo, k.hi)
				var raw, cmd float64
				switch kind {
				case kIDM, kSlowIDM:
					raw, cmd = accI, accI
				case kMeta, kSlowMeta:
					raw = (TG[e] - v0) * k.invTau
					cmd = raw
				default:
					raw, cmd = -v0, A[e]
					flags |= sweepCrashed
				}
				A[e] = cmd
				if kind >= kSlowIDM {
					// A vehicle changing lanes: moved by laneStep (Traffic.moveSlow).
					goto next
				}
				acc := clamp(raw, k.carLo, k.carHi)
				v1 := clamp(v0+acc*k.dt, k.vmin, k.vmax)
				s += (v0 + v1) * k.halfDt
				x := v1 * INV[e]
				if v1 < 0 {
					x = 0
				}
				// Out of the series' range the value is left for afterSweep to replace.
				w := x - powCentre
				if !(math.Abs(w) <= powHalfWidth) {
					out |= 1 << j
				}
				var c [nPow]float64
				for m := range c {
					c[m] = C[m*st+e]
				}
				xd := estrin16(w, &c)
				timer := T[e] + k.dt
				if kind == kIDM && timer > k.delay {
					out |= 16 << j
				}
				S[e], V[e], F[e], T[e] = s, v1, k.a*(1-xd), timer
			}
		next:
			if s-prevS < HL[e]+prevHL {
				flags |= sweepClose
			}
			prevS, prevHL = s, HL[e]
		}
		r.out[b] = out
	}
	return flags
}

// laneSteps completes a sweep that left the vehicles changing lanes unmoved (the generic and
// AVX2 ones): those whose arguments lie in laneStepFast's ranges move as the AVX-512 sweep
// moves them, with their free-road term and timer, and are marked in out (bits 8-11). The
// others keep the acceleration command the sweep computed, for Traffic.moveSlow, and make it
// return sweepUnmoved (else 0).
func laneSteps(r *row, k *sweepConsts, vs []Vehicle) int {
	st := r.stride
	d := r.d
	flags := 0
	for e, kind := range d[pKind*st : pKind*st+r.n] {
		if kind < kSlowIDM {
			continue
		}
		c := r.col(e)
		ls := c.laneState()
		if !k.laneStepFast(&ls) {
			flags = sweepUnmoved
			continue
		}
		c.setLaneStep(&ls, k.dt)
		x := ls.v * c.get(pInv)
		if ls.v < 0 {
			x = 0
		}
		w := x - powCentre
		if !(math.Abs(w) <= powHalfWidth) {
			r.out[e>>2] |= 1 << (e & 3)
		}
		// The coefficients of the entry's planes are the vehicle's series'.
		c.set(pFree, k.a*(1-estrin16(w, &vs[r.id[e]].pw.c)))
		r.out[e>>2] |= 256 << (e & 3)
	}
	return flags
}

// countBelowGeneric is countBelow in Go, by the sign of each difference (finite values:
// negative exactly when the element is below s), without branches to mispredict.
func countBelowGeneric(S []float64, s float64) int {
	n := 0
	for _, x := range S {
		n += int(math.Float64bits(x-s) >> 63)
	}
	return n
}
