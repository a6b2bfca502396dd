package scene

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
	"github.com/gorl/gorl/run"
)

// RandomPolicy acts uniformly at random in a space: what `rlrun record ENV` records when there
// is no trained agent.
type RandomPolicy struct {
	Space env.Space
	Rand  *rand.Rand
}

// Act implements run.Policy.
func (p *RandomPolicy) Act(_, action []float32) { p.Space.Sample(p.Rand, action) }

var _ run.Policy = (*RandomPolicy)(nil)

// RecordOptions configure Record.
type RecordOptions struct {
	// Episodes to record (at least 1).
	Episodes int
	// MaxSteps cuts each episode after that many steps (0: at its end).
	MaxSteps int
	// HUD draws the viewer's HUD (values, returns plot) beside the env's picture.
	HUD bool
}

// RecordStats say what Record recorded.
type RecordStats struct {
	Frames  int
	Steps   int
	Returns []float64
}

// Record plays opts.Episodes episodes with w's agent, with no window, and passes every frame
// to emit: the picture after each Reset and after each step, as the env's Render draws it
// (with the HUD beside it when opts.HUD). The frame passed to emit is reused by the next
// call. Episode i has w's seed for i, so a recording of a run shows its evaluation episodes.
func Record(w *Watcher, opts RecordOptions, emit func(*image.RGBA) error) (RecordStats, error) {
	var st RecordStats
	s := w.Session
	var comp *composer
	for ep := range max(1, opts.Episodes) {
		if ep > 0 {
			s.Reset()
		}
		for {
			img, _ := w.Frame()
			if img == nil {
				return st, fmt.Errorf("%s cannot draw itself (its Render returns nil)", s.ID)
			}
			if opts.HUD {
				if comp == nil {
					comp = newComposer(w, img)
				}
				img = comp.compose(w, img)
			}
			if err := emit(img); err != nil {
				return st, err
			}
			st.Frames++
			if s.Over() || (opts.MaxSteps > 0 && s.Steps >= opts.MaxSteps) {
				break
			}
			w.Agent.Act(s.Obs(), w.act)
			s.Step(w.act, actionLabel(w.act, s.Env.ActionSpace(), w.names))
			st.Steps++
		}
		st.Returns = append(st.Returns, s.Return)
	}
	return st, nil
}

// composer draws the env's picture and the HUD side by side, as the window does, in software.
type composer struct {
	layout Layout
	panel  *render.Canvas
	out    *image.RGBA
	view   View
}

func newComposer(w *Watcher, frame *image.RGBA) *composer {
	c := &composer{}
	w.Describe(&c.view)
	c.view.Speed = "recording"
	c.layout = NewLayout(frame.Bounds().Dx(), frame.Bounds().Dy(), &c.view)
	c.panel = render.New(PanelWidth, c.layout.Height)
	c.out = image.NewRGBA(image.Rect(0, 0, c.layout.Width, c.layout.Height))
	return c
}

func (c *composer) compose(w *Watcher, frame *image.RGBA) *image.RGBA {
	w.Describe(&c.view)
	c.view.Speed = "recording"
	DrawPanel(c.panel, &c.layout, &c.view)
	out := c.out
	for i := range out.Pix {
		out.Pix[i] = 40
		if i%4 == 3 {
			out.Pix[i] = 255
		}
	}
	ScaleNearest(out, c.layout.Frame, frame)
	p := c.panel.Image()
	for y := 0; y < p.Bounds().Dy(); y++ {
		copy(out.Pix[out.PixOffset(c.layout.Panel.Min.X, y):], p.Pix[p.PixOffset(0, y):p.PixOffset(p.Bounds().Dx(), y)])
	}
	return out
}

// ScaleNearest draws src into the rectangle r of dst, scaled by nearest neighbour (crisp
// cells for the enlarged grid worlds).
func ScaleNearest(dst *image.RGBA, r image.Rectangle, src *image.RGBA) {
	sb := src.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := sb.Min.Y + (y-r.Min.Y)*sb.Dy()/r.Dy()
		for x := r.Min.X; x < r.Max.X; x++ {
			sx := sb.Min.X + (x-r.Min.X)*sb.Dx()/r.Dx()
			copy(dst.Pix[dst.PixOffset(x, y):dst.PixOffset(x, y)+4], src.Pix[src.PixOffset(sx, sy):src.PixOffset(sx, sy)+4])
		}
	}
}

