// Command asmgen writes the amd64 micro-kernels of package gemm: kernels_amd64.s and
// kernels_amd64.go. The kernels differ only in their tile shape, so they are generated rather than
// written by hand; run it with `go generate` in nets/internal/gemm after changing it.
//
// Two families, each for AVX-512 (zmm, 16 lanes, mask registers) and AVX2+FMA (ymm, 8 lanes,
// VMASKMOVPS masks):
//
//   - tile kernels: an mr×(nv vectors) block of C = alpha·A·B + beta·C, with A read by broadcast
//     through a row stride and a k stride (so packed panels, A and Aᵀ all work unpacked) and B read
//     as vectors through a k stride (a packed panel or a row-major matrix);
//   - dot kernels: an mr×nr block of C = alpha·A·Bᵀ + beta·C where the rows of A and of B are both
//     contiguous along k (the m ≤ 4, transposed-B case: GEMV-like, no packing at all).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

type isa struct {
	name   string // Z or Y: kernel name prefix and register letter
	lanes  int    // float32 per vector
	nregs  int    // vector registers
	bcasts int    // broadcast registers in the tile loop
	avx512 bool   // mask registers (K1) instead of a mask vector in the last register
}

var (
	zmm = isa{name: "Z", lanes: 16, nregs: 32, bcasts: 2, avx512: true}
	ymm = isa{name: "Y", lanes: 8, nregs: 16, bcasts: 1}
)

const (
	maxRows   = 14 // tile rows: enough accumulators for the FMA latency with two vectors a row
	maxNV     = 8  // vectors per tile row (128 columns with zmm, for the m=1 GEMV-like case)
	maxDotRow = 4  // rows of A in a dot kernel
	maxDotCol = 8  // rows of B in a dot kernel
)

// usable registers: the AVX2 kernels keep the lane mask in Y15.
func (s isa) usable() int {
	if s.avx512 {
		return s.nregs
	}
	return s.nregs - 1
}

// tileRegs is the register count of an mr×nv tile kernel: accumulators, B vectors (with one row
// the unmasked B vectors are FMA memory operands, only the masked last one needs a register) and
// broadcasts.
func (s isa) tileRegs(mr, nv int) int {
	b := nv
	if mr == 1 {
		b = 1
	}
	return mr*nv + b + s.bcasts
}

func (s isa) tileOK(mr, nv int) bool {
	return s.tileRegs(mr, nv) <= s.usable() && mr*nv+3 <= s.usable() && mr <= maxRows
}

func (s isa) dotOK(mr, nr int) bool { return mr*nr+mr+2 <= s.usable() }

type gen struct{ b bytes.Buffer }

func (g *gen) f(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }

func (s isa) reg(i int) string { return fmt.Sprintf("%s%d", s.name, i) }

func xreg(i int) string { return fmt.Sprintf("X%d", i) }

// rowAddr addresses row r of an operand whose rows are `stride` bytes apart: base registers for rows
// 0-4, 5-9 and 10-14, and the stride and three times the stride as index registers.
func rowAddr(r int, bases [3]string, stride, stride3 string, off int) string {
	base := bases[r/5]
	d := ""
	if off != 0 {
		d = fmt.Sprint(off)
	}
	switch r % 5 {
	case 0:
		return fmt.Sprintf("%s(%s)", d, base)
	case 1:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, stride)
	case 2:
		return fmt.Sprintf("%s(%s)(%s*2)", d, base, stride)
	case 3:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, stride3)
	default:
		return fmt.Sprintf("%s(%s)(%s*4)", d, base, stride)
	}
}

func tileName(s isa, mr, nv int, masked bool) string {
	n := fmt.Sprintf("tile%s%dx%d", s.name, mr, nv)
	if !s.avx512 && !masked {
		n += "f"
	}
	return n
}

