// Package viewtest holds what the tests of the viewer's packages share: scripted policies,
// tiny training runs, and the checks of what a frame shows. It is imported only by tests.
package viewtest

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/gorl/gorl/env/render"
	"github.com/gorl/gorl/run"
)

// QPolicy is a policy with scripted action values: Q(obs) gives them, Act is greedy.
type QPolicy struct {
	Q func(obs, dst []float32)
	n int
}

// NewQPolicy returns a QPolicy over n actions.
func NewQPolicy(n int, q func(obs, dst []float32)) *QPolicy { return &QPolicy{Q: q, n: n} }

// QValues implements run.QValuer.
func (p *QPolicy) QValues(obs, dst []float32) { p.Q(obs, dst) }

// Act implements run.Policy: the action of the largest value.
func (p *QPolicy) Act(obs, action []float32) {
	q := make([]float32, p.n)
	p.Q(obs, q)
	best := 0
	for i, v := range q {
		if v > q[best] {
			best = i
		}
	}
	action[0] = float32(best)
}

var (
	_ run.Policy  = (*QPolicy)(nil)
	_ run.QValuer = (*QPolicy)(nil)
)

// Balance is a CartPole policy that keeps the pole up for the 500 steps of an episode (push
// towards where the pole falls: θ + θ'/2), with Q-values saying how strongly.
var Balance = NewQPolicy(2, func(obs, dst []float32) {
	s := obs[2] + 0.5*obs[3]
	dst[0], dst[1] = -s, s
})

// GridValues are the state values the tests paint on a 4×4 FrozenLake: from -1 in the
// top-left corner to +1 in the bottom-right, so every colour of the scale shows.
func GridValues() []float64 {
	v := make([]float64, 16)
	for s := range v {
		v[s] = float64(s)/7.5 - 1
	}
	return v
}

// GridPolicy returns a QPolicy over 4 actions whose best value in state s is values[s] (the
// others one less): its overlay shows exactly values.
func GridPolicy(values []float64) *QPolicy {
	return NewQPolicy(4, func(obs, dst []float32) {
		s := int(obs[0])
		for a := range dst {
			dst[a] = float32(values[s]) - 1
		}
		dst[(s*7)%4] = float32(values[s])
	})
}

// CheckGridColours checks that the picture of a grid world in rect of img (drawn scaled to
// fill rect) colours each cell whose map letter is in overlaid by its value on the
// red-white-green scale (normalised by the largest |value| of those cells), as
// grid.Overlayer promises. Each cell is sampled near its bottom-right corner, clear of the
// value's text, the policy's arrow and the agent. tol is the largest difference of a channel.
func CheckGridColours(img image.Image, rect image.Rectangle, desc []string, values []float64, overlaid string, tol int) error {
	rows, cols := len(desc), len(desc[0])
	scale := 0.0
	for s, v := range values {
		if contains(overlaid, desc[s/cols][s%cols]) {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	cw, ch := float64(rect.Dx())/float64(cols), float64(rect.Dy())/float64(rows)
	checked := 0
	for s, v := range values {
		r, c := s/cols, s%cols
		if !contains(overlaid, desc[r][c]) {
			continue
		}
		x := rect.Min.X + int((float64(c)+0.86)*cw)
		y := rect.Min.Y + int((float64(r)+0.86)*ch)
		got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
		want := render.Diverging(v, scale)
		if d := maxDiff(got, want); d > tol {
			return fmt.Errorf("cell %d (row %d, column %d, value %.3f) at (%d, %d) is %v, want %v", s, r, c, v, x, y, got, want)
		}
		checked++
	}
	if checked == 0 {
		return fmt.Errorf("no overlaid cell in the map %v", desc)
	}
	return nil
}

func contains(s string, b byte) bool {
	for i := range len(s) {
		if s[i] == b {
			return true
		}
	}
	return false
}

func maxDiff(a, b color.RGBA) int {
	d := 0
	for _, p := range [][2]uint8{{a.R, b.R}, {a.G, b.G}, {a.B, b.B}} {
		d = max(d, int(p[0])-int(p[1]), int(p[1])-int(p[0]))
	}
	return d
}

// MaxDiff returns the largest difference of a channel between two images of the same size
// over the rectangle r of a and the same-sized rectangle at b's origin, and the share of
// pixels that differ by more than tol.
func MaxDiff(a image.Image, r image.Rectangle, b image.Image, tol int) (maxD int, share float64) {
	bo := b.Bounds().Min
	bad := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ca := color.RGBAModel.Convert(a.At(x, y)).(color.RGBA)
			cb := color.RGBAModel.Convert(b.At(bo.X+x-r.Min.X, bo.Y+y-r.Min.Y)).(color.RGBA)
			d := maxDiff(ca, cb)
			maxD = max(maxD, d)
			if d > tol {
				bad++
			}
		}
	}
	return maxD, float64(bad) / float64(max(1, r.Dx()*r.Dy()))
}

// DQNRun trains a tiny DQN run of steps env steps on envID in a new directory under out and
// returns its directory: a real run whose checkpoint a Watcher can load (its network barely
// trained, but with real Q-values).
func DQNRun(out, envID string, steps int64, extra map[string]any) (string, error) {
	vals := map[string]any{"n_timesteps": steps, "learning_starts": 100, "eval_episodes": 0, "net_arch": []any{16, 16}}
	for k, v := range extra {
		vals[k] = v
	}
	cfg, err := run.Resolve("dqn", envID, run.Layer{Source: "test", Values: vals})
	if err != nil {
		return "", err
	}
	r, err := run.Create(cfg, out)
	if err != nil {
		return "", err
	}
	defer r.Close()
	if err := r.Train(context.Background()); err != nil {
		return "", err
	}
	return r.Dir, nil
}

// CartX returns the horizontal centre of a CartPole cart in the picture inside rect: the mean
// column of the columns holding a run of at least 10 dark pixels (the cart is a black box,
// the track a one-pixel line).
func CartX(img image.Image, rect image.Rectangle) (float64, error) {
	sum, n := 0.0, 0
	for x := rect.Min.X; x < rect.Max.X; x++ {
		dark := 0
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if c.R < 40 && c.G < 40 && c.B < 40 {
				dark++
			}
		}
		if dark >= 10 {
			sum += float64(x)
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("no cart in %v", rect)
	}
	return sum / float64(n), nil
}
