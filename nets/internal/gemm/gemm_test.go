package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// problem is one product with its operands stored with padded strides.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int // extra columns in each stored row: strides larger than widths
	nanC           bool
}

func (p problem) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%g,beta=%g,pad=%d,nan=%v",
		p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta, p.pad, p.nanC)
}

type data struct {
	a, b, c       []float32
	lda, ldb, ldc int
}

func (p problem) data(rng *rand.Rand) data {
	ar, ac := p.m, p.k
	if p.transA {
		ar, ac = p.k, p.m
	}
	br, bc := p.k, p.n
	if p.transB {
		br, bc = p.n, p.k
	}
	d := data{lda: ac + p.pad, ldb: bc + p.pad, ldc: p.n + p.pad}
	fill := func(rows, ld int) []float32 {
		s := make([]float32, rows*ld)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	d.a, d.b, d.c = fill(ar, max(d.lda, 1)), fill(br, max(d.ldb, 1)), fill(p.m, max(d.ldc, 1))
	d.lda, d.ldb, d.ldc = max(d.lda, 1), max(d.ldb, 1), max(d.ldc, 1)
	if p.nanC {
		for i := range d.c {
			d.c[i] = float32(math.NaN())
		}
	}
	return d
}

// reference computes the product in float64 and a bound on each element's float32 error: the
// rounding of k products and sums is at most about k·eps times the sum of their magnitudes.
func (p problem) reference(d data) (want, tol []float64) {
	want = make([]float64, len(d.c))
	tol = make([]float64, len(d.c))
	const eps = 1.0 / (1 << 23)
	for i := range d.c {
		want[i] = float64(d.c[i]) // untouched padding
	}
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			var s, mag float64
			for q := 0; q < p.k; q++ {
				var av, bv float64
				if p.transA {
					av = float64(d.a[q*d.lda+i])
				} else {
					av = float64(d.a[i*d.lda+q])
				}
				if p.transB {
					bv = float64(d.b[j*d.ldb+q])
				} else {
					bv = float64(d.b[q*d.ldb+j])
				}
				s += av * bv
				mag += math.Abs(av * bv)
			}
			cv := float64(d.c[i*d.ldc+j])
			w := float64(p.alpha) * s
			m := math.Abs(float64(p.alpha)) * mag
			if p.beta != 0 {
				w += float64(p.beta) * cv
				m += math.Abs(float64(p.beta) * cv)
			}
			want[i*d.ldc+j] = w
			tol[i*d.ldc+j] = 2*float64(p.k+2)*eps*m + 1e-30
		}
	}
	return want, tol
}

// check runs the product through f and compares C, padding included, with the reference.
func (p problem) check(t *testing.T, rng *rand.Rand, f func(d data)) {
	t.Helper()
	d := p.data(rng)
	want, tol := p.reference(d)
	f(d)
	p.compare(t, d.c, d.ldc, want, tol)
}

