package env_test

import (
	"errors"
	"fmt"
	"image"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// Corridor is the tiny env of these examples: the agent stands in a corridor of Length cells,
// starts in a random inner cell, and steps left (action 0) or right (action 1). Reaching the
// right end terminates the episode with reward +1, the left end with reward −1; every other
// step costs 0.1. The observation is the cell, a Discrete(Length).
type Corridor struct {
	length, pos int
	rng         *rand.Rand
	obs         [1]float32 // returned by Reset and Step: no allocation per step
}

// NewCorridor is the spec's New: it reads the options, rejecting unknown ones.
func NewCorridor(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "length"); err != nil {
		return nil, err
	}
	n, err := env.IntOption(opts, "length", 5)
	if err != nil {
		return nil, err
	}
	if n < 3 {
		return nil, fmt.Errorf("option length=%d: want at least 3", n)
	}
	return &Corridor{length: n}, nil
}

func (c *Corridor) ObservationSpace() env.Space { return env.NewDiscrete(c.length) }
func (c *Corridor) ActionSpace() env.Space      { return env.NewDiscrete(2) }

func (c *Corridor) Reset(seed *uint64) ([]float32, env.Info) {
	switch {
	case seed != nil:
		c.rng = env.NewRand(*seed)
	case c.rng == nil:
		c.rng = env.NewRand(rand.Uint64()) // never seeded: seed from a random source
	}
	c.pos = 1 + c.rng.IntN(c.length-2)
	c.obs[0] = float32(c.pos)
	return c.obs[:], nil
}

func (c *Corridor) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	if len(action) != 1 || (action[0] != 0 && action[0] != 1) {
		panic(fmt.Sprintf("corridor: action %v is not in Discrete(2)", action))
	}
	c.pos = min(max(c.pos+2*int(action[0])-1, 0), c.length-1)
	c.obs[0] = float32(c.pos)
	switch c.pos {
	case c.length - 1:
		return c.obs[:], 1, true, false, nil
	case 0:
		return c.obs[:], -1, true, false, nil
	}
	return c.obs[:], -0.1, false, false, nil
}

func (c *Corridor) Render() *image.RGBA { return nil } // this env cannot draw
func (c *Corridor) Close() error        { return nil }

var _ env.Env = (*Corridor)(nil)

// A package registers its envs in an init function; importing the package makes them
// available to Make, MakeVector and the CLI.
func init() {
	env.Register(env.Spec{
		ID:              "Corridor-v0",
		Aliases:         []string{"corridor"},
		New:             NewCorridor,
		MaxEpisodeSteps: 20,
		RewardThreshold: 0.5,
		Description:     "walk right to the end of a corridor",
	})
}

