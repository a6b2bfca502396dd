package nets

import (
	"fmt"
	"math"

	"github.com/gorl/gorl/nets/internal/vec"
)

// Losses are fused ops: one function computes the per-element loss and its local derivative in
// float64, reduces, and (when recording) keeps the derivatives for a backward that scales them by
// the upstream gradient. Their semantics, reductions included, are PyTorch's.

// Reduction is a loss's reduction, PyTorch's reduction= argument. The zero value is ReduceMean,
// PyTorch's default.
type Reduction int

const (
	// ReduceMean divides the sum by the number of elements (for MSE of [N, D] that is N·D, not
	// N); CrossEntropy and NLL divide by the summed class weights of the non-ignored targets.
	ReduceMean Reduction = iota
	// ReduceSum is the plain sum.
	ReduceSum
	// ReduceNone returns the per-element losses.
	ReduceNone
	// ReduceBatchMean divides the sum by the batch size (the first dimension): KLDivLoss only,
	// where it gives the true KL divergence.
	ReduceBatchMean
)

func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	case ReduceBatchMean:
		return "batchmean"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// ParseReduction reads PyTorch's reduction names ("mean", "sum", "none", "batchmean").
func ParseReduction(s string) (Reduction, error) {
	for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceNone, ReduceBatchMean} {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("nets: unknown reduction %q (want mean, sum, none or batchmean)", s)
}

// pointwise is the per-element loss ℓ(x, y) at input x and target y with its partial derivatives.
type pointwise func(i int, x, y float64) (loss, dx, dy float64)

// pointwiseLoss applies f to every (input, target) pair and reduces. The target takes a gradient
// if it has one.
func (g *Graph) pointwiseLoss(op string, input, target *Tensor, r Reduction, f pointwise) *Tensor {
	if !sameShape(input.Shape, target.Shape) {
		panic(fmt.Sprintf("nets: %s: input %v and target %v differ in shape", op, input.Shape, target.Shape))
	}
	n := len(input.Data)
	var out *Tensor
	switch r {
	case ReduceNone:
		out = g.Result(input.Shape, input, target)
	case ReduceMean, ReduceSum, ReduceBatchMean:
		out = g.Result(nil, input, target)
	default:
		panic(fmt.Sprintf("nets: %s: bad reduction %v", op, r))
	}
	var dx, dy []float32
	if out.Grad != nil {
		if input.Grad != nil {
			dx = g.floats.get(n)
		}
		if target.Grad != nil {
			dy = g.floats.get(n)
		}
	}
	var sum float64
	for i := range n {
		l, gx, gy := f(i, float64(input.Data[i]), float64(target.Data[i]))
		if r == ReduceNone {
			out.Data[i] = float32(l)
		} else {
			sum += l
		}
		if dx != nil {
			dx[i] = float32(gx)
		}
		if dy != nil {
			dy[i] = float32(gy)
		}
	}
	scale := reductionScale(op, r, n, input.Shape)
	if r != ReduceNone {
		out.Data[0] = float32(sum * scale)
	}
	if out.Grad != nil {
		recordPointwise(g, out, input, target, dx, dy, scale, r == ReduceNone)
	}
	return out
}

// recordPointwise records the backward of pointwiseLoss. It is a separate function so that the
// closure captures its parameters, which are never reassigned, by value: the forward's variables
// stay on the stack.
func recordPointwise(g *Graph, out, input, target *Tensor, dx, dy []float32, scale float64, none bool) {
	g.Record(func() {
		for i := range dx {
			up := float32(float64(out.Grad[0]) * scale)
			if none {
				up = out.Grad[i]
			}
			input.Grad[i] += up * dx[i]
		}
		for i := range dy {
			up := float32(float64(out.Grad[0]) * scale)
			if none {
				up = out.Grad[i]
			}
			target.Grad[i] += up * dy[i]
		}
	})
}

