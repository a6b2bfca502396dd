package nets

import (
	"fmt"
	"math"
	"sync"

	"github.com/gorl/gorl/internal/workers"
)

// Normalization layers. Statistics are accumulated in float64 (a channel of a large batch sums
// tens of thousands of values) and every backward recomputes x̂ = (x − mean)·invstd from the
// saved per-channel mean and inverse standard deviation rather than keeping x̂ in the arena.

// BatchNorm is the state and settings shared by BatchNorm1D and BatchNorm2D (PyTorch's
// _BatchNorm). The constructors give PyTorch's defaults; change the fields for the others:
//
//   - affine=False: Weight and Bias nil.
//   - track_running_stats=False: RunningMean, RunningVar and NumBatchesTracked nil; batch
//     statistics are then used in eval mode too.
//   - momentum=None (a cumulative moving average): CumulativeAverage true.
type BatchNorm struct {
	Weight *Tensor // γ [C], ones at first
	Bias   *Tensor // β [C], zeros at first

	RunningMean       *Tensor // [C], zeros at first
	RunningVar        *Tensor // [C], ones at first; updated with the unbiased batch variance
	NumBatchesTracked *Tensor // scalar: training forwards so far (an int64 in PyTorch's state dict)

	Eps      float64 // added to the variance: 1e-5
	Momentum float64 // running = (1 − momentum)·running + momentum·batch statistic: 0.1
	// CumulativeAverage replaces Momentum by 1/NumBatchesTracked, so the running statistics are
	// the plain average over all training batches (momentum=None).
	CumulativeAverage bool
}

func newBatchNorm(c int) BatchNorm {
	if c <= 0 {
		panic(fmt.Sprintf("nets: BatchNorm needs a positive number of features, got %d", c))
	}
	bn := BatchNorm{Weight: NewParam(c), Bias: NewParam(c), RunningMean: New(c), RunningVar: New(c),
		NumBatchesTracked: New(), Eps: 1e-5, Momentum: 0.1}
	Constant(bn.Weight, 1)
	Constant(bn.RunningVar, 1)
	return bn
}

// Params returns "weight" and "bias" (none without affine).
func (bn *BatchNorm) Params() []NamedTensor {
	if bn.Weight == nil {
		return nil
	}
	return []NamedTensor{{"weight", bn.Weight}, {"bias", bn.Bias}}
}

// Buffers returns "running_mean", "running_var" and "num_batches_tracked" (none without
// running statistics).
func (bn *BatchNorm) Buffers() []NamedTensor {
	if bn.RunningMean == nil {
		return nil
	}
	return []NamedTensor{{"running_mean", bn.RunningMean}, {"running_var", bn.RunningVar},
		{"num_batches_tracked", bn.NumBatchesTracked}}
}

// BatchNorm1D is nn.BatchNorm1d: x [N, C] or [N, C, L], statistics per channel over N (and L).
type BatchNorm1D struct{ BatchNorm }

// NewBatchNorm1D returns nn.BatchNorm1d(c) with PyTorch's defaults (see BatchNorm).
func NewBatchNorm1D(c int) *BatchNorm1D { return &BatchNorm1D{newBatchNorm(c)} }

// Forward normalizes x with batch statistics in training mode (updating the running ones) and
// with the running statistics in eval mode.
func (bn *BatchNorm1D) Forward(g *Graph, x *Tensor) *Tensor {
	if len(x.Shape) != 2 && len(x.Shape) != 3 {
		panic(fmt.Sprintf("nets: BatchNorm1D: input must be [N, C] or [N, C, L], got %v", x.Shape))
	}
	return g.BatchNorm(x, &bn.BatchNorm)
}

// BatchNorm2D is nn.BatchNorm2d: x [N, C, H, W], statistics per channel over N, H and W.
type BatchNorm2D struct{ BatchNorm }

// NewBatchNorm2D returns nn.BatchNorm2d(c) with PyTorch's defaults (see BatchNorm).
func NewBatchNorm2D(c int) *BatchNorm2D { return &BatchNorm2D{newBatchNorm(c)} }

// Forward normalizes x as BatchNorm1D.Forward does.
func (bn *BatchNorm2D) Forward(g *Graph, x *Tensor) *Tensor {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nets: BatchNorm2D: input must be [N, C, H, W], got %v", x.Shape))
	}
	return g.BatchNorm(x, &bn.BatchNorm)
}

