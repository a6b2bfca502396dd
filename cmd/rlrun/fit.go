package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/gorl/gorl/supervised"
)

// fitCommand is `rlrun fit TASK ...`: the supervised trainers of package supervised on the same
// nets core (image classifiers, a character language model, a DCGAN, an autoencoder).
func fitCommand() *cli.Command {
	return &cli.Command{
		Name:      "fit",
		Usage:     "train a supervised model: cnn, charrnn, gan or autoencoder",
		ArgsUsage: "TASK [DATASET|CORPUS]",
		Description: "  rlrun fit cnn mnist|fashion-mnist|cifar10 [--data DIR] [--model seed|strong]\n" +
			"  rlrun fit charrnn [FILE|DIR]        (default: the Go standard library's source)\n" +
			"  rlrun fit gan mnist                 (DCGAN; --set judge=CNN_RUN_DIR scores its samples)\n" +
			"  rlrun fit autoencoder mnist         (a 2-D code by default: latent.png, manifold.png)\n" +
			"  rlrun fit --resume RUN_DIR\n\n" +
			"Hyperparameters are the task's config keys (go doc github.com/gorl/gorl/supervised CNNConfig,\n" +
			"CharRNNConfig, GANConfig, AutoencoderConfig), changed with --set key=value. Results go to\n" +
			"<out>/<dataset>__<task>__<seed>__<time>/: config.yml, metrics.csv, checkpoints/, eval.json, PNGs.",
		Flags: []cli.Flag{
			seedFlag,
			&cli.IntFlag{Name: "epochs", Usage: "passes over the training data (sets epochs)"},
			&cli.StringFlag{Name: "out", Value: "runs", Usage: "parent directory of the run directory"},
			&cli.StringSliceFlag{Name: "set", Usage: "override one config key: --set learning_rate=0.001 (repeatable)"},
			&cli.StringFlag{Name: "data", Usage: "directory of the data set's files (sets data; cifar10 needs it)"},
			&cli.StringFlag{Name: "model", Usage: "cnn: seed or strong; charrnn: lstm, gru or rnn (sets model or cell)"},
			&cli.StringFlag{Name: "resume", Usage: "continue the run in `RUN_DIR` from its latest checkpoint"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar (it is also off when stdout is not a terminal)"},
		},
		Action: fit,
	}
}

func fit(c *cli.Context) error {
	out := c.App.Writer
	var r *supervised.Run
	if dir := c.String("resume"); dir != "" {
		for _, f := range []string{"seed", "epochs", "set", "data", "model", "out"} {
			if c.IsSet(f) {
				return fmt.Errorf("--resume continues a run with the config in its config.yml; --%s cannot change it (start a new run instead)", f)
			}
		}
		if c.NArg() > 0 {
			return fmt.Errorf("--resume takes no TASK arguments (they are in %s)", filepath.Join(dir, supervised.ConfigFile))
		}
		var err error
		if r, err = supervised.Resume(dir, out); err != nil {
			return err
		}
		if r.Finished() {
			r.Close()
			return fmt.Errorf("the run in %s finished at step %d (see its %s); start a new run to train more", dir, r.Steps(), supervised.EvalFile)
		}
	} else {
		cfg, err := fitConfig(c)
		if err != nil {
			return err
		}
		if r, err = supervised.Create(cfg, c.String("out"), out); err != nil {
			return err
		}
	}
	defer r.Close()
	fmt.Fprintf(out, "run directory: %s\n", r.Dir)
	if !c.Bool("quiet") && isTerminal(out) {
		r.Progress = supervised.NewProgressBar(out, r.TotalSteps())
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r.Train(ctx); err != nil {
		return err
	}
	res, err := r.Finish()
	if err != nil {
		return fmt.Errorf("final evaluation: %w", err)
	}
	fmt.Fprintln(out, res.Summary)
	fmt.Fprintf(out, "trained %d steps in %.1f s; results in %s (eval.json, metrics.csv, checkpoints/, *.png)\n", r.Steps(), r.TrainSeconds(), r.Dir)
	return nil
}

// fitConfig builds a new run's config from the arguments and flags: defaults, the positional
// data set or corpus, --data, --model, --set, then --seed and --epochs.
func fitConfig(c *cli.Context) (supervised.Config, error) {
	if c.NArg() == 0 || c.NArg() > 2 {
		return nil, fmt.Errorf("fit wants TASK [DATASET|CORPUS], such as `rlrun fit cnn mnist` (tasks: cnn, charrnn, gan, autoencoder)")
	}
	cfg, err := supervised.NewConfig(c.Args().Get(0))
	if err != nil {
		return nil, err
	}
	var sets []string
	if c.NArg() == 2 {
		key := "dataset"
		if _, ok := cfg.(*supervised.CharRNNConfig); ok {
			key = "corpus"
		}
		sets = append(sets, key+"="+yamlString(c.Args().Get(1)))
	} else if _, ok := cfg.(*supervised.CharRNNConfig); !ok {
		return nil, fmt.Errorf("fit %s wants a data set, such as `rlrun fit %s mnist`", c.Args().Get(0), c.Args().Get(0))
	}
	if c.IsSet("data") {
		sets = append(sets, "data="+yamlString(c.String("data")))
	}
	if c.IsSet("model") {
		key := "model"
		if _, ok := cfg.(*supervised.CharRNNConfig); ok {
			key = "cell"
		}
		sets = append(sets, key+"="+yamlString(c.String("model")))
	}
	sets = append(sets, c.StringSlice("set")...)
	if c.IsSet("seed") {
		sets = append(sets, fmt.Sprintf("seed=%d", c.Uint64("seed")))
	}
	if c.IsSet("epochs") {
		sets = append(sets, fmt.Sprintf("epochs=%d", c.Int("epochs")))
	}
	if err := supervised.Set(cfg, sets); err != nil {
		return nil, err
	}
	return cfg, nil
}

// yamlString quotes s as a YAML string, so that a path like "on" or "1e3" stays a string.
func yamlString(s string) string { return fmt.Sprintf("%q", s) }
