package gemm

import (
	"runtime"
	"unsafe"
)

// Table sizes of the micro-kernel sets (the generated amd64 tables have these shapes).
const (
	maxTileRows = 14 // rows of a tile kernel
	maxTileNV   = 8  // vectors a row of a tile kernel
	maxDotRows  = 4  // rows of A in a dot kernel
	maxDotCols  = 8  // rows of B in a dot kernel
	smallRows   = 64 // m up to which the direct path picks its tile shape from a table
)

// tileFunc computes one tile C[i][j] = alpha·Σp A[i,p]·B[p,j] + beta·C[i][j] (beta == 0: C is not
// read) for i < mr, j < nv·lanes, where A[i,p] is at a + i·ars + p·aps, B[p,·] at b + p·bps and
// C[i][·] at c + i·crs, strides in bytes. mask describes the last vector (arch.masks).
type tileFunc func(k int, a unsafe.Pointer, ars, aps uintptr, b unsafe.Pointer, bps uintptr, c unsafe.Pointer, crs uintptr, alpha, beta float32, mask uintptr)

// dotFunc computes C[i][j] = alpha·Σp A[i,p]·B[j,p] + beta·C[i][j] for i < mr, j < nr: dot
// products of rows contiguous along k, A[i,·] at a + i·ars, B[j,·] at b + j·brs, C[i][j] at
// c + i·crs + j·ccs. tail is arch.masks[k%lanes].
type dotFunc func(k int, a unsafe.Pointer, ars uintptr, b unsafe.Pointer, brs uintptr, c unsafe.Pointer, crs, ccs uintptr, alpha, beta float32, tail uintptr)

// transposeFunc copies r rows (r fixed by the function) of l floats, row i at src + i·srs, into
// rows of r floats: the float at src + i·srs + 4q goes to dst + q·ds + 4i. tail is the AVX2 lane
// mask of l%8 lanes.
type transposeFunc func(l int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, tail uintptr)

// rowCopyFunc copies rows rows of n floats, row i from src + i·srs to dst + i·ds; tail is the AVX2
// lane mask of n%8 lanes.
type rowCopyFunc func(rows int, src unsafe.Pointer, srs uintptr, dst unsafe.Pointer, ds uintptr, n int, tail uintptr)

type tileTable = [maxTileRows + 1][maxTileNV + 1]tileFunc

type dotTable = [maxDotRows + 1][maxDotCols + 1]dotFunc

// arch is one set of micro-kernels with the blocking parameters that suit them.
type arch struct {
	name  string
	lanes int // float32 in a vector: the column granularity of a tile

	// tiles[mr][nv] computes an mr×(nv vectors) tile whose last vector is masked; full[mr][nv]
	// the same with a full last vector (the same kernels where masking is free).
	tiles, full *tileTable
	dots        *dotTable
	masks       [17]uintptr       // masks[l]: the tile mask for a last vector of l lanes; masks[0] = 0
	transposes  *[9]transposeFunc // transposes[r] for r rows; nil: plain Go
	rowCopy     rowCopyFunc       // nil: plain Go

	dotMaxM int // the dot path serves products with min(m, n) up to this

	mr, nv     int // micro-tile of the packed path: mr rows × nv vectors
	kc, mc, nc int // packed-path blocking: k, rows and columns of one packed block

	// Derived by init.
	tileRows [maxTileNV + 1]int                  // the most rows of a tile kernel with nv vectors
	maxNV    int                                 // widest tile kernel
	dotCols  [maxDotRows + 1]int                 // the most B rows of a dot kernel with mr A rows
	smallNV  [smallRows + 1][maxTileNV + 1]uint8 // direct path: tile vectors for (m, widest useful)
}

// bestArch is the fastest kernel set this CPU runs; supportedArchs lists all of them (tests run each).
var (
	archGeneric    = newGenericArch()
	bestArch       = archGeneric
	supportedArchs = []*arch{archGeneric}
)

