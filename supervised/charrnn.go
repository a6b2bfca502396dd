package supervised

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/supervised/data"
)

// CharRNNConfig configures `rlrun fit charrnn [FILE|DIR]`: a character-level language model as in
// Karpathy's char-rnn: a stack of recurrent layers over one-hot characters, a linear layer to the
// next character's logits, trained with cross-entropy by truncated backpropagation through time
// (batch_size parallel streams of the text, seq_length characters a step, the hidden state carried
// from step to step), gradient clipping, and a validation split.
type CharRNNConfig struct {
	Common `yaml:",inline"`
	// Corpus is a text file or a directory ("" for the Go standard library's source,
	// $(go env GOROOT)/src). Default: "".
	Corpus string `yaml:"corpus"`
	// Extensions selects a directory's files by the end of their names (all text files when
	// empty). Default: [.go].
	Extensions []string `yaml:"extensions"`
	// Cell is lstm, gru or rnn (tanh). Default: lstm.
	Cell string `yaml:"cell"`
	// HiddenSize is the size of each layer's hidden state. Default: 128 (on one busy core, 256
	// costs 3.3× as much a step and lost to 128 at equal time).
	HiddenSize int `yaml:"hidden_size"`
	// NumLayers is the number of stacked recurrent layers. Default: 2.
	NumLayers int `yaml:"num_layers"`
	// SeqLength is the number of characters backpropagated through at each step. Default: 64.
	SeqLength int `yaml:"seq_length"`
	// BatchSize is the number of parallel streams. Default: 32 (twice the updates of 64 for the
	// same characters, which is what a run limited by time needs).
	BatchSize int `yaml:"batch_size"`
	// Optimizer is adam or rmsprop (char-rnn's). Default: adam.
	Optimizer string `yaml:"optimizer"`
	// LearningRate is the optimizer's peak learning rate. Default: 0.004.
	LearningRate float64 `yaml:"learning_rate"`
	// LRSchedule is constant, cosine, step or wsd (a warm-up of up to 300 steps, constant, then
	// a cosine to 0 over the last decay_fraction of the run). Default: wsd.
	LRSchedule string `yaml:"lr_schedule"`
	// DecayFraction is the share of the run over which wsd anneals the rate. At the peak rate
	// the validation loss stalls after about 10,000 steps (the parallel streams each read a few
	// files at a time and the model chases them), so the default run anneals over its last
	// two thirds. Default: 0.68.
	DecayFraction float64 `yaml:"decay_fraction"`
	// GradClip is the maximum norm of all gradients together (clip_grad_norm_). Default: 5.
	GradClip float64 `yaml:"grad_clip"`
	// ValFraction is the share of the corpus held out for validation (a share of the files of a
	// directory, picked by a hash of their paths; the end of a single file). The training files
	// are read in an order drawn from the seed. Default: 0.05.
	ValFraction float64 `yaml:"val_fraction"`
	// ValChars caps the validation characters evaluated (0: all), read from streams spread
	// evenly over the validation text. Default: 262144.
	ValChars int `yaml:"val_chars"`
	// EvalEvery is the number of steps between validation passes. Default: 2000.
	EvalEvery int64 `yaml:"eval_every"`
	// MaxSteps caps the run's length in steps (0: epochs × the steps of an epoch). The default
	// corpus is large: 37,000 steps of 32×64 characters read 75.8M characters, 87% of it, in
	// about 70 minutes on one busy core. Default: 37000.
	MaxSteps int64 `yaml:"max_steps"`
	// SampleTemperature is the temperature of the sample written at the end. Default: 0.8.
	SampleTemperature float64 `yaml:"sample_temperature"`
}

// DefaultCharRNNConfig returns the defaults of rlrun fit charrnn.
func DefaultCharRNNConfig() *CharRNNConfig {
	return &CharRNNConfig{Common: defaultCommon("charrnn", 1), Extensions: []string{".go"}, Cell: "lstm", HiddenSize: 128,
		NumLayers: 2, SeqLength: 64, BatchSize: 32, Optimizer: "adam", LearningRate: 4e-3, LRSchedule: "wsd", DecayFraction: 0.68, GradClip: 5,
		ValFraction: 0.05, ValChars: 1 << 18, EvalEvery: 2000, MaxSteps: 37000, SampleTemperature: 0.8}
}

