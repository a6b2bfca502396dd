package scene

import (
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

func TestFrameScale(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		want float64
	}{
		{600, 400, 1},      // CartPole: as drawn
		{256, 256, 2},      // FrozenLake 4x4: doubled, crisp
		{600, 150, 1.6},    // Highway: as wide as fits
		{720, 240, 1.3333}, // CliffWalking: 3x would be too wide
		{600, 600, 1},
		{1920, 1080, 0.5}, // shrunk to fit
	} {
		if got := FrameScale(tc.w, tc.h); math.Abs(got-tc.want) > 1e-3 {
			t.Errorf("FrameScale(%d, %d) = %v, want %v", tc.w, tc.h, got, tc.want)
		}
	}
}

func TestLayout(t *testing.T) {
	ctl, err := ControlsFor("taxi", env.NewDiscrete(6))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []View{
		{ActionNames: []string{"left", "right"}, Discrete: true},
		{ActionNames: make([]string, 6), Discrete: true, Controls: ctl, HasValue: true},
		{ActionNames: make([]string, 3), ShowEpsilon: true, Training: &TrainingStatus{}},
	} {
		for _, size := range [][2]int{{600, 400}, {256, 256}, {600, 150}} {
			l := NewLayout(size[0], size[1], &v)
			if l.Width != l.Frame.Dx()+PanelWidth || l.Height < l.Frame.Dy() || l.Panel.Min.X != l.Frame.Max.X {
				t.Errorf("%v: window %dx%d, frame %v, panel %v", size, l.Width, l.Height, l.Frame, l.Panel)
			}
			secs := []image.Rectangle{l.Header, l.Stats, l.Bars, l.Status, l.Training, l.Legend, l.Plot}
			prev := 0
			for i, r := range secs {
				if r.Empty() {
					continue
				}
				if r.Min.Y < prev || r.Max.Y > l.Panel.Dy() || r.Max.X > PanelWidth {
					t.Errorf("%v: section %d at %v overlaps the one before (ending at %d) or leaves the panel", size, i, r, prev)
				}
				prev = r.Max.Y
			}
			if l.Plot.Dy() < minPlotH {
				t.Errorf("%v: plot %d pixels tall", size, l.Plot.Dy())
			}
			if (v.Training != nil) == l.Training.Empty() || (v.Controls != nil) == l.Legend.Empty() {
				t.Errorf("%v: optional sections %v %v", size, l.Training, l.Legend)
			}
			if v.Controls != nil && l.Legend.Dy() != (1+len(ctl.Bindings))*lineH {
				t.Errorf("legend of %d lines for %d keys", l.Legend.Dy()/lineH, len(ctl.Bindings))
			}
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}},
		{-3.7, 12.2, 4, []float64{-5, 0, 5, 10, 15}},
		{0.1, 0.35, 3, []float64{0.1, 0.2, 0.3, 0.4}},
		{5, 5, 4, []float64{4, 4.5, 5, 5.5, 6}},
		{math.Inf(1), math.Inf(-1), 2, []float64{0, 0.5, 1}},
		{0, 500, 3, []float64{0, 200, 400, 600}},
	} {
		got, lo, hi := NiceTicks(tc.lo, tc.hi, tc.n)
		if !slices.EqualFunc(got, tc.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }) {
			t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
		if lo != got[0] || hi != got[len(got)-1] {
			t.Errorf("NiceTicks(%v, %v): range [%v, %v] is not its ticks'", tc.lo, tc.hi, lo, hi)
		}
	}
}

func TestAxesMapData(t *testing.T) {
	r := image.Rect(10, 20, 310, 220)
	xs := []float64{1, 2, 3, 40}
	ys := []float64{-12, 3, math.NaN(), 97}
	a := NewAxes(r, xs, ys, 195)
	if !a.Rect.Min.In(r) || a.Rect.Max.X > r.Max.X || a.Rect.Max.Y > r.Max.Y {
		t.Fatalf("plot area %v outside %v", a.Rect, r)
	}
	if a.YMin > -12 || a.YMax < 195 || a.XMin > 1 || a.XMax < 40 {
		t.Fatalf("axes [%v %v]x[%v %v] do not cover the data and the threshold", a.XMin, a.XMax, a.YMin, a.YMax)
	}
	x0, y0 := a.Map(a.XMin, a.YMin)
	x1, y1 := a.Map(a.XMax, a.YMax)
	if x0 != float64(a.Rect.Min.X) || y0 != float64(a.Rect.Max.Y) || x1 != float64(a.Rect.Max.X) || y1 != float64(a.Rect.Min.Y) {
		t.Errorf("the axes' corners map to (%v, %v) and (%v, %v), not to %v", x0, y0, x1, y1, a.Rect)
	}
	// One episode: whole-numbered ticks only.
	one := NewAxes(r, []float64{1}, []float64{5})
	for _, x := range one.XTicks {
		if x != math.Trunc(x) || one.XMin > 1 || one.XMax < 1 {
			t.Errorf("ticks %v for episode 1", one.XTicks)
			break
		}
	}
	_, yLow := a.Map(2, 3)
	_, yHigh := a.Map(2, 97)
	if yHigh >= yLow {
		t.Error("a larger return is not higher on screen")
	}
}

