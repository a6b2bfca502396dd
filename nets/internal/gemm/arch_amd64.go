//go:build amd64 && !purego

package gemm

import "unsafe"

//go:generate go run ./internal/asmgen

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// cpuFeatures reports whether the CPU and the operating system support AVX2 with FMA, and
// AVX-512F: the instruction sets must be present (CPUID) and the OS must save their registers on a
// context switch (XCR0), or the first instruction faults.
func cpuFeatures() (avx2, avx512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	const sseAVXState = 1<<1 | 1<<2        // XMM and YMM upper halves
	const avx512State = 1<<5 | 1<<6 | 1<<7 // opmask, ZMM0-15 upper halves, ZMM16-31
	if xcr0&sseAVXState != sseAVXState {
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	avx2 = ebx7&(1<<5) != 0
	avx512 = avx2 && ebx7&(1<<16) != 0 && xcr0&avx512State == avx512State
	return avx2, avx512
}

// avx2Mask backs the AVX2 lane masks: 8-l words in, the next 8 words have l ones.
var avx2Mask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

var archAVX512 = &arch{
	name:  "avx512",
	lanes: 16,
	tiles: &tilesZ, full: &tilesZ, dots: &dotsZ, transposes: &transposes, rowCopy: copyRows,
	dotMaxM: 4,
	mr:      14, nv: 2,
	kc: 192, mc: 336, nc: 4096,
}

var archAVX2 = &arch{
	name:  "avx2",
	lanes: 8,
	tiles: &tilesY, full: &tilesYFull, dots: &dotsY, transposes: &transposes, rowCopy: copyRows,
	dotMaxM: 2,
	mr:      6, nv: 2,
	kc: 256, mc: 96, nc: 4096,
}

func init() {
	for l := 1; l <= 16; l++ {
		archAVX512.masks[l] = 1<<l - 1
	}
	for l := 1; l <= 8; l++ {
		archAVX2.masks[l] = uintptr(unsafe.Pointer(&avx2Mask[8-l]))
	}
	archAVX512.init()
	archAVX2.init()
	avx2, avx512 := cpuFeatures()
	switch {
	case avx512:
		bestArch = archAVX512
	case avx2:
		bestArch = archAVX2
	}
	if avx2 {
		supportedArchs = append(supportedArchs, archAVX2)
	}
	if avx512 {
		supportedArchs = append(supportedArchs, archAVX512)
	}
}

// transposeTail is the AVX2 lane mask of the transposes' last l8 < 8 columns.
func (ar *arch) transposeTail(l8 int) uintptr { return uintptr(unsafe.Pointer(&avx2Mask[8-l8])) }
