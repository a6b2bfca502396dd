package scene

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/gorl/gorl/env/render"
)

// View is everything one frame of the viewer shows besides the env's own picture: the HUD's
// contents. The drivers (Watcher, Player, LiveTraining) fill in what they know and the window
// adds the speed, ε and prompt; DrawPanel draws it.
type View struct {
	// Title is the first line (env, algorithm, checkpoint) and Mode the second.
	Title, Mode string

	// The current episode: its number (from 0), steps, return, last reward and state
	// ("running", "terminated", "truncated").
	Episode, Steps int
	Return, Reward float64
	Status         string

	// ActionNames name the Discrete actions or the Box action's elements; Discrete says which.
	ActionNames []string
	Discrete    bool
	// Action is the last action taken, ActionLabel its name, Explored whether it was random.
	Action      []float32
	ActionLabel string
	Explored    bool
	// Low and High bound a Box action (for its bars).
	Low, High []float32
	// Q are the action values and Probs the action probabilities of the state the last action
	// was chosen in (nil when the policy has none); Value is V(s) when HasValue.
	Q, Probs []float32
	Value    float32
	HasValue bool

	// Speed is the playback speed as Clock.String prints it. Epsilon is the acting policy's
	// exploration, or live training's (Training.Epsilon), shown (with its keys) when
	// ShowEpsilon.
	Speed       string
	Epsilon     float64
	ShowEpsilon bool

	// Controls are the keyboard controls of a person playing (nil otherwise) and Held the
	// bound keys held down, highlighted in the legend.
	Controls *Controls
	Held     KeySet

	// Message is a one-line prompt ("press an arrow key to start").
	Message string

	// Plot is the live plot: the returns of the episodes shown, or the learning curve.
	Plot Plot

	// Training is the state of live training (nil when not training).
	Training *TrainingStatus
}

// TrainingStatus is what the HUD shows about live training.
type TrainingStatus struct {
	Algo, Dir string
	// Steps of Total env steps trained, Episodes finished, MeanReturn over the last 100 of
	// them (NaN before the first), SPS the env steps per second.
	Steps, Total int64
	Episodes     int64
	MeanReturn   float64
	SPS          float64
	// Speed is the training speed setting ("max", "1000 steps/s", "paused") and State
	// "training", "paused", "finished" or the error that stopped it.
	Speed, State string
	// Epsilon is the training's ε for the next env step when HasEpsilon (an ε-greedy
	// algorithm), EpsilonSet whether it was set by hand rather than by its schedule.
	Epsilon                float64
	HasEpsilon, EpsilonSet bool
}

// PanelWidth is the width of the HUD panel beside the env's picture.
const PanelWidth = 340

// lineH is the height of a line of text in the panel.
const lineH = 16

// Layout places the env's picture and the HUD in the window. Every rectangle of the panel's
// sections is in the panel's own coordinates (its top-left corner is 0, 0).
type Layout struct {
	// Width and Height are the window's (logical) size.
	Width, Height int
	// Frame is where the env's picture goes, drawn at Scale times its size.
	Frame image.Rectangle
	Scale float64
	// Panel is the HUD's rectangle in the window.
	Panel image.Rectangle
	// The panel's sections, top to bottom.
	Header, Stats, Bars, Status, Training, Legend, Plot image.Rectangle
}

// Limits of the picture's size in the window: small frames (a 4×4 FrozenLake) are enlarged
// to be seen, huge ones shrunk to fit a laptop screen.
const (
	minFrameH = 360
	maxFrameW = 960
	maxFrameH = 720
	minPlotH  = 170
)

// FrameScale returns the scale at which a frame of w×h pixels is shown: a whole number when
// it enlarges (crisp cells), at most what fits in 960×720.
func FrameScale(w, h int) float64 {
	fw, fh := float64(w), float64(h)
	if fw > maxFrameW || fh > maxFrameH {
		return math.Min(maxFrameW/fw, maxFrameH/fh)
	}
	if fh >= minFrameH {
		return 1
	}
	for s := math.Ceil(minFrameH / fh); s >= 2; s-- {
		if fw*s <= maxFrameW && fh*s <= maxFrameH {
			return s
		}
	}
	return math.Max(1, math.Min(maxFrameW/fw, minFrameH/fh))
}

