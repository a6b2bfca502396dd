package env

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
)

// CheckConfig tunes CheckWith. The zero value is what Check uses.
type CheckConfig struct {
	// Seed is the seed of the recorded trajectory; Seed+1 and Seed+2 serve as different seeds.
	// Actions are sampled from the action space with NewRand(Seed).
	Seed uint64
	// Steps is the length of the recorded trajectory, resets included; 0 means 300. Episodes
	// that end within it are followed by Reset(nil), so the random stream after a seed is
	// checked too.
	Steps int
	// NoRandomness declares that the env draws no random numbers at all (a fixed start and
	// deterministic transitions, such as CliffWalking or a non-slippery FrozenLake), so that
	// different seeds are not expected to give different trajectories.
	NoRandomness bool
}

// CheckError lists every check an env failed.
type CheckError struct {
	Env      string   // the env's Go type and spaces
	Failures []string // one line per failed check, prefixed with the check's name
}

func (e *CheckError) Error() string {
	noun := "checks"
	if len(e.Failures) == 1 {
		noun = "check"
	}
	return fmt.Sprintf("env: Check(%s): %d %s failed:\n  - %s", e.Env, len(e.Failures), noun, strings.Join(e.Failures, "\n  - "))
}

// Check validates an env the way Gymnasium's env checker does, with CheckWith's defaults. Every
// env's tests call it.
func Check(e Env) error { return CheckWith(e, CheckConfig{}) }

// CheckWith validates e and returns nil or a *CheckError that names every failed check:
//
//   - spaces: both spaces are well formed (sizes at least 1, Shape matching Dim, ordered bounds
//     without NaN), their samples are contained in them, and a slice of the wrong length is not.
//   - reset: Reset returns an observation of Dim elements inside the observation space.
//   - reset determinism: Reset(seed) twice returns bit-identical observations.
//   - step: Reset(Seed) and Steps steps of actions sampled from the action space (with
//     Reset(nil) after each episode end) do not panic. The checks below need this trajectory.
//   - step determinism: Reset(seed) and the same actions give a bit-identical trajectory
//     (observations, rewards and flags, across the Reset(nil) calls after episode ends).
//   - seed sensitivity: seeds Seed, Seed+1 and Seed+2 do not all give the same trajectory,
//     unless cfg.NoRandomness says the env is not random.
//   - observation space: every observation lies in the observation space.
//   - reward: every reward is finite.
//   - render: Render returns nil every time (the env cannot draw) or a non-empty image of the
//     same size every time, and rendering does not change the trajectory.
//   - step after end: a Step after an episode has ended, before Reset, does not panic, and a
//     Reset afterwards still works. Its results are not checked: the contract leaves them
//     unspecified.
//   - state: for an env implementing StateAccessor (itself or the env under its wrappers),
//     State returns a copy, SetState of a slice of the wrong length returns an error,
//     SetState(s) makes State() return s, and setting another state and then the current one
//     back in the middle of an episode does not change the trajectory.
//
// A panic in any env method fails the check that made the call. Check resets and steps e many
// times with seeds of its own: afterwards e is in the middle of some episode, so Reset it, with
// a seed, before using it. It does not Close e.
func CheckWith(e Env, cfg CheckConfig) error {
	if cfg.Steps <= 0 {
		cfg.Steps = 300
	}
	c := &checker{e: e, cfg: cfg, failed: map[string]bool{}}
	c.run()
	if len(c.failures) == 0 {
		return nil
	}
	return &CheckError{Env: c.describe(), Failures: c.failures}
}

type checker struct {
	e        Env
	cfg      CheckConfig
	failures []string
	failed   map[string]bool
}

// fail records the first failure of a check; later failures of the same check add nothing.
func (c *checker) fail(check, format string, args ...any) {
	if c.failed[check] {
		return
	}
	c.failed[check] = true
	c.failures = append(c.failures, check+": "+fmt.Sprintf(format, args...))
}

func (c *checker) describe() string {
	var obsSpace, actSpace Space
	_ = safely(func() { obsSpace, actSpace = c.e.ObservationSpace(), c.e.ActionSpace() })
	return fmt.Sprintf("%T, observations %v, actions %v", c.e, obsSpace, actSpace)
}

// event is one Reset or Step of a rollout.
type event struct {
	reset       bool
	obs         []float32
	reward      float64
	term, trunc bool
}

