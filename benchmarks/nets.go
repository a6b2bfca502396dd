package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/gorl/gorl/benchmarks/internal/work"
)

type netsSection struct{}

func (netsSection) cases(*Runner) []string {
	return []string{"nets/sgemm", "nets/mlp", "nets/cnn", "nets/lstm"}
}

// figure is one measured quantity of a workload: gorl's runs, and PyTorch's per thread setting.
type figure struct {
	Name  string
	Unit  string
	Lower bool // lower is better (a latency)
	Gorl  []float64
	GorlC []float64 // per CPU-second (NaN when unknown); not for latencies
	Torch map[string][]float64
	// torchKey reads the figure from the script's JSON.
	torchKey string
}

// netWork is an in-process workload with its PyTorch script.
type netWork struct {
	ID      string
	Script  string
	Args    func(quick bool) []string
	Figures []*figure
	// steps builds the gorl workloads, one per figure.
	steps func() []func() float64
	// scale turns units per second into the figure (1e6/x for a latency in µs).
	scale []func(rate float64) float64
}

func (netsSection) works() []*netWork {
	perSec := func(x float64) float64 { return x }
	micro := func(x float64) float64 { return 1e6 / x }
	return []*netWork{
		{
			ID: "nets/mlp", Script: "bench_mlp.py",
			Args: func(q bool) []string {
				if q {
					return []string{"--updates", "200", "--calls", "500", "--warmup", "20", "--repeats", "1"}
				}
				return []string{"--updates", "3000", "--calls", "10000", "--warmup", "200", "--repeats", "1"}
			},
			Figures: []*figure{
				{Name: "MLP 4-64-64-2 Adam update, batch 64", Unit: "updates/s", torchKey: "updates_per_s_median"},
				{Name: "MLP 4-64-64-2 forward, batch 1", Unit: "µs a call", Lower: true, torchKey: "b1_forward_mean_us_median"},
			},
			steps: func() []func() float64 { return []func() float64{work.NewMLPUpdate(), work.NewMLPForward()} },
			scale: []func(float64) float64{perSec, micro},
		},
		{
			ID: "nets/cnn", Script: "bench_cnn.py",
			Args: func(q bool) []string {
				if q {
					return []string{"--batches", "3", "--warmup", "1", "--repeats", "1"}
				}
				return []string{"--batches", "30", "--warmup", "3", "--repeats", "1"}
			},
			Figures: []*figure{
				{Name: "seed CNN training, batch 64 (3×32×32)", Unit: "images/s", torchKey: "train_img_per_s_median"},
				{Name: "seed CNN inference, batch 64", Unit: "images/s", torchKey: "infer_img_per_s_median"},
			},
			steps: func() []func() float64 { return []func() float64{work.NewCNNTrain(), work.NewCNNInference()} },
			scale: []func(float64) float64{perSec, perSec},
		},
		{
			ID: "nets/lstm", Script: "bench_lstm.py",
			Args: func(q bool) []string {
				if q {
					return []string{"--steps", "2", "--warmup", "1", "--repeats", "1"}
				}
				return []string{"--steps", "8", "--warmup", "2", "--repeats", "1"}
			},
			Figures: []*figure{
				{Name: "char-LSTM training (one-hot 96, 2×256, seq 64, batch 32, Adam)", Unit: "chars/s", torchKey: "chars_per_s_median"},
			},
			steps: func() []func() float64 { return []func() float64{work.NewCharLSTM()} },
			scale: []func(float64) float64{perSec},
		},
	}
}