func (c *CharRNNConfig) resolve() {}

// Validate checks the values.
func (c *CharRNNConfig) Validate() error {
	var errs []error
	errs = append(errs, oneOf("cell", c.Cell, "lstm", "gru", "rnn"), oneOf("optimizer", c.Optimizer, "adam", "adamw", "rmsprop", "sgd"),
		checkSchedule(c.LRSchedule))
	if c.HiddenSize <= 0 || c.NumLayers <= 0 || c.SeqLength <= 0 || c.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("hidden_size, num_layers, seq_length and batch_size must be positive"))
	}
	if c.LearningRate <= 0 || c.GradClip < 0 {
		errs = append(errs, fmt.Errorf("learning_rate = %g must be positive and grad_clip = %g ≥ 0", c.LearningRate, c.GradClip))
	}
	if c.DecayFraction <= 0 || c.DecayFraction > 1 {
		errs = append(errs, fmt.Errorf("decay_fraction = %g: must be in (0, 1]", c.DecayFraction))
	}
	if c.ValFraction <= 0 || c.ValFraction >= 1 {
		errs = append(errs, fmt.Errorf("val_fraction = %g: must be in (0, 1)", c.ValFraction))
	}
	if c.EvalEvery <= 0 || c.MaxSteps < 0 || c.ValChars < 0 {
		errs = append(errs, fmt.Errorf("eval_every must be positive, max_steps and val_chars ≥ 0"))
	}
	if c.SampleTemperature <= 0 {
		errs = append(errs, fmt.Errorf("sample_temperature = %g: must be positive", c.SampleTemperature))
	}
	return errors.Join(errs...)
}

// corpusPath returns the corpus to read: Corpus, or GOROOT/src.
func (c *CharRNNConfig) corpusPath() string {
	if c.Corpus != "" {
		return c.Corpus
	}
	return filepath.Join(runtime.GOROOT(), "src")
}

// CharModel is a character language model: Recurrent over one-hot characters (batch first) and
// Linear to the logits of the next character. Its tensors are named as the PyTorch module
// {rnn: nn.LSTM(V, H, L, batch_first=True), fc: nn.Linear(H, V)} names them.
type CharModel struct {
	RNN   *nets.Recurrent
	FC    *nets.Linear
	Vocab *data.Vocab
}

// NewCharModel returns a model of the given cell ("lstm", "gru" or "rnn") over vocab.
func NewCharModel(rng *rand.Rand, cell string, vocab *data.Vocab, hidden, layers int) (*CharModel, error) {
	cfg := nets.RecurrentConfig{InputSize: vocab.Size(), HiddenSize: hidden, NumLayers: layers, BatchFirst: true}
	m := &CharModel{Vocab: vocab}
	switch cell {
	case "lstm":
		m.RNN = nets.NewLSTM(rng, cfg)
	case "gru":
		m.RNN = nets.NewGRU(rng, cfg)
	case "rnn":
		m.RNN = nets.NewRNN(rng, cfg)
	default:
		return nil, fmt.Errorf("cell %q: choose lstm, gru or rnn", cell)
	}
	m.FC = nets.NewLinear(rng, hidden, vocab.Size(), true)
	return m, nil
}

// Params returns rnn.* and fc.*.
func (m *CharModel) Params() []nets.NamedTensor {
	return append(nets.Prefix("rnn.", m.RNN.Params()), nets.Prefix("fc.", m.FC.Params())...)
}

var _ nets.Module = (*CharModel)(nil)

// forward returns the logits [B·T, V] of a batch of index sequences from state s, and the final
// state.
func (m *CharModel) forward(g *nets.Graph, x []int, b, t int, s nets.RecurrentState) (*nets.Tensor, nets.RecurrentState) {
	out, last := m.RNN.ForwardIndex(g, x, b, t, s)
	return m.FC.Forward(g, g.Reshape(out, b*t, m.RNN.HiddenSize)), last
}

type charTask struct {
	cfg        *CharRNNConfig
	env        taskEnv
	model      *CharModel
	opt        nets.Optimizer
	sched      nets.Schedule
	g          *nets.Graph
	train, val *data.TextBatcher
	valBatches int
	x, y       []int
	carry      nets.RecurrentState
	perEpoch   int64
	total      int64
	st         charState
	corpusName string
}

