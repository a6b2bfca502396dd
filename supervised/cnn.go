package supervised

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/supervised/data"
)

// CNNConfig configures `rlrun fit cnn DATASET`: an image classifier trained with cross-entropy.
// Fields whose default says "per model" take the preset's value when left at their zero value.
type CNNConfig struct {
	Common `yaml:",inline"`
	// Dataset is mnist, fashion-mnist or cifar10 (the positional argument). Default: mnist.
	Dataset string `yaml:"dataset"`
	// Data is the directory of the data set's files ("" for the default place: the GoMNIST module
	// for mnist, /usr/share/datasets/fashion-mnist for fashion-mnist; cifar10 needs it). Default: "".
	Data string `yaml:"data"`
	// Model is the architecture: "seed", the founding example's CNN (conv 32 k3 p1, ReLU, max pool
	// 2, conv 64 k3 p1, ReLU, max pool 2, linear), or "strong" (three conv blocks with batch norm,
	// a 256-unit hidden layer with dropout). Default: seed.
	Model string `yaml:"model"`
	// BatchSize is the number of images of a training batch. Default: 64.
	BatchSize int `yaml:"batch_size"`
	// Optimizer is sgd, adam, adamw or rmsprop. Default: per model (seed: sgd, strong: adam).
	Optimizer string `yaml:"optimizer"`
	// LearningRate is the optimizer's (initial) learning rate. Default: per model (seed: 0.01,
	// strong: 0.001).
	LearningRate float64 `yaml:"learning_rate"`
	// Momentum is SGD's (and RMSprop's) momentum. Default: 0.9.
	Momentum float64 `yaml:"momentum"`
	// WeightDecay is the L2 penalty (decoupled for adamw). Default: 0 (strong on cifar10: 5e-4).
	WeightDecay float64 `yaml:"weight_decay"`
	// LRSchedule is constant, cosine (annealed to 0 over the run) or step (×0.1 every third).
	// Default: per model (seed: constant, strong: cosine).
	LRSchedule string `yaml:"lr_schedule"`
	// Dropout is the strong model's dropout probability before its two linear layers. Default:
	// 0.3 (strong); unused by seed.
	Dropout float64 `yaml:"dropout"`
	// CropPadding is the random crop's padding in pixels (a random shift of up to that many
	// pixels, 0 off). Default: per model and data set (seed: 0; strong: 2, cifar10: 4).
	CropPadding int `yaml:"crop_padding"`
	// HFlip mirrors training images at random. Default: per model and data set (true for the
	// strong model on fashion-mnist and cifar10, false otherwise: digits are not symmetric).
	HFlip *bool `yaml:"hflip"`
	// TrainSize and TestSize use only the first that many images (0: all), for quick runs.
	// Default: 0.
	TrainSize int `yaml:"train_size"`
	TestSize  int `yaml:"test_size"`
	// EvalBatchSize is the batch size of the test evaluations. Default: 250.
	EvalBatchSize int `yaml:"eval_batch_size"`
}

// DefaultCNNConfig returns the defaults of rlrun fit cnn (the seed model on MNIST).
func DefaultCNNConfig() *CNNConfig {
	return &CNNConfig{Common: defaultCommon("cnn", 0), Dataset: "mnist", Model: "seed", BatchSize: 64,
		Momentum: 0.9, WeightDecay: -1, Dropout: -1, CropPadding: -1, EvalBatchSize: 250}
}