func (p problem) compare(t *testing.T, c []float32, ldc int, want, tol []float64) {
	t.Helper()
	bad := 0
	for i, g := range c {
		w := want[i]
		if math.IsNaN(w) && math.IsNaN(float64(g)) {
			continue
		}
		if e := math.Abs(float64(g) - w); !(e <= tol[i]) {
			if bad < 3 {
				t.Errorf("%v: C[%d,%d] = %g, want %g (tolerance %g)", p, i/ldc, i%ldc, g, w, tol[i])
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%v: %d elements wrong", p, bad)
	}
}

// problems is the table: every transpose combination over odd and edge sizes (0 and 1, one
// short of and one past the tile sizes), strides past the widths, alpha/beta values including
// beta 0 over NaN, k = 0, and products big enough for the packed and parallel paths.
func problems(rng *rand.Rand, short bool) []problem {
	sizes := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15, 16, 17, 29, 31, 32, 33, 47, 64, 65, 100}
	var ps []problem
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {2.5, -1}, {0, 0.5}, {1, 0}}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			n := 70
			if short {
				n = 25
			}
			for i := 0; i < n; i++ {
				s := scalars[rng.IntN(len(scalars))]
				ps = append(ps, problem{
					transA: tA, transB: tB,
					m: sizes[rng.IntN(len(sizes))], n: sizes[rng.IntN(len(sizes))], k: sizes[rng.IntN(len(sizes))],
					alpha: s[0], beta: s[1], pad: rng.IntN(3) * rng.IntN(20),
					nanC: s[1] == 0 && rng.IntN(2) == 0,
				})
			}
			ps = append(ps,
				problem{transA: tA, transB: tB, m: 5, n: 6, k: 0, alpha: 1, beta: 0, nanC: true},
				problem{transA: tA, transB: tB, m: 5, n: 6, k: 0, alpha: 1, beta: 3},
				problem{transA: tA, transB: tB, m: 1, n: 1, k: 1, alpha: 1, beta: 0},
				problem{transA: tA, transB: tB, m: 1, n: 300, k: 37, alpha: 1, beta: 0.5, pad: 3},
				problem{transA: tA, transB: tB, m: 300, n: 1, k: 37, alpha: 1, beta: 0.5, pad: 3},
				problem{transA: tA, transB: tB, m: 3, n: 2, k: 700, alpha: -1, beta: 0, nanC: true},
				problem{transA: tA, transB: tB, m: 130, n: 150, k: 300, alpha: 0.5, beta: 0, pad: 5, nanC: true},
			)
			if !short {
				ps = append(ps, problem{transA: tA, transB: tB, m: 200, n: 333, k: 530, alpha: 1, beta: -0.5, pad: 1})
			}
		}
	}
	return ps
}

func archNames(t *testing.T) []*arch {
	t.Helper()
	for _, ar := range supportedArchs {
		t.Logf("testing kernels %q", ar.name)
	}
	return supportedArchs
}

// TestSgemm checks every kernel set this CPU runs, the portable Go one included, single-threaded
// and on three goroutines, against the float64 reference.
func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	type tcase struct {
		p         problem
		d         data
		want, tol []float64
	}
	var cases []tcase
	for _, p := range problems(rng, testing.Short()) {
		d := p.data(rng)
		want, tol := p.reference(d)
		cases = append(cases, tcase{p, d, want, tol})
	}
	for _, ar := range archNames(t) {
		for _, threads := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/threads=%d", ar.name, threads), func(t *testing.T) {
				ctx := &Context{Threads: threads, arch: ar}
				for _, tc := range cases {
					p, d := tc.p, tc.d
					c := append([]float32(nil), d.c...)
					ctx.Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, d.a, d.lda, d.b, d.ldb, p.beta, c, d.ldc)
					p.compare(t, c, d.ldc, tc.want, tc.tol)
				}
			})
		}
	}
}

// TestPackageSgemm checks the package-level Sgemm (OpenBLAS under the openblas tag).
func TestPackageSgemm(t *testing.T) {
	t.Logf("backend %s", Backend())
	rng := rand.New(rand.NewPCG(2, 2))
	for _, p := range problems(rng, true) {
		p.check(t, rng, func(d data) {
			Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, d.a, d.lda, d.b, d.ldb, p.beta, d.c, d.ldc)
		})
	}
}

// TestParallelDeterministic: every path gives bit-identical results whatever the thread count.
func TestParallelDeterministic(t *testing.T) {
	shapes := []problem{
		{m: 190, n: 170, k: 200, alpha: 1, beta: 0.5},              // direct, split by rows
		{m: 20, n: 900, k: 200, alpha: 1, beta: 0, transB: true},   // direct, split by columns
		{m: 150, n: 270, k: 600, alpha: 1, beta: 1, transA: true},  // packed, several k blocks
		{m: 30, n: 700, k: 700, alpha: -1, beta: 0, transB: true},  // packed, split by columns
		{m: 2, n: 3000, k: 300, alpha: 1, beta: 0.5, transB: true}, // dot
		{m: 4000, n: 3, k: 200, alpha: 1, beta: 0},                 // dot, swapped
		{m: 1, n: 5000, k: 250, alpha: 2, beta: 0, pad: 3},         // GEMV-like tiles
		{m: 70, n: 90, k: 1000, alpha: 1, beta: 0, transA: true, transB: true},
	}
	for _, ar := range supportedArchs {
		for _, p := range shapes {
			if testing.Short() && ar == archGeneric {
				continue
			}
			if threadsFor(2, int64(p.m*p.n*p.k)) < 2 {
				t.Fatalf("%v is too small to run in parallel", p)
			}
			rng := rand.New(rand.NewPCG(3, 3))
			d := p.data(rng)
			var first []float32
			for _, threads := range []int{1, 2, 3, 8} {
				c := append([]float32(nil), d.c...)
				(&Context{Threads: threads, arch: ar}).Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, d.a, d.lda, d.b, d.ldb, p.beta, c, d.ldc)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%s %v: threads=%d gives C[%d] = %g, threads=1 gives %g", ar.name, p, threads, i, c[i], first[i])
					}
				}
			}
		}
	}
}

