package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run/rundir"
)

// Files of a run directory.
// The generic ones are package rundir's, which rlrun fit's runs share.
const (
	ConfigFile     = rundir.ConfigFile
	MetricsFile    = rundir.MetricsFile
	TimingFile     = rundir.TimingFile
	EvalFile       = rundir.EvalFile
	CurveFile      = "learning_curve.png"
	CheckpointsDir = rundir.CheckpointsDir
	LatestFile     = rundir.LatestFile // in CheckpointsDir: the name of the newest checkpoint
	PolicyFile     = "policy.safetensors"
	stateFile      = rundir.StateFile // in a checkpoint: the Run's own counters
	envLogFile     = "envlog.bin"
)

// kind names rlrun train's steps and resume command in rundir's messages.
var kind = rundir.Kind{Step: "env step", Resume: "rlrun train --resume", Speed: "charts/SPS"}

// Run is one training run and its directory <out>/<env>__<algo>__<seed>__<unix time>/:
//
//	config.yml          the resolved config (what resume and eval read)
//	metrics.csv         global_step,key,value rows: identical for the same seed
//	timing.csv          the same format for wall-clock figures (charts/SPS), which differ run to run
//	checkpoints/        step-000010000/ ... (periodic), the final one, and latest (its name)
//	learning_curve.png  episodic return against env steps
//	eval.json           the final deterministic evaluation
//
// rlrun train and the viewer's live training both drive a Run; see /work/notes/run-api.md.
type Run struct {
	// Dir is the run directory.
	Dir string
	// Config is the resolved configuration.
	Config *Config
	// Progress, when set, is told about training progress after every chunk.
	Progress Progress
	// Messages, when set, receives one-line notes (checkpoints written, resume).
	Messages io.Writer

	algo    *Algorithm
	trainer Trainer
	rec     *recorder
	eplog   *episodeLog
	logs    *rundir.Logs // metrics.csv, timing.csv, the first non-finite loss, the clock

	episodes int64
	recent   []float64           // the last recentEpisodes returns, a ring
	explore  []ExplorationChange // live changes of ε (SetExploration)
	finished bool                // resumed from a final checkpoint
	closed   bool
}

const recentEpisodes = 100

// runState is what a checkpoint records about the Run itself (run.json).
type runState struct {
	GlobalStep    int64     `json:"global_step"`
	MetricsOffset int64     `json:"metrics_offset"`
	TimingOffset  int64     `json:"timing_offset"`
	TrainSeconds  float64   `json:"train_seconds"`
	Episodes      int64     `json:"episodes"`
	Recent        []float64 `json:"recent_returns"`
	Final         bool      `json:"final"`
	// EpisodeWindow is the window of short episodes in progress (see episodeLog).
	EpisodeWindow *episodeWindow `json:"episode_window,omitempty"`
	// Exploration lists the live changes of ε up to the checkpoint (SetExploration).
	Exploration []ExplorationChange `json:"exploration_changes,omitempty"`
}

// ExplorationChange is a change of ε made while the run trained (Run.SetExploration or
// ClearExploration): run.json in each checkpoint lists those before it.
type ExplorationChange struct {
	// Step is the env step from which the change applies.
	Step int64 `json:"global_step"`
	// Epsilon is the ε set, or nil for a return to the schedule.
	Epsilon *float64 `json:"epsilon"`
}

// Create makes a new run directory under out for the resolved config, writes config.yml and
// builds the trainer. Nothing is trained yet.
func Create(cfg *Config, out string) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	algo, err := LookupAlgorithm(cfg.Algo)
	if err != nil {
		return nil, err
	}
	if err := checkEnv(algo, cfg); err != nil {
		return nil, err
	}
	dir, err := rundir.Create(out, fmt.Sprintf("%s__%s__%d__%d", cfg.EnvID, cfg.Algo, cfg.Run.Seed, time.Now().Unix()))
	if err != nil {
		return nil, err
	}
	y, err := cfg.MarshalYAML()
	if err != nil {
		return nil, err
	}
	if err := rundir.WriteFileAtomic(filepath.Join(dir, ConfigFile), y); err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Config: cfg, algo: algo}
	if err := r.open(-1, -1, 0); err != nil {
		return nil, err
	}
	return r, nil
}

