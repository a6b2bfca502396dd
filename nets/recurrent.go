package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/gorl/gorl/nets/internal/gemm"
	"github.com/gorl/gorl/nets/internal/vec"
)

// Recurrent layers: nn.RNN (tanh or relu), nn.LSTM and nn.GRU, with several stacked layers,
// batch-first or time-major sequences, optional biases, initial states, every step's output and
// the final states, under PyTorch's parameter names and layouts.
//
// One Forward is one op on the tape: the forward pass runs layer by layer, and for each layer
//
//  1. one GEMM projects the inputs of all time steps at once (x·W_ihᵀ for T·B rows; for one-hot
//     inputs, ForwardIndex gathers columns of W_ih instead, which is the same result),
//  2. then, step by step, one GEMM adds the recurrent part h_{t−1}·W_hhᵀ and one fused pass over
//     the step's B rows applies the gate nonlinearities (vec's AVX2 sigmoid and tanh) and the
//     cell update.
//
// Internally sequences are time-major ([T, B, ·]), so that the rows of one step are contiguous;
// batch-first inputs and outputs are transposed once at the edges. Everything the backward pass
// needs (gate activations, cell states, every h) is kept in the graph's arena, and backpropagation
// through time mirrors the forward: step by step from the last, one GEMM a step for the gradient
// reaching h_{t−1}, then one GEMM each for dW_ih, dW_hh and the input gradient over all steps.
// A non-recording graph keeps nothing and allocates nothing once warm.

// CellKind selects the recurrence of a Recurrent layer.
type CellKind int

const (
	// CellRNNTanh is nn.RNN(nonlinearity="tanh"): h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh).
	CellRNNTanh CellKind = iota
	// CellRNNReLU is nn.RNN(nonlinearity="relu"): the same with max(·, 0).
	CellRNNReLU
	// CellLSTM is nn.LSTM: gates i, f, g, o (rows of W in that order), c_t = f·c_{t−1} + i·g,
	// h_t = o·tanh(c_t).
	CellLSTM
	// CellGRU is nn.GRU: gates r, z, n, n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)),
	// h_t = (1 − z)·n + z·h_{t−1}.
	CellGRU
)

// String returns PyTorch's mode name: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU".
func (k CellKind) String() string {
	switch k {
	case CellRNNTanh:
		return "RNN_TANH"
	case CellRNNReLU:
		return "RNN_RELU"
	case CellLSTM:
		return "LSTM"
	case CellGRU:
		return "GRU"
	}
	return "CellKind(" + strconv.Itoa(int(k)) + ")"
}

// Gates is the number of H-row blocks in the layer's weights: 1 (RNN), 4 (LSTM) or 3 (GRU).
func (k CellKind) Gates() int {
	switch k {
	case CellLSTM:
		return 4
	case CellGRU:
		return 3
	}
	return 1
}

// RecurrentConfig holds the constructor arguments of nn.RNN, nn.LSTM and nn.GRU that gorl
// supports (no dropout between layers, not bidirectional, no LSTM projection).
type RecurrentConfig struct {
	// InputSize is the number of features of each time step's input (input_size).
	InputSize int
	// HiddenSize is H, the size of the hidden (and LSTM cell) state (hidden_size).
	HiddenSize int
	// NumLayers stacks layers, each taking the previous one's outputs as input (num_layers).
	// 0 means 1, PyTorch's default.
	NumLayers int
	// NoBias is PyTorch's bias=False: the layers have no bias_ih_l{k} and bias_hh_l{k}.
	NoBias bool
	// BatchFirst is PyTorch's batch_first: inputs and outputs are [batch, seq, feature] instead of
	// [seq, batch, feature]. The states are [num_layers, batch, H] either way, as in PyTorch.
	BatchFirst bool
	// Nonlinearity is NewRNN's activation: "tanh" (the default, also when empty) or "relu".
	// NewLSTM and NewGRU reject anything but "".
	Nonlinearity string
}

// Recurrent is a stack of recurrent layers: nn.RNN, nn.LSTM or nn.GRU, built by NewRNN, NewLSTM
// or NewGRU. Its tensors follow PyTorch's state dict (weight_ih_l0 [G·H, in] and so on; see
// Params), so a checkpoint loads into the same PyTorch module.
//
// Forward runs whole sequences (training, evaluation); ForwardIndex does the same for one-hot
// inputs given as indices (a character model), without materializing the one-hot vectors; Step
// and StepIndex advance a carried state by one time step (sampling, acting with a recurrent
// policy) without allocating.
type Recurrent struct {
	Cell       CellKind
	InputSize  int
	HiddenSize int
	BatchFirst bool
	// Layers holds the weights of each stacked layer; the number of layers is len(Layers).
	Layers []RecurrentWeights
}

