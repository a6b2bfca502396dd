package driving

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/render"
)

// Meta-actions of Highway-v0's discrete action space (highway-env's DiscreteMetaAction).
const (
	LaneLeft  = 0
	Idle      = 1
	LaneRight = 2
	Faster    = 3
	Slower    = 4
)

// Highway constants from highway-env.
const (
	laneWidth          = 4.0   // AbstractLane.DEFAULT_WIDTH [m]
	highwayLength      = 10000 // length of the straight road network's lanes [m]
	highwaySpeedLimit  = 30.0  // speed limit of every lane [m/s]
	vehicleLength      = 5.0
	vehicleWidth       = 2.0
	vehicleMaxSpeed    = 40.0                // Vehicle.MAX_SPEED: the normalisation scale of speeds
	perceptionDistance = 5 * vehicleMaxSpeed // AbstractEnv.PERCEPTION_DISTANCE [m]
	continuousAccel    = 5.0                 // ContinuousAction acceleration range ±5 m/s²
	continuousSteer    = math.Pi / 4         // ContinuousAction steering range ±π/4
	gridHalf, gridStep = 5.5 * 5, 5.0        // OccupancyGrid default: ±27.5 m in 5 m cells
	gridCells          = int(2 * gridHalf / gridStep)
	ttcHorizon         = 10.0 // TimeToCollision horizon [s]
	highwayMaxSteps    = 100000
)

// HighwayConfig holds Highway-v0's options; the names in parentheses are the option keys, which
// are highway-env's config keys where it has one.
type HighwayConfig struct {
	// Lanes is the number of lanes (lanes_count, 4).
	Lanes int
	// Vehicles is the number of traffic vehicles (vehicles_count, 50).
	Vehicles int
	// Density scales the traffic's density: the spacing between spawned vehicles is divided by
	// it (vehicles_density, 1).
	Density float64
	// Duration is the episode length in simulated seconds (duration, 40): the episode is
	// truncated once Duration·PolicyFrequency steps have been taken.
	Duration float64
	// SimulationFrequency is the rate at which the vehicles' dynamics are integrated in Hz
	// (simulation_frequency, 15).
	SimulationFrequency int
	// PolicyFrequency is the rate of the agent's decisions in Hz (policy_frequency, 1); it must
	// divide SimulationFrequency.
	PolicyFrequency int
	// InitialLane is the ego's starting lane, -1 for a random one (initial_lane_id, -1).
	InitialLane int
	// EgoSpacing scales the free space ahead of the ego at the start (ego_spacing, 2).
	EgoSpacing float64
	// CollisionReward, RightLaneReward, HighSpeedReward and LaneChangeReward weigh the reward
	// terms (collision_reward -1, right_lane_reward 0.1, high_speed_reward 0.4,
	// lane_change_reward 0).
	CollisionReward, RightLaneReward, HighSpeedReward, LaneChangeReward float64
	// RewardSpeedRange is the forward speed range mapped linearly to [0, 1] for the high-speed
	// term (reward_speed_range, [20, 30]).
	RewardSpeedRange [2]float64
	// NormalizeReward maps the reward from [CollisionReward, HighSpeedReward+RightLaneReward]
	// to [0, 1] (normalize_reward, true).
	NormalizeReward bool
	// OffroadTerminal ends the episode when the ego leaves the road (offroad_terminal, false);
	// only continuous control can leave it.
	OffroadTerminal bool
	// Observation is "kinematics" (default), "occupancy_grid" or "time_to_collision"
	// (observation).
	Observation string
	// ObservedVehicles is the number of rows of the Kinematics observation, the ego included
	// (observed_vehicles, 5).
	ObservedVehicles int
	// SeeBehind lets the Kinematics observation list vehicles more than 10 m behind the ego
	// (see_behind, false).
	SeeBehind bool
	// Action is "discrete" (the five meta-actions, default) or "continuous" (acceleration and
	// steering) (action).
	Action string
	// TargetSpeeds are the speeds FASTER and SLOWER step through (target_speeds, [20, 25, 30]).
	TargetSpeeds []float64
	// RenderWidth and RenderHeight are Render's frame size in pixels (render_width 600,
	// render_height 150).
	RenderWidth, RenderHeight int
}

