package nets

import (
	"fmt"
	"math"
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
	n := nb * inner
	batchStats := g.Training() || bn.RunningMean == nil
	if batchStats && n <= 1 {
		panic(fmt.Sprintf("nets: BatchNorm: expected more than 1 value per channel when training, got input %v", x.Shape))
	}
	out := g.Result(x.Shape, x, bn.Weight, bn.Bias)
	stats := g.Floats(2 * c) // mean, then invstd, per channel
	mean, invstd := stats[:c], stats[c:]
	for ch := 0; ch < c; ch++ {
		var m, v float64
		if batchStats {
			m, v = channelMoments(x.Data, ch, c, inner, nb)
		} else {
			m, v = float64(bn.RunningMean.Data[ch]), float64(bn.RunningVar.Data[ch])
		}
		mean[ch], invstd[ch] = float32(m), float32(1/math.Sqrt(v+bn.Eps))
		if batchStats && g.Training() && bn.RunningMean != nil {
			bn.track(ch, m, v, n)
		}
		w, b := float32(1), float32(0)
		if bn.Weight != nil {
			w, b = bn.Weight.Data[ch], bn.Bias.Data[ch]
		}
		scale, shift := invstd[ch]*w, b-mean[ch]*invstd[ch]*w
		for s := 0; s < nb; s++ {
			off := (s*c + ch) * inner
			src, dst := x.Data[off:off+inner], out.Data[off:off+inner]
			for i, v := range src {
				dst[i] = v*scale + shift
			}
		}
	}
	if batchStats && g.Training() && bn.NumBatchesTracked != nil {
		bn.NumBatchesTracked.Data[0]++
	}
	if out.Grad != nil {
		w, b := bn.Weight, bn.Bias
		g.Record(func() {
			for ch := 0; ch < c; ch++ {
				m, is := mean[ch], invstd[ch]
				// Σ dy and Σ dy·x̂ over the channel: the bias and weight gradients, and the two
				// terms the batch statistics add to the input gradient.
				var sdy, sdyx float64
				for s := 0; s < nb; s++ {
					off := (s*c + ch) * inner
					for i, d := range out.Grad[off : off+inner] {
						sdy += float64(d)
						sdyx += float64(d) * float64((x.Data[off+i]-m)*is)
					}
				}
				wc := float32(1)
				if w != nil {
					wc = w.Data[ch]
					if w.Grad != nil {
						w.Grad[ch] += float32(sdyx)
					}
					if b.Grad != nil {
						b.Grad[ch] += float32(sdy)
					}
				}
				if x.Grad == nil {
					continue
				}
				k := wc * is
				if !batchStats { // constant statistics: y is affine in x
					for s := 0; s < nb; s++ {
						off := (s*c + ch) * inner
						dx := x.Grad[off : off+inner]
						for i, d := range out.Grad[off : off+inner] {
							dx[i] += d * k
						}
					}
					continue
				}
				// dx = w·invstd·(dy − mean(dy) − x̂·mean(dy·x̂))
				mdy, mdyx := float32(sdy/float64(n)), float32(sdyx/float64(n))
				for s := 0; s < nb; s++ {
					off := (s*c + ch) * inner
					dx, xs := x.Grad[off:off+inner], x.Data[off:off+inner]
					for i, d := range out.Grad[off : off+inner] {
						dx[i] += k * (d - mdy - (xs[i]-m)*is*mdyx)
					}
				}
			}
		})
	}
	return out
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

// track moves channel ch's running statistics towards the batch's.
func (bn *BatchNorm) track(ch int, mean, variance float64, n int) {
	f := bn.Momentum
	if bn.CumulativeAverage {
		f = 1 / (float64(bn.NumBatchesTracked.Data[0]) + 1) // the count including this batch
	}
	rm, rv := &bn.RunningMean.Data[ch], &bn.RunningVar.Data[ch]
	*rm = float32((1-f)*float64(*rm) + f*mean)
	*rv = float32((1-f)*float64(*rv) + f*variance*float64(n)/float64(n-1))
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
