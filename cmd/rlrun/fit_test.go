package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/supervised"
	"github.com/gorl/gorl/supervised/synth"
)

// fitRun runs rlrun fit with args and returns the run directory it printed.
func fitRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := rl(t, append([]string{"fit"}, args...)...)
	if code != 0 {
		t.Fatalf("rlrun fit %v: exit %d\n%s%s", args, code, stdout, stderr)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(line, "run directory: "); ok {
			return d
		}
	}
	t.Fatalf("no run directory in %q", stdout)
	return ""
}

func TestFitCNNAndResume(t *testing.T) {
	data, err := synth.MNISTDir(filepath.Join(t.TempDir(), "mnist"), 48, 16)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// Flags after the arguments, as with rlrun train.
	dir := fitRun(t, "cnn", "mnist", "--data", data, "--epochs", "1", "--seed", "3", "--set", "batch_size=16", "--out", out, "-q")
	if !strings.HasPrefix(filepath.Base(dir), "mnist__cnn__3__") {
		t.Errorf("run directory %s", dir)
	}
	var ev map[string]any
	b, err := os.ReadFile(filepath.Join(dir, supervised.EvalFile))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &ev)
	if ev["epochs"] != 1.0 || ev["seed"] != 3.0 || ev["test_accuracy"] == nil || ev["train_seconds"] == nil || ev["test_loss"] == nil {
		t.Fatalf("eval.json %v", ev)
	}
	for _, f := range []string{"curves.png", "confusion.png", "metrics.csv", "checkpoints/latest"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// The run is finished: resuming it says so.
	code, _, stderr := rl(t, "fit", "--resume", dir)
	if code == 0 || !strings.Contains(stderr, "finished") {
		t.Fatalf("resume of a finished run: %d %s", code, stderr)
	}
	code, _, stderr = rl(t, "fit", "--resume", dir, "--epochs", "3")
	if code == 0 || !strings.Contains(stderr, "--epochs cannot change it") {
		t.Fatalf("resume with --epochs: %d %s", code, stderr)
	}
	// Resume from a mid-run checkpoint: drop the final one and point latest at none.
	os.RemoveAll(filepath.Join(dir, "checkpoints"))
	code, _, stderr = rl(t, "fit", "--resume", dir)
	if code == 0 || !strings.Contains(stderr, "no checkpoint") {
		t.Fatalf("resume without checkpoints: %d %s", code, stderr)
	}
}

func TestFitErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"fit"}, "fit wants TASK"},
		{[]string{"fit", "transformer", "mnist"}, "unknown task"},
		{[]string{"fit", "cnn"}, "wants a data set"},
		{[]string{"fit", "cnn", "imagenet"}, "unknown image data set"},
		{[]string{"fit", "cnn", "cifar10", "-q"}, "--data"},
		{[]string{"fit", "cnn", "mnist", "--set", "learning_rat=1"}, `did you mean "learning_rate"`},
		{[]string{"fit", "cnn", "mnist", "--model", "huge"}, `model = "huge"`},
		{[]string{"fit", "charrnn", "/nonexistent/corpus"}, "no such file"},
		{[]string{"sample"}, "wants one RUN_DIR"},
		{[]string{"sample", "/nonexistent"}, "neither a run directory nor a checkpoint"},
	}
	for _, c := range cases {
		code, _, stderr := rl(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("rlrun %v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

func TestFitCharRNNAndSample(t *testing.T) {
	corpus, err := synth.GoCorpus(filepath.Join(t.TempDir(), "corpus"), 4)
	if err != nil {
		t.Fatal(err)
	}
	dir := fitRun(t, "charrnn", corpus, "--model", "gru", "--set", "hidden_size=16", "--set", "seq_length=8", "--set", "batch_size=4",
		"--set", "max_steps=20", "--set", "eval_every=10", "--set", "val_fraction=0.3", "--out", t.TempDir(), "-q")
	code, stdout, stderr := rl(t, "sample", dir, "--len", "50", "--prime", "func", "--temperature", "0.5", "--seed", "7")
	if code != 0 {
		t.Fatalf("rlrun sample: %d %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "func") || len(stdout) != len("func")+50+1 {
		t.Fatalf("sample %q", stdout)
	}
	_, again, _ := rl(t, "sample", dir, "--len", "50", "--prime", "func", "--temperature", "0.5", "--seed", "7")
	if again != stdout {
		t.Error("the same seed gave another sample")
	}
	if code, _, stderr := rl(t, "sample", dir, "--temperature", "0"); code == 0 || !strings.Contains(stderr, "positive") {
		t.Errorf("temperature 0: %d %s", code, stderr)
	}
}
