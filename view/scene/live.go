package scene

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run"
)

// TrainSpeeds are the live-training speeds [ and ] step through, in env steps per second;
// +Inf trains as fast as the machine allows (the default). The slow ones let a tabular agent
// be watched learning a step at a time, as in REINFORCEjs's demos.
var TrainSpeeds = []float64{10, 100, 1000, 10000, math.Inf(1)}

// LiveTraining trains a run in the background, with the same code as rlrun train (run.Run's
// Advance in chunks, periodic checkpoints, and at the end the final checkpoint, evaluation
// and learning curve), while the window shows the current policy acting greedily in a second
// copy of the env and the learning curve grows.
//
// # Exploration
//
// For the ε-greedy algorithms (run.ExplorationSetter: DQN, the tabular TD agents) the digits
// set the training's ε, as the sliders of REINFORCEjs's demos do, and S returns it to its
// schedule: the worker calls run.Run.SetExploration or ClearExploration between two chunks,
// so the next env step uses it. The HUD shows the ε in force and whether it was set. The
// override is part of the run's state: checkpoints keep it (a resumed run goes on with it),
// charts/epsilon shows it, and run.json lists the changes, since a run steered by hand is
// reproducible from its checkpoints but not from its config alone.
//
// # Concurrency
//
// A policy is its trainer (run.Run.Policy), which must not act while Advance runs, so one
// goroutine, the worker, owns the run, the displayed env and the agent: it alternates
// training chunks of a few tens of milliseconds with the display steps the window asked for.
// The window's calls (Update, Frame, Describe) only exchange requests and copies with it
// under a mutex and never wait for a chunk to end, so the window keeps its frame rate while
// training uses the other core.
type LiveTraining struct {
	r     *run.Run
	algo  string
	total int64
	every int64 // checkpoint interval

	// Owned by the worker.
	session  *Session
	agent    *Agent
	names    []string
	act      []float32
	rate     float64
	hold     float64
	overlay  Overlay
	tail     metricsTail
	nextCkpt int64
	chunk    int64
	allow    float64 // throttled training: steps allowed so far
	lastRun  time.Time
	spsSteps int64
	spsTime  time.Time

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}

	mu  sync.Mutex
	req request   // the window's requests, under mu
	pub published // the worker's results, under mu

	// The window's copies (used only by the window's goroutine).
	frame        *image.RGBA
	frameVersion uint64
	status       TrainingStatus
	curveX       []float64
	curveY       []float64
}

// request is what the window asks of the worker.
type request struct {
	steps     int  // display steps due
	unlimited bool // display as fast as possible
	reset     bool
	paused    bool // training paused (T)
	speed     int  // index in TrainSpeeds
	// The training's ε: set to epsilon (a digit), or back to the schedule (S), once.
	setEpsilon, clearEpsilon bool
	epsilon                  float64
}

// published is what the worker shows the window.
type published struct {
	frame        *image.RGBA
	frameVersion uint64
	values       []float64 // the overlay painted on frame
	view         View
	status       TrainingStatus
	curveX       []float64 // append-only
	curveY       []float64
	finished     bool
	err          error
	summary      string
}

// Train builds the run of algo on env id with the config layers (as rlrun train does: see
// run.Resolve) in a new directory under out, and starts training it live.
func Train(algo, id, out string, layers ...run.Layer) (*LiveTraining, error) {
	spec, err := env.Lookup(id)
	if err != nil {
		return nil, err
	}
	cfg, err := run.Resolve(algo, spec.ID, layers...)
	if err != nil {
		return nil, err
	}
	r, err := run.Create(cfg, out)
	if err != nil {
		return nil, err
	}
	lt, err := StartTraining(r)
	if err != nil {
		r.Close()
		return nil, err
	}
	return lt, nil
}

// ResumeTraining reopens the run in dir at its latest checkpoint (run.Resume) and continues
// training it live.
func ResumeTraining(dir string) (*LiveTraining, error) {
	r, err := run.Resume(dir)
	if err != nil {
		return nil, err
	}
	if r.Finished() {
		r.Close()
		return nil, fmt.Errorf("the run in %s finished at env step %d; `viewer watch %s` shows its policy", dir, r.Steps(), dir)
	}
	lt, err := StartTraining(r)
	if err != nil {
		r.Close()
		return nil, err
	}
	return lt, nil
}

