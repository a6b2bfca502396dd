package grid

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
)

// WaterWorld actions: thrust in one of four directions.
const (
	WaterLeft = iota
	WaterRight
	WaterUp
	WaterDown
)

// WaterWorld's constants, REINFORCEjs's values (waterworld.js, a 700×500 canvas).
const (
	waterW        = 700.0
	waterH        = 500.0
	waterMaxItems = 50
	waterItemRad  = 10.0
	waterAgentRad = 10.0
	waterEyes     = 30
	waterEyeRange = 120.0
	waterEyeStep  = 0.21 // radians between eyes
	waterThrust   = 1.0
	waterDamping  = 0.95
	waterStartX   = 300.0
	waterStartY   = 300.0
	waterObsDim   = waterEyes*5 + 2
)

// Sensed types of an eye, REINFORCEjs's sensed_type.
const (
	waterSeesNothing = -1
	waterSeesWall    = 0
	waterSeesApple   = 1
	waterSeesPoison  = 2
)

// waterItem is an apple or a poison disc drifting in the water.
type waterItem struct {
	x, y, vx, vy float64
	kind         int // waterSeesApple or waterSeesPoison
	age          int
	eaten        bool
}

// waterEye is one of the agent's range sensors and what it saw at the last observation.
type waterEye struct {
	sin, cos  float64 // direction: REINFORCEjs's (sin, cos) of the eye's angle
	proximity float64 // distance to what it sees, waterEyeRange when nothing
	kind      int
	vx, vy    float64 // velocity of the item seen
}

// waterWall is one side of the box around the water.
type waterWall struct{ x1, y1, x2, y2 float64 }

var waterWalls = [4]waterWall{
	{0, 0, waterW, 0}, {waterW, 0, waterW, waterH}, {waterW, waterH, 0, waterH}, {0, waterH, 0, 0},
}

// WaterWorld is the WaterWorld of Karpathy's REINFORCEjs DQN demo (waterworld.html): steer a
// disc through water to eat apples and avoid poison, seeing the world only through 30 range
// sensors.
//
// # Description
//
// A 700×500 box holds the agent (radius 10, starting at (300, 300) at rest) and up to 50
// items of radius 10, apples and poison with equal chance, that drift at constant velocity and
// bounce off the walls. The agent thrusts left, right, up or down (velocity ±1, then damped by
// 0.95 each step) and stops dead when it hits a wall. An item the agent touches is eaten and
// removed; items older than 5000 steps are replaced now and then, and while fewer than 50
// remain a new one appears with probability 0.25 every 10 steps.
//
// # Action Space
//
// Discrete(4): 0 left, 1 right, 2 up, 3 down (y grows downwards, as on the canvas).
//
// # Observation Space
//
// Box(152) of float32. For each eye i of 30, pointing at angle 0.21·i with a range of 120,
// five values at 5i..5i+4:
//
//	| offset | observation                                             | min  | max |
//	|--------|---------------------------------------------------------|------|-----|
//	| 0      | distance to a wall seen / 120, else 1                   | 0    | 1   |
//	| 1      | distance to an apple seen / 120, else 1                 | 0    | 1   |
//	| 2      | distance to a poison seen / 120, else 1                 | 0    | 1   |
//	| 3      | x velocity of the item seen, else 0                     | -2.5 | 2.5 |
//	| 4      | y velocity of the item seen, else 0                     | -2.5 | 2.5 |
//
// then the agent's own velocity x and y at 150 and 151, in [-20, 20] (it approaches 19 under
// constant thrust). An eye sees the nearest wall or item its ray crosses; an item counts as
// crossed when its centre lies within its radius of the ray, at the foot of the perpendicular.
//
// # Rewards
//
// +1 for each apple eaten and -1 for each poison in the step (REINFORCEjs's digestion signal).
//
// # Starting State
//
// The agent at (300, 300) at rest; 50 items placed uniformly in [20, 680] × [20, 480] with
// velocities uniform in [-2.5, 2.5) on each axis.
//
// # Episode End
//
//   - Termination: none, the task is continuing.
//   - Truncation: 1000 steps for WaterWorld-v0 (the TimeLimit that Make adds; REINFORCEjs runs
//     forever). A random policy eats a few items in 1000 steps, a good one dozens.
//
// # Version History
//
//   - v0: the REINFORCEjs world, with one correction: REINFORCEjs places the point where an
//     eye sees an item at the item's centre moved by its distance to the ray along a normal of
//     arbitrary sign, which can land on the far side of the item and beyond the eye's range;
//     gorl uses the foot of the perpendicular, so proximities stay within [0, 1].
type WaterWorld struct {
	rng              *rand.Rand
	ax, ay, avx, avy float64
	items            []waterItem
	eyes             [waterEyes]waterEye
	clock            int
	ready            bool
	lastReward       float64
	apples, poison   int
	obs              [waterObsDim]float32
	obsSpace         *env.Box
	render           waterRender
}

var _ env.Env = (*WaterWorld)(nil)

