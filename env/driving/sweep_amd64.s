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
#define CENTRE 768
#define KSLOWIDM 800
#define KSLOWMETA 832
#define PDEPMISS 864
#define PDEPDUE 896
#define PDEPMOVED 928
#define INVTAULAT 960
#define LRTAUH 992
#define LOVERLR 1024
#define INVLR 1056
#define TANMAXSTEER 1088
#define ASINRANGE 1120
#define PI 1152
#define NEGPI 1184
#define HALF 1216
#define ARCMAX 1248
#define NEGONE 1280
#define SINC1 1312
#define SINC2 1344
#define SINC3 1376
#define SINC4 1408
#define SINC5 1440
#define COSC1 1472
#define COSC2 1504
#define COSC3 1536
#define COSC4 1568
#define COSC5 1600
#define ASINC 1632

// func sweepAVX2(d *float64, stride, nb int, tab *sweepTable, out *uint16) int
//
// Registers: SI walks plane 0 (pS), DI plane pC0 = 9 and R15 plane pC0+8, a block (32
// bytes) at a time; with BX = stride in bytes and CX, DX, R8, R9 = 3, 5, 7 and 9 strides every
// plane is one addressing mode away. R10 = tab, R11 = out, R12 counts blocks, R13 collects the closeness
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
	LEAQ (DI)(BX*8), R15
	XORQ R13, R13
	VXORPD Y15, Y15, Y15
	VMOVUPD NEGINF(R10), Y14
	VXORPD Y13, Y13, Y13
	TESTQ R12, R12
	JZ done

loop:
	VMOVUPD (SI)(BX*8), Y2          // kind
	VCMPPD $0x0C, Y15, Y2, Y3
	VCMPPD $0x11, KSLOWIDM(R10), Y2, Y4
	VANDPD Y4, Y3, Y3               // Y3 = moves: on the fast path
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
	VCMPPD $0x00, KSLOWMETA(R10), Y2, Y11
	VORPD Y11, Y10, Y10             // speed controller
	VCMPPD $0x00, KIDM(R10), Y2, Y11
	VCMPPD $0x00, KSLOWIDM(R10), Y2, Y12
	VORPD Y12, Y11, Y11             // IDM
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

	// Free-road term a·(1 - x^δ), x = max(v1, 0)/v0, by powSeries in w = x - powCentre
	// (estrin16's order of operations).
	VMULPD (SI)(CX*2), Y9, Y6
	VCMPPD $0x11, Y15, Y9, Y7
	VBLENDVPD Y7, Y15, Y6, Y6
	VSUBPD CENTRE(R10), Y6, Y6      // w
	VANDPD ABSMASK(R10), Y6, Y7
	VCMPPD $0x12, POWRANGE(R10), Y7, Y7
	VANDNPD Y3, Y7, Y7              // moving and out of the series' range
	VMOVMSKPD Y7, AX
	VMULPD Y6, Y6, Y8               // w²
	VMULPD Y8, Y8, Y9               // w⁴
	VMULPD (DI)(BX*1), Y6, Y10
	VADDPD (DI), Y10, Y10           // c0 + w·c1
	VMULPD (DI)(CX*1), Y6, Y11
	VADDPD (DI)(BX*2), Y11, Y11     // c2 + w·c3
	VMULPD Y11, Y8, Y11
	VADDPD Y11, Y10, Y10            // q0
	VMULPD (DI)(DX*1), Y6, Y11
	VADDPD (DI)(BX*4), Y11, Y11     // c4 + w·c5
	VMULPD (DI)(R8*1), Y6, Y12
	VADDPD (DI)(CX*2), Y12, Y12     // c6 + w·c7
	VMULPD Y12, Y8, Y12
	VADDPD Y12, Y11, Y11            // q1
	VMULPD Y11, Y9, Y11
	VADDPD Y11, Y10, Y10            // q0 + w⁴·q1
	VMULPD (DI)(R9*1), Y6, Y11
	VADDPD (DI)(BX*8), Y11, Y11     // c8 + w·c9
	VMULPD (R15)(CX*1), Y6, Y12
	VADDPD (DI)(DX*2), Y12, Y12     // c10 + w·c11
	VMULPD Y12, Y8, Y12
	VADDPD Y12, Y11, Y11            // q2
	VMULPD (R15)(DX*1), Y6, Y12
	VADDPD (DI)(CX*4), Y12, Y12     // c12 + w·c13
	VMULPD (R15)(R8*1), Y6, Y7
	VADDPD (DI)(R8*2), Y7, Y7       // c14 + w·c15
	VMULPD Y7, Y8, Y7
	VADDPD Y7, Y12, Y12             // q3
	VMULPD Y12, Y9, Y12
	VADDPD Y12, Y11, Y11            // q2 + w⁴·q3
	VMULPD Y9, Y9, Y12              // w⁸
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
	MOVW AX, (R11)
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
	ADDQ $32, R15
	ADDQ $2, R11
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

