package driving

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// Racetrack-v0's discrete actions (CarRacing's).
const (
	RaceNothing = 0
	RaceRight   = 1
	RaceLeft    = 2
	RaceGas     = 3
	RaceBrake   = 4
)

// RacetrackConfig holds Racetrack-v0's options (option keys in parentheses).
type RacetrackConfig struct {
	// Continuous selects the Box action (steer, gas, brake); false selects Discrete(5)
	// (continuous, true).
	Continuous bool
	// Observation is "vector" (default), "rgb" (96×96×3 pixels) or "grayscale" (84×84 pixels)
	// (observation).
	Observation string
	// LidarRays is the number of range-finder rays of the vector observation, spread evenly
	// from 90° right to 90° left of the heading (lidar_rays, 11).
	LidarRays int
	// LidarRange is the longest distance a ray measures [m] (lidar_range, 50).
	LidarRange float64
	// LapCompletePercent is the fraction of tiles to visit before reaching the start tile
	// completes the lap (lap_complete_percent, 0.95).
	LapCompletePercent float64
	// OffTrackDistance is how far beyond the road's edge the car may go before the episode ends
	// with -100 [m] (off_track_distance, 10).
	OffTrackDistance float64
	// SimulationFrequency and PolicyFrequency are the integration and decision rates in Hz
	// (simulation_frequency 50, policy_frequency 10); the policy's must divide the other.
	SimulationFrequency, PolicyFrequency int
	// RenderWidth and RenderHeight are Render's frame size (render_width 600, render_height 400).
	RenderWidth, RenderHeight int
}

var racetrackOptions = []string{
	"continuous", "observation", "lidar_rays", "lidar_range", "lap_complete_percent",
	"off_track_distance", "simulation_frequency", "policy_frequency", "render_width", "render_height",
}

func parseRacetrackConfig(opts env.Options) (RacetrackConfig, error) {
	if err := env.CheckOptions(opts, racetrackOptions...); err != nil {
		return RacetrackConfig{}, err
	}
	o := optionReader{opts: opts}
	c := RacetrackConfig{
		Continuous:          o.bool("continuous", true),
		Observation:         o.string("observation", "vector"),
		LidarRays:           o.int("lidar_rays", 11),
		LidarRange:          o.float("lidar_range", 50),
		LapCompletePercent:  o.float("lap_complete_percent", 0.95),
		OffTrackDistance:    o.float("off_track_distance", 10),
		SimulationFrequency: o.int("simulation_frequency", 50),
		PolicyFrequency:     o.int("policy_frequency", 10),
		RenderWidth:         o.int("render_width", 600),
		RenderHeight:        o.int("render_height", 400),
	}
	if o.err != nil {
		return c, o.err
	}
	o.check(c.Observation == "vector" || c.Observation == "rgb" || c.Observation == "grayscale",
		"option observation=%q: want vector, rgb or grayscale", c.Observation)
	o.check(c.LidarRays >= 1 && c.LidarRays <= 360, "option lidar_rays=%d: want 1 to 360", c.LidarRays)
	o.check(c.LidarRange > 0, "option lidar_range=%v: want a positive distance", c.LidarRange)
	o.check(c.LapCompletePercent > 0 && c.LapCompletePercent <= 1, "option lap_complete_percent=%v: want a fraction in (0, 1]", c.LapCompletePercent)
	o.check(c.OffTrackDistance > 0, "option off_track_distance=%v: want a positive distance", c.OffTrackDistance)
	o.check(c.SimulationFrequency >= 1, "option simulation_frequency=%d: want at least 1 Hz", c.SimulationFrequency)
	o.check(c.PolicyFrequency >= 1 && c.SimulationFrequency%max(c.PolicyFrequency, 1) == 0,
		"option policy_frequency=%d: want a divisor of simulation_frequency=%d", c.PolicyFrequency, c.SimulationFrequency)
	o.check(c.RenderWidth >= 16 && c.RenderHeight >= 16 && c.RenderWidth <= 8192 && c.RenderHeight <= 8192,
		"options render_width=%d, render_height=%d: want 16 to 8192 pixels", c.RenderWidth, c.RenderHeight)
	return c, o.err
}

