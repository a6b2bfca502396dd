package supervised

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// panel is one plot of a figure: the metrics keys drawn in it, against epochs.
type panel struct {
	Title, YLabel string
	Keys, Labels  []string
	// LogY draws the y axis on a log scale (losses spanning decades).
	LogY bool
	// LegendBottom puts the legend at the bottom right (curves that rise, such as accuracy).
	LegendBottom bool
}

// plotCurves draws a classifier's train/test loss and accuracy per epoch from metrics.csv.
func plotCurves(dir, out, title string) error {
	return plotPanels(dir, out, title, "charts/epoch", []panel{
		{Title: "loss", YLabel: "cross-entropy", Keys: []string{"train/loss", "test/loss"}, Labels: []string{"train", "test"}},
		{Title: "accuracy", YLabel: "accuracy", Keys: []string{"train/accuracy", "test/accuracy"}, Labels: []string{"train", "test"}, LegendBottom: true},
	})
}

// plotPanels draws panels side by side into out (PNG). The x axis is xKey's value at each step
// (charts/epoch) when xKey is set and logged, else global_step.
func plotPanels(dir, out, title, xKey string, panels []panel) error {
	rows, err := ReadMetrics(filepath.Join(dir, MetricsFile))
	if err != nil {
		return err
	}
	// Steps map to epochs by the ratio at the first logged epoch end (epochs are a fixed
	// number of steps).
	var ends []Scalar
	for _, r := range rows {
		if r.Key == xKey {
			ends = append(ends, r)
		}
	}
	xOf := func(step int64) float64 {
		if len(ends) == 0 {
			return float64(step)
		}
		return float64(step) * ends[0].Value / float64(ends[0].Step)
	}
	xLabel := "step"
	if len(ends) > 0 {
		xLabel = "epoch"
	}
	var plots []*plot.Plot
	drawn := 0
	for _, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Label.Text = xLabel
		p.Y.Label.Text = pn.YLabel
		p.Add(plotter.NewGrid())
		if pn.LogY {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		for i, k := range pn.Keys {
			var pts plotter.XYs
			for _, r := range rows {
				if r.Key == k && (!pn.LogY || r.Value > 0) && finite(r.Value) {
					pts = append(pts, plotter.XY{X: xOf(r.Step), Y: r.Value})
				}
			}
			if len(pts) == 0 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.LineStyle.Width = vg.Points(1.5)
			l.LineStyle.Color = plotutil.Color(i)
			p.Add(l)
			if len(pts) < 60 {
				sc, _ := plotter.NewScatter(pts)
				sc.GlyphStyle.Color = plotutil.Color(i)
				sc.GlyphStyle.Radius = vg.Points(2)
				sc.GlyphStyle.Shape = draw.CircleGlyph{}
				p.Add(sc)
			}
			p.Legend.Add(pn.Labels[i], l)
			drawn++
		}
		p.Legend.Top = !pn.LegendBottom
		plots = append(plots, p)
	}
	if drawn == 0 {
		return fmt.Errorf("%s: nothing logged yet to plot", dir)
	}
	plots[0].Title.Text = title + ": " + plots[0].Title.Text
	w, h := vg.Length(len(panels))*12*vg.Centimeter, 10*vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4,
		PadBottom: vg.Millimeter * 2, PadTop: vg.Millimeter * 2}
	cs := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(cs[0][i])
	}
	return savePNG(out, vgimg.PngCanvas{Canvas: img})
}

func savePNG(path string, c vgimg.PngCanvas) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// confusionGrid is a confusion matrix as a heat map grid: column j is the predicted class, row
// i (drawn from the top) the true class; values are row fractions.
type confusionGrid struct{ m [][]int }

func (g confusionGrid) Dims() (c, r int) { return len(g.m), len(g.m) }
func (g confusionGrid) X(c int) float64  { return float64(c) }
func (g confusionGrid) Y(r int) float64  { return float64(r) }
func (g confusionGrid) Z(c, r int) float64 {
	row := g.m[len(g.m)-1-r]
	tot := 0
	for _, v := range row {
		tot += v
	}
	if tot == 0 {
		return 0
	}
	return math.Sqrt(float64(row[c]) / float64(tot)) // sqrt: the small confusions stay visible
}