// StartTraining starts training r live. The LiveTraining owns r from then on: Close stops
// the training, writes a checkpoint to resume from and closes r.
func StartTraining(r *run.Run) (*LiveTraining, error) {
	cfg := r.Config
	opts := env.Options(cfg.Run.EnvKwargs)
	e, err := env.Make(cfg.EnvID, opts)
	if err != nil {
		return nil, err
	}
	seed := cfg.Run.Seed
	lt := &LiveTraining{
		r: r, algo: cfg.Algo, total: cfg.Run.Steps, every: cfg.Run.CheckpointInterval(),
		act: make([]float32, e.ActionSpace().Dim()), rate: StepRate(cfg.EnvID, opts),
		done: make(chan struct{}), wake: make(chan struct{}, 1), chunk: 100,
	}
	lt.session = NewSession(cfg.EnvID, e, func(i int) uint64 { return run.EvalSeed(seed, i) })
	lt.agent = NewAgent(r.Policy(), e.ActionSpace(), seed^0x5eed)
	lt.names = ActionNames(cfg.EnvID, e)
	lt.tail.path = filepath.Join(r.Dir, run.MetricsFile)
	steps := r.Steps()
	lt.nextCkpt = (steps/lt.every + 1) * lt.every
	lt.req.speed = len(TrainSpeeds) - 1
	lt.overlay.Update(e, r.Policy())
	if lt.session.Env.Render() == nil {
		e.Close()
		return nil, fmt.Errorf("%s cannot draw itself (its Render returns nil): there is nothing to show", cfg.EnvID)
	}
	lt.readCurve()
	lt.publish(true)
	lt.ctx, lt.cancel = context.WithCancel(context.Background())
	go lt.work()
	return lt, nil
}

// Dir returns the run directory.
func (lt *LiveTraining) Dir() string { return lt.r.Dir }

// work is the worker's loop.
func (lt *LiveTraining) work() {
	defer close(lt.done)
	lt.spsTime, lt.spsSteps, lt.lastRun = time.Now(), lt.r.Steps(), time.Now()
	lastOverlay := time.Now()
	for lt.ctx.Err() == nil {
		lt.mu.Lock()
		req := lt.req
		lt.req.steps, lt.req.unlimited, lt.req.reset = 0, false, false
		lt.req.setEpsilon, lt.req.clearEpsilon = false, false
		stopped := lt.pub.finished || lt.pub.err != nil
		lt.mu.Unlock()

		changed := false
		if req.reset {
			lt.session.Reset()
			lt.hold, changed = 0, true
		}
		// Between chunks, on the goroutine that owns the run: the next env step uses it. An
		// algorithm without ε ignores the keys (the HUD shows no ε for it).
		if _, _, ok := lt.r.Exploration(); ok && !stopped {
			if req.setEpsilon {
				lt.r.SetExploration(req.epsilon)
			} else if req.clearEpsilon {
				lt.r.ClearExploration()
			}
		}
		if n := req.steps; n > 0 || req.unlimited {
			if req.unlimited {
				n = Unlimited
			}
			v := lt.session.Version
			agentSteps(lt.session, lt.agent, lt.act, lt.names, &lt.hold, lt.rate, n, time.Now().Add(8*time.Millisecond))
			changed = changed || lt.session.Version != v
		}
		trained := false
		if !stopped && !req.paused {
			trained = lt.train(TrainSpeeds[req.speed])
		} else {
			lt.lastRun = time.Now()
		}
		if trained && time.Since(lastOverlay) > 100*time.Millisecond {
			if lt.overlay.Update(lt.session.Env, lt.r.Policy()) {
				changed = true
			}
			lastOverlay = time.Now()
		}
		if trained {
			lt.readCurve()
		}
		lt.publish(changed)
		if !trained && !changed {
			select { // idle: wait for the window or the throttle
			case <-lt.wake:
			case <-time.After(5 * time.Millisecond):
			case <-lt.ctx.Done():
			}
		}
	}
}

