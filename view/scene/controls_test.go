package scene

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all"
)

func TestKeySet(t *testing.T) {
	s := Of(KeyLeft, KeyH)
	if !s.Has(KeyLeft) || !s.Has(KeyH) || s.Has(KeyRight) {
		t.Fatalf("Of(Left, H) = %v", s)
	}
	if s.Without(KeyLeft).Has(KeyLeft) || !s.With(Key9).Has(Key9) {
		t.Fatal("With/Without")
	}
	if got := s.String(); got != "{Left H}" {
		t.Errorf("String = %q", got)
	}
	if len(Keys()) != int(numKeys) {
		t.Errorf("Keys() has %d keys, want %d", len(Keys()), numKeys)
	}
}

// Every built-in env has controls that build for its default action space, with distinct
// keys that leave the viewer's own keys alone and a label for each.
func TestControlsForEveryPlayableEnv(t *testing.T) {
	ids := Playable()
	for _, spec := range env.Specs() {
		if !slices.Contains(ids, spec.ID) {
			t.Errorf("%s has no keyboard controls", spec.ID)
		}
	}
	for _, id := range ids {
		e, err := env.Make(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ControlsFor(id, e.ActionSpace())
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		seen := KeySet(0)
		for _, b := range c.Bindings {
			if seen.Has(b.Key) {
				t.Errorf("%s: key %v bound twice", id, b.Key)
			}
			seen = seen.With(b.Key)
			if b.Label == "" {
				t.Errorf("%s: key %v has no label", id, b.Key)
			}
			if b.Key >= KeySpace && b.Key != KeyP && b.Key != KeyD {
				t.Errorf("%s: key %v collides with the viewer's own keys", id, b.Key)
			}
		}
		if c.Timing == RealTime && c.Base == nil && len(c.Idle) == 0 {
			t.Errorf("%s: a real-time Discrete env needs an idle action", id)
		}
		if StepRate(id, nil) <= 0 {
			t.Errorf("%s: rate %v", id, StepRate(id, nil))
		}
	}
}

func TestControlsErrors(t *testing.T) {
	_, err := ControlsFor("NoSuchEnv-v0", env.NewDiscrete(2))
	if !errors.Is(err, ErrNotPlayable) {
		t.Errorf("unknown env: %v", err)
	}
	// CartPole's controls are for a Discrete space.
	_, err = ControlsFor("cartpole", env.NewUniformBox(-1, 1, 2))
	if !errors.Is(err, ErrNotPlayable) {
		t.Errorf("CartPole with a Box space: %v", err)
	}
}

func TestControlsFollowOptions(t *testing.T) {
	for _, tc := range []struct {
		id   string
		opts env.Options
		box  bool
	}{
		{"racetrack", nil, true},
		{"racetrack", env.Options{"continuous": false}, false},
		{"highway", nil, false},
		{"highway", env.Options{"action": "continuous"}, true},
	} {
		e, err := env.Make(tc.id, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ControlsFor(tc.id, e.ActionSpace())
		if err != nil {
			t.Fatalf("%s %v: %v", tc.id, tc.opts, err)
		}
		if (c.Base != nil) != tc.box {
			t.Errorf("%s %v: Box controls %v, want %v", tc.id, tc.opts, c.Base != nil, tc.box)
		}
	}
	if r := StepRate("highway", env.Options{"policy_frequency": 5}); r != 5 {
		t.Errorf("Highway at policy_frequency 5 runs at %v steps/s", r)
	}
	if r := StepRate("Highway-v0", nil); r != 1 {
		t.Errorf("Highway's default rate is %v", r)
	}
	if r := StepRate("unknown", nil); r != 30 {
		t.Errorf("unknown env's rate is %v", r)
	}
}

func controls(t *testing.T, id string, opts env.Options) *Keyboard {
	t.Helper()
	e, err := env.Make(id, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ControlsFor(id, e.ActionSpace())
	if err != nil {
		t.Fatal(err)
	}
	return NewKeyboard(c)
}

func TestKeyboardTurnBased(t *testing.T) {
	k := controls(t, "frozenlake", nil)
	a := make([]float32, 1)
	if _, ok := k.Action(a); ok {
		t.Fatal("stepped without a key")
	}
	k.Observe(Input{Held: Of(KeyRight), Pressed: Of(KeyRight)})
	label, ok := k.Action(a)
	if !ok || a[0] != 2 || label != "right" {
		t.Fatalf("Right: action %v %q %v, want 2 right", a, label, ok)
	}
	// Holding the key does not repeat the step.
	k.Observe(Input{Held: Of(KeyRight)})
	if _, ok := k.Action(a); ok {
		t.Fatal("a held key stepped again")
	}
	// A tap between steps (pressed and released within a tick) counts.
	k.Observe(Input{Pressed: Of(KeyUp)})
	if _, ok := k.Action(a); !ok || a[0] != 3 {
		t.Fatalf("tap Up: %v %v", a, ok)
	}
	tx := controls(t, "taxi", nil)
	tx.Observe(Input{Pressed: Of(KeyP)})
	if l, ok := tx.Action(a); !ok || a[0] != 4 || l != "pick up" {
		t.Fatalf("Taxi P: %v %q", a, l)
	}
}

func TestKeyboardRealTimeDiscrete(t *testing.T) {
	k := controls(t, "cartpole", nil)
	a := make([]float32, 1)
	if _, ok := k.Action(a); ok || k.Started() {
		t.Fatal("a real-time env must wait for the first key")
	}
	k.Observe(Input{Held: Of(KeyLeft), Pressed: Of(KeyLeft)})
	for range 3 {
		if l, ok := k.Action(a); !ok || a[0] != 0 || l != "push left" {
			t.Fatalf("Left held: %v %q %v", a, l, ok)
		}
		k.Observe(Input{Held: Of(KeyLeft)})
	}
	// Right pressed while Left is still held: the latest key wins.
	k.Observe(Input{Held: Of(KeyLeft, KeyRight), Pressed: Of(KeyRight)})
	if k.Action(a); a[0] != 1 {
		t.Fatalf("Right over Left: %v", a)
	}
	// Right released: back to Left.
	k.Observe(Input{Held: Of(KeyLeft)})
	if k.Action(a); a[0] != 0 {
		t.Fatalf("Right released: %v", a)
	}
	// No key: CartPole alternates its pushes.
	k.Observe(Input{})
	var got []float32
	for range 4 {
		l, _ := k.Action(a)
		got = append(got, a[0])
		if l == "" {
			t.Error("idle action without a label")
		}
	}
	if !slices.Equal(got, []float32{0, 1, 0, 1}) {
		t.Errorf("idle CartPole actions %v, want alternating", got)
	}
	// MountainCar idles with its no-op.
	m := controls(t, "mountaincar", nil)
	m.Observe(Input{Pressed: Of(KeyRight)}) // a tap starts and acts once
	if m.Action(a); a[0] != 2 {
		t.Fatalf("tap Right: %v", a)
	}
	if m.Action(a); a[0] != 1 {
		t.Fatalf("MountainCar idle: %v, want 1", a)
	}
	// Highway's up arrow is a lane change to the left (lane 0 is at the top).
	h := controls(t, "highway", nil)
	h.Observe(Input{Pressed: Of(KeyUp)})
	if l, _ := h.Action(a); a[0] != 0 || l != "lane left" {
		t.Fatalf("Highway Up: %v %q", a, l)
	}
}

func TestKeyboardBox(t *testing.T) {
	k := controls(t, "racetrack", nil)
	a := make([]float32, 3)
	k.Observe(Input{Held: Of(KeyLeft, KeyUp), Pressed: Of(KeyLeft, KeyUp)})
	l, ok := k.Action(a)
	if !ok || !slices.Equal(a, []float32{-1, 1, 0}) || l != "steer left + gas" {
		t.Fatalf("Left+Up: %v %q %v", a, l, ok)
	}
	// Left and Right cancel out; Down brakes.
	k.Observe(Input{Held: Of(KeyLeft, KeyRight, KeyDown), Pressed: Of(KeyRight, KeyDown)})
	if k.Action(a); !slices.Equal(a, []float32{0, 0, 0.8}) {
		t.Fatalf("Left+Right+Down: %v", a)
	}
	k.Observe(Input{})
	if l, _ := k.Action(a); !slices.Equal(a, []float32{0, 0, 0}) || l != "no key" {
		t.Fatalf("no key: %v %q", a, l)
	}
	p := controls(t, "pendulum", nil)
	p.Observe(Input{Held: Of(KeyLeft), Pressed: Of(KeyLeft)})
	if p.Action(a[:1]); a[0] != 2 {
		t.Fatalf("Pendulum Left: torque %v, want +2 (counterclockwise)", a[0])
	}
	k.Reset()
	if k.Started() {
		t.Error("Reset must wait for a key again")
	}
}

func TestActionNames(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"CartPole-v1", []string{"push left", "push right"}},
		{"frozenlake", []string{"left", "down", "right", "up"}}, // the env's ActionMeanings
		{"Pendulum-v1", []string{"torque"}},
		{"racetrack", []string{"steer", "gas", "brake"}},
	} {
		e, err := env.Make(tc.id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := ActionNames(tc.id, e); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.id, got, tc.want)
		}
	}
	if got := actionNames("unknown", env.NewDiscrete(3), nil); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Errorf("unknown env: %v", got)
	}
}