// func shiftUpAVX(p *float64, stride, m int)
//
// For each of the 32 planes (nPlanes), from the top down: blocks of four with one vector load
// and one store each (a block's store overlaps only the block above, already moved), then the
// remaining elements one at a time.
TEXT ·shiftUpAVX(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), DX
	MOVQ $32, CX
plane:
	MOVQ DX, AX
up4:
	CMPQ AX, $4
	JLT up1
	SUBQ $4, AX
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD Y0, 8(SI)(AX*8)
	JMP up4
up1:
	TESTQ AX, AX
	JZ upnext
	DECQ AX
	MOVQ (SI)(AX*8), R8
	MOVQ R8, 8(SI)(AX*8)
	JMP up1
upnext:
	ADDQ BX, SI
	DECQ CX
	JNZ plane
	VZEROUPPER
	RET

// func shiftDownAVX(p *float64, stride, m int)
//
// The mirror image of shiftUpAVX: from the bottom up.
TEXT ·shiftDownAVX(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), DX
	MOVQ $32, CX
dplane:
	XORQ AX, AX
down4:
	LEAQ 4(AX), R9
	CMPQ R9, DX
	JGT down1
	VMOVUPD 8(SI)(AX*8), Y0
	VMOVUPD Y0, (SI)(AX*8)
	MOVQ R9, AX
	JMP down4
down1:
	CMPQ AX, DX
	JGE downnext
	MOVQ 8(SI)(AX*8), R8
	MOVQ R8, (SI)(AX*8)
	INCQ AX
	JMP down1
downnext:
	ADDQ BX, SI
	DECQ CX
	JNZ dplane
	VZEROUPPER
	RET

// func sweepRowsAVX512(rows *sweepRow, n int, tab *sweepTable)
//
// sweepAVX2 eight entries at a time for each of n rows (a row's nb counts blocks of eight; it
// writes two words of out a block and its flags), with the lane selections in mask registers
// and the constants used as operands of min and max kept in Z16-Z28, loaded once for all the
// rows, and laneStepFast for the vehicles changing lanes. Besides sweepAVX2's registers: R9
// points to the lane-change planes, K7 collects the closeness bits and R13 the crashed bits;
// the previous block's positions and half lengths are in Z25 and Z26. The row being swept
// and the number of rows left are in the frame (row-8(SP), left-16(SP)). R13 has the unmoved
// vehicles changing lanes in bits 8-15 (sweepUnmoved).
TEXT ·sweepRowsAVX512(SB), NOSPLIT, $16-24
	MOVQ tab+16(FP), R10
	VBROADCASTSD LO(R10), Z16
	VBROADCASTSD HI(R10), Z17
	VBROADCASTSD CARLO(R10), Z18
	VBROADCASTSD CARHI(R10), Z19
	VBROADCASTSD VMIN(R10), Z20
	VBROADCASTSD VMAX(R10), Z21
	VBROADCASTSD NEGEPS(R10), Z22
	VBROADCASTSD ONE(R10), Z23
	VPXORQ Z24, Z24, Z24
	VBROADCASTSD A_(R10), Z27
	VBROADCASTSD EPS(R10), Z28
	MOVQ rows+0(FP), AX
	MOVQ AX, row-8(SP)
	MOVQ n+8(FP), AX
	MOVQ AX, left-16(SP)
	TESTQ AX, AX
	JZ rowsdone512