// charState is the task's counters (the carried hidden state is saved beside it).
type charState struct {
	Step          int64   `json:"step"`
	IntervalLoss  float64 `json:"interval_loss"`
	IntervalSteps int64   `json:"interval_steps"`
	LastTrainLoss float64 `json:"last_train_loss"`
	LastValLoss   float64 `json:"last_val_loss"`
	HasVal        bool    `json:"has_val"`
}

const carryFile = "carry.safetensors"

func newCharRNNTask(c *CharRNNConfig, env taskEnv) (*charTask, error) {
	path := c.corpusPath()
	corpus, err := data.LoadText(path, c.Extensions)
	if err != nil {
		return nil, err
	}
	var trainText, valText []byte
	if len(corpus.Files) > 1 {
		// The training files in an order drawn from the seed: each of the parallel streams
		// then crosses many packages of a tree instead of reading one corner of it, which
		// matters when a run reads only part of a large corpus.
		tr, va, err := corpus.SplitFiles(c.ValFraction)
		if err != nil {
			return nil, err
		}
		rand.New(rand.NewPCG(c.Seed, 0xf11e5)).Shuffle(len(tr), func(i, j int) { tr[i], tr[j] = tr[j], tr[i] })
		trainText, valText = corpus.Concat(tr), corpus.Concat(va)
	} else if trainText, valText, err = corpus.Split(c.ValFraction); err != nil {
		return nil, err
	}
	vocab := data.NewVocab(corpus.Text)
	env.note("%s: %d files, %d training and %d validation characters, %d distinct", path, len(corpus.Files), len(trainText), len(valText), vocab.Size())
	trainIdx, _ := vocab.Encode(trainText)
	valIdx, _ := vocab.Encode(valText)
	t := &charTask{cfg: c, env: env, g: nets.NewGraph(), corpusName: path}
	if t.train, err = data.NewTextBatcher(trainIdx, c.BatchSize, c.SeqLength); err != nil {
		return nil, fmt.Errorf("training text: %w", err)
	}
	vb := min(c.BatchSize, max(1, len(valIdx)/(c.SeqLength+1)))
	if t.val, err = data.NewTextBatcher(valIdx, vb, c.SeqLength); err != nil {
		return nil, fmt.Errorf("validation text: %w", err)
	}
	// With a cap, the validation streams (spread evenly over the validation text) are read
	// only so far: a sample of every part of it, not its first files.
	t.valBatches = t.val.BatchesPerEpoch()
	if c.ValChars > 0 {
		t.valBatches = max(1, min(t.valBatches, c.ValChars/(vb*c.SeqLength)))
	}
	t.perEpoch = int64(t.train.BatchesPerEpoch())
	t.total = int64(c.Epochs) * t.perEpoch
	if c.MaxSteps > 0 {
		t.total = min(t.total, c.MaxSteps)
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0xc4a2))
	if t.model, err = NewCharModel(rng, c.Cell, vocab, c.HiddenSize, c.NumLayers); err != nil {
		return nil, err
	}
	if t.opt, err = newOptimizer(c.Optimizer, t.model.Params(), c.LearningRate, 0, 0, 0); err != nil {
		return nil, err
	}
	t.sched = newSchedule(c.LRSchedule, c.LearningRate, t.total)
	if c.LRSchedule == "wsd" {
		t.sched = newWSD(c.LearningRate, t.total, c.DecayFraction)
	}
	t.carry = *t.model.RNN.NewState(c.BatchSize)
	t.x, t.y = make([]int, c.BatchSize*c.SeqLength), make([]int, c.BatchSize*c.SeqLength)
	return t, nil
}

func (t *charTask) Steps() int64         { return t.st.Step }
func (t *charTask) TotalSteps() int64    { return t.total }
func (t *charTask) StepsPerEpoch() int64 { return t.perEpoch }

func (t *charTask) Status() string {
	s := fmt.Sprintf("train loss %.3f", t.st.LastTrainLoss)
	if t.st.HasVal {
		s += fmt.Sprintf("  val loss %.3f", t.st.LastValLoss)
	}
	return s
}

