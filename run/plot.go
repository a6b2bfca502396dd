package run

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gorl/gorl/env"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ReturnKey is the metric learning curves plot by default.
const ReturnKey = "charts/episodic_return"

// rollingMean smooths ys with a trailing window of w points (fewer at the start).
func rollingMean(ys []float64, w int) []float64 {
	out := make([]float64, len(ys))
	s := 0.0
	for i, y := range ys {
		s += y
		if i >= w {
			s -= ys[i-w]
		}
		out[i] = s / float64(min(i+1, w))
	}
	return out
}

// smoothWindow picks a window of about a twentieth of the points, between 1 and 100.
func smoothWindow(n int) int { return max(1, min(100, n/20)) }

// maxCurvePoints bounds the points of each series a learning curve draws: rasterizing a
// glyph or a line segment costs microseconds, so 800,000 episodes (a 2M-step Blackjack run
// logged one row each) took ten seconds of CPU to draw, and a page of 16 cm shows no more
// than a few thousand distinct points anyway.
const maxCurvePoints = 2000

// thin returns at most n of the points, evenly spaced by index with the first and last kept:
// the series itself when it is short enough.
func thin(pts plotter.XYs, n int) plotter.XYs {
	if len(pts) <= n {
		return pts
	}
	out := make(plotter.XYs, n)
	last := len(pts) - 1
	for i := range out {
		out[i] = pts[i*last/(n-1)]
	}
	return out
}

// PlotLearningCurve draws the run's episodic returns against env steps (each row a faint dot,
// a rolling mean as a line, the env's reward threshold dashed) into out (.png, .svg or .pdf by
// extension). The rolling mean is computed over every row; both series are then thinned to at
// most 2000 points, evenly spaced, so that the plot takes the same fraction of a second for
// any length of run.
func PlotLearningCurve(dir, out string) error {
	cfg, err := readRunConfig(dir)
	if err != nil {
		return err
	}
	rows, err := ReadMetrics(filepath.Join(dir, MetricsFile), ReturnKey)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no episode finished yet, nothing to plot", dir)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, %s, seed %d", cfg.EnvID, cfg.Algo, cfg.Run.Seed)
	p.X.Label.Text = "env steps"
	p.Y.Label.Text = "episodic return"
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(rows))
	ys := make([]float64, len(rows))
	for i, r := range rows {
		pts[i].X, pts[i].Y, ys[i] = float64(r.Step), r.Value, r.Value
	}
	sc, err := plotter.NewScatter(thin(pts, maxCurvePoints))
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 90}
	sc.GlyphStyle.Radius = vg.Points(1.3)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	p.Add(sc)
	w := smoothWindow(len(ys))
	sm := rollingMean(ys, w)
	line := make(plotter.XYs, len(rows))
	for i := range rows {
		line[i].X, line[i].Y = pts[i].X, sm[i]
	}
	l, err := plotter.NewLine(thin(line, maxCurvePoints))
	if err != nil {
		return err
	}
	l.LineStyle.Width = vg.Points(1.5)
	l.LineStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	p.Add(l)
	p.Legend.Add(fmt.Sprintf("mean of %d %s", w, curveUnit(cfg)), l)
	addThreshold(p, cfg.EnvID, pts[0].X, pts[len(pts)-1].X)
	style(p)
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, out)
}

// curveUnit names what a row of charts/episodic_return is, for the legend: an episode, or a
// row that may average short episodes (see RunConfig.EpisodeLogInterval).
func curveUnit(cfg *Config) string {
	if cfg.Run.EpisodeLogEvery() > 1 {
		return "rows"
	}
	return "episodes"
}

func addThreshold(p *plot.Plot, envID string, x0, x1 float64) {
	spec, err := env.Lookup(envID)
	if err != nil || !spec.HasRewardThreshold() {
		return
	}
	t := spec.RewardThreshold
	tl, err := plotter.NewLine(plotter.XYs{{X: x0, Y: t}, {X: x1, Y: t}})
	if err != nil {
		return
	}
	tl.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	tl.LineStyle.Color = color.Gray{Y: 90}
	p.Add(tl)
	p.Legend.Add(fmt.Sprintf("threshold %g", t), tl)
}