row512:
	MOVQ row-8(SP), AX
	MOVQ 0(AX), SI                              // sweepRow.d
	MOVQ 8(AX), BX                              // .stride
	SHLQ $3, BX
	MOVQ 16(AX), R12                            // .nb
	MOVQ 24(AX), R11                            // .out
	LEAQ (BX)(BX*2), CX
	LEAQ (BX)(BX*4), DX
	LEAQ (CX)(BX*4), R8
	LEAQ (BX)(BX*8), R9
	LEAQ (SI)(R9*1), DI
	LEAQ (DI)(BX*8), R15
	XORQ R13, R13
	KXORW K7, K7, K7
	VBROADCASTSD NEGINF(R10), Z25
	VPXORQ Z26, Z26, Z26
	TESTQ R12, R12
	JZ done512

loop512:
	VMOVUPD (SI)(BX*8), Z2                      // kind
	VCMPPD $0x0C, Z24, Z2, K1
	VCMPPD.BCST $0x11, KSLOWIDM(R10), Z2, K1, K1 // K1: on the fast path
	VCMPPD.BCST $0x00, KIDM(R10), Z2, K2
	VCMPPD.BCST $0x00, KSLOWIDM(R10), Z2, K4
	KORW K4, K2, K2                             // K2: IDM
	VCMPPD.BCST $0x00, KMETA(R10), Z2, K3
	VCMPPD.BCST $0x00, KSLOWMETA(R10), Z2, K4
	KORW K4, K3, K3                             // K3: speed controller
	VMOVUPD (SI), Z0                            // s
	VMOVUPD (SI)(BX*1), Z1                      // v0

	// IDM command.
	VSUBPD 8(SI)(BX*1), Z1, Z4
	VMULPD Z4, Z1, Z4
	VMULPD.BCST HK(R10), Z4, Z4
	VMULPD.BCST TG(R10), Z1, Z5
	VADDPD Z4, Z5, Z5
	VMAXPD Z5, Z24, Z5
	VADDPD.BCST S0(R10), Z5, Z5
	VMOVUPD 8(SI), Z6
	VSUBPD Z0, Z6, Z6                           // gap
	VPANDQ.BCST ABSMASK(R10), Z6, Z7
	VCMPPD $0x11, Z28, Z7, K4                   // |gap| < eps
	VCMPPD $0x1D, Z24, Z6, K5                   // gap >= 0
	VBLENDMPD Z28, Z22, K5, Z8
	VMOVAPD Z8, K4, Z6
	VDIVPD Z6, Z5, Z5                           // q
	VMULPD Z27, Z5, Z6
	VMULPD Z5, Z6, Z6
	VMOVUPD (SI)(BX*2), Z7
	VSUBPD Z6, Z7, Z6
	VMAXPD Z6, Z16, Z6
	VMINPD Z6, Z17, Z6                          // Z6 = IDM command

	// Speed controller, crashed, and the recorded command.
	VMOVUPD (SI)(DX*1), Z8
	VSUBPD Z1, Z8, Z8
	VMULPD.BCST INVTAU(R10), Z8, Z8
	VPXORQ.BCST SIGNMASK(R10), Z1, Z9
	VMOVAPD Z8, K3, Z9
	VMOVAPD Z6, K2, Z9                          // Z9 = command
	VMOVUPD (SI)(BX*4), Z10
	VMOVAPD Z8, K3, Z10
	VMOVAPD Z6, K2, Z10
	VMOVUPD Z10, (SI)(BX*4)

	// Speed and position.
	VMAXPD Z9, Z18, Z9
	VMINPD Z9, Z19, Z9
	VMULPD.BCST DT(R10), Z9, Z9
	VADDPD Z9, Z1, Z9
	VMAXPD Z9, Z20, Z9
	VMINPD Z9, Z21, Z9                          // Z9 = v1
	VADDPD Z9, Z1, Z6
	VMULPD.BCST HALFDT(R10), Z6, Z6
	VADDPD Z6, Z0, Z6
	VMOVAPD Z6, K1, Z0                          // Z0 = positions after the step
	VMOVAPD Z9, K1, Z1                          // Z1 = speeds after the step

	// Vehicles changing lanes (laneStepFast): K5 = those whose arguments all lie in the
	// series' ranges, which move here; R9 = their first plane (pR0 = 25).
	KXORW K5, K5, K5
	VCMPPD.BCST $0x1D, KSLOWIDM(R10), Z2, K4
	KORTESTW K4, K4
	JZ noslow
	LEAQ (R15)(BX*8), R9
	VPANDQ.BCST ABSMASK(R10), Z1, Z3
	VCMPPD $0x1E, Z28, Z3, K5
	VCMPPD $0x1D, Z24, Z1, K6
	VBLENDMPD Z28, Z22, K6, Z3
	VMOVAPD Z1, K5, Z3
	VDIVPD Z3, Z23, Z3                          // 1/notZero(v0)
	VMOVUPD (R9), Z4                            // r0
	VSUBPD (R9)(BX*4), Z4, Z5
	VPXORQ.BCST SIGNMASK(R10), Z5, Z5
	VMULPD.BCST INVTAULAT(R10), Z5, Z5
	VMULPD Z3, Z5, Z5
	VBROADCASTSD NEGONE(R10), Z6
	VMAXPD Z5, Z6, Z5
	VMINPD Z5, Z23, Z5                          // z
	VPANDQ.BCST ABSMASK(R10), Z5, Z6
	VCMPPD.BCST $0x12, ASINRANGE(R10), Z6, K4, K5
	VMULPD Z5, Z5, Z6                           // y = z²
	VMULPD Z6, Z6, Z7                           // y²
	VMULPD Z7, Z7, Z8                           // y⁴
	VMULPD Z8, Z8, Z10                          // y⁸
	VMULPD.BCST ASINC+32(R10), Z6, Z11
	VADDPD.BCST ASINC(R10), Z11, Z11
	VMULPD.BCST ASINC+96(R10), Z6, Z12
	VADDPD.BCST ASINC+64(R10), Z12, Z12
	VMULPD Z12, Z7, Z12
	VADDPD Z12, Z11, Z11                        // q0
	VMULPD.BCST ASINC+160(R10), Z6, Z12
	VADDPD.BCST ASINC+128(R10), Z12, Z12
	VMULPD.BCST ASINC+224(R10), Z6, Z13
	VADDPD.BCST ASINC+192(R10), Z13, Z13
	VMULPD Z13, Z7, Z13
	VADDPD Z13, Z12, Z12                        // q1
	VMULPD Z12, Z8, Z12
	VADDPD Z12, Z11, Z11                        // q0 + y⁴·q1
	VMULPD.BCST ASINC+288(R10), Z6, Z12
	VADDPD.BCST ASINC+256(R10), Z12, Z12
	VMULPD.BCST ASINC+352(R10), Z6, Z13
	VADDPD.BCST ASINC+320(R10), Z13, Z13
	VMULPD Z13, Z7, Z13
	VADDPD Z13, Z12, Z12                        // q2
	VMULPD.BCST ASINC+416(R10), Z6, Z13
	VADDPD.BCST ASINC+384(R10), Z13, Z13
	VMULPD.BCST ASINC+480(R10), Z6, Z14
	VADDPD.BCST ASINC+448(R10), Z14, Z14
	VMULPD Z14, Z7, Z14
	VADDPD Z14, Z13, Z13                        // q3
	VMULPD Z13, Z8, Z13
	VADDPD Z13, Z12, Z12                        // q2 + y⁴·q3
	VMULPD Z12, Z10, Z12
	VADDPD Z12, Z11, Z11
	VMULPD.BCST ASINC+544(R10), Z6, Z12
	VADDPD.BCST ASINC+512(R10), Z12, Z12        // c16 + y·c17
	VMULPD Z10, Z10, Z13
	VMULPD Z12, Z13, Z12
	VADDPD Z12, Z11, Z11
	VMULPD Z11, Z5, Z11                         // asin z
	VMOVUPD (R9)(BX*1), Z12                     // e
	VSUBPD Z12, Z11, Z11                        // heading error d
	VCMPPD.BCST $0x11, PI(R10), Z11, K5, K5
	VCMPPD.BCST $0x1D, NEGPI(R10), Z11, K5, K5
	VMULPD.BCST LRTAUH(R10), Z11, Z11
	VMULPD Z3, Z11, Z11
	VBROADCASTSD NEGONE(R10), Z13
	VMAXPD Z11, Z13, Z11
	VMINPD Z11, Z23, Z11                        // sin β
	VMULPD Z11, Z11, Z13
	VSUBPD Z13, Z23, Z13
	VSQRTPD Z13, Z13                            // cos β
	VPANDQ.BCST ABSMASK(R10), Z11, Z14
	VMULPD.BCST LOVERLR(R10), Z14, Z14          // |tan δ|·cos β
	VMULPD.BCST TANMAXSTEER(R10), Z13, Z15
	VCMPPD $0x1A, Z15, Z14, K5, K5              // not above its limit
	VADDPD Z9, Z1, Z15
	VMULPD.BCST HALF(R10), Z15, Z15
	VMULPD.BCST DT(R10), Z15, Z15               // distance
	VMULPD Z11, Z15, Z3
	VMULPD.BCST INVLR(R10), Z3, Z3              // Δψ
	VPANDQ.BCST ABSMASK(R10), Z3, Z6
	VCMPPD.BCST $0x12, ARCMAX(R10), Z6, K5, K5
	VADDPD Z3, Z12, Z12                         // heading after the step
	VCMPPD.BCST $0x11, PI(R10), Z12, K5, K5
	VCMPPD.BCST $0x1D, NEGPI(R10), Z12, K5, K5
	VMOVUPD (R9)(BX*1), Z5
	VMOVAPD Z12, K5, Z5
	VMOVUPD Z5, (R9)(BX*1)                      // e (plain stores: a masked store does not
	VMULPD Z3, Z3, Z6                           // forward to the loads that follow)
	VMULPD.BCST SINC5(R10), Z6, Z7
	VADDPD.BCST SINC4(R10), Z7, Z7
	VMULPD Z7, Z6, Z7
	VADDPD.BCST SINC3(R10), Z7, Z7
	VMULPD Z7, Z6, Z7
	VADDPD.BCST SINC2(R10), Z7, Z7
	VMULPD Z7, Z6, Z7
	VADDPD.BCST SINC1(R10), Z7, Z7
	VMULPD Z7, Z6, Z7
	VADDPD Z23, Z7, Z7                          // sin Δψ/Δψ
	VMULPD.BCST COSC5(R10), Z6, Z8
	VADDPD.BCST COSC4(R10), Z8, Z8
	VMULPD Z8, Z6, Z8
	VADDPD.BCST COSC3(R10), Z8, Z8
	VMULPD Z8, Z6, Z8
	VADDPD.BCST COSC2(R10), Z8, Z8
	VMULPD Z8, Z6, Z8
	VADDPD.BCST COSC1(R10), Z8, Z8
	VMULPD Z8, Z6, Z8
	VADDPD.BCST HALF(R10), Z8, Z8               // (1 - cos Δψ)/Δψ²
	VMULPD Z7, Z3, Z10                          // sin Δψ
	VMULPD Z8, Z6, Z5
	VSUBPD Z5, Z23, Z5                          // cos Δψ
	VMULPD Z8, Z3, Z8                           // (1 - cos Δψ)/Δψ
	VMOVUPD (R9)(BX*2), Z29                     // cos e
	VMOVUPD (R9)(CX*1), Z30                     // sin e
	VMULPD Z13, Z29, Z31
	VMULPD Z11, Z30, Z12
	VSUBPD Z12, Z31, Z31                        // course cosine
	VMULPD Z13, Z30, Z12
	VMULPD Z11, Z29, Z6
	VADDPD Z6, Z12, Z12                         // course sine
	// The command's slip angle: only the moved vehicles' entries are read.
	VMOVUPD Z11, (R9)(DX*1)
	VMOVUPD Z13, (R9)(CX*2)
	VMULPD Z7, Z31, Z11
	VMULPD Z8, Z12, Z13
	VSUBPD Z13, Z11, Z11
	VMULPD Z11, Z15, Z11
	VADDPD Z11, Z0, Z11                         // s after the step
	VMULPD Z7, Z12, Z13
	VMULPD Z8, Z31, Z14
	VADDPD Z14, Z13, Z13
	VMULPD Z13, Z15, Z13
	VADDPD Z13, Z4, Z13
	VMOVAPD Z13, K5, Z4
	VMOVUPD Z4, (R9)                            // r0
	VMULPD Z5, Z29, Z13
	VMULPD Z10, Z30, Z14
	VSUBPD Z14, Z13, Z13                        // cos e after the step
	VMULPD Z5, Z30, Z14
	VMULPD Z10, Z29, Z6
	VADDPD Z6, Z14, Z14                         // sin e after the step
	VMOVAPD Z13, K5, Z29
	VMOVAPD Z14, K5, Z30
	VMOVUPD Z29, (R9)(BX*2)
	VMOVUPD Z30, (R9)(CX*1)
	VMOVAPD Z11, K5, Z0
	VMOVAPD Z9, K5, Z1
	KANDNW K4, K5, K6                           // changing lanes, not moved
	KMOVW K6, R14
	SHLL $8, R14
	ORL R14, R13

