package supervised

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/supervised/data"
)

// AutoencoderConfig configures `rlrun fit autoencoder mnist`: an encoder to a small code and a
// decoder back to the image, trained to reproduce its input (binary cross-entropy on pixel
// intensities in [0, 1], the decoder's last layer giving logits). With a 2-D code the run also
// draws the test set's codes coloured by class (latent.png) and the images decoded from a grid of
// codes (manifold.png), as ConvNetJS's autoencoder demo does.
type AutoencoderConfig struct {
	Common `yaml:",inline"`
	// Dataset is mnist or fashion-mnist (cifar10 works with arch conv). Default: mnist.
	Dataset string `yaml:"dataset"`
	// Data is the data set's directory ("" for the default place). Default: "".
	Data string `yaml:"data"`
	// Arch is dense (Linear layers of Hidden sizes, ReLU) or conv (two stride-2 convolutions of 16
	// and 32 channels, mirrored by transposed convolutions). Default: dense.
	Arch string `yaml:"arch"`
	// CodeSize is the size of the code. Default: 2.
	CodeSize int `yaml:"code_size"`
	// Hidden are the dense encoder's hidden sizes (the decoder mirrors them). Default: [512, 128].
	Hidden []int `yaml:"hidden"`
	// BatchSize is the number of images a step. Default: 128.
	BatchSize int `yaml:"batch_size"`
	// LearningRate is Adam's learning rate. Default: 0.001.
	LearningRate float64 `yaml:"learning_rate"`
	// TrainSize and TestSize use only the first that many images (0: all). Default: 0.
	TrainSize int `yaml:"train_size"`
	TestSize  int `yaml:"test_size"`
}

// DefaultAutoencoderConfig returns the defaults of rlrun fit autoencoder.
func DefaultAutoencoderConfig() *AutoencoderConfig {
	return &AutoencoderConfig{Common: defaultCommon("autoencoder", 20), Dataset: "mnist", Arch: "dense", CodeSize: 2,
		Hidden: []int{512, 128}, BatchSize: 128, LearningRate: 1e-3}
}

func (c *AutoencoderConfig) resolve() {
	if n, err := data.CanonicalName(c.Dataset); err == nil {
		c.Dataset = n
	}
}

// Validate checks the values.
func (c *AutoencoderConfig) Validate() error {
	var errs []error
	if _, err := data.CanonicalName(c.Dataset); err != nil {
		errs = append(errs, fmt.Errorf("dataset: %w", err))
	}
	errs = append(errs, oneOf("arch", c.Arch, "dense", "conv"))
	if c.CodeSize <= 0 || c.BatchSize <= 0 || c.LearningRate <= 0 || c.TrainSize < 0 || c.TestSize < 0 {
		errs = append(errs, errors.New("code_size, batch_size and learning_rate must be positive, train_size and test_size ≥ 0"))
	}
	if slices.ContainsFunc(c.Hidden, func(h int) bool { return h <= 0 }) {
		errs = append(errs, fmt.Errorf("hidden = %v: sizes must be positive", c.Hidden))
	}
	return errors.Join(errs...)
}

// Autoencoder is an encoder and a decoder (PyTorch attribute names encoder and decoder). The
// decoder's output is logits: sigmoid gives the pixels.
type Autoencoder struct {
	Encoder, Decoder *nets.Sequential
}

// Params returns encoder.* and decoder.*.
func (a *Autoencoder) Params() []nets.NamedTensor {
	return append(nets.Prefix("encoder.", a.Encoder.Params()), nets.Prefix("decoder.", a.Decoder.Params())...)
}

var _ nets.Module = (*Autoencoder)(nil)

