package main

import (
	"encoding/json"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/run"
)

func decodeGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatalf("%s does not decode: %v", path, err)
	}
	return g
}

// An env records random actions: one frame after the reset and one after each step, at the
// env's size and rate, as a GIF and as PNG frames.
func TestRecordEnv(t *testing.T) {
	dir := t.TempDir()
	out, frames := filepath.Join(dir, "cartpole.gif"), filepath.Join(dir, "frames")
	// A random CartPole episode lasts more than 5 steps: 2 episodes of 5 steps, 12 frames.
	code, stdout, stderr := rl(t, "record", "cartpole", "--out", out, "--frames", frames, "--episodes", "2", "--max-steps", "5", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "as 12 frames of 600x400") {
		t.Errorf("stdout %q", stdout)
	}
	g := decodeGIF(t, out)
	if len(g.Image) != 12 || g.Config.Width != 600 || g.Config.Height != 400 {
		t.Fatalf("GIF of %d frames of %dx%d, want 12 of 600x400", len(g.Image), g.Config.Width, g.Config.Height)
	}
	for i, d := range g.Delay {
		if d != 2 { // CartPole's 50 steps a second
			t.Fatalf("frame %d lasts %d/100 s", i, d)
		}
	}
	pngs, _ := filepath.Glob(filepath.Join(frames, "frame-*.png"))
	if len(pngs) != 12 {
		t.Fatalf("%d PNG frames", len(pngs))
	}
	f, _ := os.Open(pngs[11])
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 600 || img.Bounds().Dy() != 400 {
		t.Fatalf("last PNG: %v %v", err, img.Bounds())
	}
	// With the HUD the frames are the viewer's window.
	out2 := filepath.Join(dir, "hud.gif")
	if code, stdout, stderr := rl(t, "record", "frozenlake", "--out", out2, "--max-steps", "3", "--hud"); code != 0 {
		t.Fatalf("--hud: exit %d: %s%s", code, stdout, stderr)
	}
	g = decodeGIF(t, out2)
	if g.Config.Width <= 512 || g.Config.Height < 512 || len(g.Image) < 2 {
		t.Errorf("FrozenLake with the HUD: %d frames of %dx%d", len(g.Image), g.Config.Width, g.Config.Height)
	}
}

// A run records its greedy policy's evaluation episodes: the first is as long as rlrun
// eval's first.
func TestRecordRun(t *testing.T) {
	dir := trainTiny(t, t.TempDir())
	var res struct{ Lengths []int }
	b, err := os.ReadFile(filepath.Join(dir, run.EvalFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res.Lengths) == 0 {
		t.Fatalf("eval.json: %v %s", err, b)
	}
	out := filepath.Join(t.TempDir(), "run.gif")
	code, stdout, stderr := rl(t, "record", dir, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	g := decodeGIF(t, out)
	if len(g.Image) != res.Lengths[0]+1 {
		t.Errorf("%d frames for an evaluation episode of %d steps", len(g.Image), res.Lengths[0])
	}
	if code, _, stderr := rl(t, "record", dir, "--out", out, "--seed", "4"); code == 0 || !strings.Contains(stderr, "--seed applies to an ENV") {
		t.Errorf("--seed with a run: %s", stderr)
	}
}

func TestRecordErrors(t *testing.T) {
	gifOut := filepath.Join(t.TempDir(), "x.gif")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record", "cartpole"}, "--out FILE.gif or --frames DIR"},
		{[]string{"record", "cartpole", "--out", "x.png"}, "record writes GIF files"},
		{[]string{"record", "nosuchenv", "--out", gifOut}, "neither a run directory, a checkpoint nor a registered env"},
		{[]string{"record", "--out", gifOut}, "wants one RUN_DIR"},
		{[]string{"record", "cartpole", "--out", gifOut, "--episodes", "0"}, "--episodes 0"},
		{[]string{"record", "frozenlake", "--out", gifOut, "--set", "no_such_option=1"}, "no_such_option"},
	} {
		code, _, stderr := rl(t, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("rlrun %v: exit %d, %q; want an error with %q", tc.args, code, stderr, tc.want)
		}
	}
}