func TestRollingMean(t *testing.T) {
	got := RollingMean([]float64{1, 3, math.NaN(), 5, 7}, 2)
	want := []float64{1, 2, 3, 5, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("RollingMean = %v, want %v", got, want)
		}
	}
	if m := RollingMean([]float64{math.NaN()}, 3); !math.IsNaN(m[0]) {
		t.Errorf("mean of nothing = %v", m[0])
	}
}

func at(c *render.Canvas, x, y int) color.RGBA { return c.Image().RGBAAt(x, y) }

// The Q bars grow from zero, right and green for positive values, left and red for negative
// ones, in proportion to the largest |Q|; probability bars fill their share of the width; the
// chosen action is outlined.
func TestDrawPanelBars(t *testing.T) {
	v := View{ActionNames: []string{"left", "right"}, Discrete: true, Q: []float32{2, -1}, Action: []float32{0}, ActionLabel: "left"}
	l := NewLayout(600, 400, &v)
	c := render.New(PanelWidth, l.Height)
	DrawPanel(c, &l, &v)
	row := func(i int) int { return l.Bars.Min.Y + (i+1)*lineH + lineH/2 }
	bx0, bx1 := 8+16*7, PanelWidth-64
	mid := (bx0 + bx1) / 2
	span := bx1 - mid
	for _, p := range []struct {
		x, i int
		want color.RGBA
	}{
		{mid + span/2, 0, barPos}, {bx1 - 3, 0, barPos}, {mid - 5, 0, barBG},
		{mid - span/4, 1, barNeg}, {mid - span*3/4, 1, barBG}, {mid + 5, 1, barBG},
	} {
		if got := at(c, p.x, row(p.i)); got != p.want {
			t.Errorf("Q bar %d at x=%d: %v, want %v", p.i, p.x, got, p.want)
		}
	}
	if got := at(c, bx0-1, row(0)); got != barChosen {
		t.Errorf("the chosen action is not outlined: %v", got)
	}
	if got := at(c, bx0-1, row(1)); got == barChosen {
		t.Error("an action not taken is outlined")
	}

	v = View{ActionNames: []string{"a", "b"}, Discrete: true, Probs: []float32{0.25, 0.75}, HasValue: true, Value: 3}
	l = NewLayout(600, 400, &v)
	DrawPanel(c, &l, &v)
	for i, p := range v.Probs {
		n := 0
		for x := bx0; x < bx1; x++ {
			if at(c, x, row(i)) == barProb {
				n++
			}
		}
		if want := float64(p) * float64(bx1-bx0); math.Abs(float64(n)-want) > 2 {
			t.Errorf("probability %v fills %d pixels of %d", p, n, bx1-bx0)
		}
	}
}

// The legend shows every key with its action, the held ones highlighted.
func TestDrawPanelLegend(t *testing.T) {
	ctl, err := ControlsFor("cartpole", env.NewDiscrete(2))
	if err != nil {
		t.Fatal(err)
	}
	v := View{ActionNames: []string{"push left", "push right"}, Discrete: true, Controls: ctl, Held: Of(KeyRight)}
	l := NewLayout(600, 400, &v)
	c := render.New(PanelWidth, l.Height)
	DrawPanel(c, &l, &v)
	capAt := func(i int) color.RGBA { return at(c, l.Legend.Min.X+12, l.Legend.Min.Y+(i+1)*lineH+3) }
	if got := capAt(0); got != keyCap {
		t.Errorf("Left's cap is %v, want %v", got, keyCap)
	}
	if got := capAt(1); got != keyCapHeld {
		t.Errorf("held Right's cap is %v, want %v", got, keyCapHeld)
	}
}