// Racetrack observation layout (vector): LidarRays ranges, then these.
const (
	raceObsSpeed = iota
	raceObsOffset
	raceObsHeading
	raceObsSteer
	raceObsCurv0    // raceCurvPoints values
	raceObsProgress = raceObsCurv0 + raceCurvPoints
	raceObsExtra    = raceObsProgress + 1

	raceCurvPoints   = 5
	raceCurvSpacing  = 10.0 // metres between the curvature look-ahead points, the first at 5 m
	raceCurvScale    = 10.0 // curvature [rad/m] times this, clipped to ±1
	raceSpeedScale   = 50.0 // speed [m/s] divided by this
	raceTileReward   = 1000.0
	raceStepReward   = -0.1
	raceOffTrackCost = -100.0
	raceRGBSize      = 96
	raceGraySize     = 84
	racePixPerMetre  = 96.0 / 62 // CarRacing's state view: about 62 m across 96 pixels
)

// Racetrack is Racetrack-v0: drive a lap of a random closed track, as Gymnasium's CarRacing-v3,
// with a kinematic car, vector observations by default and fast pixel observations as an
// option.
//
// # Description
//
// A track is generated from the seed with CarRacing's recipe (12 checkpoints at noisy angles
// and radii, joined by a path with a limited turn rate, 13.3 m wide, about 300 tiles of 3.5 m).
// The car is DefaultRaceCar: a kinematic bicycle with an engine, brakes, drag and a grip limit
// (it understeers when it enters a bend too fast), slower and looser on the grass. The car
// starts at rest on the first tile, facing along the track; the dynamics run at 50 Hz and the
// agent acts at 10 Hz.
//
// # Action Space
//
// Box([-1, 0, 0], [1, 1, 1]) (continuous, the default), CarRacing's controls: steering (-1
// full left, +1 full right), gas and brake. Values outside the box are clipped, as CarRacing's
// car clips them. With continuous=false, Discrete(5), CarRacing's discrete actions:
//
//   - 0: do nothing
//   - 1: steer right (0.6 of full lock)
//   - 2: steer left (0.6)
//   - 3: gas (full throttle: the engine here is weaker than CarRacing's, whose 0.2 is plenty)
//   - 4: brake (0.8)
//
// # Observation Space
//
// vector (default): Box of 21 values (with 11 rays), each scaled to [-1, 1] or [0, 1]:
//
//	| Index     | Observation                                           | Range   |
//	|-----------|-------------------------------------------------------|---------|
//	| 0-10      | distance to the road's edge along 11 rays from 90°    | [0, 1]  |
//	|           | right to 90° left of the heading, / 50 m (0 off road) |         |
//	| 11        | speed / 50 m/s                                        | [0, 1]  |
//	| 12        | lateral offset from the centre line (left positive)   | [-1, 1] |
//	|           | / (half width + off_track_distance)                   |         |
//	| 13        | heading error from the track's direction / π          | [-1, 1] |
//	| 14        | front wheel angle / 0.45 rad                          | [-1, 1] |
//	| 15-19     | curvature of the track 5, 15, 25, 35, 45 m ahead      | [-1, 1] |
//	|           | × 10 m (left bends positive)                          |         |
//	| 20        | fraction of the tiles visited                         | [0, 1]  |
//
// rgb: Box(0, 255, (96, 96, 3)), a top-down view that follows the car (heading up, about 62 m
// across), with CarRacing's colours and a bar of speed and steering indicators at the bottom.
// grayscale: Box(0, 255, (84, 84)), the same view in luma.
//
// # Rewards
//
// -0.1 every step and +1000/N for every tile visited for the first time (N tiles), as in
// CarRacing: a lap in T steps earns 1000 - 0.1·T. A step that ends the episode far off the
// track earns -100 instead.
//
// # Starting State
//
// At rest on the first tile, aligned with the track. The track itself is drawn from the seed.
//
// # Episode End
//
//  1. Termination: the lap is complete, when the car reaches the first tile having visited
//     lap_complete_percent of them, or has visited every tile (info["lap_finished"] = true).
//  2. Termination: the car is more than off_track_distance beyond the road's edge (reward -100,
//     info["lap_finished"] = false).
//  3. Truncation: 1000 steps (100 s; the TimeLimit that env.Make adds).
//
// # Arguments
//
//	env.Make("Racetrack-v0", env.Options{"continuous": false, "observation": "rgb"})
//
// See RacetrackConfig for every option and its default.
//
// # Version History
//
//   - v0: initial version.
//
// # State
//
// Racetrack implements env.StateAccessor with the car's state (x, y, heading, speed,
// wheel angle); the track and the visited tiles stay as they are.
type Racetrack struct {
	cfg      RacetrackConfig
	car      RaceCar
	rng      *rand.Rand
	track    *Track
	state    State
	ready    bool
	done     bool
	tile     int
	onRoad   bool
	offset   float64 // lateral offset from the centre line
	visited  []bool
	nVisited int
	nPaid    int // tiles already rewarded: the ones under the car at Reset are paid in the first step
	lap      bool
	frames   int
	dt       float64
	obsSpace *env.Box
	actSpace env.Space
	obs      []float32
	info     env.Info
	rays     []float64 // ray directions relative to the heading
	canvas   *render.Canvas
	obsView  *render.Canvas
	pts      []render.Point
}

