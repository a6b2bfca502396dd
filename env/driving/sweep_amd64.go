//go:build amd64 && !purego

package driving

import "unsafe"

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// cpuFeatures reports whether the CPU has AVX2, and AVX-512 F (with the DQ subset, for the
// double-precision logic instructions, and BMI2's PDEP), and the operating system saves
// their registers:
// without that, the first instruction faults.
func cpuFeatures() (avx2, avx512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&(osxsave|avx) != osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	if xcr0&6 != 6 { // XMM and YMM state
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	avx2 = ebx7&(1<<5) != 0
	const bmi2, f, dq = 1 << 8, 1 << 16, 1 << 17
	avx512 = avx2 && ebx7&(bmi2|f|dq) == bmi2|f|dq && xcr0&0xe0 == 0xe0 // opmask and ZMM state
	return avx2, avx512
}

// useAVX2 and useAVX512 are fixed at start-up: the CPU does not change under a process.
var useAVX2, useAVX512 = cpuFeatures()

// sweepKernel names the implementation of sweep in use.
var sweepKernel = map[[2]bool]string{{true, true}: "avx512", {true, false}: "avx2"}[[2]bool{useAVX2, useAVX512}]

// sweep moves the vehicles of row r by one simulation step: an AVX-512 kernel, eight
// vehicles an instruction, where the CPU has it, else an AVX2 one, four, or sweepGeneric,
// followed by laneSteps; all agree bit for bit.
func sweep(r *row, k *sweepConsts, tab *sweepTable, vs []Vehicle) int {
	var flags int
	switch {
	case useAVX512:
		return sweepAVX512(&r.d[0], r.stride, (r.n+7)>>3, tab, &r.out[0])
	case useAVX2:
		flags = sweepAVX2(&r.d[0], r.stride, (r.n+3)>>2, tab, &r.out[0])
	default:
		flags = sweepGeneric(r, k)
	}
	return flags | laneSteps(r, k, vs)
}

// sweepAVX2 is sweepGeneric over nb blocks of four entries of the planes at d, each stride
// entries long, with the constants of tab; it writes one byte of out per block.
//
//go:noescape
func sweepAVX2(d *float64, stride, nb int, tab *sweepTable, out *uint16) int

// sweepRow is a row as sweepRowsAVX512 reads it (the assembly knows this layout), with the
// flags it returns.
type sweepRow struct {
	d          *float64
	stride, nb int
	out        *uint16
	flags      int
}

// sweepRowsAVX512 is sweepAVX2 over each of n rows, nb blocks of eight entries each, in one
// call: the constants are loaded once, and nothing between the rows keeps the processor from
// overlapping their sweeps.
//
//go:noescape
func sweepRowsAVX512(rows *sweepRow, n int, tab *sweepTable)

// sweepAVX512 sweeps one row with sweepRowsAVX512.
func sweepAVX512(d *float64, stride, nb int, tab *sweepTable, out *uint16) int {
	rows := [1]sweepRow{{d: d, stride: stride, nb: nb, out: out}}
	sweepRowsAVX512(&rows[0], 1, tab)
	return rows[0].flags
}

// The assembly reads sweepRow's fields at 0, 8, 16, 24 and 32.
var _ = [1]struct{}{}[unsafe.Sizeof(sweepRow{})-40]

// sweepAll sweeps every row of t that has vehicles and records the flags in t.flags: with
// AVX-512 in one call, else row by row.
func (t *Traffic) sweepAll() {
	if !useAVX512 {
		for c := range t.rows {
			if r := &t.rows[c]; r.n > 0 {
				t.flags[c] = uint8(sweep(r, &t.k, &t.tab, t.Vehicles))
			}
		}
		return
	}
	// One sweepRow per row, empty rows included (no blocks: flags 0), written field by field:
	// a composite literal is built on the stack and copied in 16-byte moves, whose loads wait
	// for the 8-byte stores before them (no store forwarding), which cost 1.5% of a Highway
	// step.
	if len(t.batch) != len(t.rows) {
		t.batch = make([]sweepRow, len(t.rows))
	}
	for c := range t.rows {
		r, b := &t.rows[c], &t.batch[c]
		b.d, b.stride, b.nb, b.out = &r.d[0], r.stride, (r.n+7)>>3, &r.out[0]
	}
	sweepRowsAVX512(&t.batch[0], len(t.batch), &t.tab)
	for c := range t.rows {
		t.flags[c] = uint8(t.batch[c].flags)
	}
}

// shiftUp moves entries [k, k+m) of every plane of d one place up: rows are short and have
// many planes, where a loop of vector moves costs a fraction of a memmove call a plane.
func shiftUp(d []float64, stride, k, m int) {
	if m <= 0 {
		return
	}
	_ = d[(nPlanes-1)*stride+k+m] // every plane's entries, for the kernels
	switch {
	case useAVX512 && m <= 8:
		shiftUp8AVX512(&d[k], stride, m)
	case useAVX512 && m <= 16:
		shiftUp16AVX512(&d[k], stride, m)
	case useAVX2:
		shiftUpAVX(&d[k], stride, m)
	default:
		shiftPlanesUp(d, stride, k, m)
	}
}

// shiftDown moves entries [k+1, k+1+m) of every plane of d one place down.
func shiftDown(d []float64, stride, k, m int) {
	if m <= 0 {
		return
	}
	_ = d[(nPlanes-1)*stride+k+m] // every plane's entries, for the kernels
	switch {
	case useAVX512 && m <= 8:
		shiftDown8AVX512(&d[k], stride, m)
	case useAVX512 && m <= 16:
		shiftDown16AVX512(&d[k], stride, m)
	case useAVX2:
		shiftDownAVX(&d[k], stride, m)
	default:
		shiftPlanesDown(d, stride, k, m)
	}
}

// The assembly shifts nPlanes = 32 planes.
var _ = [1]struct{}{}[nPlanes-32]

// shiftUpAVX moves elements [0, m) of nPlanes planes stride elements apart from p one place
// up; shiftDownAVX elements [1, m+1) one place down. They use only AVX instructions.
//
//go:noescape
func shiftUpAVX(p *float64, stride, m int)

//go:noescape
func shiftDownAVX(p *float64, stride, m int)

// shiftUp8AVX512 and shiftDown8AVX512 are shiftUpAVX and shiftDownAVX for 1 <= m <= 8, the
// usual case (a row holds about a dozen vehicles): with AVX-512's masked moves, one load and
// one store a plane, where the AVX versions take a loop a plane whose trip count varies.
//
//go:noescape
func shiftUp8AVX512(p *float64, stride, m int)

//go:noescape
func shiftDown8AVX512(p *float64, stride, m int)

// shiftUp16AVX512 and shiftDown16AVX512 are shiftUpAVX and shiftDownAVX for 9 <= m <= 16
// (a vehicle joining or leaving a row near its back), two loads and two stores a plane.
//
//go:noescape
func shiftUp16AVX512(p *float64, stride, m int)

//go:noescape
func shiftDown16AVX512(p *float64, stride, m int)

// countBelow returns the number of the elements of S below s.
func countBelow(S []float64, s float64) int {
	if useAVX512 && (len(S) == 16 || len(S) == 32) {
		return countBelow8AVX512(&S[0], len(S)/8, s) // neighbourEntries' searches
	}
	if useAVX2 && len(S) > 0 {
		return countBelowAVX(&S[0], len(S), s)
	}
	return countBelowGeneric(S, s)
}

// countBelowAVX is countBelow for n elements at p, four compares an instruction.
//
//go:noescape
func countBelowAVX(p *float64, n int, s float64) int

// countBelow8AVX512 is countBelow for the 8·nb float64s at p, nb = 2 or 4, with AVX-512.
//
//go:noescape
func countBelow8AVX512(p *float64, nb int, s float64) int