// NewAutoencoder returns a dense or convolutional autoencoder for c×h×w images.
func NewAutoencoder(rng *rand.Rand, arch string, c, h, w, code int, hidden []int) (*Autoencoder, error) {
	switch arch {
	case "dense":
		in := c * h * w
		enc := []nets.Layer{nets.Flatten{}}
		prev := in
		for _, n := range hidden {
			enc = append(enc, nets.NewLinear(rng, prev, n, true), nets.ReLU{})
			prev = n
		}
		enc = append(enc, nets.NewLinear(rng, prev, code, true))
		var dec []nets.Layer
		prev = code
		for _, n := range slices.Backward(hidden) {
			dec = append(dec, nets.NewLinear(rng, prev, n, true), nets.ReLU{})
			prev = n
		}
		dec = append(dec, nets.NewLinear(rng, prev, in, true), nets.Reshape{Shape: []int{c, h, w}})
		return &Autoencoder{Encoder: nets.NewSequential(enc...), Decoder: nets.NewSequential(dec...)}, nil
	case "conv":
		if h%4 != 0 || w%4 != 0 {
			return nil, fmt.Errorf("the conv autoencoder needs image sides that are multiples of 4, not %d×%d", h, w)
		}
		s := nets.ConvOptions{Stride: nets.Pair(2), Padding: nets.Pair(1)}
		flat := 32 * (h / 4) * (w / 4)
		return &Autoencoder{
			Encoder: nets.NewSequential(
				nets.NewConv2D(rng, c, 16, nets.Pair(3), true, s), nets.ReLU{},
				nets.NewConv2D(rng, 16, 32, nets.Pair(3), true, s), nets.ReLU{},
				nets.Flatten{}, nets.NewLinear(rng, flat, code, true)),
			Decoder: nets.NewSequential(
				nets.NewLinear(rng, code, flat, true), nets.ReLU{}, nets.Reshape{Shape: []int{32, h / 4, w / 4}},
				nets.NewConvTranspose2D(rng, 32, 16, nets.Pair(4), true, s), nets.ReLU{},
				nets.NewConvTranspose2D(rng, 16, c, nets.Pair(4), true, s)),
		}, nil
	}
	return nil, fmt.Errorf("arch %q: choose dense or conv", arch)
}

type aeTask struct {
	cfg         *AutoencoderConfig
	env         taskEnv
	train, test *data.Images
	model       *Autoencoder
	opt         nets.Optimizer
	g           *nets.Graph
	loader      *data.ImageLoader
	perEpoch    int64
	st          aeState
}

type aeState struct {
	Step          int64   `json:"step"`
	EpochLoss     float64 `json:"epoch_loss"`
	EpochCount    int64   `json:"epoch_count"`
	IntervalLoss  float64 `json:"interval_loss"`
	IntervalSteps int64   `json:"interval_steps"`
	LastTestLoss  float64 `json:"last_test_loss"`
}

func newAutoencoderTask(c *AutoencoderConfig, env taskEnv) (*aeTask, error) {
	train, test, err := data.LoadImages(c.Dataset, c.Data)
	if err != nil {
		return nil, err
	}
	train, test = train.Subset(c.TrainSize), test.Subset(c.TestSize)
	env.note("%s: %d training and %d test images of %d×%d×%d", c.Dataset, train.Len(), test.Len(), train.C, train.H, train.W)
	t := &aeTask{cfg: c, env: env, train: train, test: test, g: nets.NewGraph()}
	if t.model, err = NewAutoencoder(rand.New(rand.NewPCG(c.Seed, 0xae)), c.Arch, train.C, train.H, train.W, c.CodeSize, c.Hidden); err != nil {
		return nil, err
	}
	if t.opt, err = newOptimizer("adam", t.model.Params(), c.LearningRate, 0, 0, 0); err != nil {
		return nil, err
	}
	t.perEpoch = int64(t.loaderConfig().BatchesPerEpoch(train))
	if t.perEpoch == 0 {
		return nil, fmt.Errorf("%d training images make no batch of %d", train.Len(), c.BatchSize)
	}
	return t, nil
}

// loaderConfig gives pixels in [0, 1]: the input and the reconstruction target.
func (t *aeTask) loaderConfig() data.LoaderConfig {
	return data.LoaderConfig{BatchSize: t.cfg.BatchSize, Shuffle: true, DropLast: true, Seed: t.cfg.Seed, Prefetch: 3}
}

func (t *aeTask) Steps() int64         { return t.st.Step }
func (t *aeTask) TotalSteps() int64    { return int64(t.cfg.Epochs) * t.perEpoch }
func (t *aeTask) StepsPerEpoch() int64 { return t.perEpoch }

