package main

import (
	"errors"
	"fmt"
	"image"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run"
	"github.com/gorl/gorl/view/scene"
)

// recordCommand is `rlrun record`: episodes drawn by the envs' own renderers into an animated
// GIF or PNG frames, with no window (package view/scene does the work, without ebiten).
func recordCommand() *cli.Command {
	return &cli.Command{
		Name:      "record",
		Usage:     "record episodes of a trained agent (or of random actions in ENV) as a GIF or PNG frames, headless",
		ArgsUsage: "RUN_DIR|CHECKPOINT|ENV",
		Description: "A run directory or checkpoint records its policy's evaluation episodes (seeded as rlrun eval's);\n" +
			"an env ID or alias records uniformly random actions. Frames are the env's Render, one after\n" +
			"each reset and each step; the GIF plays at the env's real-time rate.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "animated GIF to write (`FILE.gif`)"},
			&cli.StringFlag{Name: "frames", Usage: "directory to write the frames to as frame-000000.png, ... (`DIR`)"},
			&cli.IntFlag{Name: "episodes", Value: 1, Usage: "episodes to record"},
			&cli.IntFlag{Name: "max-steps", Usage: "cut each episode after this many steps (default: at its end)"},
			&cli.Float64Flag{Name: "fps", Usage: "GIF frame rate (default: the env's real-time rate; GIFs play at most 50)"},
			&cli.BoolFlag{Name: "hud", Usage: "draw the viewer's HUD (action, Q-values, returns) beside the env"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the first episode of an ENV (the next ones take seed+1, ...)"},
			&cli.StringSliceFlag{Name: "set", Usage: "an option of an ENV: --set is_slippery=false (repeatable)"},
		},
		Action: record,
	}
}

func record(c *cli.Context) error {
	if c.NArg() != 1 {
		return errors.New("record wants one RUN_DIR, CHECKPOINT or ENV, such as `rlrun record cartpole --out cartpole.gif`")
	}
	gifPath, framesDir := c.String("out"), c.String("frames")
	if gifPath == "" && framesDir == "" {
		return errors.New("record needs --out FILE.gif or --frames DIR (or both)")
	}
	if gifPath != "" && !strings.EqualFold(strings.TrimSpace(gifPath[max(0, len(gifPath)-4):]), ".gif") {
		return fmt.Errorf("--out %s: record writes GIF files (FILE.gif); use --frames DIR for PNG frames", gifPath)
	}
	if n := c.Int("episodes"); n < 1 {
		return fmt.Errorf("--episodes %d: want at least 1", n)
	}
	if n := c.Int("max-steps"); n < 0 {
		return fmt.Errorf("--max-steps %d: want 0 (no limit) or more", n)
	}
	arg := c.Args().First()
	var opts env.Options
	if sets := c.StringSlice("set"); len(sets) > 0 {
		l, err := run.ParseSet(sets)
		if err != nil {
			return err
		}
		opts = env.Options(l.Values)
	}
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		for _, f := range []string{"seed", "set"} {
			if c.IsSet(f) {
				return fmt.Errorf("--%s applies to an ENV; a run's episodes use its config and seed", f)
			}
		}
	}
	w, err := scene.RecordSource(arg, opts, c.Uint64("seed"))
	if err != nil {
		return err
	}
	defer w.Close()
	fps := c.Float64("fps")
	if fps <= 0 {
		fps = w.Rate()
	}
	var gw *scene.GIFWriter
	if gifPath != "" {
		gw = scene.NewGIFWriter(fps)
	}
	var pw *scene.PNGWriter
	if framesDir != "" {
		if err := os.MkdirAll(framesDir, 0o755); err != nil {
			return fmt.Errorf("--frames: %w", err)
		}
		pw = &scene.PNGWriter{Dir: framesDir}
	}
	var size image.Point
	st, err := scene.Record(w, scene.RecordOptions{Episodes: c.Int("episodes"), MaxSteps: c.Int("max-steps"), HUD: c.Bool("hud")},
		func(img *image.RGBA) error {
			size = img.Bounds().Size()
			if gw != nil {
				if err := gw.Add(img); err != nil {
					return err
				}
			}
			if pw != nil {
				return pw.Add(img)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if gw != nil {
		if err := gw.WriteFile(gifPath); err != nil {
			return err
		}
	}
	var to []string
	if gw != nil {
		to = append(to, fmt.Sprintf("%s (%g frames/s)", gifPath, 100/float64(gw.Delay)))
	}
	if pw != nil {
		to = append(to, framesDir+string(os.PathSeparator))
	}
	returns := make([]string, len(st.Returns))
	for i, r := range st.Returns {
		returns[i] = fmt.Sprintf("%.2f", r)
	}
	fmt.Fprintf(c.App.Writer, "recorded %d episodes of %s (%d steps, returns %s) as %d frames of %dx%d to %s\n",
		len(st.Returns), w.Session.ID, st.Steps, strings.Join(returns, " "), st.Frames, size.X, size.Y, strings.Join(to, " and "))
	return nil
}
