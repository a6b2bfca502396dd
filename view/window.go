package view

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/gorl/gorl/env/render"
	"github.com/gorl/gorl/view/scene"
)

// Options configure the window.
type Options struct {
	// Speed is the initial playback speed, a multiple of the env's real-time rate (+Inf: as
	// fast as it goes); 0 means 1×.
	Speed float64
	// Epsilon, when EpsilonGiven, is the initial ε: the acting policy's exploration when
	// watching, the training's (an override of its schedule) when training live. Without it a
	// watched policy acts greedily and live training follows its schedule.
	Epsilon      float64
	EpsilonGiven bool

	// script, when set, replaces the keyboard: it returns the input of each tick (tests).
	script func(tick int64) scene.Input
	// probe, when set, is called at the end of every Draw with the screen; returning true
	// closes the window (tests read the screen back with ReadPixels here).
	probe func(a *app, screen *ebiten.Image) bool
}

// stepBudget is how long the steps of one tick may take at the fastest speed: most of a
// 60 Hz tick, leaving time to draw.
const stepBudget = 9 * time.Millisecond

// app is the ebiten game: it feeds the keyboard to the Stage each tick and draws what the
// Stage shows, the env's picture scaled into its place, the HUD panel beside it and the help
// over it. Every picture is drawn in software (the env's Render, scene.DrawPanel) and only
// uploaded here, so what the window shows is exactly what the tests of package scene check.
type app struct {
	stage  *scene.Stage
	layout scene.Layout
	opts   Options

	frameImg     *ebiten.Image
	frameVersion uint64
	haveFrame    bool
	panel        *render.Canvas
	panelImg     *ebiten.Image
	helpImg      *ebiten.Image
	dirty        bool  // a key was pressed: redraw the panel
	full         bool  // repaint the whole screen
	helpOn       bool  // the help is on the screen
	drawnAt      int64 // a.updates at the last repaint
	panelAt      int64 // a.updates at the last panel redraw
	quit         bool  // the probe asked to close

	updates, draws int64
}

var _ ebiten.Game = (*app)(nil)

// keyMap translates scene's keys to ebiten's (the numeric keypad and the + key's = too).
var keyMap = map[scene.Key][]ebiten.Key{
	scene.KeyLeft: {ebiten.KeyArrowLeft}, scene.KeyRight: {ebiten.KeyArrowRight},
	scene.KeyUp: {ebiten.KeyArrowUp}, scene.KeyDown: {ebiten.KeyArrowDown},
	scene.KeySpace: {ebiten.KeySpace}, scene.KeyEnter: {ebiten.KeyEnter, ebiten.KeyNumpadEnter},
	scene.KeyEscape: {ebiten.KeyEscape}, scene.KeyH: {ebiten.KeyH}, scene.KeyN: {ebiten.KeyN},
	scene.KeyR: {ebiten.KeyR}, scene.KeyT: {ebiten.KeyT}, scene.KeyP: {ebiten.KeyP},
	scene.KeyD: {ebiten.KeyD}, scene.KeyS: {ebiten.KeyS}, scene.KeyPlus: {ebiten.KeyEqual, ebiten.KeyNumpadAdd},
	scene.KeyMinus:       {ebiten.KeyMinus, ebiten.KeyNumpadSubtract},
	scene.KeyLeftBracket: {ebiten.KeyBracketLeft}, scene.KeyRightBracket: {ebiten.KeyBracketRight},
	scene.Key0: {ebiten.KeyDigit0, ebiten.KeyNumpad0}, scene.Key1: {ebiten.KeyDigit1, ebiten.KeyNumpad1},
	scene.Key2: {ebiten.KeyDigit2, ebiten.KeyNumpad2}, scene.Key3: {ebiten.KeyDigit3, ebiten.KeyNumpad3},
	scene.Key4: {ebiten.KeyDigit4, ebiten.KeyNumpad4}, scene.Key5: {ebiten.KeyDigit5, ebiten.KeyNumpad5},
	scene.Key6: {ebiten.KeyDigit6, ebiten.KeyNumpad6}, scene.Key7: {ebiten.KeyDigit7, ebiten.KeyNumpad7},
	scene.Key8: {ebiten.KeyDigit8, ebiten.KeyNumpad8}, scene.Key9: {ebiten.KeyDigit9, ebiten.KeyNumpad9},
}

// readKeyboard returns this tick's keyboard.
func readKeyboard() scene.Input {
	var in scene.Input
	for k, eks := range keyMap {
		for _, ek := range eks {
			if ebiten.IsKeyPressed(ek) {
				in.Held = in.Held.With(k)
			}
			if inpututil.IsKeyJustPressed(ek) {
				in.Pressed = in.Pressed.With(k)
			}
		}
	}
	return in
}

// CheckDisplay returns an error when no window can open: on Linux and the BSDs, ebiten needs an
// X11 display (Wayland sessions provide one through XWayland).
func CheckDisplay() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if os.Getenv("DISPLAY") == "" {
			return errors.New("no display: DISPLAY is not set (the viewer needs X11; on a headless machine run it under xvfb-run, or record a GIF with `rlrun record`)")
		}
	}
	return nil
}