// reductionScale is the factor the sum of n element losses is multiplied by.
func reductionScale(op string, r Reduction, n int, shape []int) float64 {
	switch r {
	case ReduceMean:
		return 1 / float64(n)
	case ReduceBatchMean:
		if op != "KLDivLoss" {
			panic(fmt.Sprintf("nets: %s: batchmean is a KLDivLoss reduction", op))
		}
		if len(shape) == 0 {
			return 1
		}
		return 1 / float64(shape[0])
	}
	return 1
}

// MSELoss is nn.MSELoss: (x − y)².
func (g *Graph) MSELoss(input, target *Tensor, r Reduction) *Tensor {
	return g.pointwiseLoss("MSELoss", input, target, r, func(_ int, x, y float64) (float64, float64, float64) {
		d := x - y
		return d * d, 2 * d, -2 * d
	})
}

// SmoothL1Loss is nn.SmoothL1Loss(beta): 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere
// (β = 0 is the L1 loss).
func (g *Graph) SmoothL1Loss(input, target *Tensor, r Reduction, beta float64) *Tensor {
	if beta < 0 {
		panic(fmt.Sprintf("nets: SmoothL1Loss: beta %g < 0", beta))
	}
	return g.pointwiseLoss("SmoothL1Loss", input, target, r, func(_ int, x, y float64) (float64, float64, float64) {
		d := x - y
		if math.Abs(d) < beta {
			return 0.5 * d * d / beta, d / beta, -d / beta
		}
		s := sign(d)
		return math.Abs(d) - 0.5*beta, s, -s
	})
}

// HuberLoss is nn.HuberLoss(delta): 0.5·d² where |d| ≤ δ, δ·(|d| − 0.5·δ) elsewhere, which is
// δ·SmoothL1(β=δ). DQN's TD loss with δ = 1.
func (g *Graph) HuberLoss(input, target *Tensor, r Reduction, delta float64) *Tensor {
	if delta <= 0 {
		panic(fmt.Sprintf("nets: HuberLoss: delta %g must be positive", delta))
	}
	return g.pointwiseLoss("HuberLoss", input, target, r, func(_ int, x, y float64) (float64, float64, float64) {
		d := x - y
		if math.Abs(d) <= delta {
			return 0.5 * d * d, d, -d
		}
		s := delta * sign(d)
		return delta * (math.Abs(d) - 0.5*delta), s, -s
	})
}

// BCEOptions are the optional arguments of BCEWithLogitsLoss.
type BCEOptions struct {
	Reduction Reduction
	// Weight rescales each element's loss (weight=); it broadcasts to the input's shape. nil is 1.
	Weight *Tensor
	// PosWeight multiplies the positive term y·log σ(x) (pos_weight=); it broadcasts to the
	// input's shape, so a [C] vector weighs each class of the last dimension. nil is 1.
	PosWeight *Tensor
}

// BCEWithLogitsLoss is nn.BCEWithLogitsLoss: −w·(p·y·log σ(x) + (1−y)·log(1−σ(x))) with
// w = Weight, p = PosWeight, computed stably as PyTorch does:
// (1−y)·x + (1 + (p−1)·y)·(log(1 + e^−|x|) + max(−x, 0)).
func (g *Graph) BCEWithLogitsLoss(input, target *Tensor, o BCEOptions) *Tensor {
	var wm, pm []int
	var w, pw []float32
	if o.Weight != nil {
		wm, w = g.broadcastTo("BCEWithLogitsLoss weight", o.Weight.Shape, input.Shape), o.Weight.Data
	}
	if o.PosWeight != nil {
		pm, pw = g.broadcastTo("BCEWithLogitsLoss pos_weight", o.PosWeight.Shape, input.Shape), o.PosWeight.Data
	}
	return g.pointwiseLoss("BCEWithLogitsLoss", input, target, o.Reduction, func(i int, x, y float64) (float64, float64, float64) {
		lw := 1.0
		if pw != nil {
			lw = 1 + (float64(at(pw, pm, i))-1)*y
		}
		spNeg := math.Log1p(math.Exp(-math.Abs(x))) + math.Max(-x, 0) // softplus(−x) = −log σ(x)
		l := (1-y)*x + lw*spNeg
		sigNeg := float64(sigmoid32(float32(-x))) // σ(−x), the derivative of −softplus(−x)
		dx := (1 - y) - lw*sigNeg
		dy := -x
		if pw != nil {
			dy += (float64(at(pw, pm, i)) - 1) * spNeg
		}
		if w != nil {
			wi := float64(at(w, wm, i))
			l, dx, dy = l*wi, dx*wi, dy*wi
		}
		return l, dx, dy
	})
}

