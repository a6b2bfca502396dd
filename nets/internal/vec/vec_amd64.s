#include "textflag.h"

// Constants, each a float32 repeated over the 8 lanes of a YMM register.
DATA clamp<>+0(SB)/4, $0x40fcf84f
DATA clamp<>+4(SB)/4, $0x40fcf84f
DATA clamp<>+8(SB)/4, $0x40fcf84f
DATA clamp<>+12(SB)/4, $0x40fcf84f
DATA clamp<>+16(SB)/4, $0x40fcf84f
DATA clamp<>+20(SB)/4, $0x40fcf84f
DATA clamp<>+24(SB)/4, $0x40fcf84f
DATA clamp<>+28(SB)/4, $0x40fcf84f
GLOBL clamp<>(SB), RODATA|NOPTR, $32
DATA nclamp<>+0(SB)/4, $0xc0fcf84f
DATA nclamp<>+4(SB)/4, $0xc0fcf84f
DATA nclamp<>+8(SB)/4, $0xc0fcf84f
DATA nclamp<>+12(SB)/4, $0xc0fcf84f
DATA nclamp<>+16(SB)/4, $0xc0fcf84f
DATA nclamp<>+20(SB)/4, $0xc0fcf84f
DATA nclamp<>+24(SB)/4, $0xc0fcf84f
DATA nclamp<>+28(SB)/4, $0xc0fcf84f
GLOBL nclamp<>(SB), RODATA|NOPTR, $32
DATA a1<>+0(SB)/4, $0x3ba059dc
DATA a1<>+4(SB)/4, $0x3ba059dc
DATA a1<>+8(SB)/4, $0x3ba059dc
DATA a1<>+12(SB)/4, $0x3ba059dc
DATA a1<>+16(SB)/4, $0x3ba059dc
DATA a1<>+20(SB)/4, $0x3ba059dc
DATA a1<>+24(SB)/4, $0x3ba059dc
DATA a1<>+28(SB)/4, $0x3ba059dc
GLOBL a1<>(SB), RODATA|NOPTR, $32
DATA a3<>+0(SB)/4, $0x3a270ded
DATA a3<>+4(SB)/4, $0x3a270ded
DATA a3<>+8(SB)/4, $0x3a270ded
DATA a3<>+12(SB)/4, $0x3a270ded
DATA a3<>+16(SB)/4, $0x3a270ded
DATA a3<>+20(SB)/4, $0x3a270ded
DATA a3<>+24(SB)/4, $0x3a270ded
DATA a3<>+28(SB)/4, $0x3a270ded
GLOBL a3<>(SB), RODATA|NOPTR, $32
DATA a5<>+0(SB)/4, $0x3779434a
DATA a5<>+4(SB)/4, $0x3779434a
DATA a5<>+8(SB)/4, $0x3779434a
DATA a5<>+12(SB)/4, $0x3779434a
DATA a5<>+16(SB)/4, $0x3779434a
DATA a5<>+20(SB)/4, $0x3779434a
DATA a5<>+24(SB)/4, $0x3779434a
DATA a5<>+28(SB)/4, $0x3779434a
GLOBL a5<>(SB), RODATA|NOPTR, $32
DATA a7<>+0(SB)/4, $0x335c0041
DATA a7<>+4(SB)/4, $0x335c0041
DATA a7<>+8(SB)/4, $0x335c0041
DATA a7<>+12(SB)/4, $0x335c0041
DATA a7<>+16(SB)/4, $0x335c0041
DATA a7<>+20(SB)/4, $0x335c0041
DATA a7<>+24(SB)/4, $0x335c0041
DATA a7<>+28(SB)/4, $0x335c0041
GLOBL a7<>(SB), RODATA|NOPTR, $32
DATA a9<>+0(SB)/4, $0xaebd37ff
DATA a9<>+4(SB)/4, $0xaebd37ff
DATA a9<>+8(SB)/4, $0xaebd37ff
DATA a9<>+12(SB)/4, $0xaebd37ff
DATA a9<>+16(SB)/4, $0xaebd37ff
DATA a9<>+20(SB)/4, $0xaebd37ff
DATA a9<>+24(SB)/4, $0xaebd37ff
DATA a9<>+28(SB)/4, $0xaebd37ff
GLOBL a9<>(SB), RODATA|NOPTR, $32
DATA a11<>+0(SB)/4, $0x2a61337e
DATA a11<>+4(SB)/4, $0x2a61337e
DATA a11<>+8(SB)/4, $0x2a61337e
DATA a11<>+12(SB)/4, $0x2a61337e
DATA a11<>+16(SB)/4, $0x2a61337e
DATA a11<>+20(SB)/4, $0x2a61337e
DATA a11<>+24(SB)/4, $0x2a61337e
DATA a11<>+28(SB)/4, $0x2a61337e
GLOBL a11<>(SB), RODATA|NOPTR, $32
DATA a13<>+0(SB)/4, $0xa59f25c0
DATA a13<>+4(SB)/4, $0xa59f25c0
DATA a13<>+8(SB)/4, $0xa59f25c0
DATA a13<>+12(SB)/4, $0xa59f25c0
DATA a13<>+16(SB)/4, $0xa59f25c0
DATA a13<>+20(SB)/4, $0xa59f25c0
DATA a13<>+24(SB)/4, $0xa59f25c0
DATA a13<>+28(SB)/4, $0xa59f25c0
GLOBL a13<>(SB), RODATA|NOPTR, $32
DATA b0<>+0(SB)/4, $0x3ba059dd
DATA b0<>+4(SB)/4, $0x3ba059dd
DATA b0<>+8(SB)/4, $0x3ba059dd
DATA b0<>+12(SB)/4, $0x3ba059dd
DATA b0<>+16(SB)/4, $0x3ba059dd
DATA b0<>+20(SB)/4, $0x3ba059dd
DATA b0<>+24(SB)/4, $0x3ba059dd
DATA b0<>+28(SB)/4, $0x3ba059dd
GLOBL b0<>(SB), RODATA|NOPTR, $32
DATA b2<>+0(SB)/4, $0x3b14aa05
DATA b2<>+4(SB)/4, $0x3b14aa05
DATA b2<>+8(SB)/4, $0x3b14aa05
DATA b2<>+12(SB)/4, $0x3b14aa05
DATA b2<>+16(SB)/4, $0x3b14aa05
DATA b2<>+20(SB)/4, $0x3b14aa05
DATA b2<>+24(SB)/4, $0x3b14aa05
DATA b2<>+28(SB)/4, $0x3b14aa05
GLOBL b2<>(SB), RODATA|NOPTR, $32
DATA b4<>+0(SB)/4, $0x38f895d6
DATA b4<>+4(SB)/4, $0x38f895d6
DATA b4<>+8(SB)/4, $0x38f895d6
DATA b4<>+12(SB)/4, $0x38f895d6
DATA b4<>+16(SB)/4, $0x38f895d6
DATA b4<>+20(SB)/4, $0x38f895d6
DATA b4<>+24(SB)/4, $0x38f895d6
DATA b4<>+28(SB)/4, $0x38f895d6
GLOBL b4<>(SB), RODATA|NOPTR, $32
DATA b6<>+0(SB)/4, $0x35a0d3d8
DATA b6<>+4(SB)/4, $0x35a0d3d8
DATA b6<>+8(SB)/4, $0x35a0d3d8
DATA b6<>+12(SB)/4, $0x35a0d3d8
DATA b6<>+16(SB)/4, $0x35a0d3d8
DATA b6<>+20(SB)/4, $0x35a0d3d8
DATA b6<>+24(SB)/4, $0x35a0d3d8
DATA b6<>+28(SB)/4, $0x35a0d3d8
GLOBL b6<>(SB), RODATA|NOPTR, $32
DATA one<>+0(SB)/4, $0x3f800000
DATA one<>+4(SB)/4, $0x3f800000
DATA one<>+8(SB)/4, $0x3f800000
DATA one<>+12(SB)/4, $0x3f800000
DATA one<>+16(SB)/4, $0x3f800000
DATA one<>+20(SB)/4, $0x3f800000
DATA one<>+24(SB)/4, $0x3f800000
DATA one<>+28(SB)/4, $0x3f800000
GLOBL one<>(SB), RODATA|NOPTR, $32

