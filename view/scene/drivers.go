package scene

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run"
)

// Driver is what a Stage shows: an env stepped by an agent, a person or live training.
type Driver interface {
	// Update handles one tick of the window: in is the keyboard, steps the steps the Clock
	// allows (Unlimited: as many as fit before deadline).
	Update(in Input, steps int, deadline time.Time)
	// SetEpsilon sets the acting policy's exploration, or live training's ε (drivers without
	// a policy ignore it).
	SetEpsilon(eps float64)
	// Frame returns the env's current picture and a version that changes whenever the
	// picture does. The image stays valid until the next Update.
	Frame() (*image.RGBA, uint64)
	// Describe fills in the HUD's contents (everything but the speed and ε, which the Stage
	// owns).
	Describe(v *View)
	// Rate is the env's real-time rate in steps per second (StepRate).
	Rate() float64
	// Close releases the env (and, for live training, ends it).
	Close() error
}

var (
	_ Driver = (*Watcher)(nil)
	_ Driver = (*Player)(nil)
	_ Driver = (*LiveTraining)(nil)
)

// endHold is how long a finished episode stays on screen before the next one starts, in
// seconds of the env's time (so it shrinks at higher speeds).
const endHold = 0.6

// episodeView fills the View fields a Session knows.
func episodeView(s *Session, names []string, v *View) {
	v.Episode, v.Steps, v.Return, v.Reward, v.Status = s.Episode, s.Steps, s.Return, s.Reward, s.Status()
	v.ActionNames = names
	v.Action = append(v.Action[:0], s.Action...)
	v.ActionLabel = s.Label
	switch sp := s.Env.ActionSpace().(type) {
	case env.Discrete:
		v.Discrete = true
		if s.Label != "" {
			v.Action[0] -= float32(sp.Start) // bars are indexed from 0
		}
	case *env.Box:
		v.Low, v.High = sp.Low, sp.High
	}
	v.Plot.X = v.Plot.X[:0]
	for i := range s.Returns {
		v.Plot.X = append(v.Plot.X, float64(i+1))
	}
	v.Plot.Y = append(v.Plot.Y[:0], s.Returns...)
	v.Plot.Title = "return per episode"
	v.Plot.Threshold = threshold(s.ID)
}

// threshold returns the env's reward threshold, NaN if it has none.
func threshold(id string) float64 {
	if spec, err := env.Lookup(id); err == nil && spec.HasRewardThreshold() {
		return spec.RewardThreshold
	}
	return math.NaN()
}

