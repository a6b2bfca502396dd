// Package gemm is gorl's float32 matrix multiply: C = alpha·op(A)·op(B) + beta·C on row-major
// matrices, the kernel under every Linear, convolution and recurrent layer in nets.
package gemm

import "fmt"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X or its
// transpose. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. With beta == 0, C is overwritten (NaNs in C do not propagate), as in BLAS.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// checkArgs panics with a message naming the bad argument: a shape mismatch in a kernel is a
// programming error in the caller.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if k > 0 {
		if lda < max(ac, 1) || len(a) < (ar-1)*lda+ac {
			panic(fmt.Sprintf("gemm: A is %dx%d with stride %d but has %d elements", ar, ac, lda, len(a)))
		}
		if ldb < max(bc, 1) || len(b) < (br-1)*ldb+bc {
			panic(fmt.Sprintf("gemm: B is %dx%d with stride %d but has %d elements", br, bc, ldb, len(b)))
		}
	}
	if ldc < max(n, 1) || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("gemm: C is %dx%d with stride %d but has %d elements", m, n, ldc, len(c)))
	}
}