// RecurrentWeights are one layer's tensors. The G·H rows are G blocks of H rows, one per gate in
// PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
type RecurrentWeights struct {
	WeightIH *Tensor // [G·H, in]: in is InputSize for layer 0 and H above
	WeightHH *Tensor // [G·H, H]
	BiasIH   *Tensor // [G·H], nil without bias
	BiasHH   *Tensor // [G·H], nil without bias; both biases are added, as in PyTorch (cuDNN's layout)
}

// RecurrentState is the hidden state of a Recurrent stack: H [num_layers, batch, hidden] and, for
// an LSTM, the cell state C of the same shape. A nil H or C stands for zeros. For unbatched
// sequences (Forward on a 2-D input) the batch axis is absent: [num_layers, hidden].
type RecurrentState struct {
	H, C *Tensor
}

// NewRNN returns nn.RNN(cfg.InputSize, cfg.HiddenSize, ...) with cfg.Nonlinearity "tanh" (or "")
// or "relu", initialized as PyTorch does (see NewLSTM).
func NewRNN(rng *rand.Rand, cfg RecurrentConfig) *Recurrent {
	kind := CellRNNTanh
	switch cfg.Nonlinearity {
	case "", "tanh":
	case "relu":
		kind = CellRNNReLU
	default:
		panic(fmt.Sprintf("nets: NewRNN: nonlinearity %q is neither \"tanh\" nor \"relu\"", cfg.Nonlinearity))
	}
	return newRecurrent(rng, kind, cfg)
}

// NewLSTM returns nn.LSTM(cfg.InputSize, cfg.HiddenSize, ...) initialized as PyTorch initializes
// every recurrent layer: each weight and bias from U(−1/√H, 1/√H), drawn from rng in the order of
// Params.
func NewLSTM(rng *rand.Rand, cfg RecurrentConfig) *Recurrent {
	return newRecurrent(rng, CellLSTM, cfg)
}

// NewGRU returns nn.GRU(cfg.InputSize, cfg.HiddenSize, ...) initialized as PyTorch does (see
// NewLSTM).
func NewGRU(rng *rand.Rand, cfg RecurrentConfig) *Recurrent {
	return newRecurrent(rng, CellGRU, cfg)
}

func newRecurrent(rng *rand.Rand, kind CellKind, cfg RecurrentConfig) *Recurrent {
	layers := cfg.NumLayers
	if layers == 0 {
		layers = 1
	}
	if cfg.InputSize <= 0 || cfg.HiddenSize <= 0 || layers < 0 {
		panic(fmt.Sprintf("nets: New%s: input size %d, hidden size %d and %d layers: all must be positive",
			kind.module(), cfg.InputSize, cfg.HiddenSize, cfg.NumLayers))
	}
	if kind != CellRNNTanh && kind != CellRNNReLU && cfg.Nonlinearity != "" {
		panic(fmt.Sprintf("nets: New%s: Nonlinearity %q applies to NewRNN only", kind.module(), cfg.Nonlinearity))
	}
	r := &Recurrent{Cell: kind, InputSize: cfg.InputSize, HiddenSize: cfg.HiddenSize, BatchFirst: cfg.BatchFirst,
		Layers: make([]RecurrentWeights, layers)}
	gh, h := kind.Gates()*cfg.HiddenSize, cfg.HiddenSize
	bound := 1 / math.Sqrt(float64(h))
	for l := range r.Layers {
		in := h
		if l == 0 {
			in = cfg.InputSize
		}
		w := &r.Layers[l]
		w.WeightIH, w.WeightHH = NewParam(gh, in), NewParam(gh, h)
		if !cfg.NoBias {
			w.BiasIH, w.BiasHH = NewParam(gh), NewParam(gh)
		}
	}
	for _, p := range r.Params() {
		Uniform(rng, p.Tensor, -bound, bound)
	}
	return r
}

// module is the PyTorch class name of the kind.
func (k CellKind) module() string {
	switch k {
	case CellLSTM:
		return "LSTM"
	case CellGRU:
		return "GRU"
	}
	return "RNN"
}