// train runs one chunk of training at speed steps per second and reports whether it trained.
func (lt *LiveTraining) train(speed float64) bool {
	r := lt.r
	steps := r.Steps()
	now := time.Now()
	chunk := lt.chunk
	if !math.IsInf(speed, 1) {
		lt.allow = math.Min(lt.allow+speed*now.Sub(lt.lastRun).Seconds(), math.Max(1, speed/4))
		chunk = int64(lt.allow)
	}
	lt.lastRun = now
	if chunk < 1 {
		return false
	}
	until := min(lt.total, steps+chunk, lt.nextCkpt)
	t0 := time.Now()
	err := r.Advance(lt.ctx, until)
	dt := time.Since(t0)
	done := r.Steps() - steps
	if !math.IsInf(speed, 1) {
		lt.allow -= float64(done)
	} else if done > 0 && dt > 0 {
		// Chunks of about 20 ms: short enough for the display to stay lively.
		lt.chunk = max(1, min(int64(float64(done)*0.02/dt.Seconds()), lt.total/20+1))
	}
	if err != nil {
		if lt.ctx.Err() == nil {
			lt.fail(err)
		}
		return done > 0
	}
	steps = r.Steps()
	if steps >= lt.nextCkpt && steps < lt.total {
		if _, err := r.Checkpoint(false); err != nil {
			lt.fail(err)
			return true
		}
		lt.nextCkpt = (steps/lt.every + 1) * lt.every
	}
	if steps >= lt.total {
		lt.finish()
	}
	return done > 0
}

// finish ends a run that reached n_timesteps as rlrun train does: the final checkpoint, the
// evaluation (eval.json) and the learning curve.
func (lt *LiveTraining) finish() {
	r := lt.r
	if _, err := r.Checkpoint(true); err != nil {
		lt.fail(err)
		return
	}
	summary := fmt.Sprintf("trained %d env steps; results in %s", r.Steps(), r.Dir)
	if n := r.Config.Run.EvalEpisodes; n > 0 {
		res, err := r.Evaluate(n)
		if err == nil {
			err = r.WriteEval(res)
		}
		if err != nil {
			lt.fail(fmt.Errorf("evaluation: %w", err))
			return
		}
		summary = fmt.Sprintf("eval: mean return %.2f +- %.2f over %d greedy episodes; %s", res.MeanReturn, res.StdReturn, res.Episodes, summary)
	}
	if err := run.PlotLearningCurve(r.Dir, filepath.Join(r.Dir, run.CurveFile)); err != nil {
		summary += fmt.Sprintf(" (learning curve not drawn: %v)", err)
	}
	lt.mu.Lock()
	lt.pub.finished, lt.pub.summary = true, summary
	lt.mu.Unlock()
}

func (lt *LiveTraining) fail(err error) {
	lt.mu.Lock()
	if lt.pub.err == nil {
		lt.pub.err = err
	}
	lt.mu.Unlock()
}

// readCurve appends the episodes finished since the last call to the learning curve.
func (lt *LiveTraining) readCurve() {
	var xs, ys []float64
	err := lt.tail.read(func(step int64, key string, v float64) {
		if key == run.ReturnKey {
			xs, ys = append(xs, float64(step)), append(ys, v)
		}
	})
	lt.mu.Lock()
	lt.pub.curveX = append(lt.pub.curveX, xs...)
	lt.pub.curveY = append(lt.pub.curveY, ys...)
	if err != nil && lt.pub.err == nil {
		lt.pub.err = fmt.Errorf("reading the learning curve: %w", err)
	}
	lt.mu.Unlock()
}

