//go:build openblas && cgo

package gemm

import "github.com/gorl/gorl/nets/internal/gemm/internal/openblas"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X or its
// transpose. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. With beta == 0, C is overwritten (NaNs in C do not propagate), and with
// alpha == 0 or k == 0, A and B are not read, as in BLAS. Bad sizes or strides panic.
//
// This build (tag openblas) calls OpenBLAS's cblas_sgemm, which runs on OpenBLAS's own threads
// (OPENBLAS_NUM_THREADS); Context.Sgemm still runs gorl's kernels.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(&operands{m: m, n: n, beta: beta, c: c, ldc: ldc})
		return
	}
	openblas.Sgemm(transA, transB, m, n, k, alpha, &a[0], lda, &b[0], ldb, beta, &c[0], ldc)
}

// Backend names the implementation behind Sgemm: "openblas/" and the kernel family OpenBLAS
// picked for this CPU.
func Backend() string { return "openblas/" + openblas.CoreName() }

// setOpenBLASThreads sets OpenBLAS's thread count (benchmarks compare a core with a core).
func setOpenBLASThreads(n int) { openblas.SetThreads(n) }
