package gemm

import "unsafe"

// The portable micro-kernels: plain Go, 4×4 register blocks. They serve builds without assembly
// (other architectures, -tags purego) and CPUs without AVX2/FMA.

func newGenericArch() *arch {
	ar := &arch{
		name:    "generic",
		lanes:   4,
		tiles:   new(tileTable),
		dots:    new(dotTable),
		dotMaxM: 4,
		mr:      4, nv: 1,
		kc: 256, mc: 128, nc: 1024,
	}
	ar.full = ar.tiles
	for mr := 1; mr <= 4; mr++ {
		ar.tiles[mr][1] = func(k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr, c unsafe.Pointer, crs uintptr, alpha, beta float32, mask uintptr) {
			goTile(mr, int(mask), k, a, ars, aps, b, bps, c, crs, alpha, beta)
		}
		for nr := 1; nr <= 4; nr++ {
			ar.dots[mr][nr] = func(k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32, _ uintptr) {
				goDot(mr, nr, k, a, ars, b, brs, c, crs, ccs, alpha, beta)
			}
		}
	}
	for l := 1; l <= 4; l++ {
		ar.masks[l] = uintptr(l)
	}
	ar.init()
	return ar
}

func at(p unsafe.Pointer, off uintptr) float32 { return *(*float32)(unsafe.Add(p, off)) }

// goTile computes an mr×nc tile (mr, nc ≤ 4) with the tileFunc contract. Rows past mr and
// columns past nc repeat the last real one, so that every element of every tile is computed by
// the same instructions in the same order: the result of an element does not depend on where the
// tile boundaries fall, which keeps results independent of the thread count.
func goTile(mr, nc, k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr, c unsafe.Pointer, crs uintptr, alpha, beta float32) {
	r1, r2, r3 := uintptr(min(1, mr-1))*ars, uintptr(min(2, mr-1))*ars, uintptr(min(3, mr-1))*ars
	o1, o2, o3 := uintptr(min(1, nc-1))*4, uintptr(min(2, nc-1))*4, uintptr(min(3, nc-1))*4
	var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 float32
	for p := uintptr(0); p < uintptr(k); p++ {
		ap := unsafe.Add(a, p*aps)
		bp := unsafe.Add(b, p*bps)
		b0, b1, b2, b3 := at(bp, 0), at(bp, o1), at(bp, o2), at(bp, o3)
		a0 := at(ap, 0)
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		a1 := at(ap, r1)
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
		a2 := at(ap, r2)
		s20 += a2 * b0
		s21 += a2 * b1
		s22 += a2 * b2
		s23 += a2 * b3
		a3 := at(ap, r3)
		s30 += a3 * b0
		s31 += a3 * b1
		s32 += a3 * b2
		s33 += a3 * b3
	}
	sums := [4][4]float32{
		{s00, s01, s02, s03},
		{s10, s11, s12, s13},
		{s20, s21, s22, s23},
		{s30, s31, s32, s33},
	}
	store(mr, nc, &sums, c, crs, 4, alpha, beta)
}

// goDot computes an mr×nr block (mr, nr ≤ 4) with the dotFunc contract, repeating the last real
// row of A and of B past mr and nr like goTile.
func goDot(mr, nr, k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32) {
	a0, a1, a2, a3 := a, unsafe.Add(a, uintptr(min(1, mr-1))*ars), unsafe.Add(a, uintptr(min(2, mr-1))*ars), unsafe.Add(a, uintptr(min(3, mr-1))*ars)
	b0, b1, b2, b3 := b, unsafe.Add(b, uintptr(min(1, nr-1))*brs), unsafe.Add(b, uintptr(min(2, nr-1))*brs), unsafe.Add(b, uintptr(min(3, nr-1))*brs)
	var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 float32
	for p := uintptr(0); p < uintptr(k)*4; p += 4 {
		y0, y1, y2, y3 := at(b0, p), at(b1, p), at(b2, p), at(b3, p)
		x := at(a0, p)
		s00 += x * y0
		s01 += x * y1
		s02 += x * y2
		s03 += x * y3
		x = at(a1, p)
		s10 += x * y0
		s11 += x * y1
		s12 += x * y2
		s13 += x * y3
		x = at(a2, p)
		s20 += x * y0
		s21 += x * y1
		s22 += x * y2
		s23 += x * y3
		x = at(a3, p)
		s30 += x * y0
		s31 += x * y1
		s32 += x * y2
		s33 += x * y3
	}
	sums := [4][4]float32{
		{s00, s01, s02, s03},
		{s10, s11, s12, s13},
		{s20, s21, s22, s23},
		{s30, s31, s32, s33},
	}
	store(mr, nr, &sums, c, crs, ccs, alpha, beta)
}

// store writes C[i][j] = alpha·sums[i][j] + beta·C[i][j] (beta == 0: C is not read).
func store(mr, nc int, sums *[4][4]float32, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nc; j++ {
			p := (*float32)(unsafe.Add(c, uintptr(i)*crs+uintptr(j)*ccs))
			if beta == 0 {
				*p = alpha * sums[i][j]
			} else {
				*p = alpha*sums[i][j] + beta**p
			}
		}
	}
}