var (
	_ env.Env           = (*Racetrack)(nil)
	_ env.StateAccessor = (*Racetrack)(nil)
)

// NewRacetrack returns an unwrapped Racetrack-v0 (env.Make adds the 1000-step TimeLimit).
func NewRacetrack(opts env.Options) (*Racetrack, error) {
	cfg, err := parseRacetrackConfig(opts)
	if err != nil {
		return nil, err
	}
	e := &Racetrack{
		cfg: cfg, car: DefaultRaceCar(), frames: cfg.SimulationFrequency / cfg.PolicyFrequency,
		dt:   1 / float64(cfg.SimulationFrequency),
		info: env.Info{"lap_finished": false},
	}
	switch cfg.Observation {
	case "vector":
		n := cfg.LidarRays + raceObsExtra
		lo, hi := make([]float32, n), make([]float32, n)
		for i := range lo {
			lo[i], hi[i] = -1, 1
		}
		for i := 0; i < cfg.LidarRays; i++ {
			lo[i] = 0
		}
		lo[cfg.LidarRays+raceObsSpeed] = 0
		lo[cfg.LidarRays+raceObsProgress] = 0
		e.obsSpace = env.NewBox(lo, hi)
		e.rays = make([]float64, cfg.LidarRays)
		for i := range e.rays {
			if cfg.LidarRays == 1 {
				break
			}
			e.rays[i] = -math.Pi/2 + math.Pi*float64(i)/float64(cfg.LidarRays-1)
		}
	case "rgb":
		e.obsSpace = env.NewUniformBox(0, 255, raceRGBSize, raceRGBSize, 3)
		e.obsView = render.New(raceRGBSize, raceRGBSize)
	case "grayscale":
		e.obsSpace = env.NewUniformBox(0, 255, raceGraySize, raceGraySize)
		e.obsView = render.New(raceGraySize, raceGraySize)
	}
	e.obs = make([]float32, e.obsSpace.Dim())
	if cfg.Continuous {
		e.actSpace = env.NewBox([]float32{-1, 0, 0}, []float32{1, 1, 1})
	} else {
		e.actSpace = env.NewDiscrete(5)
	}
	return e, nil
}

// Config returns the env's configuration.
func (e *Racetrack) Config() RacetrackConfig { return e.cfg }

// Track returns the current track (nil before the first Reset).
func (e *Racetrack) Track() *Track { return e.track }

// Reset generates a new track and puts the car at rest on its first tile.
func (e *Racetrack) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&e.rng, seed)
	e.track = GenerateTrack(e.rng)
	n := e.track.N()
	if cap(e.visited) < n {
		e.visited = make([]bool, n)
	}
	e.visited = e.visited[:n]
	clear(e.visited)
	e.nVisited, e.nPaid, e.lap, e.done = 0, 0, false, false
	g := &e.track.Lane.Segments[0]
	e.state = State{X: g.X, Y: g.Y, Heading: g.Heading}
	e.tile = 0
	e.locate(-1)
	e.ready = true
	e.observe()
	return e.obs, nil
}

