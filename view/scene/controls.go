package scene

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gorl/gorl/env"
)

// Timing says when an env a person plays takes its steps.
type Timing uint8

const (
	// TurnBased envs step once per key press and wait otherwise: grid worlds, Taxi, Blackjack.
	TurnBased Timing = iota
	// RealTime envs step at their own rate (StepRate) while the keys held choose the action:
	// classic control, PuckWorld, WaterWorld, driving.
	RealTime
)

// Binding ties a key to an action: a Discrete action for Discrete envs, or a change of the
// Box action while the key is held.
type Binding struct {
	Key   Key
	Label string
	// Action is the Discrete action the key takes (Discrete envs).
	Action int
	// Delta is added to the Box action while the key is held (Box envs); the sum is clipped
	// to the space.
	Delta []float32
}

// Controls is how a person plays one env with the keyboard: which keys take which actions and
// when the env steps. ControlsFor returns them for the built-in envs.
type Controls struct {
	EnvID    string
	Timing   Timing
	Bindings []Binding
	// Idle are the Discrete actions a RealTime env takes, in turn, while no bound key is held:
	// a no-op where the env has one; CartPole, which has none, alternates left and right
	// pushes, which cancel out.
	Idle []int
	// Base is the Box action with no key held.
	Base []float32

	space env.Space
}

// ErrNotPlayable is wrapped by ControlsFor's error for an env without keyboard controls.
var ErrNotPlayable = errors.New("cannot be played with the keyboard")

// envInfo is what the viewer knows about a built-in env beyond the env contract: its speed at
// 1×, the names of its actions and its keyboard controls. These are the envs' documented
// action spaces (their # Action Space sections), not their internals.
type envInfo struct {
	// rate is the env's steps per second at 1×: Gymnasium's render_fps for Gymnasium's envs,
	// REINFORCEjs's pace for its worlds.
	rate float64
	// rateOption names the option holding the env's policy frequency in Hz, which is its
	// real-time rate (the driving scenarios); rate is that option's default.
	rateOption string
	// actions names the Discrete actions, dims the elements of the Box action.
	actions, dims []string
	// play builds the keyboard controls for the env's action space; nil when a person cannot
	// play it.
	play func(act env.Space) (*Controls, error)
}