func TestClock(t *testing.T) {
	c := NewClock(50)
	if c.Speed() != 1 || c.String() != "1x" {
		t.Fatalf("new clock at %v (%s)", c.Speed(), c)
	}
	steps := func(ticks int) int {
		n := 0
		for range ticks {
			s := c.Tick(1.0 / 60)
			if s == Unlimited {
				return Unlimited
			}
			n += s
		}
		return n
	}
	if n := steps(60); n != 50 {
		t.Errorf("1x, one second: %d steps, want 50", n)
	}
	c.Slower()
	c.Slower()
	if c.Speed() != 0.25 {
		t.Fatalf("two Slower from 1x: %v", c.Speed())
	}
	if n := steps(240); n != 50 {
		t.Errorf("0.25x, four seconds: %d steps, want 50", n)
	}
	c.Slower()
	if c.Speed() != 0.25 {
		t.Error("Slower below the slowest speed")
	}
	c.TogglePause()
	if n := steps(60); n != 0 || !c.Paused() || c.String() != "0.25x (paused)" {
		t.Errorf("paused: %d steps, %s", n, c)
	}
	c.StepOnce()
	c.StepOnce()
	if n := steps(1); n != 2 {
		t.Errorf("two single steps: %d", n)
	}
	c.TogglePause()
	c.StepOnce() // N on a running clock pauses it
	if !c.Paused() || steps(10) != 0 {
		t.Error("N did not pause")
	}
	c.TogglePause()
	for range len(Speeds) {
		c.Faster()
	}
	if !math.IsInf(c.Speed(), 1) || c.String() != "max" || c.Tick(1.0/60) != Unlimited {
		t.Errorf("fastest: %v %s", c.Speed(), c)
	}
	c.SetSpeed(3)
	if c.Speed() != 4 && c.Speed() != 2 {
		t.Errorf("SetSpeed(3) = %v", c.Speed())
	}
	c.SetSpeed(0.25)
	if c.Speed() != 0.25 {
		t.Errorf("SetSpeed(0.25) = %v", c.Speed())
	}
	c.SetSpeed(math.Inf(1))
	if !math.IsInf(c.Speed(), 1) {
		t.Errorf("SetSpeed(Inf) = %v", c.Speed())
	}
}