// Params returns, for each layer k, weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k} and
// bias_hh_l{k} (the last two only with biases): the names and order of PyTorch's
// named_parameters().
func (r *Recurrent) Params() []NamedTensor {
	var ps []NamedTensor
	for l, w := range r.Layers {
		s := strconv.Itoa(l)
		ps = append(ps, NamedTensor{"weight_ih_l" + s, w.WeightIH}, NamedTensor{"weight_hh_l" + s, w.WeightHH})
		if w.BiasIH != nil {
			ps = append(ps, NamedTensor{"bias_ih_l" + s, w.BiasIH}, NamedTensor{"bias_hh_l" + s, w.BiasHH})
		}
	}
	return ps
}

var _ Module = (*Recurrent)(nil)

// NumLayers is the number of stacked layers.
func (r *Recurrent) NumLayers() int { return len(r.Layers) }

// Forward runs the stack over a sequence: x is [batch, seq, InputSize] with BatchFirst, else
// [seq, batch, InputSize], or unbatched [seq, InputSize]. s holds the initial states h0 (and c0
// for an LSTM), [num_layers, batch, H] ([num_layers, H] unbatched); nil ones are zeros. It
// returns the last layer's hidden state at every step, [batch, seq, H] with BatchFirst, else
// [seq, batch, H] ([seq, H] unbatched), and the final states h_n (and c_n) of every layer, shaped
// as s. As PyTorch's `out, (h_n, c_n) = lstm(x, (h0, c0))`.
//
// On a recording graph gradients flow to x, to the parameters and to s.H and s.C when they have a
// Grad (training from stored states: a recurrent policy's PPO update from the rollout's states).
func (r *Recurrent) Forward(g *Graph, x *Tensor, s RecurrentState) (*Tensor, RecurrentState) {
	var B, T int
	mode := rnnSeq
	switch {
	case len(x.Shape) == 3 && r.BatchFirst:
		B, T = x.Shape[0], x.Shape[1]
	case len(x.Shape) == 3:
		T, B = x.Shape[0], x.Shape[1]
	case len(x.Shape) == 2:
		T, B, mode = x.Shape[0], 1, rnnUnbatched
	default:
		panic(fmt.Sprintf("nets: %s: input must be [batch, seq, features], [seq, batch, features] or [seq, features], got %s",
			r.Cell.module(), shapeStr(x.Shape)))
	}
	if x.Shape[len(x.Shape)-1] != r.InputSize {
		panic(fmt.Sprintf("nets: %s: input %s has %d features per step, the layer takes %d",
			r.Cell.module(), shapeStr(x.Shape), x.Shape[len(x.Shape)-1], r.InputSize))
	}
	return r.forward(g, x, nil, B, T, mode, s)
}

// ForwardIndex is Forward on one-hot inputs given by their indices: idx holds batch·seq indices in
// [0, InputSize), laid out [batch, seq] with BatchFirst, else [seq, batch]. The first layer's input
// projection then picks columns of weight_ih_l0 instead of multiplying by one-hot rows, and its
// gradient adds into those columns: this skips the multiply-adds by zeros (7% of the arithmetic of
// a training step of the 2×256 char-LSTM over 96 characters; 5-15% of its CPU time measured) and
// gives the same numbers: the forward values are bit-identical to Forward(g, one-hot(idx), s), the
// gradients equal up to the order of float32 summation.
func (r *Recurrent) ForwardIndex(g *Graph, idx []int, batch, seq int, s RecurrentState) (*Tensor, RecurrentState) {
	if batch*seq != len(idx) || batch <= 0 || seq <= 0 {
		panic(fmt.Sprintf("nets: %s: ForwardIndex: %d indices for batch %d and sequence %d", r.Cell.module(), len(idx), batch, seq))
	}
	return r.forward(g, nil, idx, batch, seq, rnnSeq, s)
}

// NewState returns a zero state for batch sequences, owned by the caller (it survives
// Graph.Reset): the state that Step and StepIndex carry from one time step to the next.
func (r *Recurrent) NewState(batch int) *RecurrentState {
	s := &RecurrentState{H: New(len(r.Layers), batch, r.HiddenSize)}
	if r.Cell == CellLSTM {
		s.C = New(len(r.Layers), batch, r.HiddenSize)
	}
	return s
}

// Reset zeroes batch entry b of the state in every layer: a new episode (or text) starts there
// while the other entries go on.
func (s *RecurrentState) Reset(b int) {
	for _, t := range [2]*Tensor{s.H, s.C} {
		if t == nil {
			continue
		}
		if len(t.Shape) != 3 || b < 0 || b >= t.Shape[1] {
			panic(fmt.Sprintf("nets: RecurrentState.Reset: entry %d of a state of shape %s", b, shapeStr(t.Shape)))
		}
		batch, h := t.Shape[1], t.Shape[2]
		for l := 0; l < t.Shape[0]; l++ {
			clear(t.Data[(l*batch+b)*h : (l*batch+b+1)*h])
		}
	}
}

