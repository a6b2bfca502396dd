//go:build !amd64 || purego

package driving

// sweep moves the vehicles of row r by one simulation step (sweepGeneric, then laneSteps).
func sweep(r *row, k *sweepConsts, _ *sweepTable, vs []Vehicle) int {
	return sweepGeneric(r, k) | laneSteps(r, k, vs)
}

// sweepKernel names the implementation of sweep in use.
const sweepKernel = "generic"

// shiftUp moves entries [k, k+m) of every plane of d one place up.
func shiftUp(d []float64, stride, k, m int) { shiftPlanesUp(d, stride, k, m) }

// shiftDown moves entries [k+1, k+1+m) of every plane of d one place down.
func shiftDown(d []float64, stride, k, m int) { shiftPlanesDown(d, stride, k, m) }

// countBelow returns the number of the elements of S below s.
func countBelow(S []float64, s float64) int { return countBelowGeneric(S, s) }

// sweepAll sweeps every row of t that has vehicles and records the flags in t.flags.
func (t *Traffic) sweepAll() {
	for c := range t.rows {
		if r := &t.rows[c]; r.n > 0 {
			t.flags[c] = uint8(sweep(r, &t.k, &t.tab, t.Vehicles))
		}
	}
}

// sweepRow is unused without the AVX-512 sweep.
type sweepRow struct{ flags int }
