//go:build openblas && cgo

package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// Sgemm calls cblas_sgemm on row-major matrices. The caller has checked the arguments, and
// m, n and k are all positive.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a *float32, lda int, b *float32, ldb int, beta float32, c *float32, ldc int) {
	ta, tb := uint32(C.CblasNoTrans), uint32(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(a), C.blasint(lda), (*C.float)(b), C.blasint(ldb),
		C.float(beta), (*C.float)(c), C.blasint(ldc))
}

// CoreName is the kernel family OpenBLAS picked for this CPU (OPENBLAS_CORETYPE overrides it).
func CoreName() string { return C.GoString(C.openblas_get_corename()) }

// SetThreads sets the number of threads OpenBLAS uses.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