// publish copies the worker's state for the window; the frame only when the display changed.
func (lt *LiveTraining) publish(changed bool) {
	r := lt.r
	now := time.Now()
	steps := r.Steps()
	var sps float64
	if el := now.Sub(lt.spsTime).Seconds(); el > 0.5 {
		sps = float64(steps-lt.spsSteps) / el
		lt.spsTime, lt.spsSteps = now, steps
	}
	var img *image.RGBA
	if changed {
		img = lt.session.Env.Render()
	}
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if img != nil {
		if lt.pub.frame == nil || lt.pub.frame.Bounds() != img.Bounds() {
			lt.pub.frame = image.NewRGBA(img.Bounds())
		}
		copy(lt.pub.frame.Pix, img.Pix)
		lt.pub.frameVersion++
		lt.pub.values = append(lt.pub.values[:0], lt.overlay.values...)
	}
	v := &lt.pub.view
	episodeView(lt.session, lt.names, v)
	a := lt.agent
	v.Q = append(v.Q[:0], a.Q...)
	v.Probs = append(v.Probs[:0], a.Probs...)
	if a.Q == nil {
		v.Q = nil
	}
	if a.Probs == nil {
		v.Probs = nil
	}
	v.Value, v.HasValue, v.Explored = a.Value, a.HasValue, a.Explored
	st := &lt.pub.status
	st.Algo, st.Dir = lt.algo, r.Dir
	st.Epsilon, st.EpsilonSet, st.HasEpsilon = r.Exploration()
	st.Steps, st.Total, st.Episodes, st.MeanReturn = steps, lt.total, r.Episodes(), r.MeanRecentReturn()
	if sps > 0 || lt.req.paused {
		st.SPS = sps
	}
	st.Speed = FormatTrainSpeed(TrainSpeeds[lt.req.speed])
	switch {
	case lt.pub.err != nil:
		st.State = "stopped: " + lt.pub.err.Error()
	case lt.pub.finished:
		st.State = "finished"
	case lt.req.paused:
		st.State = "paused (T resumes)"
	default:
		st.State = "training (T pauses)"
	}
}

// FormatTrainSpeed prints a training speed: "max" or "1000 steps/s".
func FormatTrainSpeed(s float64) string {
	if math.IsInf(s, 1) {
		return "max"
	}
	return fmt.Sprintf("%g steps/s", s)
}

// Update implements Driver: it passes the window's requests to the worker.
func (lt *LiveTraining) Update(in Input, steps int, _ time.Time) {
	lt.mu.Lock()
	p := in.Pressed
	if p.Has(KeyR) {
		lt.req.reset = true
	}
	if p.Has(KeyT) {
		lt.req.paused = !lt.req.paused
	}
	if p.Has(KeyLeftBracket) {
		lt.req.speed = max(0, lt.req.speed-1)
	}
	if p.Has(KeyRightBracket) {
		lt.req.speed = min(len(TrainSpeeds)-1, lt.req.speed+1)
	}
	if p.Has(KeyS) {
		lt.req.setEpsilon, lt.req.clearEpsilon = false, true
	}
	if steps == Unlimited {
		lt.req.unlimited = true
	} else {
		lt.req.steps += steps
	}
	lt.mu.Unlock()
	select {
	case lt.wake <- struct{}{}:
	default:
	}
}

// SetEpsilon implements Driver: it sets the training's ε (run.Run.SetExploration, an override
// of the algorithm's schedule, saved in checkpoints) from the next env step on; S returns it
// to the schedule. The worker applies it between chunks. The displayed agent acts greedily.
func (lt *LiveTraining) SetEpsilon(eps float64) {
	lt.mu.Lock()
	lt.req.epsilon, lt.req.setEpsilon, lt.req.clearEpsilon = eps, true, false
	lt.mu.Unlock()
	select {
	case lt.wake <- struct{}{}:
	default:
	}
}

// Frame implements Driver: the copy of the displayed env's latest picture.
func (lt *LiveTraining) Frame() (*image.RGBA, uint64) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if f := lt.pub.frame; f != nil && lt.pub.frameVersion != lt.frameVersion {
		if lt.frame == nil || lt.frame.Bounds() != f.Bounds() {
			lt.frame = image.NewRGBA(f.Bounds())
		}
		copy(lt.frame.Pix, f.Pix)
		lt.frameVersion = lt.pub.frameVersion
	}
	return lt.frame, lt.frameVersion
}

// Rate implements Driver.
func (lt *LiveTraining) Rate() float64 { return lt.rate }

// OverlayValues returns a copy of the state values painted on the cells of the latest frame:
// a grid world's overlay (nil for other envs).
func (lt *LiveTraining) OverlayValues() []float64 {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if len(lt.pub.values) == 0 {
		return nil
	}
	return append([]float64(nil), lt.pub.values...)
}

