// Package cliargs holds what rlrun and viewer share in reading a command line.
package cliargs

import (
	"strings"

	"github.com/urfave/cli/v2"
)

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