noslow:
	VMOVUPD Z0, (SI)
	VMOVUPD Z1, (SI)(BX*1)
	KORW K5, K1, K2                             // K2: the entries that moved

	// Free-road term.
	VMULPD (SI)(CX*2), Z9, Z6
	VCMPPD $0x11, Z24, Z9, K4
	VMOVAPD Z24, K4, Z6
	VSUBPD.BCST CENTRE(R10), Z6, Z6             // w
	VPANDQ.BCST ABSMASK(R10), Z6, Z7
	VCMPPD.BCST $0x12, POWRANGE(R10), Z7, K4
	KANDNW K2, K4, K6                           // moved and out of range
	KMOVW K6, AX
	VMULPD Z6, Z6, Z8                           // w²
	VMULPD Z8, Z8, Z9                           // w⁴
	VMULPD (DI)(BX*1), Z6, Z10
	VADDPD (DI), Z10, Z10
	VMULPD (DI)(CX*1), Z6, Z11
	VADDPD (DI)(BX*2), Z11, Z11
	VMULPD Z11, Z8, Z11
	VADDPD Z11, Z10, Z10                        // q0
	VMULPD (DI)(DX*1), Z6, Z11
	VADDPD (DI)(BX*4), Z11, Z11
	VMULPD (DI)(R8*1), Z6, Z12
	VADDPD (DI)(CX*2), Z12, Z12
	VMULPD Z12, Z8, Z12
	VADDPD Z12, Z11, Z11                        // q1
	VMULPD Z11, Z9, Z11
	VADDPD Z11, Z10, Z10
	VMULPD (R15)(BX*1), Z6, Z11
	VADDPD (DI)(BX*8), Z11, Z11
	VMULPD (R15)(CX*1), Z6, Z12
	VADDPD (DI)(DX*2), Z12, Z12
	VMULPD Z12, Z8, Z12
	VADDPD Z12, Z11, Z11                        // q2
	VMULPD (R15)(DX*1), Z6, Z12
	VADDPD (DI)(CX*4), Z12, Z12
	VMULPD (R15)(R8*1), Z6, Z7
	VADDPD (DI)(R8*2), Z7, Z7
	VMULPD Z7, Z8, Z7
	VADDPD Z7, Z12, Z12                         // q3
	VMULPD Z12, Z9, Z12
	VADDPD Z12, Z11, Z11
	VMULPD Z9, Z9, Z12
	VMULPD Z11, Z12, Z11
	VADDPD Z11, Z10, Z10                        // x^δ
	VSUBPD Z10, Z23, Z10
	VMULPD Z27, Z10, Z10
	VMOVUPD (SI)(BX*2), Z11
	VMOVAPD Z10, K2, Z11
	VMOVUPD Z11, (SI)(BX*2)

	// Timer and due traffic vehicles.
	VMOVUPD (SI)(CX*1), Z10
	VADDPD.BCST DT(R10), Z10, Z11
	VMOVAPD Z11, K2, Z10
	VMOVUPD Z10, (SI)(CX*1)
	VCMPPD.BCST $0x00, KIDM(R10), Z2, K6
	VCMPPD.BCST $0x1E, DELAY(R10), Z11, K6, K6
	KMOVW K6, R14

	// Output words: per four entries, pow misses in bits 0-3 and due vehicles in bits 4-7.
	PDEPL PDEPMISS(R10), AX, AX
	PDEPL PDEPDUE(R10), R14, R14
	ORL R14, AX
	KMOVW K5, R14
	PDEPL PDEPMOVED(R10), R14, R14
	ORL R14, AX
	MOVL AX, (R11)

	VCMPPD.BCST $0x00, KCRASHED(R10), Z2, K4
	KMOVW K4, R14
	ORL R14, R13

	// Closeness of neighbours, the previous entry shifted in from the previous block.
	VALIGNQ $7, Z25, Z0, Z12
	VSUBPD Z12, Z0, Z12
	VMOVUPD (SI)(R8*1), Z4
	VALIGNQ $7, Z26, Z4, Z5
	VADDPD Z5, Z4, Z5
	VCMPPD $0x11, Z5, Z12, K4
	KORW K4, K7, K7
	VMOVAPD Z0, Z25
	VMOVAPD Z4, Z26

	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R15
	ADDQ $4, R11
	DECQ R12
	JNZ loop512

