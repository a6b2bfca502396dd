package nets

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// Module is anything with learnable parameters. Params lists them under PyTorch's names relative
// to the module ("weight", "bias"; a container prefixes its children: "0.weight", "fc1.bias"), in
// the order of PyTorch's named_parameters(), so that a state dict saved from gorl loads into the
// same PyTorch architecture with load_state_dict, and the other way round.
type Module interface {
	Params() []NamedTensor
}

// Buffered is implemented by modules with non-learnable state that belongs in a checkpoint
// (BatchNorm's running_mean, running_var and num_batches_tracked), under PyTorch's buffer names.
type Buffered interface {
	Buffers() []NamedTensor
}

// Layer is a module-like step with one input and one output: what Sequential chains. Forward
// reads the train/eval mode from g (g.Training()), not from the layer, so one network serves a
// recording training graph and a non-recording inference graph at the same time.
type Layer interface {
	Forward(g *Graph, x *Tensor) *Tensor
}

// ParamsOf returns m's parameters if m is a Module, and nil otherwise (activations).
func ParamsOf(m any) []NamedTensor {
	if p, ok := m.(Module); ok {
		return p.Params()
	}
	return nil
}

// BuffersOf returns m's buffers if m is Buffered, and nil otherwise.
func BuffersOf(m any) []NamedTensor {
	if b, ok := m.(Buffered); ok {
		return b.Buffers()
	}
	return nil
}

// StateDict returns m's parameters followed by its buffers: everything a checkpoint of the model
// holds (PyTorch's state_dict()).
func StateDict(m any) []NamedTensor {
	return append(ParamsOf(m), BuffersOf(m)...)
}

// Linear is nn.Linear: y = x·Wᵀ + b with Weight [Out, In] and Bias [Out] (nil without bias).
type Linear struct {
	Weight *Tensor
	Bias   *Tensor
}

// NewLinear returns a Linear layer initialized as PyTorch initializes nn.Linear: weight from
// kaiming_uniform_(a=√5), which is U(−1/√in, 1/√in), and bias from U(−1/√in, 1/√in), drawn from
// rng (weight first, then bias).
func NewLinear(rng *rand.Rand, in, out int, bias bool) *Linear {
	l := &Linear{Weight: NewParam(out, in)}
	KaimingUniform(rng, l.Weight, Gain(GainLeakyReLU, sqrt5), FanIn)
	if bias {
		l.Bias = NewParam(out)
		bound := 0.0
		if in > 0 {
			bound = 1 / sqrtf(float64(in))
		}
		Uniform(rng, l.Bias, -bound, bound)
	}
	return l
}

// Forward applies g.Linear.
func (l *Linear) Forward(g *Graph, x *Tensor) *Tensor { return g.Linear(x, l.Weight, l.Bias) }

// Params returns "weight" and, with a bias, "bias".
func (l *Linear) Params() []NamedTensor {
	ps := []NamedTensor{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, NamedTensor{"bias", l.Bias})
	}
	return ps
}

// Sequential is nn.Sequential: its layers applied in order, its children named "0", "1", ... so
// that parameter names match PyTorch's ("0.weight", "2.bias").
type Sequential struct {
	Layers []Layer
}

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward feeds x through every layer.
func (s *Sequential) Forward(g *Graph, x *Tensor) *Tensor {
	for _, l := range s.Layers {
		x = l.Forward(g, x)
	}
	return x
}

// Params returns the parameters of every layer, prefixed with the layer's index.
func (s *Sequential) Params() []NamedTensor {
	var ps []NamedTensor
	for i, l := range s.Layers {
		ps = append(ps, Prefix(strconv.Itoa(i)+".", ParamsOf(l))...)
	}
	return ps
}

// Buffers returns the buffers of every layer, prefixed with the layer's index.
func (s *Sequential) Buffers() []NamedTensor {
	var bs []NamedTensor
	for i, l := range s.Layers {
		bs = append(bs, Prefix(strconv.Itoa(i)+".", BuffersOf(l))...)
	}
	return bs
}

// NewMLP returns the multilayer perceptron every agent uses: Linear layers between consecutive
// sizes with act after each but the last (sizes 4, 64, 64, 2 give Linear(4,64), act,
// Linear(64,64), act, Linear(64,2)), initialized as PyTorch's defaults from rng. Its parameter
// names are those of the same nn.Sequential ("0.weight", "2.weight", "4.weight").
func NewMLP(rng *rand.Rand, act Layer, sizes ...int) *Sequential {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("nets: NewMLP needs at least an input and an output size, got %v", sizes))
	}
	s := &Sequential{}
	for i := 0; i+1 < len(sizes); i++ {
		if i > 0 {
			s.Layers = append(s.Layers, act)
		}
		s.Layers = append(s.Layers, NewLinear(rng, sizes[i], sizes[i+1], true))
	}
	return s
}

var (
	_ Module = (*Linear)(nil)
	_ Layer  = (*Linear)(nil)
	_ Module = (*Sequential)(nil)
	_ Layer  = (*Sequential)(nil)
	_ Layer  = ReLU{}
	_ Layer  = Identity{}
)

// CopyParams copies src's values into dst (same names and shapes, strictly; see LoadStateDict):
// the hard target-network update of DQN, LoadStateDict(StateDict(target), StateDict(online)).
func CopyParams(dst, src []NamedTensor) error { return LoadStateDict(dst, src) }

// SoftUpdate moves every tensor of dst towards its namesake in src: dst ← τ·src + (1−τ)·dst
// (Polyak averaging of target networks, as in DDPG, TD3 and SAC; τ = 1 is a hard copy). The lists
// must have the same names and shapes in the same order, which holds for the Params of two
// networks built by the same code; it panics otherwise.
func SoftUpdate(dst, src []NamedTensor, tau float64) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("nets: SoftUpdate: %d tensors into %d", len(src), len(dst)))
	}
	t, keep := float32(tau), float32(1-tau)
	for i, d := range dst {
		s := src[i]
		if d.Name != s.Name || !sameShape(d.Tensor.Shape, s.Tensor.Shape) {
			panic(fmt.Sprintf("nets: SoftUpdate: %s %v does not match %s %v", d.Name, d.Tensor.Shape, s.Name, s.Tensor.Shape))
		}
		sd := s.Tensor.Data[:len(d.Tensor.Data)]
		for j, v := range d.Tensor.Data {
			d.Tensor.Data[j] = t*sd[j] + keep*v
		}
	}
}

// NumParams is the number of scalar values in ts.
func NumParams(ts []NamedTensor) int {
	n := 0
	for _, t := range ts {
		n += len(t.Tensor.Data)
	}
	return n
}