// barRows is how many rows of action bars the view has.
func barRows(v *View) int {
	n := len(v.ActionNames)
	if v.HasValue {
		n++
	}
	return min(n, 12)
}

// NewLayout lays out a window for frames of frameW×frameH pixels and views shaped like v
// (the number of actions, whether there are controls or training). The layout depends only on
// that shape, so it stays put while the view's values change.
func NewLayout(frameW, frameH int, v *View) Layout {
	s := FrameScale(frameW, frameH)
	fw, fh := int(math.Round(float64(frameW)*s)), int(math.Round(float64(frameH)*s))
	var l Layout
	l.Scale = s
	l.Frame = image.Rect(0, 0, fw, fh)
	y := 6
	section := func(lines int) image.Rectangle {
		r := image.Rect(0, y, PanelWidth, y+lines*lineH)
		y = r.Max.Y + 6
		return r
	}
	l.Header = section(2)
	l.Stats = section(3)
	l.Bars = section(1 + barRows(v))
	status := 2 // the speed and the prompt
	if v.ShowEpsilon {
		status++
	}
	l.Status = section(status)
	if v.Training != nil {
		l.Training = section(4)
	}
	if v.Controls != nil {
		l.Legend = section(1 + len(v.Controls.Bindings))
	}
	height := max(fh, y+minPlotH+4)
	l.Plot = image.Rect(4, y, PanelWidth-4, height-4)
	l.Panel = image.Rect(fw, 0, fw+PanelWidth, height)
	l.Width, l.Height = fw+PanelWidth, height
	return l
}

// HUD colours.
var (
	panelBG      = render.RGB(246, 246, 246)
	panelText    = render.RGB(25, 25, 25)
	panelDim     = render.RGB(110, 110, 110)
	barBG        = render.RGB(228, 228, 228)
	barPos       = render.RGB(70, 170, 90)
	barNeg       = render.RGB(215, 80, 70)
	barProb      = render.RGB(70, 120, 210)
	barChosen    = render.RGB(20, 20, 20)
	keyCap       = render.RGB(255, 255, 255)
	keyCapHeld   = render.RGB(255, 200, 60)
	progressFill = render.RGB(70, 120, 210)
)

// DrawPanel draws the HUD of v into c, a canvas the size of l.Panel with the identity
// transform.
func DrawPanel(c *render.Canvas, l *Layout, v *View) {
	c.Transform = render.Identity()
	c.Clear(panelBG)
	text := func(r image.Rectangle, line int, s string, col color.RGBA) {
		c.Text(float64(r.Min.X+8), float64(r.Min.Y+line*lineH+1), fit(s, (r.Dx()-16)/7), col)
	}
	text(l.Header, 0, v.Title, panelText)
	text(l.Header, 1, v.Mode, panelDim)

	text(l.Stats, 0, fmt.Sprintf("episode %d   step %d   %s", v.Episode+1, v.Steps, v.Status), panelText)
	text(l.Stats, 1, fmt.Sprintf("return %s   reward %s", num(v.Return), num(v.Reward)), panelText)
	act := v.ActionLabel
	if act == "" {
		act = "-"
	}
	if v.Explored {
		act += " (random)"
	}
	text(l.Stats, 2, "action: "+act, panelText)

	drawBars(c, l.Bars, v)

	text(l.Status, 0, "speed "+v.Speed+"    H: keys", panelText)
	line := 1
	if v.ShowEpsilon {
		label, keys := fmt.Sprintf("epsilon %.2f", v.Epsilon), "0-9"
		if t := v.Training; t != nil && t.EpsilonSet {
			label, keys = label+" set", "0-9 S" // S: back to the schedule
		}
		text(l.Status, line, label, panelText)
		slider(c, l.Status, line, v.Epsilon, keys)
		line++
	}
	text(l.Status, line, v.Message, render.RGB(180, 60, 20))

	if t := v.Training; t != nil && !l.Training.Empty() {
		r := l.Training
		text(r, 0, fmt.Sprintf("training %s: %s", t.Algo, t.State), panelText)
		frac := 0.0
		if t.Total > 0 {
			frac = float64(t.Steps) / float64(t.Total)
		}
		y := float64(r.Min.Y + lineH + 3)
		x0, x1 := float64(r.Min.X+8), float64(r.Max.X-8)
		c.FillRect(x0, y, x1, y+10, barBG)
		c.FillRect(x0, y, x0+(x1-x0)*math.Min(1, frac), y+10, progressFill)
		text(r, 2, fmt.Sprintf("step %d / %d   %d episodes", t.Steps, t.Total, t.Episodes), panelText)
		mean := "-"
		if !math.IsNaN(t.MeanReturn) {
			mean = num(t.MeanReturn)
		}
		text(r, 3, fmt.Sprintf("mean return %s   %s   %.0f steps/s", mean, t.Speed, t.SPS), panelText)
	}

	if v.Controls != nil && !l.Legend.Empty() {
		drawLegend(c, l.Legend, v.Controls, v.Held)
	}
	v.Plot.Draw(c, l.Plot)
}

