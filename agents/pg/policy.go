package pg

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// netSpec is the architecture part of every algorithm's Config.
type netSpec struct {
	piArch, vfArch []int
	activation     string
	shared         bool
	orthoInit      bool
	logStdInit     float64
	critic         bool // a value head (REINFORCE without a baseline has none)
}

// actionSpec describes the action space the network's head serves.
type actionSpec struct {
	discrete  bool
	nActions  int // Discrete: the number of actions
	start     int // Discrete: the env action of index 0
	dim       int // Box: the number of action elements
	low, high []float32
}

// newActionSpec reads an action space, or returns an error naming what is not supported.
func newActionSpec(act env.Space) (actionSpec, error) {
	switch s := act.(type) {
	case env.Discrete:
		if s.N < 1 {
			return actionSpec{}, fmt.Errorf("action space %v has no actions", s)
		}
		return actionSpec{discrete: true, nActions: s.N, start: s.Start}, nil
	case *env.Box:
		if s.Dim() < 1 {
			return actionSpec{}, fmt.Errorf("action space %v has no elements", s)
		}
		return actionSpec{dim: s.Dim(), low: append([]float32(nil), s.Low...), high: append([]float32(nil), s.High...)}, nil
	}
	return actionSpec{}, fmt.Errorf("action space %v is neither Discrete nor Box (policy-gradient agents here have categorical and diagonal Gaussian policies)", act)
}

// outDim is the width of the policy head: logits or means.
func (a actionSpec) outDim() int {
	if a.discrete {
		return a.nActions
	}
	return a.dim
}

// actDim is the length of one action as the env and the rollout carry it.
func (a actionSpec) actDim() int {
	if a.discrete {
		return 1
	}
	return a.dim
}

// Check returns an error unless a policy-gradient agent can act in the spaces: a Discrete or Box
// action space and a flat observation of at least one element. It is the same for REINFORCE,
// A2C and PPO.
func Check(obs, act env.Space) error {
	if obs.Dim() < 1 {
		return fmt.Errorf("observation space %v has no elements", obs)
	}
	_, err := newActionSpec(act)
	return err
}

// actorCritic is the network of every agent here, laid out as Stable-Baselines3's
// ActorCriticPolicy so that its state dict carries SB3's names: an MLP trunk for the policy
// (mlp_extractor.policy_net) and one for the value (mlp_extractor.value_net), or one shared
// trunk (mlp_extractor.shared_net); a linear policy head (action_net: logits of a categorical
// distribution, or the means of a diagonal Gaussian whose state-independent log standard
// deviations are the parameter log_std); and a linear value head (value_net).
type actorCritic struct {
	obsDim int
	act    actionSpec

	shared, pi, vf *nets.Sequential // trunks; shared is nil unless the trunk is shared
	actionNet      *nets.Linear
	valueNet       *nets.Linear // nil without a critic
	logStd         *nets.Tensor // Box only: [dim]
}

// activationLayer returns the hidden activation named in a Config.
func activationLayer(name string) (nets.Layer, error) {
	switch name {
	case "tanh":
		return nets.Tanh{}, nil
	case "relu":
		return nets.ReLU{}, nil
	}
	return nil, fmt.Errorf("activation = %q; want tanh or relu", name)
}

