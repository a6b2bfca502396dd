package main

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/urfave/cli/v2"

	"github.com/gorl/gorl/supervised"
)

// sampleCommand is `rlrun sample RUN_DIR`: text from a char-RNN trained by rlrun fit charrnn.
func sampleCommand() *cli.Command {
	return &cli.Command{
		Name:      "sample",
		Usage:     "generate text from a char-RNN run (rlrun fit charrnn)",
		ArgsUsage: "RUN_DIR|CHECKPOINT",
		Description: "Feeds --prime to the model, then draws --len characters one at a time from\n" +
			"softmax(logits / temperature): below 1 likelier and more repetitive, above 1 more varied.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "len", Value: 1000, Usage: "characters to generate"},
			&cli.Float64Flag{Name: "temperature", Value: 0.8, Usage: "sampling temperature (> 0)"},
			&cli.StringFlag{Name: "prime", Usage: "text to start from (default: a newline)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the sampling"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("sample wants one RUN_DIR (or checkpoint directory) of rlrun fit charrnn")
			}
			if c.Int("len") < 0 {
				return fmt.Errorf("--len %d: must be ≥ 0", c.Int("len"))
			}
			if t := c.Float64("temperature"); !(t > 0) {
				return fmt.Errorf("--temperature %g: must be positive", t)
			}
			m, err := supervised.LoadCharModel(c.Args().First())
			if err != nil {
				return err
			}
			s := &supervised.Sampler{Model: m}
			text := s.Sample(c.String("prime"), c.Int("len"), c.Float64("temperature"), rand.New(rand.NewPCG(c.Uint64("seed"), 0)))
			_, err = fmt.Fprintln(c.App.Writer, text)
			return err
		},
	}
}