// envTable holds the built-in envs by Gymnasium ID.
var envTable = map[string]envInfo{
	"CartPole-v1": {rate: 50, actions: []string{"push left", "push right"},
		play: discrete(RealTime, []int{0, 1}, bind(KeyLeft, 0), bind(KeyRight, 1))},
	"MountainCar-v0": {rate: 30, actions: []string{"accelerate left", "don't accelerate", "accelerate right"},
		play: discrete(RealTime, []int{1}, bind(KeyLeft, 0), bind(KeyRight, 2))},
	"MountainCarContinuous-v0": {rate: 30, dims: []string{"force"},
		play: box([]float32{0}, delta(KeyLeft, "force -1", -1), delta(KeyRight, "force +1", 1))},
	"Acrobot-v1": {rate: 15, actions: []string{"torque -1", "torque 0", "torque +1"},
		play: discrete(RealTime, []int{1}, bind(KeyLeft, 0), bind(KeyRight, 2))},
	// Positive torque turns the pendulum counterclockwise on screen: the left arrow.
	"Pendulum-v1": {rate: 30, dims: []string{"torque"},
		play: box([]float32{0}, delta(KeyLeft, "torque +2 (counterclockwise)", 2), delta(KeyRight, "torque -2 (clockwise)", -2))},
	"FrozenLake-v1":           frozenLake,
	"FrozenLake8x8-v1":        frozenLake,
	"CliffWalking-v1":         cliffWalking,
	"CliffWalkingSlippery-v1": cliffWalking,
	"Taxi-v4": {rate: 4, actions: []string{"south", "north", "east", "west", "pick up", "drop off"},
		play: discrete(TurnBased, nil, bind(KeyDown, 0), bind(KeyUp, 1), bind(KeyRight, 2), bind(KeyLeft, 3),
			bind(KeyP, 4), bind(KeyD, 5))},
	"Blackjack-v1": {rate: 4, actions: []string{"stick", "hit"},
		play: discrete(TurnBased, nil, bind(KeyUp, 1), bind(KeyDown, 0))},
	"GridWorld-v0": {rate: 10, actions: []string{"left", "up", "down", "right"},
		play: discrete(TurnBased, nil, bind(KeyLeft, 0), bind(KeyUp, 1), bind(KeyDown, 2), bind(KeyRight, 3))},
	"PuckWorld-v0": {rate: 50, actions: []string{"left", "right", "up", "down", "no thrust"},
		play: discrete(RealTime, []int{4}, bind(KeyLeft, 0), bind(KeyRight, 1), bind(KeyUp, 2), bind(KeyDown, 3))},
	// WaterWorld has no no-op: with no key held the four thrusts take turns and cancel out.
	"WaterWorld-v0": {rate: 50, actions: []string{"left", "right", "up", "down"},
		play: discrete(RealTime, []int{0, 2, 1, 3}, bind(KeyLeft, 0), bind(KeyRight, 1), bind(KeyUp, 2), bind(KeyDown, 3))},
	// Racetrack: CarRacing's controls; the camera turns with the car, so left is left.
	"Racetrack-v0": {rate: 10, rateOption: "policy_frequency",
		actions: []string{"nothing", "steer right", "steer left", "gas", "brake"},
		dims:    []string{"steer", "gas", "brake"},
		play: either(
			discrete(RealTime, []int{0}, bind(KeyLeft, 2), bind(KeyRight, 1), bind(KeyUp, 3), bind(KeyDown, 4)),
			box([]float32{0, 0, 0}, delta(KeyLeft, "steer left", -1, 0, 0), delta(KeyRight, "steer right", 1, 0, 0),
				delta(KeyUp, "gas", 0, 1, 0), delta(KeyDown, "brake", 0, 0, 0.8)))},
	// Highway: the road runs left to right with lane 0 (the leftmost) at the top, so the up
	// arrow changes to the lane to the left and the right arrow speeds up.
	"Highway-v0": {rate: 1, rateOption: "policy_frequency",
		actions: []string{"lane left", "idle", "lane right", "faster", "slower"},
		dims:    []string{"acceleration", "steering"},
		play: either(
			discrete(RealTime, []int{1}, bind(KeyUp, 0), bind(KeyDown, 2), bind(KeyRight, 3), bind(KeyLeft, 4)),
			box([]float32{0, 0}, delta(KeyRight, "accelerate", 1, 0), delta(KeyLeft, "brake", -1, 0),
				delta(KeyUp, "steer up (left)", 0, -1), delta(KeyDown, "steer down (right)", 0, 1)))},
}

var (
	frozenLake = envInfo{rate: 4, actions: []string{"left", "down", "right", "up"},
		play: discrete(TurnBased, nil, bind(KeyLeft, 0), bind(KeyDown, 1), bind(KeyRight, 2), bind(KeyUp, 3))}
	cliffWalking = envInfo{rate: 4, actions: []string{"up", "right", "down", "left"},
		play: discrete(TurnBased, nil, bind(KeyUp, 0), bind(KeyRight, 1), bind(KeyDown, 2), bind(KeyLeft, 3))}
)

// bind is a Discrete binding; its label is filled in from the env's action names.
func bind(k Key, action int) Binding { return Binding{Key: k, Action: action} }

// delta is a Box binding.
func delta(k Key, label string, d ...float32) Binding { return Binding{Key: k, Label: label, Delta: d} }

// discrete builds Controls for a Discrete action space.
func discrete(t Timing, idle []int, b ...Binding) func(env.Space) (*Controls, error) {
	return func(act env.Space) (*Controls, error) {
		d, ok := act.(env.Discrete)
		if !ok {
			return nil, fmt.Errorf("keyboard controls for Discrete actions, not %v", act)
		}
		for _, x := range b {
			if x.Action >= d.N {
				return nil, fmt.Errorf("key %v takes action %d, outside %v", x.Key, x.Action, act)
			}
		}
		return &Controls{Timing: t, Bindings: slices.Clone(b), Idle: idle, space: act}, nil
	}
}

