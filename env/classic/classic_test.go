package classic_test

import (
	"bytes"
	"image"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
)

var ids = []string{"CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"}

func mustMake(t testing.TB, id string, opts env.Options) env.Env {
	t.Helper()
	e, err := env.Make(id, opts)
	if err != nil {
		t.Fatalf("Make(%q, %v): %v", id, opts, err)
	}
	return e
}

// TestCheck runs the env checker on every env, with default and non-default options.
func TestCheck(t *testing.T) {
	cases := []struct {
		id   string
		opts env.Options
	}{
		{"CartPole-v1", nil},
		{"CartPole-v1", env.Options{"sutton_barto_reward": true}},
		{"MountainCar-v0", nil},
		{"MountainCar-v0", env.Options{"goal_velocity": 0.01}},
		{"MountainCarContinuous-v0", nil},
		{"MountainCarContinuous-v0", env.Options{"goal_velocity": 0.01}},
		{"Acrobot-v1", nil},
		{"Acrobot-v1", env.Options{"book_or_nips": "nips", "torque_noise_max": 0.2}},
		{"Pendulum-v1", nil},
		{"Pendulum-v1", env.Options{"g": 9.81}},
	}
	for _, c := range cases {
		e := mustMake(t, c.id, c.opts)
		if err := env.Check(e); err != nil {
			t.Errorf("%s %v: %v", c.id, c.opts, err)
		}
		if err := env.Check(env.Unwrapped(e)); err != nil {
			t.Errorf("%s %v unwrapped: %v", c.id, c.opts, err)
		}
	}
}

func TestAliases(t *testing.T) {
	for alias, id := range map[string]string{
		"cartpole": "CartPole-v1", "mountaincar": "MountainCar-v0", "mountaincarcontinuous": "MountainCarContinuous-v0",
		"acrobot": "Acrobot-v1", "pendulum": "Pendulum-v1",
	} {
		s, err := env.Lookup(alias)
		if err != nil || s.ID != id {
			t.Errorf("Lookup(%q) = %v, %v; want %s", alias, s, err, id)
		}
	}
}

// sampleActions returns a fixed pseudo-random sequence of valid actions for e.
func sampleActions(e env.Env, n int, seed uint64) [][]float32 {
	r := env.NewRand(seed)
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, e.ActionSpace().Dim())
		e.ActionSpace().Sample(r, out[i])
	}
	return out
}

type step struct {
	obs         []float32
	reward      float64
	term, trunc bool
}

// rollout runs the actions from Reset(seed), resetting with Reset(nil) after episode ends.
func rollout(e env.Env, seed uint64, actions [][]float32) []step {
	obs, _ := e.Reset(env.Seed(seed))
	out := []step{{obs: append([]float32(nil), obs...)}}
	for _, a := range actions {
		obs, r, term, trunc, _ := e.Step(a)
		out = append(out, step{append([]float32(nil), obs...), r, term, trunc})
		if term || trunc {
			obs, _ = e.Reset(nil)
			out = append(out, step{obs: append([]float32(nil), obs...)})
		}
	}
	return out
}

func sameRollout(a, b []step) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].reward != b[i].reward || a[i].term != b[i].term || a[i].trunc != b[i].trunc || len(a[i].obs) != len(b[i].obs) {
			return false
		}
		for k := range a[i].obs {
			if math.Float32bits(a[i].obs[k]) != math.Float32bits(b[i].obs[k]) {
				return false
			}
		}
	}
	return true
}

// TestDeterminism: the same seed and actions give the same trajectory, across several
// episodes (Reset(nil) continues the stream), and another seed gives another one.
func TestDeterminism(t *testing.T) {
	for _, id := range ids {
		e1, e2 := mustMake(t, id, nil), mustMake(t, id, nil)
		actions := sampleActions(e1, 1500, 7)
		a, b := rollout(e1, 42, actions), rollout(e2, 42, actions)
		if !sameRollout(a, b) {
			t.Errorf("%s: two envs with seed 42 diverge", id)
		}
		if c := rollout(e1, 42, actions); !sameRollout(a, c) {
			t.Errorf("%s: the same env reset with seed 42 again diverges", id)
		}
		if d := rollout(e2, 43, actions); sameRollout(a, d) {
			t.Errorf("%s: seeds 42 and 43 give the same trajectory", id)
		}
	}
}

