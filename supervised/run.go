package supervised

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorl/gorl/run/rundir"
)

// Files of a run directory. ModelFile, in a checkpoint, is the network with PyTorch's names; the
// others are rlrun train's (package rundir's): LatestFile, in CheckpointsDir, names the newest
// checkpoint.
const (
	ModelFile                            = "model.safetensors"
	ConfigFile, MetricsFile, TimingFile  = rundir.ConfigFile, rundir.MetricsFile, rundir.TimingFile
	EvalFile, CheckpointsDir, LatestFile = rundir.EvalFile, rundir.CheckpointsDir, rundir.LatestFile
)

// kind names rlrun fit's steps (optimizer steps) and resume command in rundir's messages.
var kind = rundir.Kind{Step: "step", Resume: "rlrun fit --resume", Speed: "charts/steps_per_second", SpeedDecimals: 1}

// task is one trainer's state machine, driven by a Run in chunks, as run.Trainer is by rlrun
// train. Learn must be chunk-invariant: Learn(ctx, a) then Learn(ctx, b) leaves the state that
// Learn(ctx, b) alone leaves (data order, augmentation and dropout depend only on the seed and the
// step), which checkpoints, the progress bar and exact resume rely on.
type task interface {
	// Steps returns the optimizer steps taken (global_step) and TotalSteps the run's length.
	Steps() int64
	TotalSteps() int64
	// StepsPerEpoch is the number of optimizer steps of an epoch.
	StepsPerEpoch() int64
	// Learn trains until Steps() ≥ until or ctx is done (then it returns ctx.Err() at a step
	// boundary). A non-finite loss is an error naming the step, returned before the update.
	Learn(ctx context.Context, until int64) error
	// Status is a short line for the progress bar: the latest losses.
	Status() string
	// Save writes the whole training state into the existing directory dir (ModelFile and the
	// task's own files); Load restores it into a task built from the same config.
	Save(dir string) error
	Load(dir string) error
	// Finish writes the final artifacts (eval.json's task fields, images) into the run directory
	// and returns the fields of eval.json and a one-line summary.
	Finish(dir string) (map[string]any, string, error)
	// Close stops loaders and releases memory.
	Close() error
}

// taskEnv is what a Run gives a task: the logger and the messages writer.
type taskEnv struct {
	// log appends a row to metrics.csv: nondecreasing steps, deterministic values.
	log func(step int64, key string, v float64)
	// note prints a message line (data set loaded, ...).
	note func(format string, args ...any)
	// dir is the run directory, where a task writes images during training (GAN samples).
	dir string
}

// Run is one supervised training run and its directory <out>/<dataset>__<task>__<seed>__<unix
// time>/, laid out as rlrun train's runs:
//
//	config.yml     the resolved config (task first; resume and rlrun sample read it)
//	metrics.csv    global_step,key,value rows (global_step = optimizer steps): the same for a seed
//	timing.csv     wall-clock figures (charts/samples_per_second), which differ run to run
//	checkpoints/   step-000001875/ ... and latest; each holds model.safetensors (PyTorch names),
//	               optimizer.safetensors, state.json (the task's counters) and run.json
//	eval.json      the final evaluation (per task; always epochs, steps and train_seconds)
//	*.png          curves and the task's images
type Run struct {
	// Dir is the run directory.
	Dir string
	// Config is the resolved configuration.
	Config Config
	// Progress, when set, is updated after every chunk of training.
	Progress Progress
	// Messages, when set, receives one-line notes (data loaded, checkpoints, resume).
	Messages io.Writer

	task     task
	logs     *rundir.Logs // metrics.csv, timing.csv, the first non-finite loss, the clock
	finished bool
	closed   bool
}

// runState is run.json in a checkpoint.
type runState struct {
	GlobalStep    int64   `json:"global_step"`
	MetricsOffset int64   `json:"metrics_offset"`
	TimingOffset  int64   `json:"timing_offset"`
	TrainSeconds  float64 `json:"train_seconds"`
	Final         bool    `json:"final"`
}

