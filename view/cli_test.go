package view

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/cliargs"
)

// joystick is an env with a two-dimensional Box action the viewer has no keys for.
type joystick struct{ obs [1]float32 }

func (j *joystick) Reset(*uint64) ([]float32, env.Info) { return j.obs[:], nil }
func (j *joystick) Step([]float32) ([]float32, float64, bool, bool, env.Info) {
	return j.obs[:], 0, false, false, nil
}
func (j *joystick) ObservationSpace() env.Space { return env.NewUniformBox(0, 1, 1) }
func (j *joystick) ActionSpace() env.Space      { return env.NewUniformBox(-1, 1, 2) }
func (j *joystick) Render() *image.RGBA         { return image.NewRGBA(image.Rect(0, 0, 8, 8)) }
func (j *joystick) Close() error                { return nil }

func init() {
	env.Register(env.Spec{ID: "Joystick-v0", New: func(env.Options) (env.Env, error) { return &joystick{}, nil }})
}

func viewer(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"viewer"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// The command line's errors come before any window opens, and say what to do.
func TestCommandLineErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-run")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"watch"}, "watch wants one RUN_DIR"},
		{[]string{"watch", missing}, "neither a run directory nor a checkpoint directory"},
		{[]string{"watch", t.TempDir()}, "neither a run directory nor a checkpoint directory"},
		{[]string{"play"}, "play wants one ENV"},
		{[]string{"play", "cartpol"}, `unknown environment "cartpol"; did you mean "CartPole-v1"`},
		{[]string{"play", "Joystick-v0"}, "Joystick-v0 cannot be played with the keyboard: the viewer has keyboard controls for"},
		{[]string{"play", "frozenlake", "--set", "is_slipery=false"}, "is_slipery"},
		{[]string{"play", "cartpole", "--speed", "fast"}, `--speed "fast"`},
		{[]string{"watch", missing, "--epsilon", "2"}, "--epsilon 2"},
		{[]string{"train", "dqn"}, "train wants ALGO ENV"},
		{[]string{"train", "dqm", "cartpole"}, `unknown algorithm "dqm"; did you mean "dqn"?`},
		{[]string{"train", "dqn", "Joystick-v0"}, "DQN needs a Discrete action space"},
		{[]string{"train", "dqn", "cartpole", "--set", "learning_rat=1"}, "learning_rat"},
		{[]string{"train", "--resume", missing, "dqn", "cartpole"}, "--resume takes no ALGO ENV"},
		{[]string{"train", "--resume", missing, "--seed", "2"}, "--seed cannot change it"},
		{[]string{"fly"}, `unknown command "fly"`},
	} {
		code, _, stderr := viewer(tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("viewer %v: exit %d, %q; want an error with %q", tc.args, code, stderr, tc.want)
		}
	}
}

// Without a display the viewer says so, and viewer train makes no run directory.
func TestCommandLineNoDisplay(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
	default:
		t.Skip("windows need no DISPLAY here")
	}
	t.Setenv("DISPLAY", "")
	out := t.TempDir()
	for _, args := range [][]string{
		{"play", "cartpole"},
		{"train", "dqn", "cartpole", "--out", out},
	} {
		code, _, stderr := viewer(args...)
		if code == 0 || !strings.Contains(stderr, "DISPLAY is not set") {
			t.Errorf("viewer %v without a display: exit %d, %q", args, code, stderr)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("viewer train without a display made %v", ents)
	}
}

func TestReorder(t *testing.T) {
	app := NewApp(nil, nil)
	got := cliargs.Reorder(app, []string{"viewer", "play", "cartpole", "--seed", "3", "--speed=2"})
	want := []string{"viewer", "play", "--seed", "3", "--speed=2", "cartpole"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("reorder = %v, want %v", got, want)
	}
}
