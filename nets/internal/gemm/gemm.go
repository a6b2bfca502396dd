package gemm

import (
	"fmt"
	"unsafe"
)

// Context carries the settings of the GEMM calls made through it. The zero value is ready to use
// and behaves like the package-level Sgemm's native path; a nil *Context is the zero value.
// A Context is not modified by calls, so one value may be shared by goroutines.
type Context struct {
	// Threads caps the goroutines one call may use. 0 means runtime.GOMAXPROCS(0); 1 keeps every
	// call on the caller's goroutine (the single-thread figure of a benchmark). Products of fewer
	// than 2²⁰ multiply-adds always run on the caller's goroutine. The result does
	// not depend on Threads: each element of C is computed by one goroutine in the same order.
	Threads int

	arch *arch // kernel set; nil selects the best one this CPU runs (tests force the others)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C like the package-level Sgemm, always with gorl's
// own kernels (also in a build with the openblas tag) and with the context's thread limit.
func (ctx *Context) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	ar, threads := bestArch, 0
	if ctx != nil {
		threads = ctx.Threads
		if ctx.arch != nil {
			ar = ctx.arch
		}
	}
	op := operands{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	ar.gemm(threads, &op)
}

// nativeSgemm is Sgemm with the best kernels and all cores.
func nativeSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	op := operands{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	bestArch.gemm(0, &op)
}

// operands is one checked product: C = alpha·op(A)·op(B) + beta·C.
type operands struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
}

// aAt is the address of op(A)[i,p]; aStrides its row and k strides in bytes.
func (op *operands) aAt(i, p int) unsafe.Pointer {
	if op.transA {
		return unsafe.Pointer(&op.a[p*op.lda+i])
	}
	return unsafe.Pointer(&op.a[i*op.lda+p])
}

func (op *operands) aStrides() (ars, aps uintptr) {
	if op.transA {
		return 4, uintptr(op.lda) * 4
	}
	return uintptr(op.lda) * 4, 4
}

// bAt is the address of op(B)[p,j].
func (op *operands) bAt(p, j int) unsafe.Pointer {
	if op.transB {
		return unsafe.Pointer(&op.b[j*op.ldb+p])
	}
	return unsafe.Pointer(&op.b[p*op.ldb+j])
}

func (op *operands) cAt(i, j int) unsafe.Pointer { return unsafe.Pointer(&op.c[i*op.ldc+j]) }

// Paths. Small and medium products run "direct": the tile kernels read A through its strides and
// B through its row stride, with no packing at all (only a transposed B is packed, into panels).
// Products with a side of at most dotMaxM whose k runs contiguous in both operands use dot
// kernels (GEMV-like, no packing). Large ones are packed and blocked for the caches.

// directMaxK and directMaxWork bound the direct path. It does not block k, so a k×(tile width)
// panel of B (32 KB at 256×32 floats) and the tile's rows of A must stay in L1 across a column of
// tiles; and past 2²⁴ multiply-adds A no longer stays in L2 and packing pays for itself.
const (
	directMaxK    = 256
	directMaxWork = 1 << 24
)

func (ar *arch) gemm(threads int, op *operands) {
	m, n, k := op.m, op.n, op.k
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || op.alpha == 0 {
		scaleC(op)
		return
	}
	t := threadsFor(threads, int64(m)*int64(n)*int64(k))
	switch ar.path(op) {
	case pathDot:
		ar.dot(op, t, false)
	case pathDotSwapped:
		ar.dot(op, t, true)
	case pathDirect:
		ar.direct(op, t)
	default:
		ar.packed(op, t)
	}
}

type path uint8

const (
	pathDot        path = iota // dot kernels, X = op(A)
	pathDotSwapped             // dot kernels, X = op(B)ᵀ
	pathDirect                 // tile kernels on A and B as they are
	pathPacked                 // tile kernels on packed blocks
)

// path chooses how to compute a product with m, n, k > 0. The choice depends on the shapes only,
// never on the thread count.
func (ar *arch) path(op *operands) path {
	m, n, k := op.m, op.n, op.k
	switch {
	case m <= ar.dotMaxM && op.transB && k >= dotMinK:
		return pathDot
	case n <= ar.dotMaxM && !op.transA && k >= dotMinK:
		return pathDotSwapped
	case k <= directMaxK && int64(m)*int64(n)*int64(k) <= directMaxWork:
		return pathDirect
	}
	return pathPacked
}