// GIFWriter builds an animated GIF from frames of one size. To keep memory and file small it
// stores each frame as the rectangle that changed since the previous one (GIF's "do not
// dispose" frames draw over the last), with its own palette: the exact colours when the
// rectangle has at most 256, else the 256 most frequent after merging close colours, each
// pixel mapped to the nearest.
type GIFWriter struct {
	// Delay is each frame's display time in hundredths of a second.
	Delay int
	g     gif.GIF
	prev  *image.RGBA
}

// NewGIFWriter returns a writer for an animation at fps frames per second (GIF's delays
// are whole hundredths of a second, and browsers slow down delays under 2: faster
// animations play at 50 frames per second).
func NewGIFWriter(fps float64) *GIFWriter {
	return &GIFWriter{Delay: max(2, int(math.Round(100/fps)))}
}

// Add appends a frame (copied).
func (g *GIFWriter) Add(img *image.RGBA) error {
	b := img.Bounds()
	if g.prev == nil {
		g.prev = image.NewRGBA(b)
		g.g.Config = image.Config{Width: b.Dx(), Height: b.Dy()}
	} else if g.prev.Bounds() != b {
		return fmt.Errorf("gif: frame of %v after frames of %v", b.Size(), g.prev.Bounds().Size())
	}
	r := b
	if len(g.g.Image) > 0 {
		r = changed(g.prev, img)
	}
	g.g.Image = append(g.g.Image, quantize(img, r))
	g.g.Delay = append(g.g.Delay, g.Delay)
	g.g.Disposal = append(g.g.Disposal, gif.DisposalNone)
	copy(g.prev.Pix, img.Pix)
	return nil
}

// Frames returns the number of frames added.
func (g *GIFWriter) Frames() int { return len(g.g.Image) }

// Encode writes the GIF, looping forever.
func (g *GIFWriter) Encode(w io.Writer) error {
	if len(g.g.Image) == 0 {
		return errors.New("gif: no frames")
	}
	return gif.EncodeAll(w, &g.g)
}

// WriteFile writes the GIF to path.
func (g *GIFWriter) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := g.Encode(bw); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// changed returns the bounding box of the pixels that differ between a and b (same bounds),
// or a 1×1 rectangle at the origin when none do (a GIF frame cannot be empty).
func changed(a, b *image.RGBA) image.Rectangle {
	bb := b.Bounds()
	x0, y0, x1, y1 := bb.Max.X, bb.Max.Y, bb.Min.X, bb.Min.Y
	w := bb.Dx() * 4
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		ra := a.Pix[a.PixOffset(bb.Min.X, y):][:w]
		rb := b.Pix[b.PixOffset(bb.Min.X, y):][:w]
		if string(ra) == string(rb) {
			continue
		}
		i := 0
		for i < w && ra[i] == rb[i] {
			i++
		}
		j := w - 1
		for j >= 0 && ra[j] == rb[j] {
			j--
		}
		x0, x1 = min(x0, bb.Min.X+i/4), max(x1, bb.Min.X+j/4+1)
		y0, y1 = min(y0, y), max(y1, y+1)
	}
	if x0 >= x1 {
		return image.Rect(bb.Min.X, bb.Min.Y, bb.Min.X+1, bb.Min.Y+1)
	}
	return image.Rect(x0, y0, x1, y1)
}