func (ar *arch) init() {
	for nv := 1; nv <= maxTileNV; nv++ {
		for mr := 1; mr <= maxTileRows; mr++ {
			if ar.tiles[mr][nv] != nil {
				ar.tileRows[nv] = mr
				ar.maxNV = nv
			}
		}
	}
	for mr := 1; mr <= maxDotRows; mr++ {
		for nr := 1; nr <= maxDotCols; nr++ {
			if ar.dots[mr][nr] != nil {
				ar.dotCols[mr] = nr
			}
		}
	}
	for m := 1; m <= smallRows; m++ {
		for top := 1; top <= ar.maxNV; top++ {
			best, bestCost := ar.nv, -1.0
			if ar.nv > top {
				best = top
			}
			for nv := 1; nv <= top; nv++ {
				if c := ar.tileCost(m, top*ar.lanes, nv); bestCost < 0 || c < bestCost {
					best, bestCost = nv, c
				}
			}
			ar.smallNV[m][top] = uint8(best)
		}
	}
}

// tileCost models the cycles a k step of an m×n product costs when cut into tiles of nv vectors
// and tileRows[nv] rows: each tile is bound by its FMAs (two a cycle), its loads (two a cycle) or
// the FMA latency (one step of a chain every four cycles), plus a call overhead.
func (ar *arch) tileCost(m, n, nv int) float64 {
	w := nv * ar.lanes
	rows := ar.tileRows[nv]
	cost := 0.0
	for j := 0; j < n; j += w {
		v := (min(w, n-j) + ar.lanes - 1) / ar.lanes
		for i := 0; i < m; i += rows {
			r := min(rows, m-i)
			cost += max(float64(r*v)/2, float64(r+v)/2, 4) + 1
		}
	}
	return cost
}

// directShape picks the tile of the direct path: nv vectors a row, rows rows.
func (ar *arch) directShape(m, n int) (nv, rows int) {
	top := min(ar.maxNV, (n+ar.lanes-1)/ar.lanes)
	if m <= smallRows {
		nv = int(ar.smallNV[m][top])
	} else {
		nv = min(ar.nv, top)
	}
	return nv, ar.tileRows[nv]
}

// sweep computes C = alpha·A·B + beta·C for the job's m×n block of C with tiles of s.rows rows
// and panels of s.nv vectors (w = nv·lanes columns). Row block ib of A starts at a + ib·apanel,
// with A[i,p] at + i·ars + p·aps inside it; column panel jp of B starts at b + jp·bpanel with
// B[p,j] at + p·bps + 4j. Columns are the outer loop so that the k×w panel of B stays in L1
// while the row blocks of A stream past it.
func (s *sweepJob) sweep() {
	ar := s.ar
	lanes, rows := ar.lanes, s.rows
	w := s.nv * lanes
	for j0, jp := 0, uintptr(0); j0 < s.n; j0, jp = j0+w, jp+1 {
		cols := min(w, s.n-j0)
		nvj := (cols + lanes - 1) / lanes
		last := cols - (nvj-1)*lanes
		tbl := ar.tiles
		if last == lanes {
			tbl = ar.full
		}
		mask := ar.masks[last]
		bp := unsafe.Add(s.b, jp*s.bpanel)
		cp := unsafe.Add(s.c, j0*4)
		for i0, ib := 0, uintptr(0); i0 < s.m; i0, ib = i0+rows, ib+1 {
			mr := min(rows, s.m-i0)
			tbl[mr][nvj](s.k, unsafe.Add(s.a, ib*s.apanel), s.ars, s.aps, bp, s.bps, unsafe.Add(cp, uintptr(i0)*s.crs), s.crs, s.alpha, s.beta, mask)
		}
	}
}

// threadsFor is the number of goroutines worth using for fmas multiply-adds: each must get at
// least parMinWork of them, or waking it costs more than it saves.
func threadsFor(threads int, fmas int64) int {
	if fmas < 2*parMinWork || threads == 1 {
		return 1
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return int(max(1, min(int64(threads), fmas/parMinWork)))
}

// parMinWork is the least number of multiply-adds given to one more goroutine: about 5 µs of
// work at 200 GFLOP/s, several times the cost of waking a parked pool worker (a few µs; the
// caller does not wait for it, see parallel).
const parMinWork = 1 << 19