// highwayOptions are the option keys NewHighway accepts.
var highwayOptions = []string{
	"lanes_count", "vehicles_count", "vehicles_density", "duration", "simulation_frequency",
	"policy_frequency", "initial_lane_id", "ego_spacing", "collision_reward", "right_lane_reward",
	"high_speed_reward", "lane_change_reward", "reward_speed_range", "normalize_reward",
	"offroad_terminal", "observation", "observed_vehicles", "see_behind", "action",
	"target_speeds", "render_width", "render_height",
}

// parseHighwayConfig reads and validates the options.
func parseHighwayConfig(opts env.Options) (HighwayConfig, error) {
	if err := env.CheckOptions(opts, highwayOptions...); err != nil {
		return HighwayConfig{}, err
	}
	o := optionReader{opts: opts}
	c := HighwayConfig{
		Lanes:               o.int("lanes_count", 4),
		Vehicles:            o.int("vehicles_count", 50),
		Density:             o.float("vehicles_density", 1),
		Duration:            o.float("duration", 40),
		SimulationFrequency: o.int("simulation_frequency", 15),
		PolicyFrequency:     o.int("policy_frequency", 1),
		InitialLane:         o.int("initial_lane_id", -1),
		EgoSpacing:          o.float("ego_spacing", 2),
		CollisionReward:     o.float("collision_reward", -1),
		RightLaneReward:     o.float("right_lane_reward", 0.1),
		HighSpeedReward:     o.float("high_speed_reward", 0.4),
		LaneChangeReward:    o.float("lane_change_reward", 0),
		NormalizeReward:     o.bool("normalize_reward", true),
		OffroadTerminal:     o.bool("offroad_terminal", false),
		Observation:         o.string("observation", "kinematics"),
		ObservedVehicles:    o.int("observed_vehicles", 5),
		SeeBehind:           o.bool("see_behind", false),
		Action:              o.string("action", "discrete"),
		TargetSpeeds:        o.floats("target_speeds", []float64{20, 25, 30}),
		RenderWidth:         o.int("render_width", 600),
		RenderHeight:        o.int("render_height", 150),
	}
	rsr := o.floats("reward_speed_range", []float64{20, 30})
	if o.err != nil {
		return c, o.err
	}
	o.check(c.Lanes >= 1 && c.Lanes <= 100, "option lanes_count=%d: want 1 to 100", c.Lanes)
	o.check(c.Vehicles >= 0 && c.Vehicles <= 100000, "option vehicles_count=%d: want 0 to 100000", c.Vehicles)
	o.check(c.Density > 0, "option vehicles_density=%v: want a positive number", c.Density)
	o.check(c.Duration > 0, "option duration=%v: want a positive number of seconds", c.Duration)
	o.check(c.SimulationFrequency >= 1, "option simulation_frequency=%d: want at least 1 Hz", c.SimulationFrequency)
	o.check(c.PolicyFrequency >= 1 && c.SimulationFrequency%max(c.PolicyFrequency, 1) == 0,
		"option policy_frequency=%d: want a divisor of simulation_frequency=%d", c.PolicyFrequency, c.SimulationFrequency)
	o.check(c.Duration*float64(c.PolicyFrequency) <= highwayMaxSteps,
		"options duration=%v, policy_frequency=%d: an episode of more than %d steps", c.Duration, c.PolicyFrequency, highwayMaxSteps)
	o.check(c.InitialLane >= -1 && c.InitialLane < c.Lanes, "option initial_lane_id=%d: want -1 (random) or a lane in [0, %d)", c.InitialLane, c.Lanes)
	o.check(c.EgoSpacing > 0, "option ego_spacing=%v: want a positive number", c.EgoSpacing)
	o.check(len(rsr) == 2 && rsr[1] > rsr[0], "option reward_speed_range=%v: want [low, high] with low < high", rsr)
	o.check(c.HighSpeedReward+c.RightLaneReward > c.CollisionReward || !c.NormalizeReward,
		"options collision_reward=%v, high_speed_reward=%v, right_lane_reward=%v: normalize_reward needs high_speed_reward + right_lane_reward > collision_reward",
		c.CollisionReward, c.HighSpeedReward, c.RightLaneReward)
	o.check(slices.Contains([]string{"kinematics", "occupancy_grid", "time_to_collision"}, c.Observation),
		"option observation=%q: want kinematics, occupancy_grid or time_to_collision", c.Observation)
	o.check(c.ObservedVehicles >= 1 && c.ObservedVehicles <= 1000, "option observed_vehicles=%d: want 1 to 1000", c.ObservedVehicles)
	o.check(c.Action == "discrete" || c.Action == "continuous", "option action=%q: want discrete or continuous", c.Action)
	o.check(c.Observation != "time_to_collision" || c.Action == "discrete",
		"option observation=time_to_collision needs action=discrete: the grid is indexed by the target speeds of the meta-actions")
	o.check(len(c.TargetSpeeds) >= 1 && slices.IsSorted(c.TargetSpeeds) && c.TargetSpeeds[0] >= 0 && c.TargetSpeeds[len(c.TargetSpeeds)-1] <= vehicleMaxSpeed,
		"option target_speeds=%v: want increasing speeds within [0, %v] m/s", c.TargetSpeeds, vehicleMaxSpeed)
	o.check(c.RenderWidth >= 16 && c.RenderHeight >= 16 && c.RenderWidth <= 8192 && c.RenderHeight <= 8192,
		"options render_width=%d, render_height=%d: want 16 to 8192 pixels", c.RenderWidth, c.RenderHeight)
	if len(rsr) == 2 {
		c.RewardSpeedRange = [2]float64{rsr[0], rsr[1]}
	}
	return c, o.err
}