// quantize returns the rectangle r of img as a paletted image (frames are opaque).
func quantize(img *image.RGBA, r image.Rectangle) *image.Paletted {
	counts := map[uint32]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			counts[uint32(row[i])<<16|uint32(row[i+1])<<8|uint32(row[i+2])]++
		}
	}
	var pal color.Palette
	exact := len(counts) <= 256
	if exact {
		keys := make([]uint32, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			pal = append(pal, color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 255})
		}
	} else {
		pal = popular(counts)
	}
	dst := image.NewPaletted(r, pal)
	index := make(map[uint32]uint8, min(len(counts), 4096))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		out := dst.Pix[dst.PixOffset(r.Min.X, y):]
		for i := 0; i < len(row); i += 4 {
			k := uint32(row[i])<<16 | uint32(row[i+1])<<8 | uint32(row[i+2])
			ix, ok := index[k]
			if !ok {
				ix = uint8(nearest(pal, row[i], row[i+1], row[i+2]))
				index[k] = ix
			}
			out[i/4] = ix
		}
	}
	return dst
}

// popular returns a palette of up to 256 colours for a histogram of more: colours are merged
// into buckets of 3 bits less per channel (their count-weighted mean), and the most frequent
// buckets kept, so that a frame's large flat areas keep their exact colours and its
// anti-aliased edges share the rest.
func popular(counts map[uint32]int) color.Palette {
	type bucket struct{ r, g, b, n int }
	buckets := map[uint32]*bucket{}
	for k, n := range counts {
		r, g, b := int(k>>16&255), int(k>>8&255), int(k&255)
		key := uint32(r>>3)<<10 | uint32(g>>3)<<5 | uint32(b>>3)
		bk := buckets[key]
		if bk == nil {
			bk = &bucket{}
			buckets[key] = bk
		}
		bk.r, bk.g, bk.b, bk.n = bk.r+r*n, bk.g+g*n, bk.b+b*n, bk.n+n
	}
	list := make([]*bucket, 0, len(buckets))
	for _, b := range buckets {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		a, b := list[i], list[j]
		return a.r*65536+a.g*256+a.b < b.r*65536+b.g*256+b.b
	})
	pal := make(color.Palette, 0, 256)
	for _, b := range list[:min(256, len(list))] {
		pal = append(pal, color.RGBA{uint8(b.r / b.n), uint8(b.g / b.n), uint8(b.b / b.n), 255})
	}
	return pal
}

// nearest returns the index of the palette colour closest to (r, g, b).
func nearest(pal color.Palette, r, g, b uint8) int {
	best, bestD := 0, math.MaxInt
	for i, c := range pal {
		pc := c.(color.RGBA)
		dr, dg, db := int(pc.R)-int(r), int(pc.G)-int(g), int(pc.B)-int(b)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// PNGWriter writes frames as numbered PNG files in a directory: frame-000000.png, ...
type PNGWriter struct {
	Dir string
	n   int
}

// Add writes the next frame.
func (p *PNGWriter) Add(img *image.RGBA) error {
	path := filepath.Join(p.Dir, fmt.Sprintf("frame-%06d.png", p.n))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := png.Encode(bw, img); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	p.n++
	return f.Close()
}

// Frames returns the number of frames written.
func (p *PNGWriter) Frames() int { return p.n }

// RecordSource returns the Watcher that `rlrun record` records for arg: the trained policy of
// a run directory or checkpoint (its evaluation episodes), or else, for a registered env ID
// or alias, a uniformly random policy in that env made with opts (episode i seeded with
// seed+i). opts and seed apply only to an env.
func RecordSource(arg string, opts env.Options, seed uint64) (*Watcher, error) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return WatchRun(arg)
	}
	spec, err := env.Lookup(arg)
	if err != nil {
		return nil, fmt.Errorf("%s is neither a run directory, a checkpoint nor a registered env: %w", arg, err)
	}
	e, err := env.Make(spec.ID, opts)
	if err != nil {
		return nil, err
	}
	p := &RandomPolicy{Space: e.ActionSpace(), Rand: env.NewRand(seed ^ 0xac7)}
	w := NewWatcher(spec.ID, spec.ID, e, opts, p, func(i int) uint64 { return seed + uint64(i) })
	w.Mode = "random actions"
	if img, _ := w.Frame(); img == nil {
		e.Close()
		return nil, fmt.Errorf("%s cannot draw itself (its Render returns nil): there is nothing to record", spec.ID)
	}
	return w, nil
}
