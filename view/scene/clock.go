package scene

import (
	"fmt"
	"math"
)

// Speeds are the playback speeds the viewer steps through with + and -, as multiples of the
// env's real-time rate; the last, +Inf, runs as many steps as fit in each frame.
var Speeds = []float64{0.25, 0.5, 1, 2, 4, 8, 16, 64, math.Inf(1)}

// Unlimited is what Clock.Tick returns at the fastest speed: step until the frame's time
// budget is spent.
const Unlimited = -1

// Clock turns the window's ticks into env steps at a chosen speed: at 1× an env with rate 50
// steps 50 times a second, whatever the window's frame rate. It also holds the pause and the
// single steps taken while paused. Its time is the ticks' (1/60 s each, as ebiten calls
// Update at a fixed rate and catches up after a slow frame), so a run of N ticks takes the
// same steps on any machine.
type Clock struct {
	// Rate is the env's steps per second at 1× (StepRate).
	Rate   float64
	speed  int // index in Speeds
	paused bool
	acc    float64 // fractional steps carried to the next tick
	single int     // single steps requested while paused
}

// NewClock returns a running clock at 1×.
func NewClock(rate float64) *Clock {
	c := &Clock{Rate: rate}
	c.SetSpeed(1)
	return c
}

// Tick advances the clock by dt seconds and returns the steps due: Unlimited at the fastest
// speed, the single steps requested while paused, else rate×speed×dt plus what earlier ticks
// left over. The carry is kept below one step, so a slow frame does not pile up a backlog.
func (c *Clock) Tick(dt float64) int {
	if c.paused {
		n := c.single
		c.single = 0
		return n
	}
	s := Speeds[c.speed]
	if math.IsInf(s, 1) {
		return Unlimited
	}
	c.acc += c.Rate * s * dt
	n := math.Floor(c.acc + 1e-9) // 50/60 added 60 times is 49.999...: one step, not none
	n = math.Max(n, 0)
	c.acc -= n
	return int(n)
}

// Speed returns the speed (a multiple of the real-time rate; +Inf for as fast as it goes).
func (c *Clock) Speed() float64 { return Speeds[c.speed] }

// SetSpeed selects the speed in Speeds closest to s.
func (c *Clock) SetSpeed(s float64) {
	best := 0
	for i, v := range Speeds {
		if math.Abs(math.Log(v/s)) < math.Abs(math.Log(Speeds[best]/s)) || v == s {
			best = i
		}
	}
	c.speed = best
}

// Faster and Slower move to the next speed up or down (they stop at the ends).
func (c *Clock) Faster() { c.speed = min(c.speed+1, len(Speeds)-1) }
func (c *Clock) Slower() { c.speed = max(c.speed-1, 0) }

// Paused reports whether the clock is paused.
func (c *Clock) Paused() bool { return c.paused }

// TogglePause pauses or resumes.
func (c *Clock) TogglePause() {
	c.paused = !c.paused
	c.single, c.acc = 0, 0
}

// StepOnce asks for one step: it pauses a running clock (the first N freezes the picture)
// and otherwise adds a step to the next Tick.
func (c *Clock) StepOnce() {
	if !c.paused {
		c.paused, c.acc = true, 0
		return
	}
	c.single++
}

// String is the speed as the HUD prints it: "1x", "0.25x", "max", with " paused" when paused.
func (c *Clock) String() string {
	s := FormatSpeed(Speeds[c.speed])
	if c.paused {
		s += " (paused)"
	}
	return s
}

// FormatSpeed prints a speed: "1x", "0.25x", "max".
func FormatSpeed(s float64) string {
	if math.IsInf(s, 1) {
		return "max"
	}
	return fmt.Sprintf("%gx", s)
}
