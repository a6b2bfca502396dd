package view

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
	"github.com/gorl/gorl/internal/cputime"
	"github.com/gorl/gorl/run"
	"github.com/gorl/gorl/view/internal/viewtest"
	"github.com/gorl/gorl/view/scene"
)

// The window tests open real windows. ebiten's RunGame runs once per process and on the main
// thread, so each test re-executes this test binary with GORL_VIEWER_SCENARIO naming a
// scenario: TestMain runs that scenario's window instead of the tests, reads the screen back
// with ReadPixels inside the game loop, and writes what it saw (PNG captures and result.json)
// to GORL_VIEWER_OUT for the parent test to check. Without DISPLAY the parent starts its own
// Xvfb (and stops it at the end); with neither, the window tests skip.
const (
	scenarioEnv = "GORL_VIEWER_SCENARIO"
	outEnv      = "GORL_VIEWER_OUT"
	argEnv      = "GORL_VIEWER_ARG"
	secondsEnv  = "GORL_VIEWER_SECONDS"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(scenarioEnv); name != "" {
		if p := os.Getenv("GORL_VIEWER_CPUPROFILE"); p != "" { // to see where a frame's time goes
			f, err := os.Create(p)
			if err == nil && pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
		if err := runScenario(name, os.Getenv(argEnv), os.Getenv(outEnv)); err != nil {
			fmt.Fprintf(os.Stderr, "scenario %s: %v\n", name, err)
			os.Exit(1)
		}
		pprof.StopCPUProfile()
		os.Exit(0)
	}
	code := m.Run()
	if xvfb.stop != nil {
		xvfb.stop()
	}
	os.Exit(code)
}

// xvfb is the test process's own X server, started on first need.
var xvfb struct {
	once    sync.Once
	display string
	stop    func()
	err     error
}

// display returns the X display the window tests use, or skips the test.
func display(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("DISPLAY"); d != "" {
		return d
	}
	xvfb.once.Do(func() { xvfb.display, xvfb.stop, xvfb.err = startXvfb() })
	if xvfb.err != nil {
		tb.Skipf("no display for the window tests: DISPLAY is unset and Xvfb cannot run here (%v); apt-get install xvfb", xvfb.err)
	}
	return xvfb.display
}

// capture is one screen read back during a scenario.
type capture struct {
	Draw   int64
	Screen string // the window's pixels (ReadPixels)
	Panel  string // the HUD the app drew, as scene.DrawPanel made it
	Frame  string // the env's picture the app uploaded
}

// result is what a scenario reports.
type result struct {
	Layout     scene.Layout
	Captures   []capture
	Updates    int64
	Draws      int64
	Seconds    float64
	CPUSeconds float64
	Steps      int64
	Rate       float64
	ActualTPS  float64
	ActualFPS  float64
	View       struct {
		Q        []float32
		Episode  int
		Steps    int
		Action   string
		Training *scene.TrainingStatus
		Points   int
	}
	Velocity   float64   // CartPole's cart velocity at the end (play)
	CartStates []float64 // CartPole's cart position (m) at each capture
	Values     []float64 // a grid world's overlay
	Desc       []string
	RunDir     string
}

// scenario builds a stage and the probe that watches it.
type scenario func(arg string, res *result, out string) (*scene.Stage, Options, error)

var scenarios = map[string]scenario{
	"watch-cartpole": watchCartPole,
	"watch-grid":     watchGrid,
	"play-cartpole":  playCartPole,
	"train-grid":     trainGrid,
	"fps-cartpole":   fpsCartPole,
	"fps-racetrack":  fpsRacetrack,
}

func runScenario(name, arg, out string) error {
	sc := scenarios[name]
	if sc == nil {
		return fmt.Errorf("no scenario %q", name)
	}
	res := &result{}
	st, opts, err := sc(arg, res, out)
	if err != nil {
		return err
	}
	res.Layout = st.Layout()
	res.Rate = st.Clock.Rate
	if err := Run(st, opts); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "result.json"), b, 0o644)
}