DATA absmask<>+0(SB)/4, $0x7fffffff
DATA absmask<>+4(SB)/4, $0x7fffffff
DATA absmask<>+8(SB)/4, $0x7fffffff
DATA absmask<>+12(SB)/4, $0x7fffffff
DATA absmask<>+16(SB)/4, $0x7fffffff
DATA absmask<>+20(SB)/4, $0x7fffffff
DATA absmask<>+24(SB)/4, $0x7fffffff
DATA absmask<>+28(SB)/4, $0x7fffffff
GLOBL absmask<>(SB), RODATA|NOPTR, $32
DATA signmask<>+0(SB)/4, $0x80000000
DATA signmask<>+4(SB)/4, $0x80000000
DATA signmask<>+8(SB)/4, $0x80000000
DATA signmask<>+12(SB)/4, $0x80000000
DATA signmask<>+16(SB)/4, $0x80000000
DATA signmask<>+20(SB)/4, $0x80000000
DATA signmask<>+24(SB)/4, $0x80000000
DATA signmask<>+28(SB)/4, $0x80000000
GLOBL signmask<>(SB), RODATA|NOPTR, $32

DATA expHi<>+0(SB)/4, $0x42b0c0a5
DATA expHi<>+4(SB)/4, $0x42b0c0a5
DATA expHi<>+8(SB)/4, $0x42b0c0a5
DATA expHi<>+12(SB)/4, $0x42b0c0a5
DATA expHi<>+16(SB)/4, $0x42b0c0a5
DATA expHi<>+20(SB)/4, $0x42b0c0a5
DATA expHi<>+24(SB)/4, $0x42b0c0a5
DATA expHi<>+28(SB)/4, $0x42b0c0a5
GLOBL expHi<>(SB), RODATA|NOPTR, $32
DATA expLo<>+0(SB)/4, $0xc2aeac50
DATA expLo<>+4(SB)/4, $0xc2aeac50
DATA expLo<>+8(SB)/4, $0xc2aeac50
DATA expLo<>+12(SB)/4, $0xc2aeac50
DATA expLo<>+16(SB)/4, $0xc2aeac50
DATA expLo<>+20(SB)/4, $0xc2aeac50
DATA expLo<>+24(SB)/4, $0xc2aeac50
DATA expLo<>+28(SB)/4, $0xc2aeac50
GLOBL expLo<>(SB), RODATA|NOPTR, $32
DATA log2e<>+0(SB)/4, $0x3fb8aa3b
DATA log2e<>+4(SB)/4, $0x3fb8aa3b
DATA log2e<>+8(SB)/4, $0x3fb8aa3b
DATA log2e<>+12(SB)/4, $0x3fb8aa3b
DATA log2e<>+16(SB)/4, $0x3fb8aa3b
DATA log2e<>+20(SB)/4, $0x3fb8aa3b
DATA log2e<>+24(SB)/4, $0x3fb8aa3b
DATA log2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL log2e<>(SB), RODATA|NOPTR, $32
DATA ln2hi<>+0(SB)/4, $0x3f318000
DATA ln2hi<>+4(SB)/4, $0x3f318000
DATA ln2hi<>+8(SB)/4, $0x3f318000
DATA ln2hi<>+12(SB)/4, $0x3f318000
DATA ln2hi<>+16(SB)/4, $0x3f318000
DATA ln2hi<>+20(SB)/4, $0x3f318000
DATA ln2hi<>+24(SB)/4, $0x3f318000
DATA ln2hi<>+28(SB)/4, $0x3f318000
GLOBL ln2hi<>(SB), RODATA|NOPTR, $32
DATA ln2lo<>+0(SB)/4, $0xb95e8083
DATA ln2lo<>+4(SB)/4, $0xb95e8083
DATA ln2lo<>+8(SB)/4, $0xb95e8083
DATA ln2lo<>+12(SB)/4, $0xb95e8083
DATA ln2lo<>+16(SB)/4, $0xb95e8083
DATA ln2lo<>+20(SB)/4, $0xb95e8083
DATA ln2lo<>+24(SB)/4, $0xb95e8083
DATA ln2lo<>+28(SB)/4, $0xb95e8083
GLOBL ln2lo<>(SB), RODATA|NOPTR, $32
DATA ep0<>+0(SB)/4, $0x39506967
DATA ep0<>+4(SB)/4, $0x39506967
DATA ep0<>+8(SB)/4, $0x39506967
DATA ep0<>+12(SB)/4, $0x39506967
DATA ep0<>+16(SB)/4, $0x39506967
DATA ep0<>+20(SB)/4, $0x39506967
DATA ep0<>+24(SB)/4, $0x39506967
DATA ep0<>+28(SB)/4, $0x39506967
GLOBL ep0<>(SB), RODATA|NOPTR, $32
DATA ep1<>+0(SB)/4, $0x3ab743ce
DATA ep1<>+4(SB)/4, $0x3ab743ce
DATA ep1<>+8(SB)/4, $0x3ab743ce
DATA ep1<>+12(SB)/4, $0x3ab743ce
DATA ep1<>+16(SB)/4, $0x3ab743ce
DATA ep1<>+20(SB)/4, $0x3ab743ce
DATA ep1<>+24(SB)/4, $0x3ab743ce
DATA ep1<>+28(SB)/4, $0x3ab743ce
GLOBL ep1<>(SB), RODATA|NOPTR, $32
DATA ep2<>+0(SB)/4, $0x3c088908
DATA ep2<>+4(SB)/4, $0x3c088908
DATA ep2<>+8(SB)/4, $0x3c088908
DATA ep2<>+12(SB)/4, $0x3c088908
DATA ep2<>+16(SB)/4, $0x3c088908
DATA ep2<>+20(SB)/4, $0x3c088908
DATA ep2<>+24(SB)/4, $0x3c088908
DATA ep2<>+28(SB)/4, $0x3c088908
GLOBL ep2<>(SB), RODATA|NOPTR, $32
DATA ep3<>+0(SB)/4, $0x3d2aa9c1
DATA ep3<>+4(SB)/4, $0x3d2aa9c1
DATA ep3<>+8(SB)/4, $0x3d2aa9c1
DATA ep3<>+12(SB)/4, $0x3d2aa9c1
DATA ep3<>+16(SB)/4, $0x3d2aa9c1
DATA ep3<>+20(SB)/4, $0x3d2aa9c1
DATA ep3<>+24(SB)/4, $0x3d2aa9c1
DATA ep3<>+28(SB)/4, $0x3d2aa9c1
GLOBL ep3<>(SB), RODATA|NOPTR, $32
DATA ep4<>+0(SB)/4, $0x3e2aaaaa
DATA ep4<>+4(SB)/4, $0x3e2aaaaa
DATA ep4<>+8(SB)/4, $0x3e2aaaaa
DATA ep4<>+12(SB)/4, $0x3e2aaaaa
DATA ep4<>+16(SB)/4, $0x3e2aaaaa
DATA ep4<>+20(SB)/4, $0x3e2aaaaa
DATA ep4<>+24(SB)/4, $0x3e2aaaaa
DATA ep4<>+28(SB)/4, $0x3e2aaaaa
GLOBL ep4<>(SB), RODATA|NOPTR, $32
DATA ep5<>+0(SB)/4, $0x3f000000
DATA ep5<>+4(SB)/4, $0x3f000000
DATA ep5<>+8(SB)/4, $0x3f000000
DATA ep5<>+12(SB)/4, $0x3f000000
DATA ep5<>+16(SB)/4, $0x3f000000
DATA ep5<>+20(SB)/4, $0x3f000000
DATA ep5<>+24(SB)/4, $0x3f000000
DATA ep5<>+28(SB)/4, $0x3f000000
GLOBL ep5<>(SB), RODATA|NOPTR, $32
DATA bias127<>+0(SB)/4, $0x0000007f
DATA bias127<>+4(SB)/4, $0x0000007f
DATA bias127<>+8(SB)/4, $0x0000007f
DATA bias127<>+12(SB)/4, $0x0000007f
DATA bias127<>+16(SB)/4, $0x0000007f
DATA bias127<>+20(SB)/4, $0x0000007f
DATA bias127<>+24(SB)/4, $0x0000007f
DATA bias127<>+28(SB)/4, $0x0000007f
GLOBL bias127<>(SB), RODATA|NOPTR, $32

