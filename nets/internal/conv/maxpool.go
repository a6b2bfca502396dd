package conv

// MaxPool2x2 computes max pooling with a 2×2 window and stride 2 for one output row, with SIMD
// where the CPU has it: out[j] = max(r0[2j], r0[2j+1], r1[2j], r1[2j+1]) and, when arg is not
// nil, arg[j] = base + 2j + k, k being 0, 1, w or w+1 for the first of the four (in that order)
// that equals the maximum. It returns how many outputs it computed, a multiple of 8 that stops
// before the first group of 8 windows holding a NaN; the caller computes the rest (NaN rules
// and the tail). r0 and r1 hold at least 2·len(out) elements, arg (if not nil) len(out).
func MaxPool2x2(r0, r1, out []float32, arg []int, base, w int) int {
	n := len(out) &^ 7
	if !useSIMD || n == 0 {
		return 0
	}
	_, _ = r0[2*n-1], r1[2*n-1]
	var ap *int
	if arg != nil {
		_ = arg[n-1]
		ap = &arg[0]
	}
	return maxPool2x2SIMD(&r0[0], &r1[0], &out[0], ap, n, base, w)
}
