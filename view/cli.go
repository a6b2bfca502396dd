package view

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all" // every built-in env
	"github.com/gorl/gorl/internal/cliargs"
	"github.com/gorl/gorl/run"
	"github.com/gorl/gorl/view/scene"
)

// Main runs the viewer's command line (args[0] is the program name) and returns the exit
// status: 0, or 1 after printing the error to stderr. It is all of cmd/viewer.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := NewApp(stdout, stderr)
	if err := app.RunContext(ctx, cliargs.Reorder(app, args)); err != nil {
		fmt.Fprintf(stderr, "viewer: %v\n", err)
		return 1
	}
	return 0
}

// NewApp returns the viewer's command line: watch, play and train.
func NewApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "viewer",
		Usage: "watch agents act, play an environment yourself, watch an agent learn",
		Description: "Keys in the window: H shows them all; Space pauses, N steps once, + and - change the speed\n" +
			"(0.25x to max), R resets the episode, 0-9 set epsilon, Esc quits.",
		Writer:                    stdout,
		ErrWriter:                 stderr,
		Suggest:                   true,
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(*cli.Context, error) {},
		Commands:                  []*cli.Command{watchCommand(), playCommand(), trainCommand()},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			return fmt.Errorf("unknown command %q (commands: watch, play, train; viewer --help)", c.Args().First())
		},
	}
	return app
}

var (
	speedFlag   = &cli.StringFlag{Name: "speed", Value: "1", Usage: "initial speed: a multiple of real time (0.25 ... 64) or max"}
	epsilonFlag = &cli.Float64Flag{Name: "epsilon", Usage: "initial epsilon: of the acting policy in watch (default 0, greedy), of the training in train (default: its schedule); keys 0-9 change it"}
)

// windowOptions reads the window's flags.
func windowOptions(c *cli.Context) (Options, error) {
	var o Options
	s := strings.TrimSpace(c.String("speed"))
	if s == "max" {
		o.Speed = math.Inf(1)
	} else {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
		if err != nil || !(v > 0) {
			return o, fmt.Errorf("--speed %q: want a positive multiple of real time, such as 0.5 or 4, or max", s)
		}
		o.Speed = v
	}
	o.Epsilon, o.EpsilonGiven = c.Float64("epsilon"), c.IsSet("epsilon")
	if !(o.Epsilon >= 0 && o.Epsilon <= 1) {
		return o, fmt.Errorf("--epsilon %g: want a probability in [0, 1]", o.Epsilon)
	}
	return o, nil
}

func watchCommand() *cli.Command {
	return &cli.Command{
		Name:      "watch",
		Usage:     "watch a trained agent act: its run directory's latest checkpoint, or a checkpoint directory",
		ArgsUsage: "RUN_DIR|CHECKPOINT",
		Description: "Episodes are seeded as the run's evaluation episodes. The HUD shows the action taken, the\n" +
			"Q-values or action probabilities, the value estimate and a plot of the episodes' returns;\n" +
			"grid worlds show the policy's state values and greedy actions on their cells.",
		Flags: []cli.Flag{speedFlag, epsilonFlag},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("watch wants one RUN_DIR or CHECKPOINT directory, such as `viewer watch runs/CartPole-v1__dqn__1__1733011200`")
			}
			opts, err := windowOptions(c)
			if err != nil {
				return err
			}
			w, err := scene.WatchRun(c.Args().First())
			if err != nil {
				return err
			}
			return Run(scene.NewStage(w, "watch"), opts)
		},
	}
}

func playCommand() *cli.Command {
	return &cli.Command{
		Name:      "play",
		Usage:     "play an environment with the keyboard (the keys are shown beside it)",
		ArgsUsage: "ENV",
		Description: "Grid worlds, Taxi and Blackjack take one step per key press; classic control, PuckWorld,\n" +
			"WaterWorld and the driving scenarios run in real time once a key is pressed. Playable:\n" +
			strings.Join(scene.Playable(), ", "),
		Flags: []cli.Flag{
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the first episode (the next ones take seed+1, ...; default: from the clock)"},
			&cli.StringSliceFlag{Name: "set", Usage: "an env option: --set is_slippery=false (repeatable)"},
			speedFlag,
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("play wants one ENV, such as `viewer play cartpole` (playable: %s)", strings.Join(scene.Playable(), ", "))
			}
			opts, err := windowOptions(c)
			if err != nil {
				return err
			}
			envOpts, err := envOptions(c.StringSlice("set"))
			if err != nil {
				return err
			}
			seed := uint64(time.Now().UnixNano())
			if c.IsSet("seed") {
				seed = c.Uint64("seed")
			}
			p, err := scene.PlayEnv(c.Args().First(), envOpts, seed)
			if err != nil {
				return err
			}
			return Run(scene.NewStage(p, "play"), opts)
		},
	}
}

// envOptions reads --set name=value env options (values read as YAML, as rlrun's --set).
func envOptions(sets []string) (env.Options, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	l, err := run.ParseSet(sets)
	if err != nil {
		return nil, err
	}
	return env.Options(l.Values), nil
}

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:      "train",
		Usage:     "train ALGO on ENV as rlrun train does, watching the current policy act and the learning curve grow",
		ArgsUsage: "ALGO ENV",
		Description: "The run is rlrun's: the same hyperparameters (defaults, hyperparams/<algo>.yml, --config,\n" +
			"--set, flags), directory, metrics, checkpoints, final evaluation and learning curve. Closing\n" +
			"the window writes a checkpoint; `rlrun train --resume DIR` or `viewer train --resume DIR`\n" +
			"continues. In the window, T pauses training and [ ] change its speed (10 steps/s to max);\n" +
			"0-9 set the training's epsilon (dqn, qlearning, sarsa, expectedsarsa) from the next env step,\n" +
			"S returns it to its schedule; the shown agent acts greedily. Grid worlds show the state\n" +
			"values and greedy actions on their cells.",
		Flags: []cli.Flag{
			&cli.Uint64Flag{Name: "seed", Usage: "random seed of the run (default: the config's seed, 1)"},
			&cli.Int64Flag{Name: "steps", Usage: "env steps to train for (sets n_timesteps)"},
			&cli.StringFlag{Name: "out", Value: "runs", Usage: "parent directory of the run directory"},
			&cli.StringFlag{Name: "config", Usage: "YAML file of config keys applied over the shipped defaults"},
			&cli.StringSliceFlag{Name: "set", Usage: "override one config key: --set learning_rate=0.001 (repeatable; env options as env_kwargs.NAME=VALUE)"},
			&cli.IntFlag{Name: "eval-episodes", Usage: "episodes of the final evaluation (sets eval_episodes; default 100, 0 skips it)"},
			&cli.StringFlag{Name: "resume", Usage: "continue the run in `RUN_DIR` from its latest checkpoint"},
			speedFlag, epsilonFlag,
		},
		Action: func(c *cli.Context) error {
			opts, err := windowOptions(c)
			if err != nil {
				return err
			}
			var lt *scene.LiveTraining
			if dir := c.String("resume"); dir != "" {
				for _, f := range []string{"seed", "steps", "config", "set", "eval-episodes", "out"} {
					if c.IsSet(f) {
						return fmt.Errorf("--resume continues a run with the config in its config.yml; --%s cannot change it (start a new run instead)", f)
					}
				}
				if c.NArg() > 0 {
					return fmt.Errorf("--resume takes no ALGO ENV arguments (they are in %s)", filepath.Join(dir, run.ConfigFile))
				}
				if err := CheckDisplay(); err != nil {
					return err
				}
				if lt, err = scene.ResumeTraining(dir); err != nil {
					return err
				}
			} else {
				cfg, err := resolve(c)
				if err != nil {
					return err
				}
				// Before the run directory is made: no display, no run.
				if err := CheckDisplay(); err != nil {
					return err
				}
				r, err := run.Create(cfg, c.String("out"))
				if err != nil {
					return err
				}
				if lt, err = scene.StartTraining(r); err != nil {
					r.Close()
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "run directory: %s\n", lt.Dir())
			err = Run(scene.NewStage(lt, "train"), opts)
			if s := lt.Summary(); s != "" {
				fmt.Fprintln(c.App.Writer, s)
			}
			return err
		},
	}
}

// resolve builds the config of a new run from the arguments and flags, as rlrun train does,
// and refuses what run.Create would refuse before the display is looked for.
func resolve(c *cli.Context) (*run.Config, error) {
	cfg, err := cliargs.ResolveRun(c)
	if err != nil {
		return nil, err
	}
	a, _ := run.LookupAlgorithm(cfg.Algo)
	e, err := env.Make(cfg.EnvID, env.Options(cfg.Run.EnvKwargs))
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if a.Check != nil {
		if err := a.Check(e.ObservationSpace(), e.ActionSpace()); err != nil {
			return nil, fmt.Errorf("%s cannot train on %s: %w", cfg.Algo, cfg.EnvID, err)
		}
	}
	return cfg, nil
}