// Run opens the window on stage and runs it until the window is closed or Esc is pressed,
// then closes the stage (for live training: a checkpoint to resume from). RunGame can run
// once per process, so Run can too.
func Run(stage *scene.Stage, opts Options) error {
	if err := CheckDisplay(); err != nil {
		stage.Close()
		return err
	}
	if opts.Speed != 0 {
		stage.Clock.SetSpeed(opts.Speed)
	}
	if opts.EpsilonGiven {
		stage.Epsilon = opts.Epsilon
		stage.Driver.SetEpsilon(opts.Epsilon)
	}
	a := newApp(stage, opts)
	ebiten.SetWindowTitle("gorl viewer: " + stage.View().Title)
	ebiten.SetWindowSize(a.layout.Width, a.layout.Height)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetScreenClearedEveryFrame(false)
	err := ebiten.RunGame(a)
	if err != nil {
		err = fmt.Errorf("the window failed: %w", err)
	}
	return errors.Join(err, stage.Close())
}

func newApp(stage *scene.Stage, opts Options) *app {
	l := stage.Layout()
	return &app{
		stage: stage, layout: l, opts: opts,
		panel:    render.New(scene.PanelWidth, l.Height),
		panelImg: ebiten.NewImage(scene.PanelWidth, l.Height),
		dirty:    true, full: true, drawnAt: -1,
	}
}

// Update implements ebiten.Game: one tick of the Stage.
func (a *app) Update() error {
	if a.quit {
		return ebiten.Termination
	}
	var in scene.Input
	if a.opts.script != nil {
		in = a.opts.script(a.stage.Ticks)
	} else {
		in = readKeyboard()
	}
	if in.Pressed != 0 {
		a.dirty = true
	}
	if a.stage.Tick(in, 1/float64(ebiten.TPS()), stepBudget) {
		return ebiten.Termination
	}
	a.updates++
	return nil
}

// Background of the window around the env's picture.
var windowBG = color.RGBA{40, 40, 40, 255}

// Draw implements ebiten.Game. The screen is not cleared between frames
// (SetScreenClearedEveryFrame(false)), so Draw repaints only what changed: nothing when no
// tick ran since the last frame, the env's picture when it has a new one, the panel when it
// was redrawn, and everything when the help appears or goes. With a software renderer (Mesa
// under Xvfb) this halves the CPU time of a frame.
func (a *app) Draw(screen *ebiten.Image) {
	defer a.afterDraw(screen)
	if a.updates == a.drawnAt && !a.full {
		return
	}
	a.drawnAt = a.updates
	l := &a.layout
	frameNew := false
	frame, version := a.stage.Frame()
	if frame != nil && (!a.haveFrame || version != a.frameVersion) {
		b := frame.Bounds()
		if a.frameImg == nil || a.frameImg.Bounds().Size() != b.Size() {
			a.frameImg = ebiten.NewImage(b.Dx(), b.Dy())
		}
		a.frameImg.WritePixels(frame.Pix)
		a.frameVersion, a.haveFrame = version, true
		frameNew, a.dirty = true, true
	}
	// The panel changes with the env's state and, slowly, with the training: redraw it on
	// every new frame or key, and a few times a second otherwise.
	panelNew := false
	if a.dirty || a.updates-a.panelAt >= 6 {
		scene.DrawPanel(a.panel, l, a.stage.View())
		a.panelImg.WritePixels(a.panel.Image().Pix)
		a.dirty, a.panelAt, panelNew = false, a.updates, true
	}
	if a.stage.Help != a.helpOn {
		a.helpOn, a.full = a.stage.Help, true
	}
	if a.helpOn && (frameNew || panelNew) {
		a.full = true // the help is translucent: what is under it must be fresh
	}
	if a.full {
		screen.Fill(windowBG)
	}
	if a.frameImg != nil && (frameNew || a.full) {
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Scale(l.Scale, l.Scale)
		op.GeoM.Translate(float64(l.Frame.Min.X), float64(l.Frame.Min.Y))
		if l.Scale != math.Trunc(l.Scale) {
			op.Filter = ebiten.FilterLinear
		}
		screen.DrawImage(a.frameImg, op)
	}
	if panelNew || a.full {
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Translate(float64(l.Panel.Min.X), float64(l.Panel.Min.Y))
		screen.DrawImage(a.panelImg, op)
	}
	if a.helpOn && a.full {
		if a.helpImg == nil {
			c := render.New(l.Width, l.Height)
			scene.DrawHelp(c, a.stage.HelpLines())
			a.helpImg = ebiten.NewImage(l.Width, l.Height)
			a.helpImg.WritePixels(c.Image().Pix)
		}
		screen.DrawImage(a.helpImg, nil)
	}
	a.full = false
}

// afterDraw counts the frame and lets a test's probe read the screen.
func (a *app) afterDraw(screen *ebiten.Image) {
	a.draws++
	if a.opts.probe != nil && a.opts.probe(a, screen) {
		a.quit = true
	}
}

// Layout implements ebiten.Game: the window's logical size is fixed; a resized window is
// scaled.
func (a *app) Layout(int, int) (int, int) { return a.layout.Width, a.layout.Height }