// drawBars draws one row per action: its value bar (Q-values around zero, probabilities from
// zero to one, Box elements within their bounds), the chosen action outlined.
func drawBars(c *render.Canvas, r image.Rectangle, v *View) {
	title := "action"
	switch {
	case v.Q != nil:
		title = "Q-values"
	case v.Probs != nil:
		title = "action probabilities"
	case !v.Discrete:
		title = "action (elements)"
	}
	c.Text(float64(r.Min.X+8), float64(r.Min.Y+1), title, panelDim)
	labelW := 16 * 7
	bx0 := float64(r.Min.X + 8 + labelW)
	bx1 := float64(r.Max.X - 64)
	chosen := -1
	if v.Discrete && len(v.Action) == 1 && v.ActionLabel != "" {
		chosen = int(v.Action[0])
	}
	// The scale of the Q bars: the largest |Q| of the state.
	qmax, qneg := 0.0, false
	for _, q := range v.Q {
		qmax = math.Max(qmax, math.Abs(float64(q)))
		qneg = qneg || q < 0
	}
	rows := barRows(v)
	if v.HasValue {
		rows--
	}
	for i := 0; i < rows && i < len(v.ActionNames); i++ {
		y := float64(r.Min.Y + (i+1)*lineH)
		name := fit(v.ActionNames[i], 15)
		col := panelText
		if i == chosen {
			name = fit("> "+v.ActionNames[i], 15)
		}
		c.Text(float64(r.Min.X+8), y+1, name, col)
		by0, by1 := y+3, y+lineH-3
		c.FillRect(bx0, by0, bx1, by1, barBG)
		var lo, hi float64 // bar extent in [0, 1] of the bar's width
		var fill color.RGBA
		var label string
		switch {
		case v.Q != nil && i < len(v.Q):
			q := float64(v.Q[i])
			zero := 0.0
			if qneg {
				zero = 0.5
			}
			f := 0.0
			if qmax > 0 {
				f = q / qmax * (1 - zero)
			}
			lo, hi = math.Min(zero, zero+f), math.Max(zero, zero+f)
			fill = barPos
			if q < 0 {
				fill = barNeg
			}
			label = num(q)
		case v.Probs != nil && i < len(v.Probs):
			p := float64(v.Probs[i])
			lo, hi, fill, label = 0, clamp01(p), barProb, fmt.Sprintf("%.3f", p)
		case !v.Discrete && i < len(v.Action) && i < len(v.Low):
			a, l, h := float64(v.Action[i]), float64(v.Low[i]), float64(v.High[i])
			zero := clamp01((0 - l) / (h - l))
			f := clamp01((a - l) / (h - l))
			lo, hi, fill, label = math.Min(zero, f), math.Max(zero, f), barProb, num(a)
		case i == chosen:
			lo, hi, fill = 0, 1, barProb
		}
		if hi > lo {
			c.FillRect(bx0+(bx1-bx0)*lo, by0, bx0+(bx1-bx0)*hi, by1, fill)
		}
		if i == chosen {
			c.StrokeRect(bx0-1, by0-1, bx1+1, by1+1, 2, barChosen)
		}
		c.Text(bx1+6, y+1, label, panelText)
	}
	if v.HasValue {
		y := float64(r.Min.Y + (rows+1)*lineH)
		c.Text(float64(r.Min.X+8), y+1, "V(s) = "+num(float64(v.Value)), panelText)
	}
}