// Highway is Highway-v0: drive fast on a busy multi-lane highway without crashing, as
// highway-env's highway-v0.
//
// # Description
//
// The ego vehicle drives on a straight road of 4 lanes among 50 traffic vehicles. Traffic
// follows highway-env's IDMVehicle: the Intelligent Driver Model for speed (desired speeds of
// 21 to 24 m/s, exponent δ drawn from [3.5, 4.5]) and MOBIL for lane changes (selfish, 0.2 m/s²
// threshold, 2 m/s² safe braking, one decision a second). Every vehicle is a kinematic bicycle
// 5 m long and 2 m wide. The dynamics are integrated at 15 Hz and the agent decides at 1 Hz,
// highway-env's defaults; an episode lasts 40 s.
//
// Positions follow highway-env: x along the road, y across it growing from lane 0 (the
// leftmost) to the rightmost lane, headings from +x towards +y.
//
// # Action Space
//
// Discrete(5), highway-env's DiscreteMetaAction, applied by a lane and speed controller:
//
//   - 0: LANE_LEFT, target the lane to the left
//   - 1: IDLE, keep the targets
//   - 2: LANE_RIGHT, target the lane to the right
//   - 3: FASTER, target the next of the target speeds (20, 25, 30 m/s) above the present speed
//   - 4: SLOWER, target the next target speed below it
//
// With action=continuous, Box([-1, -1], [1, 1]): the acceleration (±5 m/s²) and the front
// wheel angle (±π/4 rad, positive towards +y), held for the policy step; values outside the
// box are clipped, as highway-env does.
//
// # Observation Space
//
// Kinematics (default): Box(-1, 1, (5, 5)), a row per vehicle, the ego first and then the 4
// vehicles nearest along the road within 200 m, nearest first (vehicles more than 10 m behind
// the ego are left out unless see_behind), zero rows when fewer are near:
//
//	| Column | Feature  | Normalisation (clipped to [-1, 1])               |
//	|--------|----------|--------------------------------------------------|
//	| 0      | presence | 1 for a vehicle, 0 for an empty row              |
//	| 1      | x        | / 200 m (ego: absolute; others: relative to ego) |
//	| 2      | y        | / (4 m × lanes)                                  |
//	| 3      | vx       | / 80 m/s                                         |
//	| 4      | vy       | / 80 m/s                                         |
//
// This is highway-env's KinematicObservation with its default features and ranges.
//
// occupancy_grid: Box(-1, 1, (3, 11, 11)), highway-env's OccupancyGridObservation: layers
// presence, vx and vy (relative to the ego, / 80 m/s) of the vehicles whose centres fall in
// 5 m cells of a ±27.5 m square around the ego, rows along y and columns along x.
//
// time_to_collision: Box(0, 1, (3, 3, 10·policy_frequency)), highway-env's
// TimeToCollisionObservation: for the ego's target speed and the speeds beside it (rows), its
// lane and the lanes beside it (columns; off-road lanes read 1), the predicted collisions with
// other vehicles at constant speeds over the next 10 s in bins of one policy step (1 for a
// collision centred on the bin, 0.5 for one at a vehicle length's margin).
//
// # Rewards
//
// highway-env's reward: collision_reward·crashed + right_lane_reward·lane/(lanes-1) +
// high_speed_reward·clip((v·cos ψ - 20)/(30 - 20), 0, 1) (+ lane_change_reward on lane-change
// actions), mapped from [collision_reward, high_speed_reward + right_lane_reward] to [0, 1]
// with normalize_reward, and multiplied by 1 on the road, 0 off it. The lane is the target
// lane under meta-actions. A step's reward is thus in [0, 1], with the defaults ≈0 on a crash,
// and an episode's return at most 40.
//
// # Starting State
//
// The ego starts at 25 m/s on a random lane behind all the traffic; traffic vehicles are placed
// one ahead of the other on random lanes at 21 to 24 m/s, spaced (12 + v)·exp(-lanes/8) m
// apart (times 0.9 to 1.1, divided by vehicles_density), as highway-env's create_random does.
//
// # Episode End
//
//  1. Termination: the ego collides with a vehicle (info["crashed"]).
//  2. Termination: the ego leaves the road, with offroad_terminal.
//  3. Truncation: duration seconds have passed (40 steps with the defaults). Highway-v0 ends
//     its own episodes because their length in steps depends on two options; the TimeLimit of
//     its spec, 100,000 steps, is only a backstop (duration × policy_frequency may not exceed
//     it).
//
// # Arguments
//
//	env.Make("Highway-v0", env.Options{"lanes_count": 3, "vehicles_count": 20, "duration": 30})
//
// See HighwayConfig for every option and its default. The Info of every step holds "crashed"
// and "is_success" (not crashed: at the end of an episode, whether it ended without a
// collision); the last step of an episode adds "speed", the ego's mean speed over the episode,
// and "traffic_speed", the mean over the episode of the other vehicles' mean speed (m/s), so
// that evaluations can count collisions and compare speeds. (Per-step speeds would allocate:
// a float64 in an Info is boxed.) The Info map belongs to the env and is overwritten by the
// next Step, like the observation.
//
// # Version History
//
//   - v0: initial version, after highway-env 1.x's highway-v0.
type Highway struct {
	cfg      HighwayConfig
	traffic  *Traffic
	rng      *rand.Rand
	ready    bool
	time     float64
	frames   int // simulation steps per policy step
	dt       float64
	speedIdx int // index of the ego's target speed (meta-actions)
	obsSpace *env.Box
	actSpace env.Space
	obs      []float32
	info     env.Info
	near     []nearVehicle // scratch for the Kinematics observation
	ttc      []float64     // scratch: speeds × lanes × horizon
	canvas   *render.Canvas
	// Sums over the episode's steps of the ego's speed and of the traffic's mean speed.
	speedSum, trafficSum float64
	steps                int
}

