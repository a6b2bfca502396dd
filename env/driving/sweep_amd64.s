//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// Offsets of the constants in a sweepTable (32 bytes each: four copies).
#define A_ 0
#define S0 32
#define TG 64
#define HK 96
#define LO 128
#define HI 160
#define CARLO 192
#define CARHI 224
#define VMIN 256
#define VMAX 288
#define INVTAU 320
#define DT 352
#define HALFDT 384
#define DELAY 416
#define POWRANGE 448
#define EPS 480
#define NEGEPS 512
#define ONE 544
#define KIDM 576
#define KMETA 608
#define KCRASHED 640
#define ABSMASK 672
#define SIGNMASK 704
#define NEGINF 736

// func sweepAVX2(d *float64, stride, nb int, tab *sweepTable, out *uint8) int
//
// Registers: SI walks plane 0 (pS) and DI plane pC0 = 9, a block (32 bytes) at a time; with
// BX = stride in bytes and CX, DX, R8, R9 = 3, 5, 7 and 9 strides every plane is one
// addressing mode away. R10 = tab, R11 = out, R12 counts blocks, R13 collects the closeness
// bits (0-3) and crashed bits (4-7). Y15 = 0, Y14 = the previous block's positions, Y13 its
// half lengths. Go's operand order is reversed from Intel's: VSUBPD b, a, d is d = a - b,
// VMAXPD v, lo, d is d = lo > v ? lo : v (v when unordered, as clamp), VBLENDVPD m, x, y, d
// is d = m ? x : y.
TEXT ·sweepAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ nb+16(FP), R12
	MOVQ tab+24(FP), R10
	MOVQ out+32(FP), R11
	LEAQ (BX)(BX*2), CX
	LEAQ (BX)(BX*4), DX
	LEAQ (CX)(BX*4), R8
	LEAQ (BX)(BX*8), R9
	LEAQ (SI)(R9*1), DI
	XORQ R13, R13
	VXORPD Y15, Y15, Y15
	VMOVUPD NEGINF(R10), Y14
	VXORPD Y13, Y13, Y13
	TESTQ R12, R12
	JZ done

