package nets

import (
	"fmt"
	"math"
	"sync"

	"github.com/gorl/gorl/internal/workers"
	"github.com/gorl/gorl/nets/internal/conv"
)

// Pooling over the two last axes of [N, C, H, W] (or [C, H, W]) tensors, plane by plane, with
// PyTorch's output sizes and window rules.

// PoolOptions are the settings of MaxPool2D and AvgPool2D besides the kernel size, under
// PyTorch's names. Pairs are [height, width].
type PoolOptions struct {
	Stride  [2]int // zero: the kernel size (PyTorch's default)
	Padding [2]int // implicit padding at both sides, at most half the kernel
	// Dilation (MaxPool2D only) spaces the window's taps; zero means 1.
	Dilation [2]int
	// CeilMode computes the output size with ceil instead of floor, so that a partial window at
	// the end is kept, except a window that would start in the right or bottom padding.
	CeilMode bool
	// ExcludePad (AvgPool2D only) is count_include_pad=False: a window's sum is divided by the
	// number of input elements it covers, not counting padding. PyTorch's default (false here)
	// divides by the window size clipped to the padded input.
	ExcludePad bool
	// DivisorOverride (AvgPool2D only), when positive, divides every window's sum by it instead.
	DivisorOverride int
}

// poolGeom is the geometry of one pooling call.
type poolGeom struct {
	planes     int // N·C
	h, w       int
	oh, ow     int
	kh, kw     int
	sh, sw     int
	ph, pw     int
	dh, dw     int
	shape      [4]int
	rank       int
	excludePad bool
	divisor    int

	// The operands of the pass being run: x and out are the input's and the output's Data in a
	// forward, their Grad in a backward; arg holds where max pooling found each window's maximum
	// (an offset in the input plane; nil when not recording).
	x, out []float32
	arg    []int
}

// poolParallelMin is the input size from which pooling splits its planes over goroutines.
const poolParallelMin = 1 << 16

// forPlanes runs step on all planes, split in ranges over the cores for large tensors. step is
// a plain function and pg travels by value, in a pooled task on the parallel path, so that
// neither path allocates.
func (pg poolGeom) forPlanes(step func(pg poolGeom, lo, hi int)) {
	if pg.planes < 2 || pg.planes*pg.h*pg.w < poolParallelMin { // before GOMAXPROCS and its lock
		step(pg, 0, pg.planes)
		return
	}
	threads := workers.Threads()
	if threads < 2 {
		step(pg, 0, pg.planes)
		return
	}
	t := poolTasks.Get().(*poolTask)
	t.pg, t.step, t.parts = pg, step, min(pg.planes, 4*threads) // a few parts a core: a slow core costs less
	workers.Run(threads, t.parts, t)
	*t = poolTask{}
	poolTasks.Put(t)
}

// poolTask is a pooling step over ranges of planes, for workers.Run.
type poolTask struct {
	pg    poolGeom
	step  func(pg poolGeom, lo, hi int)
	parts int
}

func (t *poolTask) Run(_, i int) {
	t.step(t.pg, i*t.pg.planes/t.parts, (i+1)*t.pg.planes/t.parts)
}

var poolTasks = sync.Pool{New: func() any { return new(poolTask) }}

var _ workers.Task = (*poolTask)(nil)