// checkEnv builds the env once to read its spaces (and to fail early on a bad env_kwargs) and
// asks the algorithm whether it can train on them.
func checkEnv(algo *Algorithm, cfg *Config) error {
	e, err := env.Make(cfg.EnvID, cfg.Run.EnvKwargs)
	if err != nil {
		return err
	}
	defer e.Close()
	if algo.Check != nil {
		if err := algo.Check(e.ObservationSpace(), e.ActionSpace()); err != nil {
			return fmt.Errorf("%s cannot train on %s: %w", algo.Name, cfg.EnvID, err)
		}
	}
	return nil
}

// open opens the metrics files (truncated to the given offsets when ≥ 0, with trainSeconds of
// training before) and builds the trainer.
func (r *Run) open(metricsOffset, timingOffset int64, trainSeconds float64) error {
	var err error
	if r.logs, err = kind.OpenLogs(r.Dir, metricsOffset, timingOffset, trainSeconds); err != nil {
		return err
	}
	cfg := r.Config
	r.eplog = newEpisodeLog(cfg.Run, r.logs.Metrics.Log)
	setup := Setup{
		EnvID:     cfg.EnvID,
		EnvKwargs: env.Options(cfg.Run.EnvKwargs),
		Seed:      cfg.Run.Seed,
		Steps:     cfg.Run.Steps,
		Log:       r.logs.Log,
	}
	setup.MakeVector = func(n int) (env.VectorEnv, error) {
		if r.rec != nil {
			return nil, errors.New("run: Setup.MakeVector called twice")
		}
		v, err := env.MakeVector(cfg.EnvID, n, env.Options(cfg.Run.EnvKwargs), 1)
		if err != nil {
			return nil, err
		}
		r.rec = newRecorder(v, cfg.Run.Steps, r.episode, r.eplog.stepped)
		return r.rec, nil
	}
	r.trainer, err = r.algo.NewTrainer(cfg.Params, setup)
	if err != nil {
		r.logs.Close()
		r.logs = nil
		return fmt.Errorf("building the %s trainer: %w", r.algo.Name, err)
	}
	return nil
}

// episode is the recorder's callback for every finished episode: the rows (episodeLog), the
// recent returns and the count.
func (r *Run) episode(step int64, ret float64, length int) {
	r.eplog.episode(step, ret, length)
	if len(r.recent) < recentEpisodes {
		r.recent = append(r.recent, ret)
	} else {
		r.recent[r.episodes%recentEpisodes] = ret
	}
	r.episodes++
}

// MeanRecentReturn returns the mean return of the last 100 episodes (NaN before the first).
func (r *Run) MeanRecentReturn() float64 {
	if len(r.recent) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range r.recent {
		s += x
	}
	return s / float64(len(r.recent))
}

// Finished reports whether the run was resumed from its final checkpoint: training is over.
func (r *Run) Finished() bool { return r.finished }

// Episodes returns the number of training episodes finished.
func (r *Run) Episodes() int64 { return r.episodes }

// Steps returns the env steps taken.
func (r *Run) Steps() int64 { return r.trainer.Steps() }

// Policy returns the trained policy (the trainer itself: do not use it while Advance runs).
func (r *Run) Policy() Policy { return r.trainer }

// SetExploration overrides the trainer's ε schedule with eps from the next env step on (see
// ExplorationSetter), and records the change in the checkpoints' run.json. It returns an error
// when eps is not in [0, 1] or the algorithm has no ε (the policy-gradient methods, the
// planners). Like Policy, it must not be called while Advance runs.
func (r *Run) SetExploration(eps float64) error {
	x, err := r.explorer()
	if err != nil {
		return err
	}
	if !(eps >= 0 && eps <= 1) {
		return fmt.Errorf("ε = %v: want a probability in [0, 1]", eps)
	}
	x.SetExploration(eps)
	r.explore = append(r.explore, ExplorationChange{Step: r.trainer.Steps(), Epsilon: &eps})
	return nil
}

// ClearExploration returns ε to the trainer's schedule from the next env step on.
func (r *Run) ClearExploration() error {
	x, err := r.explorer()
	if err != nil {
		return err
	}
	if _, over := x.Exploration(); over {
		x.ClearExploration()
		r.explore = append(r.explore, ExplorationChange{Step: r.trainer.Steps()})
	}
	return nil
}

// Exploration returns the trainer's ε for the next env step and whether it is an override;
// ok is false when the algorithm has no ε.
func (r *Run) Exploration() (eps float64, overridden, ok bool) {
	x, isX := r.trainer.(ExplorationSetter)
	if !isX {
		return 0, false, false
	}
	eps, overridden = x.Exploration()
	return eps, overridden, true
}

