// Package cliargs holds what rlrun and viewer share in reading a command line.
package cliargs

import (
	"fmt"
	"strings"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run"
	"github.com/urfave/cli/v2"
)

// ResolveRun builds the config of a new run from a command's ALGO ENV arguments and its flags,
// as `rlrun train` and `viewer train` read them: the shipped defaults for the pair, then the
// --config file, then the --set pairs, then --seed, --steps and --eval-episodes when given (a
// command without one of these flags simply never sets it).
func ResolveRun(c *cli.Context) (*run.Config, error) {
	if c.NArg() != 2 {
		return nil, fmt.Errorf("%s wants ALGO ENV, such as `%s %s dqn cartpole` (got %d arguments; algorithms: %s)",
			c.Command.Name, c.App.Name, c.Command.Name, c.NArg(), strings.Join(run.AlgorithmNames(), ", "))
	}
	algo, id := c.Args().Get(0), c.Args().Get(1)
	if _, err := run.LookupAlgorithm(algo); err != nil {
		return nil, err
	}
	spec, err := env.Lookup(id)
	if err != nil {
		return nil, err
	}
	var layers []run.Layer
	if f := c.String("config"); f != "" {
		l, err := run.ReadConfigFile(f, algo, spec.ID)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	if sets := c.StringSlice("set"); len(sets) > 0 {
		l, err := run.ParseSet(sets)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	flags := run.Layer{Source: "flags", Values: map[string]any{}}
	if c.IsSet("seed") {
		flags.Values["seed"] = c.Uint64("seed")
	}
	if c.IsSet("steps") {
		flags.Values["n_timesteps"] = c.Int64("steps")
	}
	if c.IsSet("eval-episodes") {
		flags.Values["eval_episodes"] = c.Int("eval-episodes")
	}
	layers = append(layers, flags)
	return run.Resolve(algo, spec.ID, layers...)
}

// Reorder moves the flags of a command that follow its arguments in front of them, so that
// `rlrun train dqn cartpole --steps 1000` and `viewer play cartpole --seed 3` work: urfave/cli
// parses with the flag package, which stops at the first argument. A flag that is not a bool
// takes the next word as its value unless written --name=value; everything after "--" is left
// alone.
func Reorder(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *cli.Command
	for _, c := range app.Commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	boolFlag := map[string]bool{"help": true, "h": true}
	for _, f := range cmd.Flags {
		if _, ok := f.(*cli.BoolFlag); ok {
			for _, n := range f.Names() {
				boolFlag[n] = true
			}
		}
	}
	var flags, pos []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlag[name] && i+1 < len(rest) {
				flags = append(flags, rest[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	out := append([]string{args[0], args[1]}, flags...)
	return append(out, pos...)
}