// resolve fills the preset-dependent defaults.
func (c *CNNConfig) resolve() {
	if n, err := data.CanonicalName(c.Dataset); err == nil {
		c.Dataset = n
	}
	strong := c.Model == "strong"
	if c.Epochs == 0 {
		c.Epochs = map[bool]int{false: 5, true: 6}[strong]
	}
	if c.Optimizer == "" {
		c.Optimizer = map[bool]string{false: "sgd", true: "adam"}[strong]
	}
	if c.LearningRate == 0 {
		c.LearningRate = map[bool]float64{false: 0.01, true: 0.001}[strong]
	}
	if c.LRSchedule == "" {
		c.LRSchedule = map[bool]string{false: "constant", true: "cosine"}[strong]
	}
	if c.WeightDecay < 0 {
		c.WeightDecay = 0
		if strong && c.Dataset == "cifar10" {
			c.WeightDecay = 5e-4
		}
	}
	if c.Dropout < 0 {
		c.Dropout = 0
		if strong {
			c.Dropout = 0.3
		}
	}
	if c.CropPadding < 0 {
		c.CropPadding = 0
		if strong {
			c.CropPadding = map[bool]int{false: 2, true: 4}[c.Dataset == "cifar10"]
		}
	}
	if c.HFlip == nil {
		f := strong && c.Dataset != "mnist"
		c.HFlip = &f
	}
}

// Validate checks the values.
func (c *CNNConfig) Validate() error {
	var errs []error
	if _, err := data.CanonicalName(c.Dataset); err != nil {
		errs = append(errs, fmt.Errorf("dataset: %w", err))
	}
	errs = append(errs, oneOf("model", c.Model, "seed", "strong"), checkOptimizer(c.Optimizer), checkSchedule(c.LRSchedule))
	if c.BatchSize <= 0 || c.EvalBatchSize <= 0 {
		errs = append(errs, fmt.Errorf("batch_size = %d, eval_batch_size = %d: must be positive", c.BatchSize, c.EvalBatchSize))
	}
	if c.LearningRate <= 0 || c.Momentum < 0 || c.WeightDecay < 0 {
		errs = append(errs, fmt.Errorf("learning_rate = %g, momentum = %g, weight_decay = %g: the first must be positive, the others ≥ 0", c.LearningRate, c.Momentum, c.WeightDecay))
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		errs = append(errs, fmt.Errorf("dropout = %g: must be in [0, 1)", c.Dropout))
	}
	if c.CropPadding < 0 || c.TrainSize < 0 || c.TestSize < 0 {
		errs = append(errs, fmt.Errorf("crop_padding, train_size and test_size must be ≥ 0"))
	}
	return errors.Join(errs...)
}

// NewCNN returns the classifier of a preset for c×h×w images and classes classes, initialized
// from rng as PyTorch initializes its layers. Its parameter names are nn.Sequential's, so the
// checkpoint loads into the same PyTorch model (supervised/scripts/torch_cnn.py builds it).
//
//	seed:   Conv(c,32,3,p1) ReLU MaxPool(2) Conv(32,64,3,p1) ReLU MaxPool(2) Flatten Linear(64·h/4·w/4, classes)
//	strong: [Conv(·,k,3,p1) BatchNorm ReLU MaxPool(2)] for k = 32, 64, 128, Flatten,
//	        Dropout Linear(128·h/8·w/8, 256) ReLU Dropout Linear(256, classes)
func NewCNN(rng *rand.Rand, model string, c, h, w, classes int, dropout float64) (*nets.Sequential, error) {
	conv := func(in, out int) *nets.Conv2D {
		return nets.NewConv2D(rng, in, out, nets.Pair(3), true, nets.ConvOptions{Padding: nets.Pair(1)})
	}
	pool := nets.MaxPool2D{Kernel: nets.Pair(2)}
	switch model {
	case "seed":
		if h < 4 || w < 4 {
			return nil, fmt.Errorf("the seed CNN needs images of at least 4×4, not %d×%d", h, w)
		}
		return nets.NewSequential(
			conv(c, 32), nets.ReLU{}, pool,
			conv(32, 64), nets.ReLU{}, pool,
			nets.Flatten{}, nets.NewLinear(rng, 64*(h/4)*(w/4), classes, true),
		), nil
	case "strong":
		if h < 8 || w < 8 {
			return nil, fmt.Errorf("the strong CNN needs images of at least 8×8, not %d×%d", h, w)
		}
		return nets.NewSequential(
			conv(c, 32), nets.NewBatchNorm2D(32), nets.ReLU{}, pool,
			conv(32, 64), nets.NewBatchNorm2D(64), nets.ReLU{}, pool,
			conv(64, 128), nets.NewBatchNorm2D(128), nets.ReLU{}, pool,
			nets.Flatten{}, nets.Dropout{P: dropout}, nets.NewLinear(rng, 128*(h/8)*(w/8), 256, true), nets.ReLU{},
			nets.Dropout{P: dropout}, nets.NewLinear(rng, 256, classes, true),
		), nil
	}
	return nil, fmt.Errorf("unknown model %q (seed or strong)", model)
}