// shoot saves the screen, the app's panel and the env's picture.
func shoot(a *app, screen *ebiten.Image, res *result, out string) error {
	b := screen.Bounds()
	pix := make([]byte, 4*b.Dx()*b.Dy())
	screen.ReadPixels(pix)
	img := &image.RGBA{Pix: pix, Stride: 4 * b.Dx(), Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	c := capture{Draw: a.draws}
	save := func(kind string, im image.Image) (string, error) {
		p := filepath.Join(out, fmt.Sprintf("%s-%d.png", kind, a.draws))
		f, err := os.Create(p)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return p, png.Encode(f, im)
	}
	var err error
	if c.Screen, err = save("screen", img); err != nil {
		return err
	}
	if c.Panel, err = save("panel", a.panel.Image()); err != nil {
		return err
	}
	if frame, _ := a.stage.Frame(); frame != nil {
		if c.Frame, err = save("frame", frame); err != nil {
			return err
		}
	}
	res.Captures = append(res.Captures, c)
	return nil
}

// describe copies what the HUD shows into res.
func describe(st *scene.Stage, res *result) {
	v := st.View()
	res.View.Q = append([]float32(nil), v.Q...)
	res.View.Episode, res.View.Steps, res.View.Action = v.Episode, v.Steps, v.ActionLabel
	if v.Training != nil {
		t := *v.Training
		res.View.Training = &t
	}
	res.View.Points = len(v.Plot.X)
}

// shootAt returns a probe that captures the screen at the given draws and closes the window
// after the last.
func shootAt(res *result, out string, draws ...int64) func(*app, *ebiten.Image) bool {
	var err error
	return func(a *app, screen *ebiten.Image) bool {
		for _, d := range draws {
			if a.draws == d && err == nil {
				err = shoot(a, screen, res, out)
				describe(a.stage, res)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		res.Updates, res.Draws = a.updates, a.draws
		return a.draws >= draws[len(draws)-1]
	}
}

// watchCartPole captures the screen at draw 10 (or the first draw after it in mid-episode) and
// at the first later draw (from 20) where the env's cart has moved by 3 pixels or more,
// recording the cart's position each time.
func watchCartPole(arg string, res *result, out string) (*scene.Stage, Options, error) {
	w, err := scene.WatchRun(arg)
	if err != nil {
		return nil, Options{}, err
	}
	probe := func(a *app, screen *ebiten.Image) bool {
		x := float64(w.Session.Obs()[0])
		// Only mid-episode: on a loaded machine ebiten runs several updates per draw, and a
		// draw may fall on the first frame of a new episode, which shows no action yet.
		mid := w.Session.Steps > 0
		take := mid && ((len(res.Captures) == 0 && a.draws >= 10) ||
			(len(res.Captures) == 1 && a.draws >= 20 && math.Abs(x-res.CartStates[0])*125 >= 3))
		if take {
			if err := shoot(a, screen, res, out); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			describe(a.stage, res)
			res.CartStates = append(res.CartStates, x)
		}
		res.Updates, res.Draws = a.updates, a.draws
		return len(res.Captures) == 2 || a.draws >= 600
	}
	return scene.NewStage(w, "watch"), Options{probe: probe}, nil
}

func watchGrid(_ string, res *result, out string) (*scene.Stage, Options, error) {
	e, err := env.Make("FrozenLake-v1", nil)
	if err != nil {
		return nil, Options{}, err
	}
	res.Values = viewtest.GridValues()
	res.Desc = env.Unwrapped(e).(*grid.FrozenLake).Desc()
	w := scene.NewWatcher("grid test", "FrozenLake-v1", e, nil, viewtest.GridPolicy(res.Values), func(i int) uint64 { return uint64(i) })
	return scene.NewStage(w, "watch"), Options{probe: shootAt(res, out, 10)}, nil
}

func playCartPole(_ string, res *result, out string) (*scene.Stage, Options, error) {
	p, err := scene.PlayEnv("cartpole", nil, 3)
	if err != nil {
		return nil, Options{}, err
	}
	right := scene.Of(scene.KeyRight)
	script := func(tick int64) scene.Input {
		switch {
		case tick == 5:
			return scene.Input{Held: right, Pressed: right}
		case tick > 5 && tick < 600:
			return scene.Input{Held: right}
		}
		return scene.Input{}
	}
	shots := shootAt(res, out, 20)
	probe := func(a *app, screen *ebiten.Image) bool {
		done := shots(a, screen)
		if done {
			res.Velocity = float64(p.Session.Obs()[1])
		}
		return done
	}
	return scene.NewStage(p, "play"), Options{script: script, probe: probe}, nil
}

// trainGrid trains DQN live on FrozenLake until the run finishes, then captures the screen.
func trainGrid(arg string, res *result, out string) (*scene.Stage, Options, error) {
	cfg, err := run.Resolve("dqn", "FrozenLake-v1", run.Layer{Source: "test", Values: map[string]any{
		"n_timesteps": 1500, "learning_starts": 100, "eval_episodes": 5, "net_arch": []any{16},
	}})
	if err != nil {
		return nil, Options{}, err
	}
	r, err := run.Create(cfg, arg)
	if err != nil {
		return nil, Options{}, err
	}
	res.RunDir = r.Dir
	lt, err := scene.StartTraining(r)
	if err != nil {
		return nil, Options{}, err
	}
	e, _ := env.Make("FrozenLake-v1", nil)
	res.Desc = env.Unwrapped(e).(*grid.FrozenLake).Desc()
	var finishedAt int64
	probe := func(a *app, screen *ebiten.Image) bool {
		v := a.stage.View()
		if finishedAt == 0 && v.Training != nil && v.Training.State == "finished" {
			finishedAt = a.draws
		}
		if a.draws > 60*60 {
			fmt.Fprintln(os.Stderr, "training did not finish within 3600 frames")
			os.Exit(1)
		}
		// A few frames after the end: the overlay no longer changes.
		if finishedAt > 0 && a.draws == finishedAt+10 {
			res.Values = lt.OverlayValues()
			if err := shoot(a, screen, res, out); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			describe(a.stage, res)
			res.Updates, res.Draws = a.updates, a.draws
			return true
		}
		return false
	}
	return scene.NewStage(lt, "train"), Options{probe: probe}, nil
}

// measure returns a probe that counts ticks, frames and env steps over GORL_VIEWER_SECONDS
// (default 4) after a second of warm-up.
func measure(res *result, steps func() int64) func(*app, *ebiten.Image) bool {
	secs, _ := strconv.ParseFloat(os.Getenv(secondsEnv), 64)
	if secs <= 0 {
		secs = 4
	}
	var t0 time.Time
	var u0, d0, s0 int64
	var cpu0 float64
	start := time.Now()
	return func(a *app, _ *ebiten.Image) bool {
		now := time.Now()
		if t0.IsZero() {
			if now.Sub(start) < time.Second {
				return false
			}
			t0, u0, d0, s0, cpu0 = now, a.updates, a.draws, steps(), cputime.Process().Seconds()
			return false
		}
		el := now.Sub(t0).Seconds()
		if el < secs {
			return false
		}
		res.Seconds, res.Updates, res.Draws, res.Steps = el, a.updates-u0, a.draws-d0, steps()-s0
		res.CPUSeconds = cputime.Process().Seconds() - cpu0
		res.ActualTPS, res.ActualFPS = ebiten.ActualTPS(), ebiten.ActualFPS()
		return true
	}
}

func fpsCartPole(_ string, res *result, _ string) (*scene.Stage, Options, error) {
	e, err := env.Make("CartPole-v1", nil)
	if err != nil {
		return nil, Options{}, err
	}
	w := scene.NewWatcher("fps", "CartPole-v1", e, nil, viewtest.Balance, func(i int) uint64 { return uint64(i) })
	return scene.NewStage(w, "watch"), Options{probe: measure(res, func() int64 { return w.Session.Total })}, nil
}

func fpsRacetrack(_ string, res *result, _ string) (*scene.Stage, Options, error) {
	w, err := scene.RecordSource("racetrack", nil, 1)
	if err != nil {
		return nil, Options{}, err
	}
	return scene.NewStage(w, "watch"), Options{probe: measure(res, func() int64 { return w.Session.Total })}, nil
}

// runWindow runs a scenario in a child process and returns its result.
func runWindow(tb testing.TB, name, arg string, env ...string) *result {
	tb.Helper()
	d := display(tb)
	out := tb.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), "DISPLAY="+d, scenarioEnv+"="+name, outEnv+"="+out, argEnv+"="+arg)
	cmd.Env = append(cmd.Env, env...)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("scenario %s: %v\n%s", name, err, logs)
	}
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		tb.Fatalf("scenario %s wrote no result: %v\n%s", name, err, logs)
	}
	res := &result{}
	if err := json.Unmarshal(b, res); err != nil {
		tb.Fatal(err)
	}
	return res
}