// Make an env by ID or alias, seed it at Reset and play an episode.
func Example() {
	e, err := env.Make("corridor", env.Options{"length": 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	obs, _ := e.Reset(env.Seed(42))
	fmt.Println("start", obs)
	ret := 0.0
	for {
		obs, r, terminated, truncated, _ := env.StepDiscrete(e, 1)
		ret += r
		fmt.Println("obs", obs, "reward", r, "terminated", terminated, "truncated", truncated)
		if terminated || truncated {
			break
		}
	}
	fmt.Printf("return %.1f\n", ret)
	// Output:
	// start [1]
	// obs [2] reward -0.1 terminated false truncated false
	// obs [3] reward -0.1 terminated false truncated false
	// obs [4] reward -0.1 terminated false truncated false
	// obs [5] reward 1 terminated true truncated false
	// return 0.7
}

// An unknown ID is an error that names the closest registered IDs.
func ExampleMake_unknownID() {
	_, err := env.Make("Coridor-v0", nil)
	fmt.Println(errors.Is(err, env.ErrUnknownEnv))
	fmt.Println(err)
	// Output:
	// true
	// env: unknown environment "Coridor-v0"; did you mean "Corridor-v0"? (`rlrun list` shows them all)
}

// The max_episode_steps option overrides the spec's time limit, which truncates the episode.
func ExampleMake_maxEpisodeSteps() {
	e, _ := env.Make("Corridor-v0", env.Options{"length": 50, "max_episode_steps": 2})
	e.Reset(env.Seed(1))
	for range 2 {
		_, _, terminated, truncated, _ := env.StepDiscrete(e, 0)
		fmt.Println("terminated", terminated, "truncated", truncated)
	}
	// Output:
	// terminated false truncated false
	// terminated false truncated true
}

// A misspelt option fails with a suggestion.
func ExampleCheckOptions() {
	_, err := env.Make("corridor", env.Options{"lenght": 8})
	fmt.Println(err)
	// Output:
	// env: Make("Corridor-v0"): unknown option "lenght" (did you mean "length"?); known options: length
}

// Check validates an env as Gymnasium's env checker does; every env's tests call it.
func ExampleCheck() {
	e, _ := NewCorridor(nil)
	fmt.Println(env.Check(e))
	// An env that ignores its seed fails, with the reason.
	fmt.Println(env.Check(&unseeded{Corridor{length: 5}}))
	// Output:
	// <nil>
	// env: Check(*env_test.unseeded, observations Discrete(5), actions Discrete(2)): 1 check failed:
	//   - seed sensitivity: seeds 0, 1 and 2 gave identical trajectories over 300 steps: the env ignores its seed (set CheckConfig.NoRandomness if it draws no random numbers)
}

// unseeded always starts from seed 7, whatever the caller asks for.
type unseeded struct{ Corridor }

func (u *unseeded) Reset(*uint64) ([]float32, env.Info) { return u.Corridor.Reset(env.Seed(7)) }

// A vector env steps N copies as one batch. The step after an episode ends resets that copy
// (NEXT_STEP autoreset): its action is ignored, its reward is 0 and neither flag is set.
func ExampleMakeVector() {
	v, err := env.MakeVector("corridor", 2, env.Options{"length": 4}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()
	fmt.Println("reset", v.Reset(env.Seed(0))) // copy 0 seeded with 0, copy 1 with 1
	for range 3 {
		obs, rewards, terminated, _ := v.Step([]float32{1, 1})
		fmt.Println("obs", obs, "rewards", rewards, "terminated", terminated, "returns", v.EpisodeReturns())
	}
	// Output:
	// reset [1 2]
	// obs [2 3] rewards [-0.1 1] terminated [false true] returns [0 1]
	// obs [3 1] rewards [1 0] terminated [true false] returns [0.9 0]
	// obs [2 2] rewards [0 -0.1] terminated [false false] returns [0 0]
}

// RunningMeanStd normalizes a batch with statistics an agent can save, load and freeze.
func ExampleRunningMeanStd() {
	rms := env.NewRunningMeanStd(2)
	batch := []float32{1, 10, 3, 10, 5, 10} // three samples of two elements
	rms.Update(batch)
	fmt.Printf("mean %.3f var %.3f count %.4f\n", rms.Mean, rms.Var, rms.Count)
	out := make([]float32, len(batch))
	rms.Normalize(out, batch, 1e-8)
	fmt.Printf("%.3f\n", out)
	// The variance of the constant element is not 0 but 0.003: Gymnasium's prior of mean 0 and
	// variance 1, weighing 1e-4 samples, is still in the statistics.
	rms.Frozen = true // evaluation: normalize without learning
	rms.Update([]float32{100, 100})
	fmt.Printf("count %.4f\n", rms.Count)
	// Output:
	// mean [3.000 10.000] var [2.667 0.003] count 3.0001
	// [-1.225 0.006 0.000 0.006 1.225 0.006]
	// count 3.0001
}

// Wrappers stack like Gymnasium's; Unwrapped reaches the env below them.
func ExampleNewFrameStack() {
	base, _ := NewCorridor(env.Options{"length": 6})
	e := env.NewFrameStack(env.NewRecordEpisodeStatistics(base, 100), 3, env.PadReset())
	fmt.Println(e.ObservationSpace())
	obs, _ := e.Reset(env.Seed(42))
	fmt.Println(obs)
	for {
		obs, _, terminated, _, info := env.StepDiscrete(e, 1)
		fmt.Println(obs)
		if ep, ok := env.EpisodeInfo(info); ok {
			fmt.Printf("episode return %.1f length %d\n", ep.Return, ep.Length)
		}
		if terminated {
			break
		}
	}
	fmt.Println(env.Unwrapped(e) == base)
	// Output:
	// MultiDiscrete([6 6 6])
	// [1 1 1]
	// [1 1 2]
	// [1 2 3]
	// [2 3 4]
	// [3 4 5]
	// episode return 0.7 length 4
	// true
}