// KLDivLoss is nn.KLDivLoss: the input holds log-probabilities, the target probabilities (or
// log-probabilities when logTarget); the element loss is y·(log y − x) (0 where y = 0), or
// e^y·(y − x) with logTarget. ReduceBatchMean gives the KL divergence per sample; ReduceMean
// divides by every element, as PyTorch does.
func (g *Graph) KLDivLoss(input, target *Tensor, r Reduction, logTarget bool) *Tensor {
	return g.pointwiseLoss("KLDivLoss", input, target, r, func(_ int, x, y float64) (float64, float64, float64) {
		if logTarget {
			e := math.Exp(y)
			return e * (y - x), -e, e * (y - x + 1)
		}
		if y == 0 {
			return 0, 0, 0 // xlogy(0, 0) = 0; PyTorch's gradient w.r.t. the target there is undefined
		}
		ly := math.Log(y)
		return y * (ly - x), -y, ly + 1 - x
	})
}

// NLLOptions are the optional arguments of NLLLoss.
type NLLOptions struct {
	Reduction Reduction
	// Weight is a [C] vector of class weights (weight=); nil is all ones.
	Weight []float32
	// Ignore enables IgnoreIndex: targets equal to it contribute nothing, to the loss or to the
	// mean's denominator. PyTorch's default ignore_index=-100 only matters for targets of -100, so
	// leave Ignore false unless your targets use a marker.
	Ignore      bool
	IgnoreIndex int
}

// CrossEntropyOptions are the optional arguments of CrossEntropyLoss: those of NLLLoss and label
// smoothing.
type CrossEntropyOptions struct {
	Reduction   Reduction
	Weight      []float32 // class weights, nil for none
	Ignore      bool      // enable IgnoreIndex (see NLLOptions)
	IgnoreIndex int
	// LabelSmoothing ε in [0, 1] mixes the one-hot target with the uniform distribution:
	// loss = (1−ε)·nll + ε/C·Σ_c −w_c·log p_c.
	LabelSmoothing float64
}

// NLLLoss is nn.NLLLoss on log-probabilities [N, C] and class targets: −w[y]·input[n, y]. With
// ReduceMean the sum is divided by Σ w[y_n] over the non-ignored samples (NaN if all are
// ignored, as in PyTorch).
func (g *Graph) NLLLoss(logp *Tensor, target []int, o NLLOptions) *Tensor {
	return g.classLoss("NLLLoss", logp, target, false, CrossEntropyOptions{
		Reduction: o.Reduction, Weight: o.Weight, Ignore: o.Ignore, IgnoreIndex: o.IgnoreIndex,
	})
}

// CrossEntropyLoss is nn.CrossEntropyLoss on logits [N, C] and class targets: log_softmax and
// NLLLoss fused, with label smoothing. With ReduceMean, both the NLL and the smoothing term are
// divided by Σ w[y_n] over the non-ignored samples (their count without weights), as PyTorch ≥ 1.13
// does.
func (g *Graph) CrossEntropyLoss(logits *Tensor, target []int, o CrossEntropyOptions) *Tensor {
	return g.classLoss("CrossEntropyLoss", logits, target, true, o)
}