func (ev event) String() string {
	if ev.reset {
		return fmt.Sprintf("Reset -> obs %v", ev.obs)
	}
	return fmt.Sprintf("Step -> obs %v, reward %v, terminated %v, truncated %v", ev.obs, ev.reward, ev.term, ev.trunc)
}

// sameEvent compares bit for bit (NaN equals NaN with the same bits; 0 and -0 differ).
func sameEvent(a, b event) bool {
	if a.reset != b.reset || a.term != b.term || a.trunc != b.trunc ||
		math.Float64bits(a.reward) != math.Float64bits(b.reward) || len(a.obs) != len(b.obs) {
		return false
	}
	for i := range a.obs {
		if math.Float32bits(a.obs[i]) != math.Float32bits(b.obs[i]) {
			return false
		}
	}
	return true
}

// firstDifference returns the index of the first differing event of two rollouts (comparing
// the common prefix when one is shorter), or -1.
func firstDifference(a, b []event) int {
	for i := range min(len(a), len(b)) {
		if !sameEvent(a[i], b[i]) {
			return i
		}
	}
	return -1
}

// safely calls f and turns a panic into an error.
func safely(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	f()
	return nil
}

// rollout resets e with seed and replays actions, resetting with Reset(nil) after every
// episode end. before, if not nil, is called before step t and may return an error to stop.
// It returns the events recorded until the end or until a panic, and the panic as an error.
func (c *checker) rollout(seed uint64, actions [][]float32, before func(t int) error) (evs []event, err error) {
	t := -1
	defer func() {
		if p := recover(); p != nil {
			if t < 0 {
				err = fmt.Errorf("Reset(%d) panicked: %v", seed, p)
			} else {
				err = fmt.Errorf("panicked at step %d: %v", t, p)
			}
		}
	}()
	obs, _ := c.e.Reset(&seed)
	evs = append(evs, event{reset: true, obs: slices.Clone(obs)})
	for t = 0; t < len(actions); t++ {
		if before != nil {
			if err := before(t); err != nil {
				return evs, err
			}
		}
		last := evs[len(evs)-1]
		if !last.reset && (last.term || last.trunc) {
			obs, _ := c.e.Reset(nil)
			evs = append(evs, event{reset: true, obs: slices.Clone(obs)})
			continue
		}
		obs, r, term, trunc, _ := c.e.Step(actions[t])
		evs = append(evs, event{obs: slices.Clone(obs), reward: r, term: term, trunc: trunc})
	}
	return evs, nil
}

func (c *checker) run() {
	e, cfg := c.e, c.cfg
	var obsSpace, actSpace Space
	if err := safely(func() { obsSpace, actSpace = e.ObservationSpace(), e.ActionSpace() }); err != nil {
		c.fail("spaces", "asking for the spaces %v", err)
		return
	}
	if err := validateSpace(obsSpace); err != nil {
		c.fail("spaces", "observation space %v", err)
	}
	if err := validateSpace(actSpace); err != nil {
		c.fail("spaces", "action space %v", err)
	}
	if c.failed["spaces"] {
		return // nothing can be sampled or checked against broken spaces
	}

	// Actions are drawn once and replayed in every rollout.
	r := NewRand(cfg.Seed)
	actions := make([][]float32, cfg.Steps)
	for t := range actions {
		actions[t] = make([]float32, actSpace.Dim())
		actSpace.Sample(r, actions[t])
	}

	c.checkReset(obsSpace)
	if c.failed["reset"] {
		return
	}

	ref, err := c.rollout(cfg.Seed, actions, nil)
	if err != nil {
		c.fail("step", "Reset(%d) and %d steps of sampled actions: %v", cfg.Seed, cfg.Steps, err)
		return
	}
	for i, ev := range ref {
		if len(ev.obs) != obsSpace.Dim() {
			c.fail("observation space", "event %d (%s): observation of %d elements for %v", i, ev, len(ev.obs), obsSpace)
		} else if !obsSpace.Contains(ev.obs) {
			c.fail("observation space", "event %d (%s): observation outside %v", i, ev, obsSpace)
		}
		if math.IsNaN(ev.reward) || math.IsInf(ev.reward, 0) {
			c.fail("reward", "event %d (%s): reward %v is not finite", i, ev, ev.reward)
		}
	}

	replay, err := c.rollout(cfg.Seed, actions, nil)
	if err != nil {
		c.fail("step determinism", "replaying the trajectory: %v", err)
	} else if i := firstDifference(ref, replay); i >= 0 {
		c.fail("step determinism", "Reset(%d) and the same actions gave a different trajectory at event %d: %s, then %s",
			cfg.Seed, i, eventAt(ref, i), eventAt(replay, i))
	}

	if !cfg.NoRandomness && !c.failed["reset determinism"] && !c.failed["step determinism"] {
		c.checkSeedSensitivity(ref, actions)
	}
	// The checks below compare rollouts with ref, which only means something when the env is
	// reproducible; otherwise they run without comparing, to still catch their own failures.
	if c.failed["reset determinism"] || c.failed["step determinism"] {
		ref = nil
	}
	c.checkRender(ref, actions)
	c.checkStepAfterEnd(actions, obsSpace)
	c.checkState(ref, actions)
}

func eventAt(evs []event, i int) string {
	if i < 0 || i >= len(evs) {
		return "(no event)"
	}
	return evs[i].String()
}

func (c *checker) checkReset(obsSpace Space) {
	seed := c.cfg.Seed
	var a, b []float32
	if err := safely(func() { o, _ := c.e.Reset(&seed); a = slices.Clone(o) }); err != nil {
		c.fail("reset", "Reset(%d) %v", seed, err)
		return
	}
	if len(a) != obsSpace.Dim() {
		c.fail("reset", "Reset(%d) returned %d elements; the observation space %v has %d", seed, len(a), obsSpace, obsSpace.Dim())
		return
	}
	if !obsSpace.Contains(a) {
		c.fail("reset", "Reset(%d) returned %v, outside the observation space %v", seed, a, obsSpace)
	}
	if err := safely(func() { o, _ := c.e.Reset(&seed); b = slices.Clone(o) }); err != nil {
		c.fail("reset", "a second Reset(%d) %v", seed, err)
		return
	}
	if !sameEvent(event{reset: true, obs: a}, event{reset: true, obs: b}) {
		c.fail("reset determinism", "Reset(%d) twice returned %v, then %v", seed, a, b)
	}
}

func (c *checker) checkSeedSensitivity(ref []event, actions [][]float32) {
	for k := uint64(1); k <= 2; k++ {
		other, err := c.rollout(c.cfg.Seed+k, actions, nil)
		if err != nil {
			c.fail("seed sensitivity", "rollout with seed %d: %v", c.cfg.Seed+k, err)
			return
		}
		if firstDifference(ref, other) >= 0 {
			return
		}
	}
	c.fail("seed sensitivity", "seeds %d, %d and %d gave identical trajectories over %d steps: "+
		"the env ignores its seed (set CheckConfig.NoRandomness if it draws no random numbers)",
		c.cfg.Seed, c.cfg.Seed+1, c.cfg.Seed+2, c.cfg.Steps)
}

// renderSteps is how many steps of the trajectory checkRender renders.
const renderSteps = 8

func (c *checker) checkRender(ref []event, actions [][]float32) {
	var first image.Rectangle
	calls := 0
	render := func(when string) error {
		var img *image.RGBA
		if err := safely(func() { img = c.e.Render() }); err != nil {
			return fmt.Errorf("Render %s %v", when, err)
		}
		calls++
		var b image.Rectangle
		if img != nil {
			b = img.Bounds()
			if b.Empty() {
				return fmt.Errorf("Render %s returned an empty image %v", when, b)
			}
		}
		if calls == 1 {
			first = b
			return nil
		}
		switch {
		case (img == nil) != first.Empty():
			return fmt.Errorf("Render returned an image of %v first but %v %s (nil means the env cannot draw: always or never)",
				first.Size(), b.Size(), when)
		case b.Size() != first.Size():
			return fmt.Errorf("Render %s returned an image of %v; the first was %v", when, b.Size(), first.Size())
		}
		return nil
	}
	n := min(renderSteps, len(actions))
	evs, err := c.rollout(c.cfg.Seed, actions[:n], func(t int) error {
		return render(fmt.Sprintf("before step %d", t))
	})
	if err == nil {
		err = render("after the last step")
	}
	if err != nil {
		c.fail("render", "%v", err)
		return
	}
	if i := firstDifference(ref, evs); i >= 0 {
		c.fail("render", "rendering changed the trajectory at event %d: %s instead of %s", i, eventAt(evs, i), eventAt(ref, i))
	}
}

func (c *checker) checkStepAfterEnd(actions [][]float32, obsSpace Space) {
	seed := c.cfg.Seed
	ended := false
	t := 0
	if err := safely(func() {
		c.e.Reset(&seed)
		for ; t < len(actions) && !ended; t++ {
			_, _, term, trunc, _ := c.e.Step(actions[t])
			ended = term || trunc
		}
	}); err != nil {
		c.fail("step after end", "playing the first episode: step %d %v", t, err)
		return
	}
	if !ended {
		return // no episode ended within the trajectory: nothing to check
	}
	if err := safely(func() { c.e.Step(actions[t%len(actions)]) }); err != nil {
		c.fail("step after end", "Step after the episode ended (terminated or truncated), before Reset, %v", err)
		return
	}
	var obs []float32
	if err := safely(func() { o, _ := c.e.Reset(nil); obs = slices.Clone(o) }); err != nil {
		c.fail("step after end", "Reset after a Step past the end %v", err)
		return
	}
	if !obsSpace.Contains(obs) {
		c.fail("step after end", "Reset after a Step past the end returned %v, outside %v", obs, obsSpace)
	}
}

func (c *checker) checkState(ref []event, actions [][]float32) {
	sa, ok := c.e.(StateAccessor)
	if !ok {
		sa, ok = Unwrapped(c.e).(StateAccessor)
	}
	if !ok {
		return
	}
	// Before step k, in the middle of the first episode when it lasts that long, the state is
	// set back and forth; s0 is the state right after Reset.
	k := 0
	for i := 1; i < len(ref) && i <= 5 && i < len(actions); i++ {
		if ref[i].reset || ref[i].term || ref[i].trunc {
			break
		}
		k = i
	}
	var s0 []float64
	evs, err := c.rollout(c.cfg.Seed, actions, func(t int) error {
		if t == 0 {
			if err := safely(func() { s0 = sa.State() }); err != nil {
				return fmt.Errorf("State() after Reset %v", err)
			}
		}
		if t != k {
			return nil
		}
		return c.stateDance(sa, s0)
	})
	if err != nil {
		c.fail("state", "%v", err)
		return
	}
	if i := firstDifference(ref, evs); i >= 0 {
		c.fail("state", "after SetState of another state and then of the current one before step %d, the trajectory changed at event %d: %s instead of %s",
			k, i, eventAt(evs, i), eventAt(ref, i))
	}
}

// stateDance checks State and SetState at the current point of an episode and leaves the env
// in the state it found it in.
func (c *checker) stateDance(sa StateAccessor, s0 []float64) error {
	var problem error
	err := safely(func() {
		cur := slices.Clone(sa.State())
		if len(cur) == 0 {
			problem = fmt.Errorf("State() returned no values")
			return
		}
		scribble := sa.State()
		for i := range scribble {
			scribble[i] = math.NaN()
		}
		if again := sa.State(); !sameFloats(again, cur) {
			problem = fmt.Errorf("State() returned %v after the caller wrote into an earlier result (it must return a copy), not %v", again, cur)
			_ = sa.SetState(cur)
			return
		}
		for _, n := range []int{len(cur) - 1, len(cur) + 1} {
			if err := sa.SetState(make([]float64, n)); err == nil {
				problem = fmt.Errorf("SetState of %d values returned no error; the state has %d", n, len(cur))
				return
			}
		}
		if again := sa.State(); !sameFloats(again, cur) {
			problem = fmt.Errorf("a rejected SetState changed the state from %v to %v", cur, again)
			return
		}
		if len(s0) == len(cur) && !sameFloats(s0, cur) {
			if err := sa.SetState(slices.Clone(s0)); err != nil {
				problem = fmt.Errorf("SetState(%v) (the state after Reset): %v", s0, err)
				return
			}
			if got := sa.State(); !sameFloats(got, s0) {
				problem = fmt.Errorf("after SetState(%v), State() returned %v", s0, got)
				return
			}
		}
		if err := sa.SetState(slices.Clone(cur)); err != nil {
			problem = fmt.Errorf("SetState(%v) (the current state): %v", cur, err)
			return
		}
		if got := sa.State(); !sameFloats(got, cur) {
			problem = fmt.Errorf("after SetState(%v), State() returned %v", cur, got)
		}
	})
	if err != nil {
		return fmt.Errorf("State/SetState %v", err)
	}
	return problem
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