// ExplorationChanges returns the live changes of ε so far (those before the checkpoint a
// resumed run started from included).
func (r *Run) ExplorationChanges() []ExplorationChange { return slices.Clone(r.explore) }

func (r *Run) explorer() (ExplorationSetter, error) {
	x, ok := r.trainer.(ExplorationSetter)
	if !ok {
		return nil, fmt.Errorf("%s has no ε to set (an ε-greedy algorithm has: dqn, qlearning, sarsa, expectedsarsa)", r.algo.Name)
	}
	return x, nil
}

// TrainSeconds returns the wall-clock seconds spent in Learn, over every session of the run.
func (r *Run) TrainSeconds() float64 { return r.logs.TrainSeconds() }

// Resume reopens the run in dir at its latest checkpoint: the trainer's whole state, the env
// (replayed from its log), and metrics.csv cut back to what was logged up to the checkpoint, so
// that training continues as if it had never stopped.
func Resume(dir string) (*Run, error) {
	var st runState
	cfg, ck, err := rundir.ReadLatest(dir, ParseConfig, &st)
	if err != nil {
		return nil, err
	}
	algo, err := LookupAlgorithm(cfg.Algo)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Config: cfg, algo: algo, episodes: st.Episodes, explore: st.Exploration}
	if len(st.Recent) < recentEpisodes {
		r.recent = st.Recent
	} else { // the ring slot of the next episode holds the oldest return
		r.recent = make([]float64, recentEpisodes)
		for i, x := range st.Recent[len(st.Recent)-recentEpisodes:] {
			r.recent[(st.Episodes+int64(i))%recentEpisodes] = x
		}
	}
	if err := r.open(st.MetricsOffset, st.TimingOffset, st.TrainSeconds); err != nil {
		return nil, err
	}
	if st.EpisodeWindow != nil {
		r.eplog.w = *st.EpisodeWindow
	}
	fail := func(err error) (*Run, error) {
		r.Close()
		return nil, err
	}
	if err := r.trainer.Load(ck); err != nil {
		return fail(fmt.Errorf("loading checkpoint %s: %w", ck, err))
	}
	if r.rec == nil {
		return fail(fmt.Errorf("the %s trainer did not build its vector env with Setup.MakeVector", algo.Name))
	}
	if err := r.rec.restore(filepath.Join(ck, envLogFile)); err != nil {
		return fail(fmt.Errorf("restoring the env from checkpoint %s: %w", ck, err))
	}
	if s := r.trainer.Steps(); s != st.GlobalStep || r.rec.EnvSteps() != s {
		return fail(fmt.Errorf("checkpoint %s is inconsistent: the trainer is at step %d, the env log at %d, run.json at %d", ck, s, r.rec.EnvSteps(), st.GlobalStep))
	}
	r.finished = st.Final
	r.note("resumed %s at env step %d from %s", dir, st.GlobalStep, filepath.Base(ck))
	return r, nil
}

// Advance trains until Steps() ≥ until (or ctx is done), without checkpoints: the viewer's live
// training calls it a chunk at a time. Train is Advance plus checkpoints and progress.
func (r *Run) Advance(ctx context.Context, until int64) error {
	return r.logs.Advance(r.trainer.Steps, func() error { return r.trainer.Learn(ctx, until) })
}

// ErrInterrupted is wrapped by the error Train returns when its context was cancelled (Ctrl-C):
// a checkpoint of the step reached was written and the run can be resumed. It is
// rundir.ErrInterrupted, which supervised.ErrInterrupted is too.
var ErrInterrupted = rundir.ErrInterrupted

// Train trains to the config's n_timesteps, writing a checkpoint every checkpoint_every steps and
// a final one, reporting progress, and drawing learning_curve.png at the end. A cancelled ctx
// saves a checkpoint and returns an error wrapping ErrInterrupted. A failure (a non-finite loss)
// writes no checkpoint, so latest keeps pointing at the last good one, and the error says at
// which step training stopped.
func (r *Run) Train(ctx context.Context) error {
	total := r.Config.Run.Steps
	// Chunks of about a fifth of a second keep the bar lively; results do not depend on them
	// (Learn is chunk-invariant).
	loop := rundir.Loop{Kind: kind, Dir: r.Dir, Total: total, Every: r.Config.Run.CheckpointInterval(),
		Chunk: 1000, ChunkSeconds: 0.2, Report: func() { r.report(r.trainer.Steps(), total) }, Done: r.progressDone}
	if err := loop.Run(ctx, r); err != nil {
		return err
	}
	if err := PlotLearningCurve(r.Dir, filepath.Join(r.Dir, CurveFile)); err != nil {
		r.note("learning curve not drawn: %v", err)
	}
	return nil
}

