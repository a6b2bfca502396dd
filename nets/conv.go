package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/gorl/gorl/internal/workers"
	"github.com/gorl/gorl/nets/internal/conv"
	"github.com/gorl/gorl/nets/internal/gemm"
	"github.com/gorl/gorl/nets/internal/vec"
)

// Convolutions (Conv2D, ConvTranspose2D) as im2col + GEMM, one image at a time: the column matrix
// of an image (C·KH·KW rows, one column per output position, see nets/internal/conv) turns the
// convolution into the product weight·col, which gemm.Sgemm computes. The column buffer of one
// image stays in cache, where a whole batch's would not, and the backward recomputes it rather
// than keeping a batch of them from the forward. Large batches are spread over the cores one
// image at a time, each worker with its own column buffer.
//
// The weight and bias gradients are sums over the batch, and float32 addition is not
// associative: summed in per-worker partial sums, they would depend on which worker took which
// images, that is on the scheduler. So the backward cuts the batch into a fixed number of chunks
// of consecutive images (convChunks, from the batch and layer sizes alone, never from the core
// count), each summed in order into its own accumulator by whichever worker takes it, and the
// accumulators are added into the gradients in chunk order at the end: the same additions in the
// same order on one core or many.
//
// Both convolutions relate an "image" side and a "grid" side of the same geometry: a Conv2D reads
// its input as the image and writes the grid; a ConvTranspose2D (the adjoint) reads the grid and
// writes the image. Their weights have the same [grid channels, image channels/groups, KH, KW]
// layout, so three products serve both, forward and backward:
//
//	grid  = W·im2col(image)            Conv2D forward, ConvTranspose2D input gradient
//	image += col2im(Wᵀ·grid)           ConvTranspose2D forward, Conv2D input gradient
//	dW   += grid·im2col(image)ᵀ         both weight gradients

// ConvOptions are the settings of a 2-D convolution besides its weight and bias, under PyTorch's
// names. Pairs are [height, width]. Zero values take PyTorch's defaults: stride 1, padding 0,
// dilation 1, groups 1, output padding 0.
type ConvOptions struct {
	Stride   [2]int
	Padding  [2]int // zero rows (columns) added at both sides of the input
	Dilation [2]int // spacing between kernel taps
	Groups   int    // channels split into Groups independent convolutions; divides both channel counts
	// OutputPadding (ConvTranspose2D only) adds rows and columns at the bottom and right of the
	// output, to pick one of the input sizes a strided convolution maps to the same output size.
	// It must be smaller than the stride or the dilation.
	OutputPadding [2]int
}

// Pair returns [n, n]: a square kernel, stride, padding or dilation.
func Pair(n int) [2]int { return [2]int{n, n} }

func (o ConvOptions) withDefaults() ConvOptions {
	for i := range 2 {
		if o.Stride[i] == 0 {
			o.Stride[i] = 1
		}
		if o.Dilation[i] == 0 {
			o.Dilation[i] = 1
		}
	}
	if o.Groups == 0 {
		o.Groups = 1
	}
	return o
}

// Conv2D is the 2-D cross-correlation of F.conv2d: x [N, Cin, H, W] (or [Cin, H, W]) with w
// [Cout, Cin/groups, KH, KW] plus b [Cout] (nil for none) gives [N, Cout, OH, OW] with
// OH = ⌊(H + 2·padding − dilation·(KH−1) − 1)/stride⌋ + 1, and likewise OW:
//
//	out[n,co,i,j] = b[co] + Σ_{c,a,b'} w[co,c,a,b']·x[n, g·Cin/groups + c, i·sH + a·dH − pH, j·sW + b'·dW − pW]
//
// where g = co/(Cout/groups) and x is zero outside the image. The kernel is not flipped.
func (g *Graph) Conv2D(x, w, b *Tensor, o ConvOptions) *Tensor {
	pl, shape := planConv("Conv2D", x, w, b, o, false)
	out := g.resultDirty(shape.dims(), x, w, b) // every image's product overwrites its output (beta 0)
	pl.setup(g, x, w, b, out)
	pl.forEach(convPlan.conv2DForward, false)
	if out.Grad != nil {
		bp := pl // the closure's own copy: only a recording graph moves it to the heap
		g.Record(func() { bp.backward(convPlan.conv2DBackward) })
	}
	return out
}