// poolOutSize is PyTorch's pooling_output_shape: with ceil mode, the last window must start
// inside the input or the left padding.
func poolOutSize(in, k, s, p, d int, ceil bool) int {
	num := in + 2*p - d*(k-1) - 1
	if ceil {
		num += s - 1
	}
	out := floorDivInt(num, s) + 1
	if ceil && (out-1)*s >= in+p {
		out--
	}
	return out
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// planPool checks a pooling call and works out its geometry; isMax selects MaxPool2D's options
// (dilation) over AvgPool2D's (ExcludePad, DivisorOverride).
func planPool(op string, x *Tensor, kernel [2]int, o PoolOptions, isMax bool) poolGeom {
	n, c, h, w, batched := imageDims(op, x)
	pg := poolGeom{planes: n * c, h: h, w: w, kh: kernel[0], kw: kernel[1], sh: o.Stride[0], sw: o.Stride[1],
		ph: o.Padding[0], pw: o.Padding[1], dh: o.Dilation[0], dw: o.Dilation[1],
		excludePad: o.ExcludePad, divisor: o.DivisorOverride}
	if pg.sh == 0 && pg.sw == 0 {
		pg.sh, pg.sw = pg.kh, pg.kw
	}
	if pg.dh == 0 && pg.dw == 0 {
		pg.dh, pg.dw = 1, 1
	}
	if !isMax && (pg.dh != 1 || pg.dw != 1) {
		panic(fmt.Sprintf("nets: %s has no dilation (got %v)", op, o.Dilation))
	}
	if isMax && (o.ExcludePad || o.DivisorOverride != 0) {
		panic(fmt.Sprintf("nets: %s: ExcludePad and DivisorOverride are AvgPool2D options", op))
	}
	if pg.kh < 1 || pg.kw < 1 || pg.sh < 1 || pg.sw < 1 || pg.dh < 1 || pg.dw < 1 {
		panic(fmt.Sprintf("nets: %s: kernel %v, stride %v and dilation %v must be positive", op, kernel, [2]int{pg.sh, pg.sw}, [2]int{pg.dh, pg.dw}))
	}
	if pg.ph < 0 || pg.pw < 0 || pg.ph > pg.kh/2 || pg.pw > pg.kw/2 {
		panic(fmt.Sprintf("nets: %s: padding %v must be between 0 and half the kernel %v", op, o.Padding, kernel))
	}
	if pg.divisor < 0 {
		panic(fmt.Sprintf("nets: %s: divisor override %d must be positive (0 for none)", op, pg.divisor))
	}
	pg.oh = poolOutSize(h, pg.kh, pg.sh, pg.ph, pg.dh, o.CeilMode)
	pg.ow = poolOutSize(w, pg.kw, pg.sw, pg.pw, pg.dw, o.CeilMode)
	if pg.oh < 1 || pg.ow < 1 {
		panic(fmt.Sprintf("nets: %s: input %v is too small for kernel %v (output %dx%d)", op, x.Shape, kernel, pg.oh, pg.ow))
	}
	if batched {
		pg.shape, pg.rank = [4]int{n, c, pg.oh, pg.ow}, 4
	} else {
		pg.shape, pg.rank = [4]int{c, pg.oh, pg.ow}, 3
	}
	return pg
}

// MaxPool2D is F.max_pool2d: the maximum of every kernel window (taps spaced by the dilation,
// padding never wins). The gradient goes to the window's maximal element (the first one on ties;
// NaN counts as the maximum, as in PyTorch).
func (g *Graph) MaxPool2D(x *Tensor, kernel [2]int, o PoolOptions) *Tensor {
	pg := planPool("MaxPool2D", x, kernel, o, true)
	out := g.resultDirty(pg.shape[:pg.rank], x) // every output is written
	pg.arg = g.ints.getDirty(len(out.Data))     // each output's source, as an offset in its input plane
	pg.x, pg.out = x.Data, out.Data
	pg.forPlanes(maxPoolForward)
	if out.Grad != nil {
		bp := pg // the closure's own copy: only a recording graph moves it to the heap
		bp.x, bp.out = x.Grad, out.Grad
		g.Record(func() { bp.forPlanes(maxPoolBackward) })
	}
	return out
}

func maxPoolForward(pg poolGeom, lo, hi int) {
	if pg.kh == 2 && pg.kw == 2 && pg.sh == 2 && pg.sw == 2 && pg.ph == 0 && pg.pw == 0 && pg.dh == 1 && pg.dw == 1 &&
		2*pg.oh <= pg.h && 2*pg.ow <= pg.w { // every window whole
		maxPool2x2(&pg, lo, hi)
		return
	}
	hw, ohw := pg.h*pg.w, pg.oh*pg.ow
	for pl := lo; pl < hi; pl++ {
		var arg []int // nil when not recording
		if pg.arg != nil {
			arg = pg.arg[pl*ohw : (pl+1)*ohw]
		}
		maxPoolPlane(pg.x[pl*hw:(pl+1)*hw], pg.out[pl*ohw:(pl+1)*ohw], arg, &pg)
	}
}

// maxPoolBackward routes every output gradient to its window's maximum.
func maxPoolBackward(pg poolGeom, lo, hi int) {
	hw, ohw := pg.h*pg.w, pg.oh*pg.ow
	for pl := lo; pl < hi; pl++ {
		dx, dy, a := pg.x[pl*hw:(pl+1)*hw], pg.out[pl*ohw:(pl+1)*ohw], pg.arg[pl*ohw:(pl+1)*ohw]
		a = a[:len(dy)]
		for i, d := range dy {
			dx[a[i]] += d
		}
	}
}

func maxPoolPlane(x, out []float32, arg []int, pg *poolGeom) {
	w, dh, dw := pg.w, pg.dh, pg.dw
	for i := 0; i < pg.oh; i++ {
		hs := i*pg.sh - pg.ph
		he := min(hs+(pg.kh-1)*dh+1, pg.h)
		for hs < 0 {
			hs += dh
		}
		for j := 0; j < pg.ow; j++ {
			ws := j*pg.sw - pg.pw
			we := min(ws+(pg.kw-1)*dw+1, w)
			for ws < 0 {
				ws += dw
			}
			// The builtin max has no branches to mispredict and lets NaN win; the source, when
			// recording, is what PyTorch's scan (take v if v > best or v is NaN) settles on: the
			// first element equal to the maximum, or the last NaN.
			best := float32(math.Inf(-1))
			for y := hs; y < he; y += dh {
				row := x[y*w : y*w+we]
				for xx := ws; xx < we; xx += dw {
					best = max(best, row[xx])
				}
			}
			out[i*pg.ow+j] = best
			if arg != nil {
				arg[i*pg.ow+j] = windowSource(x, pg, hs, he, ws, we, best)
			}
		}
	}
}

// windowSource returns the offset of the element of window [hs, he)×[ws, we) that max pooling's
// scan selects, given the window's maximum best.
func windowSource(x []float32, pg *poolGeom, hs, he, ws, we int, best float32) int {
	bi := hs*pg.w + ws // PyTorch's index for a window of −Inf only
	for y := hs; y < he; y += pg.dh {
		for xx := ws; xx < we; xx += pg.dw {
			v := x[y*pg.w+xx]
			if best == best && v == best {
				return y*pg.w + xx
			}
			if v != v {
				bi = y*pg.w + xx
			}
		}
	}
	return bi
}

// maxPool2x2 is the 2×2, stride-2 pooling of most CNNs: 8 windows at a time with SIMD
// (conv.MaxPool2x2), the rest without branches, since on real data the comparisons are
// unpredictable and mispredicted branches cost more than the rest of the loop. The value is the
// maximum (NaN wins, as in PyTorch); when recording, the source is the first element equal to it
// in row order, as maxPoolPlane's scan finds it, and a window with a NaN takes the scan's rule.
func maxPool2x2(pg *poolGeom, lo, hi int) {
	w, hw, ohw := pg.w, pg.h*pg.w, pg.oh*pg.ow
	for pl := lo; pl < hi; pl++ {
		xp, op := pg.x[pl*hw:(pl+1)*hw], pg.out[pl*ohw:(pl+1)*ohw]
		for i := 0; i < pg.oh; i++ {
			orow := op[i*pg.ow : (i+1)*pg.ow]
			r0 := xp[2*i*w : 2*i*w+2*len(orow)]
			r1 := xp[(2*i+1)*w : (2*i+1)*w+2*len(orow)]
			var arow []int
			if pg.arg != nil {
				arow = pg.arg[pl*ohw+i*pg.ow : pl*ohw+(i+1)*pg.ow]
			}
			base := 2 * i * w
			// SIMD first (all but the tail and NaN windows), then the Go loop for the rest.
			j0 := conv.MaxPool2x2(r0, r1, orow, arow, base, w)
			if arow == nil {
				for j := j0; j < len(orow); j++ {
					orow[j] = max(r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1])
				}
				continue
			}
			arow = arow[:len(orow)]
			for j := j0; j < len(orow); j++ {
				a, b, c, d := r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]
				m := max(a, b, c, d)
				k := w + 1 // conditional moves, last to first, leave the first match
				if c == m {
					k = w
				}
				if b == m {
					k = 1
				}
				if a == m {
					k = 0
				}
				if m != m {
					k = nanWinner(a, b, c, d, w)
				}
				orow[j], arow[j] = m, base+2*j+k
			}
		}
	}
}