func (t *charTask) Learn(ctx context.Context, until int64) error {
	until = min(until, t.total)
	c := t.cfg
	g := t.g
	B, T := c.BatchSize, c.SeqLength
	for t.st.Step < until {
		if err := ctx.Err(); err != nil {
			return err
		}
		step := t.st.Step
		k := int(step % t.perEpoch)
		if k == 0 { // a new pass over the streams starts from a zero state
			clear(t.carry.H.Data)
			if t.carry.C != nil {
				clear(t.carry.C.Data)
			}
		}
		t.train.Fill(k, t.x, t.y)
		g.Reset()
		logits, last := t.model.forward(g, t.x, B, T, t.carry)
		loss := g.CrossEntropyLoss(logits, t.y, nets.CrossEntropyOptions{})
		lv := float64(loss.Data[0])
		if !finite(lv) {
			return fmt.Errorf("charrnn: training loss is %v at step %d; lower learning_rate or grad_clip", lv, step)
		}
		t.opt.ZeroGrad()
		g.Backward(loss)
		if c.GradClip > 0 {
			nets.ClipGradNorm(t.opt.Params(), c.GradClip, 2)
		}
		t.opt.SetLR(t.sched.At(int(step)))
		t.opt.Step()
		// Truncated BPTT: the next step starts from this one's final state, as a constant.
		copy(t.carry.H.Data, last.H.Data)
		if t.carry.C != nil {
			copy(t.carry.C.Data, last.C.Data)
		}
		t.st.IntervalLoss += lv
		t.st.IntervalSteps++
		t.st.Step++
		if t.st.Step%int64(c.LogInterval) == 0 || t.st.Step == t.total {
			t.st.LastTrainLoss = t.st.IntervalLoss / float64(t.st.IntervalSteps)
			t.env.log(t.st.Step, "losses/train_loss", t.st.LastTrainLoss)
			t.env.log(t.st.Step, "charts/learning_rate", t.opt.LR())
			t.st.IntervalLoss, t.st.IntervalSteps = 0, 0
		}
		if t.st.Step%c.EvalEvery == 0 || t.st.Step == t.total {
			t.st.LastValLoss, t.st.HasVal = t.validate(), true
			t.env.log(t.st.Step, "val/loss", t.st.LastValLoss)
			t.env.log(t.st.Step, "charts/epoch", float64(t.st.Step)/float64(t.perEpoch))
		}
	}
	return nil
}

// validate returns the mean cross-entropy per character (nats) over the validation streams, in
// eval mode with the state carried through each stream.
func (t *charTask) validate() float64 {
	return charLoss(t.model, t.val, t.valBatches)
}

// charLoss returns the mean cross-entropy of m over the first batches of tb.
func charLoss(m *CharModel, tb *data.TextBatcher, batches int) float64 {
	g := nets.NewInference()
	st := *m.RNN.NewState(tb.Batch)
	x, y := make([]int, tb.Batch*tb.Seq), make([]int, tb.Batch*tb.Seq)
	var sum float64
	n := 0
	for k := range batches {
		tb.Fill(k, x, y)
		g.Reset()
		logits, last := m.forward(g, x, tb.Batch, tb.Seq, st)
		sum += float64(g.CrossEntropyLoss(logits, y, nets.CrossEntropyOptions{Reduction: nets.ReduceSum}).Data[0])
		n += len(y)
		copy(st.H.Data, last.H.Data)
		if st.C != nil {
			copy(st.C.Data, last.C.Data)
		}
	}
	return sum / float64(n)
}

func (t *charTask) meta() map[string]string {
	vocab := make([]int, len(t.model.Vocab.Chars))
	for i, b := range t.model.Vocab.Chars {
		vocab[i] = int(b)
	}
	return map[string]string{"gorl.task": "charrnn", "cell": t.cfg.Cell, "hidden_size": strconv.Itoa(t.cfg.HiddenSize),
		"num_layers": strconv.Itoa(t.cfg.NumLayers), "vocab": jsonString(vocab)}
}

func (t *charTask) Save(dir string) error {
	carry := []nets.NamedTensor{{Name: "h", Tensor: t.carry.H}}
	if t.carry.C != nil {
		carry = append(carry, nets.NamedTensor{Name: "c", Tensor: t.carry.C})
	}
	if err := nets.SaveTensors(filepath.Join(dir, carryFile), carry, nil); err != nil {
		return err
	}
	return saveTraining(dir, t.model, t.meta(), t.opt, &t.st)
}

