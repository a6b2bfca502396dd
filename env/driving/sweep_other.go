//go:build !amd64 || purego

package driving

// sweep moves the fast vehicles of row r by one simulation step (see sweepGeneric).
func sweep(r *row, k *sweepConsts, _ *sweepTable) int { return sweepGeneric(r, k) }

// sweepKernel names the implementation of sweep in use.
const sweepKernel = "generic"