// box builds Controls for a Box action space (always RealTime).
func box(base []float32, b ...Binding) func(env.Space) (*Controls, error) {
	return func(act env.Space) (*Controls, error) {
		bx, ok := act.(*env.Box)
		if !ok || bx.Dim() != len(base) {
			return nil, fmt.Errorf("keyboard controls for Box actions of %d elements, not %v", len(base), act)
		}
		return &Controls{Timing: RealTime, Bindings: slices.Clone(b), Base: base, space: act}, nil
	}
}

// either picks the Discrete or the Box controls by the action space (the driving scenarios
// have both, chosen by an option).
func either(d, b func(env.Space) (*Controls, error)) func(env.Space) (*Controls, error) {
	return func(act env.Space) (*Controls, error) {
		if _, ok := act.(env.Discrete); ok {
			return d(act)
		}
		return b(act)
	}
}

// canonicalID returns the registered ID of an ID or alias (unchanged if unknown).
func canonicalID(id string) string {
	if s, err := env.Lookup(id); err == nil {
		return s.ID
	}
	return id
}

// ControlsFor returns the keyboard controls of the env registered as id (an ID or alias)
// whose action space is act. An env without controls gets an error wrapping ErrNotPlayable
// that lists the envs that have them.
func ControlsFor(id string, act env.Space) (*Controls, error) {
	id = canonicalID(id)
	info, ok := envTable[id]
	if !ok || info.play == nil {
		return nil, fmt.Errorf("%s %w: the viewer has keyboard controls for %s", id, ErrNotPlayable, strings.Join(Playable(), ", "))
	}
	c, err := info.play(act)
	if err != nil {
		return nil, fmt.Errorf("%s with action space %v %w: %v", id, act, ErrNotPlayable, err)
	}
	c.EnvID = id
	names := actionNames(id, act, nil)
	for i := range c.Bindings {
		if b := &c.Bindings[i]; b.Label == "" && b.Action < len(names) {
			b.Label = names[b.Action]
		}
	}
	return c, nil
}