func (pl convPlan) conv2DForward(wk, _, s int) {
	x, out := pl.x[s*pl.imgLen:(s+1)*pl.imgLen], pl.out[s*pl.gridLen:(s+1)*pl.gridLen]
	if pl.fold { // the ones row of the column buffer times the bias column of wb adds the bias
		pl.gridMul(out, pl.cols(wk, x), pl.wb, pl.ldw, 0)
		return
	}
	pl.gridMul(out, pl.cols(wk, x), pl.w, pl.kg, 0)
	addChannelBias(out, pl.b, pl.p)
}

func (pl convPlan) conv2DBackward(wk, c, s int) {
	x, dout := pl.x[s*pl.imgLen:(s+1)*pl.imgLen], pl.dout[s*pl.gridLen:(s+1)*pl.gridLen]
	first := pl.chunkStart(c) == s // overwrite chunk c's accumulators rather than add
	if pl.dw != nil {              // dW (and, folded, db) += dout·colsᵀ
		pl.weightMul(pl.accW(c), dout, pl.cols(wk, x), first)
	}
	if pl.db != nil && !pl.biasInProduct() {
		sumChannels(pl.accB(c), dout, pl.p, first)
	}
	if pl.dx != nil {
		pl.imageMul(pl.dx[s*pl.imgLen:(s+1)*pl.imgLen], wk, pl.w, dout)
	}
}

// ConvTranspose2D is F.conv_transpose2d, the adjoint of Conv2D (the gradient of a convolution
// with respect to its input, "deconvolution" in DCGAN): x [N, Cin, H, W] (or [Cin, H, W]) with w
// [Cin, Cout/groups, KH, KW] (in and out swapped compared with Conv2D, as in PyTorch) plus b
// [Cout] gives [N, Cout, OH, OW] with
// OH = (H−1)·stride − 2·padding + dilation·(KH−1) + output_padding + 1, and likewise OW.
// Every input pixel scatters x[n,ci,i,j]·w[ci,co,·,·] onto the output at (i·sH, j·sW), spaced by
// the dilation; padding crops the result at both sides.
func (g *Graph) ConvTranspose2D(x, w, b *Tensor, o ConvOptions) *Tensor {
	pl, shape := planConv("ConvTranspose2D", x, w, b, o, true)
	out := g.Result(shape.dims(), x, w, b)
	pl.setup(g, x, w, b, out)
	pl.forEach(convPlan.convTransposeForward, false)
	if out.Grad != nil {
		bp := pl
		g.Record(func() { bp.backward(convPlan.convTransposeBackward) })
	}
	return out
}

func (pl convPlan) convTransposeForward(wk, _, s int) {
	x, out := pl.x[s*pl.gridLen:(s+1)*pl.gridLen], pl.out[s*pl.imgLen:(s+1)*pl.imgLen]
	pl.imageMul(out, wk, pl.w, x)
	addChannelBias(out, pl.b, pl.geo.H*pl.geo.W)
}

func (pl convPlan) convTransposeBackward(wk, c, s int) {
	x, dout := pl.x[s*pl.gridLen:(s+1)*pl.gridLen], pl.dout[s*pl.imgLen:(s+1)*pl.imgLen]
	first := pl.chunkStart(c) == s
	if pl.db != nil {
		sumChannels(pl.accB(c), dout, pl.geo.H*pl.geo.W, first)
	}
	if pl.dw == nil && pl.dx == nil {
		return
	}
	cm := pl.cols(wk, dout)
	if pl.dw != nil {
		pl.weightMul(pl.accW(c), x, cm, first)
	}
	if pl.dx != nil {
		pl.gridMul(pl.dx[s*pl.gridLen:(s+1)*pl.gridLen], cm, pl.w, pl.kg, 1)
	}
}

// --- the plan shared by both convolutions ---------------------------------------------------