DATA posinf<>+0(SB)/4, $0x7f800000
DATA posinf<>+4(SB)/4, $0x7f800000
DATA posinf<>+8(SB)/4, $0x7f800000
DATA posinf<>+12(SB)/4, $0x7f800000
DATA posinf<>+16(SB)/4, $0x7f800000
DATA posinf<>+20(SB)/4, $0x7f800000
DATA posinf<>+24(SB)/4, $0x7f800000
DATA posinf<>+28(SB)/4, $0x7f800000
GLOBL posinf<>(SB), RODATA|NOPTR, $32

// func tanhAVX2(dst, src *float32, n int), n a positive multiple of 8.
// tanh(x) = x·P(x²)/Q(x²) after clamping x to ±clamp, and ±1 where |x| ≥ clamp (a blend on
// |x| ≥ clamp, false for NaN). VMINPS and VMAXPS return their second source (x, written first in
// Go's operand order) when it is NaN, so NaN propagates.
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS clamp<>(SB), Y15
	VMOVUPS nclamp<>(SB), Y14
	XORQ AX, AX
tanhloop:
	VMOVUPS (SI)(AX*4), Y0
	VMINPS Y0, Y15, Y0
	VMAXPS Y0, Y14, Y0
	VMULPS Y0, Y0, Y1
	VMOVUPS a13<>(SB), Y2
	VFMADD213PS a11<>(SB), Y1, Y2
	VFMADD213PS a9<>(SB), Y1, Y2
	VFMADD213PS a7<>(SB), Y1, Y2
	VFMADD213PS a5<>(SB), Y1, Y2
	VFMADD213PS a3<>(SB), Y1, Y2
	VFMADD213PS a1<>(SB), Y1, Y2
	VMULPS Y0, Y2, Y2
	VMOVUPS b6<>(SB), Y3
	VFMADD213PS b4<>(SB), Y1, Y3
	VFMADD213PS b2<>(SB), Y1, Y3
	VFMADD213PS b0<>(SB), Y1, Y3
	VDIVPS Y3, Y2, Y2
	VMOVUPS (SI)(AX*4), Y4
	VANDPS absmask<>(SB), Y4, Y5
	VCMPPS $0x1d, Y15, Y5, Y5
	VANDPS signmask<>(SB), Y4, Y6
	VORPS one<>(SB), Y6, Y6
	VBLENDVPS Y5, Y6, Y2, Y2
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT tanhloop
	VZEROUPPER
	RET