// TestNoAllocation: Step, Reset(nil) and Render (after the first frame) allocate nothing.
func TestNoAllocation(t *testing.T) {
	for _, id := range ids {
		e := env.Unwrapped(mustMake(t, id, nil))
		e.Reset(env.Seed(1))
		actions := sampleActions(e, 64, 1)
		k := 0
		if n := testing.AllocsPerRun(1000, func() {
			_, _, term, _, _ := e.Step(actions[k%len(actions)])
			k++
			if term {
				e.Reset(nil)
			}
		}); n != 0 {
			t.Errorf("%s: Step allocates %v times", id, n)
		}
		if n := testing.AllocsPerRun(100, func() { e.Reset(nil) }); n != 0 {
			t.Errorf("%s: Reset(nil) allocates %v times", id, n)
		}
		e.Render()
		if n := testing.AllocsPerRun(20, func() { e.Step(actions[0]); e.Render() }); n != 0 {
			t.Errorf("%s: Render allocates %v times", id, n)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, c := range []struct {
		id   string
		opts env.Options
		want string
	}{
		{"CartPole-v1", env.Options{"sutton_barto": true}, "sutton_barto"},
		{"CartPole-v1", env.Options{"sutton_barto_reward": "maybe"}, "sutton_barto_reward"},
		{"MountainCar-v0", env.Options{"goal_velocity": "fast"}, "goal_velocity"},
		{"MountainCarContinuous-v0", env.Options{"power": 1.0}, "power"},
		{"Acrobot-v1", env.Options{"book_or_nips": "paper"}, "book_or_nips"},
		{"Acrobot-v1", env.Options{"torque_noise_max": -1.0}, "torque_noise_max"},
		{"Pendulum-v1", env.Options{"gravity": 9.81}, "gravity"},
		{"Pendulum-v1", env.Options{"g": math.Inf(1)}, "g="},
	} {
		_, err := env.Make(c.id, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Make(%q, %v) error = %v; want one naming %q", c.id, c.opts, err, c.want)
		}
	}
}

// stateEnv returns the unwrapped env as a StateAccessor, set to state after a reset.
func stateEnv(t *testing.T, id string, opts env.Options, state ...float64) (env.Env, env.StateAccessor) {
	t.Helper()
	e := env.Unwrapped(mustMake(t, id, opts))
	e.Reset(env.Seed(0))
	sa := e.(env.StateAccessor)
	if err := sa.SetState(state); err != nil {
		t.Fatal(err)
	}
	return e, sa
}

// TestOptionsChangeDynamics checks that each option does what Gymnasium's kwarg does.
func TestOptionsChangeDynamics(t *testing.T) {
	t.Run("sutton_barto_reward", func(t *testing.T) {
		e, _ := stateEnv(t, "CartPole-v1", env.Options{"sutton_barto_reward": true}, 0, 0, 0, 0)
		if _, r, term, _, _ := env.StepDiscrete(e, 1); r != 0 || term {
			t.Errorf("upright step: reward %v, terminated %v; want 0, false", r, term)
		}
		e, _ = stateEnv(t, "CartPole-v1", env.Options{"sutton_barto_reward": true}, 2.39, 1, 0, 0)
		if _, r, term, _, _ := env.StepDiscrete(e, 1); r != -1 || !term {
			t.Errorf("failing step: reward %v, terminated %v; want -1, true", r, term)
		}
	})
	t.Run("goal_velocity", func(t *testing.T) {
		// At the flag with a small positive speed: terminal for goal_velocity 0, not for 0.05.
		for _, c := range []struct {
			id      string
			gv      float64
			want    bool
			pos, ac float64
		}{
			{"MountainCar-v0", 0, true, 0.55, 1}, {"MountainCar-v0", 0.05, false, 0.55, 1},
			{"MountainCarContinuous-v0", 0, true, 0.5, 0}, {"MountainCarContinuous-v0", 0.05, false, 0.5, 0},
		} {
			e, _ := stateEnv(t, c.id, env.Options{"goal_velocity": c.gv}, c.pos, 0.01)
			if _, _, term, _, _ := e.Step([]float32{float32(c.ac)}); term != c.want {
				t.Errorf("%s goal_velocity %v: terminated %v; want %v", c.id, c.gv, term, c.want)
			}
		}
	})
	t.Run("g", func(t *testing.T) {
		// Without gravity and torque a pendulum at rest stays at rest.
		e, sa := stateEnv(t, "Pendulum-v1", env.Options{"g": 0.0}, 1, 0)
		e.Step([]float32{0})
		if s := sa.State(); s[0] != 1 || s[1] != 0 {
			t.Errorf("g=0: state %v; want [1 0]", s)
		}
		e, sa = stateEnv(t, "Pendulum-v1", env.Options{"g": 20.0}, 1, 0)
		e.Step([]float32{0})
		if s := sa.State(); !(s[1] > 0) {
			t.Errorf("g=20: thetadot %v; want it to grow", s[1])
		}
	})
	t.Run("book_or_nips", func(t *testing.T) {
		e1, s1 := stateEnv(t, "Acrobot-v1", nil, 0.3, 0.4, 1, 2)
		e2, s2 := stateEnv(t, "Acrobot-v1", env.Options{"book_or_nips": "nips"}, 0.3, 0.4, 1, 2)
		env.StepDiscrete(e1, 2)
		env.StepDiscrete(e2, 2)
		if a, b := s1.State(), s2.State(); a[3] == b[3] {
			t.Errorf("book and nips dynamics agree: %v", a)
		}
	})
	t.Run("torque_noise_max", func(t *testing.T) {
		e1, s1 := stateEnv(t, "Acrobot-v1", env.Options{"torque_noise_max": 0.5}, 0.3, 0.4, 1, 2)
		e2, s2 := stateEnv(t, "Acrobot-v1", nil, 0.3, 0.4, 1, 2)
		env.StepDiscrete(e1, 1)
		env.StepDiscrete(e2, 1)
		if a, b := s1.State(), s2.State(); a[3] == b[3] {
			t.Errorf("torque noise has no effect: %v", a)
		}
	})
}

// TestCartPoleAfterTermination: as in Gymnasium, stepping on after termination keeps
// terminated true, pays 0 and warns once.
func TestCartPoleAfterTermination(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(prev)

	e, _ := stateEnv(t, "CartPole-v1", nil, 2.39, 0.6, 0, 0)
	rewards := []float64{}
	for range 4 {
		_, r, term, _, _ := env.StepDiscrete(e, 1)
		if !term {
			t.Fatalf("terminated = false after leaving the track")
		}
		rewards = append(rewards, r)
	}
	if rewards[0] != 1 || rewards[1] != 0 || rewards[2] != 0 || rewards[3] != 0 {
		t.Errorf("rewards %v; want [1 0 0 0]", rewards)
	}
	if n := strings.Count(buf.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings logged; want 1:\n%s", n, buf.String())
	}
	// Reset forgets the termination: the next terminal step pays 1 again.
	e.Reset(env.Seed(1))
	e.(env.StateAccessor).SetState([]float64{2.39, 0.6, 0, 0})
	if _, r, _, _, _ := env.StepDiscrete(e, 1); r != 1 {
		t.Errorf("terminal step after SetState: reward %v; want 1", r)
	}
}

func TestStateAccessor(t *testing.T) {
	for _, id := range ids {
		e := env.Unwrapped(mustMake(t, id, nil))
		sa := e.(env.StateAccessor)
		e.Reset(env.Seed(3))
		s := sa.State()
		s[0] += 1 // State returns a copy
		if sa.State()[0] == s[0] {
			t.Errorf("%s: State returns the env's own slice", id)
		}
		if err := sa.SetState(s[:len(s)-1]); err == nil {
			t.Errorf("%s: SetState of %d values succeeded", id, len(s)-1)
		}
		bad := append([]float64(nil), s...)
		bad[0] = math.NaN()
		if err := sa.SetState(bad); err == nil {
			t.Errorf("%s: SetState with a NaN succeeded", id)
		}
		if err := sa.SetState(s); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := sa.State(); got[0] != s[0] {
			t.Errorf("%s: State after SetState = %v; want %v", id, got, s)
		}
	}
}

// mustPanic reports whether f panics with a message containing want.
func mustPanic(t *testing.T, name, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if p == nil {
			t.Errorf("%s did not panic", name)
		} else if !strings.Contains(p.(string), want) {
			t.Errorf("%s panicked with %q; want a message containing %q", name, p, want)
		}
	}()
	f()
}

func TestContractViolations(t *testing.T) {
	for _, id := range ids {
		e := env.Unwrapped(mustMake(t, id, nil))
		a := make([]float32, e.ActionSpace().Dim())
		mustPanic(t, id+" Step before Reset", "before Reset", func() { e.Step(a) })
		e.Reset(env.Seed(1))
		mustPanic(t, id+" Step with two action values", "elements", func() { e.Step([]float32{0, 0}) })
		if _, ok := e.ActionSpace().(env.Discrete); ok {
			mustPanic(t, id+" Step(7)", "not in Discrete", func() { e.Step([]float32{7}) })
			mustPanic(t, id+" Step(0.5)", "not in Discrete", func() { e.Step([]float32{0.5}) })
		} else {
			mustPanic(t, id+" Step(NaN)", "NaN", func() { e.Step([]float32{float32(math.NaN())}) })
		}
	}
}

// TestBoxActionsClipped: like Gymnasium, the continuous envs clip an out-of-range action in
// their dynamics; MountainCarContinuous still charges the unclipped action in its reward.
func TestBoxActionsClipped(t *testing.T) {
	e1, s1 := stateEnv(t, "Pendulum-v1", nil, 1, 0.5)
	e2, s2 := stateEnv(t, "Pendulum-v1", nil, 1, 0.5)
	_, r1, _, _, _ := e1.Step([]float32{5})
	_, r2, _, _, _ := e2.Step([]float32{2})
	if s1.State()[1] != s2.State()[1] || r1 != r2 {
		t.Errorf("Pendulum: action 5 gives %v, %v; action 2 gives %v, %v", s1.State(), r1, s2.State(), r2)
	}
	e1, s1 = stateEnv(t, "MountainCarContinuous-v0", nil, -0.5, 0)
	e2, s2 = stateEnv(t, "MountainCarContinuous-v0", nil, -0.5, 0)
	_, r1, _, _, _ = e1.Step([]float32{-3})
	_, r2, _, _, _ = e2.Step([]float32{-1})
	if s1.State()[1] != s2.State()[1] {
		t.Errorf("MountainCarContinuous: action -3 gives %v; action -1 gives %v", s1.State(), s2.State())
	}
	if math.Abs(r1-(-0.9)) > 1e-12 || math.Abs(r2-(-0.1)) > 1e-12 {
		t.Errorf("MountainCarContinuous rewards %v, %v; want -0.9, -0.1", r1, r2)
	}
}

// TestRender checks the frames: Gymnasium's sizes, a white background, and the moving part
// drawn where the state puts it.
func TestRender(t *testing.T) {
	px := func(img *image.RGBA, x, y int) [3]uint8 {
		c := img.RGBAAt(x, y)
		return [3]uint8{c.R, c.G, c.B}
	}
	white := [3]uint8{255, 255, 255}
	black := [3]uint8{0, 0, 0}

	e, _ := stateEnv(t, "CartPole-v1", nil, 1.2, 0, 0, 0)
	img := e.Render()
	if img.Bounds() != image.Rect(0, 0, 600, 400) {
		t.Fatalf("CartPole frame %v; want 600×400", img.Bounds())
	}
	// The cart centre is at x = 1.2·125 + 300 = 450, 100 pixels above the bottom.
	if got := px(img, 450, 300); got != black {
		t.Errorf("CartPole: cart pixel %v; want black", got)
	}
	if got := px(img, 150, 300-5); got != white {
		t.Errorf("CartPole: pixel left of the cart %v; want white", got)
	}
	// The upright pole rises above the cart centre in its brown.
	if got := px(img, 450, 300-60); got != [3]uint8{202, 152, 101} {
		t.Errorf("CartPole: pole pixel %v; want (202, 152, 101)", got)
	}

	e, _ = stateEnv(t, "MountainCar-v0", nil, -0.5, 0)
	img = e.Render()
	if img.Bounds() != image.Rect(0, 0, 600, 400) {
		t.Fatalf("MountainCar frame %v; want 600×400", img.Bounds())
	}
	// The yellow pennant beside the flag pole at x = (0.5+1.2)·600/1.8.
	flagX := 566 // int((0.5 + 1.2) * 600 / 1.8)
	found := false
	for y := range 400 {
		if px(img, flagX+10, y) == [3]uint8{204, 204, 0} {
			found = true
		}
	}
	if !found {
		t.Errorf("MountainCar: no pennant right of x=%d", flagX)
	}
	if got := px(img, 0, 0); got != white {
		t.Errorf("MountainCar: corner pixel %v; want white", got)
	}

	e, _ = stateEnv(t, "Acrobot-v1", nil, 0, 0, 0, 0)
	img = e.Render()
	if img.Bounds() != image.Rect(0, 0, 500, 500) {
		t.Fatalf("Acrobot frame %v; want 500×500", img.Bounds())
	}
	// Hanging straight down: cyan below the centre, white above it.
	if got := px(img, 250, 250+60); got != [3]uint8{0, 204, 204} {
		t.Errorf("Acrobot: link pixel %v; want (0, 204, 204)", got)
	}
	if got := px(img, 250, 250-60); got != white {
		t.Errorf("Acrobot: pixel above the pivot %v; want white", got)
	}

	e, _ = stateEnv(t, "Pendulum-v1", nil, 0, 0)
	img = e.Render()
	if img.Bounds() != image.Rect(0, 0, 500, 500) {
		t.Fatalf("Pendulum frame %v; want 500×500", img.Bounds())
	}
	// Upright (theta 0): the red rod above the pivot.
	if got := px(img, 250, 250-70); got != [3]uint8{204, 77, 77} {
		t.Errorf("Pendulum: rod pixel %v; want (204, 77, 77)", got)
	}
	if got := px(img, 250, 250+70); got != white {
		t.Errorf("Pendulum: pixel below the pivot %v; want white", got)
	}
}