func (t *aeTask) Status() string {
	s := fmt.Sprintf("epoch %d/%d", min(t.st.Step/t.perEpoch+1, int64(t.cfg.Epochs)), t.cfg.Epochs)
	if t.st.EpochCount > 0 {
		s += fmt.Sprintf("  loss %.4f", t.st.EpochLoss/float64(t.st.EpochCount))
	}
	if t.st.Step >= t.perEpoch {
		s += fmt.Sprintf("  test %.4f", t.st.LastTestLoss)
	}
	return s
}

func (t *aeTask) Learn(ctx context.Context, until int64) error {
	until = min(until, t.TotalSteps())
	if t.st.Step >= until {
		return nil
	}
	if t.loader == nil {
		var err error
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
		g.Reset()
		logits := t.model.Decoder.Forward(g, t.model.Encoder.Forward(g, b.X))
		loss := g.BCEWithLogitsLoss(logits, b.X, nets.BCEOptions{})
		lv := float64(loss.Data[0])
		if !finite(lv) {
			return fmt.Errorf("autoencoder: training loss is %v at step %d", lv, t.st.Step)
		}
		t.opt.ZeroGrad()
		g.Backward(loss)
		t.opt.Step()
		t.st.EpochLoss += lv * float64(len(b.Labels))
		t.st.EpochCount += int64(len(b.Labels))
		t.st.IntervalLoss += lv
		t.st.IntervalSteps++
		t.st.Step++
		if t.st.Step%int64(t.cfg.LogInterval) == 0 {
			t.env.log(t.st.Step, "losses/train_loss", t.st.IntervalLoss/float64(t.st.IntervalSteps))
			t.st.IntervalLoss, t.st.IntervalSteps = 0, 0
		}
		if t.st.Step%t.perEpoch == 0 {
			ev := t.evaluate(false)
			s := t.st.Step
			t.env.log(s, "charts/epoch", float64(s/t.perEpoch))
			t.env.log(s, "train/loss", t.st.EpochLoss/float64(t.st.EpochCount))
			t.env.log(s, "test/loss", ev.BCE)
			t.env.log(s, "test/mse", ev.MSE)
			t.st.EpochLoss, t.st.EpochCount = 0, 0
			t.st.LastTestLoss = ev.BCE
		}
	}
	return nil
}

// aeEval is the reconstruction error on the test set: BCE (the training loss) and MSE of the
// pixels in [0, 1], per pixel; with codes, the code of every test image.
type aeEval struct {
	BCE, MSE float64
	Codes    []float32
	Labels   []int
}

func (t *aeTask) evaluate(codes bool) aeEval {
	const batch = 500
	cfg := data.LoaderConfig{BatchSize: batch}
	l, err := data.NewImageLoader(context.Background(), t.test, cfg, 0, int64(cfg.BatchesPerEpoch(t.test)))
	if err != nil {
		panic(fmt.Sprintf("supervised: autoencoder evaluation loader: %v", err)) // the config is fixed and valid
	}
	defer l.Close()
	g := nets.NewInference()
	var ev aeEval
	var bce, se float64
	var n int
	for {
		b, err := l.Next()
		if err != nil {
			break
		}
		g.Reset()
		code := t.model.Encoder.Forward(g, b.X)
		if codes {
			ev.Codes = append(ev.Codes, code.Data...)
			ev.Labels = append(ev.Labels, b.Labels...)
		}
		logits := t.model.Decoder.Forward(g, code)
		bce += float64(g.BCEWithLogitsLoss(logits, b.X, nets.BCEOptions{Reduction: nets.ReduceSum}).Data[0])
		for i, v := range logits.Data {
			d := 1/(1+math.Exp(-float64(v))) - float64(b.X.Data[i])
			se += d * d
		}
		n += len(b.X.Data)
	}
	ev.BCE, ev.MSE = bce/float64(n), se/float64(n)
	return ev
}