// dotMinK: below it the dot kernels spend most of their time in the reductions, and
// transposing B into panels for the tile kernels costs as much or less (m=1, n=64, k=4: 130 ns
// either way with AVX-512, 20% less transposing with the AVX2 kernels).
const dotMinK = 16

// scaleC sets C = beta·C, the whole product when k == 0 or alpha == 0 (A and B are not read,
// as in BLAS).
func scaleC(op *operands) {
	for i := 0; i < op.m; i++ {
		row := op.c[i*op.ldc : i*op.ldc+op.n]
		switch op.beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= op.beta
			}
		}
	}
}

// dot computes the product with dot kernels. X is the operand with at most dotMaxM rows, Y the
// other; both must run contiguous along k (X is copied into scratch when it does not). swapped
// means X = op(B)ᵀ and Y = op(A), which computes Cᵀ.
func (ar *arch) dot(op *operands, t int, swapped bool) {
	k := op.k
	d := dotJob{ar: ar, k: k, alpha: op.alpha, beta: op.beta, c: op.cAt(0, 0)}
	var buf *buffer
	if !swapped {
		d.mx, d.ny = op.m, op.n
		if op.transA {
			buf = getBuffer(d.mx * k)
			ar.transposeCopy(buf.f, k, op.a, op.lda, k, d.mx)
			d.x, d.xrs = unsafe.Pointer(&buf.f[0]), uintptr(k)*4
		} else {
			d.x, d.xrs = op.aAt(0, 0), uintptr(op.lda)*4
		}
		d.y, d.yrs = op.bAt(0, 0), uintptr(op.ldb)*4
		d.crs, d.ccs = uintptr(op.ldc)*4, 4
	} else {
		d.mx, d.ny = op.n, op.m
		if !op.transB {
			buf = getBuffer(d.mx * k)
			ar.transposeCopy(buf.f, k, op.b, op.ldb, k, d.mx)
			d.x, d.xrs = unsafe.Pointer(&buf.f[0]), uintptr(k)*4
		} else {
			d.x, d.xrs = op.bAt(0, 0), uintptr(op.ldb)*4
		}
		d.y, d.yrs = op.aAt(0, 0), uintptr(op.lda)*4
		d.crs, d.ccs = 4, uintptr(op.ldc)*4
	}
	d.nr = ar.dotCols[d.mx]
	d.tail = ar.masks[k%ar.lanes] // the generic kernels ignore it
	blocks := (d.ny + d.nr - 1) / d.nr
	if t == 1 {
		d.run(0, blocks)
	} else {
		d.parallel(t, blocks)
	}
	if buf != nil {
		putBuffer(buf)
	}
}

// dotJob is a product on the dot kernels: C[i][j] = alpha·X[i,·]·Y[j,·] + beta·C[i][j].
type dotJob struct {
	ar          *arch
	k, mx, ny   int
	nr          int // Y rows a kernel call
	x, y, c     unsafe.Pointer
	xrs, yrs    uintptr
	crs, ccs    uintptr
	alpha, beta float32
	tail        uintptr
}

// run computes the blocks b0 ≤ b < b1 of nr rows of Y.
func (d *dotJob) run(b0, b1 int) {
	for j0 := b0 * d.nr; j0 < min(d.ny, b1*d.nr); j0 += d.nr {
		cols := min(d.nr, d.ny-j0)
		d.ar.dots[d.mx][cols](d.k, d.x, d.xrs, unsafe.Add(d.y, uintptr(j0)*d.yrs), d.yrs,
			unsafe.Add(d.c, uintptr(j0)*d.ccs), d.crs, d.ccs, d.alpha, d.beta, d.tail)
	}
}

// parallel runs the blocks on t goroutines, a few parts a goroutine (a slow core costs less).
func (d *dotJob) parallel(t, blocks int) {
	tk := newTask(taskDot, d.ar)
	tk.d, tk.units, tk.parts = *d, blocks, min(blocks, 4*t)
	tk.dispatch(t)
}