// Step advances s by one time step on input x [batch, InputSize] and returns the last layer's new
// hidden state [batch, H] (an arena tensor, valid until g.Reset). s (from NewState) is updated in
// place. On a non-recording graph it allocates nothing once warm: the loop of char-RNN sampling
// and of acting with a recurrent policy. On a recording graph the returned tensor has gradients
// with respect to x and the parameters, with the carried state treated as a constant (the
// gradient does not flow into earlier steps; Forward on a sequence backpropagates through time).
func (r *Recurrent) Step(g *Graph, x *Tensor, s *RecurrentState) *Tensor {
	if len(x.Shape) != 2 || x.Shape[1] != r.InputSize {
		panic(fmt.Sprintf("nets: %s: Step: input must be [batch, %d], got %s", r.Cell.module(), r.InputSize, shapeStr(x.Shape)))
	}
	return r.step(g, x, nil, x.Shape[0], s)
}

// StepIndex is Step on one-hot inputs given by their indices (one per batch entry, in
// [0, InputSize)): the next character of every sequence being sampled.
func (r *Recurrent) StepIndex(g *Graph, idx []int, s *RecurrentState) *Tensor {
	if len(idx) == 0 {
		panic(fmt.Sprintf("nets: %s: StepIndex: no indices", r.Cell.module()))
	}
	return r.step(g, nil, idx, len(idx), s)
}

func (r *Recurrent) step(g *Graph, x *Tensor, idx []int, batch int, s *RecurrentState) *Tensor {
	if s == nil || s.H == nil || (r.Cell == CellLSTM) != (s.C != nil) {
		panic(fmt.Sprintf("nets: %s: Step needs a state from NewState", r.Cell.module()))
	}
	out, last := r.forward(g, x, idx, batch, 1, rnnStep, *s)
	// The forward copied the old state into its arena (the backward reads that copy), so the
	// caller's buffers can take the new one.
	copy(s.H.Data, last.H.Data)
	if s.C != nil {
		copy(s.C.Data, last.C.Data)
	}
	return out
}

// rnnMode is the shape convention of a forward call.
type rnnMode int

const (
	rnnSeq       rnnMode = iota // sequences [B,T,·] or [T,B,·], states [L,B,H]
	rnnUnbatched                // one sequence [T,·], states [L,H]
	rnnStep                     // one step [B,·], states [L,B,H]
)

