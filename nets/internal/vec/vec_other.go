//go:build !amd64

package vec

import "math"

var useAVX2 = false // no assembly here; a variable so that the tests can toggle it everywhere

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func tanhAVX2(dst, src *float32, n int)                          { panic("unreachable") }
func tanhBackwardAVX2(dx, d, y *float32, n int)                  { panic("unreachable") }
func adamAVX2(param, grad, mom, sq *float32, n int, a *adamArgs) { panic("unreachable") }
func reluAVX2(dst, src *float32, n int)                          { panic("unreachable") }
func reluBackwardAVX2(dx, d, y *float32, n int)                  { panic("unreachable") }
func addAVX2(dst, src *float32, n int)                           { panic("unreachable") }
func expAVX2(dst, src *float32, n int)                           { panic("unreachable") }
func sigmoidAVX2(dst, src *float32, n int)                       { panic("unreachable") }
func sumRowsAVX2(dst, src *float32, rows, cols, n int)           { panic("unreachable") }
func addRowVectorAVX2(dst, b *float32, rows, cols, n int)        { panic("unreachable") }
func sumSquaresAVX2(x *float32, n int) float64                   { panic("unreachable") }
func scaleAVX2(x *float32, n int, c float32)                     { panic("unreachable") }