// BatchNorm is F.batch_norm over axis 1 of x [N, C, ...] with bn's parameters and buffers:
//
//	y = (x − mean)/√(var + eps)·weight + bias
//
// In training mode (or without running statistics) mean and var are the batch's, var biased
// (divided by the count n per channel), and the gradient flows through them; the running
// statistics then move by the momentum towards the batch mean and the unbiased variance
// var·n/(n−1), and NumBatchesTracked counts the batch. In eval mode the running statistics are
// used as constants.
func (g *Graph) BatchNorm(x *Tensor, bn *BatchNorm) *Tensor {
	if len(x.Shape) < 2 {
		panic(fmt.Sprintf("nets: BatchNorm: input must be [N, C, ...], got %v", x.Shape))
	}
	nb, c, inner := x.Shape[0], x.Shape[1], numel(x.Shape[2:])
	for _, t := range [...]*Tensor{bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar} {
		if t != nil && (len(t.Shape) != 1 || t.Shape[0] != c) {
			panic(fmt.Sprintf("nets: BatchNorm: a parameter or buffer of shape %v for %d channels (input %v)", t.Shape, c, x.Shape))
		}
	}
	if (bn.Weight == nil) != (bn.Bias == nil) || (bn.RunningMean == nil) != (bn.RunningVar == nil) ||
		(bn.RunningMean == nil) != (bn.NumBatchesTracked == nil) {
		panic("nets: BatchNorm: Weight and Bias, and RunningMean, RunningVar and NumBatchesTracked, must be set or nil together")
	}
	p := bnPlan{nb: nb, c: c, inner: inner, n: nb * inner, eps: bn.Eps, x: x.Data}
	p.batchStats = g.Training() || bn.RunningMean == nil
	if p.batchStats && p.n <= 1 {
		panic(fmt.Sprintf("nets: BatchNorm: expected more than 1 value per channel when training, got input %v", x.Shape))
	}
	if bn.RunningMean != nil {
		p.rm, p.rv = bn.RunningMean.Data, bn.RunningVar.Data
		if p.batchStats { // training: the running statistics follow the batch's
			p.track, p.factor = true, bn.Momentum
			if bn.CumulativeAverage {
				p.factor = 1 / (float64(bn.NumBatchesTracked.Data[0]) + 1) // the count including this batch
			}
			bn.NumBatchesTracked.Data[0]++
		}
	}
	if bn.Weight != nil {
		p.w, p.b = bn.Weight.Data, bn.Bias.Data
	}
	out := g.resultDirty(x.Shape, x, bn.Weight, bn.Bias) // every element is written
	stats := g.floats.getDirty(2 * c)                    // mean, then invstd, per channel
	p.mean, p.invstd, p.out = stats[:c], stats[c:], out.Data
	p.forChannels(bnForward)
	if out.Grad != nil {
		bp := p // the closure's own copy: only a recording graph moves it to the heap
		bp.dx, bp.dout = x.Grad, out.Grad
		if bn.Weight != nil {
			bp.dw, bp.db = bn.Weight.Grad, bn.Bias.Grad
		}
		g.Record(func() { bp.forChannels(bnBackward) })
	}
	return out
}

// bnPlan is one BatchNorm call over x [nb, c, inner]; its steps handle ranges of channels, which
// are independent (statistics, running statistics, parameter gradients), so large inputs are
// split over the cores.
type bnPlan struct {
	nb, c, inner, n   int
	batchStats, track bool
	eps, factor       float64 // factor: the running statistics' update weight (momentum)

	x, out, dx, dout []float32
	w, b, dw, db     []float32 // nil without affine (dw, db nil when frozen)
	rm, rv           []float32 // nil without running statistics
	mean, invstd     []float32
}

// bnParallelMin is the input size from which BatchNorm splits its channels over goroutines.
const bnParallelMin = 1 << 16

func (p bnPlan) forChannels(step func(p bnPlan, lo, hi int)) {
	if p.c < 2 || p.n*p.c < bnParallelMin { // before GOMAXPROCS and its lock
		step(p, 0, p.c)
		return
	}
	threads := workers.Threads()
	if threads < 2 {
		step(p, 0, p.c)
		return
	}
	t := bnTasks.Get().(*bnTask)
	t.p, t.step, t.parts = p, step, min(p.c, 4*threads)
	workers.Run(threads, t.parts, t)
	*t = bnTask{}
	bnTasks.Put(t)
}

// bnTask is a BatchNorm step over ranges of channels, for workers.Run.
type bnTask struct {
	p     bnPlan
	step  func(p bnPlan, lo, hi int)
	parts int
}