func (r *Run) report(steps, total int64) {
	if r.Progress == nil {
		return
	}
	r.Progress.Update(ProgressState{Steps: steps, Total: total, SPS: r.logs.StepsPerSecond(steps), MeanReturn: r.MeanRecentReturn(), Episodes: r.episodes})
}

func (r *Run) progressDone() {
	if r.Progress != nil {
		r.Progress.Done()
	}
}

// Checkpoint writes a checkpoint of the current state, atomically: into a temporary directory
// renamed into place, then the latest pointer replaced by rename (see rundir.WriteCheckpoint). It
// returns the checkpoint's path. final marks the checkpoint of a finished run.
func (r *Run) Checkpoint(final bool) (string, error) {
	steps := r.trainer.Steps()
	ck, err := kind.WriteCheckpoint(r.Dir, steps, r.Config.Run.KeepCheckpoints, func(tmp string) (any, []byte, error) {
		if err := r.trainer.Save(tmp); err != nil {
			return nil, nil, err
		}
		if r.rec != nil {
			if err := r.rec.save(filepath.Join(tmp, envLogFile)); err != nil {
				return nil, nil, err
			}
		}
		mo, to, err := r.logs.Flush()
		if err != nil {
			return nil, nil, err
		}
		w := r.eplog.w
		st := runState{GlobalStep: steps, MetricsOffset: mo, TimingOffset: to, TrainSeconds: r.TrainSeconds(),
			Episodes: r.episodes, Recent: r.recentInOrder(), Final: final, EpisodeWindow: &w, Exploration: r.explore}
		y, err := r.Config.MarshalYAML()
		return st, y, err
	})
	if err != nil {
		return "", err
	}
	r.note("checkpoint %s", filepath.Join(CheckpointsDir, filepath.Base(ck)))
	return ck, nil
}

// recentInOrder returns the recent returns oldest first, so that a resumed run's ring continues
// in the same order.
func (r *Run) recentInOrder() []float64 {
	if len(r.recent) < recentEpisodes {
		return slices.Clone(r.recent)
	}
	k := int(r.episodes % recentEpisodes)
	return append(slices.Clone(r.recent[k:]), r.recent[:k]...)
}

// LatestCheckpoint returns the path of the run's newest checkpoint (what checkpoints/latest
// names).
func LatestCheckpoint(dir string) (string, error) { return rundir.LatestCheckpoint(dir) }

// Evaluate runs the final deterministic evaluation of the current policy: episodes greedy
// episodes on a fresh env seeded from the run's seed (see EvalSeed).
func (r *Run) Evaluate(episodes int) (*EvalResult, error) {
	res, err := Evaluate(r.trainer, r.Config.EnvID, env.Options(r.Config.Run.EnvKwargs), episodes, r.Config.Run.Seed)
	if err != nil {
		return nil, err
	}
	res.Algo = r.Config.Algo
	res.EnvSteps = r.trainer.Steps()
	res.TrainSeconds = r.TrainSeconds()
	if ck, err := rundir.LatestCheckpoint(r.Dir); err == nil {
		var st runState
		if rundir.ReadJSON(filepath.Join(ck, stateFile), &st) == nil && st.GlobalStep == res.EnvSteps {
			res.Checkpoint = filepath.Join(CheckpointsDir, filepath.Base(ck))
		}
	}
	return res, nil
}

// WriteEval writes res to eval.json in the run directory.
func (r *Run) WriteEval(res *EvalResult) error {
	return rundir.WriteFileAtomic(filepath.Join(r.Dir, EvalFile), res.JSON())
}

// Close flushes the metrics and releases the trainer and its env.
func (r *Run) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	errs := []error{r.logs.Close()}
	if r.trainer != nil {
		errs = append(errs, r.trainer.Close())
	}
	if r.rec != nil {
		errs = append(errs, r.rec.Close())
	}
	return errors.Join(errs...)
}

func (r *Run) note(format string, args ...any) {
	if r.Messages != nil {
		fmt.Fprintf(r.Messages, format+"\n", args...)
	}
}