// forward runs the stack on dense inputs x or on one-hot indices idx (x == nil).
func (r *Recurrent) forward(g *Graph, x *Tensor, idx []int, B, T int, mode rnnMode, s RecurrentState) (*Tensor, RecurrentState) {
	L, H := len(r.Layers), r.HiddenSize
	if B <= 0 || T <= 0 {
		panic(fmt.Sprintf("nets: %s: empty input (batch %d, sequence %d)", r.Cell.module(), B, T))
	}
	if L == 0 {
		panic(fmt.Sprintf("nets: %s: no layers", r.Cell.module()))
	}
	var sbuf [3]int
	sshape := sbuf[:3]
	sshape[0], sshape[1], sshape[2] = L, B, H
	if mode == rnnUnbatched {
		sshape = sbuf[:2]
		sshape[1] = H
	}
	r.checkState("h0", s.H, sshape)
	if s.C != nil && r.Cell != CellLSTM {
		panic(fmt.Sprintf("nets: %s: a cell state c0 was given; only an LSTM has one", r.Cell.module()))
	}
	r.checkState("c0", s.C, sshape)

	rec := g.Recording() && ((x != nil && x.Grad != nil) || (s.H != nil && s.H.Grad != nil) || (s.C != nil && s.C.Grad != nil))
	for i := range r.Layers {
		w := &r.Layers[i]
		if !g.Recording() || rec {
			break
		}
		rec = w.WeightIH.Grad != nil || w.WeightHH.Grad != nil || (w.BiasIH != nil && (w.BiasIH.Grad != nil || w.BiasHH.Grad != nil))
	}

	// Time-major inputs. A batch-first layout differs from it only when B > 1 and T > 1.
	swap := r.BatchFirst && B > 1 && T > 1 && mode == rnnSeq
	var in []float32
	var tidx []int
	if x != nil {
		in = x.Data
		if swap {
			in = g.floats.getDirty(len(x.Data))
			swap01(in, x.Data, B, T, r.InputSize)
		}
	} else {
		tidx = idx
		if swap {
			tidx = g.Ints(len(idx))
			for b := 0; b < B; b++ {
				for t := 0; t < T; t++ {
					tidx[t*B+b] = idx[b*T+t]
				}
			}
		}
		for _, k := range tidx {
			if k < 0 || k >= r.InputSize {
				panic(fmt.Sprintf("nets: %s: index %d out of range [0, %d)", r.Cell.module(), k, r.InputSize))
			}
		}
	}

	var tp *rnnTape
	if rec {
		tp = &rnnTape{r: r, g: g, B: B, T: T, swap: swap, x: x, h0: s.H, c0: s.C, layers: make([]rnnLayer, L)}
	}
	BH := B * H
	// Every element of out, hn and cn is written below: their buffers skip the arena's zeroing.
	var hn, cn *Tensor
	hn = g.resultDirty(sshape)
	if r.Cell == CellLSTM {
		cn = g.resultDirty(sshape)
	}
	inSize := r.InputSize
	for l := range r.Layers {
		var h0, c0 []float32
		if s.H != nil {
			h0 = s.H.Data[l*BH : (l+1)*BH]
		}
		if s.C != nil {
			c0 = s.C.Data[l*BH : (l+1)*BH]
		}
		ly := r.layerForward(g, l, in, tidx, inSize, B, T, h0, c0, rec)
		copy(hn.Data[l*BH:(l+1)*BH], ly.hs[T*BH:])
		if cn != nil {
			copy(cn.Data[l*BH:(l+1)*BH], ly.cs[T*BH:])
		}
		if rec {
			tp.layers[l] = ly
		}
		in, tidx, inSize = ly.hs[BH:], nil, H
	}

	// The last layer's outputs in the caller's layout.
	var obuf [3]int
	oshape := obuf[:3]
	switch {
	case mode == rnnStep:
		oshape = obuf[:2]
		oshape[0], oshape[1] = B, H
	case mode == rnnUnbatched:
		oshape = obuf[:2]
		oshape[0], oshape[1] = T, H
	case r.BatchFirst:
		oshape[0], oshape[1], oshape[2] = B, T, H
	default:
		oshape[0], oshape[1], oshape[2] = T, B, H
	}
	out := g.resultDirty(oshape)
	if swap {
		swap01(out.Data, in, T, B, H)
	} else {
		copy(out.Data, in)
	}
	if rec {
		out.Grad, hn.Grad = g.Floats(len(out.Data)), g.Floats(len(hn.Data))
		if cn != nil {
			cn.Grad = g.Floats(len(cn.Data))
		}
		tp.out, tp.hn, tp.cn = out, hn, cn
		g.Record(tp.backward)
	}
	return out, RecurrentState{H: hn, C: cn}
}

func (r *Recurrent) checkState(name string, t *Tensor, want []int) {
	if t != nil && !sameShape(t.Shape, want) {
		panic(fmt.Sprintf("nets: %s: %s must be %s (num_layers, batch, hidden), got %s",
			r.Cell.module(), name, shapeStr(want), shapeStr(t.Shape)))
	}
}

// rnnLayer is what one layer's forward leaves in the arena, and its backward reads.
type rnnLayer struct {
	in     []float32 // the layer's input, time-major [T·B, inSize] (nil for one-hot indices)
	idx    []int     // one-hot indices, time-major [T·B] (layer 0 of ForwardIndex)
	inSize int
	act    []float32 // [T·B, G·H]: gate activations (LSTM i,f,g,o; GRU r,z,n); RNN: unused
	ghn    []float32 // GRU: W_hn·h_{t−1} + b_hn for every step, [T·B, H]
	hs     []float32 // [(T+1)·B, H]: h_0 (the initial state), then h_1 … h_T
	cs     []float32 // LSTM: [(T+1)·B, H], c_0 … c_T
	tc     []float32 // LSTM: tanh(c_t), [T·B, H]
}

