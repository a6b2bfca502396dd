package grid

import (
	"math"
	"testing"

	"github.com/gorl/gorl/env"
)

// senseAll is the plain sensing loop, every ray against every item: sense must agree with it.
func (w *WaterWorld) senseAll() [waterEyes]waterEye {
	var out [waterEyes]waterEye
	for k := range w.eyes {
		e := w.eyes[k]
		ex, ey := w.ax+waterEyeRange*e.sin, w.ay+waterEyeRange*e.cos
		best := math.Inf(1)
		e.kind, e.vx, e.vy = waterSeesNothing, 0, 0
		for _, wl := range waterWalls {
			if ua, ok := segmentIntersect(w.ax, w.ay, ex, ey, wl.x1, wl.y1, wl.x2, wl.y2); ok && ua < best {
				best, e.kind = ua, waterSeesWall
			}
		}
		for i := range w.items {
			it := &w.items[i]
			if ua, ok := rayTouches(w.ax, w.ay, ex, ey, it.x, it.y, waterItemRad); ok && ua < best {
				best, e.kind, e.vx, e.vy = ua, it.kind, it.vx, it.vy
			}
		}
		e.proximity = waterEyeRange
		if e.kind != waterSeesNothing {
			e.proximity = best * waterEyeRange
		}
		out[k] = e
	}
	return out
}

func TestWaterWorldSenseMatchesBruteForce(t *testing.T) {
	w := NewWaterWorld()
	w.Reset(env.Seed(4))
	r := env.NewRand(9)
	act := []float32{0}
	hits := 0
	for step := 0; step < 4000; step++ {
		act[0] = float32(r.IntN(4))
		w.Step(act)
		// Crowd the agent now and then: items right on it, at the edge of its reach, on
		// the ray directions.
		if step%50 == 0 && len(w.items) > 3 {
			w.items[0].x, w.items[0].y = w.ax+3, w.ay-2
			w.items[1].x, w.items[1].y = w.ax+130*math.Sin(0.42)-0.5, w.ay+130*math.Cos(0.42)
			w.items[2].x, w.items[2].y = w.ax+60*math.Sin(6.09)+10, w.ay+60*math.Cos(6.09)
			w.sense()
		}
		want := w.senseAll()
		for k := range want {
			if w.eyes[k] != want[k] {
				t.Fatalf("step %d eye %d: sense %+v; every ray against every item %+v", step, k, w.eyes[k], want[k])
			}
			if want[k].kind >= waterSeesApple {
				hits++
			}
		}
	}
	if hits < 1000 {
		t.Errorf("only %d item sightings in 4000 steps: the comparison saw too little", hits)
	}
}

// TestWaterWorldEye checks one sighting by hand: an apple 50 below the agent is seen by eye 0
// (which points down, +y) at 50/120, with its velocity.
func TestWaterWorldEye(t *testing.T) {
	w := NewWaterWorld()
	w.Reset(env.Seed(1))
	w.items = append(w.items[:0], waterItem{x: w.ax, y: w.ay + 50, vx: 1.5, vy: -2, kind: waterSeesApple})
	w.sense()
	obs := w.observe()
	if got := obs[0:5]; got[0] != 1 || math.Abs(float64(got[1])-50.0/120) > 1e-7 || got[2] != 1 || got[3] != 1.5 || got[4] != -2 {
		t.Errorf("eye 0 observes %v; want [1 0.4167 1 1.5 -2]", got)
	}
	// Eye 15 points up (angle 3.15): the top wall is 300 away, beyond its range of 120, so
	// it sees nothing: [1 1 1 0 0].
	if got := obs[75:80]; got[0] != 1 || got[1] != 1 || got[2] != 1 || got[3] != 0 || got[4] != 0 {
		t.Errorf("eye 15 observes %v; want nothing", got)
	}
	// Near the left wall, the eye pointing left (angle 4.62 ≈ 3π/2 for k = 22) sees it.
	w.ax, w.ay = 30, 250
	w.sense()
	e := w.eyes[22]
	if e.kind != waterSeesWall || math.Abs(e.proximity-30/math.Abs(math.Sin(22*waterEyeStep))) > 1e-9 {
		t.Errorf("eye 22 at x = 30: %+v; want the wall at %v", e, 30/math.Abs(math.Sin(22*waterEyeStep)))
	}
}