done512:
	XORQ AX, AX
	KMOVW K7, R14
	TESTQ R14, R14
	JZ noclose512
	ORQ $1, AX
noclose512:
	TESTQ $0xFF, R13
	JZ nocrash512
	ORQ $2, AX
nocrash512:
	TESTQ $0xFF00, R13
	JZ allmoved512
	ORQ $4, AX
allmoved512:
	MOVQ row-8(SP), R14
	MOVQ AX, 32(R14)                            // .flags
	ADDQ $40, R14
	MOVQ R14, row-8(SP)
	DECQ left-16(SP)
	JNZ row512

rowsdone512:
	VZEROUPPER
	RET

// func countBelowAVX(p *float64, n int, s float64) int
//
// The number of the n float64s at p below s: four compares an instruction, then the last
// n%4 one at a time.
TEXT ·countBelowAVX(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD s+16(FP), Y1
	XORQ AX, AX
cb4:
	CMPQ CX, $4
	JLT cb1
	VMOVUPD (SI), Y0
	VCMPPD $0x11, Y1, Y0, Y0
	VMOVMSKPD Y0, DX
	POPCNTL DX, DX
	ADDQ DX, AX
	ADDQ $32, SI
	SUBQ $4, CX
	JMP cb4
cb1:
	TESTQ CX, CX
	JZ cbdone
	VUCOMISD (SI), X1
	JBE cbnext
	INCQ AX
cbnext:
	ADDQ $8, SI
	DECQ CX
	JMP cb1
cbdone:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// func shiftUp8AVX512(p *float64, stride, m int)
//
// shiftUpAVX for 1 <= m <= 8: one masked load and one masked store a plane (the mask selects
// the m elements), four planes an iteration, without a branch that depends on m.
TEXT ·shiftUp8AVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	LEAQ (BX)(BX*2), DX
	MOVQ $8, CX
up8plane:
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (SI)(BX*1), K1, Z1
	VMOVUPD.Z (SI)(BX*2), K1, Z2
	VMOVUPD.Z (SI)(DX*1), K1, Z3
	VMOVUPD Z0, K1, 8(SI)
	VMOVUPD Z1, K1, 8(SI)(BX*1)
	VMOVUPD Z2, K1, 8(SI)(BX*2)
	VMOVUPD Z3, K1, 8(SI)(DX*1)
	LEAQ (SI)(BX*4), SI
	DECQ CX
	JNZ up8plane
	VZEROUPPER
	RET

// func shiftDown8AVX512(p *float64, stride, m int)
//
// shiftDownAVX for 1 <= m <= 8, as shiftUp8AVX512.
TEXT ·shiftDown8AVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	LEAQ (BX)(BX*2), DX
	MOVQ $8, CX
down8plane:
	VMOVUPD.Z 8(SI), K1, Z0
	VMOVUPD.Z 8(SI)(BX*1), K1, Z1
	VMOVUPD.Z 8(SI)(BX*2), K1, Z2
	VMOVUPD.Z 8(SI)(DX*1), K1, Z3
	VMOVUPD Z0, K1, (SI)
	VMOVUPD Z1, K1, (SI)(BX*1)
	VMOVUPD Z2, K1, (SI)(BX*2)
	VMOVUPD Z3, K1, (SI)(DX*1)
	LEAQ (SI)(BX*4), SI
	DECQ CX
	JNZ down8plane
	VZEROUPPER
	RET

// func countBelow8AVX512(p *float64, nb int, s float64) int
//
// countBelowAVX for n = 8·nb elements, nb = 2 or 4: one compare a block of eight into a mask,
// counted with POPCNT, the blocks independent of each other (the loop of countBelowAVX
// chains its counts and exits on a count).
TEXT ·countBelow8AVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ nb+8(FP), CX
	VBROADCASTSD s+16(FP), Z1
	VCMPPD $0x1E, (SI), Z1, K1                  // s > p[0:8]
	VCMPPD $0x1E, 64(SI), Z1, K2
	KMOVW K1, AX
	KMOVW K2, DX
	POPCNTL AX, AX
	POPCNTL DX, DX
	ADDQ DX, AX
	CMPQ CX, $2
	JLE cb8done
	VCMPPD $0x1E, 128(SI), Z1, K1
	VCMPPD $0x1E, 192(SI), Z1, K2
	KMOVW K1, DX
	KMOVW K2, BX
	POPCNTL DX, DX
	POPCNTL BX, BX
	ADDQ DX, AX
	ADDQ BX, AX
cb8done:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// func shiftUp16AVX512(p *float64, stride, m int)
//
// shiftUpAVX for 9 <= m <= 16: per plane, two loads and two stores, the second pair masked
// to the m-8 elements past the first eight, two planes an iteration.
TEXT ·shiftUp16AVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), CX
	SUBQ $8, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	MOVQ $16, CX