func (t *bnTask) Run(_, i int) { t.step(t.p, i*t.p.c/t.parts, (i+1)*t.p.c/t.parts) }

var bnTasks = sync.Pool{New: func() any { return new(bnTask) }}

var _ workers.Task = (*bnTask)(nil)

// bnBlock is the number of channels the [N, C] paths handle together, row by row.
const bnBlock = 64

// bnForward normalizes channels [lo, hi), updating their running statistics when training.
func bnForward(p bnPlan, lo, hi int) {
	if p.inner == 1 {
		for b0 := lo; b0 < hi; b0 += bnBlock {
			bnForwardRows(&p, b0, min(b0+bnBlock, hi))
		}
		return
	}
	for ch := lo; ch < hi; ch++ {
		var m, v float64
		if p.batchStats {
			m, v = channelMoments(p.x, ch, p.c, p.inner, p.nb)
		} else {
			m, v = float64(p.rm[ch]), float64(p.rv[ch])
		}
		p.mean[ch], p.invstd[ch] = float32(m), float32(1/math.Sqrt(v+p.eps))
		if p.track {
			f := p.factor
			p.rm[ch] = float32((1-f)*float64(p.rm[ch]) + f*m)
			p.rv[ch] = float32((1-f)*float64(p.rv[ch]) + f*v*float64(p.n)/float64(p.n-1)) // unbiased
		}
		w, b := float32(1), float32(0)
		if p.w != nil {
			w, b = p.w[ch], p.b[ch]
		}
		scale, shift := p.invstd[ch]*w, b-p.mean[ch]*p.invstd[ch]*w
		for s := 0; s < p.nb; s++ {
			off := (s*p.c + ch) * p.inner
			src, dst := p.x[off:off+p.inner], p.out[off:off+p.inner]
			for i, v := range src {
				dst[i] = v*scale + shift
			}
		}
	}
}

// bnBackward propagates the output gradient of channels [lo, hi).
func bnBackward(p bnPlan, lo, hi int) {
	if p.inner == 1 {
		for b0 := lo; b0 < hi; b0 += bnBlock {
			bnBackwardRows(&p, b0, min(b0+bnBlock, hi))
		}
		return
	}
	for ch := lo; ch < hi; ch++ {
		m, is := p.mean[ch], p.invstd[ch]
		// Σ dy and Σ dy·x̂ over the channel: the bias and weight gradients, and the two terms the
		// batch statistics add to the input gradient.
		var sdy, sdyx float64
		for s := 0; s < p.nb; s++ {
			off := (s*p.c + ch) * p.inner
			xs := p.x[off : off+p.inner]
			for i, d := range p.dout[off : off+p.inner] {
				sdy += float64(d)
				sdyx += float64(d) * float64((xs[i]-m)*is)
			}
		}
		wc := float32(1)
		if p.w != nil {
			wc = p.w[ch]
		}
		if p.dw != nil {
			p.dw[ch] += float32(sdyx)
		}
		if p.db != nil {
			p.db[ch] += float32(sdy)
		}
		if p.dx == nil {
			continue
		}
		k := wc * is
		for s := 0; s < p.nb; s++ {
			off := (s*p.c + ch) * p.inner
			dx, xs, dy := p.dx[off:off+p.inner], p.x[off:off+p.inner], p.dout[off:off+p.inner]
			if !p.batchStats { // constant statistics: y is affine in x
				for i, d := range dy {
					dx[i] += d * k
				}
				continue
			}
			// dx = w·invstd·(dy − mean(dy) − x̂·mean(dy·x̂))
			mdy, mdyx := float32(sdy/float64(p.n)), float32(sdyx/float64(p.n))
			for i, d := range dy {
				dx[i] += k * (d - mdy - (xs[i]-m)*is*mdyx)
			}
		}
	}
}