// func tanhBackwardAVX2(dx, d, y *float32, n int): dx += d·(1 − y²).
TEXT ·tanhBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ dx+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VMOVUPS one<>(SB), Y15
	XORQ AX, AX
tbloop:
	VMOVUPS (DX)(AX*4), Y0
	VMOVAPS Y15, Y1
	VFNMADD231PS Y0, Y0, Y1
	VMOVUPS (DI)(AX*4), Y2
	VFMADD231PS (SI)(AX*4), Y1, Y2
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT tbloop
	VZEROUPPER
	RET

// func adamAVX2(param, grad, mom, sq *float32, n int, a *adamArgs)
// m = b1·m + c1·g; v = b2·v + c2·g²; p -= stepSize·m / (√v·invBc2 + eps).
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ mom+16(FP), R8
	MOVQ sq+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ a+40(FP), DX
	VBROADCASTSS 0(DX), Y9
	VBROADCASTSS 4(DX), Y10
	VBROADCASTSS 8(DX), Y11
	VBROADCASTSS 12(DX), Y12
	VBROADCASTSS 16(DX), Y13
	VBROADCASTSS 20(DX), Y14
	VBROADCASTSS 24(DX), Y15
	XORQ AX, AX
adamloop:
	VMOVUPS (SI)(AX*4), Y0
	VMULPS Y0, Y11, Y1
	VMOVUPS (R8)(AX*4), Y2
	VFMADD213PS Y1, Y9, Y2
	VMOVUPS Y2, (R8)(AX*4)
	VMULPS Y0, Y0, Y3
	VMULPS Y3, Y12, Y3
	VMOVUPS (R9)(AX*4), Y4
	VFMADD213PS Y3, Y10, Y4
	VMOVUPS Y4, (R9)(AX*4)
	VSQRTPS Y4, Y5
	VFMADD213PS Y15, Y14, Y5
	VMULPS Y2, Y13, Y6
	VDIVPS Y5, Y6, Y6
	VMOVUPS (DI)(AX*4), Y7
	VSUBPS Y6, Y7, Y7
	VMOVUPS Y7, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT adamloop
	VZEROUPPER
	RET