up16plane:
	VMOVUPD (SI), Z0
	VMOVUPD.Z 64(SI), K1, Z1
	VMOVUPD (SI)(BX*1), Z2
	VMOVUPD.Z 64(SI)(BX*1), K1, Z3
	VMOVUPD Z0, 8(SI)
	VMOVUPD Z1, K1, 72(SI)
	VMOVUPD Z2, 8(SI)(BX*1)
	VMOVUPD Z3, K1, 72(SI)(BX*1)
	LEAQ (SI)(BX*2), SI
	DECQ CX
	JNZ up16plane
	VZEROUPPER
	RET

// func shiftDown16AVX512(p *float64, stride, m int)
//
// shiftDownAVX for 9 <= m <= 16, as shiftUp16AVX512.
TEXT ·shiftDown16AVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $3, BX
	MOVQ m+16(FP), CX
	SUBQ $8, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	MOVQ $16, CX
down16plane:
	VMOVUPD 8(SI), Z0
	VMOVUPD.Z 72(SI), K1, Z1
	VMOVUPD 8(SI)(BX*1), Z2
	VMOVUPD.Z 72(SI)(BX*1), K1, Z3
	VMOVUPD Z0, (SI)
	VMOVUPD Z1, K1, 64(SI)
	VMOVUPD Z2, (SI)(BX*1)
	VMOVUPD Z3, K1, 64(SI)(BX*1)
	LEAQ (SI)(BX*2), SI
	DECQ CX
	JNZ down16plane
	VZEROUPPER
	RET