// cnnTask trains a CNNConfig.
type cnnTask struct {
	cfg         *CNNConfig
	env         taskEnv
	train, test *data.Images
	norm        data.Normalize
	model       *nets.Sequential
	opt         nets.Optimizer
	sched       nets.Schedule
	g           *nets.Graph
	loader      *data.ImageLoader
	perEpoch    int64
	st          cnnState
}

// cnnState is the task's counters: everything besides weights and optimizer that resume needs.
type cnnState struct {
	Step int64 `json:"step"`
	// The current epoch's sums (train/loss and train/accuracy at its end).
	EpochLoss    float64 `json:"epoch_loss"`
	EpochCorrect int64   `json:"epoch_correct"`
	EpochCount   int64   `json:"epoch_count"`
	// The current log interval's loss sum and step count.
	IntervalLoss  float64 `json:"interval_loss"`
	IntervalSteps int64   `json:"interval_steps"`
	// LastTestAccuracy is the latest epoch's test accuracy (for the progress bar).
	LastTestAccuracy float64 `json:"last_test_accuracy"`
}

func newCNNTask(c *CNNConfig, env taskEnv) (*cnnTask, error) {
	train, test, err := data.LoadImages(c.Dataset, c.Data)
	if err != nil {
		return nil, err
	}
	train, test = train.Subset(c.TrainSize), test.Subset(c.TestSize)
	env.note("%s: %d training and %d test images of %d×%d×%d", c.Dataset, train.Len(), test.Len(), train.C, train.H, train.W)
	t := &cnnTask{cfg: c, env: env, train: train, test: test, norm: train.ChannelStats(), g: nets.NewGraph()}
	rng := rand.New(rand.NewPCG(c.Seed, 0xc22))
	if t.model, err = NewCNN(rng, c.Model, train.C, train.H, train.W, len(train.Classes), c.Dropout); err != nil {
		return nil, err
	}
	if t.opt, err = newOptimizer(c.Optimizer, t.model.Params(), c.LearningRate, c.Momentum, c.WeightDecay, 0); err != nil {
		return nil, err
	}
	t.perEpoch = int64(t.loaderConfig().BatchesPerEpoch(train))
	if t.perEpoch == 0 {
		return nil, fmt.Errorf("%d training images make no batch of %d", train.Len(), c.BatchSize)
	}
	t.sched = newSchedule(c.LRSchedule, c.LearningRate, t.TotalSteps())
	return t, nil
}

func (t *cnnTask) loaderConfig() data.LoaderConfig {
	c := t.cfg
	return data.LoaderConfig{BatchSize: c.BatchSize, Shuffle: true, DropLast: true, Seed: c.Seed, Normalize: t.norm,
		Augment: data.Augment{Pad: c.CropPadding, HFlip: *c.HFlip}, Prefetch: 3}
}

func (t *cnnTask) Steps() int64         { return t.st.Step }
func (t *cnnTask) TotalSteps() int64    { return int64(t.cfg.Epochs) * t.perEpoch }
func (t *cnnTask) StepsPerEpoch() int64 { return t.perEpoch }

func (t *cnnTask) Status() string {
	ep := t.st.Step / t.perEpoch
	s := fmt.Sprintf("epoch %d/%d", min(ep+1, int64(t.cfg.Epochs)), t.cfg.Epochs)
	if t.st.EpochCount > 0 {
		s += fmt.Sprintf("  loss %.4f", t.st.EpochLoss/float64(t.st.EpochCount))
	}
	if ep > 0 {
		s += fmt.Sprintf("  test acc %.4f", t.st.LastTestAccuracy)
	}
	return s
}