// NewWaterWorld returns a WaterWorld; Reset fills the water.
func NewWaterWorld() *WaterWorld {
	w := &WaterWorld{
		items: make([]waterItem, 0, waterMaxItems+1),
	}
	for k := range w.eyes {
		w.eyes[k].sin, w.eyes[k].cos = math.Sincos(float64(k) * waterEyeStep)
	}
	low := make([]float32, waterObsDim)
	high := make([]float32, waterObsDim)
	for i := 0; i < waterEyes; i++ {
		copy(low[5*i:], []float32{0, 0, 0, -2.5, -2.5})
		copy(high[5*i:], []float32{1, 1, 1, 2.5, 2.5})
	}
	low[waterObsDim-2], low[waterObsDim-1] = -20, -20
	high[waterObsDim-2], high[waterObsDim-1] = 20, 20
	w.obsSpace = env.NewBox(low, high)
	return w
}

func newWaterWorldFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts); err != nil {
		return nil, fmt.Errorf("grid: WaterWorld: %w", err)
	}
	return NewWaterWorld(), nil
}

// newItem places a new item as REINFORCEjs does: position, type, then velocity.
func (w *WaterWorld) newItem() waterItem {
	r := w.rng
	it := waterItem{
		x: 20 + r.Float64()*(waterW-40),
		y: 20 + r.Float64()*(waterH-40),
	}
	it.kind = 1 + int(r.Float64()*2)
	it.vx = r.Float64()*5 - 2.5
	it.vy = r.Float64()*5 - 2.5
	return it
}

func (w *WaterWorld) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&w.rng, seed)
	w.ax, w.ay, w.avx, w.avy = waterStartX, waterStartY, 0, 0
	w.items = w.items[:0]
	for k := 0; k < waterMaxItems; k++ {
		w.items = append(w.items, w.newItem())
	}
	w.clock = 0
	w.lastReward = 0
	w.apples, w.poison = 0, 0
	w.ready = true
	w.sense()
	return w.observe(), nil
}

func (w *WaterWorld) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	a := discreteAction("WaterWorld", action, 4)
	if !w.ready {
		panic("grid: WaterWorld.Step called before Reset")
	}
	w.clock++
	switch a {
	case WaterLeft:
		w.avx -= waterThrust
	case WaterRight:
		w.avx += waterThrust
	case WaterUp:
		w.avy -= waterThrust
	case WaterDown:
		w.avy += waterThrust
	}
	w.avx *= waterDamping
	w.avy *= waterDamping
	w.ax += w.avx
	w.ay += w.avy
	// Hitting a wall stops the agent dead.
	if w.ax < 1 {
		w.ax, w.avx, w.avy = 1, 0, 0
	}
	if w.ax > waterW-1 {
		w.ax, w.avx, w.avy = waterW-1, 0, 0
	}
	if w.ay < 1 {
		w.ay, w.avx, w.avy = 1, 0, 0
	}
	if w.ay > waterH-1 {
		w.ay, w.avx, w.avy = waterH-1, 0, 0
	}

	reward := 0.0
	removed := false
	for i := range w.items {
		it := &w.items[i]
		it.age++
		dx, dy := w.ax-it.x, w.ay-it.y
		if math.Sqrt(dx*dx+dy*dy) < waterItemRad+waterAgentRad {
			if it.kind == waterSeesApple {
				reward++
				w.apples++
			} else {
				reward--
				w.poison++
			}
			it.eaten = true
			removed = true
		}
		it.x += it.vx
		it.y += it.vy
		if it.x < 1 {
			it.x, it.vx = 1, -it.vx
		}
		if it.x > waterW-1 {
			it.x, it.vx = waterW-1, -it.vx
		}
		if it.y < 1 {
			it.y, it.vy = 1, -it.vy
		}
		if it.y > waterH-1 {
			it.y, it.vy = waterH-1, -it.vy
		}
		// Old items are replaced now and then (the draw happens only on those steps, as the
		// short-circuit && of REINFORCEjs).
		if it.age > 5000 && w.clock%100 == 0 && w.rng.Float64() < 0.1 {
			it.eaten = true
			removed = true
		}
	}
	if removed {
		kept := w.items[:0]
		for _, it := range w.items {
			if !it.eaten {
				kept = append(kept, it)
			}
		}
		w.items = kept
	}
	if len(w.items) < waterMaxItems && w.clock%10 == 0 && w.rng.Float64() < 0.25 {
		w.items = append(w.items, w.newItem())
	}
	w.lastReward = reward
	w.sense()
	return w.observe(), reward, false, false, nil
}

