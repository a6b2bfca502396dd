// Command rlrun trains, evaluates and compares reinforcement-learning agents.
//
//	rlrun train dqn cartpole                     train with the shipped defaults, then evaluate
//	rlrun train dqn cartpole --set learning_rate=1e-3 --seed 2 --steps 20000
//	rlrun train --resume runs/CartPole-v1__dqn__1__1733011200
//	rlrun eval runs/CartPole-v1__dqn__1__1733011200 --episodes 20
//	rlrun plot runs/                             learning curves, mean and spread over seeds
//	rlrun list                                   environments and algorithms
//	rlrun config dqn cartpole                    the resolved hyperparameters
//
// The work is done by package run; this file only turns flags into calls. See the README and
// /work/notes/run-api.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all"
	"github.com/gorl/gorl/internal/cliargs"
	"github.com/gorl/gorl/internal/suggest"
	"github.com/gorl/gorl/run"
)

func main() {
	os.Exit(rlrun(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// rlrun runs the command line args and returns the exit status: 0, or 1 after printing the error
// to stderr.
func rlrun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if err := app.RunContext(ctx, cliargs.Reorder(app, args)); err != nil {
		fmt.Fprintf(stderr, "rlrun: %v\n", err)
		return 1
	}
	return 0
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "rlrun",
		Usage:     "train, evaluate and compare reinforcement-learning agents",
		Writer:    stdout,
		ErrWriter: stderr,
		Suggest:   true,
		// --set net_arch=[64,64] must reach us whole.
		DisableSliceFlagSeparator: true,
		// Errors are printed once, by rlrun, not by the library as well.
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			trainCommand(), evalCommand(), listCommand(), plotCommand(), configCommand(), recordCommand(),
			fitCommand(),
			sampleCommand(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			name := c.Args().First()
			var names []string
			for _, cmd := range c.App.Commands {
				names = append(names, cmd.Name)
			}
			msg := fmt.Sprintf("unknown command %q", name)
			if s := suggest.Closest(name, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return fmt.Errorf("%s (commands: %s; rlrun --help)", msg, strings.Join(names, ", "))
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = usageError
	}
	app.OnUsageError = usageError
	return app
}

// usageError turns a flag error into one line with the closest flag as a suggestion.
func usageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	if bad, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		bad = strings.TrimLeft(bad, "-")
		var names []string
		flags := c.App.Flags
		if c.Command != nil && c.Command.Name != "" {
			flags = c.Command.Flags
		}
		for _, f := range flags {
			names = append(names, f.Names()...)
		}
		msg = fmt.Sprintf("unknown flag --%s", bad)
		if s := suggest.Closest(bad, names); s != "" {
			msg += fmt.Sprintf("; did you mean --%s?", s)
		}
	}
	name := "rlrun"
	if c.Command != nil && c.Command.Name != "" {
		name += " " + c.Command.Name
	}
	return fmt.Errorf("%s (%s --help lists the flags)", msg, name)
}

var (
	seedFlag   = &cli.Uint64Flag{Name: "seed", Usage: "random seed of the run (default: the config's seed, 1)"}
	setFlag    = &cli.StringSliceFlag{Name: "set", Usage: "override one config key: --set learning_rate=0.001 (repeatable; env options as env_kwargs.NAME=VALUE)"}
	configFlag = &cli.StringFlag{Name: "config", Usage: "YAML file of config keys applied over the shipped defaults"}
)

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:      "train",
		Usage:     "train ALGO on ENV, then evaluate the greedy policy",
		ArgsUsage: "ALGO ENV",
		Description: "Hyperparameters come from the algorithm's Config defaults, the shipped hyperparams/<algo>.yml\n" +
			"entry for ENV, --config FILE, --set key=value and the flags, in that order.\n" +
			"Results go to <out>/<env>__<algo>__<seed>__<time>/: config.yml, metrics.csv, checkpoints/,\n" +
			"learning_curve.png and eval.json.",
		Flags: []cli.Flag{
			seedFlag,
			&cli.Int64Flag{Name: "steps", Usage: "env steps to train for (sets n_timesteps)"},
			&cli.StringFlag{Name: "out", Value: "runs", Usage: "parent directory of the run directory"},
			configFlag, setFlag,
			&cli.IntFlag{Name: "eval-episodes", Usage: "episodes of the final evaluation (sets eval_episodes; default 100, 0 skips it)"},
			&cli.StringFlag{Name: "resume", Usage: "continue the run in `RUN_DIR` from its latest checkpoint"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar (it is also off when stdout is not a terminal)"},
		},
		Action: train,
	}
}