func (t *cnnTask) Learn(ctx context.Context, until int64) error {
	until = min(until, t.TotalSteps())
	if t.st.Step >= until {
		return nil
	}
	if t.loader == nil {
		var err error
		// The loader lives across Learn calls (its own context; Close stops it).
		if t.loader, err = data.NewImageLoader(context.Background(), t.train, t.loaderConfig(), t.st.Step, t.TotalSteps()); err != nil {
			return err
		}
	}
	g := t.g
	for t.st.Step < until {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := t.loader.Next()
		if err != nil {
			return fmt.Errorf("loading batch %d: %w", t.st.Step, err)
		}
		step := t.st.Step
		g.Reset()
		g.SetRand(stepRand(t.cfg.Seed, 1, step))
		logits := t.model.Forward(g, b.X)
		loss := g.CrossEntropyLoss(logits, b.Labels, nets.CrossEntropyOptions{})
		lv := float64(loss.Data[0])
		if !finite(lv) {
			return fmt.Errorf("cnn: training loss is %v at step %d (epoch %d); lower learning_rate", lv, step, step/t.perEpoch+1)
		}
		t.opt.ZeroGrad()
		g.Backward(loss)
		t.opt.SetLR(t.sched.At(int(step)))
		t.opt.Step()
		n := len(b.Labels)
		nc := logits.Shape[1]
		for i, y := range b.Labels {
			if argmax(logits.Data[i*nc:(i+1)*nc]) == y {
				t.st.EpochCorrect++
			}
		}
		t.st.EpochLoss += lv * float64(n)
		t.st.EpochCount += int64(n)
		t.st.IntervalLoss += lv
		t.st.IntervalSteps++
		t.st.Step++
		if t.st.Step%int64(t.cfg.LogInterval) == 0 {
			t.env.log(t.st.Step, "losses/train_loss", t.st.IntervalLoss/float64(t.st.IntervalSteps))
			t.st.IntervalLoss, t.st.IntervalSteps = 0, 0
		}
		if t.st.Step%t.perEpoch == 0 {
			if err := t.endEpoch(); err != nil {
				return err
			}
		}
	}
	return nil
}

// endEpoch evaluates on the test set and logs the epoch's figures.
func (t *cnnTask) endEpoch() error {
	ev, err := evaluateClassifier(t.model, t.test, t.norm, t.cfg.EvalBatchSize, false)
	if err != nil {
		return err
	}
	s := t.st.Step
	t.env.log(s, "charts/epoch", float64(s/t.perEpoch))
	t.env.log(s, "charts/learning_rate", t.opt.LR())
	t.env.log(s, "train/loss", t.st.EpochLoss/float64(t.st.EpochCount))
	t.env.log(s, "train/accuracy", float64(t.st.EpochCorrect)/float64(t.st.EpochCount))
	t.env.log(s, "test/loss", ev.Loss)
	t.env.log(s, "test/accuracy", ev.Accuracy)
	t.st.EpochLoss, t.st.EpochCorrect, t.st.EpochCount = 0, 0, 0
	t.st.LastTestAccuracy = ev.Accuracy
	return nil
}

// ClassifierEval is the result of evaluating a classifier on a labelled set.
type ClassifierEval struct {
	Loss, Accuracy float64
	// Confusion[i][j] counts images of class i predicted as j (only when asked for).
	Confusion [][]int
}

