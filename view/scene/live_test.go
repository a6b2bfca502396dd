package scene

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
	"github.com/gorl/gorl/run"
	"github.com/gorl/gorl/view/internal/viewtest"
)

// startRandom starts live training of the random baseline on CartPole.
func startRandom(t *testing.T, steps int64) *LiveTraining {
	t.Helper()
	lt, err := Train("random", "cartpole", t.TempDir(), run.Layer{Source: "test", Values: map[string]any{
		"n_timesteps": steps, "eval_episodes": 3,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

// window plays the window's part for d: ticks of input, frames and HUD reads, as ebiten
// would from its own goroutine, until done or the timeout.
func window(t *testing.T, d Driver, in func(i int) Input, done func(v *View) bool, timeout time.Duration) *View {
	t.Helper()
	v := &View{}
	end := time.Now().Add(timeout)
	for i := 0; ; i++ {
		d.Update(in(i), 1, time.Now().Add(time.Millisecond))
		d.Frame()
		d.Describe(v)
		if done(v) {
			return v
		}
		if time.Now().After(end) {
			t.Fatalf("not done after %v: %+v", timeout, v.Training)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func noKeys(int) Input { return Input{} }

// Live training runs to n_timesteps and ends as rlrun train does (final checkpoint,
// eval.json, learning curve), while the window's calls keep getting frames and the curve.
func TestLiveTrainingFinishes(t *testing.T) {
	lt := startRandom(t, 3000)
	v := window(t, lt, noKeys, func(v *View) bool { return v.Training.State == "finished" }, time.Minute)
	if v.Training.Steps != 3000 || v.Training.Episodes == 0 || len(v.Plot.X) == 0 || v.Plot.X[len(v.Plot.X)-1] > 3000 {
		t.Errorf("at the end: %+v, curve of %d points", v.Training, len(v.Plot.X))
	}
	if !strings.HasPrefix(v.Message, "done: eval: mean return") {
		t.Errorf("message %q", v.Message)
	}
	if v.Steps == 0 && v.Episode == 0 {
		t.Error("the display never stepped")
	}
	dir := lt.Dir()
	if err := lt.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{run.EvalFile, run.CurveFile, run.ConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	if _, err := ResumeTraining(dir); err == nil || !strings.Contains(err.Error(), "viewer watch") {
		t.Errorf("resuming a finished run: %v", err)
	}
}

// T pauses training, [ slows it to 10 steps a second; closing writes a checkpoint that
// training resumes from.
func TestLiveTrainingControlsAndResume(t *testing.T) {
	lt := startRandom(t, 1_000_000)
	window(t, lt, noKeys, func(v *View) bool { return v.Training.Steps > 0 }, time.Minute)
	// Pause.
	v := window(t, lt, func(i int) Input {
		if i == 0 {
			return Input{Pressed: Of(KeyT)}
		}
		return Input{}
	}, func(v *View) bool { return strings.HasPrefix(v.Training.State, "paused") }, time.Minute)
	time.Sleep(50 * time.Millisecond)
	lt.Describe(v)
	s0 := v.Training.Steps
	time.Sleep(100 * time.Millisecond)
	lt.Describe(v)
	if v.Training.Steps != s0 {
		t.Errorf("paused training went from %d to %d steps", s0, v.Training.Steps)
	}
	// Resume at the slowest speed.
	keys := []Key{KeyT, KeyLeftBracket, KeyLeftBracket, KeyLeftBracket, KeyLeftBracket, KeyLeftBracket}
	v = window(t, lt, func(i int) Input {
		if i < len(keys) {
			return Input{Pressed: Of(keys[i])}
		}
		return Input{}
	}, func(v *View) bool {
		return v.Training.Speed == "10 steps/s" && strings.HasPrefix(v.Training.State, "training")
	}, time.Minute)
	s1 := v.Training.Steps
	time.Sleep(300 * time.Millisecond)
	lt.Describe(v)
	if d := v.Training.Steps - s1; d > 12 {
		t.Errorf("at 10 steps/s, %d steps in 0.3 s", d)
	}
	dir := lt.Dir()
	if err := lt.Close(); err != nil {
		t.Fatal(err)
	}
	if s := lt.Summary(); !strings.Contains(s, "--resume "+dir) {
		t.Errorf("summary %q does not say how to resume", s)
	}
	ck, err := run.LatestCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	lt2, err := ResumeTraining(dir)
	if err != nil {
		t.Fatalf("resuming from %s: %v", ck, err)
	}
	v = window(t, lt2, noKeys, func(v *View) bool { return v.Training.Steps > s1+100 }, time.Minute)
	if len(v.Plot.X) == 0 {
		t.Error("the resumed run's curve is empty (it holds the episodes before the checkpoint)")
	}
	if err := lt2.Close(); err != nil {
		t.Fatal(err)
	}
}

// Live DQN on FrozenLake paints the learnt values on the cells of the frames it publishes.
func TestLiveTrainingGridOverlay(t *testing.T) {
	if testing.Short() {
		t.Skip("trains DQN for a few seconds")
	}
	lt, err := Train("dqn", "FrozenLake-v1", t.TempDir(), run.Layer{Source: "test", Values: map[string]any{
		"n_timesteps": 1500, "learning_starts": 100, "eval_episodes": 2, "net_arch": []any{16},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer lt.Close()
	if err := lt.Wait(ctxTimeout(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // the worker publishes after finishing
	img, _ := lt.Frame()
	values := lt.OverlayValues()
	if len(values) != 16 {
		t.Fatalf("overlay values %v", values)
	}
	e, _ := env.Make("FrozenLake-v1", nil)
	if err := viewtest.CheckGridColours(img, img.Bounds(), env.Unwrapped(e).(*grid.FrozenLake).Desc(), values, "SF", 1); err != nil {
		t.Error(err)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestMetricsTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	tail := metricsTail{path: path}
	var got []string
	read := func() {
		if err := tail.read(func(step int64, key string, v float64) {
			got = append(got, key)
		}); err != nil {
			t.Fatal(err)
		}
	}
	read() // no file yet
	os.WriteFile(path, []byte(run.MetricsHeader+"\n10,charts/episodic_return,9\n20,losses/td"), 0o644)
	read()
	if len(got) != 1 {
		t.Fatalf("rows %v", got)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("_loss,0.5\n")
	f.Close()
	read()
	if len(got) != 2 || got[1] != "losses/td_loss" {
		t.Fatalf("rows %v: a row cut in two was not joined", got)
	}
}

// The digits set live training's ε through the worker (from the next env step: charts/epsilon
// shows it, and run.json records it), S returns it to the schedule, and the HUD shows which.
// Run it with -race: the window's goroutine never touches the trainer.
func TestLiveTrainingEpsilon(t *testing.T) {
	lt, err := Train("qlearning", "FrozenLake-v1", t.TempDir(), run.Layer{Source: "test", Values: map[string]any{
		"n_timesteps": 10_000_000, "log_interval": 100, "eval_episodes": 1,
	}})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStage(lt, "train")
	tickUntil := func(in Input, done func(v *View) bool) *View {
		t.Helper()
		end := time.Now().Add(time.Minute)
		for i := 0; ; i++ {
			if i > 0 {
				in = Input{}
			}
			st.Tick(in, 1.0/60, time.Millisecond)
			st.Frame()
			if v := st.View(); done(v) {
				return v
			}
			if time.Now().After(end) {
				t.Fatalf("not done after a minute: %+v", st.View().Training)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	v := tickUntil(Input{}, func(v *View) bool { return v.Training.Steps > 1000 })
	if !v.ShowEpsilon || v.Training.EpsilonSet || v.Epsilon <= 0.9 {
		t.Fatalf("on the schedule early on: epsilon %v shown %v set %v", v.Epsilon, v.ShowEpsilon, v.Training.EpsilonSet)
	}
	v = tickUntil(Input{Pressed: Of(Key3)}, func(v *View) bool { return v.Training.EpsilonSet })
	if v.Epsilon != 0.3 {
		t.Errorf("after 3: the HUD shows epsilon %v", v.Epsilon)
	}
	set := v.Training.Steps
	tickUntil(Input{}, func(v *View) bool { return v.Training.Steps > set+2000 })
	v = tickUntil(Input{Pressed: Of(KeyS)}, func(v *View) bool { return !v.Training.EpsilonSet })
	if v.Epsilon == 0.3 || !v.ShowEpsilon {
		t.Errorf("after S: epsilon %v shown %v; want the schedule's", v.Epsilon, v.ShowEpsilon)
	}
	dir := lt.Dir()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ck, err := run.LatestCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct {
		Changes []run.ExplorationChange `json:"exploration_changes"`
	}
	b, _ := os.ReadFile(filepath.Join(ck, "run.json"))
	if err := json.Unmarshal(b, &rs); err != nil || len(rs.Changes) != 2 || rs.Changes[0].Epsilon == nil ||
		*rs.Changes[0].Epsilon != 0.3 || rs.Changes[1].Epsilon != nil {
		t.Fatalf("run.json's exploration changes %+v (%v)", rs.Changes, err)
	}
	from, to := rs.Changes[0].Step, rs.Changes[1].Step
	rows, err := run.ReadMetrics(filepath.Join(dir, run.MetricsFile), "charts/epsilon")
	if err != nil {
		t.Fatal(err)
	}
	inside := 0
	for _, r := range rows {
		if in := r.Step > from && r.Step <= to; in != (r.Value == 0.3) {
			t.Fatalf("charts/epsilon at %d = %v; ε was 0.3 from step %d to %d", r.Step, r.Value, from, to)
		} else if in {
			inside++
		}
	}
	if inside < 10 {
		t.Errorf("%d rows of charts/epsilon while ε was set", inside)
	}
}

// Live training of an algorithm without ε shows none and ignores the digits.
func TestLiveTrainingNoEpsilon(t *testing.T) {
	lt := startRandom(t, 1_000_000)
	st := NewStage(lt, "train")
	st.Tick(Input{Pressed: Of(Key4)}, 1.0/60, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if v := st.View(); v.ShowEpsilon || v.Training.HasEpsilon {
		t.Errorf("random: epsilon shown %v, has %v", v.ShowEpsilon, v.Training.HasEpsilon)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Join(HelpLines("train", nil), "\n"); !strings.Contains(lines, "S          training epsilon") {
		t.Errorf("train help:\n%s", lines)
	}
}