// nearVehicle is a vehicle seen by the ego at distance d along the road.
type nearVehicle struct {
	i int
	d float64
}

var _ env.Env = (*Highway)(nil)

// NewHighway returns an unwrapped Highway-v0 (env.Make("Highway-v0", opts) is the same env).
func NewHighway(opts env.Options) (*Highway, error) {
	cfg, err := parseHighwayConfig(opts)
	if err != nil {
		return nil, err
	}
	return newHighway(cfg)
}

func newHighway(cfg HighwayConfig) (*Highway, error) {
	lanes := make([]*Lane, cfg.Lanes)
	for i := range lanes {
		y := float64(i) * laneWidth
		l, err := NewLane([]Segment{NewLine(0, y, highwayLength, y)}, laneWidth, highwaySpeedLimit, false)
		if err != nil {
			return nil, err
		}
		lanes[i] = l
	}
	t, err := NewTraffic(lanes)
	if err != nil {
		return nil, err
	}
	h := &Highway{
		cfg: cfg, traffic: t, frames: cfg.SimulationFrequency / cfg.PolicyFrequency,
		dt:   1 / float64(cfg.SimulationFrequency),
		info: env.Info{"crashed": false, "is_success": true},
	}
	switch cfg.Observation {
	case "kinematics":
		h.obsSpace = env.NewUniformBox(-1, 1, cfg.ObservedVehicles, 5)
	case "occupancy_grid":
		h.obsSpace = env.NewUniformBox(-1, 1, 3, gridCells, gridCells)
	case "time_to_collision":
		h.obsSpace = env.NewUniformBox(0, 1, 3, 3, h.ttcBins())
		h.ttc = make([]float64, len(cfg.TargetSpeeds)*cfg.Lanes*h.ttcBins())
	}
	h.obs = make([]float32, h.obsSpace.Dim())
	if cfg.Action == "discrete" {
		h.actSpace = env.NewDiscrete(5)
	} else {
		h.actSpace = env.NewUniformBox(-1, 1, 2)
	}
	return h, nil
}