// PlotRuns draws the learning curves of several runs into out: runs with the same env and
// algorithm form one group, drawn as the mean over its runs (seeds) of each run's smoothed
// curve, with a band of ± one standard deviation. key is the metric to plot (ReturnKey when
// empty).
func PlotRuns(dirs []string, out, key string) error {
	if len(dirs) == 0 {
		return errors.New("plot: no run directories given")
	}
	if key == "" {
		key = ReturnKey
	}
	type curve struct{ xs, ys []float64 }
	groups := map[string][]curve{}
	var order []string
	envIDs := map[string]bool{}
	for _, d := range dirs {
		cfg, err := readRunConfig(d)
		if err != nil {
			return err
		}
		rows, err := ReadMetrics(filepath.Join(d, MetricsFile), key)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("plot: %s has no %s rows", d, key)
		}
		c := curve{}
		ys := make([]float64, len(rows))
		for i, r := range rows {
			c.xs = append(c.xs, float64(r.Step))
			ys[i] = r.Value
		}
		c.ys = rollingMean(ys, smoothWindow(len(ys)))
		label := cfg.EnvID + " " + cfg.Algo
		if _, ok := groups[label]; !ok {
			order = append(order, label)
		}
		groups[label] = append(groups[label], c)
		envIDs[cfg.EnvID] = true
	}
	p := plot.New()
	p.X.Label.Text = "env steps"
	p.Y.Label.Text = key
	p.Add(plotter.NewGrid())
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for gi, label := range order {
		cs := groups[label]
		// The common range of the group's runs, on a grid of 200 points.
		lo, hi := math.Inf(-1), math.Inf(1)
		for _, c := range cs {
			lo, hi = max(lo, c.xs[0]), min(hi, c.xs[len(c.xs)-1])
		}
		if !(hi > lo) {
			hi = lo
		}
		const n = 200
		mean, upper, lower := make(plotter.XYs, n), make(plotter.XYs, n), make(plotter.XYs, n)
		for i := range n {
			x := lo + (hi-lo)*float64(i)/float64(n-1)
			var s, ss float64
			for _, c := range cs {
				y := interp(c.xs, c.ys, x)
				s += y
				ss += y * y
			}
			m := s / float64(len(cs))
			sd := math.Sqrt(max(0, ss/float64(len(cs))-m*m))
			mean[i] = plotter.XY{X: x, Y: m}
			upper[i] = plotter.XY{X: x, Y: m + sd}
			lower[n-1-i] = plotter.XY{X: x, Y: m - sd}
		}
		xmin, xmax = min(xmin, lo), max(xmax, hi)
		col := plotutil.Color(gi)
		if len(cs) > 1 {
			band, err := plotter.NewPolygon(append(upper, lower...))
			if err != nil {
				return err
			}
			r, g, b, _ := col.RGBA()
			band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 60}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		l, err := plotter.NewLine(mean)
		if err != nil {
			return err
		}
		l.LineStyle.Color = col
		l.LineStyle.Width = vg.Points(1.5)
		p.Add(l)
		name := label
		if len(cs) > 1 {
			name = fmt.Sprintf("%s (mean ± sd of %d runs)", label, len(cs))
		}
		p.Legend.Add(name, l)
	}
	if key == ReturnKey && len(envIDs) == 1 {
		for id := range envIDs {
			addThreshold(p, id, xmin, xmax)
		}
	}
	style(p)
	if err := p.Save(18*vg.Centimeter, 11*vg.Centimeter, out); err != nil {
		return fmt.Errorf("plot: writing %s: %w", out, err)
	}
	return nil
}

// style puts the legend in the bottom right corner (learning curves rise to the right, so it is
// empty by the end) and labels
// the axes with plain numbers (50000, not 5.00e+04).
func style(p *plot.Plot) {
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Points(6)
	p.X.Tick.Marker, p.Y.Tick.Marker = intTicks{}, intTicks{}
	pad := 0.05 * (p.Y.Max - p.Y.Min) // the threshold line off the frame
	p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
}

// intTicks are the default ticks labelled in the shortest form (50000 and 0.5, not 5e+04 and
// 0.50).
type intTicks struct{}

func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}

// interp returns the linear interpolation of (xs, ys) at x, clamped to the ends. Several points
// at one x (episodes ending at the same step) are fine: the search finds the first.
func interp(xs, ys []float64, x float64) float64 {
	i, _ := slices.BinarySearch(xs, x)
	switch {
	case i == 0:
		return ys[0]
	case i >= len(xs):
		return ys[len(ys)-1]
	}
	x0, x1 := xs[i-1], xs[i]
	if x1 == x0 {
		return ys[i]
	}
	return ys[i-1] + (ys[i]-ys[i-1])*(x-x0)/(x1-x0)
}

// readRunConfig reads dir/config.yml.
func readRunConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a run directory (no %s)", dir, ConfigFile)
		}
		return nil, err
	}
	return ParseConfig(data, path)
}

// isRunDir reports whether dir holds a config.yml.
func isRunDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ConfigFile))
	return err == nil
}