func (t *charTask) Load(dir string) error {
	if err := checkVocab(dir, t.model.Vocab); err != nil {
		return err
	}
	carry := []nets.NamedTensor{{Name: "h", Tensor: t.carry.H}}
	if t.carry.C != nil {
		carry = append(carry, nets.NamedTensor{Name: "c", Tensor: t.carry.C})
	}
	ts, _, err := nets.LoadTensors(filepath.Join(dir, carryFile))
	if err != nil {
		return err
	}
	if err := nets.LoadStateDict(carry, ts); err != nil {
		return fmt.Errorf("%s: %w", carryFile, err)
	}
	return loadTraining(dir, t.model, t.opt, &t.st)
}

// checkVocab fails when a checkpoint's vocabulary differs from the corpus's (the corpus changed).
func checkVocab(dir string, v *data.Vocab) error {
	_, meta, err := nets.LoadTensors(filepath.Join(dir, ModelFile))
	if err != nil {
		return err
	}
	saved, err := vocabFromMeta(meta)
	if err != nil {
		return err
	}
	if string(saved.Chars) != string(v.Chars) {
		return fmt.Errorf("the corpus has changed since the checkpoint: its alphabet has %d characters, the checkpoint's %d", v.Size(), saved.Size())
	}
	return nil
}

func vocabFromMeta(meta map[string]string) (*data.Vocab, error) {
	var ints []int
	if err := jsonUnmarshal(meta["vocab"], &ints); err != nil || len(ints) == 0 {
		return nil, fmt.Errorf("the model file has no vocabulary: not a charrnn checkpoint")
	}
	chars := make([]byte, len(ints))
	for i, b := range ints {
		if b < 0 || b > 255 {
			return nil, fmt.Errorf("the model file's vocabulary holds %d, not a byte", b)
		}
		chars[i] = byte(b)
	}
	return data.VocabOf(chars), nil
}

func (t *charTask) Finish(dir string) (map[string]any, string, error) {
	val := t.validate()
	if err := plotPanels(dir, filepath.Join(dir, "curves.png"), fmt.Sprintf("char-%s %d×%d", strings.ToUpper(t.cfg.Cell), t.cfg.NumLayers, t.cfg.HiddenSize), "",
		[]panel{{Title: "loss", YLabel: "cross-entropy (nats/char)", Keys: []string{"losses/train_loss", "val/loss"}, Labels: []string{"train", "validation"}}}); err != nil {
		t.env.note("curves not drawn: %v", err)
	}
	s := &Sampler{Model: t.model}
	text := s.Sample("\n", 4000, t.cfg.SampleTemperature, rand.New(rand.NewPCG(t.cfg.Seed, 0x5a3)))
	if err := os.WriteFile(filepath.Join(dir, "sample.txt"), []byte(text), 0o644); err != nil {
		return nil, "", err
	}
	f := map[string]any{"corpus": t.corpusName, "val_loss": val, "train_loss": t.st.LastTrainLoss,
		"params": nets.NumParams(t.model.Params()), "vocab_size": t.model.Vocab.Size(),
		"chars_trained": t.st.Step * int64(t.cfg.BatchSize*t.cfg.SeqLength), "val_chars": t.valBatches * t.val.Batch * t.val.Seq}
	sum := fmt.Sprintf("validation loss %.4f nats/char (train %.4f); a sample is in sample.txt", val, t.st.LastTrainLoss)
	if isGoCorpus(t.cfg) {
		share, lines := GoLineShare(text)
		f["go_line_share"], f["sample_lines"] = share, lines
		sum += fmt.Sprintf("; %.1f%% of its %d lines tokenize as Go", 100*share, lines)
	}
	return f, sum, nil
}

func isGoCorpus(c *CharRNNConfig) bool {
	if c.Corpus == "" {
		return true
	}
	for _, e := range c.Extensions {
		if e == ".go" {
			return true
		}
	}
	return strings.HasSuffix(c.Corpus, ".go")
}

func (t *charTask) Close() error { return nil }