// runName is the first part of a run directory's name: the data set or corpus.
func runName(cfg Config) string {
	switch c := cfg.(type) {
	case *CNNConfig:
		return c.Dataset
	case *GANConfig:
		return c.Dataset
	case *AutoencoderConfig:
		return c.Dataset
	case *CharRNNConfig:
		base := filepath.Base(c.Corpus)
		if c.Corpus == "" {
			base = "gosrc"
		}
		return strings.Map(func(r rune) rune {
			if r == '/' || r == ' ' || r == os.PathSeparator {
				return '_'
			}
			return r
		}, base)
	}
	return "data"
}

// Create resolves cfg's preset defaults, makes a new run directory under out, writes config.yml
// and builds the trainer (which loads the data). Nothing is trained yet.
func Create(cfg Config, out string, messages io.Writer) (*Run, error) {
	cfg.resolve()
	if err := cfg.common().validate(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.common()
	dir, err := rundir.Create(out, fmt.Sprintf("%s__%s__%d__%d", runName(cfg), c.Task, c.Seed, time.Now().Unix()))
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Config: cfg, Messages: messages}
	// The trainer loads the data: a bad data set removes the empty run directory again.
	if err := r.build(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	y, err := MarshalConfig(cfg)
	if err == nil {
		err = rundir.WriteFileAtomic(filepath.Join(dir, ConfigFile), y)
	}
	if err == nil {
		r.logs, err = kind.OpenLogs(dir, -1, -1, 0)
	}
	if err != nil {
		r.task.Close()
		return nil, err
	}
	return r, nil
}

// build constructs the task from the config.
func (r *Run) build() error {
	env := taskEnv{log: r.log, note: r.note, dir: r.Dir}
	var err error
	switch c := r.Config.(type) {
	case *CNNConfig:
		r.task, err = newCNNTask(c, env)
	case *CharRNNConfig:
		r.task, err = newCharRNNTask(c, env)
	case *GANConfig:
		r.task, err = newGANTask(c, env)
	case *AutoencoderConfig:
		r.task, err = newAutoencoderTask(c, env)
	default:
		err = fmt.Errorf("supervised: unknown config type %T", r.Config)
	}
	return err
}

// log is the tasks' logger: rows of metrics.csv.
func (r *Run) log(step int64, key string, v float64) { r.logs.Log(step, key, v) }

func (r *Run) note(format string, args ...any) {
	if r.Messages != nil {
		fmt.Fprintf(r.Messages, format+"\n", args...)
	}
}

// Resume reopens the run in dir at its latest checkpoint: the trainer's whole state and
// metrics.csv cut back to the checkpoint, so that training continues as if never stopped.
func Resume(dir string, messages io.Writer) (*Run, error) {
	var st runState
	cfg, ck, err := rundir.ReadLatest(dir, ParseConfig, &st)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Config: cfg, Messages: messages, finished: st.Final}
	if err := r.build(); err != nil {
		return nil, err
	}
	if err := r.task.Load(ck); err != nil {
		r.task.Close()
		return nil, fmt.Errorf("loading checkpoint %s: %w", ck, err)
	}
	if s := r.task.Steps(); s != st.GlobalStep {
		r.task.Close()
		return nil, fmt.Errorf("checkpoint %s is inconsistent: the trainer is at step %d, run.json at %d", ck, s, st.GlobalStep)
	}
	if r.logs, err = kind.OpenLogs(dir, st.MetricsOffset, st.TimingOffset, st.TrainSeconds); err != nil {
		r.task.Close()
		return nil, err
	}
	r.note("resumed %s at step %d from %s", dir, st.GlobalStep, filepath.Base(ck))
	return r, nil
}

// Finished reports whether the run was resumed from its final checkpoint.
func (r *Run) Finished() bool { return r.finished }

// Steps returns the optimizer steps taken; TotalSteps the run's length.
func (r *Run) Steps() int64      { return r.task.Steps() }
func (r *Run) TotalSteps() int64 { return r.task.TotalSteps() }

// TrainSeconds returns the wall-clock seconds spent training, over every session of the run.
func (r *Run) TrainSeconds() float64 { return r.logs.TrainSeconds() }

// Advance trains until Steps() ≥ until (or ctx is done), without checkpoints.
func (r *Run) Advance(ctx context.Context, until int64) error {
	return r.logs.Advance(r.task.Steps, func() error { return r.task.Learn(ctx, until) })
}

