package scene

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
	"github.com/gorl/gorl/run"
	"github.com/gorl/gorl/view/internal/viewtest"
)

const tick = 1.0 / 60

// pushRight is a CartPole policy that always pushes right, with Q-values saying so.
var pushRight = viewtest.NewQPolicy(2, func(_, dst []float32) { dst[0], dst[1] = 0.25, 1.5 })

func mustMake(t *testing.T, id string, opts env.Options) env.Env {
	t.Helper()
	e, err := env.Make(id, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A Watcher at 1× takes 50 CartPole steps a second, shows the policy's Q-values and action,
// holds a finished episode for a moment and starts the next with the next seed.
func TestWatcherOnStage(t *testing.T) {
	e := mustMake(t, "CartPole-v1", nil)
	var seeds []int
	seed := func(i int) uint64 { seeds = append(seeds, i); return 100 + uint64(i) }
	w := NewWatcher("test", "cartpole", e, nil, pushRight, seed)
	st := NewStage(w, "watch")
	for range 6 {
		st.Tick(Input{}, tick, time.Millisecond)
	}
	v := st.View()
	if v.Steps != 5 || v.ActionLabel != "push right" || !slices.Equal(v.Q, []float32{0.25, 1.5}) || !v.Discrete {
		t.Fatalf("after 6 ticks: %d steps, action %q, Q %v", v.Steps, v.ActionLabel, v.Q)
	}
	if v.Speed != "1x" || !v.ShowEpsilon || v.Plot.Title == "" {
		t.Errorf("view: speed %q, epsilon shown %v", v.Speed, v.ShowEpsilon)
	}
	// Pushing right topples the pole within a second or so; the end stays for 0.6 s (30
	// steps of 1/50 s), then episode 2 starts with its own seed.
	s := w.Session
	for ticks := 0; !s.Over(); ticks++ {
		if ticks > 600 {
			t.Fatal("the episode never ended")
		}
		st.Tick(Input{}, tick, time.Millisecond)
	}
	ret := s.Return
	for range 30 {
		st.Tick(Input{}, tick, time.Millisecond)
	}
	if s.Episode != 0 || !s.Over() {
		t.Fatalf("the end was not held: episode %d, over %v", s.Episode, s.Over())
	}
	if v := st.View(); v.Message == "" {
		t.Error("no message at the end of the episode")
	}
	for range 10 {
		st.Tick(Input{}, tick, time.Millisecond)
	}
	if s.Episode != 1 || !slices.Equal(s.Returns, []float64{ret}) {
		t.Fatalf("after the hold: episode %d, returns %v (want [%v])", s.Episode, s.Returns, ret)
	}
	if last := seeds[len(seeds)-1]; last != 1 {
		t.Errorf("episode 2 was seeded for episode %d", last)
	}
}

func TestStageKeys(t *testing.T) {
	e := mustMake(t, "CartPole-v1", nil)
	w := NewWatcher("test", "cartpole", e, nil, pushRight, func(i int) uint64 { return uint64(i) })
	st := NewStage(w, "watch")
	press := func(k ...Key) Input { return Input{Pressed: Of(k...), Held: Of(k...)} }
	st.Tick(press(KeySpace), tick, 0)
	for range 30 {
		st.Tick(Input{}, tick, 0)
	}
	if n := w.Session.Steps; n != 0 || !st.Clock.Paused() {
		t.Fatalf("paused: %d steps", n)
	}
	st.Tick(press(KeyN), tick, 0)
	st.Tick(press(KeyN), tick, 0)
	if n := w.Session.Steps; n != 2 {
		t.Fatalf("two single steps took %d", n)
	}
	st.Tick(press(KeySpace), tick, 0)
	st.Tick(press(KeyPlus), tick, 0)
	if st.Clock.Speed() != 2 {
		t.Errorf("+ gives %v", st.Clock.Speed())
	}
	st.Tick(press(KeyMinus), tick, 0)
	st.Tick(press(KeyMinus), tick, 0)
	if st.Clock.Speed() != 0.5 {
		t.Errorf("- - gives %v", st.Clock.Speed())
	}
	st.Tick(press(Key3), tick, 0)
	if st.Epsilon != 0.3 || w.Agent.Epsilon != 0.3 || !st.View().ShowEpsilon {
		t.Errorf("3 sets epsilon to %v (agent %v)", st.Epsilon, w.Agent.Epsilon)
	}
	st.Tick(press(KeyH), tick, 0)
	if !st.Help || len(st.HelpLines()) == 0 {
		t.Error("H shows no help")
	}
	ep := w.Session.Episode
	st.Tick(press(KeyR), tick, 0)
	if w.Session.Episode != ep+1 || w.Session.Steps != 0 {
		t.Error("R did not start a new episode")
	}
	if !st.Tick(press(KeyEscape), tick, 0) {
		t.Error("Esc did not quit")
	}
	// At the fastest speed the stage steps until the budget is spent.
	st2 := NewStage(NewWatcher("t", "cartpole", mustMake(t, "CartPole-v1", nil), nil, pushRight, func(i int) uint64 { return uint64(i) }), "watch")
	st2.Clock.SetSpeed(math.Inf(1))
	st2.Tick(Input{}, tick, 5*time.Millisecond)
	if d := st2.Driver.(*Watcher); len(d.Session.Returns) == 0 {
		t.Error("5 ms at max speed did not finish one CartPole episode")
	}
}

// A person plays FrozenLake one step per key press, and a key after the end starts again.
func TestPlayerTurnBased(t *testing.T) {
	p, err := PlayEnv("frozenlake", env.Options{"is_slippery": false}, 3)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStage(p, "play")
	press := func(k Key) {
		st.Tick(Input{Pressed: Of(k), Held: Of(k)}, tick, 0)
		st.Tick(Input{}, tick, 0)
	}
	for range 10 {
		st.Tick(Input{}, tick, 0)
	}
	if p.Session.Steps != 0 {
		t.Fatal("stepped without a key")
	}
	press(KeyRight)
	if p.Session.Steps != 1 || p.Session.Obs()[0] != 1 {
		t.Fatalf("Right: %d steps, state %v", p.Session.Steps, p.Session.Obs())
	}
	if v := st.View(); v.ActionLabel != "right" || v.Controls == nil || v.ShowEpsilon {
		t.Errorf("view: %q, controls %v", v.ActionLabel, v.Controls)
	}
	press(KeyDown) // into the hole at row 1, column 1
	if !p.Session.Terminated || p.Session.Obs()[0] != 5 {
		t.Fatalf("Down into the hole: state %v, terminated %v", p.Session.Obs(), p.Session.Terminated)
	}
	if st.View().Message == "" {
		t.Error("no message at the end")
	}
	press(KeyUp)
	if p.Session.Episode != 1 || p.Session.Steps != 0 || len(p.Session.Returns) != 1 {
		t.Fatalf("a key after the end: episode %d, %d steps", p.Session.Episode, p.Session.Steps)
	}
	st.Tick(Input{Pressed: Of(Key5)}, tick, 0)
	if st.Epsilon != 0 {
		t.Error("digits set epsilon in play mode")
	}
}

// CartPole waits for the first key, then runs at 50 steps a second with the held key.
func TestPlayerRealTime(t *testing.T) {
	p, err := PlayEnv("cartpole", nil, 7)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStage(p, "play")
	for range 30 {
		st.Tick(Input{}, tick, 0)
	}
	if p.Session.Steps != 0 || st.View().Message == "" {
		t.Fatal("CartPole did not wait for a key")
	}
	st.Tick(Input{Pressed: Of(KeyRight), Held: Of(KeyRight)}, tick, 0)
	for range 5 {
		st.Tick(Input{Held: Of(KeyRight)}, tick, 0)
	}
	if n := p.Session.Steps; n != 5 {
		t.Fatalf("6 ticks at 50 steps/s took %d steps", n)
	}
	if v := p.Session.Obs()[1]; v <= 0 {
		t.Errorf("holding Right, the cart's velocity is %v", v)
	}
	if v := st.View(); !v.Held.Has(KeyRight) || v.ActionLabel != "push right" {
		t.Errorf("view: held %v, action %q", v.Held, v.ActionLabel)
	}
	_, err = PlayEnv("nosuchenv", nil, 1)
	if err == nil {
		t.Error("PlayEnv of an unknown env")
	}
}

// The overlay paints FrozenLake's cells by the policy's values.
func TestOverlayColoursCells(t *testing.T) {
	values := viewtest.GridValues()
	e := mustMake(t, "FrozenLake-v1", nil)
	w := NewWatcher("t", "frozenlake", e, nil, viewtest.GridPolicy(values), func(int) uint64 { return 1 })
	img, _ := w.Frame()
	desc := env.Unwrapped(e).(*grid.FrozenLake).Desc()
	if err := viewtest.CheckGridColours(img, img.Bounds(), desc, values, "SF", 1); err != nil {
		t.Error(err)
	}
	if got := w.overlay.Values(); !slices.EqualFunc(got, values, func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }) {
		t.Errorf("overlay values %v, want %v", got, values)
	}
	// Not a grid world, or a policy without values: nothing to paint.
	var o Overlay
	if o.Update(mustMake(t, "CartPole-v1", nil), pushRight) {
		t.Error("an overlay on CartPole")
	}
	if o.Update(mustMake(t, "FrozenLake-v1", nil), &RandomPolicy{Space: env.NewDiscrete(4), Rand: env.NewRand(1)}) {
		t.Error("an overlay from a policy without values")
	}
}

// The frame is rendered again only when the env changed.
func TestFrameVersions(t *testing.T) {
	e := mustMake(t, "CartPole-v1", nil)
	w := NewWatcher("t", "cartpole", e, nil, pushRight, func(int) uint64 { return 1 })
	img1, v1 := w.Frame()
	x1, _ := viewtest.CartX(img1, img1.Bounds())
	_, v1b := w.Frame()
	if v1 != v1b {
		t.Error("the version changed without a step")
	}
	for range 10 {
		w.Update(Input{}, 1, time.Time{})
	}
	img2, v2 := w.Frame()
	x2, err := viewtest.CartX(img2, img2.Bounds())
	if err != nil || v2 == v1 || !(x2 > x1) {
		t.Errorf("after 10 pushes right the cart went from x=%v to %v (%v), version %d to %d", x1, x2, err, v1, v2)
	}
}

// A run directory and its checkpoint directory both load, with the DQN's Q-values in the HUD.
func TestWatchRun(t *testing.T) {
	dir, err := viewtest.DQNRun(t.TempDir(), "CartPole-v1", 200, nil)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := run.LatestCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, ck} {
		w, err := WatchRun(path)
		if err != nil {
			t.Fatalf("WatchRun(%s): %v", path, err)
		}
		w.Update(Input{}, 3, time.Time{})
		var v View
		w.Describe(&v)
		if len(v.Q) != 2 || v.Steps != 3 || !strings.Contains(v.Title, "CartPole-v1  dqn  step-000000200") {
			t.Errorf("%s: %d steps, Q %v, title %q", path, v.Steps, v.Q, v.Title)
		}
		w.Close()
	}
	if _, err := WatchRun(t.TempDir()); err == nil {
		t.Error("WatchRun of an empty directory")
	}
}
