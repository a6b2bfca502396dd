//go:build !amd64 || purego

package gemm

// Without assembly, the portable kernels in kernel_generic.go are the only ones.

func (ar *arch) transposeTail(int) uintptr { return 0 }