// sweepJob is an m×n block of C swept by tile kernels (see arch.sweep).
type sweepJob struct {
	ar               *arch
	m, n, k          int
	a                unsafe.Pointer
	ars, aps, apanel uintptr
	rows             int
	b                unsafe.Pointer
	bps, bpanel      uintptr
	nv               int
	c                unsafe.Pointer
	crs              uintptr
	alpha, beta      float32
}

// rowBlocks returns the job restricted to row blocks r0 ≤ r < r1, and cols to column panels.
func (s sweepJob) rowBlocks(r0, r1 int) sweepJob {
	i0, i1 := r0*s.rows, min(s.m, r1*s.rows)
	s.a = unsafe.Add(s.a, uintptr(r0)*s.apanel)
	s.c = unsafe.Add(s.c, uintptr(i0)*s.crs)
	s.m = i1 - i0
	return s
}

func (s sweepJob) cols(p0, p1 int) sweepJob {
	w := s.nv * s.ar.lanes
	j0, j1 := p0*w, min(s.n, p1*w)
	s.b = unsafe.Add(s.b, uintptr(p0)*s.bpanel)
	s.c = unsafe.Add(s.c, uintptr(j0)*4)
	s.n = j1 - j0
	return s
}

// parallel splits the job over t goroutines by row blocks or, when there are fewer of those
// than column panels, by column panels.
func (s *sweepJob) parallel(t int) {
	w := s.nv * s.ar.lanes
	rowBlocks, panels := (s.m+s.rows-1)/s.rows, (s.n+w-1)/w
	tk := newTask(taskRows, s.ar)
	tk.units = rowBlocks
	if rowBlocks < panels {
		tk.kind, tk.units = taskCols, panels
	}
	tk.s, tk.parts = *s, min(tk.units, 4*t)
	tk.dispatch(t)
}

// direct computes the product without packing A, tiling C with the shape directShape picks.
func (ar *arch) direct(op *operands, t int) {
	m, n, k := op.m, op.n, op.k
	nv, rows := ar.directShape(m, n)
	w := nv * ar.lanes
	s := sweepJob{ar: ar, m: m, n: n, k: k, a: op.aAt(0, 0), rows: rows, nv: nv,
		c: op.cAt(0, 0), crs: uintptr(op.ldc) * 4, alpha: op.alpha, beta: op.beta}
	s.ars, s.aps = op.aStrides()
	s.apanel = uintptr(rows) * s.ars
	var buf *buffer
	if op.transB {
		panels := (n + w - 1) / w
		buf = getBuffer(panels * w * k)
		if t == 1 {
			ar.packB(buf.f, op, 0, k, 0, n, w)
		} else {
			ar.packBParallel(buf.f, op, t, 0, k, 0, n, w)
		}
		s.b, s.bps, s.bpanel = unsafe.Pointer(&buf.f[0]), uintptr(w)*4, uintptr(k*w)*4
	} else {
		s.b, s.bps, s.bpanel = op.bAt(0, 0), uintptr(op.ldb)*4, uintptr(w)*4
	}
	if t == 1 {
		s.sweep()
	} else {
		s.parallel(t)
	}
	if buf != nil {
		putBuffer(buf)
	}
}

// packed computes the product GotoBLAS-style: for each block of nc columns and kc steps of k,
// B is packed into panels of the micro-tile width, then each block of at most mc rows of A is
// packed into panels of mr rows and swept against it: a kc×(micro-tile width) panel of B stays in
// L1 while the mc×kc block of A streams from L2.
func (ar *arch) packed(op *operands, t int) {
	if t > 1 {
		ar.packedParallel(op, t)
		return
	}
	m, n, k := op.m, op.n, op.k
	mr, nr := ar.mr, ar.nv*ar.lanes
	kc, nc, mc := ar.packedBlocks(k, n)
	bbuf, abuf := getBuffer(kc*nc), getBuffer(mc*kc)
	s := sweepJob{ar: ar, ars: 4, aps: uintptr(mr) * 4, rows: mr, nv: ar.nv,
		b: unsafe.Pointer(&bbuf.f[0]), bps: uintptr(nr) * 4, a: unsafe.Pointer(&abuf.f[0]),
		crs: uintptr(op.ldc) * 4, alpha: op.alpha}
	for jc := 0; jc < n; jc += nc {
		s.n = min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			s.k = min(kc, k-pc)
			s.beta = op.beta
			if pc > 0 {
				s.beta = 1
			}
			s.bpanel, s.apanel = uintptr(s.k*nr)*4, uintptr(mr*s.k)*4
			ar.packB(bbuf.f, op, pc, s.k, jc, s.n, nr)
			for ic := 0; ic < m; ic += mc {
				s.m = min(mc, m-ic)
				ar.packA(abuf.f, op, ic, s.m, pc, s.k, mr)
				s.c = op.cAt(ic, jc)
				s.sweep()
			}
		}
	}
	putBuffer(abuf)
	putBuffer(bbuf)
}

