package nets

import (
	"math/rand/v2"
	"testing"

	"github.com/gorl/gorl/internal/cputime"
)

// The char-LSTM benchmark of the nets issue, as ../shared/baselines/pytorch/bench_lstm.py times
// PyTorch 1.13 (~8,300 chars/s on 1 thread, ~11,000 with its default threads on this 2-core
// machine): one-hot inputs over a vocabulary of 96, nn.LSTM(96, 256, num_layers=2,
// batch_first=True), Linear(256 → 96), cross-entropy over every position, Adam lr 2e-3, zero
// initial state every batch, sequences of 64, batches of 32. chars/s = 32·64 per training step.
//
//	go test ./nets -run '^$' -bench CharLSTM -benchtime 20x
//
// Two ways to feed the inputs:
//   - dense: the one-hot vectors are materialized and multiplied by weight_ih_l0, exactly the
//     work PyTorch does (F.one_hot(...).float() into nn.LSTM): the like-for-like comparison.
//   - index: ForwardIndex picks the columns of weight_ih_l0 instead (the same forward values bit
//     for bit), which a PyTorch user would get from an nn.Embedding initialized to W_ihᵀ.

const (
	charVocab  = 96
	charHidden = 256
	charLayers = 2
	charSeq    = 64
	charBatch  = 32
)

func BenchmarkCharLSTM(b *testing.B) {
	for _, dense := range []bool{true, false} {
		name := "index"
		if dense {
			name = "dense"
		}
		b.Run(name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(0, 0))
			lstm := NewLSTM(r, RecurrentConfig{InputSize: charVocab, HiddenSize: charHidden, NumLayers: charLayers, BatchFirst: true})
			head := NewLinear(r, charHidden, charVocab, true)
			opt, err := NewAdam(append(Prefix("lstm.", lstm.Params()), Prefix("head.", head.Params())...), AdamConfig{LR: 2e-3})
			if err != nil {
				b.Fatal(err)
			}
			// Random text generated up front, as bench_lstm.py does: inputs are characters
			// 0..63 of each row, targets characters 1..64.
			const pool = 8
			data := make([][]int, pool)
			for i := range data {
				data[i] = make([]int, charBatch*(charSeq+1))
				for j := range data[i] {
					data[i][j] = r.IntN(charVocab)
				}
			}
			idx, target := make([]int, charBatch*charSeq), make([]int, charBatch*charSeq)
			g := NewGraph()
			step := func(i int) float32 {
				d := data[i%pool]
				for bi := 0; bi < charBatch; bi++ {
					row := d[bi*(charSeq+1) : (bi+1)*(charSeq+1)]
					copy(idx[bi*charSeq:(bi+1)*charSeq], row[:charSeq])
					copy(target[bi*charSeq:(bi+1)*charSeq], row[1:])
				}
				g.Reset()
				opt.ZeroGrad()
				var out *Tensor
				if dense {
					x := g.Reshape(g.OneHot(idx, charVocab), charBatch, charSeq, charVocab)
					out, _ = lstm.Forward(g, x, RecurrentState{})
				} else {
					out, _ = lstm.ForwardIndex(g, idx, charBatch, charSeq, RecurrentState{})
				}
				logits := g.Reshape(head.Forward(g, out), charBatch*charSeq, charVocab)
				loss := g.CrossEntropyLoss(logits, target, CrossEntropyOptions{})
				g.Backward(loss)
				opt.Step()
				return loss.Item()
			}
			for i := 0; i < 2; i++ { // warm the arena and the GEMM's buffers
				step(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cputime.Process()
			for i := 0; i < b.N; i++ {
				step(i)
			}
			// Wall time counts other processes' turns on the shared cores; CPU time does not
			// (but it counts the GEMM workers' spinning).
			b.ReportMetric(float64(b.N*charBatch*charSeq)/b.Elapsed().Seconds(), "chars/s")
			if cpu := cputime.Process() - cpu0; cpu > 0 {
				b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/step")
			}
		})
	}
}

// BenchmarkLSTMSample is char-RNN generation: one character at a time through the same 2×256
// LSTM and its head on a non-recording graph, batch 1 (ns per generated character).
func BenchmarkLSTMSample(b *testing.B) {
	r := rand.New(rand.NewPCG(0, 0))
	lstm := NewLSTM(r, RecurrentConfig{InputSize: charVocab, HiddenSize: charHidden, NumLayers: charLayers})
	head := NewLinear(r, charHidden, charVocab, true)
	s := lstm.NewState(1)
	g := NewInference()
	next := []int{0}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		g.Reset()
		logits := head.Forward(g, lstm.StepIndex(g, next, s))
		next[0] = Argmax(logits.Data)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/char")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/char")
	}
}