func (g *Graph) classLoss(op string, x *Tensor, target []int, fromLogits bool, o CrossEntropyOptions) *Tensor {
	if len(x.Shape) != 2 {
		panic(fmt.Sprintf("nets: %s: input must be [N, C], got %v", op, x.Shape))
	}
	nb, nc := x.Shape[0], x.Shape[1]
	if len(target) != nb {
		panic(fmt.Sprintf("nets: %s: %d targets for a batch of %d", op, len(target), nb))
	}
	if o.Weight != nil && len(o.Weight) != nc {
		panic(fmt.Sprintf("nets: %s: %d class weights for %d classes", op, len(o.Weight), nc))
	}
	eps := o.LabelSmoothing
	if eps < 0 || eps > 1 {
		panic(fmt.Sprintf("nets: %s: label smoothing %g outside [0, 1]", op, eps))
	}
	var out *Tensor
	switch o.Reduction {
	case ReduceNone:
		out = g.Result([]int{nb}, x)
	case ReduceMean, ReduceSum:
		out = g.Result(nil, x)
	default:
		panic(fmt.Sprintf("nets: %s: bad reduction %v", op, o.Reduction))
	}
	wsum := float64(nc) // Σ_c w_c, for the smoothing term's gradient
	if o.Weight != nil {
		wsum = 0
		for _, w := range o.Weight {
			wsum += float64(w)
		}
	}
	// logp holds log-probabilities: log_softmax of the logits, or the input itself.
	logp := x.Data
	if fromLogits {
		logp = g.floats.get(len(x.Data))
		softmaxForward(logp, x.Data, nb, nc, 1, true)
	}
	wy := g.floats.get(nb) // the weight of each sample's target, 0 when ignored
	var total, denom float64
	for n, y := range target {
		if o.Ignore && y == o.IgnoreIndex {
			continue
		}
		if y < 0 || y >= nc {
			panic(fmt.Sprintf("nets: %s: target %d out of range [0, %d)", op, y, nc))
		}
		w := 1.0
		if o.Weight != nil {
			w = float64(o.Weight[y])
		}
		wy[n] = float32(w)
		row := logp[n*nc : (n+1)*nc]
		l := -w * float64(row[y])
		if eps > 0 {
			var s float64
			for c, v := range row {
				wc := 1.0
				if o.Weight != nil {
					wc = float64(o.Weight[c])
				}
				s -= wc * float64(v)
			}
			l = (1-eps)*l + eps/float64(nc)*s
		}
		if o.Reduction == ReduceNone {
			out.Data[n] = float32(l)
		}
		total += l
		denom += w
	}
	scale := 1.0
	if o.Reduction == ReduceMean {
		scale = 1 / denom
	}
	if o.Reduction != ReduceNone {
		out.Data[0] = float32(total * scale)
	}
	if out.Grad != nil {
		recordClassLoss(g, out, x, logp, target, wy, scale, wsum, fromLogits, o)
	}
	return out
}

// recordClassLoss records the backward of classLoss (a separate function for the reason given at
// recordPointwise). With p = softmax(x), the gradient of one sample's loss w.r.t. logit c is
// (1−ε)·w_y·(p_c − [c = y]) + ε/C·(p_c·Σw − w_c).
func recordClassLoss(g *Graph, out, x *Tensor, logp []float32, target []int, wy []float32, scale, wsum float64, fromLogits bool, o CrossEntropyOptions) {
	nc := x.Shape[1]
	eps := o.LabelSmoothing
	prob := g.Floats(nc) // one row of softmax probabilities, recomputed per sample in backward
	g.Record(func() {
		for n, y := range target {
			if o.Ignore && y == o.IgnoreIndex {
				continue
			}
			w := float64(wy[n])
			up := float64(out.Grad[0]) * scale
			if o.Reduction == ReduceNone {
				up = float64(out.Grad[n])
			}
			grow := x.Grad[n*nc : (n+1)*nc]
			if !fromLogits { // d/dlogp: −w at the target
				grow[y] -= float32(up * w)
				continue
			}
			vec.Exp(prob, logp[n*nc:(n+1)*nc])
			for c := range grow {
				p := float64(prob[c])
				d := (1 - eps) * w * p
				if c == y {
					d -= (1 - eps) * w
				}
				if eps > 0 {
					wc := 1.0
					if o.Weight != nil {
						wc = float64(o.Weight[c])
					}
					d += eps / float64(nc) * (p*wsum - wc)
				}
				grow[c] += float32(up * d)
			}
		}
	})
}
