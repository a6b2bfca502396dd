//go:build !amd64

package vec

func lstmBackwardAVX2(dG, act, cPrev, tc, dy, dh, dc *float32, n, h int)  { panic("unreachable") }
func gruBackwardAVX2(dG, dGh, act, ghn, hPrev, dy, dh *float32, n, h int) { panic("unreachable") }