// plotConfusion draws a confusion matrix (rows true classes, columns predictions, counts written
// in the cells) into out.
func plotConfusion(out string, m [][]int, classes []string, title string) error {
	k := len(m)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	pal := palette.Heat(64, 1)
	rev := make([]color.Color, len(pal.Colors()))
	for i, c := range pal.Colors() {
		rev[len(rev)-1-i] = c
	}
	hm := plotter.NewHeatMap(confusionGrid{m}, reversed(rev))
	hm.Min, hm.Max = 0, 1
	p.Add(hm)
	var lab plotter.XYLabels
	for i := range k {
		for j := range k {
			lab.XYs = append(lab.XYs, plotter.XY{X: float64(j), Y: float64(k - 1 - i)})
			lab.Labels = append(lab.Labels, fmt.Sprint(m[i][j]))
		}
	}
	labels, err := plotter.NewLabels(lab)
	if err != nil {
		return err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		labels.TextStyle[i].Font.Size = vg.Points(7)
		if i/k == i%k {
			labels.TextStyle[i].Color = color.White
		}
	}
	p.Add(labels)
	var xt, yt plot.ConstantTicks
	for i, c := range classes {
		if len(c) > 10 {
			c = c[:10]
		}
		xt = append(xt, plot.Tick{Value: float64(i), Label: c})
		yt = append(yt, plot.Tick{Value: float64(k - 1 - i), Label: c})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	p.X.Min, p.X.Max = -0.5, float64(k)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(k)-0.5
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	return p.Save(16*vg.Centimeter, 15*vg.Centimeter, out)
}

type reversed []color.Color

func (r reversed) Colors() []color.Color { return r }

// plotLatent draws 2-D codes as a scatter plot coloured by class.
func plotLatent(out string, codes []float32, labels []int, classes []string, title string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "z₁"
	p.Y.Label.Text = "z₂"
	for c, name := range classes {
		var pts plotter.XYs
		for i, l := range labels {
			if l == c {
				pts = append(pts, plotter.XY{X: float64(codes[2*i]), Y: float64(codes[2*i+1])})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = classColor(c)
		sc.GlyphStyle.Radius = vg.Points(1.2)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add(name, sc)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	return p.Save(18*vg.Centimeter, 16*vg.Centimeter, out)
}

// classColor returns one of ten distinguishable colours (matplotlib's tab10).
func classColor(c int) color.Color {
	tab10 := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
		{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}
	return tab10[c%len(tab10)]
}

// writeGrid writes images (n of c×h×w floats in [0, 1], channels first) as a PNG grid of cols
// columns, each image scaled up by scale, with a 2-pixel gutter.
func writeGrid(path string, imgs []float32, n, c, h, w, cols, scale int) error {
	rows := (n + cols - 1) / cols
	gap := 2
	W, H := cols*(w*scale+gap)+gap, rows*(h*scale+gap)+gap
	im := image.NewRGBA(image.Rect(0, 0, W, H))
	for i := range im.Pix {
		im.Pix[i] = 64
		if i%4 == 3 {
			im.Pix[i] = 255
		}
	}
	sz := c * h * w
	for k := range n {
		ox, oy := gap+(k%cols)*(w*scale+gap), gap+(k/cols)*(h*scale+gap)
		src := imgs[k*sz : (k+1)*sz]
		for y := range h * scale {
			for x := range w * scale {
				p := (y/scale)*w + x/scale
				var rgb [3]uint8
				for ch := range 3 {
					v := src[min(ch, c-1)*h*w+p]
					rgb[ch] = uint8(math.Round(float64(min(max(v, 0), 1)) * 255))
				}
				im.Set(ox+x, oy+y, color.RGBA{rgb[0], rgb[1], rgb[2], 255})
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, im); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
