package gemm

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into panels of w columns: panel jp holds kc rows of w
// floats, the columns of the last panel past nc left as they were (the kernels mask them).
func packB(dst []float32, op *operands, pc, kc, jc, nc, w int) {
	for jp := 0; jp*w < nc; jp++ {
		j0 := jc + jp*w
		cols := min(w, nc-jp*w)
		panel := dst[jp*kc*w : (jp+1)*kc*w]
		if !op.transB {
			for p := 0; p < kc; p++ {
				copy(panel[p*w:p*w+cols], op.b[(pc+p)*op.ldb+j0:][:cols])
			}
			continue
		}
		for jj := 0; jj < cols; jj++ {
			src := op.b[(j0+jj)*op.ldb+pc:][:kc]
			col := panel[jj:]
			for p, v := range src {
				col[p*w] = v
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into panels of mr rows: panel ip holds kc columns of mr
// floats, the rows of the last panel past mc left as they were (no kernel reads them).
func packA(dst []float32, op *operands, ic, mc, pc, kc, mr int) {
	for ip := 0; ip*mr < mc; ip++ {
		i0 := ic + ip*mr
		rows := min(mr, mc-ip*mr)
		panel := dst[ip*kc*mr : (ip+1)*kc*mr]
		if op.transA {
			for p := 0; p < kc; p++ {
				copy(panel[p*mr:p*mr+rows], op.a[(pc+p)*op.lda+i0:][:rows])
			}
			continue
		}
		for ii := 0; ii < rows; ii++ {
			src := op.a[(i0+ii)*op.lda+pc:][:kc]
			row := panel[ii:]
			for p, v := range src {
				row[p*mr] = v
			}
		}
	}
}

// packRows copies the first rows rows of a k-wide operand whose element (i, p) is at
// src[i*rs+p*ps] into dst as contiguous rows of k floats.
func packRows(dst, src []float32, rows, k, rs, ps int) {
	for i := 0; i < rows; i++ {
		row := dst[i*k : (i+1)*k]
		for p := range row {
			row[p] = src[i*rs+p*ps]
		}
	}
}