loop:
	VMOVUPD (SI)(BX*8), Y2          // kind
	VCMPPD $0x0C, Y15, Y2, Y3       // Y3 = moves: kind != ghost
	VMOVUPD (SI), Y0                // s
	VMOVUPD (SI)(BX*1), Y1          // v0

	// IDM: dyn = max(0, v0·T + v0·(v0 - v_leader)·hk); q = (s0 + dyn)/notZero(gap).
	VMOVUPD 8(SI)(BX*1), Y4
	VSUBPD Y4, Y1, Y4
	VMULPD Y4, Y1, Y4
	VMULPD HK(R10), Y4, Y4
	VMULPD TG(R10), Y1, Y5
	VADDPD Y4, Y5, Y5
	VMAXPD Y5, Y15, Y5
	VADDPD S0(R10), Y5, Y5
	VMOVUPD 8(SI), Y6
	VSUBPD Y0, Y6, Y6               // gap
	VANDPD ABSMASK(R10), Y6, Y7
	VCMPPD $0x11, EPS(R10), Y7, Y7  // |gap| < eps
	VCMPPD $0x1D, Y15, Y6, Y8       // gap >= 0
	VMOVUPD NEGEPS(R10), Y9
	VBLENDVPD Y8, EPS(R10), Y9, Y9
	VBLENDVPD Y7, Y9, Y6, Y6
	VDIVPD Y6, Y5, Y5               // q
	VMULPD A_(R10), Y5, Y6
	VMULPD Y5, Y6, Y6               // a·q·q
	VMOVUPD (SI)(BX*2), Y7          // free
	VSUBPD Y6, Y7, Y6
	VMOVUPD LO(R10), Y8
	VMAXPD Y6, Y8, Y6
	VMOVUPD HI(R10), Y8
	VMINPD Y6, Y8, Y6               // Y6 = IDM command

	// Meta-action speed controller (TargetSpeed - v0)/Tau, crashed -v0; pick by kind.
	VMOVUPD (SI)(DX*1), Y8
	VSUBPD Y1, Y8, Y8
	VMULPD INVTAU(R10), Y8, Y8
	VXORPD SIGNMASK(R10), Y1, Y9
	VCMPPD $0x00, KMETA(R10), Y2, Y10
	VCMPPD $0x00, KIDM(R10), Y2, Y11
	VBLENDVPD Y10, Y8, Y9, Y9
	VBLENDVPD Y11, Y6, Y9, Y9       // Y9 = command
	VMOVUPD (SI)(BX*4), Y12         // the recorded command: kept by crashed vehicles
	VBLENDVPD Y10, Y8, Y12, Y12
	VBLENDVPD Y11, Y6, Y12, Y12
	VMOVUPD Y12, (SI)(BX*4)

	// Speed and position.
	VMOVUPD CARLO(R10), Y6
	VMAXPD Y9, Y6, Y9
	VMOVUPD CARHI(R10), Y6
	VMINPD Y9, Y6, Y9
	VMULPD DT(R10), Y9, Y9
	VADDPD Y9, Y1, Y9
	VMOVUPD VMIN(R10), Y6
	VMAXPD Y9, Y6, Y9
	VMOVUPD VMAX(R10), Y6
	VMINPD Y9, Y6, Y9               // Y9 = v1
	VADDPD Y9, Y1, Y6
	VMULPD HALFDT(R10), Y6, Y6
	VADDPD Y6, Y0, Y6
	VBLENDVPD Y3, Y6, Y0, Y0        // Y0 = positions after the step
	VMOVUPD Y0, (SI)
	VBLENDVPD Y3, Y9, Y1, Y1
	VMOVUPD Y1, (SI)(BX*1)

	// Free-road term a·(1 - x^δ), x = max(v1, 0)/v0, by the series in u = x - 1.
	VMULPD (SI)(CX*2), Y9, Y6
	VCMPPD $0x11, Y15, Y9, Y7
	VBLENDVPD Y7, Y15, Y6, Y6
	VSUBPD ONE(R10), Y6, Y6         // u
	VANDPD ABSMASK(R10), Y6, Y7
	VCMPPD $0x12, POWRANGE(R10), Y7, Y7
	VANDNPD Y3, Y7, Y7              // moving and out of the series' range
	VMOVMSKPD Y7, AX
	VMULPD Y6, Y6, Y8               // u²
	VMULPD Y8, Y8, Y9               // u⁴
	VMULPD (DI)(BX*1), Y6, Y10
	VADDPD (DI), Y10, Y10           // c0 + u·c1
	VMULPD (DI)(CX*1), Y6, Y11
	VADDPD (DI)(BX*2), Y11, Y11     // c2 + u·c3
	VMULPD Y11, Y8, Y11
	VADDPD Y11, Y10, Y10
	VMULPD (DI)(DX*1), Y6, Y11
	VADDPD (DI)(BX*4), Y11, Y11     // c4 + u·c5
	VMULPD (DI)(R8*1), Y6, Y12
	VADDPD (DI)(CX*2), Y12, Y12     // c6 + u·c7
	VMULPD Y12, Y8, Y12
	VADDPD Y12, Y11, Y11
	VMULPD Y11, Y9, Y11
	VADDPD Y11, Y10, Y10
	VMULPD (DI)(R9*1), Y6, Y11
	VADDPD (DI)(BX*8), Y11, Y11     // c8 + u·c9
	VMULPD (DI)(DX*2), Y8, Y12      // u²·c10
	VADDPD Y12, Y11, Y11
	VMULPD Y9, Y9, Y12              // u⁸
	VMULPD Y11, Y12, Y11
	VADDPD Y11, Y10, Y10            // x^δ
	VMOVUPD ONE(R10), Y11
	VSUBPD Y10, Y11, Y10
	VMULPD A_(R10), Y10, Y10
	VMOVUPD (SI)(BX*2), Y11
	VBLENDVPD Y3, Y10, Y11, Y10
	VMOVUPD Y10, (SI)(BX*2)

	// Lane-change timer; traffic vehicles past MOBIL's delay are due.
	VMOVUPD (SI)(CX*1), Y10
	VADDPD DT(R10), Y10, Y11
	VBLENDVPD Y3, Y11, Y10, Y10
	VMOVUPD Y10, (SI)(CX*1)
	VCMPPD $0x1E, DELAY(R10), Y11, Y11
	VCMPPD $0x00, KIDM(R10), Y2, Y12
	VANDPD Y12, Y11, Y11
	VMOVMSKPD Y11, R14
	SHLQ $4, R14
	ORQ R14, AX
	MOVB AX, (R11)
	VCMPPD $0x00, KCRASHED(R10), Y2, Y12
	VMOVMSKPD Y12, R14
	SHLQ $4, R14
	ORQ R14, R13

	// Neighbours closer than their half lengths: (s[e] - s[e-1]) < hl[e] + hl[e-1], with
	// the previous entry's values shifted in from the previous block.
	VPERM2F128 $0x21, Y0, Y14, Y12
	VSHUFPD $5, Y0, Y12, Y12
	VSUBPD Y12, Y0, Y12
	VMOVUPD (SI)(R8*1), Y4
	VPERM2F128 $0x21, Y4, Y13, Y5
	VSHUFPD $5, Y4, Y5, Y5
	VADDPD Y5, Y4, Y5
	VCMPPD $0x11, Y5, Y12, Y12
	VMOVMSKPD Y12, R14
	ORQ R14, R13
	VMOVAPD Y0, Y14
	VMOVAPD Y4, Y13

	ADDQ $32, SI
	ADDQ $32, DI
	INCQ R11
	DECQ R12
	JNZ loop

done:
	XORQ AX, AX
	TESTQ $15, R13
	JZ noclose
	ORQ $1, AX
noclose:
	TESTQ $0xF0, R13
	JZ nocrash
	ORQ $2, AX
nocrash:
	VZEROUPPER
	MOVQ AX, ret+40(FP)
	RET