// layerForward runs layer l over the whole sequence (see the file comment).
func (r *Recurrent) layerForward(g *Graph, l int, in []float32, idx []int, inSize, B, T int, h0, c0 []float32, rec bool) rnnLayer {
	w := &r.Layers[l]
	H := r.HiddenSize
	GH := r.Cell.Gates() * H
	TB, BH := T*B, B*H
	ly := rnnLayer{in: in, idx: idx, inSize: inSize}

	// 1. Input projections of all steps, plus the biases that add to them: b_ih and b_hh, except
	// GRU's b_hn, which r multiplies.
	// Buffers that are written whole before they are read skip the arena's zeroing (getDirty):
	// clearing them was 5-8% of a char-LSTM training step.
	pre := g.floats.getDirty(TB * GH)
	if idx == nil {
		gemm.Sgemm(false, true, TB, GH, inSize, 1, in, inSize, w.WeightIH.Data, inSize, 0, pre, GH)
	} else if TB < inSize {
		// A few rows (sampling): read the picked columns of W_ih in place.
		for row, k := range idx {
			p := pre[row*GH : (row+1)*GH]
			for i := range p {
				p[i] = w.WeightIH.Data[i*inSize+k]
			}
		}
	} else {
		wt := g.floats.getDirty(inSize * GH) // W_ihᵀ: its rows are the columns the one-hot rows pick
		transpose(wt, GH, w.WeightIH.Data, inSize, GH, inSize)
		for row, k := range idx {
			copy(pre[row*GH:(row+1)*GH], wt[k*GH:(k+1)*GH])
		}
	}
	var bhn []float32
	if w.BiasIH != nil {
		bias := g.floats.getDirty(GH)
		copy(bias, w.BiasIH.Data)
		nrec := GH
		if r.Cell == CellGRU {
			nrec, bhn = 2*H, w.BiasHH.Data[2*H:]
		}
		vec.Add(bias[:nrec], w.BiasHH.Data[:nrec])
		for row := 0; row < TB; row++ {
			vec.Add(pre[row*GH:(row+1)*GH], bias)
		}
	}

	// 2. The recurrence. hs and cs keep every state, the initial one first.
	ly.hs = g.floats.getDirty((T + 1) * BH)
	initState(ly.hs[:BH], h0)
	if r.Cell == CellLSTM {
		ly.cs = g.floats.getDirty((T + 1) * BH)
		initState(ly.cs[:BH], c0)
		ly.tc = g.floats.getDirty(TB * H)
	}
	var gh []float32 // GRU: the step's h_{t−1}·W_hhᵀ, kept apart from the input part
	if r.Cell == CellGRU {
		gh = g.floats.getDirty(BH * 3)
		if rec {
			ly.ghn = g.floats.getDirty(TB * H)
		} else {
			ly.ghn = g.floats.getDirty(BH)
		}
	}
	// With more than a few rows, the GEMM kernels read B fastest untransposed: transpose W_hh once
	// for all steps. Small batches (acting, sampling) take the dot-product path on W_hh as it is.
	var whT []float32
	if B > 4 && T > 1 {
		whT = g.floats.getDirty(H * GH)
		transpose(whT, GH, w.WeightHH.Data, H, GH, H)
	}
	for t := 0; t < T; t++ {
		p := pre[t*B*GH : (t+1)*B*GH]
		hPrev, hNext := ly.hs[t*BH:(t+1)*BH], ly.hs[(t+1)*BH:(t+2)*BH]
		// h_{t−1}·W_hhᵀ: accumulated onto the step's pre-activations, except for GRU. A zero
		// initial state contributes nothing.
		dst, beta := p, float32(1)
		if r.Cell == CellGRU {
			dst, beta = gh, 0
		}
		switch {
		case t == 0 && h0 == nil:
			if r.Cell == CellGRU {
				clear(gh)
			}
		case whT != nil:
			gemm.Sgemm(false, false, B, GH, H, 1, hPrev, H, whT, GH, beta, dst, GH)
		default:
			gemm.Sgemm(false, true, B, GH, H, 1, hPrev, H, w.WeightHH.Data, H, beta, dst, GH)
		}
		switch r.Cell {
		case CellRNNTanh:
			vec.Tanh(hNext, p)
		case CellRNNReLU:
			vec.ReLU(hNext, p)
		case CellLSTM:
			lstmForwardStep(p, ly.cs[t*BH:(t+1)*BH], ly.cs[(t+1)*BH:(t+2)*BH], ly.tc[t*BH:(t+1)*BH], hNext, B, H)
		case CellGRU:
			ghn := ly.ghn
			if rec {
				ghn = ly.ghn[t*BH : (t+1)*BH]
			}
			gruForwardStep(p, gh, bhn, ghn, hPrev, hNext, B, H)
		}
	}
	if r.Cell != CellRNNTanh && r.Cell != CellRNNReLU {
		ly.act = pre
	}
	return ly
}

