//go:build amd64 && !purego

package driving

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// hasAVX2 reports whether the CPU has AVX2 and the operating system saves the YMM registers
// (without the second, the first AVX instruction faults).
func hasAVX2() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&(osxsave|avx) != osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

// useAVX2 is fixed at start-up: the CPU does not change under a process.
var useAVX2 = hasAVX2()

// sweepKernel names the implementation of sweep in use.
var sweepKernel = map[bool]string{true: "avx2", false: "generic"}[useAVX2]

// sweep moves the fast vehicles of row r by one simulation step: the AVX2 kernel, four
// vehicles an instruction, where the CPU has it, else sweepGeneric, which it matches bit for
// bit.
func sweep(r *row, k *sweepConsts, tab *sweepTable) int {
	if useAVX2 {
		return sweepAVX2(&r.d[0], r.stride, (r.n+3)>>2, tab, &r.out[0])
	}
	return sweepGeneric(r, k)
}

// sweepAVX2 is sweepGeneric over nb blocks of four entries of the planes at d, each stride
// entries long, with the constants of tab; it writes one byte of out per block.
//
//go:noescape
func sweepAVX2(d *float64, stride, nb int, tab *sweepTable, out *uint8) int
