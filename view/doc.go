// Package view is the viewer's window: an ebiten (github.com/hajimehoshi/ebiten/v2, pure Go on
// Linux, no cgo) window around a scene.Stage, and the viewer's command line (Main, used by
// cmd/viewer). It is the only package besides cmd/viewer that imports ebiten.
//
//	viewer watch runs/CartPole-v1__dqn__1__1733011200   a trained agent acts
//	viewer play cartpole                                 you play with the arrow keys
//	viewer train dqn frozenlake                          rlrun's training, live
//
// # Window
//
// Run opens the window, feeds the keyboard to the Stage 60 times a second and draws what the
// Stage shows: the env's own Render, scaled into place, and the HUD panel drawn by
// scene.DrawPanel, both uploaded as images, with the key help (H) over them. The screen is not
// cleared between frames: only what changed is drawn again, which halves the cost of a frame
// with a software renderer. Closing the window (or Esc) closes the Stage; for live training
// that writes a checkpoint to resume from.
//
// # Display
//
// On Linux and the BSDs ebiten needs an X11 display: CheckDisplay says so when DISPLAY is
// unset (run the viewer under xvfb-run, or record GIFs headlessly with `rlrun record`). The
// window tests run under Xvfb, which they start themselves when DISPLAY is unset (or skip
// without it).
//
// # Performance
//
// BenchmarkWindowFPS (go test -bench WindowFPS ./view) runs the viewer at 1× with CartPole
// and with Racetrack under the tests' display and reports ticks and frames per second, the
// env's pace against real time, and the CPU time per frame; see the README's viewer section
// for the figures.
package view
