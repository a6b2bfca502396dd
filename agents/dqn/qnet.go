package dqn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorl/gorl/nets"
)

// qnet maps a batch of observations [B, obsDim] to action values [B, nActions]: an MLP, or with
// Dueling a shared trunk feeding a value head V and an advantage head A combined as
// Q = V + A − mean(A) (Wang et al., 2016, "Dueling Network Architectures").
type qnet struct {
	mlp *nets.Sequential // plain: Linear/act/.../Linear; dueling: the trunk, act after every Linear

	value, advantage *nets.Linear // dueling heads
}

// activation returns the layer named by Config.Activation.
func activation(name string) (nets.Layer, error) {
	switch name {
	case "relu":
		return reluLayer{}, nil
	case "tanh":
		return tanhLayer{}, nil
	}
	return nil, fmt.Errorf("activation %q: want relu or tanh", name)
}

type reluLayer struct{}

func (reluLayer) Forward(g *nets.Graph, x *nets.Tensor) *nets.Tensor { return g.ReLU(x) }

type tanhLayer struct{}

func (tanhLayer) Forward(g *nets.Graph, x *nets.Tensor) *nets.Tensor { return g.Tanh(x) }

// newQNet builds the network with PyTorch's default initialization from rng.
func newQNet(rng *rand.Rand, obsDim, nActions int, arch []int, act nets.Layer, dueling bool) *qnet {
	if !dueling {
		sizes := append(append([]int{obsDim}, arch...), nActions)
		return &qnet{mlp: nets.NewMLP(rng, act, sizes...)}
	}
	trunk := &nets.Sequential{}
	in := obsDim
	for _, h := range arch {
		trunk.Layers = append(trunk.Layers, nets.NewLinear(rng, in, h, true), act)
		in = h
	}
	return &qnet{mlp: trunk, value: nets.NewLinear(rng, in, 1, true), advantage: nets.NewLinear(rng, in, nActions, true)}
}

// Forward returns Q for the observations x [B, obsDim].
func (q *qnet) Forward(g *nets.Graph, x *nets.Tensor) *nets.Tensor {
	h := q.mlp.Forward(g, x)
	if q.value == nil {
		return h
	}
	v := q.value.Forward(g, h)
	a := q.advantage.Forward(g, h)
	return g.Add(v, g.Sub(a, g.MeanAxis(a, 1, true)))
}

// Params names the parameters as the same PyTorch module would: the plain network as an
// nn.Sequential ("0.weight", "2.weight", ...), the dueling one as a module with children trunk,
// value and advantage.
func (q *qnet) Params() []nets.NamedTensor {
	if q.value == nil {
		return q.mlp.Params()
	}
	ps := nets.Prefix("trunk.", q.mlp.Params())
	ps = append(ps, nets.Prefix("value.", q.value.Params())...)
	return append(ps, nets.Prefix("advantage.", q.advantage.Params())...)
}

var (
	_ nets.Module = (*qnet)(nil)
	_ nets.Layer  = (*qnet)(nil)
)
