package vec

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the assembly loops; the Go loops serve other CPUs (and the tails).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

//go:noescape
func tanhAVX2(dst, src *float32, n int)

//go:noescape
func tanhBackwardAVX2(dx, d, y *float32, n int)

//go:noescape
func adamAVX2(param, grad, mom, sq *float32, n int, a *adamArgs)

//go:noescape
func reluAVX2(dst, src *float32, n int)

//go:noescape
func reluBackwardAVX2(dx, d, y *float32, n int)

//go:noescape
func addAVX2(dst, src *float32, n int)

//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

//go:noescape
func sumRowsAVX2(dst, src *float32, rows, cols, n int)

//go:noescape
func addRowVectorAVX2(dst, b *float32, rows, cols, n int)

//go:noescape
func sumSquaresAVX2(x *float32, n int) float64

//go:noescape
func scaleAVX2(x *float32, n int, c float32)