func (h *Highway) ttcBins() int { return int(ttcHorizon * float64(h.cfg.PolicyFrequency)) }

// Config returns the env's configuration.
func (h *Highway) Config() HighwayConfig { return h.cfg }

// Traffic returns the simulation, for inspection (tests, custom renderers). Vehicle 0 is the
// ego. Changing it changes the episode.
func (h *Highway) Traffic() *Traffic { return h.traffic }

// Reset places the ego and the traffic as highway-env's HighwayEnv._create_vehicles does.
func (h *Highway) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&h.rng, seed)
	t := h.traffic
	t.Reset()
	t.refresh(h.dt)
	h.time = 0
	h.speedSum, h.trafficSum, h.steps = 0, 0, 0
	c := &h.cfg
	lane := c.InitialLane
	if lane < 0 {
		lane = h.rng.IntN(c.Lanes)
	}
	maxX := math.Inf(-1)
	spread := math.Exp(-5.0 / 40 * float64(c.Lanes))
	place := func(lane int, speed, spacing float64) float64 {
		offset := spacing * (12 + speed) * spread
		x := 3 * offset
		if !math.IsInf(maxX, -1) {
			x = maxX
		}
		x += offset * uniform(h.rng, 0.9, 1.1)
		if x > maxX {
			maxX = x
		}
		return x
	}
	egoSpeed := 25.0
	x := place(lane, egoSpeed, c.EgoSpacing)
	ego := Vehicle{
		State:  State{X: x, Y: float64(lane) * laneWidth, Speed: egoSpeed},
		Length: vehicleLength, Width: vehicleWidth, Lane: lane, TargetLane: lane, Delta: 4,
	}
	if c.Action == "discrete" {
		ego.Driver = DriverMeta
		h.speedIdx = nearestIndex(c.TargetSpeeds, egoSpeed)
		ego.TargetSpeed = c.TargetSpeeds[h.speedIdx]
	} else {
		ego.Driver = DriverDirect
		ego.TargetSpeed = egoSpeed
	}
	t.add(ego)
	for range c.Vehicles {
		lane := h.rng.IntN(c.Lanes)
		speed := uniform(h.rng, 0.7*highwaySpeedLimit, 0.8*highwaySpeedLimit)
		x := place(lane, speed, 1/c.Density)
		y := float64(lane) * laneWidth
		t.add(Vehicle{
			State:  State{X: x, Y: y, Speed: speed},
			Length: vehicleLength, Width: vehicleWidth, Driver: DriverIDM,
			Lane: lane, TargetLane: lane, TargetSpeed: speed,
			Delta: uniform(h.rng, 3.5, 4.5),
			Timer: fmod((x+y)*math.Pi, t.MOBIL.Delay),
		})
	}
	t.relink()
	h.ready = true
	h.observe()
	return h.obs, nil
}

