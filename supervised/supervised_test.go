package supervised

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gorl/gorl/supervised/synth"
)

// tinyMNIST is a directory of synthetic 28×28 digits in MNIST's format, shared by the tests.
var tinyMNIST = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gorl-supervised-test")
	if err != nil {
		return "", err
	}
	return synth.MNISTDir(dir, 64, 32)
})

func mnistDir(t *testing.T) string {
	t.Helper()
	dir, err := tinyMNIST()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := tinyMNIST(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// config returns task's default config with sets applied.
func config(t *testing.T, task string, sets ...string) Config {
	t.Helper()
	cfg, err := NewConfig(task)
	if err != nil {
		t.Fatal(err)
	}
	if err := Set(cfg, sets); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func tinyConfig(t *testing.T, task string, extra ...string) Config {
	t.Helper()
	var sets []string
	switch task {
	case "cnn":
		sets = []string{"data=" + mnistDir(t), "batch_size=16", "epochs=2", "eval_batch_size=16", "log_interval=2"}
	case "gan":
		sets = []string{"data=" + mnistDir(t), "batch_size=16", "epochs=2", "gen_features=4", "disc_features=4", "latent_size=8", "log_interval=2"}
	case "autoencoder":
		sets = []string{"data=" + mnistDir(t), "batch_size=16", "epochs=2", "hidden=[16]", "log_interval=2"}
	case "charrnn":
		corpus, err := synth.GoCorpus(filepath.Join(t.TempDir(), "corpus"), 6)
		if err != nil {
			t.Fatal(err)
		}
		sets = []string{"corpus=" + corpus, "hidden_size=16", "seq_length=8", "batch_size=4", "max_steps=30",
			"eval_every=10", "log_interval=5", "val_fraction=0.3", "val_chars=256",
			// The tiny runs keep the rate and schedule they were written for, not the long
			// run's defaults.
			"learning_rate=0.002", "lr_schedule=cosine"}
	}
	return config(t, task, append(sets, extra...)...)
}

// train runs a whole training run in out and returns its directory.
func train(t *testing.T, cfg Config, out string) (*Run, *Result) {
	t.Helper()
	r, err := Create(cfg, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := r.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return r, res
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFitCNN(t *testing.T) {
	r, res := train(t, tinyConfig(t, "cnn"), t.TempDir())
	for _, f := range []string{ConfigFile, MetricsFile, TimingFile, EvalFile, "curves.png", "confusion.png", "confusion.csv", "checkpoints/latest"} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	var ev map[string]any
	json.Unmarshal(readFile(t, filepath.Join(r.Dir, EvalFile)), &ev)
	for _, k := range []string{"test_accuracy", "test_loss", "epochs", "train_seconds", "steps", "checkpoint"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("eval.json lacks %s: %v", k, ev)
		}
	}
	if ev["epochs"] != 2.0 || ev["steps"] != 8.0 || ev["test_images"] != 32.0 {
		t.Errorf("eval.json %v", ev)
	}
	rows, err := ReadMetrics(filepath.Join(r.Dir, MetricsFile), "test/accuracy", "train/loss", "charts/epoch", "losses/train_loss")
	if err != nil || len(rows) != 2*3+4 {
		t.Fatalf("metrics: %v %v", rows, err)
	}
	if !strings.Contains(res.Summary, "test accuracy") {
		t.Error(res.Summary)
	}
}

// TestCNNLearns trains the seed CNN for a few epochs on the synthetic digits: it must beat
// chance by far (the classes are squares at ten places).
func TestCNNLearns(t *testing.T) {
	_, res := train(t, tinyConfig(t, "cnn", "epochs=5", "learning_rate=0.05"), t.TempDir())
	if acc := res.Fields["test_accuracy"].(float64); acc < 0.8 {
		t.Fatalf("test accuracy %.3f after 5 epochs of synthetic digits", acc)
	}
}

// TestResumeMatchesUninterrupted stops every task mid-run, resumes it from the checkpoint, and
// compares metrics.csv and the final weights with an uninterrupted run: byte for byte.
func TestResumeMatchesUninterrupted(t *testing.T) {
	cases := []struct {
		task string
		sets []string
		stop int64
	}{
		{"cnn", []string{"model=strong", "crop_padding=2", "hflip=true"}, 3},
		{"charrnn", []string{"cell=gru"}, 13},
		{"charrnn", nil, 13},
		{"gan", nil, 5},
		{"autoencoder", []string{"arch=conv"}, 3},
	}
	// A convolution's weight gradient adds up per-goroutine partial sums, and which samples a
	// goroutine takes depends on scheduling: with several threads two runs agree to float32
	// rounding, not bit for bit. One thread makes every run exactly reproducible.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, c := range cases {
		t.Run(c.task+strings.Join(c.sets, ","), func(t *testing.T) {
			cfg := tinyConfig(t, c.task, c.sets...)
			a, _ := train(t, cfg, t.TempDir())

			cfg2 := tinyConfig(t, c.task, c.sets...)
			if cc, ok := cfg2.(*CharRNNConfig); ok { // the same corpus
				cc.Corpus = cfg.(*CharRNNConfig).Corpus
			}
			b, err := Create(cfg2, t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Advance(context.Background(), 2); err != nil { // chunks of any size
				t.Fatal(err)
			}
			if err := b.Advance(context.Background(), c.stop); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Checkpoint(false); err != nil {
				t.Fatal(err)
			}
			b.Advance(context.Background(), c.stop+3) // lost work: logged after the checkpoint
			b.Close()
			rb, err := Resume(b.Dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rb.Close() })
			if rb.Steps() != c.stop {
				t.Fatalf("resumed at step %d, want %d", rb.Steps(), c.stop)
			}
			if err := rb.Train(context.Background()); err != nil {
				t.Fatal(err)
			}
			if ma, mb := readFile(t, filepath.Join(a.Dir, MetricsFile)), readFile(t, filepath.Join(b.Dir, MetricsFile)); !bytes.Equal(ma, mb) {
				t.Fatalf("metrics.csv differs after resume:\n%s\n---\n%s", ma, mb)
			}
			cka, _ := LatestCheckpoint(a.Dir)
			ckb, _ := LatestCheckpoint(b.Dir)
			for _, f := range []string{ModelFile, stateFile} {
				if !bytes.Equal(readFile(t, filepath.Join(cka, f)), readFile(t, filepath.Join(ckb, f))) {
					t.Fatalf("%s differs after resume", f)
				}
			}
			if rb2, err := Resume(b.Dir, nil); err != nil || !rb2.Finished() {
				t.Fatalf("resuming a finished run: finished %v, %v", rb2 != nil && rb2.Finished(), err)
			} else {
				rb2.Close()
			}
		})
	}
}

func TestInterruptWritesCheckpoint(t *testing.T) {
	r, err := Create(tinyConfig(t, "autoencoder"), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = r.Train(ctx)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("Train on a cancelled context: %v", err)
	}
	if _, err := LatestCheckpoint(r.Dir); err != nil {
		t.Fatal(err)
	}
}

func TestFitGANJudgedByCNN(t *testing.T) {
	out := t.TempDir()
	cnn, _ := train(t, tinyConfig(t, "cnn", "epochs=1"), out)
	r, res := train(t, tinyConfig(t, "gan", "judge="+cnn.Dir, "judge_samples=50"), out)
	for _, f := range []string{"samples.png", "samples/epoch-001.png", "samples/epoch-002.png", "curves.png"} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	j, ok := res.Fields["judge"].(GANJudgement)
	if !ok || j.Samples != 50 || len(j.ClassShares) != 10 {
		t.Fatalf("judge: %#v", res.Fields["judge"])
	}
	sum := 0.0
	for _, s := range j.ClassShares {
		sum += s
	}
	if sum < 0.999 || sum > 1.001 || j.ConfidentShare < 0 || j.ConfidentShare > 1 {
		t.Fatalf("class shares %v sum to %v", j.ClassShares, sum)
	}
	// A judge that is not a classifier is a clear error.
	bad := tinyConfig(t, "gan", "epochs=1", "judge="+r.Dir)
	rb, err := Create(bad, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	rb.Train(context.Background())
	if _, err := rb.Finish(); err == nil || !strings.Contains(err.Error(), "not a cnn classifier") {
		t.Fatalf("judging with a GAN: %v", err)
	}
}

func TestFitAutoencoder(t *testing.T) {
	r, res := train(t, tinyConfig(t, "autoencoder"), t.TempDir())
	for _, f := range []string{"reconstructions.png", "latent.png", "manifold.png", "curves.png"} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if mse := res.Fields["test_mse"].(float64); mse <= 0 || mse > 0.3 {
		t.Errorf("test MSE %v", mse)
	}
	// No latent plot without a 2-D code.
	r2, _ := train(t, tinyConfig(t, "autoencoder", "code_size=3", "epochs=1"), t.TempDir())
	if _, err := os.Stat(filepath.Join(r2.Dir, "latent.png")); err == nil {
		t.Error("latent.png drawn for a 3-D code")
	}
}

// TestCharRNNLearnsGo trains a small LSTM on a repetitive Go corpus: the validation loss falls
// far below the untrained model's and its samples tokenize as Go more often than an untrained
// model's.
func TestCharRNNLearnsGo(t *testing.T) {
	cfg := tinyConfig(t, "charrnn", "hidden_size=64", "seq_length=32", "batch_size=8", "max_steps=150", "eval_every=150",
		"learning_rate=0.01", "epochs=20", "val_chars=4096")
	r, res := train(t, cfg, t.TempDir())
	if v := res.Fields["val_loss"].(float64); v > 1.5 { // untrained: ln(vocabulary) ≈ 3.5
		t.Fatalf("validation loss %.3f after 150 steps on a repetitive corpus", v)
	}
	m, err := LoadCharModel(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	text := (&Sampler{Model: m}).Sample("func ", 3000, 0.8, rng)
	share, lines := GoLineShare(text)
	untrained, _ := NewCharModel(rand.New(rand.NewPCG(3, 4)), "lstm", m.Vocab, 64, 2)
	base, _ := GoLineShare((&Sampler{Model: untrained}).Sample("func ", 3000, 0.8, rng))
	t.Logf("%.1f%% of %d sampled lines tokenize as Go (untrained model: %.1f%%)", 100*share, lines, 100*base)
	if share < 0.75 || share < base+0.2 {
		t.Fatalf("%.2f of the trained model's lines tokenize (untrained %.2f):\n%s", share, base, text)
	}
	if !strings.HasPrefix(text, "func ") {
		t.Error("the sample does not start with the prime")
	}
}

func TestGoLineShare(t *testing.T) {
	share, n := GoLineShare("package main\n\nfunc f() int {\n\treturn 1 + x\n}\n")
	if share != 1 || n != 4 {
		t.Fatalf("Go code: %v of %d lines", share, n)
	}
	share, n = GoLineShare("x := \"unterminated\n#include <stdio.h>\ny := 'ab'\nok := 1\n")
	if share != 0.25 || n != 4 {
		t.Fatalf("mixed: %v of %d lines", share, n)
	}
	if s, n := GoLineShare("\n \n"); s != 0 || n != 0 {
		t.Fatal("blank text")
	}
}

func TestSamplerTemperature(t *testing.T) {
	cfg := tinyConfig(t, "charrnn", "max_steps=10")
	r, _ := train(t, cfg, t.TempDir())
	m, err := LoadCharModel(filepath.Join(r.Dir, "checkpoints", "step-000000010")) // a checkpoint directory
	if err != nil {
		t.Fatal(err)
	}
	s := &Sampler{Model: m}
	a := s.Sample("x", 200, 1, rand.New(rand.NewPCG(5, 5)))
	b := s.Sample("x", 200, 1, rand.New(rand.NewPCG(5, 5)))
	if a != b || len(a) != 201 {
		t.Fatalf("samples with one seed differ or have the wrong length: %d", len(a))
	}
	// A very low temperature is greedy: two different seeds give the same text.
	c := s.Sample("x", 50, 1e-4, rand.New(rand.NewPCG(1, 1)))
	d := s.Sample("x", 50, 1e-4, rand.New(rand.NewPCG(2, 2)))
	if c != d {
		t.Fatalf("greedy samples differ:\n%q\n%q", c, d)
	}
	if _, err := LoadCharModel(t.TempDir()); err == nil {
		t.Error("loading a model from an empty directory")
	}
}

func TestConfigSet(t *testing.T) {
	cfg := config(t, "cnn")
	if err := Set(cfg, []string{"learning_rate=0.1", "hflip=true", "model=strong"}); err != nil {
		t.Fatal(err)
	}
	c := cfg.(*CNNConfig)
	if c.LearningRate != 0.1 || !*c.HFlip || c.Model != "strong" {
		t.Fatalf("%+v", c)
	}
	cases := map[string]string{
		"learning_rat=1":     `did you mean "learning_rate"`,
		"learning_rate=fast": `"fast" is not a number`,
		"epochs=1.5":         "is not an integer",
		"task=gan":           "given on the command line",
		"noequals":           "want key=value",
	}
	for set, want := range cases {
		if err := Set(config(t, "cnn"), []string{set}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--set %s: %v, want %q", set, err, want)
		}
	}
	if _, err := NewConfig("transformer"); err == nil || !strings.Contains(err.Error(), "cnn, charrnn, gan, autoencoder") {
		t.Error(err)
	}
	// config.yml round trip, and a typo in it.
	c.resolve()
	y, err := MarshalConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(y, "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	y2, _ := MarshalConfig(back)
	if !bytes.Equal(y, y2) {
		t.Fatalf("round trip:\n%s\n%s", y, y2)
	}
	if _, err := ParseConfig(append(y, []byte("batchsize: 3\n")...), "config.yml"); err == nil || !strings.Contains(err.Error(), `"batch_size"`) {
		t.Errorf("typo in config.yml: %v", err)
	}
	if _, err := ParseConfig([]byte("algo: dqn\n"), "config.yml"); err == nil || !strings.Contains(err.Error(), "no task key") {
		t.Errorf("an rlrun train config: %v", err)
	}
}

func TestPresetDefaults(t *testing.T) {
	seed := config(t, "cnn", "dataset=fashion")
	seed.resolve()
	strong := config(t, "cnn", "model=strong", "dataset=cifar10")
	strong.resolve()
	s, g := seed.(*CNNConfig), strong.(*CNNConfig)
	if s.Dataset != "fashion-mnist" || s.Optimizer != "sgd" || s.LearningRate != 0.01 || s.CropPadding != 0 || *s.HFlip || s.Epochs != 5 {
		t.Errorf("seed preset %+v", s)
	}
	if g.Optimizer != "adam" || g.LRSchedule != "cosine" || g.CropPadding != 4 || !*g.HFlip || g.WeightDecay != 5e-4 || g.Dropout != 0.3 {
		t.Errorf("strong preset %+v", g)
	}
	bad := config(t, "cnn", "model=huge")
	bad.resolve()
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `model = "huge"`) {
		t.Error(err)
	}
}

func TestCreateErrors(t *testing.T) {
	out := t.TempDir()
	cfg := config(t, "cnn", "dataset=cifar10")
	if _, err := Create(cfg, out, nil); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("cifar10 without data: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a failed Create left %d entries in the output directory", len(ents))
	}
	if _, err := Create(config(t, "charrnn", "corpus="+filepath.Join(out, "missing")), out, nil); err == nil {
		t.Error("a missing corpus was accepted")
	}
	if _, err := Resume(out, nil); err == nil || !strings.Contains(err.Error(), "not a run directory") {
		t.Errorf("resuming a non-run: %v", err)
	}
}

// TestTrainedCharRNN is the long check of a char-RNN trained on the Go standard library
// (`rlrun fit charrnn`, about an hour on two busy cores): set GORL_CHARRNN_RUN to its run
// directory. Its validation loss must be below 1.5 nats/char, and at least 80% of the lines it
// samples at temperature 0.8 must tokenize as Go, far more than an untrained model's.
func TestTrainedCharRNN(t *testing.T) {
	dir := os.Getenv("GORL_CHARRNN_RUN")
	if dir == "" {
		t.Skip("set GORL_CHARRNN_RUN to the run directory of rlrun fit charrnn (a long run) to check it")
	}
	var ev map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, EvalFile)), &ev); err != nil {
		t.Fatal(err)
	}
	if v, _ := ev["val_loss"].(float64); v == 0 || v >= 1.5 {
		t.Errorf("validation loss %v nats/char, want < 1.5", ev["val_loss"])
	}
	m, err := LoadCharModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	text := (&Sampler{Model: m}).Sample("\n", 20000, 0.8, rand.New(rand.NewPCG(7, 7)))
	share, lines := GoLineShare(text)
	untrained, _ := NewCharModel(rand.New(rand.NewPCG(3, 4)), "lstm", m.Vocab, m.RNN.HiddenSize, m.RNN.NumLayers())
	base, _ := GoLineShare((&Sampler{Model: untrained}).Sample("\n", 20000, 0.8, rand.New(rand.NewPCG(7, 7))))
	t.Logf("validation loss %.4f; %.1f%% of %d sampled lines tokenize as Go (untrained model: %.1f%%)", ev["val_loss"], 100*share, lines, 100*base)
	if share < 0.8 || share < base+0.2 {
		t.Errorf("%.2f of the sampled lines tokenize as Go (untrained %.2f)", share, base)
	}
}