func (s netsSection) run(ctx context.Context, r *Runner, ids []string) (*Section, error) {
	sec := &Section{
		Title: "Neural nets",
		Intro: fmt.Sprintf("gorl's workloads are those of the nets package's benchmarks, rebuilt on the public API "+
			"(benchmarks/internal/work); PyTorch runs the scripts of benchmarks/pytorch (copies of the shared "+
			"baselines) with Debian's python3-torch. Each of the %s times gorl for %s in this process, then "+
			"starts one PyTorch process per thread setting; the comparison takes PyTorch's best setting (on few "+
			"cores its best changes from run to run). gorl uses every core (GOMAXPROCS).", plural(r.Rounds, "run"), r.MinTime),
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	if want["nets/sgemm"] {
		t, notes, err := s.sgemm(ctx, r)
		if err != nil {
			return nil, err
		}
		sec.Tables = append(sec.Tables, t)
		sec.Notes = append(sec.Notes, notes...)
	}
	settings := torchSettings(runtime.NumCPU())
	torchWhy := r.Py.Why("torch", "numpy")
	torchErrs := map[string]string{} // the last failure of each script
	var figs []*figure
	for _, w := range s.works() {
		if !want[w.ID] {
			continue
		}
		steps := w.steps()
		for _, st := range steps {
			st() // warm the arena and the GEMM's worker pool, as the scripts warm up
			st()
		}
		for _, f := range w.Figures {
			f.Torch = map[string][]float64{}
		}
		for round := 1; round <= r.Rounds; round++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for i, st := range steps {
				smp := work.Timed(r.MinTime, st)
				f := w.Figures[i]
				f.Gorl = append(f.Gorl, w.scale[i](smp.Rate()))
				if !f.Lower {
					f.GorlC = append(f.GorlC, nanIfZero(smp.CPURate()))
				}
				r.logf("%s round %d/%d: gorl %s %s", w.ID, round, r.Rounds, num(w.scale[i](smp.Rate())), f.Unit)
			}
			if torchWhy != "" {
				continue
			}
			for _, set := range settings {
				var out map[string]any
				if err := r.RunJSON(ctx, "pytorch", w.Script, nil, &out, append(w.Args(r.Quick), set.Args...)...); err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					r.logf("%s: %v", w.Script, err)
					torchErrs[w.Script] = err.Error()
					continue
				}
				for _, f := range w.Figures {
					if v, ok := out[f.torchKey].(float64); ok {
						f.Torch[set.Name] = append(f.Torch[set.Name], v)
					}
				}
				r.logf("%s round %d/%d: PyTorch %s done", w.ID, round, r.Rounds, set.Name)
			}
		}
		figs = append(figs, w.Figures...)
	}
	if len(figs) > 0 {
		header := []string{"workload", "unit", "gorl", "gorl per CPU-second"}
		for _, set := range settings {
			header = append(header, "PyTorch "+set.Name)
		}
		header = append(header, "gorl speed-up over PyTorch's best")
		t := &Table{Header: header}
		for _, f := range figs {
			g := Summarize(f.Gorl)
			cpu := "—"
			if !f.Lower {
				cpu = Summarize(f.GorlC).String()
			}
			row := []string{f.Name, f.Unit, g.String(), cpu}
			best, bestName := math.NaN(), ""
			for _, set := range settings {
				st := Summarize(f.Torch[set.Name])
				switch {
				case torchWhy != "":
					row = append(row, "not measured: "+short(r.Py, "torch"))
				case !st.Ok():
					row = append(row, "not measured: the script failed (see below)")
				default:
					row = append(row, st.String())
					if math.IsNaN(best) || (f.Lower && st.Median < best) || (!f.Lower && st.Median > best) {
						best, bestName = st.Median, set.Name
					}
				}
			}
			sp := ratio(g.Median, best)
			if f.Lower {
				sp = ratio(best, g.Median)
			}
			row = append(row, sp)
			t.Add(row...)
			other := "not measured: " + short(r.Py, "torch")
			if bestName != "" {
				other = "PyTorch " + num(best) + " (" + bestName + ")"
			}
			r.headline(Headline{f.Name + ", " + f.Unit, g.String(), other, sp})
		}
		t.Notes = append(t.Notes, "Per CPU-second figures divide by the process's CPU time over all threads, which also counts the GEMM workers' spinning: they show efficiency, and are steadier than wall-clock rates on a busy machine.")
		if torchWhy != "" {
			t.Notes = append(t.Notes, "PyTorch side: "+torchWhy+".")
		}
		for _, w := range s.works() {
			if e := torchErrs[w.Script]; e != "" {
				t.Notes = append(t.Notes, "PyTorch failure: "+e)
			}
		}
		sec.Tables = append(sec.Tables, t)
	}
	return sec, nil
}

