package scene

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
)

// Recording emits a frame after the reset and after every step; the GIF decodes to the same
// pictures (exactly where a frame has at most 256 colours, within a few levels elsewhere),
// with each frame stored as the rectangle that changed.
func TestRecordGIFRoundTrip(t *testing.T) {
	w, err := RecordSource("cartpole", nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	gw := NewGIFWriter(w.Rate())
	var frames []*image.RGBA
	st, err := Record(w, RecordOptions{Episodes: 2, MaxSteps: 30}, func(img *image.RGBA) error {
		c := image.NewRGBA(img.Bounds())
		copy(c.Pix, img.Pix)
		frames = append(frames, c)
		return gw.Add(img)
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != st.Steps+2 || len(st.Returns) != 2 || gw.Frames() != st.Frames {
		t.Fatalf("%d frames for %d steps of %d episodes (GIF: %d)", st.Frames, st.Steps, len(st.Returns), gw.Frames())
	}
	var buf bytes.Buffer
	if err := gw.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != len(frames) || g.Config.Width != 600 || g.Config.Height != 400 || g.Delay[0] != 2 {
		t.Fatalf("decoded %d frames of %dx%d, delay %d", len(g.Image), g.Config.Width, g.Config.Height, g.Delay[0])
	}
	canvas := image.NewRGBA(image.Rect(0, 0, 600, 400))
	smaller := 0
	for i, p := range g.Image {
		if p.Bounds().Dx()*p.Bounds().Dy() < 600*400/4 {
			smaller++
		}
		draw.Draw(canvas, p.Bounds(), p, p.Bounds().Min, draw.Src)
		bad, worst := 0, 0
		for j := 0; j < len(canvas.Pix); j += 4 {
			for k := range 3 {
				d := int(canvas.Pix[j+k]) - int(frames[i].Pix[j+k])
				worst = max(worst, d, -d)
				if d > 24 || d < -24 {
					bad++
					break
				}
			}
		}
		if bad > len(canvas.Pix)/4/500 {
			t.Fatalf("frame %d: %d pixels off by more than 24 (worst %d)", i, bad, worst)
		}
	}
	if smaller < len(g.Image)/2 {
		t.Errorf("only %d of %d frames are stored as a small changed rectangle", smaller, len(g.Image))
	}
}

func TestQuantize(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 6), uint8(y * 6), uint8((x + y) % 2 * 200), 255})
		}
	}
	// 3200 colours: quantized to 256, each pixel to its nearest.
	p := quantize(img, img.Bounds())
	if len(p.Palette) != 256 {
		t.Fatalf("palette of %d colours", len(p.Palette))
	}
	for y := range 40 {
		for x := range 40 {
			a, b := img.RGBAAt(x, y), p.At(x, y).(color.RGBA)
			if d := max(absDiff(a.R, b.R), absDiff(a.G, b.G), absDiff(a.B, b.B)); d > 40 {
				t.Fatalf("(%d, %d): %v became %v", x, y, a, b)
			}
		}
	}
	// Few colours: exact.
	small := image.NewRGBA(image.Rect(0, 0, 4, 4))
	small.SetRGBA(1, 2, color.RGBA{1, 2, 3, 255})
	q := quantize(small, small.Bounds())
	if q.At(1, 2).(color.RGBA) != (color.RGBA{1, 2, 3, 255}) || len(q.Palette) != 2 {
		t.Errorf("exact palette %v", q.Palette)
	}
	if r := changed(small, small); r.Dx() != 1 || r.Dy() != 1 {
		t.Errorf("identical frames changed %v", r)
	}
	big := image.NewRGBA(small.Bounds())
	copy(big.Pix, small.Pix)
	big.SetRGBA(3, 1, color.RGBA{9, 9, 9, 255})
	big.SetRGBA(0, 3, color.RGBA{9, 9, 9, 255})
	if r := changed(small, big); r != image.Rect(0, 1, 4, 4) {
		t.Errorf("changed = %v, want (0,1)-(4,4)", r)
	}
}

func absDiff(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }

func TestPNGWriterAndHUD(t *testing.T) {
	w, err := RecordSource("frozenlake", env.Options{"is_slippery": false}, 1)
	if err != nil {
		t.Fatal(err)
	}
	pw := &PNGWriter{Dir: t.TempDir()}
	var size image.Point
	st, err := Record(w, RecordOptions{MaxSteps: 4, HUD: true}, func(img *image.RGBA) error {
		size = img.Bounds().Size()
		return pw.Add(img)
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(pw.Dir, "frame-*.png"))
	if len(files) != st.Frames || pw.Frames() != st.Frames {
		t.Fatalf("%d files for %d frames", len(files), st.Frames)
	}
	// FrozenLake's 256-pixel frame doubled, with the panel beside it.
	if size.X != 512+PanelWidth || size.Y < 512 {
		t.Errorf("frames of %v with the HUD", size)
	}
}

// Nothing the headless recorder or the scene package uses may pull in ebiten: research code
// and rlrun build without a display stack.
func TestNoEbiten(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	if strings.Contains(string(out), "hajimehoshi/ebiten") {
		t.Error("package scene depends on ebiten")
	}
}
