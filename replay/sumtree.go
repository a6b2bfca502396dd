package replay

import "math"

// sumTree is a complete binary tree over n leaves (padded to a power of two) whose inner nodes
// hold the sum and the minimum of their subtrees: O(log n) updates, prefix-sum search and
// minimum. Leaves with priority 0 (invalid slots) count as +Inf in the minimum.
type sumTree struct {
	n   int       // leaves in use
	off int       // index of the first leaf: a power of two ≥ n
	sum []float64 // 2·off nodes, root at 1
	min []float64
}

func newSumTree(n int) *sumTree {
	off := 1
	for off < n {
		off *= 2
	}
	t := &sumTree{n: n, off: off, sum: make([]float64, 2*off), min: make([]float64, 2*off)}
	for i := range t.min {
		t.min[i] = math.Inf(1)
	}
	return t
}

// set gives leaf i priority p ≥ 0.
func (t *sumTree) set(i int, p float64) {
	j := i + t.off
	t.sum[j] = p
	if p > 0 {
		t.min[j] = p
	} else {
		t.min[j] = math.Inf(1)
	}
	for j /= 2; j >= 1; j /= 2 {
		t.sum[j] = t.sum[2*j] + t.sum[2*j+1]
		t.min[j] = min(t.min[2*j], t.min[2*j+1])
	}
}

func (t *sumTree) leaf(i int) float64 { return t.sum[i+t.off] }
func (t *sumTree) total() float64     { return t.sum[1] }
func (t *sumTree) minimum() float64   { return t.min[1] }

// find returns the leaf i whose cumulative range [Σ_{k<i} p_k, Σ_{k≤i} p_k) contains u. Rounding
// can leave u at or past the total; the search then never enters an empty subtree, so the leaf
// returned always has a positive priority when the total is positive.
func (t *sumTree) find(u float64) int {
	j := 1
	for j < t.off {
		l := 2 * j
		if (u < t.sum[l] && t.sum[l] > 0) || t.sum[l+1] == 0 {
			j = l
		} else {
			u -= t.sum[l]
			j = l + 1
		}
	}
	return j - t.off
}
