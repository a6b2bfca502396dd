package vec

// The AVX2 loops of cells.go: n (a multiple of 8) elements of rows whose gate blocks are h apart.

//go:noescape
func lstmBackwardAVX2(dG, act, cPrev, tc, dy, dh, dc *float32, n, h int)

//go:noescape
func gruBackwardAVX2(dG, dGh, act, ghn, hPrev, dy, dh *float32, n, h int)