// tile writes one tile kernel:
//
//	func tileZ{mr}x{nv}(k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr,
//		c unsafe.Pointer, crs uintptr, alpha, beta float32, mask uintptr)
//
// C[i][j] = alpha·Σp A[i,p]·B[p,j] + beta·C[i][j] for i < mr, j < nv·lanes (the last vector masked),
// A[i,p] at a + i·ars + p·aps, B[p,·] at b + p·bps, C[i][·] at c + i·crs (strides in bytes).
// beta == 0 does not read C. mask: the lane bits of the last vector (AVX-512) or the address of
// an 8-lane int32 mask vector (AVX2); the AVX2 kernels without "masked" ignore it. One-row
// kernels sum even and odd k steps in two accumulator sets and add them at the end.
func (g *gen) tile(s isa, mr, nv int, masked bool) {
	name := tileName(s, mr, nv, masked)
	vb := s.lanes * 4
	// With one row, the FMA latency would bind (nv chains only): split k over two sets of
	// accumulators (even and odd steps) when the registers allow, and add them at the end.
	split := mr == 1 && 2*nv+1+s.bcasts <= s.usable()
	sets := 1
	if split {
		sets = 2
	}
	acc := func(i, v int) string { return s.reg(i*nv + v) }
	accSet := func(set, v int) string { return s.reg(set*nv + v) }
	nacc := mr * nv * sets
	bReg := func(v int) string {
		if mr == 1 {
			return s.reg(nacc)
		}
		return s.reg(nacc + v)
	}
	nb := nv
	if mr == 1 {
		nb = 1
	}
	bc := func(i int) string { return s.reg(nacc + nb + i%s.bcasts) }
	lastMasked := masked || s.avx512
	g.f("// func %s(k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr, c unsafe.Pointer, crs uintptr, alpha, beta float32, mask uintptr)", name)
	g.f("TEXT ·%s(SB), NOSPLIT, $0-80", name)
	g.f("\tMOVQ k+0(FP), CX")
	g.f("\tMOVQ a+8(FP), AX")
	g.f("\tMOVQ ars+16(FP), R9")
	g.f("\tMOVQ aps+24(FP), R8")
	g.f("\tMOVQ b+32(FP), BX")
	g.f("\tMOVQ bps+40(FP), DX")
	if lastMasked {
		if s.avx512 {
			g.f("\tMOVQ mask+72(FP), R13")
			g.f("\tKMOVW R13, K1")
		} else {
			g.f("\tMOVQ mask+72(FP), R13")
			g.f("\tVMOVDQU (R13), Y15")
		}
	}
	g.f("\tLEAQ (R9)(R9*2), R10")
	if mr > 5 {
		g.f("\tLEAQ (AX)(R9*4), R11")
		g.f("\tADDQ R9, R11")
	}
	if mr > 10 {
		g.f("\tLEAQ (R11)(R9*4), R12")
		g.f("\tADDQ R9, R12")
	}
	for i := 0; i < nacc; i++ {
		if s.avx512 {
			g.f("\tVPXORD %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		} else {
			g.f("\tVXORPS %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		}
	}
	bases := [3]string{"AX", "R11", "R12"}
	if mr > 1 {
		// Start fetching the C tile now: it is read (beta != 0) or written only after the loop.
		g.f("\tMOVQ c+48(FP), DI")
		g.f("\tMOVQ crs+56(FP), SI")
		for i := 0; i < mr; i++ {
			g.f("\tPREFETCHT0 (DI)")
			if nv*vb > 64 {
				g.f("\tPREFETCHT0 %d(DI)", nv*vb-4)
			}
			if i < mr-1 {
				g.f("\tADDQ SI, DI")
			}
		}
	}
	// step accumulates one k step into accumulator set `set` and advances A and B.
	step := func(set int) {
		for v := 0; v < nv; v++ {
			last := v == nv-1
			off := v * vb
			switch {
			case last && lastMasked && s.avx512:
				g.f("\tVMOVUPS.Z %d(BX), K1, %s", off, bReg(v))
			case last && lastMasked:
				g.f("\tVMASKMOVPS %d(BX), Y15, %s", off, bReg(v))
			case mr == 1:
				// memory operand below
			default:
				g.f("\tVMOVUPS %d(BX), %s", off, bReg(v))
			}
		}
		for i := 0; i < mr; i++ {
			g.f("\tVBROADCASTSS %s, %s", rowAddr(i, bases, "R9", "R10", 0), bc(i))
			for v := 0; v < nv; v++ {
				last := v == nv-1
				dst := acc(i, v)
				if split {
					dst = accSet(set, v)
				}
				if mr == 1 && !(last && lastMasked) {
					g.f("\tVFMADD231PS %d(BX), %s, %s", v*vb, bc(i), dst)
				} else {
					g.f("\tVFMADD231PS %s, %s, %s", bReg(v), bc(i), dst)
				}
			}
		}
		g.f("\tADDQ R8, AX")
		if mr > 5 {
			g.f("\tADDQ R8, R11")
		}
		if mr > 10 {
			g.f("\tADDQ R8, R12")
		}
		g.f("\tADDQ DX, BX")
	}
	if split {
		g.f("\tSHRQ $1, CX")
		g.f("\tJEQ odd")
		g.f("loop:")
		step(0)
		step(1)
		g.f("\tDECQ CX")
		g.f("\tJNE loop")
		g.f("odd:")
		g.f("\tMOVQ k+0(FP), CX")
		g.f("\tANDQ $1, CX")
		g.f("\tJEQ combine")
		step(0)
		g.f("combine:")
		for v := 0; v < nv; v++ {
			g.f("\tVADDPS %s, %s, %s", accSet(1, v), accSet(0, v), accSet(0, v))
		}
	} else {
		g.f("\tTESTQ CX, CX")
		g.f("\tJEQ epilogue")
		g.f("loop:")
		step(0)
		g.f("\tDECQ CX")
		g.f("\tJNE loop")
	}
	// Epilogue: three free registers for alpha, beta and C.
	g.f("epilogue:")
	free := []string{}
	for r := mr * nv; r < s.usable() && len(free) < 3; r++ {
		free = append(free, s.reg(r))
	}
	if len(free) < 3 {
		log.Fatalf("%s: no room for the epilogue", name)
	}
	ra, rb, rc := free[0], free[1], free[2]
	g.f("\tMOVQ c+48(FP), DI")
	g.f("\tMOVQ crs+56(FP), SI")
	g.f("\tVBROADCASTSS alpha+64(FP), %s", ra)
	g.f("\tMOVL beta+68(FP), R13")
	g.f("\tANDL $0x7fffffff, R13")
	g.f("\tJEQ betazero")
	g.f("\tVBROADCASTSS beta+68(FP), %s", rb)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			last := v == nv-1 && lastMasked
			off := v * vb
			switch {
			case last && s.avx512:
				g.f("\tVMOVUPS.Z %d(DI), K1, %s", off, rc)
			case last:
				g.f("\tVMASKMOVPS %d(DI), Y15, %s", off, rc)
			default:
				g.f("\tVMOVUPS %d(DI), %s", off, rc)
			}
			g.f("\tVMULPS %s, %s, %s", rb, rc, rc)
			g.f("\tVFMADD231PS %s, %s, %s", ra, acc(i, v), rc)
			switch {
			case last && s.avx512:
				g.f("\tVMOVUPS %s, K1, %d(DI)", rc, off)
			case last:
				g.f("\tVMASKMOVPS %s, Y15, %d(DI)", rc, off)
			default:
				g.f("\tVMOVUPS %s, %d(DI)", rc, off)
			}
		}
		if i < mr-1 {
			g.f("\tADDQ SI, DI")
		}
	}
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("betazero:")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			last := v == nv-1 && lastMasked
			off := v * vb
			g.f("\tVMULPS %s, %s, %s", ra, acc(i, v), acc(i, v))
			switch {
			case last && s.avx512:
				g.f("\tVMOVUPS %s, K1, %d(DI)", acc(i, v), off)
			case last:
				g.f("\tVMASKMOVPS %s, Y15, %d(DI)", acc(i, v), off)
			default:
				g.f("\tVMOVUPS %s, %d(DI)", acc(i, v), off)
			}
		}
		if i < mr-1 {
			g.f("\tADDQ SI, DI")
		}
	}
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