// fmod is math.Mod(x, y), which is exact, for x >= 0 and y = 1 (the highway's timers) the
// same as x - ⌊x⌋ (exact too), which costs a few instructions instead of a long division.
func fmod(x, y float64) float64 {
	if y == 1 && x >= 0 && x < 1<<52 {
		return x - math.Floor(x)
	}
	return math.Mod(x, y)
}

// nearestIndex returns the index of the value of vs nearest to v (the lower one on a tie).
func nearestIndex(vs []float64, v float64) int {
	best := 0
	for i := range vs {
		if math.Abs(vs[i]-v) < math.Abs(vs[best]-v) {
			best = i
		}
	}
	return best
}

// Step applies the action for one policy step (SimulationFrequency/PolicyFrequency simulation
// steps; the meta-action changes the targets once, at the first of them).
func (h *Highway) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	mustReset("Highway", h.ready)
	t := h.traffic
	ego := &t.Vehicles[0]
	laneChange := false
	if h.cfg.Action == "discrete" {
		a := discreteAction("Highway", action, 5)
		switch a {
		case LaneLeft, LaneRight:
			laneChange = true
			target := ego.TargetLane - 1
			if a == LaneRight {
				target = ego.TargetLane + 1
			}
			target = min(max(target, 0), h.cfg.Lanes-1)
			// highway-env's is_reachable_from: the lane centre within two lane widths.
			if math.Abs(ego.Y-float64(target)*laneWidth) <= 2*laneWidth {
				t.SetTargetLane(0, target)
			}
		case Faster, Slower:
			i := nearestIndex(h.cfg.TargetSpeeds, ego.Speed)
			if a == Faster {
				i++
			} else {
				i--
			}
			h.speedIdx = min(max(i, 0), len(h.cfg.TargetSpeeds)-1)
			t.SetTargetSpeed(0, h.cfg.TargetSpeeds[h.speedIdx])
		}
	} else {
		boxAction("Highway", action, 2)
		ego.AccelCmd = float64(clamp(float64(action[0]), -1, 1)) * continuousAccel
		ego.SteerCmd = float64(clamp(float64(action[1]), -1, 1)) * continuousSteer
	}
	t.refresh(h.dt)
	for range h.frames {
		t.step()
		if t.Vehicles[0].Crashed {
			break // the episode terminates: the remaining frames cannot change the outcome
		}
	}
	t.SyncWorld()
	h.time += 1 / float64(h.cfg.PolicyFrequency)
	ego = &t.Vehicles[0]
	onRoad := h.onRoad()
	reward := h.reward(laneChange, onRoad)
	terminated := ego.Crashed || (h.cfg.OffroadTerminal && !onRoad)
	truncated := h.time >= h.cfg.Duration-1e-9
	h.observe()
	h.speedSum += ego.Speed
	h.trafficSum += h.trafficSpeed()
	h.steps++
	h.info["crashed"] = ego.Crashed
	h.info["is_success"] = !ego.Crashed
	if terminated || truncated {
		// Boxing a float64 into Info allocates: the means are given once an episode.
		h.info["speed"] = h.speedSum / float64(h.steps)
		h.info["traffic_speed"] = h.trafficSum / float64(h.steps)
	} else {
		delete(h.info, "speed")
		delete(h.info, "traffic_speed")
	}
	return h.obs, reward, terminated, truncated, h.info
}

// onRoad is highway-env's vehicle.on_road: the ego lies within its nearest lane's width.
func (h *Highway) onRoad() bool {
	ego := &h.traffic.Vehicles[0]
	return math.Abs(ego.r) <= laneWidth/2 && ego.s >= -vehicleLength && ego.s < highwayLength+vehicleLength
}

