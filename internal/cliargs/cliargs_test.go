package cliargs

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestReorder(t *testing.T) {
	app := &cli.App{Commands: []*cli.Command{{
		Name:    "train",
		Aliases: []string{"t"},
		Flags:   []cli.Flag{&cli.IntFlag{Name: "seed"}, &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}}},
	}}}
	for _, c := range []struct{ in, want []string }{
		// a valued flag takes the next word with it; a bool flag does not
		{[]string{"x", "train", "dqn", "--seed", "3", "cartpole", "-q"}, []string{"x", "train", "--seed", "3", "-q", "dqn", "cartpole"}},
		// --name=value is one word; an alias finds its command
		{[]string{"x", "t", "dqn", "--seed=3", "cartpole"}, []string{"x", "t", "--seed=3", "dqn", "cartpole"}},
		// everything after -- stays where it is
		{[]string{"x", "train", "a", "--", "--seed", "b"}, []string{"x", "train", "a", "--", "--seed", "b"}},
		// an unknown command or too few words: unchanged
		{[]string{"x", "nope", "a", "--seed", "3"}, []string{"x", "nope", "a", "--seed", "3"}},
		{[]string{"x"}, []string{"x"}},
	} {
		if got := Reorder(app, c.in); !slices.Equal(got, c.want) {
			t.Errorf("Reorder(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