// bnForwardRows is bnForward for x [N, C] on channels [b0, b1) (at most bnBlock of them): a
// channel is a column there, so the statistics are accumulated row by row, where the memory is
// contiguous, rather than column by column.
func bnForwardRows(p *bnPlan, b0, b1 int) {
	var mean, acc [bnBlock]float64
	var scale, shift [bnBlock]float32
	k := b1 - b0
	if p.batchStats {
		for s := 0; s < p.nb; s++ {
			for j, v := range p.x[s*p.c+b0 : s*p.c+b1] {
				mean[j] += float64(v)
			}
		}
		for j := range k {
			mean[j] /= float64(p.n)
		}
		for s := 0; s < p.nb; s++ {
			for j, v := range p.x[s*p.c+b0 : s*p.c+b1] {
				d := float64(v) - mean[j]
				acc[j] += d * d
			}
		}
	}
	for j := range k {
		ch := b0 + j
		m, v := mean[j], acc[j]/float64(p.n)
		if !p.batchStats {
			m, v = float64(p.rm[ch]), float64(p.rv[ch])
		}
		p.mean[ch], p.invstd[ch] = float32(m), float32(1/math.Sqrt(v+p.eps))
		if p.track {
			f := p.factor
			p.rm[ch] = float32((1-f)*float64(p.rm[ch]) + f*m)
			p.rv[ch] = float32((1-f)*float64(p.rv[ch]) + f*v*float64(p.n)/float64(p.n-1))
		}
		w, b := float32(1), float32(0)
		if p.w != nil {
			w, b = p.w[ch], p.b[ch]
		}
		scale[j], shift[j] = p.invstd[ch]*w, b-p.mean[ch]*p.invstd[ch]*w
	}
	for s := 0; s < p.nb; s++ {
		dst := p.out[s*p.c+b0 : s*p.c+b1]
		for j, v := range p.x[s*p.c+b0 : s*p.c+b1] {
			dst[j] = v*scale[j] + shift[j]
		}
	}
}

// bnBackwardRows is bnBackward for x [N, C] on channels [b0, b1), row by row.
func bnBackwardRows(p *bnPlan, b0, b1 int) {
	var sdy, sdyx [bnBlock]float64
	mean, is := p.mean[b0:b1], p.invstd[b0:b1]
	for s := 0; s < p.nb; s++ {
		xs := p.x[s*p.c+b0 : s*p.c+b1]
		for j, d := range p.dout[s*p.c+b0 : s*p.c+b1] {
			sdy[j] += float64(d)
			sdyx[j] += float64(d) * float64((xs[j]-mean[j])*is[j])
		}
	}
	var k, mdy, mdyx [bnBlock]float32
	for j := range b1 - b0 {
		ch := b0 + j
		if p.dw != nil {
			p.dw[ch] += float32(sdyx[j])
		}
		if p.db != nil {
			p.db[ch] += float32(sdy[j])
		}
		k[j] = is[j]
		if p.w != nil {
			k[j] *= p.w[ch]
		}
		if p.batchStats {
			mdy[j], mdyx[j] = float32(sdy[j]/float64(p.n)), float32(sdyx[j]/float64(p.n))
		}
	}
	if p.dx == nil {
		return
	}
	for s := 0; s < p.nb; s++ {
		dx, xs := p.dx[s*p.c+b0:s*p.c+b1], p.x[s*p.c+b0:s*p.c+b1]
		for j, d := range p.dout[s*p.c+b0 : s*p.c+b1] {
			// With constant statistics mdy and mdyx are 0: y is affine in x.
			dx[j] += k[j] * (d - mdy[j] - (xs[j]-mean[j])*is[j]*mdyx[j])
		}
	}
}

// channelMoments returns the mean and the biased variance of channel ch of x [nb, c, inner],
// in two passes.
func channelMoments(x []float32, ch, c, inner, nb int) (mean, variance float64) {
	var s float64
	for b := 0; b < nb; b++ {
		for _, v := range x[(b*c+ch)*inner : (b*c+ch+1)*inner] {
			s += float64(v)
		}
	}
	n := float64(nb * inner)
	mean = s / n
	var ss float64
	for b := 0; b < nb; b++ {
		for _, v := range x[(b*c+ch)*inner : (b*c+ch+1)*inner] {
			d := float64(v) - mean
			ss += d * d
		}
	}
	return mean, ss / n
}

// LayerNorm is nn.LayerNorm: it normalizes every sample over its last len(Shape) dimensions with
// their mean and biased variance, then applies the elementwise Weight and Bias (of shape Shape;
// nil for elementwise_affine=False).
type LayerNorm struct {
	Shape  []int   // normalized_shape: the trailing dimensions of the input
	Weight *Tensor // ones at first
	Bias   *Tensor // zeros at first
	Eps    float64 // 1e-5
}

