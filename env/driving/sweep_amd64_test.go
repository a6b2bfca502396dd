//go:build amd64 && !purego

package driving

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vector sweeps agree with the portable one bit for bit on random rows of every kind of
// entry: ghosts, traffic, meta-action and crashed vehicles, leaders closer than notZero's
// threshold, speeds outside the series' range and below zero, overlapping neighbours.
func TestSweepVectorMatchesGeneric(t *testing.T) {
	kernels := []struct {
		name      string
		ok        bool
		width     int
		laneSteps bool // the kernel moves the vehicles changing lanes
		f         func(d *float64, stride, nb int, tab *sweepTable, out *uint16) int
	}{
		{"avx2", useAVX2, 4, false, sweepAVX2},
		{"avx512", useAVX512, 8, true, sweepAVX512},
	}
	for _, kern := range kernels {
		t.Run(kern.name, func(t *testing.T) {
			if !kern.ok {
				t.Skipf("the CPU has no %s", kern.name)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			var seen [6]int // closeness, crashed flags, pow misses, due bits, lane steps, unmoved flags
			for trial := range 1000 {
				r := randomRow(rng, 1+rng.IntN(45))
				k := newSweepConsts(DefaultIDM(), DefaultCar(), DefaultLaneController(), DefaultMOBIL(), []float64{1.0 / 15, 0.1, 0.02}[trial%3])
				if trial%7 == 0 {
					k.carLo, k.carHi = -4, 3 // the car's limits bind
				}
				var tab sweepTable
				k.table(&tab)
				want := cloneRow(r)
				wf := sweepGeneric(want, &k)
				if kern.laneSteps {
					wf |= laneSteps(want, &k, rowVehicles(r))
				}
				gf := kern.f(&r.d[0], r.stride, (r.n+kern.width-1)/kern.width, &tab, &r.out[0])
				// The closeness flag is conservative and may depend on whether the
				// vehicles changing lanes moved before it was computed.
				if gf&^sweepClose != wf&^sweepClose || (gf&sweepClose == 0 && closeRow(want)) {
					t.Fatalf("trial %d: flags %b; generic %b", trial, gf, wf)
				}
				for i := range r.d {
					// The command of the vehicles changing lanes is read from the entries
					// that moved only.
					f, e := i/r.stride, i%r.stride
					if f >= pSinB && (e >= r.n || want.out[e>>2]>>(8+e&3)&1 == 0) {
						continue
					}
					if math.Float64bits(r.d[i]) != math.Float64bits(want.d[i]) {
						t.Fatalf("trial %d: plane %d entry %d = %v; generic %v", trial, i/r.stride, i%r.stride, r.d[i], want.d[i])
					}
				}
				for b := range (r.n + 3) >> 2 {
					if r.out[b] != want.out[b] {
						t.Fatalf("trial %d: block %d output %08b; generic %08b", trial, b, r.out[b], want.out[b])
					}
					if r.out[b]&15 != 0 {
						seen[2]++
					}
					if r.out[b]>>4&15 != 0 {
						seen[3]++
					}
					if r.out[b]>>8 != 0 {
						seen[4]++
					}
				}
				seen[0] += wf & sweepClose
				seen[1] += wf & sweepCrashed >> 1
				seen[5] += wf & sweepUnmoved >> 2
			}
			for i, n := range seen {
				if n == 0 && (i < 4 || kern.laneSteps) { // (the AVX2 kernel leaves lane changes to laneSteps)
					t.Errorf("case %d never happened: the test exercised nothing", i)
				}
			}
		})
	}
}

// randomRow returns a row of n entries with random states and kinds.
func randomRow(rng *rand.Rand, n int) *row {
	r := &row{}
	r.reset()
	if n+8 > r.stride {
		r.grow(n + 8)
	}
	s := rng.Float64() * 100
	for e := range n {
		var ps powSeries
		delta := 3.5 + rng.Float64()
		if rng.IntN(5) == 0 {
			delta = 1 + 7*rng.Float64()
		}
		ps.set(delta)
		v0 := 15 + 15*rng.Float64()
		v := v0 * (0.5 + 0.7*rng.Float64())
		if rng.IntN(20) == 0 {
			v = -rng.Float64()
		}
		kind := []float64{kIDM, kIDM, kIDM, kIDM, kIDM, kGhost, kMeta, kCrashed, kSlowIDM, kSlowMeta}[rng.IntN(10)]
		vals := map[int]float64{
			pS: s, pV: v, pFree: 3 * (1 - math.Pow(math.Max(v, 0)/v0, delta)), pTimer: 1.2 * rng.Float64(),
			pAcc: rng.NormFloat64(), pTgt: v0, pInv: 1 / v0, pHL: 2.5, pKind: kind,
		}
		if rng.IntN(4) == 0 {
			vals[pHL] = 1 + 3*rng.Float64()
		}
		for f, x := range vals {
			r.set(f, e, x)
		}
		for j, c := range ps.c {
			r.set(pC0+j, e, c)
		}
		// A lane change: towards a lane centre up to a lane and a half away, heading
		// within a few degrees (rarely beyond the series' ranges).
		off := 4 * float64(rng.IntN(4))
		head := 0.05 * rng.NormFloat64()
		if rng.IntN(30) == 0 {
			head = math.Pi - 0.01*rng.Float64() // about to wrap
		}
		lane := map[int]float64{
			pR0: off + 6*(rng.Float64()-0.5), pE: head, pEC: math.Cos(head), pES: math.Sin(head), pOff: off,
			pSinB: rng.NormFloat64(), pCosB: rng.NormFloat64(),
		}
		for f, x := range lane {
			r.set(f, e, x)
		}
		r.id = append(r.id, int32(e))
		r.n++
		switch rng.IntN(10) {
		case 0:
			s += 0.02 * rng.Float64() // within notZero's threshold
		case 1:
			s += 5 * rng.Float64() // overlapping
		default:
			s += 5 + 60*rng.Float64()
		}
	}
	return r
}

// rowVehicles returns vehicles whose series are those of r's entries (entry e is vehicle e).
func rowVehicles(r *row) []Vehicle {
	vs := make([]Vehicle, r.n)
	for e := range vs {
		for j := range vs[e].pw.c {
			vs[e].pw.c[j] = r.at(pC0+j, e)
		}
	}
	return vs
}

// closeRow reports whether two neighbours of r are closer than their half lengths.
func closeRow(r *row) bool {
	for e := 1; e < r.n; e++ {
		if r.at(pS, e)-r.at(pS, e-1) < r.at(pHL, e)+r.at(pHL, e-1) {
			return true
		}
	}
	return false
}

func cloneRow(r *row) *row {
	c := *r
	c.d = append([]float64(nil), r.d...)
	c.out = append([]uint16(nil), r.out...)
	c.id = append([]int32(nil), r.id...)
	return &c
}

// The vector shifts of row entries agree with the generic ones.
func TestShiftAVX(t *testing.T) {
	if !useAVX2 {
		t.Skip("the CPU has no AVX2")
	}
	// With AVX-512, shifts of up to sixteen entries take the masked kernels; the AVX ones are
	// tested too, with AVX-512 switched off.
	_, haveAVX512 := cpuFeatures()
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 600 {
		useAVX512 = haveAVX512 && trial < 300
		stride := 16 << rng.IntN(3)
		d := make([]float64, nPlanes*stride)
		for i := range d {
			d[i] = rng.NormFloat64()
		}
		k := rng.IntN(stride - 1)
		m := rng.IntN(stride - k)
		switch trial % 3 {
		case 0:
			m = min(m, 8) // the masked kernels' ranges
		case 1:
			m = min(m, 16)
		}
		want := append([]float64(nil), d...)
		got := append([]float64(nil), d...)
		if trial%2 == 0 {
			shiftPlanesUp(want, stride, k, m)
			shiftUp(got, stride, k, m)
		} else {
			m = min(m, stride-k-1)
			shiftPlanesDown(want, stride, k, m)
			shiftDown(got, stride, k, m)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("trial %d (stride %d, k %d, m %d): element %d = %v; want %v", trial, stride, k, m, i, got[i], want[i])
			}
		}
	}
}

// countBelow agrees with a plain count (every kernel: the lengths of 16 and 32 take the AVX-512
// one where the CPU has it).
func TestCountBelow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 500 {
		n := rng.IntN(40)
		if trial%4 == 0 {
			n = 16 << (trial / 4 % 2) // the AVX-512 kernel's lengths
		}
		S := make([]float64, n)
		for i := range S {
			S[i] = float64(rng.IntN(20)) // ties with s included
		}
		s := float64(rng.IntN(22)) - 1
		want := 0
		for _, x := range S {
			if x < s {
				want++
			}
		}
		if got, gen := countBelow(S, s), countBelowGeneric(S, s); got != want || gen != want {
			t.Fatalf("trial %d: countBelow %d, generic %d; want %d", trial, got, gen, want)
		}
	}
}