// newActorCritic builds the network from rng. With orthoInit every weight is orthogonal (gain √2
// in the trunks, 0.01 in the policy head, 1 in the value head) and every bias zero, as SB3 and
// CleanRL initialize PPO and A2C; otherwise PyTorch's default Linear initialization.
func newActorCritic(rng *rand.Rand, obsDim int, act actionSpec, spec netSpec) (*actorCritic, error) {
	actLayer, err := activationLayer(spec.activation)
	if err != nil {
		return nil, err
	}
	trunk := func(arch []int) (*nets.Sequential, int) {
		s := &nets.Sequential{}
		in := obsDim
		for _, h := range arch {
			s.Layers = append(s.Layers, nets.NewLinear(rng, in, h, true), actLayer)
			in = h
		}
		return s, in
	}
	n := &actorCritic{obsDim: obsDim, act: act}
	var piOut, vfOut int
	if spec.shared {
		n.shared, piOut = trunk(spec.piArch)
		vfOut = piOut
	} else {
		n.pi, piOut = trunk(spec.piArch)
		if spec.critic {
			n.vf, vfOut = trunk(spec.vfArch)
		}
	}
	n.actionNet = nets.NewLinear(rng, piOut, act.outDim(), true)
	if spec.critic {
		n.valueNet = nets.NewLinear(rng, vfOut, 1, true)
	}
	if !act.discrete {
		n.logStd = nets.NewParam(act.dim)
		nets.Constant(n.logStd, float32(spec.logStdInit))
	}
	if spec.orthoInit {
		for _, t := range []*nets.Sequential{n.shared, n.pi, n.vf} {
			if t != nil {
				for _, l := range t.Layers {
					if lin, ok := l.(*nets.Linear); ok {
						orthoLinear(rng, lin, math.Sqrt2)
					}
				}
			}
		}
		orthoLinear(rng, n.actionNet, 0.01)
		if n.valueNet != nil {
			orthoLinear(rng, n.valueNet, 1)
		}
	}
	return n, nil
}

// orthoLinear is SB3's init_weights: an orthogonal weight with the gain and a zero bias.
func orthoLinear(rng *rand.Rand, l *nets.Linear, gain float64) {
	nets.Orthogonal(rng, l.Weight, gain)
	if l.Bias != nil {
		clear(l.Bias.Data)
	}
}

// Params names and orders the parameters as SB3's ActorCriticPolicy.state_dict() does (its
// features extractor, a Flatten, has none), so that policy.safetensors loads into an SB3 policy
// of the same architecture with load_state_dict.
func (n *actorCritic) Params() []nets.NamedTensor {
	var ps []nets.NamedTensor
	if n.logStd != nil { // a parameter of the policy module itself: first in PyTorch's order
		ps = append(ps, nets.NamedTensor{Name: "log_std", Tensor: n.logStd})
	}
	if n.shared != nil {
		ps = append(ps, nets.Prefix("mlp_extractor.shared_net.", n.shared.Params())...)
	}
	if n.pi != nil {
		ps = append(ps, nets.Prefix("mlp_extractor.policy_net.", n.pi.Params())...)
	}
	if n.vf != nil {
		ps = append(ps, nets.Prefix("mlp_extractor.value_net.", n.vf.Params())...)
	}
	ps = append(ps, nets.Prefix("action_net.", n.actionNet.Params())...)
	if n.valueNet != nil {
		ps = append(ps, nets.Prefix("value_net.", n.valueNet.Params())...)
	}
	return ps
}

// forward runs the observations x [B, obsDim] through the network: the policy head's output
// [B, outDim] (logits or means) when wantPi, and the values [B] when wantV (nil otherwise).
func (n *actorCritic) forward(g *nets.Graph, x *nets.Tensor, wantPi, wantV bool) (pi, v *nets.Tensor) {
	if n.shared != nil {
		h := n.shared.Forward(g, x)
		if wantPi {
			pi = n.actionNet.Forward(g, h)
		}
		if wantV {
			v = n.valueNet.Forward(g, h)
		}
	} else {
		if wantPi {
			pi = n.actionNet.Forward(g, n.pi.Forward(g, x))
		}
		if wantV {
			v = n.valueNet.Forward(g, n.vf.Forward(g, x))
		}
	}
	if v != nil {
		v = g.View(v, v.Shape[0])
	}
	return pi, v
}

// --- distributions: sampling outside the graph, log-probabilities and entropies on it ---------

// log2Pi is log(2π).
var log2Pi = math.Log(2 * math.Pi)

// sampleCategorical draws an action index from the logits of one row by inversion of the CDF
// with one uniform draw, and returns it with its log-probability (computed in float64).
func sampleCategorical(rng *rand.Rand, logits []float32) (int, float32) {
	m := logits[0]
	for _, v := range logits[1:] {
		m = max(m, v)
	}
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v - m))
	}
	u := rng.Float64() * z
	k := len(logits) - 1
	var c float64
	for i, v := range logits {
		c += math.Exp(float64(v - m))
		if u < c {
			k = i
			break
		}
	}
	return k, float32(float64(logits[k]-m) - math.Log(z))
}

