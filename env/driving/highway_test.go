package driving

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
)

// setScene replaces the highway's vehicles with the ego and the given traffic.
func setScene(h *Highway, ego Vehicle, traffic ...Vehicle) {
	t := h.traffic
	t.Reset()
	for _, v := range append([]Vehicle{ego}, traffic...) {
		v.Y = float64(v.Lane) * laneWidth
		v.TargetLane = v.Lane
		v.Length, v.Width = vehicleLength, vehicleWidth
		if v.TargetSpeed == 0 {
			v.TargetSpeed = v.Speed
		}
		t.add(v)
	}
	t.relink()
	h.observe()
}

func TestHighwayKinematics(t *testing.T) {
	h, err := NewHighway(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	ego := Vehicle{State: State{X: 100, Speed: 25}, Lane: 1, Driver: DriverMeta}
	setScene(h, ego,
		idmAt(1, 130, 20),   // 30 m ahead, same lane
		idmAt(2, 95, 22),    // 5 m behind, right lane: seen (within 10 m behind)
		idmAt(0, 80, 22),    // 20 m behind: not seen
		idmAt(3, 160, 24),   // 60 m ahead
		idmAt(0, 400, 24),   // 300 m ahead: beyond 200 m
		idmAt(2, 111, 23.5), // 11 m ahead
	)
	want := [][5]float32{
		{1, 100.0 / 200, 4.0 / 16, 25.0 / 80, 0},
		{1, -5.0 / 200, 4.0 / 16, -3.0 / 80, 0}, // 5 m behind, right lane
		{1, 11.0 / 200, 4.0 / 16, -1.5 / 80, 0}, // 11 m ahead, right lane
		{1, 30.0 / 200, 0, -5.0 / 80, 0},        // 30 m ahead, same lane
		{1, 60.0 / 200, 8.0 / 16, -1.0 / 80, 0}, // 60 m ahead, two lanes right
	}
	for r, row := range want {
		got := h.obs[5*r : 5*r+5]
		for k := range row {
			if math.Abs(float64(got[k]-row[k])) > 1e-6 {
				t.Fatalf("row %d = %v; want %v", r, got, row)
			}
		}
	}
	// With see_behind the vehicle 20 m behind enters, ahead of the one 30 m ahead.
	h2, _ := NewHighway(env.Options{"see_behind": true})
	h2.Reset(env.Seed(1))
	setScene(h2, ego, idmAt(1, 130, 20), idmAt(0, 80, 22))
	if got := h2.obs[5:15]; got[1] != -20.0/200 || got[6] != 30.0/200 {
		t.Errorf("see_behind rows %v; want the vehicle 20 m behind first", got)
	}
}

func TestHighwayReward(t *testing.T) {
	h, err := NewHighway(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	for _, c := range []struct {
		lane    int
		speed   float64
		crashed bool
	}{{0, 30, false}, {3, 25, false}, {2, 18, false}, {3, 30, true}} {
		setScene(h, Vehicle{State: State{X: 100, Speed: c.speed}, Lane: c.lane, Driver: DriverMeta, Crashed: c.crashed})
		raw := 0.1*float64(c.lane)/3 + 0.4*clamp((c.speed-20)/10, 0, 1)
		if c.crashed {
			raw -= 1
		}
		want := (raw + 1) / 1.5
		if got := h.reward(false, true); math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: reward %v; want %v", c, got, want)
		}
		if got := h.reward(false, false); got != 0 {
			t.Errorf("%+v: reward off the road %v; want 0", c, got)
		}
	}
}

// IDLE at 25 m/s behind a vehicle at 15 m/s crashes into it: terminated, with the crash in
// info; the reward of that step is the collision's.
func TestHighwayCrash(t *testing.T) {
	h, err := NewHighway(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	setScene(h, Vehicle{State: State{X: 100, Speed: 25}, Lane: 1, Driver: DriverMeta},
		Vehicle{State: State{X: 130, Speed: 10}, Lane: 1, Driver: DriverMeta, TargetSpeed: 10})
	var term bool
	var info env.Info
	var r float64
	for i := 0; i < 10 && !term; i++ {
		_, r, term, _, info = env.StepDiscrete(h, Idle)
	}
	if !term || info["crashed"] != true {
		t.Fatalf("no crash: terminated %v info %v", term, info)
	}
	if r > 0.4 {
		t.Errorf("reward %v on the crash; want the collision's (at most 0.33)", r)
	}
	if s, ok := info["speed"].(float64); !ok || s <= 10 || s > 25 {
		t.Errorf("info speed %v at the end of the episode; want the mean speed", info["speed"])
	}
	if s, ok := info["traffic_speed"].(float64); !ok || s <= 9 || s > 11 {
		t.Errorf("info traffic_speed %v; want about 10", info["traffic_speed"])
	}
}

// Episodes last duration × policy_frequency steps, and the meta-actions move the targets.
func TestHighwayEpisode(t *testing.T) {
	h, err := NewHighway(env.Options{"vehicles_count": 0, "duration": 12, "policy_frequency": 3, "simulation_frequency": 15})
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(2))
	ego := &h.traffic.Vehicles[0]
	lane := ego.Lane
	steps := 0
	for {
		a := Idle
		switch steps {
		case 0:
			a = Faster
		case 1:
			a = Faster
		case 6:
			if lane > 0 {
				a = LaneLeft
			} else {
				a = LaneRight
			}
		}
		_, _, term, trunc, info := env.StepDiscrete(h, a)
		steps++
		if term {
			t.Fatalf("terminated on an empty road at step %d: %v", steps, info)
		}
		if trunc {
			break
		}
	}
	if steps != 36 {
		t.Errorf("episode of %d steps; want 12 s × 3 Hz = 36", steps)
	}
	ego = &h.traffic.Vehicles[0]
	if math.Abs(ego.Speed-30) > 0.1 {
		t.Errorf("speed %v after FASTER twice; want 30", ego.Speed)
	}
	if ego.Lane == lane || math.Abs(ego.r) > 0.01 {
		t.Errorf("lane %d (offset %v) after a lane change from %d", ego.Lane, ego.r, lane)
	}
}

func TestHighwayOptions(t *testing.T) {
	for _, c := range []struct {
		opts env.Options
		want string
	}{
		{env.Options{"lane_count": 3}, "lanes_count"},
		{env.Options{"lanes_count": 0}, "lanes_count"},
		{env.Options{"policy_frequency": 4}, "divisor"},
		{env.Options{"observation": "pixels"}, "kinematics"},
		{env.Options{"observation": "time_to_collision", "action": "continuous"}, "discrete"},
		{env.Options{"reward_speed_range": "[30, 20]"}, "low < high"},
		{env.Options{"target_speeds": []any{30, 20}}, "increasing"},
	} {
		_, err := env.Make("highway", c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v; want one mentioning %q", c.opts, err, c.want)
		}
	}
	if _, err := env.Make("highway", env.Options{"lane_count": 3}); !errors.Is(err, env.ErrUnknownOption) {
		t.Errorf("a misspelt option: %v; want ErrUnknownOption", err)
	}
	h, err := env.Make("highway", env.Options{"reward_speed_range": []any{15.0, 25}, "target_speeds": "10, 20, 30, 40"})
	if err != nil {
		t.Fatal(err)
	}
	if c := env.Unwrapped(h).(*Highway).Config(); c.RewardSpeedRange != [2]float64{15, 25} || len(c.TargetSpeeds) != 4 {
		t.Errorf("parsed %v and %v", c.RewardSpeedRange, c.TargetSpeeds)
	}
}

func TestHighwayGridObservations(t *testing.T) {
	h, err := NewHighway(env.Options{"observation": "occupancy_grid"})
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	setScene(h, Vehicle{State: State{X: 100, Speed: 25}, Lane: 1, Driver: DriverMeta}, idmAt(2, 112, 20))
	n := gridCells
	at := func(layer, row, col int) float32 { return h.obs[layer*n*n+row*n+col] }
	// The ego in the centre cell; the other 12 m ahead (column 7) and 4 m right (row 6).
	if at(0, 5, 5) != 1 || at(0, 6, 7) != 1 || at(1, 6, 7) != -5.0/80 {
		t.Errorf("grid: centre %v, other %v, its vx %v", at(0, 5, 5), at(0, 6, 7), at(1, 6, 7))
	}
	sum := float32(0)
	for _, v := range h.obs[:n*n] {
		sum += v
	}
	if sum != 2 {
		t.Errorf("%v occupied cells; want 2", sum)
	}

	h, err = NewHighway(env.Options{"observation": "time_to_collision"})
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	// A vehicle 50 m ahead in the ego's lane at 20 m/s: at the ego's 25 m/s (middle row) the
	// collision comes in 50/5 = 10 s, beyond the 10-bin horizon; at 30 m/s in 5 s.
	setScene(h, Vehicle{State: State{X: 100, Speed: 25}, Lane: 0, Driver: DriverMeta}, idmAt(0, 150, 20))
	bins := h.ttcBins()
	cell := func(row, col, k int) float32 { return h.obs[(row*3+col)*bins+k] }
	if cell(2, 1, 5) != 1 || cell(1, 1, 9) != 0.5 || cell(0, 0, 0) != 1 {
		t.Errorf("ttc: faster row bin 5 %v, middle row bin 9 %v, off-road lane %v", cell(2, 1, 5), cell(1, 1, 9), cell(0, 0, 0))
	}
}

// The same seed and actions give the same episode, bit for bit, in both scenarios and every
// observation kind; another seed gives another.
func TestSameSeedSameEpisode(t *testing.T) {
	for _, c := range []struct {
		id   string
		opts env.Options
	}{
		{"Highway-v0", nil},
		{"Highway-v0", env.Options{"action": "continuous", "observation": "occupancy_grid"}},
		{"Racetrack-v0", nil},
		{"Racetrack-v0", env.Options{"continuous": false, "observation": "grayscale"}},
	} {
		run := func(seed uint64) (obs []float32, rewards []float64) {
			e, err := env.Make(c.id, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			rng := env.NewRand(99)
			act := make([]float32, e.ActionSpace().Dim())
			o, _ := e.Reset(env.Seed(seed))
			obs = append(obs, o...)
			for range 150 {
				e.ActionSpace().Sample(rng, act)
				o, r, term, trunc, _ := e.Step(act)
				obs = append(obs, o...)
				rewards = append(rewards, r)
				if term || trunc {
					o, _ = e.Reset(nil)
					obs = append(obs, o...)
				}
			}
			return obs, rewards
		}
		o1, r1 := run(5)
		o2, r2 := run(5)
		o3, _ := run(6)
		if len(o1) != len(o2) || len(r1) != len(r2) {
			t.Fatalf("%s %v: the same seed gave episodes of different lengths", c.id, c.opts)
		}
		for i := range o1 {
			if math.Float32bits(o1[i]) != math.Float32bits(o2[i]) {
				t.Fatalf("%s %v: observations differ at %d", c.id, c.opts, i)
			}
		}
		for i := range r1 {
			if math.Float64bits(r1[i]) != math.Float64bits(r2[i]) {
				t.Fatalf("%s %v: rewards differ at step %d", c.id, c.opts, i)
			}
		}
		same := len(o1) == len(o3)
		for i := 0; same && i < len(o1); i++ {
			same = o1[i] == o3[i]
		}
		if same {
			t.Errorf("%s %v: seeds 5 and 6 gave the same episode", c.id, c.opts)
		}
	}
}

// After every Step each vehicle's world pose is that of its road-frame state, including the
// vehicles that began a lane change in the step's last simulation step and those that
// crashed while changing lanes, and no vehicle moves backwards.
func TestHighwayWorldPoseSynced(t *testing.T) {
	h, err := NewHighway(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Reset(env.Seed(1))
	rng := env.NewRand(101)
	act := make([]float32, 1)
	checked, slowCrashes := 0, 0
	var last []float64 // positions along the road after the previous step
	for step := range 3000 {
		h.ActionSpace().Sample(rng, act)
		_, _, term, trunc, _ := h.Step(act)
		tr := h.traffic
		g := &tr.road
		for i := range tr.Vehicles {
			p := &tr.Vehicles[i]
			// Nobody drives backwards: a crash does not send a vehicle back to where it was.
			if i < len(last) && p.s < last[i]-1e-9 {
				t.Fatalf("step %d vehicle %d (crashed %v): s went back from %v to %v", step, i, p.Crashed, last[i], p.s)
			}
			if i == len(last) {
				last = append(last, 0)
			}
			last[i] = p.s
			if p.Crashed && p.slow && p.Driver == DriverIDM {
				slowCrashes++
			}
			x, y := g.X+p.s*g.cos-p.r0*g.sin, g.Y+p.s*g.sin+p.r0*g.cos
			if math.Abs(p.X-x) > 1e-9 || math.Abs(p.Y-y) > 1e-9 || math.Abs(wrapToPi(p.Heading-(g.Heading+p.e))) > 1e-12 {
				t.Fatalf("step %d vehicle %d (slow %v): pose (%v, %v, %v); its road-frame state gives (%v, %v, %v)",
					step, i, p.slow, p.X, p.Y, p.Heading, x, y, g.Heading+p.e)
			}
			checked++
		}
		if term || trunc {
			h.Reset(nil)
			last = last[:0]
		}
	}
	if checked == 0 || slowCrashes == 0 {
		t.Fatalf("checked %d poses and %d traffic vehicles that crashed changing lanes: the test exercised too little", checked, slowCrashes)
	}
}
