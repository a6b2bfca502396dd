package driving

import (
	"testing"

	"github.com/gorl/gorl/env"
)

func TestCheckHighway(t *testing.T) {
	for _, opts := range []env.Options{
		nil,
		{"observation": "occupancy_grid"},
		{"observation": "time_to_collision"},
		{"action": "continuous", "lanes_count": 3, "vehicles_count": 20},
	} {
		e, err := env.Make("Highway-v0", opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Check(e); err != nil {
			t.Errorf("%v: %v", opts, err)
		}
	}
}

func TestCheckRacetrack(t *testing.T) {
	for _, opts := range []env.Options{
		nil,
		{"continuous": false},
		{"observation": "rgb"},
		{"observation": "grayscale", "continuous": false},
	} {
		e, err := env.Make("Racetrack-v0", opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Check(e); err != nil {
			t.Errorf("%v: %v", opts, err)
		}
	}
}

// The copies of a parallel vector env step exactly as those of a sequential one: the envs share
// no state (run under -race).
func TestVectorParallel(t *testing.T) {
	for _, id := range []string{"Highway-v0", "Racetrack-v0"} {
		const n = 4
		seq, err := env.MakeVector(id, n, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		par, err := env.MakeVector(id, n, nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		space := seq.SingleActionSpace()
		d := space.Dim()
		acts := make([]float32, n*d)
		rng := env.NewRand(3)
		o1, o2 := seq.Reset(env.Seed(10)), par.Reset(env.Seed(10))
		for step := range 60 {
			for i := range o1 {
				if o1[i] != o2[i] {
					t.Fatalf("%s step %d: observations differ", id, step)
				}
			}
			for i := range n {
				space.Sample(rng, acts[i*d:(i+1)*d])
			}
			var r1, r2 []float64
			o1, r1, _, _ = seq.Step(acts)
			o2, r2, _, _ = par.Step(acts)
			for i := range r1 {
				if r1[i] != r2[i] {
					t.Fatalf("%s step %d: rewards differ", id, step)
				}
			}
		}
		seq.Close()
		par.Close()
	}
}