// locate finds the car's tile (searching window tiles around the last one, or all when
// window < 0), its offset, whether it is on the road, and visits the tiles under it.
func (e *Racetrack) locate(window int) {
	t := e.track
	hint := e.tile
	if window < 0 {
		hint = -1
	}
	x, y := e.state.X, e.state.Y
	tile, off, _, _ := t.Locate(x, y, hint, window)
	e.tile, e.offset = tile, off
	e.onRoad = false
	n := t.N()
	for k := -1; k <= 1; k++ {
		i := (tile + k + n) % n
		if t.OnTile(i, x, y) {
			e.onRoad = true
			e.visit(i)
		}
	}
}

// visit marks tile i visited and checks for a completed lap.
func (e *Racetrack) visit(i int) {
	if !e.visited[i] {
		e.visited[i] = true
		e.nVisited++
	}
	n := len(e.visited)
	if e.nVisited == n || (i == 0 && float64(e.nVisited)/float64(n) > e.cfg.LapCompletePercent) {
		e.lap = true
	}
}

// Step applies the controls for one policy step.
func (e *Racetrack) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("Racetrack", e.ready)
	var steer, gas, brake float64
	if e.cfg.Continuous {
		boxAction("Racetrack", action, 3)
		steer = clamp(float64(action[0]), -1, 1)
		gas = clamp(float64(action[1]), 0, 1)
		brake = clamp(float64(action[2]), 0, 1)
	} else {
		switch discreteAction("Racetrack", action, 5) {
		case RaceRight:
			steer = 0.6
		case RaceLeft:
			steer = -0.6
		case RaceGas:
			gas = 1
		case RaceBrake:
			brake = 0.8
		}
	}
	wheel := -steer * e.car.MaxSteer // CarRacing's +1 steers right, a negative angle here
	far := false
	window := 3
	for range e.frames {
		e.car.StepControls(&e.state, wheel, gas, brake, e.onRoad, e.dt)
		if !e.onRoad {
			window = 12
		}
		e.locate(window)
		if math.Abs(e.offset) > e.track.HalfWidth+e.cfg.OffTrackDistance {
			far = true
			break
		}
		if e.lap {
			break
		}
	}
	reward := raceStepReward + raceTileReward*float64(e.nVisited-e.nPaid)/float64(e.track.N())
	e.nPaid = e.nVisited
	terminated := false
	var info env.Info
	switch {
	case far:
		reward, terminated = raceOffTrackCost, true
		e.info["lap_finished"] = false
		info = e.info
	case e.lap:
		terminated = true
		e.info["lap_finished"] = true
		info = e.info
	}
	e.done = terminated
	e.observe()
	return e.obs, reward, terminated, false, info
}

// observe writes the configured observation.
func (e *Racetrack) observe() {
	switch e.cfg.Observation {
	case "vector":
		e.vectorObs()
	case "rgb":
		drawRacetrack(e.obsView, e, true)
		rgbObservation(e.obs, e.obsView.Image())
	case "grayscale":
		drawRacetrack(e.obsView, e, true)
		grayObservation(e.obs, e.obsView.Image())
	}
}

// byteFloat maps a byte to its float32 value: a table lookup is cheaper than a conversion
// behind the bounds checks of a per-pixel loop, and the frame's conversion is a large part of
// a pixel observation's cost.
var byteFloat = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i)
	}
	return t
}()