// func reluAVX2(dst, src *float32, n int): clear the lanes whose sign bit is set
// (VPSRAD spreads the sign bit over the lane; VANDNPS keeps x where the mask is 0).
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
reluloop:
	VMOVUPS (SI)(AX*4), Y0
	VPSRAD $31, Y0, Y1
	VANDNPS Y0, Y1, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT reluloop
	VZEROUPPER
	RET

// func reluBackwardAVX2(dx, d, y *float32, n int): dx += d where y > 0.
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ dx+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y15, Y15, Y15
	XORQ AX, AX
rbloop:
	VMOVUPS (DX)(AX*4), Y0
	VCMPPS $0x1e, Y15, Y0, Y0
	VANDPS (SI)(AX*4), Y0, Y0
	VADDPS (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT rbloop
	VZEROUPPER
	RET

// func addAVX2(dst, src *float32, n int): dst += src.
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
addloop:
	VMOVUPS (SI)(AX*4), Y0
	VADDPS (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT addloop
	VZEROUPPER
	RET

// EXP8 computes e^Y0 into Y0 (Cephes expf: n = round(x·log2e), r = x − n·ln2 in two parts,
// e^r by a degree-7 polynomial, times 2^n built in the exponent field). Clobbers Y1-Y5.
// The clamp to [expLo, expHi] keeps 2^n finite and normal; VMINPS/VMAXPS keep NaN (x first);
// lanes beyond the clamp become 0 and +Inf at the end, as e^x rounds there.
#define EXP8 \
	VMOVAPS Y0, Y5 \
	VMINPS Y0, Y14, Y0 \
	VMAXPS Y0, Y13, Y0 \
	VMULPS log2e<>(SB), Y0, Y1 \
	VROUNDPS $0, Y1, Y1 \
	VFNMADD231PS ln2hi<>(SB), Y1, Y0 \
	VFNMADD231PS ln2lo<>(SB), Y1, Y0 \
	VMULPS Y0, Y0, Y2 \
	VMOVUPS ep0<>(SB), Y3 \
	VFMADD213PS ep1<>(SB), Y0, Y3 \
	VFMADD213PS ep2<>(SB), Y0, Y3 \
	VFMADD213PS ep3<>(SB), Y0, Y3 \
	VFMADD213PS ep4<>(SB), Y0, Y3 \
	VFMADD213PS ep5<>(SB), Y0, Y3 \
	VFMADD213PS Y0, Y2, Y3 \
	VADDPS Y15, Y3, Y3 \
	VCVTPS2DQ Y1, Y1 \
	VPADDD bias127<>(SB), Y1, Y1 \
	VPSLLD $23, Y1, Y1 \
	VMULPS Y1, Y3, Y0 \
	VCMPPS $0x1e, Y14, Y5, Y1 \
	VBLENDVPS Y1, posinf<>(SB), Y0, Y0 \
	VCMPPS $0x11, Y13, Y5, Y1 \
	VXORPS Y2, Y2, Y2 \
	VBLENDVPS Y1, Y2, Y0, Y0

// func expAVX2(dst, src *float32, n int)
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS expHi<>(SB), Y14
	VMOVUPS expLo<>(SB), Y13
	VMOVUPS one<>(SB), Y15
	XORQ AX, AX
exploop:
	VMOVUPS (SI)(AX*4), Y0
	EXP8
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT exploop
	VZEROUPPER
	RET

// func sigmoidAVX2(dst, src *float32, n int): 1/(1 + e^−x).
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS expHi<>(SB), Y14
	VMOVUPS expLo<>(SB), Y13
	VMOVUPS one<>(SB), Y15
	VXORPS Y12, Y12, Y12
	XORQ AX, AX
sigloop:
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS Y0, Y12, Y0
	EXP8
	VADDPS Y15, Y0, Y0
	VDIVPS Y0, Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT sigloop
	VZEROUPPER
	RET

// func sumRowsAVX2(dst, src *float32, rows, cols, n int): for each block of 8 columns below n,
// sum the rows in a register (two accumulators for two rows at a time), then add into dst.
TEXT ·sumRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ cols+24(FP), R9
	MOVQ n+32(FP), CX
	SHLQ $2, R9               // row stride in bytes
	XORQ AX, AX               // column
srcol:
	LEAQ (SI)(AX*4), DX       // &src[0][col]
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ R8, BX
srrow2:
	CMPQ BX, $2
	JLT srrow1
	VADDPS (DX), Y0, Y0
	VADDPS (DX)(R9*1), Y1, Y1
	LEAQ (DX)(R9*2), DX
	SUBQ $2, BX
	JMP srrow2
srrow1:
	CMPQ BX, $1
	JLT srdone
	VADDPS (DX), Y0, Y0
srdone:
	VADDPS Y1, Y0, Y0
	VADDPS (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT srcol
	VZEROUPPER
	RET

// func addRowVectorAVX2(dst, b *float32, rows, cols, n int): dst[r][j] += b[j] for j < n.
TEXT ·addRowVectorAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ cols+24(FP), R9
	MOVQ n+32(FP), CX
	SHLQ $2, R9
	XORQ AX, AX
arcol:
	VMOVUPS (SI)(AX*4), Y1
	LEAQ (DI)(AX*4), DX
	MOVQ R8, BX
arrow:
	VADDPS (DX), Y1, Y0
	VMOVUPS Y0, (DX)
	ADDQ R9, DX
	DECQ BX
	JNZ arrow
	ADDQ $8, AX
	CMPQ AX, CX
	JLT arcol
	VZEROUPPER
	RET

// func sumSquaresAVX2(x *float32, n int) float64, n a positive multiple of 16: four float32s at
// a time are widened to float64 (VCVTPS2PD) and squared into one of four vectors of partial
// sums, so four FMA chains cover the FMA latency.
TEXT ·sumSquaresAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ AX, AX
ssloop:
	VCVTPS2PD (SI)(AX*4), Y4
	VCVTPS2PD 16(SI)(AX*4), Y5
	VCVTPS2PD 32(SI)(AX*4), Y6
	VCVTPS2PD 48(SI)(AX*4), Y7
	VFMADD231PD Y4, Y4, Y0
	VFMADD231PD Y5, Y5, Y1
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	ADDQ $16, AX
	CMPQ AX, CX
	JLT ssloop
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VUNPCKHPD X0, X0, X1
	VADDSD X1, X0, X0
	VZEROUPPER
	MOVSD X0, ret+16(FP)
	RET

// func scaleAVX2(x *float32, n int, c float32), n a positive multiple of 8: x[i] *= c.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS c+16(FP), Y1
	XORQ AX, AX
scloop:
	VMULPS (DI)(AX*4), Y1, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT scloop
	VZEROUPPER
	RET