// nanWinner is the offset maxPoolPlane's scan picks in a 2×2 window holding a NaN.
func nanWinner(a, b, c, d float32, w int) int {
	best, k := a, 0
	for t, v := range [...]float32{b, c, d} {
		if v > best || v != v {
			best, k = v, [...]int{1, w, w + 1}[t]
		}
	}
	return k
}

// AvgPool2D is F.avg_pool2d: the mean of every kernel window. The window [hs, he) starts at
// i·stride − padding and ends at min(hs + kernel, H + padding); by default (count_include_pad)
// the sum over its part inside the input is divided by he − hs times the same for the columns,
// with ExcludePad by the number of input elements it covers, and with DivisorOverride by that.
func (g *Graph) AvgPool2D(x *Tensor, kernel [2]int, o PoolOptions) *Tensor {
	pg := planPool("AvgPool2D", x, kernel, o, false)
	out := g.Result(pg.shape[:pg.rank], x)
	pg.x, pg.out = x.Data, out.Data
	pg.forPlanes(avgPoolForward)
	if out.Grad != nil {
		bp := pg
		bp.x, bp.out = x.Grad, out.Grad
		g.Record(func() { bp.forPlanes(avgPoolBackward) })
	}
	return out
}

func avgPoolForward(pg poolGeom, lo, hi int)  { avgPoolPlanes(&pg, lo, hi, false) }
func avgPoolBackward(pg poolGeom, lo, hi int) { avgPoolPlanes(&pg, lo, hi, true) }

