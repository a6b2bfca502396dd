//go:build !openblas || !cgo

package gemm

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X or its
// transpose. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. With beta == 0, C is overwritten (NaNs in C do not propagate), and with
// alpha == 0 or k == 0, A and B are not read, as in BLAS. It uses up to GOMAXPROCS goroutines for
// large products (Context sets another limit). Bad sizes or strides panic.
//
// This build runs gorl's own kernels; the openblas build tag swaps in OpenBLAS's cblas_sgemm.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	nativeSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Backend names the implementation behind Sgemm: "gorl/avx512", "gorl/avx2" or "gorl/generic"
// (or, under the openblas tag, "openblas/" and OpenBLAS's kernel family).
func Backend() string { return "gorl/" + bestArch.name }