func train(c *cli.Context) error {
	var r *run.Run
	var err error
	if dir := c.String("resume"); dir != "" {
		for _, f := range []string{"seed", "steps", "config", "set", "eval-episodes", "out"} {
			if c.IsSet(f) {
				return fmt.Errorf("--resume continues a run with the config in its config.yml; --%s cannot change it (start a new run instead)", f)
			}
		}
		if c.NArg() > 0 {
			return fmt.Errorf("--resume takes no ALGO ENV arguments (they are in %s)", filepath.Join(dir, run.ConfigFile))
		}
		if r, err = run.Resume(dir); err != nil {
			return err
		}
		if r.Finished() {
			r.Close()
			return fmt.Errorf("the run in %s finished at env step %d (see its %s); start a new run to train more", dir, r.Steps(), run.EvalFile)
		}
	} else {
		cfg, err := cliargs.ResolveRun(c)
		if err != nil {
			return err
		}
		if r, err = run.Create(cfg, c.String("out")); err != nil {
			return err
		}
	}
	defer r.Close()
	out := c.App.Writer
	fmt.Fprintf(out, "run directory: %s\n", r.Dir)
	if !c.Bool("quiet") && isTerminal(out) {
		r.Progress = run.NewProgressBar(out, r.Config.Run.Steps)
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r.Train(ctx); err != nil {
		return err
	}
	if n := r.Config.Run.EvalEpisodes; n > 0 {
		res, err := r.Evaluate(n)
		if err != nil {
			return fmt.Errorf("evaluation: %w", err)
		}
		if err := r.WriteEval(res); err != nil {
			return err
		}
		fmt.Fprintln(out, summary(res))
	}
	fmt.Fprintf(out, "trained %d env steps in %.1f s; results in %s (eval.json, metrics.csv, learning_curve.png, checkpoints/)\n",
		r.Steps(), r.TrainSeconds(), r.Dir)
	return nil
}

func summary(res *run.EvalResult) string {
	s := fmt.Sprintf("eval: mean return %.2f ± %.2f over %d greedy episodes", res.MeanReturn, res.StdReturn, res.Episodes)
	if res.Solved != nil {
		verdict := "not solved"
		if *res.Solved {
			verdict = "solved"
		}
		s += fmt.Sprintf(" (%s: threshold %g)", verdict, *res.RewardThreshold)
	}
	if res.SuccessRate != nil {
		s += fmt.Sprintf(", success rate %.2f", *res.SuccessRate)
	}
	return s
}

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "evaluate a run's latest checkpoint (or a checkpoint directory) with greedy episodes",
		ArgsUsage: "RUN_DIR|CHECKPOINT",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "episodes", Usage: "number of episodes (default: the run's eval_episodes)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as eval.json's JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("eval wants one RUN_DIR or CHECKPOINT directory")
			}
			path := c.Args().First()
			n := c.Int("episodes")
			if !c.IsSet("episodes") {
				_, cfg, _, err := run.LoadPolicy(path)
				if err != nil {
					return err
				}
				n = max(1, cfg.Run.EvalEpisodes)
			}
			res, err := run.EvaluateCheckpoint(path, n)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				_, err := c.App.Writer.Write(res.JSON())
				return err
			}
			fmt.Fprintf(c.App.Writer, "%s %s seed %d, checkpoint %s (%d env steps)\n%s\n", res.Env, res.Algo, res.Seed, res.Checkpoint, res.EnvSteps, summary(res))
			return nil
		},
	}
}

func listCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the environments and the algorithms",
		Action: func(c *cli.Context) error {
			w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ENV\tALIAS\tOBSERVATION SPACE\tACTION SPACE\tREWARD THRESHOLD")
			for _, s := range env.Specs() {
				obs, act := "?", "?"
				if e, err := env.Make(s.ID, nil); err == nil {
					obs, act = e.ObservationSpace().String(), e.ActionSpace().String()
					e.Close()
				}
				thr := "-"
				if s.HasRewardThreshold() {
					thr = fmt.Sprint(s.RewardThreshold)
				}
				alias := strings.Join(s.Aliases, ", ")
				if alias == "" {
					alias = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.ID, alias, shorten(obs, 48), act, thr)
			}
			fmt.Fprintln(w)
			fmt.Fprintln(w, "ALGORITHM\tACTION SPACES\tDESCRIPTION")
			for _, a := range run.Algorithms() {
				fmt.Fprintf(w, "%s\t%s\t%s\n", a.Name, a.ActionSpaces, a.Description)
			}
			return w.Flush()
		},
	}
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func plotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "draw the learning curves of runs (mean and spread over seeds) to an image",
		ArgsUsage: "RUN_DIR... (or directories holding run directories)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "learning_curves.png", Usage: "image file to write (.png, .svg or .pdf)"},
			&cli.StringFlag{Name: "key", Value: run.ReturnKey, Usage: "metric to plot"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return errors.New("plot wants at least one RUN_DIR")
			}
			var dirs []string
			for _, a := range c.Args().Slice() {
				found, err := runDirs(a)
				if err != nil {
					return err
				}
				dirs = append(dirs, found...)
			}
			if err := run.PlotRuns(dirs, c.String("out"), c.String("key")); err != nil {
				return err
			}
			noun := "runs"
			if len(dirs) == 1 {
				noun = "run"
			}
			fmt.Fprintf(c.App.Writer, "plotted %d %s to %s\n", len(dirs), noun, c.String("out"))
			return nil
		},
	}
}

// runDirs returns dir if it is a run directory, else the run directories directly inside it.
func runDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, run.ConfigFile)); err == nil {
		return []string{dir}, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(p, run.ConfigFile)); e.IsDir() && err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is not a run directory and holds none", dir)
	}
	slices.Sort(out)
	return out, nil
}

func configCommand() *cli.Command {
	return &cli.Command{
		Name:      "config",
		Usage:     "print the resolved config of ALGO on ENV (the shipped defaults with --config and --set applied)",
		ArgsUsage: "ALGO ENV",
		Flags:     []cli.Flag{seedFlag, configFlag, setFlag},
		Action: func(c *cli.Context) error {
			cfg, err := cliargs.ResolveRun(c)
			if err != nil {
				return err
			}
			y, err := cfg.MarshalYAML()
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(y)
			return err
		},
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && run.IsTerminal(f)
}