// reward is highway-env's HighwayEnv._reward.
func (h *Highway) reward(laneChange, onRoad bool) float64 {
	c := &h.cfg
	ego := &h.traffic.Vehicles[0]
	lane := ego.Lane
	if ego.Driver == DriverMeta {
		lane = ego.TargetLane
	}
	forward := ego.Speed * math.Cos(ego.Heading)
	speedTerm := clamp(lmap(forward, c.RewardSpeedRange[0], c.RewardSpeedRange[1], 0, 1), 0, 1)
	r := c.RightLaneReward*float64(lane)/float64(max(c.Lanes-1, 1)) + c.HighSpeedReward*speedTerm
	if ego.Crashed {
		r += c.CollisionReward
	}
	if laneChange {
		r += c.LaneChangeReward
	}
	if c.NormalizeReward {
		r = lmap(r, c.CollisionReward, c.HighSpeedReward+c.RightLaneReward, 0, 1)
	}
	if !onRoad {
		r = 0
	}
	return r
}

// trafficSpeed is the mean speed of the vehicles other than the ego.
func (h *Highway) trafficSpeed() float64 {
	vs := h.traffic.Vehicles
	if len(vs) < 2 {
		return 0
	}
	sum := 0.0
	for i := 1; i < len(vs); i++ {
		sum += vs[i].Speed
	}
	return sum / float64(len(vs)-1)
}

// observe writes the observation of the configured kind into h.obs.
func (h *Highway) observe() {
	switch h.cfg.Observation {
	case "kinematics":
		h.kinematics()
	case "occupancy_grid":
		h.occupancyGrid()
	case "time_to_collision":
		h.timeToCollision()
	}
}

func clip1(v float64) float32 { return float32(clamp(v, -1, 1)) }

// kinematics is highway-env's KinematicObservation with its defaults.
func (h *Highway) kinematics() {
	vs := h.traffic.Vehicles
	ego := &vs[0]
	yScale := laneWidth * float64(h.cfg.Lanes)
	const xScale, vScale = perceptionDistance, 2 * vehicleMaxSpeed
	clear(h.obs)
	egoVX, egoVY := ego.Speed*math.Cos(ego.Heading), ego.Speed*math.Sin(ego.Heading)
	row := h.obs[:5]
	row[0], row[1], row[2], row[3], row[4] = 1, clip1(ego.X/xScale), clip1(ego.Y/yScale), clip1(egoVX/vScale), clip1(egoVY/vScale)

	// The nearest vehicles by distance along the road, kept sorted in h.near.
	want := h.cfg.ObservedVehicles - 1
	near := h.near[:0]
	for i := 1; i < len(vs); i++ {
		v := &vs[i]
		d := v.s - ego.s
		if !h.cfg.SeeBehind && d <= -2*ego.Length {
			continue
		}
		dx, dy := v.X-ego.X, v.Y-ego.Y
		if dx*dx+dy*dy >= perceptionDistance*perceptionDistance {
			continue
		}
		ad := math.Abs(d)
		if len(near) == want && ad >= near[len(near)-1].d {
			continue
		}
		if len(near) < want {
			near = append(near, nearVehicle{})
		}
		k := len(near) - 1
		for k > 0 && near[k-1].d > ad {
			near[k] = near[k-1]
			k--
		}
		near[k] = nearVehicle{i: i, d: ad}
	}
	h.near = near
	for k, n := range near {
		v := &vs[n.i]
		vx, vy := v.Speed*math.Cos(v.Heading), v.Speed*math.Sin(v.Heading)
		row := h.obs[5*(k+1) : 5*(k+2)]
		row[0] = 1
		row[1] = clip1((v.X - ego.X) / xScale)
		row[2] = clip1((v.Y - ego.Y) / yScale)
		row[3] = clip1((vx - egoVX) / vScale)
		row[4] = clip1((vy - egoVY) / vScale)
	}
}

