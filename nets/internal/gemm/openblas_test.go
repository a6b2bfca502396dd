//go:build openblas && cgo

package gemm

import "runtime"

func init() {
	benchImpls = append(benchImpls, impl{
		name: "openblas",
		setup: func(threads int) func() {
			if threads <= 0 {
				threads = runtime.GOMAXPROCS(0)
			}
			setOpenBLASThreads(threads)
			return func() {}
		},
		run: func(_ int, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		},
	})
}