// sampleGaussian draws a = μ + σ·ε for one row into a (ε standard normal, σ = exp(logStd)) and
// returns log N(a; μ, σ²) summed over the elements (computed in float64).
func sampleGaussian(rng *rand.Rand, mean, logStd, a []float32) float32 {
	var lp float64
	for j, mu := range mean {
		ls := float64(logStd[j])
		eps := rng.NormFloat64()
		a[j] = float32(float64(mu) + math.Exp(ls)*eps)
		z := (float64(a[j]) - float64(mu)) / math.Exp(ls)
		lp += -0.5*z*z - ls - 0.5*log2Pi
	}
	return float32(lp)
}

// categoricalLogProb returns log π(a|s) [B] of the action indices and the entropy
// H = −Σ_k p_k log p_k [B] of each row of logits [B, n], as one op: the row's log-sum-exp is
// computed once (in float64) and kept for the backward, which is
//
//	∂log p_a/∂l_j = [j = a] − p_j        ∂H/∂l_j = −p_j·(log p_j + H)
//
// (the composition LogSoftmax, Gather, Exp, Mul, SumAxis gives the same values at several times
// the cost, which matters with two or three actions and tens of thousands of rows per update).
func categoricalLogProb(g *nets.Graph, logits *nets.Tensor, actions []int) (logp, entropy *nets.Tensor) {
	if len(logits.Shape) != 2 || len(actions) != logits.Shape[0] {
		panic(fmt.Sprintf("pg: categoricalLogProb of logits %v with %d actions; want [B, n] and B actions", logits.Shape, len(actions)))
	}
	rows, n := logits.Shape[0], logits.Shape[1]
	logp = g.Result(logits.Shape[:1], logits)
	entropy = g.Result(logits.Shape[:1], logits)
	lp := g.Floats(rows * n) // log p of every action, for the backward
	ps := g.Floats(rows * n) // p of every action
	for r := range rows {
		l := logits.Data[r*n : (r+1)*n]
		m := l[0]
		for _, v := range l[1:] {
			m = max(m, v)
		}
		prow, lrow := ps[r*n:(r+1)*n], lp[r*n:(r+1)*n]
		var z float64
		for j, v := range l {
			e := math.Exp(float64(v - m))
			prow[j] = float32(e)
			z += e
		}
		logZ := math.Log(z)
		var h float64
		for j, v := range l {
			lj := float64(v-m) - logZ
			pj := float64(prow[j]) / z
			prow[j], lrow[j] = float32(pj), float32(lj)
			h -= pj * lj
		}
		a := actions[r]
		if a < 0 || a >= n {
			panic(fmt.Sprintf("pg: categoricalLogProb: action %d out of range [0, %d)", a, n))
		}
		logp.Data[r] = lrow[a]
		entropy.Data[r] = float32(h)
	}
	if logp.Grad != nil {
		recordCategorical(g, logits, logp, entropy, lp, ps, actions)
	}
	return logp, entropy
}

// recordCategorical records categoricalLogProb's backward (in a helper, so that the forward's
// variables stay on the stack when nothing records).
func recordCategorical(g *nets.Graph, logits, logp, entropy *nets.Tensor, lp, ps []float32, actions []int) {
	n := logits.Shape[1]
	g.Record(func() {
		for r, a := range actions {
			dl, dh := logp.Grad[r], entropy.Grad[r]
			h := entropy.Data[r]
			lrow, prow := lp[r*n:(r+1)*n], ps[r*n:(r+1)*n]
			grad := logits.Grad[r*n : (r+1)*n]
			for j, lj := range lrow {
				p := prow[j]
				d := -dl*p - dh*p*(lj+h)
				if j == a {
					d += dl
				}
				grad[j] += d
			}
		}
	})
}