// Playable returns the IDs of the envs that have keyboard controls, sorted.
func Playable() []string {
	var ids []string
	for id, info := range envTable {
		if info.play != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// StepRate returns how many steps a second the env registered as id takes at 1×: its
// real-time rate. opts are the options the env was made with (the driving scenarios' rate is
// their policy_frequency option). Unknown envs run at 30 steps a second.
func StepRate(id string, opts env.Options) float64 {
	info, ok := envTable[canonicalID(id)]
	if !ok {
		return 30
	}
	if info.rateOption != "" {
		if f, err := env.IntOption(opts, info.rateOption, int(info.rate)); err == nil && f > 0 {
			return float64(f)
		}
	}
	return info.rate
}

// ActionNames returns a name for each Discrete action or Box element of e's action space,
// for the HUD's bars: the env's ActionMeanings when it has them (Atari's convention), else
// the viewer's table of the built-in envs, else the action's number.
func ActionNames(id string, e env.Env) []string {
	var m []string
	if am, ok := env.Unwrapped(e).(interface{ ActionMeanings() []string }); ok {
		m = am.ActionMeanings()
	}
	return actionNames(canonicalID(id), e.ActionSpace(), m)
}

func actionNames(id string, act env.Space, meanings []string) []string {
	info := envTable[id]
	var n int
	var known []string
	switch s := act.(type) {
	case env.Discrete:
		n, known = s.N, info.actions
		if len(meanings) == n {
			known = meanings
		}
	default:
		n, known = act.Dim(), info.dims
	}
	out := make([]string, n)
	for i := range out {
		if len(known) == n {
			out[i] = strings.ToLower(known[i])
		} else {
			out[i] = fmt.Sprint(i)
		}
	}
	return out
}

// Keyboard turns the keys a person presses into the actions of one env, tick by tick. It
// remembers the order in which the bound keys were pressed (the most recent held key wins, so
// pressing right while left is still down goes right) and taps shorter than a step (a
// Highway step lasts a second: a tap in between still changes lanes).
type Keyboard struct {
	Controls *Controls
	held     []Key  // bound keys held, in the order they were pressed
	taps     KeySet // bound keys pressed since the last step
	started  bool
	idle     int // the next Idle action
}

// NewKeyboard returns a Keyboard for c.
func NewKeyboard(c *Controls) *Keyboard { return &Keyboard{Controls: c} }

// Observe records one tick of input.
func (k *Keyboard) Observe(in Input) {
	k.held = slices.DeleteFunc(k.held, func(key Key) bool { return !in.Held.Has(key) })
	for _, b := range k.Controls.Bindings {
		if in.Pressed.Has(b.Key) {
			k.taps = k.taps.With(b.Key)
			k.started = true
			k.held = slices.DeleteFunc(k.held, func(key Key) bool { return key == b.Key })
			if in.Held.Has(b.Key) {
				k.held = append(k.held, b.Key)
			}
		}
	}
}

// Started reports whether a bound key has been pressed since the Keyboard was made or Reset:
// a RealTime env waits for it, so that the player is ready.
func (k *Keyboard) Started() bool { return k.started }

// Reset forgets the taps and waits for a key again (a new episode).
func (k *Keyboard) Reset() {
	k.taps, k.started, k.idle = 0, false, 0
}

// Held returns the bound keys held down, for the legend.
func (k *Keyboard) Held() KeySet {
	var s KeySet
	for _, key := range k.held {
		s = s.With(key)
	}
	return s
}

// Action writes the action of the next step into dst and returns its label. ok is false when
// the env should not step: a TurnBased env without a key press since the last step, a
// RealTime one before the first key.
func (k *Keyboard) Action(dst []float32) (label string, ok bool) {
	c := k.Controls
	defer func() { k.taps = 0 }()
	if c.Timing == TurnBased {
		for _, b := range c.Bindings {
			if k.taps.Has(b.Key) {
				dst[0] = float32(c.start() + b.Action)
				return b.Label, true
			}
		}
		return "", false
	}
	if !k.started {
		return "", false
	}
	if c.Base != nil {
		copy(dst, c.Base)
		var labels []string
		for _, b := range c.Bindings {
			if k.taps.Has(b.Key) || slices.Contains(k.held, b.Key) {
				for i, d := range b.Delta {
					dst[i] += d
				}
				labels = append(labels, b.Label)
			}
		}
		if bx, ok := c.space.(*env.Box); ok {
			for i := range dst {
				dst[i] = min(max(dst[i], bx.Low[i]), bx.High[i])
			}
		}
		if len(labels) == 0 {
			return "no key", true
		}
		return strings.Join(labels, " + "), true
	}
	// Discrete: the most recently pressed key still held, else a tap, else idle.
	var chosen *Binding
	for i := len(k.held) - 1; i >= 0 && chosen == nil; i-- {
		chosen = c.binding(k.held[i])
	}
	for i := range c.Bindings {
		if chosen == nil && k.taps.Has(c.Bindings[i].Key) {
			chosen = &c.Bindings[i]
		}
	}
	if chosen != nil {
		dst[0] = float32(c.start() + chosen.Action)
		return chosen.Label, true
	}
	a := c.Idle[k.idle%len(c.Idle)]
	k.idle++
	dst[0] = float32(c.start() + a)
	names := actionNames(c.EnvID, c.space, nil)
	return names[a] + " (no key)", true
}

func (c *Controls) binding(k Key) *Binding {
	for i := range c.Bindings {
		if c.Bindings[i].Key == k {
			return &c.Bindings[i]
		}
	}
	return nil
}

func (c *Controls) start() int {
	if d, ok := c.space.(env.Discrete); ok {
		return d.Start
	}
	return 0
}