func readPNG(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// checkShown checks that the screen shows the env's picture in its place and the HUD panel
// in its own: what the app uploaded is what the window holds.
func checkShown(t *testing.T, res *result, c capture) image.Image {
	t.Helper()
	screen := readPNG(t, c.Screen)
	l := res.Layout
	if b := screen.Bounds(); b.Dx() != l.Width || b.Dy() != l.Height {
		t.Fatalf("screen of %v, want %dx%d", b.Size(), l.Width, l.Height)
	}
	if d, share := viewtest.MaxDiff(screen, l.Panel, readPNG(t, c.Panel), 2); share > 0 {
		t.Errorf("draw %d: the window's HUD differs from the panel drawn (by up to %d in %.2f%% of its pixels)", c.Draw, d, 100*share)
	}
	if l.Scale == 1 && c.Frame != "" {
		if d, share := viewtest.MaxDiff(screen, l.Frame, readPNG(t, c.Frame), 2); share > 0 {
			t.Errorf("draw %d: the window's env picture differs from the env's frame (by up to %d in %.2f%% of its pixels)", c.Draw, d, 100*share)
		}
	}
	return screen
}

// The viewer watching a DQN CartPole checkpoint shows the env's frames with the HUD beside
// them, and the cart where the env says it is, as it moves.
func TestWindowWatchCartPole(t *testing.T) {
	t.Parallel()
	display(t)
	dir, err := viewtest.DQNRun(t.TempDir(), "CartPole-v1", 300, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := runWindow(t, "watch-cartpole", dir)
	if len(res.Captures) != 2 {
		t.Fatalf("the cart did not move in %d frames (%d captures)", res.Draws, len(res.Captures))
	}
	if len(res.View.Q) != 2 || res.View.Action == "" {
		t.Errorf("the HUD shows no Q-values or action: %+v", res.View)
	}
	var xs []float64
	for i, c := range res.Captures {
		screen := checkShown(t, res, c)
		x, err := viewtest.CartX(screen, res.Layout.Frame)
		if err != nil {
			t.Fatalf("draw %d: %v", c.Draw, err)
		}
		// CartPole draws the cart's centre at 300 + 125 pixels per metre.
		if want := float64(res.Layout.Frame.Min.X) + 300 + 125*res.CartStates[i]; math.Abs(x-want) > 1.5 {
			t.Errorf("draw %d: the cart is shown at x=%.1f, the env has it at %.1f", c.Draw, x, want)
		}
		xs = append(xs, x)
		// The HUD holds text and bars: a good share of its pixels are not background.
		ink := 0
		p := res.Layout.Panel
		for y := p.Min.Y; y < p.Max.Y; y++ {
			for x := p.Min.X; x < p.Max.X; x++ {
				if r, _, _, _ := screen.At(x, y).RGBA(); r>>8 < 200 {
					ink++
				}
			}
		}
		if ink < p.Dx()*p.Dy()/50 {
			t.Errorf("draw %d: the HUD is nearly empty (%d dark pixels)", c.Draw, ink)
		}
	}
	if math.Abs(xs[1]-xs[0]) < 2 {
		t.Errorf("the cart did not move on screen between draws %d and %d: x = %v", res.Captures[0].Draw, res.Captures[1].Draw, xs)
	}
}

// On a grid world the cells are coloured by the policy's state values.
func TestWindowWatchGrid(t *testing.T) {
	t.Parallel()
	res := runWindow(t, "watch-grid", "")
	if res.Layout.Scale != 2 {
		t.Errorf("FrozenLake's 256-pixel frame is shown at %vx, want 2x", res.Layout.Scale)
	}
	screen := checkShown(t, res, res.Captures[0])
	if err := viewtest.CheckGridColours(screen, res.Layout.Frame, res.Desc, res.Values, "SF", 3); err != nil {
		t.Error(err)
	}
}

// Holding the right arrow pushes the cart right, and the legend shows the key held.
func TestWindowPlayCartPole(t *testing.T) {
	t.Parallel()
	res := runWindow(t, "play-cartpole", "")
	screen := checkShown(t, res, res.Captures[0])
	if res.View.Steps == 0 || res.View.Action != "push right" || res.Velocity <= 0 {
		t.Errorf("after holding Right: %d steps, action %q, velocity %v", res.View.Steps, res.View.Action, res.Velocity)
	}
	l := res.Layout
	x, y := l.Panel.Min.X+l.Legend.Min.X+12, l.Panel.Min.Y+l.Legend.Min.Y+2*16+3 // the Right key's cap
	if r, g, b, _ := screen.At(x, y).RGBA(); r>>8 != 255 || g>>8 != 200 || b>>8 != 60 {
		t.Errorf("the held Right key's cap is (%d, %d, %d), not highlighted", r>>8, g>>8, b>>8)
	}
}

// Live training on FrozenLake runs to the end (checkpoint, eval.json, learning curve) while
// the window shows the learnt values on the cells.
func TestWindowTrainGrid(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	res := runWindow(t, "train-grid", t.TempDir())
	tr := res.View.Training
	if tr == nil || tr.Steps < 1500 || tr.Episodes == 0 || res.View.Points == 0 {
		t.Fatalf("training status %+v, %d curve points", tr, res.View.Points)
	}
	for _, f := range []string{run.EvalFile, run.CurveFile, run.MetricsFile} {
		if _, err := os.Stat(filepath.Join(res.RunDir, f)); err != nil {
			t.Errorf("the finished run has no %s: %v", f, err)
		}
	}
	if _, err := run.LatestCheckpoint(res.RunDir); err != nil {
		t.Error(err)
	}
	if len(res.Values) != 16 {
		t.Fatalf("overlay values %v", res.Values)
	}
	screen := checkShown(t, res, res.Captures[0])
	if err := viewtest.CheckGridColours(screen, res.Layout.Frame, res.Desc, res.Values, "SF", 3); err != nil {
		t.Error(err)
	}
}

// BenchmarkWindowFPS measures the viewer at 1× under the display the tests use: ticks
// (Update calls) and frames (Draw calls) per second of wall time over GORL_VIEWER_SECONDS
// (default 4), the env steps per second against the env's rate, and the process's CPU time per
// frame. It fails when the viewer does not keep 55 ticks a second or its env's pace.
func BenchmarkWindowFPS(b *testing.B) {
	b.Run("CartPole", func(b *testing.B) { benchWindow(b, "fps-cartpole", "") })
	b.Run("Racetrack", func(b *testing.B) { benchWindow(b, "fps-racetrack", "") })
}

func benchWindow(b *testing.B, name, arg string) {
	var r *result
	for range b.N {
		r = runWindow(b, name, arg)
	}
	tps, fps := float64(r.Updates)/r.Seconds, float64(r.Draws)/r.Seconds
	pace := float64(r.Steps) / r.Seconds / r.Rate
	cpu := 1000 * r.CPUSeconds / float64(max(1, r.Draws))
	load, cores := loadAverage(), runtime.NumCPU()
	b.ReportMetric(tps, "TPS")
	b.ReportMetric(fps, "FPS")
	b.ReportMetric(pace, "pace")
	b.ReportMetric(cpu, "cpu-ms/frame")
	b.ReportMetric(100*r.CPUSeconds/r.Seconds, "cpu-%")
	b.ReportMetric(0, "ns/op")
	b.Logf("%s: %.1f ticks/s, %.1f frames/s (ebiten: %.1f TPS, %.1f FPS), env at %.2fx real time (rate %g), %.2f ms CPU per frame (%.0f%% of a core), over %.1f s; load average %.1f on %d cores",
		name, tps, fps, r.ActualTPS, r.ActualFPS, pace, r.Rate, cpu, 100*r.CPUSeconds/r.Seconds, r.Seconds, load, cores)
	// A frame must cost less than a 60 Hz frame's time of CPU: then the viewer holds 60
	// frames a second on a core of its own, whatever else runs.
	if cpu > 1000.0/60 {
		b.Errorf("%s: a frame costs %.1f ms of CPU: more than 1/60 s", name, cpu)
	}
	slow := tps < 55 || fps < 55 || pace < 0.9
	switch {
	case slow && load >= float64(cores):
		b.Logf("%s: below 55 ticks or frames a second, or behind real time, while other processes keep the load at %.1f on %d cores: not counted as a failure", name, load, cores)
	case slow:
		b.Errorf("%s: %.1f ticks/s, %.1f frames/s, %.2fx real time; want at least 55, 55 and 0.9", name, tps, fps, pace)
	}
}

// loadAverage returns the 1-minute load average (Linux; NaN elsewhere).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	var l float64
	if _, err := fmt.Sscan(string(b), &l); err != nil {
		return math.NaN()
	}
	return l
}
