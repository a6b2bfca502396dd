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