func avgPoolPlanes(pg *poolGeom, lo, hi int, backward bool) {
	hw, ohw := pg.h*pg.w, pg.oh*pg.ow
	for pl := lo; pl < hi; pl++ {
		avgPoolPlane(pg.x[pl*hw:(pl+1)*hw], pg.out[pl*ohw:(pl+1)*ohw], pg, backward)
	}
}

// avgPoolPlane computes one plane's window means (backward false) or spreads every output
// gradient over its window (backward true: x is the input gradient, out the output's).
func avgPoolPlane(x, out []float32, pg *poolGeom, backward bool) {
	for i := 0; i < pg.oh; i++ {
		hs := i*pg.sh - pg.ph
		he := min(hs+pg.kh, pg.h+pg.ph)
		size := he - hs
		hs, he = max(hs, 0), min(he, pg.h)
		for j := 0; j < pg.ow; j++ {
			ws := j*pg.sw - pg.pw
			we := min(ws+pg.kw, pg.w+pg.pw)
			pool := size * (we - ws)
			ws, we = max(ws, 0), min(we, pg.w)
			if hs >= he || ws >= we {
				continue // a window entirely in the padding averages nothing: 0, no gradient
			}
			div := pool
			switch {
			case pg.divisor > 0:
				div = pg.divisor
			case pg.excludePad:
				div = (he - hs) * (we - ws)
			}
			if backward {
				d := out[i*pg.ow+j] / float32(div)
				for y := hs; y < he; y++ {
					row := x[y*pg.w+ws : y*pg.w+we]
					for k := range row {
						row[k] += d
					}
				}
				continue
			}
			var s float32
			for y := hs; y < he; y++ {
				for _, v := range x[y*pg.w+ws : y*pg.w+we] {
					s += v
				}
			}
			out[i*pg.ow+j] = s / float32(div)
		}
	}
}