// The plot puts the rolling mean of the returns where the axes map it.
func TestPlotDraw(t *testing.T) {
	p := Plot{Title: "returns", Threshold: math.NaN()}
	for i := range 50 {
		p.X = append(p.X, float64(i+1))
		p.Y = append(p.Y, float64(2*i))
	}
	c := render.New(300, 200)
	r := image.Rect(0, 0, 300, 200)
	p.Draw(c, r)
	area := r
	area.Min.Y += 16
	a := NewAxes(area, p.X, p.Y, p.Threshold)
	mean := RollingMean(p.Y, 5)
	x, y := a.Map(p.X[40], mean[40])
	found := false
	for dy := -2; dy <= 2 && !found; dy++ {
		found = at(c, int(x), int(y)+dy) == plotMean
	}
	if !found {
		t.Errorf("no mean line at (%.0f, %.0f)", x, y)
	}
	// Many more points than pixels: one band per column.
	p.X, p.Y = nil, nil
	for i := range 100000 {
		p.X = append(p.X, float64(i))
		p.Y = append(p.Y, math.Sin(float64(i)/1000))
	}
	p.Draw(c, r)
}

func TestDrawHelp(t *testing.T) {
	c := render.New(400, 300)
	c.Clear(render.RGB(255, 255, 255))
	lines := HelpLines("train", nil)
	DrawHelp(c, lines)
	if got := at(c, 200, 150); got.R > 100 {
		t.Errorf("the help box is not drawn: %v", got)
	}
	if got := at(c, 2, 2); got != render.RGB(255, 255, 255) {
		t.Errorf("the help covers the whole picture: %v", got)
	}
	for _, want := range []string{"T ", "[ / ]", "epsilon", "Esc"} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }) {
			t.Errorf("train help has no %q: %v", want, lines)
		}
	}
	ctl, _ := ControlsFor("taxi", env.NewDiscrete(6))
	play := HelpLines("play", ctl)
	if !slices.ContainsFunc(play, func(l string) bool { return strings.Contains(l, "pick up") }) || slices.ContainsFunc(play, func(l string) bool { return strings.Contains(l, "epsilon") }) {
		t.Errorf("play help: %v", play)
	}
}

// Live training's ε is drawn as a slider at its value, its label saying when it was set by
// hand.
func TestDrawPanelTrainingEpsilon(t *testing.T) {
	ink := func(set bool) (knob color.RGBA, label int) {
		tr := &TrainingStatus{Epsilon: 0.3, HasEpsilon: true, EpsilonSet: set}
		st := NewStage(&staticDriver{v: View{ActionNames: []string{"a", "b"}, Discrete: true, Training: tr}}, "train")
		v := st.View()
		if !v.ShowEpsilon || v.Epsilon != 0.3 {
			t.Fatalf("the stage shows epsilon %v (%v), want the training's 0.3", v.Epsilon, v.ShowEpsilon)
		}
		l := NewLayout(600, 400, v)
		c := render.New(PanelWidth, l.Height)
		DrawPanel(c, &l, v)
		y := l.Status.Min.Y + lineH + lineH/2
		x0, x1 := float64(l.Status.Min.X+130), float64(l.Status.Max.X-50)
		knob = at(c, int(x0+(x1-x0)*0.3), y)
		for x := 8 + 12*7; x < 8+16*7; x++ { // after "epsilon 0.30"
			for dy := -6; dy <= 6; dy++ {
				if at(c, x, y+dy) != panelBG {
					label++
				}
			}
		}
		return knob, label
	}
	knob, label := ink(true)
	if knob != barProb || label == 0 {
		t.Errorf("set by hand: knob %v, %d pixels of label after the value", knob, label)
	}
	if _, label := ink(false); label != 0 {
		t.Errorf("on the schedule: %d pixels of label after the value", label)
	}
}

// staticDriver shows a fixed View (for drawing tests).
type staticDriver struct{ v View }

func (d *staticDriver) Update(Input, int, time.Time) {}
func (d *staticDriver) SetEpsilon(float64)           {}
func (d *staticDriver) Frame() (*image.RGBA, uint64) { return image.NewRGBA(image.Rect(0, 0, 4, 4)), 1 }
func (d *staticDriver) Describe(v *View)             { *v = d.v }
func (d *staticDriver) Rate() float64                { return 10 }
func (d *staticDriver) Close() error                 { return nil }