// convPlan is one convolution call: its geometry, how it is split over groups, chunks and
// goroutines, and the operands of the pass being run. It is passed by value to the per-image steps, so that
// nothing of it escapes to the heap on the non-recording path.
type convPlan struct {
	geo     conv.Geom // the image side (its channels, size, padding) and the grid size OH×OW
	n       int       // samples
	groups  int
	gc      int // grid channels (Conv2D: out; ConvTranspose2D: in)
	gcg     int // grid channels a group
	kg      int // column rows a group: image channels/groups·KH·KW
	p       int // grid positions OH·OW
	imgLen  int // image floats a sample
	gridLen int // grid floats a sample
	threads int // goroutines over the batch; 1 runs on the caller's (gemm may still split a product)
	chunks  int // parts of the batch the parameter gradients are summed in (see backward)
	bchan   int // bias channels (0 without a bias)
	// ctx runs the products: nil (gemm.Sgemm, every core, OpenBLAS under its tag) for a batch
	// that is not split, single when it is. The choice follows the shapes only, so that a
	// product is computed by the same kernels whatever the core count.
	ctx *gemm.Context

	// fold is set for a Conv2D with a bias, one group and a real column matrix: its column
	// buffers get a row of ones under the image rows and its weight a last column holding the
	// bias (wb), so the forward product adds the bias, and the weight-gradient product sums the
	// bias gradient in that column, with no pass of their own over the output.
	fold    bool
	ldw     int // row length of the weight in the products: kg, or kg+1 when folded
	colRows int // rows of a column buffer: kg·groups (+1 when folded); 0 when the image is its own
	accLen  int // floats of a chunk's gradient accumulator: gc·ldw, then bchan for the bias

	x, w, b, out []float32
	wb           []float32 // [w | b], row by row, when folded
	dx, dw, db   []float32
	dout         []float32
	phLen        int       // the im2col scratch a worker needs (phase planes of strided geometries)
	colBuf       []float32 // threads column buffers of colRows·p, each followed by phLen scratch
	acc          []float32 // chunks gradient accumulators of accLen (recording only)
}

// convShape holds an output shape on the stack.
type convShape struct {
	d    [4]int
	rank int
}

func (s *convShape) dims() []int { return s.d[:s.rank] }

// parallelMinWork is the multiply-adds a convolution call needs before its batch is split over
// goroutines: below it, handing images to another core costs more than it saves.
const parallelMinWork = 1 << 18

// convChunks is the number of chunks a split batch's parameter gradients are summed in (fewer
// when the batch is smaller). It fixes the summation order, so it must not follow the core
// count; 16 keeps up to 16 cores busy in the backward, and on fewer cores several chunks a
// worker even out a core that the shared machine slows down. The accumulators cost
// chunks·accLen floats and one pass adding them up: convAccBudget caps that for layers with
// very large weights (down to 2 chunks).
const (
	convChunks    = 16
	convAccBudget = 1 << 22
)

// planConv checks the operands of a convolution and works out its geometry.
func planConv(op string, x, w, b *Tensor, o ConvOptions, transposed bool) (convPlan, convShape) {
	o = o.withDefaults()
	var pl convPlan
	var shape convShape
	n, cin, h, wd, batched := imageDims(op, x)
	if len(w.Shape) != 4 {
		panic(fmt.Sprintf("nets: %s: weight must be 4-D, got %v", op, w.Shape))
	}
	gr := o.Groups
	kh, kw := w.Shape[2], w.Shape[3]
	for i := range 2 {
		if o.Stride[i] < 1 || o.Dilation[i] < 1 || o.Padding[i] < 0 || o.OutputPadding[i] < 0 {
			panic(fmt.Sprintf("nets: %s: stride %v and dilation %v must be positive, padding %v and output padding %v non-negative",
				op, o.Stride, o.Dilation, o.Padding, o.OutputPadding))
		}
	}
	if gr < 1 || cin%gr != 0 {
		panic(fmt.Sprintf("nets: %s: %d input channels do not split into %d groups", op, cin, gr))
	}
	var cout int
	if !transposed {
		cout = w.Shape[0]
		if cout%gr != 0 || w.Shape[1] != cin/gr {
			panic(fmt.Sprintf("nets: %s: weight %v does not fit %d input channels in %d groups (want [out, %d, kH, kW] with out divisible by %d)",
				op, w.Shape, cin, gr, cin/gr, gr))
		}
		if o.OutputPadding != [2]int{} {
			panic(fmt.Sprintf("nets: %s: output padding %v is for ConvTranspose2D only", op, o.OutputPadding))
		}
	} else {
		cout = w.Shape[1] * gr
		if w.Shape[0] != cin {
			panic(fmt.Sprintf("nets: %s: weight %v does not fit %d input channels (want [%d, out/groups, kH, kW])", op, w.Shape, cin, cin))
		}
		for i := range 2 {
			if o.OutputPadding[i] >= max(o.Stride[i], o.Dilation[i]) {
				panic(fmt.Sprintf("nets: %s: output padding %v must be smaller than the stride %v or the dilation %v",
					op, o.OutputPadding, o.Stride, o.Dilation))
			}
		}
	}
	if b != nil && (len(b.Shape) != 1 || b.Shape[0] != cout) {
		panic(fmt.Sprintf("nets: %s: bias %v does not match %d output channels", op, b.Shape, cout))
	}
	geo := conv.Geom{KH: kh, KW: kw, SH: o.Stride[0], SW: o.Stride[1], PH: o.Padding[0], PW: o.Padding[1],
		DH: o.Dilation[0], DW: o.Dilation[1]}
	if !transposed {
		geo.C, geo.H, geo.W = cin, h, wd
		geo.OH = (h+2*geo.PH-geo.DH*(kh-1)-1)/geo.SH + 1
		geo.OW = (wd+2*geo.PW-geo.DW*(kw-1)-1)/geo.SW + 1
		if h+2*geo.PH-geo.DH*(kh-1)-1 < 0 || wd+2*geo.PW-geo.DW*(kw-1)-1 < 0 {
			panic(fmt.Sprintf("nets: %s: the (dilated) kernel %dx%d is larger than the padded input %v", op, kh, kw, x.Shape))
		}
		pl.gcg = cout / gr
	} else {
		geo.C, geo.OH, geo.OW = cout, h, wd
		geo.H = (h-1)*geo.SH - 2*geo.PH + geo.DH*(kh-1) + o.OutputPadding[0] + 1
		geo.W = (wd-1)*geo.SW - 2*geo.PW + geo.DW*(kw-1) + o.OutputPadding[1] + 1
		if geo.H < 1 || geo.W < 1 {
			panic(fmt.Sprintf("nets: %s: the output size %dx%d of input %v is not positive", op, geo.H, geo.W, x.Shape))
		}
		pl.gcg = cin / gr
	}
	pl.geo, pl.n, pl.groups = geo, n, gr
	pl.gc = pl.gcg * gr
	pl.kg = geo.C / gr * kh * kw
	pl.p = geo.OH * geo.OW
	pl.imgLen, pl.gridLen = geo.C*geo.H*geo.W, pl.gcg*gr*pl.p
	if b != nil {
		pl.bchan = cout
	}
	pl.fold = !transposed && b != nil && gr == 1 && !geo.Identity()
	pl.ldw, pl.colRows, pl.phLen = pl.kg, pl.kg*gr, geo.ScratchLen()
	if geo.Identity() {
		pl.colRows, pl.phLen = 0, 0
	}
	if pl.fold {
		pl.ldw++
		pl.colRows++
	}
	pl.accLen = pl.gc*pl.ldw + pl.bchan
	pl.threads, pl.chunks = 1, 1
	if n > 1 && n*pl.gcg*gr*pl.kg*pl.p >= parallelMinWork {
		// Split the batch: everything decided here but the thread count follows from the
		// shapes, so that the results do not depend on the cores.
		pl.chunks = min(n, max(2, min(convChunks, convAccBudget/pl.accLen)))
		pl.ctx = single
		pl.threads = min(workers.Threads(), n) // last: GOMAXPROCS takes the scheduler's lock
	}
	oc, oh, ow := cout, geo.OH, geo.OW
	if transposed {
		oh, ow = geo.H, geo.W
	}
	if batched {
		shape.d, shape.rank = [4]int{n, oc, oh, ow}, 4
	} else {
		shape.d, shape.rank = [4]int{oc, oh, ow}, 3
	}
	return pl, shape
}

// imageDims reads an NCHW tensor, or a CHW one as a batch of one.
func imageDims(op string, x *Tensor) (n, c, h, w int, batched bool) {
	switch len(x.Shape) {
	case 4:
		return x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], true
	case 3:
		return 1, x.Shape[0], x.Shape[1], x.Shape[2], false
	}
	panic(fmt.Sprintf("nets: %s: input must be [N, C, H, W] or [C, H, W], got %v", op, x.Shape))
}