// AdaptiveAvgPool2D is F.adaptive_avg_pool2d to an oh×ow output: output bin i averages rows
// [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉), and likewise for columns, so bins cover the input and may overlap.
// A size of 0 keeps that input dimension (PyTorch's None).
func (g *Graph) AdaptiveAvgPool2D(x *Tensor, oh, ow int) *Tensor {
	n, c, h, w, batched := imageDims("AdaptiveAvgPool2D", x)
	if oh == 0 {
		oh = h
	}
	if ow == 0 {
		ow = w
	}
	if oh < 0 || ow < 0 || h == 0 && oh > 0 || w == 0 && ow > 0 {
		panic(fmt.Sprintf("nets: AdaptiveAvgPool2D: cannot pool %v to %dx%d", x.Shape, oh, ow))
	}
	shape := [4]int{n, c, oh, ow}
	s := shape[:]
	if !batched {
		s = shape[1:]
	}
	out := g.Result(s, x)
	pg := poolGeom{planes: n * c, h: h, w: w, oh: oh, ow: ow, x: x.Data, out: out.Data}
	pg.forPlanes(adaptiveForward)
	if out.Grad != nil {
		bp := pg
		bp.x, bp.out = x.Grad, out.Grad
		g.Record(func() { bp.forPlanes(adaptiveBackward) })
	}
	return out
}

func adaptiveForward(pg poolGeom, lo, hi int)  { adaptivePlanes(&pg, lo, hi, false) }
func adaptiveBackward(pg poolGeom, lo, hi int) { adaptivePlanes(&pg, lo, hi, true) }

func adaptivePlanes(pg *poolGeom, lo, hi int, backward bool) {
	hw, ohw := pg.h*pg.w, pg.oh*pg.ow
	for pl := lo; pl < hi; pl++ {
		adaptivePlane(pg.x[pl*hw:(pl+1)*hw], pg.out[pl*ohw:(pl+1)*ohw], pg.h, pg.w, pg.oh, pg.ow, backward)
	}
}

func adaptivePlane(x, out []float32, h, w, oh, ow int, backward bool) {
	for i := 0; i < oh; i++ {
		hs, he := i*h/oh, ((i+1)*h+oh-1)/oh
		for j := 0; j < ow; j++ {
			ws, we := j*w/ow, ((j+1)*w+ow-1)/ow
			n := float32((he - hs) * (we - ws))
			if backward {
				d := out[i*ow+j] / n
				for y := hs; y < he; y++ {
					row := x[y*w+ws : y*w+we]
					for k := range row {
						row[k] += d
					}
				}
				continue
			}
			var s float32
			for y := hs; y < he; y++ {
				for _, v := range x[y*w+ws : y*w+we] {
					s += v
				}
			}
			out[i*ow+j] = s / n
		}
	}
}

// --- modules ------------------------------------------------------------------------------------

// MaxPool2D is nn.MaxPool2d(Kernel, ...): see g.MaxPool2D.
type MaxPool2D struct {
	Kernel [2]int
	PoolOptions
}

// Forward applies g.MaxPool2D.
func (m MaxPool2D) Forward(g *Graph, x *Tensor) *Tensor {
	return g.MaxPool2D(x, m.Kernel, m.PoolOptions)
}

// AvgPool2D is nn.AvgPool2d(Kernel, ...): see g.AvgPool2D.
type AvgPool2D struct {
	Kernel [2]int
	PoolOptions
}

// Forward applies g.AvgPool2D.
func (m AvgPool2D) Forward(g *Graph, x *Tensor) *Tensor {
	return g.AvgPool2D(x, m.Kernel, m.PoolOptions)
}

// AdaptiveAvgPool2D is nn.AdaptiveAvgPool2d(Size): Size [height, width], 0 keeping the input's.
// AdaptiveAvgPool2D{Size: Pair(1)} is global average pooling.
type AdaptiveAvgPool2D struct {
	Size [2]int
}

// Forward applies g.AdaptiveAvgPool2D.
func (m AdaptiveAvgPool2D) Forward(g *Graph, x *Tensor) *Tensor {
	return g.AdaptiveAvgPool2D(x, m.Size[0], m.Size[1])
}

var (
	_ Layer = MaxPool2D{}
	_ Layer = AvgPool2D{}
	_ Layer = AdaptiveAvgPool2D{}
)