// sgemmOut is the JSON line of the sgemm helper.
type sgemmOut struct {
	Backend    string `json:"backend"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Results    []struct {
		N         int     `json:"n"`
		GFLOPS    float64 `json:"gflops"`
		CPUGFLOPS float64 `json:"cpu_gflops"`
	} `json:"results"`
}

type torchSgemmOut struct {
	Results []struct {
		N      int     `json:"n"`
		Median float64 `json:"gflops_median"`
	} `json:"results"`
}

// sgemm measures n×n products through nets' MatMul in helper processes built as is and with
// -tags openblas, and torch.mm, on one thread and on all cores, interleaved run by run.
func (netsSection) sgemm(ctx context.Context, r *Runner) (*Table, []string, error) {
	sizes := []int{256, 1024}
	if r.Quick {
		sizes = []int{256}
	}
	sizeArg := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(sizes)), ","), "[]")
	threads := []int{1}
	if n := runtime.NumCPU(); n > 1 {
		threads = append(threads, n)
	}
	var notes []string
	gorlBin, err := r.build(ctx, "./benchmarks/sgemm")
	if err != nil {
		return nil, nil, err // the default build must work
	}
	blasWhy, blasBin := "", ""
	if r.Quick {
		// A cgo build of nets takes longer than the rest of the quick mode.
		blasWhy = "quick mode skips the openblas build (run the full mode)"
	} else if blasBin, err = r.build(ctx, "./benchmarks/sgemm", "openblas"); err != nil {
		blasWhy = "the openblas build failed (install libopenblas-dev; cgo needs a C compiler)"
		notes = append(notes, "OpenBLAS build: "+err.Error())
	}
	torchWhy, torchErr := r.Py.Why("torch", "numpy"), ""
	type key struct {
		impl    string
		n, thr  int
		cpuFlag bool
	}
	vals := map[key][]float64{}
	secs := strconv.FormatFloat(r.MinTime.Seconds(), 'f', 3, 64)
	helper := func(bin, impl string, thr int) error {
		cmd := exec.CommandContext(ctx, bin, "-sizes", sizeArg, "-time", r.MinTime.String())
		cmd.Env = append(cmd.Environ(), "GOMAXPROCS="+strconv.Itoa(thr), "OPENBLAS_NUM_THREADS="+strconv.Itoa(thr))
		b, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", bin, err)
		}
		var out sgemmOut
		if err := json.Unmarshal(lastLine(b), &out); err != nil {
			return fmt.Errorf("%s: %w", bin, err)
		}
		if out.Backend != impl {
			return fmt.Errorf("%s reports backend %q, not %q (is cgo off?)", bin, out.Backend, impl)
		}
		for _, res := range out.Results {
			vals[key{impl, res.N, thr, false}] = append(vals[key{impl, res.N, thr, false}], res.GFLOPS)
			vals[key{impl, res.N, thr, true}] = append(vals[key{impl, res.N, thr, true}], nanIfZero(res.CPUGFLOPS))
		}
		return nil
	}
	for round := 1; round <= r.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		for _, thr := range threads {
			if err := helper(gorlBin, "gorl", thr); err != nil {
				return nil, nil, err
			}
			if blasWhy == "" {
				if err := helper(blasBin, "openblas", thr); err != nil {
					blasWhy = "the openblas helper failed: " + err.Error()
				}
			}
			if torchWhy == "" {
				var out torchSgemmOut
				if err := r.RunJSON(ctx, "pytorch", "bench_sgemm.py", nil, &out, "--threads", strconv.Itoa(thr), "--sizes", sizeArg, "--time", secs, "--repeats", "1"); err != nil {
					if ctx.Err() != nil {
						return nil, nil, ctx.Err()
					}
					r.logf("bench_sgemm.py: %v", err)
					torchErr = err.Error()
				} else {
					for _, res := range out.Results {
						vals[key{"torch", res.N, thr, false}] = append(vals[key{"torch", res.N, thr, false}], res.Median)
					}
				}
			}
			r.logf("nets/sgemm round %d/%d, %d threads: gorl %s GFLOP/s at n=%d", round, r.Rounds, thr,
				num(Summarize(vals[key{"gorl", sizes[len(sizes)-1], thr, false}]).Median), sizes[len(sizes)-1])
		}
	}
	t := &Table{
		Caption: "sgemm: n×n float32 products through nets' MatMul (a helper process per build and thread count), against OpenBLAS (the same helper built with -tags openblas) and torch.mm.",
		Header:  []string{"n", "threads", "gorl GFLOP/s", "gorl GFLOP/CPU-s", "OpenBLAS GFLOP/s", "PyTorch torch.mm GFLOP/s", "gorl/OpenBLAS", "gorl/PyTorch"},
	}
	for _, n := range sizes {
		for _, thr := range threads {
			g := Summarize(vals[key{"gorl", n, thr, false}])
			gc := Summarize(vals[key{"gorl", n, thr, true}])
			blas, blasR := "not measured: "+blasWhy, "—"
			if st := Summarize(vals[key{"openblas", n, thr, false}]); blasWhy == "" && st.Ok() {
				blas, blasR = st.String(), ratio(g.Median, st.Median)
			}
			tor, torR := "not measured: "+short(r.Py, "torch"), "—"
			if st := Summarize(vals[key{"torch", n, thr, false}]); torchWhy == "" && st.Ok() {
				tor, torR = st.String(), ratio(g.Median, st.Median)
			} else if torchWhy == "" {
				tor = "not measured: bench_sgemm.py failed (see below)"
			}
			t.Add(strconv.Itoa(n), strconv.Itoa(thr), g.String(), gc.String(), blas, tor, blasR, torR)
			if n == sizes[len(sizes)-1] && thr == threads[len(threads)-1] {
				other := "OpenBLAS: not measured"
				if blasR != "—" {
					other = "OpenBLAS " + blas
				}
				r.headline(Headline{fmt.Sprintf("sgemm %d³ GFLOP/s, %d threads", n, thr), g.String(), other, blasR})
			}
		}
	}
	if blasWhy != "" {
		t.Notes = append(t.Notes, "OpenBLAS: "+blasWhy+".")
	}
	if torchWhy != "" {
		t.Notes = append(t.Notes, "PyTorch side: "+torchWhy+".")
	}
	if torchErr != "" {
		t.Notes = append(t.Notes, "PyTorch failure: "+torchErr)
	}
	return t, notes, nil
}