// rgbObservation writes an opaque frame's red, green and blue values into dst in height ×
// width × 3 order, as render.RGBFloat32 with scale 1 does, four pixels at a time with the
// bounds checks hoisted out of the loop.
func rgbObservation(dst []float32, img *image.RGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		o := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
		row := img.Pix[o : o+4*w]
		out := dst[3*y*w : 3*y*w+3*w]
		for len(row) >= 16 && len(out) >= 12 {
			out[0], out[1], out[2] = byteFloat[row[0]], byteFloat[row[1]], byteFloat[row[2]]
			out[3], out[4], out[5] = byteFloat[row[4]], byteFloat[row[5]], byteFloat[row[6]]
			out[6], out[7], out[8] = byteFloat[row[8]], byteFloat[row[9]], byteFloat[row[10]]
			out[9], out[10], out[11] = byteFloat[row[12]], byteFloat[row[13]], byteFloat[row[14]]
			row, out = row[16:], out[12:]
		}
		for len(row) >= 4 && len(out) >= 3 {
			out[0], out[1], out[2] = byteFloat[row[0]], byteFloat[row[1]], byteFloat[row[2]]
			row, out = row[4:], out[3:]
		}
	}
}

// grayObservation writes an opaque frame's luma into dst, row by row, with the ITU-R BT.601
// weights in OpenCV's fixed point and rounding, as render.GrayFloat32 with scale 1 does.
func grayObservation(dst []float32, img *image.RGBA) {
	const r, g, b, shift = 4899, 9617, 1868, 14
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		o := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
		row := img.Pix[o : o+4*w]
		out := dst[y*w : y*w+w]
		for len(row) >= 4 && len(out) >= 1 {
			out[0] = float32((r*uint32(row[0]) + g*uint32(row[1]) + b*uint32(row[2]) + 1<<(shift-1)) >> shift)
			row, out = row[4:], out[1:]
		}
	}
}

func (e *Racetrack) vectorObs() {
	t := e.track
	s := &e.state
	nr := e.cfg.LidarRays
	if e.onRoad {
		window := int(e.cfg.LidarRange/trackDetailStep) + 3
		for i, a := range e.rays {
			sa, ca := math.Sincos(s.Heading + a)
			d := t.RayDistance(s.X, s.Y, ca, sa, e.tile, window, e.cfg.LidarRange)
			e.obs[i] = float32(d / e.cfg.LidarRange)
		}
	} else {
		clear(e.obs[:nr])
	}
	x := e.obs[nr:]
	x[raceObsSpeed] = float32(clamp(s.Speed/raceSpeedScale, 0, 1))
	x[raceObsOffset] = clip1(e.offset / (t.HalfWidth + e.cfg.OffTrackDistance))
	x[raceObsHeading] = clip1(wrapToPi(s.Heading-t.Lane.Segments[e.tile].Heading) / math.Pi)
	x[raceObsSteer] = clip1(s.Steer / e.car.MaxSteer)
	n := t.N()
	for k := range raceCurvPoints {
		ahead := 5 + raceCurvSpacing*float64(k)
		i := (e.tile + int(math.Round(ahead/trackDetailStep))) % n
		x[raceObsCurv0+k] = clip1(t.Curvature[i] * raceCurvScale)
	}
	x[raceObsProgress] = float32(e.nVisited) / float32(n)
}

func (e *Racetrack) ObservationSpace() env.Space { return e.obsSpace }
func (e *Racetrack) ActionSpace() env.Space      { return e.actSpace }
func (e *Racetrack) Close() error                { return nil }

// Render draws the top-down view around the car at RenderWidth×RenderHeight.
func (e *Racetrack) Render() *image.RGBA {
	if e.canvas == nil {
		e.canvas = render.New(e.cfg.RenderWidth, e.cfg.RenderHeight)
	}
	drawRacetrack(e.canvas, e, false)
	return e.canvas.Image()
}

// State returns the car's (x, y, heading, speed, wheel angle).
func (e *Racetrack) State() []float64 {
	s := e.state
	return []float64{s.X, s.Y, s.Heading, s.Speed, s.Steer}
}

// SetState places the car; the track and the visited tiles stay. It returns an error before the
// first Reset (there is no track yet) or for a state of the wrong length or with a
// non-finite value.
func (e *Racetrack) SetState(state []float64) error {
	if e.track == nil {
		return errNoTrack
	}
	if err := checkState("Racetrack", state, []string{"x", "y", "heading", "speed", "steer"}); err != nil {
		return err
	}
	e.state = State{X: state[0], Y: state[1], Heading: state[2], Speed: state[3], Steer: state[4]}
	e.lap = false
	e.locate(-1)
	e.lap = false
	return nil
}
