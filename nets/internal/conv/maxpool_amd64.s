//go:build amd64 && !purego

#include "textflag.h"

// Offsets 0, 2, ..., 14 of the first elements of 8 consecutive 2×2 windows.
DATA iota2<>+0(SB)/4, $0
DATA iota2<>+4(SB)/4, $2
DATA iota2<>+8(SB)/4, $4
DATA iota2<>+12(SB)/4, $6
DATA iota2<>+16(SB)/4, $8
DATA iota2<>+20(SB)/4, $10
DATA iota2<>+24(SB)/4, $12
DATA iota2<>+28(SB)/4, $14
GLOBL iota2<>(SB), RODATA|NOPTR, $32

// func maxPool2x2SIMD(r0, r1, out *float32, arg *int, n, base, w int) int
//
// Each iteration pools 8 windows: 16 floats of each row are split into the windows' left (a, c)
// and right (b, d) elements with VSHUFPS, which leaves the windows in the order 0 1 4 5 2 3 6 7;
// the results are put back in order with VPERMQ 0xD8 (qwords 0 2 1 3). The source offset k is
// w+1, replaced by w where c equals the maximum, by 1 where b does and by 0 where a does, so the
// first match in a, b, c, d wins. A group with a NaN ends the loop before it is stored.
TEXT ·maxPool2x2SIMD(SB), NOSPLIT, $0-64
	MOVQ r0+0(FP), SI
	MOVQ r1+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ arg+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ base+40(FP), AX
	MOVQ w+48(FP), BX
	XORQ R9, R9                // outputs done

	MOVQ BX, X11
	VPBROADCASTD X11, Y11      // w
	INCQ BX
	MOVQ BX, X10
	VPBROADCASTD X10, Y10      // w+1
	MOVL $1, BX
	MOVQ BX, X12
	VPBROADCASTD X12, Y12      // 1
	MOVL $16, BX
	MOVQ BX, X14
	VPBROADCASTD X14, Y14      // 16: the offset step of 8 windows
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	VPADDD iota2<>(SB), Y13, Y13 // base + 2j for the 8 windows

loop:
	CMPQ R9, CX
	JGE  done
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2  // a
	VSHUFPS $0xDD, Y1, Y0, Y3  // b
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VSHUFPS $0x88, Y1, Y0, Y4  // c
	VSHUFPS $0xDD, Y1, Y0, Y5  // d
	VCMPPS  $3, Y3, Y2, Y6     // a or b is NaN
	VCMPPS  $3, Y5, Y4, Y7     // c or d is NaN
	VORPS   Y7, Y6, Y6
	VMOVMSKPS Y6, BX
	TESTL   BX, BX
	JNZ     done
	VMAXPS  Y3, Y2, Y7
	VMAXPS  Y5, Y4, Y8
	VMAXPS  Y8, Y7, Y9         // the maxima
	TESTQ   R8, R8
	JZ      store
	VCMPPS  $0, Y9, Y4, Y1     // c == max
	VBLENDVPS Y1, Y11, Y10, Y0 // w where c wins, else w+1
	VCMPPS  $0, Y9, Y3, Y1     // b == max
	VBLENDVPS Y1, Y12, Y0, Y0
	VCMPPS  $0, Y9, Y2, Y1     // a == max
	VPANDN  Y0, Y1, Y0         // 0 where a wins
	VPERMQ  $0xD8, Y0, Y0
	VPADDD  Y13, Y0, Y0
	VPADDD  Y14, Y13, Y13
	VPMOVSXDQ X0, Y1
	VEXTRACTI128 $1, Y0, X2
	VPMOVSXDQ X2, Y2
	VMOVDQU Y1, (R8)
	VMOVDQU Y2, 32(R8)
	ADDQ    $64, R8

store:
	VPERMQ  $0xD8, Y9, Y9
	VMOVUPS Y9, (DX)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $32, DX
	ADDQ    $8, R9
	JMP     loop

done:
	VZEROUPPER
	MOVQ R9, ret+56(FP)
	RET
