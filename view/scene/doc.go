// Package scene is everything the viewer shows, without a window: which keys play which env,
// how fast an env steps, the HUD and its live plot drawn in software with env/render, the
// drivers that step an env (a trained policy, a person, live training), and headless
// recording to GIF and PNG. It does not import ebiten, so `rlrun record` and research code use
// it without a display stack; package view puts a Stage in an ebiten window.
//
// # Stage and drivers
//
// A Stage is the viewer minus the window: a Driver, the speed Clock, the help toggle and ε. The
// window calls Stage.Tick 60 times a second with the keyboard (an Input: keys held and keys
// pressed since the last tick), then draws Stage.Frame (the env's own Render) and DrawPanel of
// Stage.View beside it. Tests drive a Stage with synthetic keys. The drivers are
//
//   - Watcher: a trained policy (run.LoadPolicy via WatchRun) acting, episode after episode,
//     seeded as the run's evaluation episodes, ε-greedy when ε > 0;
//   - Player: a person at the keyboard (PlayEnv), with the env's Controls;
//   - LiveTraining: a run trained in the background with run.Run's Advance, as `rlrun train`
//     does (Train, StartTraining, ResumeTraining), while the current policy acts greedily in a
//     second copy of the env; the digits set the training's ε (DQN, the TD agents: an override
//     of the schedule from the next env step, kept in checkpoints) and S returns it to the
//     schedule.
//
// # Time
//
// Each env has a real-time rate (StepRate): Gymnasium's render_fps for its envs (CartPole 50
// steps a second, the toy-text grids 4), REINFORCEjs's pace for its worlds, the policy
// frequency of the driving scenarios (Racetrack 10 Hz, Highway 1 Hz). The Clock turns ticks
// into steps at 0.25× to 64× that rate, or as many as fit in a frame (max); Space pauses, N
// steps once. Ticks, not wall time, drive it, so N ticks give the same steps on any machine.
//
// # Keyboard
//
// ControlsFor maps arrow keys (and Taxi's P and D) to an env's actions, from the action
// spaces the envs document: grid worlds, Taxi and Blackjack step once per key press
// (TurnBased); classic control, PuckWorld, WaterWorld and the driving scenarios run at their
// rate while the keys held choose the action (RealTime), starting at the first key. With no key
// held, a real-time env takes its no-op; CartPole and WaterWorld, which have none, alternate
// opposite pushes. Box actions (Pendulum, MountainCarContinuous, continuous driving) add up the
// held keys' contributions, clipped to the space. An env without controls gets an error
// wrapping ErrNotPlayable that lists the playable ones.
//
// # HUD
//
// View holds what a frame shows: episode, step, return, the action taken, the policy's
// Q-values (run.QValuer) or action probabilities (run.ActionProber) as bars, its value
// estimate (run.ValueEstimator), the speed and ε, the controls with the keys held, the state of
// live training, and a Plot of the returns (per episode, or the learning curve against env
// steps, with the reward threshold). NewLayout places the env's picture (small frames enlarged
// to whole multiples, large ones shrunk) and the panel's sections once per window, so nothing
// moves while values change. On grid worlds (grid.Overlayer) an Overlay paints each cell with
// the policy's state value and greedy action, as REINFORCEjs does.
//
// # Concurrency
//
// A policy is its trainer, which must not act while it learns, so LiveTraining's worker
// goroutine owns the run, the shown env and the agent, and the window only exchanges requests
// and copies with it under a mutex: training uses the second core while the window keeps its
// frame rate. Everything else in the package belongs to the caller's goroutine.
//
// # Recording
//
// Record plays episodes of a Watcher (RecordSource: a run's policy, or random actions in an
// env) and hands over each frame: the picture after every reset and every step, optionally
// with the HUD. GIFWriter stores each frame as the rectangle that changed with its own
// palette (exact up to 256 colours); PNGWriter writes numbered files.
package scene
