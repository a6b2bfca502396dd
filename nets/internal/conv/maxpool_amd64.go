//go:build amd64 && !purego

package conv

import "golang.org/x/sys/cpu"

// useSIMD selects the AVX2 kernels.
var useSIMD = cpu.X86.HasAVX2

// maxPool2x2SIMD is MaxPool2x2 on n outputs (a multiple of 8); arg may be nil.
//
//go:noescape
func maxPool2x2SIMD(r0, r1, out *float32, arg *int, n, base, w int) int
