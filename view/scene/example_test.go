package scene_test

import (
	"bytes"
	"fmt"

	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all"
	"github.com/gorl/gorl/view/scene"
)

// A Stage is the viewer without its window: here a person's key presses walk FrozenLake.
func ExampleStage() {
	p, err := scene.PlayEnv("frozenlake", env.Options{"is_slippery": false}, 1)
	if err != nil {
		panic(err)
	}
	st := scene.NewStage(p, "play")
	for _, k := range []scene.Key{scene.KeyRight, scene.KeyRight, scene.KeyDown} {
		st.Tick(scene.Input{Pressed: scene.Of(k), Held: scene.Of(k)}, 1.0/60, 0)
	}
	v := st.View()
	fmt.Println(v.Steps, "steps, last:", v.ActionLabel, "-", v.Status, "in state", p.Session.Obs()[0])
	// Output: 3 steps, last: down - running in state 6
}

// The keys of a scenario, as the viewer's legend lists them.
func ExampleControlsFor() {
	e, err := env.Make("highway", nil)
	if err != nil {
		panic(err)
	}
	c, err := scene.ControlsFor("highway", e.ActionSpace())
	if err != nil {
		panic(err)
	}
	for _, b := range c.Bindings {
		fmt.Printf("%-5s %s\n", b.Key, b.Label)
	}
	fmt.Println(scene.StepRate("highway", nil), "step a second")
	// Output:
	// Up    lane left
	// Down  lane right
	// Right faster
	// Left  slower
	// 1 step a second
}

// Recording needs no window: random actions in CartPole, as an animated GIF.
func ExampleRecord() {
	w, err := scene.RecordSource("cartpole", nil, 1)
	if err != nil {
		panic(err)
	}
	defer w.Close()
	g := scene.NewGIFWriter(w.Rate())
	st, err := scene.Record(w, scene.RecordOptions{MaxSteps: 5}, g.Add)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := g.Encode(&buf); err != nil {
		panic(err)
	}
	fmt.Printf("%d frames, %d/100 s each\n", st.Frames, g.Delay)
	// Output: 6 frames, 2/100 s each
}
