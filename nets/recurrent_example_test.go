package nets_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gorl/gorl/nets"
)

// A character-level language model in miniature (Karpathy's char-rnn): an LSTM learns to continue
// a text from one-hot characters, given as indices, then generates it one character at a time
// with a carried state on a graph that records nothing.
func ExampleNewLSTM() {
	const text = "hello world "
	var chars []rune // the vocabulary, in order of first appearance
	id := map[rune]int{}
	for _, c := range text {
		if _, ok := id[c]; !ok {
			id[c] = len(chars)
			chars = append(chars, c)
		}
	}
	ids := make([]int, len(text))
	for i, c := range text {
		ids[i] = id[c]
	}

	rng := rand.New(rand.NewPCG(1, 2))
	lstm := nets.NewLSTM(rng, nets.RecurrentConfig{InputSize: len(chars), HiddenSize: 32, BatchFirst: true})
	head := nets.NewLinear(rng, 32, len(chars), true)
	opt, err := nets.NewAdam(append(nets.Prefix("lstm.", lstm.Params()), nets.Prefix("head.", head.Params())...),
		nets.AdamConfig{LR: 0.01})
	if err != nil {
		panic(err)
	}
	const batch, seq = 8, 16
	idx, target := make([]int, batch*seq), make([]int, batch*seq)
	g := nets.NewGraph()
	for range 300 {
		for b := range batch { // windows of the endless text at random offsets
			start := rng.IntN(len(text))
			for t := range seq {
				idx[b*seq+t] = ids[(start+t)%len(text)]
				target[b*seq+t] = ids[(start+t+1)%len(text)]
			}
		}
		g.Reset()
		out, _ := lstm.ForwardIndex(g, idx, batch, seq, nets.RecurrentState{}) // [batch, seq, 32]
		logits := g.Reshape(head.Forward(g, out), batch*seq, len(chars))
		loss := g.CrossEntropyLoss(logits, target, nets.CrossEntropyOptions{})
		opt.ZeroGrad()
		g.Backward(loss)
		opt.Step()
	}

	inf := nets.NewInference()
	state := lstm.NewState(1)
	next := []int{id['h']}
	var sb strings.Builder
	sb.WriteRune('h')
	for range 22 {
		inf.Reset()
		logits := head.Forward(inf, lstm.StepIndex(inf, next, state))
		next[0] = nets.Argmax(logits.Data) // greedy decoding
		sb.WriteRune(chars[next[0]])
	}
	fmt.Println(sb.String())
	// Output: hello world hello world
}

// The shapes of a recurrent stack's inputs and outputs, as in PyTorch: out holds the last
// layer's hidden state at every step, the final state every layer's at the last step.
func ExampleRecurrent_Forward() {
	rng := rand.New(rand.NewPCG(1, 2))
	gru := nets.NewGRU(rng, nets.RecurrentConfig{InputSize: 10, HiddenSize: 20, NumLayers: 2, BatchFirst: true})
	x := nets.New(3, 5, 10)  // [batch, seq, features]
	h0 := nets.New(2, 3, 20) // [num_layers, batch, hidden]: always layer-major
	g := nets.NewInference()
	out, last := gru.Forward(g, x, nets.RecurrentState{H: h0})
	fmt.Println(out.Shape, last.H.Shape)
	for _, p := range gru.Params()[:4] {
		fmt.Println(p.Name, p.Tensor.Shape)
	}
	// Output:
	// [3 5 20] [2 3 20]
	// weight_ih_l0 [60 10]
	// weight_hh_l0 [60 20]
	// bias_ih_l0 [60]
	// bias_hh_l0 [60]
}
