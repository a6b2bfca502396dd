package nets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Initializers follow torch.nn.init. They draw from the caller's generator, so the same seed gives
// the same network; the draws are not PyTorch's bit for bit (its generator differs), but their
// distributions are.

const sqrt5 = 2.23606797749979

func sqrtf(x float64) float64 { return math.Sqrt(x) }

// FanMode picks the fan a Kaiming initializer scales by.
type FanMode int

const (
	// FanIn keeps the variance of the forward activations (PyTorch's default mode).
	FanIn FanMode = iota
	// FanOut keeps the variance of the backward gradients.
	FanOut
)

// Nonlinearity names an activation for Gain.
type Nonlinearity int

const (
	GainLinear    Nonlinearity = iota // gain 1 (also convolutions, identity)
	GainSigmoid                       // gain 1
	GainTanh                          // gain 5/3
	GainReLU                          // gain √2
	GainLeakyReLU                     // gain √(2/(1+slope²)); the param is the slope
	GainSELU                          // gain 3/4
)

// Gain is torch.nn.init.calculate_gain: the factor that keeps activations' variance through nl.
// param is the negative slope for GainLeakyReLU (PyTorch's default slope there is 0.01) and is
// ignored otherwise.
func Gain(nl Nonlinearity, param float64) float64 {
	switch nl {
	case GainLinear, GainSigmoid:
		return 1
	case GainTanh:
		return 5.0 / 3
	case GainReLU:
		return math.Sqrt2
	case GainLeakyReLU:
		return math.Sqrt(2 / (1 + param*param))
	case GainSELU:
		return 0.75
	}
	panic(fmt.Sprintf("nets: Gain: unknown nonlinearity %d", nl))
}

// Fans returns the fan-in and fan-out of a weight of the given shape as PyTorch computes them:
// shape[1] and shape[0] times the receptive field (the product of the remaining dimensions).
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("nets: fan in and fan out need a tensor of 2 or more dimensions, got %v", shape))
	}
	rf := numel(shape[2:])
	return shape[1] * rf, shape[0] * rf
}

// Uniform fills t with draws from U(lo, hi).
func Uniform(rng *rand.Rand, t *Tensor, lo, hi float64) {
	for i := range t.Data {
		t.Data[i] = float32(lo + (hi-lo)*rng.Float64())
	}
}

// Normal fills t with draws from N(mean, std²).
func Normal(rng *rand.Rand, t *Tensor, mean, std float64) {
	for i := range t.Data {
		t.Data[i] = float32(mean + std*rng.NormFloat64())
	}
}

// Constant fills t with v.
func Constant(t *Tensor, v float32) {
	for i := range t.Data {
		t.Data[i] = v
	}
}

func kaimingStd(t *Tensor, gain float64, mode FanMode) float64 {
	fi, fo := Fans(t.Shape)
	fan := fi
	if mode == FanOut {
		fan = fo
	}
	if fan == 0 {
		return 0
	}
	return gain / math.Sqrt(float64(fan))
}

// KaimingUniform is kaiming_uniform_: U(−b, b) with b = gain·√(3/fan). PyTorch's default Linear
// and Conv weight init is KaimingUniform(rng, w, Gain(GainLeakyReLU, √5), FanIn), which is
// U(−1/√fan_in, 1/√fan_in); He init for ReLU networks is Gain(GainReLU, 0).
func KaimingUniform(rng *rand.Rand, t *Tensor, gain float64, mode FanMode) {
	b := math.Sqrt(3) * kaimingStd(t, gain, mode)
	Uniform(rng, t, -b, b)
}

// KaimingNormal is kaiming_normal_: N(0, (gain/√fan)²).
func KaimingNormal(rng *rand.Rand, t *Tensor, gain float64, mode FanMode) {
	Normal(rng, t, 0, kaimingStd(t, gain, mode))
}

// XavierUniform is xavier_uniform_ (Glorot): U(−b, b) with b = gain·√(6/(fan_in+fan_out)).
func XavierUniform(rng *rand.Rand, t *Tensor, gain float64) {
	fi, fo := Fans(t.Shape)
	b := 0.0
	if fi+fo > 0 {
		b = gain * math.Sqrt(6/float64(fi+fo))
	}
	Uniform(rng, t, -b, b)
}

// XavierNormal is xavier_normal_: N(0, gain²·2/(fan_in+fan_out)).
func XavierNormal(rng *rand.Rand, t *Tensor, gain float64) {
	fi, fo := Fans(t.Shape)
	std := 0.0
	if fi+fo > 0 {
		std = gain * math.Sqrt(2/float64(fi+fo))
	}
	Normal(rng, t, 0, std)
}

// Orthogonal is orthogonal_: t viewed as [rows, cols] (rows = shape[0]) becomes gain times a
// matrix with orthonormal rows or columns (whichever are fewer), from the QR decomposition of a
// standard Gaussian matrix with the signs of R's diagonal folded into Q, which makes the result
// uniformly distributed (Haar) as in PyTorch. The initializer of CleanRL's and SB3's PPO
// (gain √2 for hidden layers, 0.01 for the policy head, 1 for the value head).
func Orthogonal(rng *rand.Rand, t *Tensor, gain float64) {
	if len(t.Shape) < 2 {
		panic(fmt.Sprintf("nets: Orthogonal needs a tensor of 2 or more dimensions, got %v", t.Shape))
	}
	rows := t.Shape[0]
	if rows == 0 || len(t.Data) == 0 {
		return
	}
	cols := len(t.Data) / rows
	m, n := rows, cols
	if rows < cols {
		m, n = cols, rows // factor the transpose, which is tall
	}
	a := mat.NewDense(m, n, nil)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := 0; j < n; j++ {
		s := sign(r.At(j, j)) * gain
		for i := 0; i < m; i++ {
			v := float32(q.At(i, j) * s)
			if rows < cols {
				t.Data[j*cols+i] = v // transpose back
			} else {
				t.Data[i*cols+j] = v
			}
		}
	}
}

// sign is torch.sign: -1, 0 or 1.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