// Describe implements Driver.
func (lt *LiveTraining) Describe(v *View) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	p := &lt.pub.view
	plot := v.Plot
	*v = View{
		Episode: p.Episode, Steps: p.Steps, Return: p.Return, Reward: p.Reward, Status: p.Status,
		ActionNames: p.ActionNames, Discrete: p.Discrete, ActionLabel: p.ActionLabel, Explored: p.Explored,
		Low: p.Low, High: p.High, Value: p.Value, HasValue: p.HasValue,
		Action: append(v.Action[:0], p.Action...),
	}
	if p.Q != nil {
		v.Q = append([]float32(nil), p.Q...)
	}
	if p.Probs != nil {
		v.Probs = append([]float32(nil), p.Probs...)
	}
	lt.curveX = append(lt.curveX, lt.pub.curveX[len(lt.curveX):]...)
	lt.curveY = append(lt.curveY, lt.pub.curveY[len(lt.curveY):]...)
	v.Plot = plot
	v.Plot.Title, v.Plot.X, v.Plot.Y, v.Plot.Threshold = "training return per episode (x: env steps)", lt.curveX, lt.curveY, threshold(lt.session.ID)
	lt.status = lt.pub.status
	v.Training = &lt.status
	v.Title = fmt.Sprintf("%s  %s  %s", lt.session.ID, lt.algo, filepath.Base(lt.r.Dir))
	v.Mode = "train: the current policy acts while it learns"
	switch {
	case lt.pub.summary != "":
		v.Message = "done: " + lt.pub.summary
	case p.Status != "running":
		v.Message = fmt.Sprintf("display episode %d %s with return %s", p.Episode+1, p.Status, num(p.Return))
	}
}

// Close implements Driver: it stops the training at a step boundary, writes a checkpoint to
// resume from (unless the run finished or failed) and closes the run.
func (lt *LiveTraining) Close() error {
	lt.cancel()
	<-lt.done
	var errs []error
	lt.mu.Lock()
	finished, failed := lt.pub.finished, lt.pub.err
	lt.mu.Unlock()
	if !finished && failed == nil {
		if ck, err := lt.r.Checkpoint(false); err != nil {
			errs = append(errs, err)
		} else {
			lt.mu.Lock()
			lt.pub.summary = fmt.Sprintf("stopped at env step %d; checkpoint %s written (rlrun train --resume %s or viewer train --resume %s continues)",
				lt.r.Steps(), filepath.Base(ck), lt.r.Dir, lt.r.Dir)
			lt.mu.Unlock()
		}
	}
	errs = append(errs, failed, lt.r.Close(), lt.session.Env.Close())
	return errors.Join(errs...)
}

// Summary says how the training ended (after Close): the evaluation of a finished run, or
// the checkpoint to resume from.
func (lt *LiveTraining) Summary() string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.pub.summary
}

// Wait blocks until the training finished, failed or ctx is done (for tests and scripted
// runs), and returns the training error if it failed.
func (lt *LiveTraining) Wait(ctx context.Context) error {
	for {
		lt.mu.Lock()
		finished, err := lt.pub.finished, lt.pub.err
		lt.mu.Unlock()
		if finished || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// metricsTail reads the rows appended to a metrics.csv since the last read.
type metricsTail struct {
	path    string
	off     int64
	partial []byte
	header  bool
}

// read calls fn for every complete row appended since the last call.
func (t *metricsTail) read(fn func(step int64, key string, v float64)) error {
	f, err := os.Open(t.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer f.Close()
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	t.off += int64(len(data))
	data = append(t.partial, data...)
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		t.partial = data
		return nil
	}
	t.partial = append([]byte(nil), data[end+1:]...)
	for _, line := range bytes.Split(data[:end], []byte{'\n'}) {
		if !t.header {
			t.header = true
			if string(line) == run.MetricsHeader {
				continue
			}
		}
		f := bytes.SplitN(line, []byte{','}, 3)
		if len(f) != 3 {
			return fmt.Errorf("%s: bad row %q", t.path, line)
		}
		step, err1 := strconv.ParseInt(string(f[0]), 10, 64)
		v, err2 := strconv.ParseFloat(string(f[2]), 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s: bad row %q", t.path, line)
		}
		fn(step, string(f[1]), v)
	}
	return nil
}
