package nets

import "math"

// ClipGradNorm is torch.nn.utils.clip_grad_norm_: it computes the norm of all gradients of params
// taken together as one vector (normType 2 for the Euclidean norm, math.Inf(1) for the largest
// |g|, any p ≥ 1 otherwise), scales every gradient by min(1, maxNorm/(norm + 1e-6)), and returns
// the norm before clipping. The 1e-6 is PyTorch's: a norm just under maxNorm is still scaled by a
// factor slightly below 1. A NaN or infinite norm is returned as is and the gradients are scaled
// by NaN, as PyTorch does without error_if_nonfinite.
func ClipGradNorm(params []NamedTensor, maxNorm, normType float64) float64 {
	var norm float64
	switch {
	case math.IsInf(normType, 1):
		for _, p := range params {
			for _, g := range p.Tensor.Grad {
				norm = math.Max(norm, math.Abs(float64(g)))
			}
		}
	case normType == 2:
		var s float64
		for _, p := range params {
			for _, g := range p.Tensor.Grad {
				s += float64(g) * float64(g)
			}
		}
		norm = math.Sqrt(s)
	default:
		var s float64
		for _, p := range params {
			for _, g := range p.Tensor.Grad {
				s += math.Pow(math.Abs(float64(g)), normType)
			}
		}
		norm = math.Pow(s, 1/normType)
	}
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		c := float32(coef)
		for _, p := range params {
			for j := range p.Tensor.Grad {
				p.Tensor.Grad[j] *= c
			}
		}
	}
	return norm
}

// ClipGradValue is torch.nn.utils.clip_grad_value_: every gradient element is clamped to
// [−clip, clip].
func ClipGradValue(params []NamedTensor, clip float64) {
	c := float32(clip)
	for _, p := range params {
		for j, g := range p.Tensor.Grad {
			p.Tensor.Grad[j] = min(max(g, -c), c)
		}
	}
}