// decode returns the images (pixels in [0, 1]) of codes [n, CodeSize].
func (t *aeTask) decode(codes []float32, n int) []float32 {
	g := nets.NewInference()
	logits := t.model.Decoder.Forward(g, nets.FromData(codes, n, t.cfg.CodeSize))
	px := make([]float32, len(logits.Data))
	for i, v := range logits.Data {
		px[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	return px
}

func (t *aeTask) Save(dir string) error {
	meta := map[string]string{"gorl.task": "autoencoder", "arch": t.cfg.Arch, "code_size": fmt.Sprint(t.cfg.CodeSize)}
	return saveTraining(dir, t.model, meta, t.opt, &t.st)
}

func (t *aeTask) Load(dir string) error {
	if t.loader != nil {
		return errors.New("autoencoder: Load after training started")
	}
	return loadTraining(dir, t.model, t.opt, &t.st)
}

func (t *aeTask) Finish(dir string) (map[string]any, string, error) {
	ev := t.evaluate(t.cfg.CodeSize == 2)
	if err := plotPanels(dir, filepath.Join(dir, "curves.png"), "autoencoder on "+t.cfg.Dataset, "charts/epoch", []panel{
		{Title: "reconstruction loss", YLabel: "BCE per pixel", Keys: []string{"train/loss", "test/loss"}, Labels: []string{"train", "test"}},
	}); err != nil {
		t.env.note("curves not drawn: %v", err)
	}
	// Reconstructions: rows of 10 test images, each followed by a row of their reconstructions.
	d := t.test
	n := min(40, d.Len())
	sz := d.Size()
	orig := make([]float32, n*sz)
	for i := range n {
		for j, p := range d.Image(i) {
			orig[i*sz+j] = float32(p) / 255
		}
	}
	g := nets.NewInference()
	logits := t.model.Decoder.Forward(g, t.model.Encoder.Forward(g, nets.FromData(slices.Clone(orig), n, d.C, d.H, d.W)))
	var grid []float32
	rows := 0
	for r := 0; r < n; r += 10 {
		hi := min(r+10, n)
		grid = append(grid, orig[r*sz:hi*sz]...)
		grid = append(grid, make([]float32, (10-(hi-r))*sz)...)
		for _, v := range logits.Data[r*sz : hi*sz] {
			grid = append(grid, float32(1/(1+math.Exp(-float64(v)))))
		}
		grid = append(grid, make([]float32, (10-(hi-r))*sz)...)
		rows += 2
	}
	if err := writeGrid(filepath.Join(dir, "reconstructions.png"), grid, rows*10, d.C, d.H, d.W, 10, 3); err != nil {
		return nil, "", err
	}
	f := map[string]any{"dataset": t.cfg.Dataset, "arch": t.cfg.Arch, "code_size": t.cfg.CodeSize,
		"test_bce": ev.BCE, "test_mse": ev.MSE, "test_images": d.Len(), "params": nets.NumParams(t.model.Params())}
	sum := fmt.Sprintf("test reconstruction error: BCE %.4f, MSE %.4f per pixel; images in reconstructions.png", ev.BCE, ev.MSE)
	if t.cfg.CodeSize == 2 {
		if err := plotLatent(filepath.Join(dir, "latent.png"), ev.Codes, ev.Labels, d.Classes,
			fmt.Sprintf("%s test set in the 2-D code space", t.cfg.Dataset)); err != nil {
			return nil, "", err
		}
		if err := t.writeManifold(filepath.Join(dir, "manifold.png"), ev.Codes); err != nil {
			return nil, "", err
		}
		sum += ", latent.png and manifold.png"
	}
	return f, sum, nil
}

// writeManifold decodes a 16×16 grid of codes spanning the 2nd to 98th percentile of the test
// codes on each axis.
func (t *aeTask) writeManifold(path string, codes []float32) error {
	const k = 16
	var lo, hi [2]float64
	for a := range 2 {
		v := make([]float64, 0, len(codes)/2)
		for i := a; i < len(codes); i += 2 {
			v = append(v, float64(codes[i]))
		}
		slices.Sort(v)
		lo[a], hi[a] = v[len(v)*2/100], v[len(v)*98/100]
	}
	grid := make([]float32, 0, 2*k*k)
	for r := range k {
		for c := range k {
			grid = append(grid, float32(lo[0]+(hi[0]-lo[0])*float64(c)/(k-1)), float32(hi[1]-(hi[1]-lo[1])*float64(r)/(k-1)))
		}
	}
	d := t.test
	return writeGrid(path, t.decode(grid, k*k), k*k, d.C, d.H, d.W, k, 2)
}

func (t *aeTask) Close() error {
	if t.loader != nil {
		t.loader.Close()
		t.loader = nil
	}
	return nil
}