// actionLabel names an action for the HUD: the Discrete action's name, or the Box action's
// elements.
func actionLabel(act []float32, space env.Space, names []string) string {
	if d, ok := space.(env.Discrete); ok {
		i := int(act[0]) - d.Start
		if i >= 0 && i < len(names) {
			return names[i]
		}
		return strconv.Itoa(int(act[0]))
	}
	parts := make([]string, len(act))
	for i, a := range act {
		parts[i] = strconv.FormatFloat(float64(a), 'f', 2, 32)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// frameCache renders an env only when its state changed since the last picture.
type frameCache struct {
	img     *image.RGBA
	version uint64
	drawn   bool
}

func (f *frameCache) get(e env.Env, version uint64) (*image.RGBA, uint64) {
	if !f.drawn || f.version != version {
		f.img, f.version, f.drawn = e.Render(), version, true
	}
	return f.img, f.version
}

// Watcher shows a trained policy acting: episode after episode, seeded as the run's
// evaluation episodes are (run.EvalSeed), with the policy's values in the HUD and, on a grid
// world, its state values and greedy actions painted on the cells.
type Watcher struct {
	Session *Session
	Agent   *Agent
	// Title and Mode are the HUD's first two lines.
	Title, Mode string

	names   []string
	act     []float32
	rate    float64
	hold    float64 // steps of the end-of-episode pause left
	overlay Overlay
	frame   frameCache
}

// NewWatcher shows p acting in e (registered as id, made with opts). seed gives each
// episode's seed.
func NewWatcher(title, id string, e env.Env, opts env.Options, p run.Policy, seed func(int) uint64) *Watcher {
	w := &Watcher{Title: title, Mode: "watch: the trained policy acts", act: make([]float32, e.ActionSpace().Dim()), rate: StepRate(id, opts)}
	w.Session = NewSession(id, e, seed)
	w.Agent = NewAgent(p, e.ActionSpace(), seed(0)^0x5eed)
	w.names = ActionNames(id, e)
	w.overlay.Update(e, p) // a trained policy does not change: once is enough
	return w
}

// WatchRun loads the policy of a run directory or checkpoint (run.LoadPolicy) and returns a
// Watcher of it in a fresh env made with the run's env_kwargs.
func WatchRun(path string) (*Watcher, error) {
	p, cfg, ck, err := run.LoadPolicy(path)
	if err != nil {
		return nil, err
	}
	e, err := env.Make(cfg.EnvID, env.Options(cfg.Run.EnvKwargs))
	if err != nil {
		return nil, err
	}
	seed := cfg.Run.Seed
	title := fmt.Sprintf("%s  %s  %s", cfg.EnvID, cfg.Algo, filepath.Base(ck))
	opts := env.Options(cfg.Run.EnvKwargs)
	w := NewWatcher(title, cfg.EnvID, e, opts, p, func(i int) uint64 { return run.EvalSeed(seed, i) })
	if img, _ := w.Frame(); img == nil {
		e.Close()
		return nil, fmt.Errorf("%s cannot draw itself (its Render returns nil): there is nothing to watch", cfg.EnvID)
	}
	return w, nil
}

// Update implements Driver.
func (w *Watcher) Update(in Input, steps int, deadline time.Time) {
	s := w.Session
	if in.Pressed.Has(KeyR) {
		s.Reset()
		w.hold = 0
		return
	}
	agentSteps(s, w.Agent, w.act, w.names, &w.hold, w.rate, steps, deadline)
}

// agentSteps takes up to steps steps of s with the agent (Unlimited: until deadline), pausing
// for endHold at the end of each episode (in the env's time: hold counts the steps of the
// pause left; rate is the env's) before starting the next.
func agentSteps(s *Session, a *Agent, act []float32, names []string, hold *float64, rate float64, steps int, deadline time.Time) {
	for i := 0; steps == Unlimited || i < steps; i++ {
		if steps == Unlimited && i%4 == 0 && time.Now().After(deadline) {
			return
		}
		if s.Over() {
			// Show the end for a moment (none at the fastest speed), then the next episode.
			if *hold -= 1; steps != Unlimited && *hold > 0 {
				continue
			}
			s.Reset()
			continue
		}
		a.Act(s.Obs(), act)
		if s.Step(act, actionLabel(act, s.Env.ActionSpace(), names)) {
			*hold = math.Max(1, endHold*rate)
		}
	}
}

// SetEpsilon implements Driver.
func (w *Watcher) SetEpsilon(eps float64) { w.Agent.Epsilon = eps }

// Frame implements Driver.
func (w *Watcher) Frame() (*image.RGBA, uint64) {
	return w.frame.get(w.Session.Env, w.Session.Version)
}

// Rate implements Driver.
func (w *Watcher) Rate() float64 { return w.rate }

// Describe implements Driver.
func (w *Watcher) Describe(v *View) {
	v.Title, v.Mode = w.Title, w.Mode
	episodeView(w.Session, w.names, v)
	a := w.Agent
	v.Q, v.Probs, v.Value, v.HasValue, v.Explored = a.Q, a.Probs, a.Value, a.HasValue, a.Explored
	v.Message = ""
	if w.Session.Over() {
		v.Message = fmt.Sprintf("episode %d %s with return %s", w.Session.Episode+1, w.Session.Status(), num(w.Session.Return))
	}
}

// Close implements Driver.
func (w *Watcher) Close() error { return w.Session.Env.Close() }

// Player lets a person play an env with the keyboard (Controls): TurnBased envs step on each
// key press, RealTime ones at their rate once a key has been pressed.
type Player struct {
	Session  *Session
	Keyboard *Keyboard
	Title    string

	names []string
	act   []float32
	rate  float64
	frame frameCache
}

// NewPlayer returns a Player of e (registered as id, made with opts) with the controls ctl.
func NewPlayer(id string, e env.Env, opts env.Options, ctl *Controls, seed func(int) uint64) *Player {
	p := &Player{Keyboard: NewKeyboard(ctl), act: make([]float32, e.ActionSpace().Dim())}
	p.Session = NewSession(id, e, seed)
	p.names = ActionNames(id, e)
	p.rate = StepRate(id, opts)
	p.Title = p.Session.ID + "  played by you"
	return p
}

// PlayEnv makes the env registered as id with opts and returns a Player of it, or an error
// for an unknown env, one that cannot draw itself or one without keyboard controls
// (ErrNotPlayable). Episode i is seeded with seed+i.
func PlayEnv(id string, opts env.Options, seed uint64) (*Player, error) {
	e, err := env.Make(id, opts)
	if err != nil {
		return nil, err
	}
	ctl, err := ControlsFor(id, e.ActionSpace())
	if err != nil {
		e.Close()
		return nil, err
	}
	p := NewPlayer(id, e, opts, ctl, func(i int) uint64 { return seed + uint64(i) })
	if img, _ := p.Frame(); img == nil {
		e.Close()
		return nil, fmt.Errorf("%s cannot draw itself (its Render returns nil), so it cannot be played", id)
	}
	return p, nil
}

// Update implements Driver.
func (p *Player) Update(in Input, steps int, deadline time.Time) {
	s, kb := p.Session, p.Keyboard
	if in.Pressed.Has(KeyR) {
		s.Reset()
		kb.Reset()
		return
	}
	kb.Observe(in)
	if s.Over() {
		// Any bound key starts the next episode (and does not act in it).
		if kb.taps != 0 {
			s.Reset()
			kb.Reset()
		}
		return
	}
	if kb.Controls.Timing == TurnBased {
		if label, ok := kb.Action(p.act); ok {
			s.Step(p.act, label)
		}
		return
	}
	for i := 0; steps == Unlimited || i < steps; i++ {
		if steps == Unlimited && time.Now().After(deadline) {
			return
		}
		label, ok := kb.Action(p.act)
		if !ok || s.Step(p.act, label) {
			return
		}
	}
}

// SetEpsilon implements Driver: a person does not explore at random.
func (p *Player) SetEpsilon(float64) {}

// Frame implements Driver.
func (p *Player) Frame() (*image.RGBA, uint64) {
	return p.frame.get(p.Session.Env, p.Session.Version)
}

// Rate implements Driver.
func (p *Player) Rate() float64 { return p.rate }

// Describe implements Driver.
func (p *Player) Describe(v *View) {
	s, kb := p.Session, p.Keyboard
	v.Title, v.Mode = p.Title, "play: you choose the actions"
	episodeView(s, p.names, v)
	v.Controls, v.Held = kb.Controls, kb.Held()
	switch {
	case s.Over():
		v.Message = fmt.Sprintf("%s with return %s: a key plays again", s.Status(), num(s.Return))
	case kb.Controls.Timing == RealTime && !kb.Started():
		v.Message = "press a key below to start"
	default:
		v.Message = ""
	}
}

// Close implements Driver.
func (p *Player) Close() error { return p.Session.Env.Close() }