// ErrInterrupted is wrapped by Train's error when its context was cancelled (Ctrl-C): a
// checkpoint was written and rlrun fit --resume continues. It is rundir.ErrInterrupted, as
// run.ErrInterrupted is.
var ErrInterrupted = rundir.ErrInterrupted

// Train trains to the end, writing checkpoints (every checkpoint_every steps, by default once an
// epoch, and a final one) and updating Progress. A cancelled ctx writes a checkpoint and returns
// an error wrapping ErrInterrupted; a failure (a non-finite loss) writes none, so latest still
// names the last good checkpoint.
func (r *Run) Train(ctx context.Context) error {
	total := r.task.TotalSteps()
	every := r.Config.common().CheckpointEvery
	if every <= 0 {
		every = r.task.StepsPerEpoch()
		if _, ok := r.Config.(*CharRNNConfig); ok {
			every = max(1, total/10)
		}
	}
	loop := rundir.Loop{Kind: kind, Dir: r.Dir, Total: total, Every: every, Chunk: 10, ChunkSeconds: 1,
		Report: r.report, Done: r.progressDone}
	return loop.Run(ctx, r)
}

func (r *Run) report() {
	if r.Progress == nil {
		return
	}
	steps := r.task.Steps()
	r.Progress.Update(ProgressState{Steps: steps, Total: r.task.TotalSteps(), StepsPerSecond: r.logs.StepsPerSecond(steps), Status: r.task.Status()})
}

func (r *Run) progressDone() {
	if r.Progress != nil {
		r.Progress.Done()
	}
}

// Checkpoint writes a checkpoint of the current state atomically (a temporary directory, synced,
// renamed into place, then latest replaced by rename: rundir.WriteCheckpoint) and returns its
// path.
func (r *Run) Checkpoint(final bool) (string, error) {
	steps := r.task.Steps()
	ck, err := kind.WriteCheckpoint(r.Dir, steps, r.Config.common().KeepCheckpoints, func(tmp string) (any, []byte, error) {
		if err := r.task.Save(tmp); err != nil {
			return nil, nil, err
		}
		mo, to, err := r.logs.Flush()
		if err != nil {
			return nil, nil, err
		}
		y, err := MarshalConfig(r.Config)
		return runState{GlobalStep: steps, MetricsOffset: mo, TimingOffset: to, TrainSeconds: r.TrainSeconds(), Final: final}, y, err
	})
	if err != nil {
		return "", err
	}
	r.note("checkpoint %s", filepath.Join(CheckpointsDir, filepath.Base(ck)))
	return ck, nil
}

// LatestCheckpoint returns the path of the run's newest checkpoint (what checkpoints/latest
// names).
func LatestCheckpoint(dir string) (string, error) { return rundir.LatestCheckpoint(dir) }

// Result is eval.json: the common fields and the task's own (test_accuracy, val_loss, ...).
type Result struct {
	Fields  map[string]any
	Summary string
}

// Finish writes the final evaluation (eval.json) and the task's images and curves into the run
// directory, and returns them.
func (r *Run) Finish() (*Result, error) {
	fields, summary, err := r.task.Finish(r.Dir)
	if err != nil {
		return nil, err
	}
	c := r.Config.common()
	fields["task"] = c.Task
	fields["seed"] = c.Seed
	fields["epochs"] = float64(r.task.Steps()) / float64(r.task.StepsPerEpoch())
	fields["steps"] = r.task.Steps()
	fields["train_seconds"] = math.Round(r.TrainSeconds()*100) / 100
	if ck, err := rundir.LatestCheckpoint(r.Dir); err == nil {
		fields["checkpoint"] = filepath.Join(CheckpointsDir, filepath.Base(ck))
	}
	b, _ := json.MarshalIndent(fields, "", "  ")
	if err := rundir.WriteFileAtomic(filepath.Join(r.Dir, EvalFile), append(b, '\n')); err != nil {
		return nil, err
	}
	return &Result{Fields: fields, Summary: summary}, nil
}

// Close flushes the metrics and releases the trainer.
func (r *Run) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.task != nil {
		err = r.task.Close()
	}
	return errors.Join(err, r.logs.Close())
}