// rnnTape is one Forward's record for the backward pass.
type rnnTape struct {
	r           *Recurrent
	g           *Graph
	B, T        int
	swap        bool    // batch-first x and out, transposed at the edges
	x           *Tensor // dense input or nil (indices)
	h0, c0      *Tensor // initial states or nil (zeros)
	out, hn, cn *Tensor
	layers      []rnnLayer
}

// backward is backpropagation through time over every layer, from the top one down.
func (tp *rnnTape) backward() {
	r, g, B, T := tp.r, tp.g, tp.B, tp.T
	H := r.HiddenSize
	GH := r.Cell.Gates() * H
	TB, BH := T*B, B*H

	// The gradient reaching the top layer's outputs, time-major.
	dy := tp.out.Grad
	if tp.swap {
		dy = g.floats.getDirty(len(dy))
		swap01(dy, tp.out.Grad, B, T, H)
	}
	// dG, dGh, dh and dc are written whole before they are read (RNN: dG is cleared by steps).
	dG := g.floats.getDirty(TB * GH)
	dGh := dG // the gradient of the recurrent pre-activations; GRU's differs in its n block
	if r.Cell == CellGRU {
		dGh = g.floats.getDirty(TB * GH)
	}
	dh, dc := g.floats.getDirty(BH), g.floats.getDirty(BH)
	bsum := g.floats.getDirty(GH)
	for l := len(r.Layers) - 1; l >= 0; l-- {
		ly, w := &tp.layers[l], &r.Layers[l]
		copy(dh, tp.hn.Grad[l*BH:(l+1)*BH])
		if tp.cn != nil {
			copy(dc, tp.cn.Grad[l*BH:(l+1)*BH])
		}
		needH0 := tp.h0 != nil && tp.h0.Grad != nil
		for t := T - 1; t >= 0; t-- {
			rows := t * BH
			dyt := dy[rows : rows+BH]
			dGt := dG[t*B*GH : (t+1)*B*GH]
			hPrev, h := ly.hs[rows:rows+BH], ly.hs[rows+BH:rows+2*BH]
			beta := float32(0)
			switch r.Cell {
			case CellRNNTanh:
				vec.Add(dh, dyt)
				clear(dGt)
				vec.TanhBackward(dGt, dh, h)
			case CellRNNReLU:
				vec.Add(dh, dyt)
				clear(dGt)
				vec.ReLUBackward(dGt, dh, h)
			case CellLSTM:
				lstmBackwardStep(dGt, ly.act[t*B*GH:(t+1)*B*GH], ly.cs[rows:rows+BH], ly.tc[rows:rows+BH], dyt, dh, dc, B, H)
			case CellGRU:
				gruBackwardStep(dGt, dGh[t*B*GH:(t+1)*B*GH], ly.act[t*B*GH:(t+1)*B*GH], ly.ghn[rows:rows+BH], hPrev, dyt, dh, B, H)
				beta = 1 // dh holds the direct part z·dh_t already
			}
			if t == 0 && !needH0 {
				break
			}
			// dh_{t−1} (+)= dGh_t·W_hh, in blocks of k ≤ H that keep the GEMM on its direct path.
			backRecurrent(dGh[t*B*GH:(t+1)*B*GH], w.WeightHH.Data, dh, B, H, GH, beta)
		}
		if needH0 {
			vec.Add(tp.h0.Grad[l*BH:(l+1)*BH], dh)
		}
		if tp.c0 != nil && tp.c0.Grad != nil {
			vec.Add(tp.c0.Grad[l*BH:(l+1)*BH], dc)
		}

		// Parameters, over all steps at once.
		if w.WeightIH.Grad != nil {
			if ly.idx == nil {
				gemm.Sgemm(true, false, GH, ly.inSize, TB, 1, dG, GH, ly.in, ly.inSize, 1, w.WeightIH.Grad, ly.inSize)
			} else if TB < ly.inSize {
				for row, k := range ly.idx { // a few rows: add into the picked columns in place
					for i, d := range dG[row*GH : (row+1)*GH] {
						w.WeightIH.Grad[i*ly.inSize+k] += d
					}
				}
			} else {
				// The one-hot rows pick columns: sum each picked column's gradients in a transposed
				// scratch (contiguous rows), then add its transpose.
				dwt := g.Floats(ly.inSize * GH)
				for row, k := range ly.idx {
					vec.Add(dwt[k*GH:(k+1)*GH], dG[row*GH:(row+1)*GH])
				}
				transposeAdd(w.WeightIH.Grad, ly.inSize, dwt, GH, ly.inSize, GH)
			}
		}
		if w.WeightHH.Grad != nil {
			gemm.Sgemm(true, false, GH, H, TB, 1, dGh, GH, ly.hs[:TB*H], H, 1, w.WeightHH.Grad, H)
		}
		if w.BiasIH != nil {
			if w.BiasIH.Grad != nil || (r.Cell != CellGRU && w.BiasHH.Grad != nil) {
				colSum(bsum, dG, TB, GH)
				if w.BiasIH.Grad != nil {
					vec.Add(w.BiasIH.Grad, bsum)
				}
			}
			if w.BiasHH.Grad != nil {
				if r.Cell == CellGRU {
					colSum(bsum, dGh, TB, GH)
				}
				vec.Add(w.BiasHH.Grad, bsum)
			}
		}

		// The gradient of the layer's input: the outputs of the layer below, or x.
		switch {
		case l > 0:
			dy = g.floats.getDirty(TB * H)
			gemm.Sgemm(false, false, TB, H, GH, 1, dG, GH, w.WeightIH.Data, H, 0, dy, H)
		case tp.x != nil && tp.x.Grad != nil:
			in := r.InputSize
			if tp.swap {
				dx := g.floats.getDirty(TB * in)
				gemm.Sgemm(false, false, TB, in, GH, 1, dG, GH, w.WeightIH.Data, in, 0, dx, in)
				swap01Add(tp.x.Grad, dx, T, B, in)
			} else {
				gemm.Sgemm(false, false, TB, in, GH, 1, dG, GH, w.WeightIH.Data, in, 1, tp.x.Grad, in)
			}
		}
	}
}