// occupancyGrid is highway-env's OccupancyGridObservation with its defaults (presence, vx, vy;
// ±27.5 m; 5 m cells; relative to the ego; the ego itself in the centre cell).
func (h *Highway) occupancyGrid() {
	vs := h.traffic.Vehicles
	ego := &vs[0]
	clear(h.obs)
	const vScale = 2 * vehicleMaxSpeed
	egoVX, egoVY := ego.Speed*math.Cos(ego.Heading), ego.Speed*math.Sin(ego.Heading)
	n := gridCells
	for i := range vs {
		v := &vs[i]
		dx, dy := v.X-ego.X, v.Y-ego.Y
		if math.Abs(dx) >= gridHalf || math.Abs(dy) >= gridHalf {
			continue
		}
		cx, cy := int((dx+gridHalf)/gridStep), int((dy+gridHalf)/gridStep)
		if cx < 0 || cx >= n || cy < 0 || cy >= n {
			continue
		}
		vx, vy := v.Speed*math.Cos(v.Heading), v.Speed*math.Sin(v.Heading)
		k := cy*n + cx
		h.obs[k] = 1
		h.obs[n*n+k] = clip1((vx - egoVX) / vScale)
		h.obs[2*n*n+k] = clip1((vy - egoVY) / vScale)
	}
}

// timeToCollision is highway-env's compute_ttc_grid and TimeToCollisionObservation.
func (h *Highway) timeToCollision() {
	vs := h.traffic.Vehicles
	ego := &vs[0]
	speeds := h.cfg.TargetSpeeds
	nS, nL, nT := len(speeds), h.cfg.Lanes, h.ttcBins()
	grid := h.ttc
	clear(grid)
	q := 1 / float64(h.cfg.PolicyFrequency)
	egoCos, egoSin := math.Cos(ego.Heading), math.Sin(ego.Heading)
	for si, egoSpeed := range speeds {
		for j := 1; j < len(vs); j++ {
			o := &vs[j]
			if egoSpeed == o.Speed {
				continue
			}
			margin := (o.Length + ego.Length) / 2
			otherSpeed := o.Speed * (math.Cos(o.Heading)*egoCos + math.Sin(o.Heading)*egoSin)
			for _, p := range [3][2]float64{{0, 1}, {-margin, 0.5}, {margin, 0.5}} {
				ttc := (o.s - ego.s + p[0]) / notZero(egoSpeed-otherSpeed)
				if ttc < 0 {
					continue
				}
				for _, bin := range [2]int{int(ttc / q), int(math.Ceil(ttc / q))} {
					if bin >= 0 && bin < nT {
						k := (si*nL+o.Lane)*nT + bin
						grid[k] = math.Max(grid[k], p[1])
					}
				}
			}
		}
	}
	// Crop to the ego's speed and lane ± 1: lanes beyond the road read 1 (occupied), speeds
	// beyond the range repeat the extreme ones.
	for r := range 3 {
		si := min(max(h.speedIdx+r-1, 0), nS-1)
		for c := range 3 {
			lane := ego.Lane + c - 1
			out := h.obs[(r*3+c)*nT : (r*3+c+1)*nT]
			if lane < 0 || lane >= nL {
				for k := range out {
					out[k] = 1
				}
				continue
			}
			for k := range out {
				out[k] = float32(grid[(si*nL+lane)*nT+k])
			}
		}
	}
}

func (h *Highway) ObservationSpace() env.Space { return h.obsSpace }
func (h *Highway) ActionSpace() env.Space      { return h.actSpace }
func (h *Highway) Close() error                { return nil }

// Render draws the road around the ego (see drawHighway).
func (h *Highway) Render() *image.RGBA {
	if h.canvas == nil {
		h.canvas = render.New(h.cfg.RenderWidth, h.cfg.RenderHeight)
	}
	drawHighway(h.canvas, h.traffic, h.ready)
	return h.canvas.Image()
}

func (c HighwayConfig) String() string {
	return fmt.Sprintf("Highway(%d lanes, %d vehicles, %d/%d Hz)", c.Lanes, c.Vehicles, c.SimulationFrequency, c.PolicyFrequency)
}