// NewLayerNorm returns nn.LayerNorm(shape) with PyTorch's defaults: elementwise affine, eps 1e-5.
func NewLayerNorm(shape ...int) *LayerNorm {
	if len(shape) == 0 || numel(shape) == 0 {
		panic("nets: NewLayerNorm needs a non-empty normalized shape, got " + shapeStr(shape))
	}
	l := &LayerNorm{Shape: cloneShape(shape), Weight: NewParam(shape...), Bias: NewParam(shape...), Eps: 1e-5}
	Constant(l.Weight, 1)
	return l
}

// Forward applies g.LayerNorm.
func (l *LayerNorm) Forward(g *Graph, x *Tensor) *Tensor {
	return g.LayerNorm(x, len(l.Shape), l.Weight, l.Bias, l.Eps)
}

// Params returns "weight" and "bias" (none without elementwise affine).
func (l *LayerNorm) Params() []NamedTensor {
	if l.Weight == nil {
		return nil
	}
	return []NamedTensor{{"weight", l.Weight}, {"bias", l.Bias}}
}

// LayerNorm is F.layer_norm over the last dims dimensions of x:
// y = (x − mean)/√(var + eps)·w + b per sample, var biased; w and b (nil for none) have the shape
// of those dimensions.
func (g *Graph) LayerNorm(x *Tensor, dims int, w, b *Tensor, eps float64) *Tensor {
	if dims < 1 || dims > len(x.Shape) {
		panic(fmt.Sprintf("nets: LayerNorm: cannot normalize the last %d dimensions of %v", dims, x.Shape))
	}
	tail := x.Shape[len(x.Shape)-dims:]
	for _, t := range [...]*Tensor{w, b} {
		if t != nil && !sameShape(t.Shape, tail) {
			panic(fmt.Sprintf("nets: LayerNorm: weight or bias %v does not match the normalized dimensions %v of %v", t.Shape, tail, x.Shape))
		}
	}
	d := numel(tail)
	if d == 0 {
		panic(fmt.Sprintf("nets: LayerNorm: empty normalized dimensions in %v", x.Shape))
	}
	rows := len(x.Data) / d
	out := g.Result(x.Shape, x, w, b)
	stats := g.Floats(2 * rows) // mean, then invstd, per row
	mean, invstd := stats[:rows], stats[rows:]
	for r := 0; r < rows; r++ {
		src, dst := x.Data[r*d:(r+1)*d], out.Data[r*d:(r+1)*d]
		var s float64
		for _, v := range src {
			s += float64(v)
		}
		m := s / float64(d)
		var ss float64
		for _, v := range src {
			dv := float64(v) - m
			ss += dv * dv
		}
		mf, is := float32(m), float32(1/math.Sqrt(ss/float64(d)+eps))
		mean[r], invstd[r] = mf, is
		for i, v := range src {
			y := (v - mf) * is
			if w != nil {
				y *= w.Data[i]
			}
			if b != nil {
				y += b.Data[i]
			}
			dst[i] = y
		}
	}
	if out.Grad != nil {
		g.Record(func() {
			for r := 0; r < rows; r++ {
				xs, dy := x.Data[r*d:(r+1)*d], out.Grad[r*d:(r+1)*d]
				m, is := mean[r], invstd[r]
				var sg, sgx float64 // Σ ĝ and Σ ĝ·x̂ with ĝ = dy·w, the gradient of x̂
				for i, dv := range dy {
					xh := (xs[i] - m) * is
					if w != nil {
						if w.Grad != nil {
							w.Grad[i] += dv * xh
						}
						dv *= w.Data[i]
					}
					if b != nil && b.Grad != nil {
						b.Grad[i] += dy[i]
					}
					sg += float64(dv)
					sgx += float64(dv) * float64(xh)
				}
				if x.Grad == nil {
					continue
				}
				mg, mgx := float32(sg/float64(d)), float32(sgx/float64(d))
				dx := x.Grad[r*d : (r+1)*d]
				for i, dv := range dy {
					if w != nil {
						dv *= w.Data[i]
					}
					dx[i] += is * (dv - mg - (xs[i]-m)*is*mgx)
				}
			}
		})
	}
	return out
}

var (
	_ Module   = (*BatchNorm1D)(nil)
	_ Buffered = (*BatchNorm1D)(nil)
	_ Layer    = (*BatchNorm1D)(nil)
	_ Module   = (*BatchNorm2D)(nil)
	_ Buffered = (*BatchNorm2D)(nil)
	_ Layer    = (*BatchNorm2D)(nil)
	_ Module   = (*LayerNorm)(nil)
	_ Layer    = (*LayerNorm)(nil)
)