// backRecurrent computes dh = dg·W_hh + beta·dh for one step (dg [B, G·H], W_hh [G·H, H]): one
// GEMM per gate block, so that k stays at H and the product runs on the GEMM's unpacked path
// instead of packing W_hh every step.
func backRecurrent(dg, whh, dh []float32, B, H, GH int, beta float32) {
	for k0 := 0; k0 < GH; k0 += H {
		gemm.Sgemm(false, false, B, H, H, 1, dg[k0:], GH, whh[k0*H:], H, beta, dh, H)
		beta = 1
	}
}

// colSum sets dst[j] = Σ_i src[i·n + j] over m rows.
func colSum(dst, src []float32, m, n int) {
	clear(dst[:n])
	for i := 0; i < m; i++ {
		vec.Add(dst[:n], src[i*n:(i+1)*n])
	}
}

// initState copies an initial state into dst, or zeroes dst when there is none.
func initState(dst, s []float32) {
	if s == nil {
		clear(dst)
		return
	}
	copy(dst, s)
}

// swap01 writes src [a, b, d] into dst as [b, a, d] (batch-first ↔ time-major).
func swap01(dst, src []float32, a, b, d int) {
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			copy(dst[(j*a+i)*d:(j*a+i+1)*d], src[(i*b+j)*d:(i*b+j+1)*d])
		}
	}
}

// swap01Add adds src [a, b, d] into dst [b, a, d].
func swap01Add(dst, src []float32, a, b, d int) {
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			vec.Add(dst[(j*a+i)*d:(j*a+i+1)*d], src[(i*b+j)*d:(i*b+j+1)*d])
		}
	}
}

// transpose writes the transpose of the rows×cols matrix src (row stride lds) into dst (row
// stride ldd): dst[c·ldd + r] = src[r·lds + c], in 16×16 tiles that keep both sides in cache.
func transpose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	const tile = 16
	for r0 := 0; r0 < rows; r0 += tile {
		r1 := min(r0+tile, rows)
		for c0 := 0; c0 < cols; c0 += tile {
			c1 := min(c0+tile, cols)
			for r := r0; r < r1; r++ {
				s := src[r*lds+c0 : r*lds+c1]
				for c, v := range s {
					dst[(c0+c)*ldd+r] = v
				}
			}
		}
	}
}

// transposeAdd is transpose that adds into dst.
func transposeAdd(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	const tile = 16
	for r0 := 0; r0 < rows; r0 += tile {
		r1 := min(r0+tile, rows)
		for c0 := 0; c0 < cols; c0 += tile {
			c1 := min(c0+tile, cols)
			for r := r0; r < r1; r++ {
				s := src[r*lds+c0 : r*lds+c1]
				for c, v := range s {
					dst[(c0+c)*ldd+r] += v
				}
			}
		}
	}
}