func dotName(s isa, mr, nr int) string { return fmt.Sprintf("dot%s%dx%d", s.name, mr, nr) }

// dot writes one dot kernel:
//
//	func dotZ{mr}x{nr}(k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr,
//		c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32, tail uintptr)
//
// C[i][j] = alpha·Σp A[i,p]·B[j,p] + beta·C[i][j] for i < mr, j < nr, A[i,·] at a + i·ars,
// B[j,·] at b + j·brs, C[i][j] at c + i·crs + j·ccs. The k%lanes last elements are read with the
// tail mask (lane bits, or the address of a mask vector), which must be 0 when k%lanes == 0.
// Each sum is reduced by a fixed tree, so the result does not depend on where the block sits.
func (g *gen) dot(s isa, mr, nr int) {
	name := dotName(s, mr, nr)
	vb := s.lanes * 4
	acc := func(i, j int) string { return s.reg(i*nr + j) }
	aReg := func(i int) string { return s.reg(mr*nr + i) }
	bTmp := func(j int) string { return s.reg(mr*nr + mr + j%2) }
	g.f("// func %s(k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32, tail uintptr)", name)
	frame := 0
	if s.avx512 && nr >= 2 {
		frame = 64 // a row of sums, for a C with strided columns
	}
	g.f("TEXT ·%s(SB), NOSPLIT, $%d-80", name, frame)
	g.f("\tMOVQ k+0(FP), CX")
	g.f("\tMOVQ a+8(FP), AX")
	g.f("\tMOVQ ars+16(FP), R9")
	g.f("\tMOVQ b+24(FP), BX")
	g.f("\tMOVQ brs+32(FP), R11")
	g.f("\tLEAQ (R9)(R9*2), R10")
	g.f("\tLEAQ (R11)(R11*2), R12")
	if nr > 5 {
		g.f("\tLEAQ (BX)(R11*4), R13")
		g.f("\tADDQ R11, R13")
	}
	for i := 0; i < mr*nr; i++ {
		if s.avx512 {
			g.f("\tVPXORD %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		} else {
			g.f("\tVXORPS %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		}
	}
	aBases := [3]string{"AX", "", ""}
	bBases := [3]string{"BX", "R13", ""}
	if s.avx512 {
		g.f("\tSHRQ $4, CX")
	} else {
		g.f("\tSHRQ $3, CX")
	}
	g.f("\tJEQ tail")
	body := func(masked bool) {
		load := func(addr, dst string) {
			switch {
			case masked && s.avx512:
				g.f("\tVMOVUPS.Z %s, K1, %s", addr, dst)
			case masked:
				g.f("\tVMASKMOVPS %s, Y15, %s", addr, dst)
			default:
				g.f("\tVMOVUPS %s, %s", addr, dst)
			}
		}
		for i := 0; i < mr; i++ {
			load(rowAddr(i, aBases, "R9", "R10", 0), aReg(i))
		}
		for j := 0; j < nr; j++ {
			addr := rowAddr(j, bBases, "R11", "R12", 0)
			if mr == 1 && !masked {
				g.f("\tVFMADD231PS %s, %s, %s", addr, aReg(0), acc(0, j))
				continue
			}
			load(addr, bTmp(j))
			for i := 0; i < mr; i++ {
				g.f("\tVFMADD231PS %s, %s, %s", bTmp(j), aReg(i), acc(i, j))
			}
		}
	}
	g.f("loop:")
	body(false)
	g.f("\tADDQ $%d, AX", vb)
	g.f("\tADDQ $%d, BX", vb)
	if nr > 5 {
		g.f("\tADDQ $%d, R13", vb)
	}
	g.f("\tDECQ CX")
	g.f("\tJNE loop")
	g.f("tail:")
	g.f("\tMOVQ tail+72(FP), DX")
	g.f("\tTESTQ DX, DX")
	g.f("\tJEQ reduce")
	if s.avx512 {
		g.f("\tKMOVW DX, K1")
	} else {
		g.f("\tVMOVDQU (DX), Y15")
	}
	body(true)
	g.f("reduce:")
	if s.avx512 && nr >= 2 {
		g.dotEpilogue512(mr, nr)
		return
	}
	t := s.reg(mr*nr + mr)
	for i := 0; i < mr*nr; i++ {
		r := s.reg(i)
		if s.avx512 {
			g.f("\tVSHUFF32X4 $0x4e, %s, %s, %s", r, r, t)
			g.f("\tVADDPS %s, %s, %s", t, r, r)
			g.f("\tVSHUFF32X4 $0xb1, %s, %s, %s", r, r, t)
			g.f("\tVADDPS %s, %s, %s", t, r, r)
		} else {
			g.f("\tVPERM2F128 $1, %s, %s, %s", r, r, t)
			g.f("\tVADDPS %s, %s, %s", t, r, r)
		}
		g.f("\tVPERMILPS $0x4e, %s, %s", r, t)
		g.f("\tVADDPS %s, %s, %s", t, r, r)
		g.f("\tVPERMILPS $0xb1, %s, %s", r, t)
		g.f("\tVADDPS %s, %s, %s", t, r, r)
	}
	xa, xb, xc := xreg(mr*nr), xreg(mr*nr+1), xreg(mr*nr+2)
	g.f("\tMOVQ c+40(FP), DI")
	g.f("\tMOVQ crs+48(FP), SI")
	g.f("\tMOVQ ccs+56(FP), R8")
	g.f("\tVMOVSS alpha+64(FP), %s", xa)
	g.f("\tMOVL beta+68(FP), DX")
	g.f("\tANDL $0x7fffffff, DX")
	g.f("\tJEQ betazero")
	g.f("\tVMOVSS beta+68(FP), %s", xb)
	store := func(betaZero bool) {
		for i := 0; i < mr; i++ {
			g.f("\tMOVQ DI, DX")
			for j := 0; j < nr; j++ {
				x := xreg(i*nr + j)
				if betaZero {
					g.f("\tVMULSS %s, %s, %s", xa, x, x)
					g.f("\tVMOVSS %s, (DX)", x)
				} else {
					g.f("\tVMOVSS (DX), %s", xc)
					g.f("\tVMULSS %s, %s, %s", xb, xc, xc)
					g.f("\tVFMADD231SS %s, %s, %s", xa, x, xc)
					g.f("\tVMOVSS %s, (DX)", xc)
				}
				if j < nr-1 {
					g.f("\tADDQ R8, DX")
				}
			}
			if i < mr-1 {
				g.f("\tADDQ SI, DI")
			}
		}
		g.f("\tVZEROUPPER")
		g.f("\tRET")
	}
	store(false)
	g.f("betazero:")
	store(true)
	g.f("")
}

// dotEpilogue512 reduces the accumulators of an AVX-512 dot kernel row by row, the nr sums of a
// row landing in the first nr lanes of one register by a shuffle tree (about 3 instructions an
// accumulator instead of 8 for reducing each alone), and stores them: one masked vector per row
// when C's columns are contiguous, else lane by lane from the stack.
func (g *gen) dotEpilogue512(mr, nr int) {
	s := zmm
	p := 2
	for p < nr {
		p *= 2
	}
	free := []string{}
	for r := mr * nr; r < 32; r++ {
		free = append(free, s.reg(r))
	}
	zero, t1, t2, idx := free[0], free[1], free[2], free[3]
	ra, rb, rc := free[4], free[5], free[6]
	g.f("\tVPXORD %s, %s, %s", zero, zero, zero)
	g.f("\tVMOVDQU32 ·dotPerm<>(SB), %s", idx)
	results := make([]string, mr)
	for i := 0; i < mr; i++ {
		regs := make([]string, p)
		for j := range regs {
			regs[j] = zero
			if j < nr {
				regs[j] = s.reg(i*nr + j)
			}
		}
		// combine sums pairs of registers with two shuffles (imm1, imm2 pick halves) and an add,
		// into the first real register of the pair.
		combine := func(op, imm1, imm2 string, a, b string) string {
			dst := a
			if a == zero {
				dst = b
			}
			if dst == zero {
				return zero
			}
			g.f("\t%s $%s, %s, %s, %s", op, imm1, b, a, t1)
			g.f("\t%s $%s, %s, %s, %s", op, imm2, b, a, t2)
			g.f("\tVADDPS %s, %s, %s", t2, t1, dst)
			return dst
		}
		// Level 1: 512-bit halves of pairs: [a.L0+a.L2, a.L1+a.L3, b.L0+b.L2, b.L1+b.L3].
		var us []string
		for j := 0; j < p; j += 2 {
			us = append(us, combine("VSHUFF32X4", "0x44", "0xee", regs[j], regs[j+1]))
		}
		// Level 2: 128-bit lanes of pairs of those: 4 partial sums for each of 4 accumulators.
		var ws []string
		for j := 0; j < len(us); j += 2 {
			b := us[0]
			if j+1 < len(us) {
				b = us[j+1]
			}
			ws = append(ws, combine("VSHUFF32X4", "0x88", "0xdd", us[j], b))
		}
		// Level 3: within 128-bit lanes; accumulator j < 4 lands in lane 4j, j ≥ 4 in 4(j-4)+2.
		w1, w2 := ws[0], ws[0]
		if len(ws) > 1 {
			w2 = ws[1]
		}
		r := combine("VSHUFPS", "0x88", "0xdd", w1, w2)
		g.f("\tVPERMILPS $0xb1, %s, %s", r, t1)
		g.f("\tVADDPS %s, %s, %s", t1, r, r)
		g.f("\tVPERMPS %s, %s, %s", r, idx, r)
		results[i] = r
	}
	g.f("\tMOVQ c+40(FP), DI")
	g.f("\tMOVQ crs+48(FP), SI")
	g.f("\tMOVQ ccs+56(FP), R8")
	g.f("\tMOVL $%d, DX", 1<<nr-1)
	g.f("\tKMOVW DX, K2")
	g.f("\tVBROADCASTSS alpha+64(FP), %s", ra)
	g.f("\tVBROADCASTSS beta+68(FP), %s", rb)
	g.f("\tMOVL beta+68(FP), R9")
	g.f("\tANDL $0x7fffffff, R9")
	g.f("\tCMPQ R8, $4")
	g.f("\tJNE strided")
	for _, betaZero := range []bool{false, true} {
		if betaZero {
			g.f("contiguousbetazero:")
		} else {
			g.f("\tTESTL R9, R9")
			g.f("\tJEQ contiguousbetazero")
		}
		for i, r := range results {
			if betaZero {
				g.f("\tVMULPS %s, %s, %s", ra, r, r)
				g.f("\tVMOVUPS %s, K2, (DI)", r)
			} else {
				g.f("\tVMOVUPS.Z (DI), K2, %s", rc)
				g.f("\tVMULPS %s, %s, %s", rb, rc, rc)
				g.f("\tVFMADD231PS %s, %s, %s", ra, r, rc)
				g.f("\tVMOVUPS %s, K2, (DI)", rc)
			}
			if i < mr-1 {
				g.f("\tADDQ SI, DI")
			}
		}
		g.f("\tVZEROUPPER")
		g.f("\tRET")
	}
	g.f("strided:")
	xa, xb, xc, xr := "X"+ra[1:], "X"+rb[1:], "X"+rc[1:], "X"+t1[1:]
	for _, betaZero := range []bool{false, true} {
		if betaZero {
			g.f("stridedbetazero:")
		} else {
			g.f("\tTESTL R9, R9")
			g.f("\tJEQ stridedbetazero")
		}
		for i, r := range results {
			g.f("\tVMOVUPS %s, (SP)", r)
			g.f("\tMOVQ DI, DX")
			for j := 0; j < nr; j++ {
				g.f("\tVMOVSS %d(SP), %s", 4*j, xr)
				g.f("\tVMULSS %s, %s, %s", xa, xr, xr)
				if !betaZero {
					g.f("\tVMOVSS (DX), %s", xc)
					g.f("\tVFMADD231SS %s, %s, %s", xb, xc, xr)
				}
				g.f("\tVMOVSS %s, (DX)", xr)
				if j < nr-1 {
					g.f("\tADDQ R8, DX")
				}
			}
			if i < mr-1 {
				g.f("\tADDQ SI, DI")
			}
		}
		g.f("\tVZEROUPPER")
		g.f("\tRET")
	}
	g.f("")
}

// transpose writes one transposing copy routine, AVX2 only (so AVX-512 machines run it too):
//
//	func transpose8x{r}(l int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, tail uintptr)
//
// For q < l and i < r it copies the float at src + i·srs + 4q to dst + q·ds + 4i: r rows of src
// become r-wide rows of dst, eight columns at a time through an 8×8 in-register transpose. The
// last l%8 columns are loaded through the lane mask at tail (its first l%8 lanes set) and only
// their rows stored. Rows past r repeat row r-1 in the registers and are not stored.
func (g *gen) transpose(r int) {
	name := fmt.Sprintf("transpose8x%d", r)
	g.f("// func %s(l int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, tail uintptr)", name)
	g.f("TEXT ·%s(SB), NOSPLIT, $0-48", name)
	g.f("\tMOVQ l+0(FP), CX")
	g.f("\tMOVQ src+8(FP), SI")
	g.f("\tMOVQ srs+16(FP), R8")
	g.f("\tMOVQ dst+24(FP), DI")
	g.f("\tMOVQ ds+32(FP), DX")
	g.f("\tMOVQ CX, R11")
	g.f("\tANDQ $7, R11")
	g.f("\tSHRQ $3, CX")
	g.f("\tLEAQ (R8)(R8*2), R9")
	g.f("\tLEAQ (SI)(R8*4), R10")
	g.f("\tLEAQ (DX)(DX*2), R12")
	g.f("\tLEAQ (DI)(DX*4), R13")
	g.f("\tADDQ DX, R13")
	srcBases := [2]string{"SI", "R10"}
	rowAddr := func(i int) string {
		row := min(i, r-1)
		base := srcBases[row/4]
		switch row % 4 {
		case 0:
			return fmt.Sprintf("(%s)", base)
		case 1:
			return fmt.Sprintf("(%s)(R8*1)", base)
		case 2:
			return fmt.Sprintf("(%s)(R8*2)", base)
		default:
			return fmt.Sprintf("(%s)(R9*1)", base)
		}
	}
	shuffle := func() {
		g.f("\tVUNPCKLPS Y1, Y0, Y8")
		g.f("\tVUNPCKHPS Y1, Y0, Y9")
		g.f("\tVUNPCKLPS Y3, Y2, Y10")
		g.f("\tVUNPCKHPS Y3, Y2, Y11")
		g.f("\tVUNPCKLPS Y5, Y4, Y12")
		g.f("\tVUNPCKHPS Y5, Y4, Y13")
		g.f("\tVUNPCKLPS Y7, Y6, Y14")
		g.f("\tVUNPCKHPS Y7, Y6, Y15")
		g.f("\tVSHUFPS $0x44, Y10, Y8, Y0")
		g.f("\tVSHUFPS $0xee, Y10, Y8, Y1")
		g.f("\tVSHUFPS $0x44, Y11, Y9, Y2")
		g.f("\tVSHUFPS $0xee, Y11, Y9, Y3")
		g.f("\tVSHUFPS $0x44, Y14, Y12, Y4")
		g.f("\tVSHUFPS $0xee, Y14, Y12, Y5")
		g.f("\tVSHUFPS $0x44, Y15, Y13, Y6")
		g.f("\tVSHUFPS $0xee, Y15, Y13, Y7")
		// Output column q: low halves of Y(q%4) and Y(q%4+4) for q < 4, high halves after.
		for q := 0; q < 8; q++ {
			imm := "$0x20"
			if q >= 4 {
				imm = "$0x31"
			}
			g.f("\tVPERM2F128 %s, Y%d, Y%d, Y%d", imm, q%4+4, q%4, 8+q)
		}
	}
	store := func(q int, skip string) {
		if skip != "" {
			g.f("\tCMPQ R11, $%d", q)
			g.f("\tJLE %s", skip)
		}
		base := [8]string{"(DI)", "(DI)(DX*1)", "(DI)(DX*2)", "(DI)(R12*1)", "(DI)(DX*4)", "(R13)", "(R13)(DX*1)", "(R13)(DX*2)"}[q]
		y, x := fmt.Sprintf("Y%d", 8+q), fmt.Sprintf("X%d", 8+q)
		if r == 8 {
			g.f("\tVMOVUPS %s, %s", y, base)
			return
		}
		off, left := 0, r
		at := func() string {
			if off == 0 {
				return base
			}
			return fmt.Sprint(off) + base
		}
		if left >= 4 {
			g.f("\tVMOVUPS %s, %s", x, at())
			off, left = off+16, left-4
			if left > 0 {
				g.f("\tVEXTRACTF128 $1, %s, %s", y, x)
			}
		}
		if left >= 2 {
			g.f("\tVMOVQ %s, %s", x, at())
			if left == 3 {
				g.f("\tVEXTRACTPS $2, %s, %d%s", x, off+8, base)
			}
		} else if left == 1 {
			g.f("\tVMOVSS %s, %s", x, at())
		}
	}
	g.f("\tTESTQ CX, CX")
	g.f("\tJEQ tail")
	g.f("loop:")
	for i := 0; i < 8; i++ {
		g.f("\tVMOVUPS %s, Y%d", rowAddr(i), i)
	}
	shuffle()
	for q := 0; q < 8; q++ {
		store(q, "")
	}
	g.f("\tADDQ $32, SI")
	g.f("\tADDQ $32, R10")
	g.f("\tLEAQ (DI)(DX*8), DI")
	g.f("\tLEAQ (R13)(DX*8), R13")
	g.f("\tDECQ CX")
	g.f("\tJNE loop")
	g.f("tail:")
	g.f("\tTESTQ R11, R11")
	g.f("\tJEQ done")
	g.f("\tMOVQ tail+40(FP), AX")
	g.f("\tVMOVDQU (AX), Y15")
	for i := 0; i < 8; i++ {
		g.f("\tVMASKMOVPS %s, Y15, Y%d", rowAddr(i), i)
	}
	shuffle()
	for q := 0; q < 8; q++ {
		store(q, "done")
	}
	g.f("done:")
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

// copyRows writes the row-copy routine (AVX2, so AVX-512 machines run it too):
//
//	func copyRows(rows int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, n int, tail uintptr)
//
// It copies rows rows of n floats, row i from src + i·srs to dst + i·ds, eight floats a move and
// the last n%8 through the lane mask at tail.
func (g *gen) copyRows() {
	g.f("// func copyRows(rows int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, n int, tail uintptr)")
	g.f("TEXT ·copyRows(SB), NOSPLIT, $0-56")
	g.f("\tMOVQ rows+0(FP), BX")
	g.f("\tMOVQ src+8(FP), SI")
	g.f("\tMOVQ srs+16(FP), R8")
	g.f("\tMOVQ dst+24(FP), DI")
	g.f("\tMOVQ ds+32(FP), R9")
	g.f("\tMOVQ n+40(FP), R10")
	g.f("\tMOVQ tail+48(FP), AX")
	g.f("\tVMOVDQU (AX), Y15")
	g.f("\tMOVQ R10, R11")
	g.f("\tANDQ $7, R11")
	g.f("\tSHRQ $3, R10")
	g.f("\tTESTQ BX, BX")
	g.f("\tJEQ done")
	g.f("row:")
	g.f("\tXORQ AX, AX")
	g.f("\tMOVQ R10, CX")
	g.f("\tTESTQ CX, CX")
	g.f("\tJEQ tail")
	g.f("chunk:")
	g.f("\tVMOVUPS (SI)(AX*1), Y0")
	g.f("\tVMOVUPS Y0, (DI)(AX*1)")
	g.f("\tADDQ $32, AX")
	g.f("\tDECQ CX")
	g.f("\tJNE chunk")
	g.f("tail:")
	g.f("\tTESTQ R11, R11")
	g.f("\tJEQ next")
	g.f("\tVMASKMOVPS (SI)(AX*1), Y15, Y0")
	g.f("\tVMASKMOVPS Y0, Y15, (DI)(AX*1)")
	g.f("next:")
	g.f("\tADDQ R8, SI")
	g.f("\tADDQ R9, DI")
	g.f("\tDECQ BX")
	g.f("\tJNE row")
	g.f("done:")
	g.f("\tVZEROUPPER")
	g.f("\tRET")
	g.f("")
}

func main() {
	out := flag.String("o", "kernels_amd64", "output file name without extension")
	flag.Parse()
	asm, gosrc, err := generate()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out+".s", asm, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out+".go", gosrc, 0o644); err != nil {
		log.Fatal(err)
	}
}

// generate returns the assembly and the Go declarations of every kernel.
func generate() (asm, gosrc []byte, err error) {
	var s, g gen
	hdr := "// Code generated by internal/asmgen; DO NOT EDIT.\n"
	s.f("%s\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n", hdr)
	// dotPerm gathers the sums of dotEpilogue512's shuffle tree into lanes 0-7.
	for i, l := range []int{0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0} {
		s.f("DATA ·dotPerm<>+%d(SB)/4, $%d", 4*i, l)
	}
	s.f("GLOBL ·dotPerm<>(SB), RODATA|NOPTR, $64\n")
	g.f("%s\n//go:build amd64 && !purego\n\npackage gemm\n\nimport \"unsafe\"\n", hdr)
	var tables strings.Builder
	for _, st := range []isa{zmm, ymm} {
		variants := []bool{true}
		if !st.avx512 {
			variants = []bool{true, false}
		}
		for _, masked := range variants {
			tbl := "tiles" + st.name
			if !st.avx512 && !masked {
				tbl += "Full"
			}
			fmt.Fprintf(&tables, "\n// %s[mr][nv] is the %s tile kernel with mr rows and nv vectors a row.\nvar %s = [%d][%d]tileFunc{\n", tbl, st.name, tbl, maxRows+1, maxNV+1)
			for mr := 1; mr <= maxRows; mr++ {
				var row []string
				for nv := 1; nv <= maxNV; nv++ {
					if !st.tileOK(mr, nv) {
						continue
					}
					s.tile(st, mr, nv, masked)
					n := tileName(st, mr, nv, masked)
					g.f("//go:noescape\nfunc %s(k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr, c unsafe.Pointer, crs uintptr, alpha, beta float32, mask uintptr)\n", n)
					row = append(row, fmt.Sprintf("%d: %s", nv, n))
				}
				fmt.Fprintf(&tables, "\t%d: {%s},\n", mr, strings.Join(row, ", "))
			}
			tables.WriteString("}\n")
		}
		tbl := "dots" + st.name
		fmt.Fprintf(&tables, "\n// %s[mr][nr] is the %s dot kernel for mr rows of A and nr rows of B.\nvar %s = [%d][%d]dotFunc{\n", tbl, st.name, tbl, maxDotRow+1, maxDotCol+1)
		for mr := 1; mr <= maxDotRow; mr++ {
			var row []string
			for nr := 1; nr <= maxDotCol; nr++ {
				if !st.dotOK(mr, nr) {
					continue
				}
				s.dot(st, mr, nr)
				n := dotName(st, mr, nr)
				g.f("//go:noescape\nfunc %s(k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32, tail uintptr)\n", n)
				row = append(row, fmt.Sprintf("%d: %s", nr, n))
			}
			fmt.Fprintf(&tables, "\t%d: {%s},\n", mr, strings.Join(row, ", "))
		}
		tables.WriteString("}\n")
	}
	tables.WriteString("\n// transposes[r] copies r rows into r-wide rows.\nvar transposes = [9]transposeFunc{")
	for r := 1; r <= 8; r++ {
		s.transpose(r)
		n := fmt.Sprintf("transpose8x%d", r)
		g.f("//go:noescape\nfunc %s(l int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, tail uintptr)\n", n)
		fmt.Fprintf(&tables, "%d: %s, ", r, n)
	}
	tables.WriteString("}\n")
	s.copyRows()
	g.f("//go:noescape\nfunc copyRows(rows int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, n int, tail uintptr)\n")
	g.b.WriteString(tables.String())
	src, err := format.Source(g.b.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("formatting the Go declarations: %v", err)
	}
	return s.b.Bytes(), src, nil
}
