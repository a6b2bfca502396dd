#include "textflag.h"

// The recurrent cells' backward loops of cells.go, 8 lanes a step. The gate blocks of a row are
// h floats apart: with DX = 4h bytes, block k of the row at SI is (SI), (SI)(DX*1), (SI)(DX*2)
// and (SI)(R13*1) with R13 = 3·DX. Products are in the Go loop's order; the LSTM's dc_t uses one
// fused multiply-add.

DATA cellone<>+0(SB)/4, $0x3f800000
GLOBL cellone<>(SB), RODATA|NOPTR, $4

// func lstmBackwardAVX2(dG, act, cPrev, tc, dy, dh, dc *float32, n, h int)
TEXT ·lstmBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ dG+0(FP), DI
	MOVQ act+8(FP), SI
	MOVQ cPrev+16(FP), R8
	MOVQ tc+24(FP), R9
	MOVQ dy+32(FP), R10
	MOVQ dh+40(FP), R11
	MOVQ dc+48(FP), R12
	MOVQ n+56(FP), CX
	MOVQ h+64(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R13
	VBROADCASTSS cellone<>(SB), Y15

lstmloop:
	VMOVUPS (SI), Y0          // i
	VMOVUPS (SI)(DX*1), Y1    // f
	VMOVUPS (SI)(DX*2), Y2    // g
	VMOVUPS (SI)(R13*1), Y3   // o
	VMOVUPS (R9), Y4          // tc
	VMOVUPS (R10), Y5
	VADDPS  (R11), Y5, Y5     // dh_t = dy + dh
	VMOVUPS (R12), Y6         // dc
	VMULPS  Y4, Y4, Y7
	VSUBPS  Y7, Y15, Y7       // 1 − tc²
	VMULPS  Y3, Y5, Y8        // dh_t·o
	VFMADD231PS Y7, Y8, Y6    // dc_t = dc + dh_t·o·(1 − tc²)

	VSUBPS  Y0, Y15, Y9       // di = dc_t·g·i·(1 − i)
	VMULPS  Y2, Y6, Y10
	VMULPS  Y0, Y10, Y10
	VMULPS  Y9, Y10, Y10
	VMOVUPS Y10, (DI)

	VSUBPS  Y1, Y15, Y9       // df = dc_t·cPrev·f·(1 − f)
	VMULPS  (R8), Y6, Y10
	VMULPS  Y1, Y10, Y10
	VMULPS  Y9, Y10, Y10
	VMOVUPS Y10, (DI)(DX*1)

	VMULPS  Y2, Y2, Y9        // dg = dc_t·i·(1 − g²)
	VSUBPS  Y9, Y15, Y9
	VMULPS  Y0, Y6, Y10
	VMULPS  Y9, Y10, Y10
	VMOVUPS Y10, (DI)(DX*2)

	VSUBPS  Y3, Y15, Y9       // do = dh_t·tc·o·(1 − o)
	VMULPS  Y4, Y5, Y10
	VMULPS  Y3, Y10, Y10
	VMULPS  Y9, Y10, Y10
	VMOVUPS Y10, (DI)(R13*1)

	VMULPS  Y1, Y6, Y6        // dc ← dc_t·f
	VMOVUPS Y6, (R12)

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	SUBQ $8, CX
	JNZ  lstmloop
	VZEROUPPER
	RET

// func gruBackwardAVX2(dG, dGh, act, ghn, hPrev, dy, dh *float32, n, h int)
TEXT ·gruBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ dG+0(FP), DI
	MOVQ dGh+8(FP), BX
	MOVQ act+16(FP), SI
	MOVQ ghn+24(FP), R8
	MOVQ hPrev+32(FP), R9
	MOVQ dy+40(FP), R10
	MOVQ dh+48(FP), R11
	MOVQ n+56(FP), CX
	MOVQ h+64(FP), DX
	SHLQ $2, DX
	VBROADCASTSS cellone<>(SB), Y15

gruloop:
	VMOVUPS (SI), Y0          // r
	VMOVUPS (SI)(DX*1), Y1    // z
	VMOVUPS (SI)(DX*2), Y2    // n
	VMOVUPS (R10), Y5
	VADDPS  (R11), Y5, Y5     // dh_t = dy + dh

	VSUBPS  Y1, Y15, Y6       // 1 − z
	VMULPS  Y2, Y2, Y7
	VSUBPS  Y7, Y15, Y7       // 1 − n²
	VMULPS  Y6, Y5, Y8
	VMULPS  Y7, Y8, Y8        // dn = dh_t·(1 − z)·(1 − n²)

	VMOVUPS (R9), Y9
	VSUBPS  Y2, Y9, Y9        // hPrev − n
	VMULPS  Y9, Y5, Y9
	VMULPS  Y1, Y9, Y9
	VMULPS  Y6, Y9, Y9        // dz = dh_t·(hPrev − n)·z·(1 − z)

	VMULPS  (R8), Y8, Y10
	VMULPS  Y0, Y10, Y10
	VSUBPS  Y0, Y15, Y11
	VMULPS  Y11, Y10, Y10     // dr = dn·ghn·r·(1 − r)

	VMOVUPS Y10, (DI)
	VMOVUPS Y9, (DI)(DX*1)
	VMOVUPS Y8, (DI)(DX*2)
	VMOVUPS Y10, (BX)
	VMOVUPS Y9, (BX)(DX*1)
	VMULPS  Y0, Y8, Y12       // dn·r
	VMOVUPS Y12, (BX)(DX*2)

	VMULPS  Y1, Y5, Y5        // dh ← dh_t·z
	VMOVUPS Y5, (R11)

	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	SUBQ $8, CX
	JNZ  gruloop
	VZEROUPPER
	RET
