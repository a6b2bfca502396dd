package gemm

import "unsafe"

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into panels of w columns: panel jp holds kc rows of w
// floats, the columns of the last panel past nc left as they were (the kernels mask them).
func (ar *arch) packB(dst []float32, op *operands, pc, kc, jc, nc, w int) {
	for jp := 0; jp*w < nc; jp++ {
		j0 := jc + jp*w
		cols := min(w, nc-jp*w)
		panel := dst[jp*kc*w : (jp+1)*kc*w]
		if op.transB {
			ar.transposeCopy(panel, w, op.b[j0*op.ldb+pc:], op.ldb, cols, kc)
			continue
		}
		ar.copyRows(panel, w, op.b[pc*op.ldb+j0:], op.ldb, kc, cols)
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into panels of mr rows: panel ip holds kc columns of mr
// floats, the rows of the last panel past mc left as they were (no kernel reads them).
func (ar *arch) packA(dst []float32, op *operands, ic, mc, pc, kc, mr int) {
	for ip := 0; ip*mr < mc; ip++ {
		i0 := ic + ip*mr
		rows := min(mr, mc-ip*mr)
		panel := dst[ip*kc*mr : (ip+1)*kc*mr]
		if !op.transA {
			ar.transposeCopy(panel, mr, op.a[i0*op.lda+pc:], op.lda, rows, kc)
			continue
		}
		ar.copyRows(panel, mr, op.a[pc*op.lda+i0:], op.lda, kc, rows)
	}
}

// copyRows copies rows rows of n floats, row i from src[i*srs:] to dst[i*ds:].
func (ar *arch) copyRows(dst []float32, ds int, src []float32, srs, rows, n int) {
	if rows == 0 || n == 0 {
		return
	}
	if ar.rowCopy != nil {
		_ = src[(rows-1)*srs+n-1] // the last float read and written, bounds-checked
		_ = dst[(rows-1)*ds+n-1]
		ar.rowCopy(rows, unsafe.Pointer(&src[0]), uintptr(srs)*4, unsafe.Pointer(&dst[0]), uintptr(ds)*4, n, ar.transposeTail(n%8))
		return
	}
	for i := 0; i < rows; i++ {
		copy(dst[i*ds:i*ds+n], src[i*srs:i*srs+n])
	}
}

// transposeCopy copies rows rows of length l, row i at src[i*srs:], into dst transposed:
// dst[q*ds+i] = src[i*srs+q].
func (ar *arch) transposeCopy(dst []float32, ds int, src []float32, srs, rows, l int) {
	if l == 0 || rows == 0 {
		return
	}
	if ar.transposes != nil {
		tail := ar.transposeTail(l % 8)
		for i0 := 0; i0 < rows; i0 += 8 {
			r := min(8, rows-i0)
			_ = src[(i0+r-1)*srs+l-1] // the last float read and written, bounds-checked
			_ = dst[(l-1)*ds+i0+r-1]
			ar.transposes[r](l, unsafe.Pointer(&src[i0*srs]), uintptr(srs)*4, unsafe.Pointer(&dst[i0]), uintptr(ds)*4, tail)
		}
		return
	}
	for i := 0; i < rows; i++ {
		row := src[i*srs : i*srs+l]
		for q, v := range row {
			dst[q*ds+i] = v
		}
	}
}