// TestParallelConcurrentCalls shares the pool between goroutines (run it with -race).
func TestParallelConcurrentCalls(t *testing.T) {
	p := problem{m: 160, n: 150, k: 140, alpha: 1, beta: 0}
	rng := rand.New(rand.NewPCG(4, 4))
	d := p.data(rng)
	want, tol := p.reference(d)
	done := make(chan []float32)
	for g := 0; g < 4; g++ {
		go func() {
			c := make([]float32, len(d.c))
			for r := 0; r < 5; r++ {
				(&Context{Threads: 3}).Sgemm(false, false, p.m, p.n, p.k, 1, d.a, d.lda, d.b, d.ldb, 0, c, d.ldc)
			}
			done <- c
		}()
	}
	for g := 0; g < 4; g++ {
		c := <-done
		for i := range c {
			if math.Abs(float64(c[i])-want[i]) > tol[i] {
				t.Fatalf("C[%d] = %g, want %g", i, c[i], want[i])
			}
		}
	}
}

func TestSmallPathsDoNotAllocate(t *testing.T) {
	for _, ar := range supportedArchs {
		for _, s := range []struct {
			tA, tB  bool
			m, n, k int
		}{
			{false, true, 1, 64, 4}, {false, true, 1, 64, 64}, {false, false, 1, 64, 64},
			{false, false, 64, 64, 64}, {false, true, 64, 64, 64}, {true, false, 64, 64, 64},
			{false, true, 64, 2, 64}, {false, false, 64, 2, 64},
		} {
			p := problem{transA: s.tA, transB: s.tB, m: s.m, n: s.n, k: s.k, alpha: 1}
			d := p.data(rand.New(rand.NewPCG(5, 5)))
			ctx := &Context{Threads: 1, arch: ar}
			allocs := testing.AllocsPerRun(50, func() {
				ctx.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, d.a, d.lda, d.b, d.ldb, 0, d.c, d.ldc)
			})
			if allocs != 0 {
				t.Errorf("%s %+v: %v allocations a call", ar.name, s, allocs)
			}
		}
	}
}

func TestCheckArgsPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"negative", func() { Sgemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }, "gemm: negative size"},
		{"short A", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}, "gemm: A is 2x2"},
		{"short B", func() {
			Sgemm(false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 6), 3)
		}, "gemm: B is 3x2"},
		{"small ldc", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 4), 1)
		}, "gemm: C is 2x2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); len(s) < len(c.want) || s[:len(c.want)] != c.want {
					t.Fatalf("panic %v, want one starting %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}

// TestTransposeCopy checks the transposing copies (assembly and Go) on every row count and odd
// lengths, and that nothing outside the destination rows is written.
func TestTransposeCopy(t *testing.T) {
	const sentinel = -12345
	for _, ar := range supportedArchs {
		for rows := 1; rows <= 19; rows++ {
			for _, l := range []int{1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 33} {
				srs, ds := l+3, rows+2
				src := make([]float32, rows*srs)
				for i := range src {
					src[i] = float32(i)
				}
				dst := make([]float32, l*ds)
				for i := range dst {
					dst[i] = sentinel
				}
				ar.transposeCopy(dst, ds, src, srs, rows, l)
				for q := 0; q < l; q++ {
					for i := 0; i < ds; i++ {
						want := float32(sentinel)
						if i < rows {
							want = src[i*srs+q]
						}
						if got := dst[q*ds+i]; got != want {
							t.Fatalf("%s rows=%d l=%d: dst[%d][%d] = %g, want %g", ar.name, rows, l, q, i, got, want)
						}
					}
				}
			}
		}
	}
}

// TestPaths runs one product down each path and checks that it was the one taken, so that the
// table above really covers them all.
func TestPaths(t *testing.T) {
	for _, ar := range supportedArchs {
		for _, c := range []struct {
			p    problem
			path path
		}{
			{problem{m: 2, n: 50, k: 40, transB: true}, pathDot},
			{problem{m: 50, n: 2, k: 40}, pathDotSwapped},
			{problem{m: 50, n: 60, k: 40, transB: true}, pathDirect},
			{problem{m: 50, n: 60, k: 400, transA: true}, pathPacked},
		} {
			if got := ar.path(&operands{transA: c.p.transA, transB: c.p.transB, m: c.p.m, n: c.p.n, k: c.p.k, alpha: 1}); got != c.path {
				t.Errorf("%s %v: path %d, want %d", ar.name, c.p, got, c.path)
			}
		}
	}
}

// TestEveryKernel calls each tile and dot kernel of each kernel set directly, on strided
// operands, with a full and a partial last vector, odd and even k, and beta 0 (over NaN) and not.
func TestEveryKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	randSlice := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	const eps = 1.0 / (1 << 23)
	for _, ar := range supportedArchs {
		for mr := 1; mr <= maxTileRows; mr++ {
			for nv := 1; nv <= maxTileNV; nv++ {
				if ar.tiles[mr][nv] == nil {
					continue
				}
				for _, k := range []int{1, 2, 7, 20} {
					for _, cols := range []int{nv * ar.lanes, (nv-1)*ar.lanes + 1, nv*ar.lanes - 1} {
						for _, beta := range []float32{0, 0.5} {
							if cols <= (nv-1)*ar.lanes {
								continue
							}
							ars, aps, bps, crs := k+3, 1, nv*ar.lanes+5, nv*ar.lanes+2
							a, b, c := randSlice(mr*ars), randSlice(k*bps), randSlice(mr*crs)
							if beta == 0 {
								for i := range c {
									c[i] = float32(math.NaN())
								}
							}
							want := append([]float32(nil), c...)
							for i := 0; i < mr; i++ {
								for j := 0; j < cols; j++ {
									var s float64
									for p := 0; p < k; p++ {
										s += float64(a[i*ars+p*aps]) * float64(b[p*bps+j])
									}
									w := 1.5 * s
									if beta != 0 {
										w += float64(beta) * float64(c[i*crs+j])
									}
									want[i*crs+j] = float32(w)
								}
							}
							tbl := ar.tiles
							if cols == nv*ar.lanes {
								tbl = ar.full
							}
							tbl[mr][nv](k, unsafe.Pointer(&a[0]), uintptr(ars)*4, uintptr(aps)*4, unsafe.Pointer(&b[0]), uintptr(bps)*4,
								unsafe.Pointer(&c[0]), uintptr(crs)*4, 1.5, beta, ar.masks[cols-(nv-1)*ar.lanes])
							for i := range c {
								if e := math.Abs(float64(c[i]) - float64(want[i])); !(e <= 1e-4*float64(k+1)) && !(math.IsNaN(float64(want[i])) && math.IsNaN(float64(c[i]))) {
									t.Fatalf("%s tile %dx%d k=%d cols=%d beta=%g: C[%d] = %g, want %g", ar.name, mr, nv, k, cols, beta, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
		for mr := 1; mr <= maxDotRows; mr++ {
			for nr := 1; nr <= maxDotCols; nr++ {
				if ar.dots[mr][nr] == nil {
					continue
				}
				for _, k := range []int{1, 16, 17, 40} {
					for _, ccs := range []int{1, 7} {
						for _, beta := range []float32{0, -2} {
							ars, brs, crs := k+1, k+3, nr*ccs+1
							a, b, c := randSlice(mr*ars), randSlice(nr*brs), randSlice(mr*crs)
							if beta == 0 {
								for i := range c {
									c[i] = float32(math.NaN())
								}
							}
							want := append([]float32(nil), c...)
							for i := 0; i < mr; i++ {
								for j := 0; j < nr; j++ {
									var s float64
									for p := 0; p < k; p++ {
										s += float64(a[i*ars+p]) * float64(b[j*brs+p])
									}
									w := 0.5 * s
									if beta != 0 {
										w += float64(beta) * float64(c[i*crs+j*ccs])
									}
									want[i*crs+j*ccs] = float32(w)
								}
							}
							ar.dots[mr][nr](k, unsafe.Pointer(&a[0]), uintptr(ars)*4, unsafe.Pointer(&b[0]), uintptr(brs)*4,
								unsafe.Pointer(&c[0]), uintptr(crs)*4, uintptr(ccs)*4, 0.5, beta, ar.masks[k%ar.lanes])
							for i := range c {
								if e := math.Abs(float64(c[i]) - float64(want[i])); !(e <= 1e-4*float64(k+1)) && !(math.IsNaN(float64(want[i])) && math.IsNaN(float64(c[i]))) {
									t.Fatalf("%s dot %dx%d k=%d ccs=%d beta=%g: C[%d] = %g, want %g", ar.name, mr, nr, k, ccs, beta, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestCopyRows checks the row copies (assembly and Go) on odd widths, and that nothing outside
// the destination rows is written.
func TestCopyRows(t *testing.T) {
	const sentinel = -12345
	for _, ar := range supportedArchs {
		for _, rows := range []int{1, 2, 5} {
			for n := 1; n <= 35; n++ {
				srs, ds := n+3, n+2
				src := make([]float32, rows*srs)
				for i := range src {
					src[i] = float32(i)
				}
				dst := make([]float32, rows*ds)
				for i := range dst {
					dst[i] = sentinel
				}
				ar.copyRows(dst, ds, src, srs, rows, n)
				for i := 0; i < rows; i++ {
					for j := 0; j < ds; j++ {
						want := float32(sentinel)
						if j < n {
							want = src[i*srs+j]
						}
						if got := dst[i*ds+j]; got != want {
							t.Fatalf("%s rows=%d n=%d: dst[%d][%d] = %g, want %g", ar.name, rows, n, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

// TestParallelPathsDoNotAllocate: a product big enough to be split over goroutines allocates
// nothing once warm, on every path and split (the tasks, the pool's jobs and the packing buffers
// are recycled). AllocsPerRun runs with GOMAXPROCS 1, but Threads: 2 still dispatches to a pool
// worker, which then runs late: the case where recycling used to fail.
func TestParallelPathsDoNotAllocate(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	for _, p := range []problem{
		{m: 190, n: 170, k: 200, alpha: 1, beta: 0.5},              // direct, split by rows
		{m: 20, n: 900, k: 200, alpha: 1, beta: 0, transB: true},   // direct, packed B, split by columns
		{m: 150, n: 270, k: 600, alpha: 1, beta: 1, transA: true},  // packed, several k blocks
		{m: 30, n: 700, k: 700, alpha: -1, beta: 0, transB: true},  // packed, split by columns
		{m: 2, n: 3000, k: 300, alpha: 1, beta: 0.5, transB: true}, // dot
		{m: 4000, n: 3, k: 200, alpha: 1, beta: 0},                 // dot, swapped
		{m: 64, n: 4096, k: 10, alpha: 1, beta: 0, transB: true},   // Linear 4096→10 backward-like
	} {
		if threadsFor(2, int64(p.m*p.n*p.k)) < 2 {
			t.Fatalf("%v is too small to run in parallel", p)
		}
		d := p.data(rand.New(rand.NewPCG(6, 6)))
		for _, ar := range supportedArchs {
			if ar == archGeneric && len(supportedArchs) > 1 {
				continue // the same dispatch, slower
			}
			ctx := &Context{Threads: 2, arch: ar}
			// Steady state is what counts: the runtime may allocate once in a while behind our
			// back on a loaded machine (a pool worker restarted after its idle exit, a
			// goroutine's wait-queue entry), so a measurement is repeated before it fails.
			var allocs float64
			for try := 0; try < 3; try++ {
				allocs = testing.AllocsPerRun(10, func() {
					ctx.Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, d.a, d.lda, d.b, d.ldb, p.beta, d.c, d.ldc)
				})
				if allocs == 0 {
					break
				}
			}
			if allocs != 0 {
				t.Errorf("%s %v on 2 threads: %v allocations a call, want 0", ar.name, p, allocs)
			}
		}
	}
}