// sense fills every eye with the nearest wall or item its ray crosses.
//
// Testing every ray against every item would cost 30 tests per item; instead each item is
// tested only against the eyes whose direction is within asin(radius/distance) of the item's
// direction, the only rays that can pass within its radius (padded, so that rounding cannot
// drop one: the result is the same as testing them all, which the tests check). Items are
// visited in order and a hit replaces an earlier one only when strictly nearer, as
// REINFORCEjs's loop does.
func (w *WaterWorld) sense() {
	var best [waterEyes]float64 // fraction of each ray to its nearest hit
	for k := range w.eyes {
		e := &w.eyes[k]
		ex, ey := w.ax+waterEyeRange*e.sin, w.ay+waterEyeRange*e.cos
		best[k] = math.Inf(1)
		e.kind, e.vx, e.vy = waterSeesNothing, 0, 0
		for _, wl := range waterWalls {
			if ua, ok := segmentIntersect(w.ax, w.ay, ex, ey, wl.x1, wl.y1, wl.x2, wl.y2); ok && ua < best[k] {
				best[k], e.kind = ua, waterSeesWall
			}
		}
	}
	// Only items whose centre is within range plus radius of the agent can be crossed by a ray.
	const reach = (waterEyeRange + waterItemRad) * (waterEyeRange + waterItemRad)
	try := func(k int, it *waterItem) {
		e := &w.eyes[k]
		ex, ey := w.ax+waterEyeRange*e.sin, w.ay+waterEyeRange*e.cos
		if ua, ok := rayTouches(w.ax, w.ay, ex, ey, it.x, it.y, waterItemRad); ok && ua < best[k] {
			best[k], e.kind, e.vx, e.vy = ua, it.kind, it.vx, it.vy
		}
	}
	for i := range w.items {
		it := &w.items[i]
		dx, dy := it.x-w.ax, it.y-w.ay
		d2 := dx*dx + dy*dy
		if d2 > reach {
			continue
		}
		d := math.Sqrt(d2)
		if d <= waterItemRad*1.001 {
			for k := range w.eyes {
				try(k, it)
			}
			continue
		}
		// The eyes point at angles 0.21·k, k < 30, in the (sin, cos) convention of the
		// rays: an item at angle θ = atan2(dx, dy) is within reach of the eyes within
		// asin(radius/d) of θ, taken modulo 2π.
		theta := math.Atan2(dx, dy)
		half := math.Asin(waterItemRad/d) + 1e-9
		for _, shift := range [3]float64{0, 2 * math.Pi, -2 * math.Pi} {
			lo := max(0, int(math.Ceil((theta+shift-half)/waterEyeStep)))
			hi := min(waterEyes-1, int(math.Floor((theta+shift+half)/waterEyeStep)))
			for k := lo; k <= hi; k++ {
				try(k, it)
			}
		}
	}
	for k := range w.eyes {
		e := &w.eyes[k]
		e.proximity = waterEyeRange
		if e.kind != waterSeesNothing {
			e.proximity = best[k] * waterEyeRange
		}
	}
}

// segmentIntersect is REINFORCEjs's line_intersect: where segment (x1,y1)-(x2,y2) crosses
// segment (x3,y3)-(x4,y4), as the fraction ua of the first, strictly inside both.
func segmentIntersect(x1, y1, x2, y2, x3, y3, x4, y4 float64) (float64, bool) {
	denom := (y4-y3)*(x2-x1) - (x4-x3)*(y2-y1)
	if denom == 0 {
		return 0, false
	}
	ua := ((x4-x3)*(y1-y3) - (y4-y3)*(x1-x3)) / denom
	ub := ((x2-x1)*(y1-y3) - (y2-y1)*(x1-x3)) / denom
	if ua > 0 && ua < 1 && ub > 0 && ub < 1 {
		return ua, true
	}
	return 0, false
}

// rayTouches reports whether a disc of radius rad at (cx, cy) lies within rad of segment
// (x1,y1)-(x2,y2) with the foot of the perpendicular strictly inside it, and returns the foot
// as a fraction of the segment.
func rayTouches(x1, y1, x2, y2, cx, cy, rad float64) (float64, bool) {
	dx, dy := x2-x1, y2-y1
	ua := ((cx-x1)*dx + (cy-y1)*dy) / (dx*dx + dy*dy)
	if !(ua > 0 && ua < 1) {
		return 0, false
	}
	px, py := x1+ua*dx-cx, y1+ua*dy-cy
	if px*px+py*py > rad*rad {
		return 0, false
	}
	return ua, true
}

func (w *WaterWorld) observe() []float32 {
	for k := range w.eyes {
		e := &w.eyes[k]
		o := w.obs[5*k : 5*k+5]
		o[0], o[1], o[2] = 1, 1, 1
		o[3], o[4] = float32(e.vx), float32(e.vy)
		if e.kind != waterSeesNothing {
			o[e.kind] = float32(e.proximity / waterEyeRange)
		}
	}
	w.obs[waterObsDim-2] = float32(w.avx)
	w.obs[waterObsDim-1] = float32(w.avy)
	return w.obs[:]
}

// Eaten returns how many apples and poisons the agent has eaten since Reset.
func (w *WaterWorld) Eaten() (apples, poison int) { return w.apples, w.poison }

func (w *WaterWorld) ObservationSpace() env.Space { return w.obsSpace }
func (w *WaterWorld) ActionSpace() env.Space      { return env.NewDiscrete(4) }
func (w *WaterWorld) Close() error                { return nil }

// Render draws the water, the items (apples red, poison green, as REINFORCEjs), the agent and
// its eyes' rays coloured by what they see.
func (w *WaterWorld) Render() *image.RGBA { return w.render.draw(w) }