// evaluateClassifier runs model in eval mode over d and returns the mean cross-entropy and the
// accuracy (and the confusion matrix when confusion).
func evaluateClassifier(model nets.Layer, d *data.Images, norm data.Normalize, batch int, confusion bool) (*ClassifierEval, error) {
	l, err := data.NewImageLoader(context.Background(), d, data.LoaderConfig{BatchSize: batch, Normalize: norm}, 0,
		int64(data.LoaderConfig{BatchSize: batch}.BatchesPerEpoch(d)))
	if err != nil {
		return nil, err
	}
	defer l.Close()
	k := len(d.Classes)
	ev := &ClassifierEval{}
	if confusion {
		ev.Confusion = make([][]int, k)
		for i := range ev.Confusion {
			ev.Confusion[i] = make([]int, k)
		}
	}
	g := nets.NewInference()
	var sum float64
	correct := 0
	for {
		b, err := l.Next()
		if err != nil {
			break
		}
		g.Reset()
		logits := model.Forward(g, b.X)
		sum += float64(g.CrossEntropyLoss(logits, b.Labels, nets.CrossEntropyOptions{Reduction: nets.ReduceSum}).Data[0])
		for i, y := range b.Labels {
			p := argmax(logits.Data[i*k : (i+1)*k])
			if p == y {
				correct++
			}
			if confusion {
				ev.Confusion[y][p]++
			}
		}
	}
	ev.Loss = sum / float64(d.Len())
	ev.Accuracy = float64(correct) / float64(d.Len())
	return ev, nil
}

// cnnMeta is the model file's metadata: what LoadClassifier needs to rebuild and feed the model.
func (t *cnnTask) meta() map[string]string {
	return map[string]string{
		"gorl.task": "cnn", "model": t.cfg.Model, "dataset": t.cfg.Dataset,
		"channels": strconv.Itoa(t.train.C), "height": strconv.Itoa(t.train.H), "width": strconv.Itoa(t.train.W),
		"classes": jsonString(t.train.Classes), "normalize": jsonString(t.norm), "dropout": strconv.FormatFloat(t.cfg.Dropout, 'g', -1, 64),
	}
}

func (t *cnnTask) Save(dir string) error {
	return saveTraining(dir, t.model, t.meta(), t.opt, &t.st)
}

func (t *cnnTask) Load(dir string) error {
	if t.loader != nil {
		return errors.New("cnn: Load after training started")
	}
	return loadTraining(dir, t.model, t.opt, &t.st)
}

func (t *cnnTask) Finish(dir string) (map[string]any, string, error) {
	ev, err := evaluateClassifier(t.model, t.test, t.norm, t.cfg.EvalBatchSize, true)
	if err != nil {
		return nil, "", err
	}
	if err := plotCurves(dir, filepath.Join(dir, "curves.png"), t.cfg.Dataset+", "+t.cfg.Model+" CNN"); err != nil {
		t.env.note("curves not drawn: %v", err)
	}
	if err := plotConfusion(filepath.Join(dir, "confusion.png"), ev.Confusion, t.test.Classes,
		fmt.Sprintf("%s test set, accuracy %.2f%%", t.cfg.Dataset, 100*ev.Accuracy)); err != nil {
		return nil, "", err
	}
	f := map[string]any{
		"dataset": t.cfg.Dataset, "model": t.cfg.Model, "test_accuracy": ev.Accuracy, "test_loss": ev.Loss,
		"test_images": t.test.Len(), "train_images": t.train.Len(), "params": nets.NumParams(t.model.Params()),
	}
	if err := writeConfusionCSV(filepath.Join(dir, "confusion.csv"), ev.Confusion, t.test.Classes); err != nil {
		return nil, "", err
	}
	sum := fmt.Sprintf("test accuracy %.2f%% (loss %.4f) on %d %s test images", 100*ev.Accuracy, ev.Loss, t.test.Len(), t.cfg.Dataset)
	if math.IsNaN(ev.Loss) {
		sum += " (NaN loss)"
	}
	return f, sum, nil
}

func (t *cnnTask) Close() error {
	if t.loader != nil {
		t.loader.Close()
		t.loader = nil
	}
	return nil
}

// writeConfusionCSV writes the confusion matrix as CSV: a header of predicted classes, then one
// row per true class.
func writeConfusionCSV(path string, m [][]int, classes []string) error {
	var b strings.Builder
	b.WriteString("true\\predicted")
	for _, c := range classes {
		b.WriteString("," + c)
	}
	b.WriteByte('\n')
	for i, row := range m {
		b.WriteString(classes[i])
		for _, v := range row {
			b.WriteString("," + strconv.Itoa(v))
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