// slider draws a value in [0, 1] as a slider on the right of a line, with the keys that set
// it.
func slider(c *render.Canvas, r image.Rectangle, line int, v float64, keys string) {
	y := float64(r.Min.Y+line*lineH) + lineH/2
	x0, x1 := float64(r.Min.X+130), float64(r.Max.X-50)
	c.Line(x0, y, x1, y, 3, barBG)
	x := x0 + (x1-x0)*clamp01(v)
	c.Line(x0, y, x, y, 3, barProb)
	c.FillCircle(x, y, 5, barProb)
	c.Text(x1+8, y-7, keys, panelDim)
}

// drawLegend draws the controls: a key cap per binding (highlighted while held) and what it
// does.
func drawLegend(c *render.Canvas, r image.Rectangle, ctl *Controls, held KeySet) {
	head := "keys (one step per press)"
	if ctl.Timing == RealTime {
		head = "keys (hold)"
	}
	c.Text(float64(r.Min.X+8), float64(r.Min.Y+1), head, panelDim)
	for i, b := range ctl.Bindings {
		y := float64(r.Min.Y + (i+1)*lineH)
		x := float64(r.Min.X + 10)
		DrawKeyCap(c, x, y+1, b.Key, held.Has(b.Key))
		c.Text(x+50, y+1, fit(b.Label, 38), panelText)
	}
}

// DrawKeyCap draws the key k as a small cap at (x, y), 44×14 pixels: arrows as arrows,
// other keys by name.
func DrawKeyCap(c *render.Canvas, x, y float64, k Key, held bool) {
	fill := keyCap
	if held {
		fill = keyCapHeld
	}
	c.FillRect(x, y, x+44, y+14, fill)
	c.StrokeRect(x, y, x+44, y+14, 1, panelDim)
	cx, cy := x+22, y+7
	switch k {
	case KeyLeft:
		c.Arrow(cx+8, cy, cx-8, cy, 1.5, 5, panelText)
	case KeyRight:
		c.Arrow(cx-8, cy, cx+8, cy, 1.5, 5, panelText)
	case KeyUp:
		c.Arrow(cx, cy+5, cx, cy-5, 1.5, 5, panelText)
	case KeyDown:
		c.Arrow(cx, cy-5, cx, cy+5, 1.5, 5, panelText)
	default:
		c.TextCenter(cx, cy, k.String(), panelText)
	}
}

// HelpLines returns the key help for a mode ("watch", "play", "train").
func HelpLines(mode string, ctl *Controls) []string {
	lines := []string{"H          show or hide these keys"}
	if ctl != nil {
		for _, b := range ctl.Bindings {
			lines = append(lines, fmt.Sprintf("%-10s %s", b.Key, b.Label))
		}
	}
	lines = append(lines,
		"Space      pause / resume",
		"N          one step (pauses)",
		"+ / -      faster / slower ("+FormatSpeed(Speeds[0])+" to max)",
		"R          reset the episode",
	)
	switch mode {
	case "watch":
		lines = append(lines, "0 ... 9    epsilon 0.0 ... 0.9 (random actions)")
	case "train":
		lines = append(lines,
			"0 ... 9    training epsilon 0.0 ... 0.9 (dqn, TD)",
			"S          training epsilon: its schedule again",
			"T          pause / resume training",
			"[ / ]      train slower / faster")
	}
	return append(lines, "Esc        quit")
}

// DrawHelp draws the help lines in a box in the middle of c (which keeps its content around
// the box).
func DrawHelp(c *render.Canvas, lines []string) {
	c.Transform = render.Identity()
	w, h := c.Size()
	bw := 0
	for _, l := range lines {
		lw, _ := render.TextSize(l)
		bw = max(bw, lw)
	}
	bw += 32
	bh := len(lines)*lineH + 40
	x0, y0 := float64(w-bw)/2, float64(h-bh)/2
	c.FillRect(x0, y0, x0+float64(bw), y0+float64(bh), render.Alpha(render.RGB(20, 20, 30), 0.85))
	c.Text(x0+16, y0+10, "keys", render.RGB(255, 210, 90))
	for i, l := range lines {
		c.Text(x0+16, y0+30+float64(i*lineH), l, render.RGB(240, 240, 240))
	}
}

// num prints a number for the HUD: two decimals, fewer for large values.
func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "nan"
	case a >= 1e5:
		return fmt.Sprintf("%.3g", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// fit cuts s to at most n characters, marking the cut with "..".
func fit(s string, n int) string {
	if len(s) <= n || n < 3 {
		return s
	}
	return strings.TrimSpace(s[:n-2]) + ".."
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }
