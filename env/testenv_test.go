package env

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// walkBugs are deliberate contract violations a walkEnv can be built with, so that every
// check of Check can be made to fail.
type walkBugs struct {
	globalRandStep  bool // Step draws from the global generator: not reproducible
	globalRandReset bool // Reset draws from the global generator
	ignoreSeed      bool // Reset always seeds with 0
	obsOutside      bool // the observation leaves the space at step 3
	obsShort        bool // Reset returns one element too few
	nanReward       bool // reward NaN at step 2
	renderGrows     bool // every frame is one pixel wider
	renderNilLater  bool // the first frame is an image, later ones nil
	renderRandom    bool // Render draws from the env's generator
	renderPanics    bool
	panicAfterEnd   bool // Step after the end panics
	panicStep       bool // Step 4 panics
	panicReset      bool
	stateAliased    bool // State returns the internal slice
	stateAnyLength  bool // SetState accepts any length
	stateNoop       bool // SetState does nothing
	statePartial    bool // SetState sets x but not v
	badObsSpace     bool // Box with low > high
	badActSpace     bool // Discrete(0)
}

// walkEnv is a noisy one-dimensional walk: the agent pushes left, not at all or right
// (Discrete(3)), the position x moves by 0.25·push plus N(0, 0.01²) noise, the episode terminates
// when |x| > 1 and the reward is −|x|. It starts uniformly in [−0.5, 0.5). Observation: [x, v]
// with v the last move (obs space [−2, 2]×[−1, 1]). Its State is [x, v]. It draws random numbers at reset and at every
// step, and never allocates in Step.
type walkEnv struct {
	bugs  walkBugs
	rng   *rand.Rand
	state []float64 // x, v
	t     int
	done  bool
	obs   [2]float32
	img   *image.RGBA
	width int
}

func newWalk(b walkBugs) *walkEnv {
	return &walkEnv{bugs: b, state: make([]float64, 2), width: 6}
}

func (w *walkEnv) ObservationSpace() Space {
	if w.bugs.badObsSpace {
		return &Box{Low: []float32{1, -1}, High: []float32{-1, 1}}
	}
	return NewBox([]float32{-2, -1}, []float32{2, 1})
}

func (w *walkEnv) ActionSpace() Space {
	if w.bugs.badActSpace {
		return Discrete{N: 0}
	}
	return NewDiscrete(3)
}

func (w *walkEnv) Reset(seed *uint64) ([]float32, Info) {
	if w.bugs.panicReset {
		panic("walk: reset exploded")
	}
	switch {
	case w.bugs.ignoreSeed:
		w.rng = NewRand(0)
	case seed != nil:
		w.rng = NewRand(*seed)
	case w.rng == nil:
		w.rng = NewRand(rand.Uint64())
	}
	u := w.rng.Float64()
	if w.bugs.globalRandReset {
		u = rand.Float64()
	}
	w.state[0], w.state[1] = u-0.5, 0
	w.t, w.done = 0, false
	if w.bugs.obsShort {
		return w.observe()[:1], nil
	}
	return w.observe(), nil
}

func (w *walkEnv) observe() []float32 {
	w.obs[0], w.obs[1] = float32(w.state[0]), float32(w.state[1])
	if w.bugs.obsOutside && w.t == 3 {
		w.obs[1] = 5
	}
	return w.obs[:]
}

func (w *walkEnv) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	if !NewDiscrete(3).Contains(action) {
		panic(fmt.Sprintf("walk: action %v is not in Discrete(3)", action))
	}
	if w.done && w.bugs.panicAfterEnd {
		panic("walk: Step after the end")
	}
	if w.bugs.panicStep && w.t == 4 {
		panic("walk: step 4 exploded")
	}
	noise := w.rng.NormFloat64()
	if w.bugs.globalRandStep {
		noise = rand.NormFloat64()
	}
	w.state[1] = 0.25*float64(int(action[0])-1) + 0.01*noise
	w.state[0] += w.state[1]
	w.t++
	x := math.Abs(w.state[0])
	w.done = x > 1
	r := -x
	if w.bugs.nanReward && w.t == 2 {
		r = math.NaN()
	}
	return w.observe(), r, w.done, false, nil
}

func (w *walkEnv) Render() *image.RGBA {
	if w.bugs.renderPanics {
		panic("walk: no canvas")
	}
	if w.bugs.renderRandom {
		w.rng.Float64()
	}
	if w.bugs.renderGrows {
		w.width++
		w.img = nil
	}
	if w.bugs.renderNilLater && w.img != nil {
		return nil
	}
	if w.img == nil {
		w.img = image.NewRGBA(image.Rect(0, 0, w.width, 4))
	}
	return w.img
}

func (w *walkEnv) Close() error { return nil }

func (w *walkEnv) State() []float64 {
	if w.bugs.stateAliased {
		return w.state
	}
	return append([]float64(nil), w.state...)
}

func (w *walkEnv) SetState(s []float64) error {
	if len(s) != 2 && !w.bugs.stateAnyLength {
		return fmt.Errorf("walk: state of %d values; want 2", len(s))
	}
	if w.bugs.stateNoop || len(s) < 2 {
		return nil
	}
	w.state[0] = s[0]
	if !w.bugs.statePartial {
		w.state[1] = s[1]
	}
	w.done = math.Abs(s[0]) > 1
	return nil
}

var (
	_ Env           = (*walkEnv)(nil)
	_ StateAccessor = (*walkEnv)(nil)
)

// countEnv counts steps: observation [id, t], reward = action + 1 (Discrete(2)), terminated
// when t reaches length. It draws no random numbers and cannot render. id tells copies apart.
type countEnv struct {
	id, length, t int
	obs           [2]float32
	closed        bool
}

func (c *countEnv) ObservationSpace() Space {
	return NewBox([]float32{0, 0}, []float32{1e6, 1e6})
}
func (c *countEnv) ActionSpace() Space { return NewDiscrete(2) }
func (c *countEnv) Reset(seed *uint64) ([]float32, Info) {
	c.t = 0
	c.obs = [2]float32{float32(c.id), 0}
	return c.obs[:], nil
}
func (c *countEnv) Step(a []float32) ([]float32, float64, bool, bool, Info) {
	if !NewDiscrete(2).Contains(a) {
		panic(fmt.Sprintf("count: action %v is not in Discrete(2)", a))
	}
	c.t++
	c.obs[1] = float32(c.t)
	return c.obs[:], float64(a[0]) + 1, c.t >= c.length, false, nil
}
func (c *countEnv) Render() *image.RGBA { return nil }
func (c *countEnv) Close() error        { c.closed = true; return nil }

// boxEnv has a Box action space of the given bounds; Step records the action it received
// (panicking on one outside the bounds) and returns it as the observation.
type boxEnv struct {
	space *Box
	got   []float32
}

func newBoxEnv(low, high []float32) *boxEnv {
	return &boxEnv{space: NewBox(low, high), got: make([]float32, len(low))}
}

func (b *boxEnv) ObservationSpace() Space { return b.space }
func (b *boxEnv) ActionSpace() Space      { return b.space }
func (b *boxEnv) Reset(*uint64) ([]float32, Info) {
	copy(b.got, zeroPoint(b.space))
	return b.got, nil
}
func (b *boxEnv) Step(a []float32) ([]float32, float64, bool, bool, Info) {
	if !b.space.Contains(a) {
		panic(fmt.Sprintf("box: action %v outside %v", a, b.space))
	}
	copy(b.got, a)
	return b.got, 1, false, false, nil
}
func (b *boxEnv) Render() *image.RGBA { return nil }
func (b *boxEnv) Close() error        { return nil }