// packBParallel is packB on t goroutines, each packing whole panels.
func (ar *arch) packBParallel(dst []float32, op *operands, t, pc, kc, jc, nc, w int) {
	panels := (nc + w - 1) / w
	tk := newTask(taskPackB, ar)
	tk.op, tk.dst, tk.pc, tk.kc, tk.jc, tk.nc, tk.w = *op, dst, pc, kc, jc, nc, w
	tk.units, tk.parts = panels, min(panels, 4*t)
	tk.dispatch(t)
}

// packedBlocks returns the packed-path blocking of a product: kc balanced over the k blocks (no
// sliver of a block at the end), nc no wider than n.
func (ar *arch) packedBlocks(k, n int) (kc, nc, mc int) {
	nr := ar.nv * ar.lanes
	kblocks := (k + ar.kc - 1) / ar.kc
	return (k + kblocks - 1) / kblocks, min(ar.nc, (n+nr-1)/nr*nr), ar.mc
}

// packedParallel is packed on t goroutines: B is packed by all of them into one shared buffer,
// then the rows (and the columns too, when there are too few row blocks) are shared out, each
// goroutine packing its own rows of A.
func (ar *arch) packedParallel(op *operands, t int) {
	m, n, k := op.m, op.n, op.k
	mr, nr := ar.mr, ar.nv*ar.lanes
	kc, nc, mc := ar.packedBlocks(k, n)
	bbuf := getBuffer(kc * nc)
	rp := min(mc, max(mr, (m+2*t-1)/(2*t)+mr-1)/mr*mr) // rows a part: a multiple of mr
	rparts := (m + rp - 1) / rp
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		panels := (ncur + nr - 1) / nr
		cparts := 1
		if rparts < 2*t {
			cparts = min(panels, (2*t+rparts-1)/rparts)
		}
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			ar.packBParallel(bbuf.f, op, t, pc, kcur, jc, ncur, nr)
			s := sweepJob{ar: ar, n: ncur, k: kcur, ars: 4, aps: uintptr(mr) * 4,
				apanel: uintptr(mr*kcur) * 4, rows: mr, nv: ar.nv,
				b: unsafe.Pointer(&bbuf.f[0]), bps: uintptr(nr) * 4, bpanel: uintptr(kcur*nr) * 4,
				c: op.cAt(0, jc), crs: uintptr(op.ldc) * 4, alpha: op.alpha, beta: op.beta}
			if pc > 0 {
				s.beta = 1
			}
			tk := newTask(taskPacked, ar)
			tk.s, tk.op, tk.pc, tk.kc = s, *op, pc, kcur
			tk.units, tk.rp, tk.cparts, tk.parts = panels, rp, cparts, rparts*cparts
			tk.dispatch(t)
		}
	}
	putBuffer(bbuf)
}

// checkArgs panics with a message naming the bad argument: a shape mismatch in a kernel is a
// programming error in the caller.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if k > 0 {
		if lda < max(ac, 1) || len(a) < (ar-1)*lda+ac {
			panic(fmt.Sprintf("gemm: A is %dx%d with stride %d but has %d elements", ar, ac, lda, len(a)))
		}
		if ldb < max(bc, 1) || len(b) < (br-1)*ldb+bc {
			panic(fmt.Sprintf("gemm: B is %dx%d with stride %d but has %d elements", br, bc, ldb, len(b)))
		}
	}
	if ldc < max(n, 1) || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("gemm: C is %dx%d with stride %d but has %d elements", m, n, ldc, len(c)))
	}
}