// setup points the plan at the operands and takes its scratch from the arena: the column
// buffers (the backward reuses the forward's), the folded weight, and when recording the
// gradient accumulators.
func (pl *convPlan) setup(g *Graph, x, w, b, out *Tensor) {
	pl.x, pl.w, pl.out = x.Data, w.Data, out.Data
	if b != nil {
		pl.b = b.Data
	}
	pl.colBuf = g.floats.getDirty(pl.threads * (pl.colRows*pl.p + pl.phLen)) // im2col writes every element
	if pl.fold {
		pl.wb = g.Floats(pl.gc * pl.ldw)
		for co := 0; co < pl.gc; co++ {
			copy(pl.wb[co*pl.ldw:], pl.w[co*pl.kg:(co+1)*pl.kg])
			pl.wb[co*pl.ldw+pl.kg] = pl.b[co]
		}
		for wk := 0; wk < pl.threads; wk++ { // the row of ones, which im2col never writes
			ones := pl.col(wk)[pl.kg*pl.p:]
			for i := range ones {
				ones[i] = 1
			}
		}
	}
	if out.Grad == nil {
		return
	}
	pl.dx, pl.dw, pl.dout = x.Grad, w.Grad, out.Grad
	if b != nil {
		pl.db = b.Grad
	}
	if pl.dw != nil || pl.db != nil {
		pl.acc = g.floats.getDirty(pl.chunks * pl.accLen) // the first image of a chunk overwrites
	}
}

// backward runs step on every sample, chunk by chunk, each chunk's samples in order into the
// chunk's gradient accumulators, then adds the accumulators into the parameters' gradients in
// chunk order: the weight and bias gradients are the same sums in the same order whichever
// goroutines ran the chunks.
func (pl convPlan) backward(step convStep) {
	pl.forEach(step, true)
	for c := 0; c < pl.chunks && pl.acc != nil; c++ {
		aw, ab := pl.accW(c), pl.accB(c)
		if pl.dw != nil {
			if pl.ldw == pl.kg {
				addTo(pl.dw, aw)
			} else {
				for co := 0; co < pl.gc; co++ {
					addTo(pl.dw[co*pl.kg:(co+1)*pl.kg], aw[co*pl.ldw:])
				}
			}
		}
		if pl.db != nil {
			if pl.biasInProduct() {
				for co := range pl.db {
					pl.db[co] += aw[co*pl.ldw+pl.kg]
				}
			} else {
				addTo(pl.db, ab)
			}
		}
	}
}

// biasInProduct reports whether the weight-gradient product also sums the bias gradient.
func (pl *convPlan) biasInProduct() bool { return pl.fold && pl.dw != nil }

// col returns worker wk's column buffer.
func (pl *convPlan) col(wk int) []float32 {
	n := pl.colRows * pl.p
	return pl.colBuf[wk*(n+pl.phLen) : wk*(n+pl.phLen)+n]
}

// phases returns worker wk's im2col scratch.
func (pl *convPlan) phases(wk int) []float32 {
	n := pl.colRows * pl.p
	return pl.colBuf[wk*(n+pl.phLen)+n : (wk+1)*(n+pl.phLen)]
}

// accW and accB return chunk c's weight and bias gradient accumulators.
func (pl *convPlan) accW(c int) []float32 {
	return pl.acc[c*pl.accLen : c*pl.accLen+pl.gc*pl.ldw]
}

func (pl *convPlan) accB(c int) []float32 {
	return pl.acc[c*pl.accLen+pl.gc*pl.ldw : (c+1)*pl.accLen]
}

// chunkStart returns the first sample of chunk c: chunk c holds samples
// [chunkStart(c), chunkStart(c+1)).
func (pl *convPlan) chunkStart(c int) int { return c * pl.n / pl.chunks }

// single keeps every product of a worker on its own goroutine: the batch is the parallelism.
var single = &gemm.Context{Threads: 1}

// convStep is one sample's share of a pass: s is the sample, wk the worker (its column
// buffer), c the sample's chunk (its gradient accumulators; 0 in a forward).
type convStep func(pl convPlan, wk, c, s int)

// forEach runs step on every sample, over pl.threads goroutines when there are several: one
// sample a part, or with byChunk one chunk a part, its samples in order. step is a method
// expression (no closure) and the plan travels by value, in a pooled task on the parallel path,
// so that neither path allocates.
func (pl convPlan) forEach(step convStep, byChunk bool) {
	parts := pl.n
	if byChunk {
		parts = pl.chunks
	}
	if pl.threads <= 1 {
		for i := 0; i < parts; i++ {
			pl.part(step, byChunk, 0, i)
		}
		return
	}
	t := convTasks.Get().(*convTask)
	t.pl, t.step, t.byChunk = pl, step, byChunk
	workers.Run(pl.threads, parts, t)
	*t = convTask{} // drop the references to the arena
	convTasks.Put(t)
}

