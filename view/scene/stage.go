package scene

import (
	"image"
	"time"
)

// Stage is the viewer without its window: a Driver, the speed Clock, the help toggle and the
// exploration ε, advanced by ticks of keyboard input. The window (package view) feeds it
// the keys 60 times a second and draws what View, Frame and Layout return; tests feed it
// synthetic keys.
//
// The Stage handles the viewer's own keys (Esc quits, H toggles the help, Space pauses, N
// steps once, + and - change the speed, digits set ε outside play mode: the watched policy's,
// or the training's) and passes every tick's input on to the driver, which handles its own (R
// resets, arrows play, T, brackets and S control training).
type Stage struct {
	Driver Driver
	Clock  *Clock
	// Mode is "watch", "play" or "train".
	Mode string
	// Help is whether the key help is shown.
	Help bool
	// Epsilon is the exploration of the acting policy (0: greedy), or for live training the
	// last ε the digits gave the training (the HUD shows the training's own).
	Epsilon float64
	// Ticks counts the ticks so far.
	Ticks int64

	quit   bool
	view   View
	layout *Layout
}

// NewStage returns a Stage of d at 1×.
func NewStage(d Driver, mode string) *Stage {
	return &Stage{Driver: d, Clock: NewClock(d.Rate()), Mode: mode}
}

// Tick handles one tick of dt seconds with the keyboard in: the viewer's keys, then the
// driver's update with the steps the clock allows, which may take until budget from now at
// the fastest speed. It returns true when the viewer should close.
func (s *Stage) Tick(in Input, dt float64, budget time.Duration) (quit bool) {
	s.Ticks++
	p := in.Pressed
	switch {
	case p.Has(KeyEscape):
		s.quit = true
	case p.Has(KeyH):
		s.Help = !s.Help
	}
	if p.Has(KeySpace) {
		s.Clock.TogglePause()
	}
	if p.Has(KeyN) {
		s.Clock.StepOnce()
	}
	if p.Has(KeyPlus) {
		s.Clock.Faster()
	}
	if p.Has(KeyMinus) {
		s.Clock.Slower()
	}
	if d := in.digit(); d >= 0 && s.Mode != "play" {
		s.Epsilon = float64(d) / 10
		s.Driver.SetEpsilon(s.Epsilon)
	}
	if s.quit {
		return true
	}
	s.Driver.Update(in, s.Clock.Tick(dt), time.Now().Add(budget))
	return false
}

// View returns the HUD's contents now (the Stage's own View, reused from call to call).
func (s *Stage) View() *View {
	v := &s.view
	s.Driver.Describe(v)
	v.Speed = s.Clock.String()
	v.Epsilon, v.ShowEpsilon = s.Epsilon, s.Mode != "play"
	if t := v.Training; t != nil { // live training: the training's ε, if it has one
		v.Epsilon, v.ShowEpsilon = t.Epsilon, t.HasEpsilon
	}
	return v
}

// Frame returns the env's picture and its version (Driver.Frame).
func (s *Stage) Frame() (*image.RGBA, uint64) { return s.Driver.Frame() }

// Layout returns the window's layout, fixed by the first frame's size and the view's shape.
func (s *Stage) Layout() Layout {
	if s.layout == nil {
		img, _ := s.Frame()
		w, h := 1, 1
		if img != nil {
			w, h = img.Bounds().Dx(), img.Bounds().Dy()
		}
		l := NewLayout(w, h, s.View())
		s.layout = &l
	}
	return *s.layout
}

// HelpLines returns the key help of the Stage's mode.
func (s *Stage) HelpLines() []string {
	var ctl *Controls
	if p, ok := s.Driver.(*Player); ok {
		ctl = p.Keyboard.Controls
	}
	return HelpLines(s.Mode, ctl)
}

// Close closes the driver.
func (s *Stage) Close() error { return s.Driver.Close() }