// gaussianLogProb returns log N(a; μ, diag σ²) [B] of the actions a [B, d] under the means
// [B, d] and the log standard deviations logStd [d]:
//
//	log p = −½ Σ_j ((a_j − μ_j)/σ_j)² − Σ_j log σ_j − (d/2) log 2π
//
// and the entropy Σ_j (½ + ½ log 2π + log σ_j), the same for every row (a scalar).
func gaussianLogProb(g *nets.Graph, mean, logStd, actions *nets.Tensor) (logp, entropy *nets.Tensor) {
	d := float32(logStd.Shape[0])
	z := g.Mul(g.Sub(actions, mean), g.Exp(g.Neg(logStd)))
	sumLogStd := g.Sum(logStd)
	logp = g.Sub(g.Scale(g.SumAxis(g.Square(z), 1, false), -0.5), g.AddScalar(sumLogStd, d*float32(0.5*log2Pi)))
	entropy = g.AddScalar(sumLogStd, d*float32(0.5+0.5*log2Pi))
	return logp, entropy
}

// --- the deterministic policy ------------------------------------------------------------------

// Policy is a trained agent's deterministic policy: the network and the frozen observation
// normalization it was trained with. Act takes raw observations from the env, normalizes them
// with the saved statistics (clipped as in training), or one-hot encodes Discrete and
// MultiDiscrete ones, and returns the mode of the action
// distribution: the most probable action for Discrete, the mean clipped to the bounds for Box.
// Every trainer embeds one (acting with the live statistics, without updating them), and
// LoadPolicy returns one for evaluation and the viewer. It allocates nothing per call and is not
// safe for concurrent use.
type Policy struct {
	net  *actorCritic
	norm *normalizer // observation preprocessing: normalization or one-hot encoding

	g     *nets.Graph
	in    *nets.Tensor // [1, obsDim]
	probs []float64
}

// newPolicy wraps a network and its normalizer.
func newPolicy(net *actorCritic, norm *normalizer) *Policy {
	return &Policy{net: net, norm: norm, g: nets.NewInference(), in: nets.New(1, net.obsDim), probs: make([]float64, net.act.outDim())}
}

// forward1 runs one observation through the network; the results are valid until the next call.
func (p *Policy) forward1(obs []float32, wantPi, wantV bool) (pi, v *nets.Tensor) {
	if len(obs) != p.norm.rawDim {
		panic(fmt.Sprintf("pg: observation of %d elements; the policy takes %d", len(obs), p.norm.rawDim))
	}
	p.norm.normalizeObs(p.in.Data, obs)
	p.g.Reset()
	return p.net.forward(p.g, p.in, wantPi, wantV)
}

// Act writes the deterministic action for one raw observation: the argmax of the logits
// (Discrete, as the env action Start+index) or the mean clipped to the action bounds (Box).
func (p *Policy) Act(obs, action []float32) {
	out, _ := p.forward1(obs, true, false)
	a := p.net.act
	if a.discrete {
		action[0] = float32(a.start + nets.Argmax(out.Data))
		return
	}
	clipAction(action, out.Data, a.low, a.high)
}

// ActionProbs writes the probability of every action (softmax of the logits) for one raw
// observation into dst (len = number of actions): the viewer's HUD. A Gaussian policy over a Box
// action space has no probabilities to show; there ActionProbs leaves dst unchanged.
func (p *Policy) ActionProbs(obs, dst []float32) {
	if !p.net.act.discrete {
		return
	}
	out, _ := p.forward1(obs, true, false)
	m := out.Data[0]
	for _, v := range out.Data[1:] {
		m = max(m, v)
	}
	var z float64
	for i, v := range out.Data {
		p.probs[i] = math.Exp(float64(v - m))
		z += p.probs[i]
	}
	for i := range dst[:len(out.Data)] {
		dst[i] = float32(p.probs[i] / z)
	}
}

// Value returns the critic's estimate V(obs) for one raw observation, in the units of the
// rewards it was trained on (normalized rewards when norm_reward is on). Without a critic
// (REINFORCE without a baseline) it returns 0.
func (p *Policy) Value(obs []float32) float32 {
	if p.net.valueNet == nil {
		return 0
	}
	_, v := p.forward1(obs, false, true)
	return v.Data[0]
}

// clipAction writes x limited to [low, high] element by element into dst (NaN stays NaN, so
// that the env reports it).
func clipAction(dst, x, low, high []float32) {
	for j, v := range x {
		if v < low[j] {
			v = low[j]
		} else if v > high[j] {
			v = high[j]
		}
		dst[j] = v
	}
}

var (
	_ nets.Module = (*actorCritic)(nil)
)