// part runs step on part i of forEach: sample i, or the samples of chunk i.
func (pl convPlan) part(step convStep, byChunk bool, wk, i int) {
	if !byChunk {
		step(pl, wk, 0, i)
		return
	}
	for s := pl.chunkStart(i); s < pl.chunkStart(i+1); s++ {
		step(pl, wk, i, s)
	}
}

// convTask is a convolution pass over the samples or chunks of a batch, for workers.Run.
type convTask struct {
	pl      convPlan
	step    convStep
	byChunk bool
}

func (t *convTask) Run(wk, i int) { t.pl.part(t.step, t.byChunk, wk, i) }

var convTasks = sync.Pool{New: func() any { return new(convTask) }}

var _ workers.Task = (*convTask)(nil)

// sgemm is gemm.Sgemm (all cores, or OpenBLAS under its build tag) when ctx is nil, and ctx's
// gorl kernels otherwise.
func sgemm(ctx *gemm.Context, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if ctx == nil {
		gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ctx.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// cols returns the column matrix of img: worker wk's buffer after im2col, or img itself for a
// 1×1 kernel with stride 1 and no padding.
func (pl *convPlan) cols(wk int, img []float32) []float32 {
	if pl.geo.Identity() {
		return img
	}
	col := pl.col(wk)
	pl.geo.Im2col(col, img, pl.phases(wk))
	return col
}

// gridMul computes grid = W·cm + beta·grid, group by group: W_g is [gcg, ld] (w with ld = kg,
// or wb with ld = kg+1 when folded), cm_g [ld, p].
func (pl *convPlan) gridMul(grid, cm, w []float32, ld int, beta float32) {
	gcg, p := pl.gcg, pl.p
	for gi := 0; gi < pl.groups; gi++ {
		sgemm(pl.ctx, false, false, gcg, p, ld, 1, w[gi*gcg*ld:], ld, cm[gi*pl.kg*p:], p, beta, grid[gi*gcg*p:], p)
	}
}

// imageMul adds col2im(Wᵀ·grid) into img, using worker wk's column buffer.
func (pl *convPlan) imageMul(img []float32, wk int, w, grid []float32) {
	gcg, kg, p := pl.gcg, pl.kg, pl.p
	if pl.geo.Identity() { // the column matrix is the image: accumulate straight into it
		for gi := 0; gi < pl.groups; gi++ {
			sgemm(pl.ctx, true, false, kg, p, gcg, 1, w[gi*gcg*kg:], kg, grid[gi*gcg*p:], p, 1, img[gi*kg*p:], p)
		}
		return
	}
	col := pl.col(wk)
	for gi := 0; gi < pl.groups; gi++ {
		sgemm(pl.ctx, true, false, kg, p, gcg, 1, w[gi*gcg*kg:], kg, grid[gi*gcg*p:], p, 0, col[gi*kg*p:], p)
	}
	pl.geo.Col2im(img, col, pl.phases(wk))
}

// weightMul adds grid·cmᵀ into acc ([gc, ldw]), or with first stores it there, group by group;
// folded, the last column sums the grid, which is the bias gradient.
func (pl *convPlan) weightMul(acc, grid, cm []float32, first bool) {
	gcg, kg, ld, p := pl.gcg, pl.kg, pl.ldw, pl.p
	beta := float32(1)
	if first {
		beta = 0
	}
	for gi := 0; gi < pl.groups; gi++ {
		sgemm(pl.ctx, false, true, gcg, ld, p, 1, grid[gi*gcg*p:], p, cm[gi*kg*p:], p, beta, acc[gi*gcg*ld:], ld)
	}
}

// addChannelBias adds b[c] to the c-th plane of plane floats of one sample (nothing when b is nil).
func addChannelBias(x, b []float32, plane int) {
	for c, v := range b {
		row := x[c*plane : (c+1)*plane]
		for i := range row {
			row[i] += v
		}
	}
}

// sumChannels adds the sum of each plane of one sample into db, or with first stores it there.
func sumChannels(db, x []float32, plane int, first bool) {
	for c := range db {
		var s float32
		for _, v := range x[c*plane : (c+1)*plane] {
			s += v
		}
		if first {
			db[c] = s
		} else {
			db[c] += s
		}
	}
}

func addTo(dst, src []float32) { vec.Add(dst, src[:len(dst)]) }

// --- modules ------------------------------------------------------------------------------------

// Conv2D is nn.Conv2d: Weight [out, in/groups, KH, KW], Bias [out] (nil without bias), and the
// options of g.Conv2D.
type Conv2D struct {
	Weight *Tensor
	Bias   *Tensor
	ConvOptions
}

// NewConv2D returns a Conv2D initialized as PyTorch initializes nn.Conv2d: weight from
// kaiming_uniform_(a=√5), which is U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·KH·KW, and
// bias from the same range, drawn from rng (weight first).
func NewConv2D(rng *rand.Rand, in, out int, kernel [2]int, bias bool, o ConvOptions) *Conv2D {
	gr := convGroups("NewConv2D", in, out, kernel, o)
	c := &Conv2D{Weight: NewParam(out, in/gr, kernel[0], kernel[1]), ConvOptions: o}
	c.Bias = initConv(rng, c.Weight, out, bias)
	return c
}

// convGroups checks a constructor's sizes and returns the number of groups.
func convGroups(op string, in, out int, kernel [2]int, o ConvOptions) int {
	gr := max(o.Groups, 1)
	if in <= 0 || out <= 0 || in%gr != 0 || out%gr != 0 || kernel[0] <= 0 || kernel[1] <= 0 {
		panic(fmt.Sprintf("nets: %s: %d→%d channels in %d groups with kernel %v", op, in, out, gr, kernel))
	}
	return gr
}

// initConv draws PyTorch's default convolution init into w and returns the bias (nil without).
func initConv(rng *rand.Rand, w *Tensor, out int, bias bool) *Tensor {
	KaimingUniform(rng, w, Gain(GainLeakyReLU, sqrt5), FanIn)
	if !bias {
		return nil
	}
	b := NewParam(out)
	fanIn, _ := Fans(w.Shape)
	bound := 1 / math.Sqrt(float64(fanIn))
	Uniform(rng, b, -bound, bound)
	return b
}

// Forward applies g.Conv2D.
func (c *Conv2D) Forward(g *Graph, x *Tensor) *Tensor {
	return g.Conv2D(x, c.Weight, c.Bias, c.ConvOptions)
}

// Params returns "weight" and, with a bias, "bias".
func (c *Conv2D) Params() []NamedTensor { return weightBias(c.Weight, c.Bias) }

// ConvTranspose2D is nn.ConvTranspose2d: Weight [in, out/groups, KH, KW], Bias [out] (nil without
// bias), and the options of g.ConvTranspose2D.
type ConvTranspose2D struct {
	Weight *Tensor
	Bias   *Tensor
	ConvOptions
}

// NewConvTranspose2D returns a ConvTranspose2D initialized as PyTorch initializes
// nn.ConvTranspose2d: U(−1/√fan_in, 1/√fan_in) for weight and bias, where PyTorch's fan_in of the
// [in, out/groups, KH, KW] weight is out/groups·KH·KW.
func NewConvTranspose2D(rng *rand.Rand, in, out int, kernel [2]int, bias bool, o ConvOptions) *ConvTranspose2D {
	gr := convGroups("NewConvTranspose2D", in, out, kernel, o)
	c := &ConvTranspose2D{Weight: NewParam(in, out/gr, kernel[0], kernel[1]), ConvOptions: o}
	c.Bias = initConv(rng, c.Weight, out, bias)
	return c
}

// Forward applies g.ConvTranspose2D.
func (c *ConvTranspose2D) Forward(g *Graph, x *Tensor) *Tensor {
	return g.ConvTranspose2D(x, c.Weight, c.Bias, c.ConvOptions)
}

// Params returns "weight" and, with a bias, "bias".
func (c *ConvTranspose2D) Params() []NamedTensor { return weightBias(c.Weight, c.Bias) }

func weightBias(w, b *Tensor) []NamedTensor {
	ps := []NamedTensor{{"weight", w}}
	if b != nil {
		ps = append(ps, NamedTensor{"bias", b})
	}
	return ps
}

var (
	_ Module = (*Conv2D)(nil)
	_ Layer  = (*Conv2D)(nil)
	_ Module = (*ConvTranspose2D)(nil)
	_ Layer  = (*ConvTranspose2D)(nil)
)
