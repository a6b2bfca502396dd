package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/gorl/gorl/benchmarks/internal/work"
	"github.com/gorl/gorl/env"
	_ "github.com/gorl/gorl/env/all" // every built-in env
)

// envCase is one single-env measurement: a registered env with options.
type envCase struct {
	ID      string
	Variant string // "" or the option value that names a variant ("rgb")
	Opts    env.Options
}

func (c envCase) name() string {
	if c.Variant == "" {
		return c.ID
	}
	return c.ID + ":" + c.Variant
}

// gymCounterpart is what a Gymnasium user would step instead of a gorl env.
type gymCounterpart struct {
	ID     string // Gymnasium ID
	Import string // module to import first to register it ("" for Gymnasium's own)
	Needs  string // module that must be importable
	Note   string // what differs, for the table
}

// gymIDs are the envs gorl shares with Gymnasium 1.4 under the same ID and dynamics.
var gymIDs = []string{"Acrobot-v1", "Blackjack-v1", "CartPole-v1", "CliffWalking-v1", "CliffWalkingSlippery-v1",
	"FrozenLake-v1", "FrozenLake8x8-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Taxi-v4"}

// counterpart returns the Gymnasium-ecosystem env to compare a case with, or the reason there
// is none.
func counterpart(c envCase) (gymCounterpart, string) {
	name := c.name()
	for _, id := range gymIDs {
		if id == name {
			return gymCounterpart{ID: id, Needs: "gymnasium"}, ""
		}
	}
	switch name {
	case "Highway-v0":
		return gymCounterpart{ID: "highway-v0", Import: "highway_env", Needs: "highway_env",
			Note: "highway-env's highway-v0 (the same defaults: 50 vehicles, 4 lanes, 15 Hz simulation, 1 Hz policy)"}, ""
	case "Racetrack-v0:rgb":
		return gymCounterpart{ID: "CarRacing-v3", Needs: "Box2D",
			Note: "an analogue: Gymnasium's CarRacing-v3 (Box2D, 96×96 pixels at 50 Hz; Racetrack-v0 draws 96×96 at its 10 Hz policy rate)"}, ""
	case "Racetrack-v0":
		return gymCounterpart{}, "no counterpart (CarRacing-v3 has pixel observations only: see the :rgb row)"
	}
	return gymCounterpart{}, "no counterpart in Gymnasium"
}

type envSection struct{}

func (envSection) list() []envCase {
	var out []envCase
	for _, s := range env.Specs() {
		out = append(out, envCase{ID: s.ID})
		if s.ID == "Racetrack-v0" {
			out = append(out, envCase{ID: s.ID, Variant: "rgb", Opts: env.Options{"observation": "rgb"}})
		}
	}
	return out
}

func (s envSection) cases(*Runner) []string {
	var ids []string
	for _, c := range s.list() {
		ids = append(ids, "env/"+c.name())
	}
	return ids
}

// gymSingleCase is a case for gym_envs.py.
type gymSingleCase struct {
	Name     string `json:"name"`
	GymID    string `json:"gym_id"`
	Import   string `json:"import,omitempty"`
	MaxSteps int    `json:"max_steps"`
}

type gymVectorCase struct {
	Name    string `json:"name"`
	GymID   string `json:"gym_id"`
	NumEnvs int    `json:"num_envs"`
	Mode    string `json:"mode"` // "sync" or "vector_entry_point"
}

type gymCases struct {
	Single []gymSingleCase `json:"single"`
	Vector []gymVectorCase `json:"vector"`
}

// gymResult is one figure of gym_envs.py: steps/s, or the error that stopped it.
type gymResult struct {
	StepsPerS float64 `json:"steps_per_s"`
	Error     string  `json:"error"`
}

type gymOutput struct {
	Versions map[string]string    `json:"versions"`
	Single   map[string]gymResult `json:"single"`
	Vector   map[string]gymResult `json:"vector"`
}

// runGym runs one round of gym_envs.py over the cases.
func (r *Runner) runGym(ctx context.Context, cases gymCases) (gymOutput, error) {
	var out gymOutput
	b, err := json.Marshal(cases)
	if err != nil {
		return out, err
	}
	secs := strconv.FormatFloat(r.MinTime.Seconds(), 'f', 3, 64)
	err = r.RunJSON(ctx, "gymnasium", "gym_envs.py", nil, &out, "--cases", string(b), "--time", secs)
	return out, err
}

func (s envSection) run(ctx context.Context, r *Runner, ids []string) (*Section, error) {
	var cases []envCase
	for _, c := range s.list() {
		for _, id := range ids {
			if id == "env/"+c.name() {
				cases = append(cases, c)
			}
		}
	}
	gymWhy := r.Py.Why("gymnasium", "numpy")
	var gc gymCases
	rowWhy := map[string]string{}
	for _, c := range cases {
		cp, why := counterpart(c)
		switch {
		case why != "":
			rowWhy[c.name()] = why
		case gymWhy != "":
			rowWhy[c.name()] = "not measured: " + short(r.Py, cp.Needs)
		case cp.Needs != "gymnasium" && !r.Py.Has(cp.Needs):
			rowWhy[c.name()] = "not measured: " + short(r.Py, cp.Needs)
		default:
			spec, _ := env.Lookup(c.ID)
			gc.Single = append(gc.Single, gymSingleCase{Name: c.name(), GymID: cp.ID, Import: cp.Import, MaxSteps: spec.MaxEpisodeSteps})
		}
	}
	wall := map[string][]float64{}
	cpu := map[string][]float64{}
	gym := map[string][]float64{}
	gymErr := map[string]string{}
	for round := 1; round <= r.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, c := range cases {
			smp, err := measureEnv(c, r.MinTime)
			if err != nil {
				return nil, fmt.Errorf("env/%s: %w", c.name(), err)
			}
			wall[c.name()] = append(wall[c.name()], smp.Rate())
			cpu[c.name()] = append(cpu[c.name()], nanIfZero(smp.CPURate()))
			r.logf("env/%s round %d/%d: %s steps/s", c.name(), round, r.Rounds, num(smp.Rate()))
		}
		if len(gc.Single) > 0 {
			out, err := r.runGym(ctx, gymCases{Single: gc.Single})
			if err != nil {
				r.logf("gym_envs.py failed: %v", err)
				for _, g := range gc.Single {
					gymErr[g.Name] = err.Error()
				}
				continue
			}
			for name, res := range out.Single {
				if res.Error != "" {
					gymErr[name] = res.Error
					continue
				}
				gym[name] = append(gym[name], res.StepsPerS)
			}
			r.logf("gym_envs.py round %d/%d: %d envs", round, r.Rounds, len(out.Single))
		}
	}
	t := &Table{Header: []string{"env", "gorl steps/s", "gorl steps/CPU-s", "Gymnasium-side steps/s", "gorl/Gymnasium"}}
	var notes []string
	for _, c := range cases {
		n := c.name()
		w, cp := Summarize(wall[n]), Summarize(cpu[n])
		other, rat := rowWhy[n], "—"
		if other == "" {
			if g := Summarize(gym[n]); g.Ok() {
				other, rat = g.String(), ratio(w.Median, g.Median)
				if c, _ := counterpart(c); c.Note != "" {
					notes = append(notes, n+": "+c.Note+".")
				}
				if n == "CartPole-v1" {
					r.headline(Headline{"CartPole-v1 steps/s, one env, one core", w.String(), "Gymnasium " + g.String(), rat})
				}
			} else {
				other = "not measured: " + gymErr[n]
			}
		}
		t.Add(n, w.String(), cp.String(), other, rat)
		if n == "CartPole-v1" && rat == "—" {
			r.headline(Headline{"CartPole-v1 steps/s, one env, one core", w.String(), "Gymnasium: " + other, "—"})
		}
	}
	if gymWhy != "" {
		notes = append(notes, "Gymnasium side: "+gymWhy+".")
	}
	return &Section{
		Title: "Env throughput: one env, one core",
		Intro: fmt.Sprintf("Each registered env stepped alone (its own Step without wrappers; episodes reset at termination or at "+
			"the spec's step limit) under a fixed cycle of 1,024 random actions drawn before timing, %s a run, %s. "+
			"Steps per CPU-second count the process's CPU time (user and system) and move much less than wall-clock "+
			"steps/s with the machine's load. The Gymnasium side steps `gym.make(ID).unwrapped` the same way "+
			"(benchmarks/gymnasium/gym_envs.py), one process per run, interleaved with gorl's.", r.MinTime, plural(r.Rounds, "run")),
		Tables: []*Table{t},
		Notes:  notes,
	}, nil
}

// short is a cell-sized reason for a missing Python module.
func short(p *Python, module string) string {
	if p.Off != "" {
		return "no Python baselines"
	}
	if module == "" || p.Has(module) {
		return "not run"
	}
	return "no " + module
}

func nanIfZero(x float64) float64 {
	if x == 0 {
		return math.NaN()
	}
	return x
}

// actionCycle draws n actions from the space up front, so that timing does not count sampling.
func actionCycle(space env.Space, n, copies int) [][]float32 {
	rng := env.NewRand(1)
	d := space.Dim()
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, d*copies)
		for j := range copies {
			space.Sample(rng, out[i][j*d:(j+1)*d])
		}
	}
	return out
}

// measureEnv times one unwrapped env for at least minWall after a short warm-up.
func measureEnv(c envCase, minWall time.Duration) (work.Sample, error) {
	spec, err := env.Lookup(c.ID)
	if err != nil {
		return work.Sample{}, err
	}
	wrapped, err := env.Make(c.ID, c.Opts)
	if err != nil {
		return work.Sample{}, err
	}
	defer wrapped.Close()
	e := env.Unwrapped(wrapped)
	limit := spec.MaxEpisodeSteps
	acts := actionCycle(e.ActionSpace(), 1024, 1)
	e.Reset(env.Seed(1))
	k, ep := 0, 0
	chunk := func() float64 {
		for range 64 {
			_, _, term, trunc, _ := e.Step(acts[k&1023])
			k++
			ep++
			if term || trunc || ep == limit {
				e.Reset(nil)
				ep = 0
			}
		}
		return 64
	}
	for range 4 {
		chunk()
	}
	return work.Timed(minWall, chunk), nil
}

// vectorCase is one batched measurement.
type vectorCase struct {
	ID     string
	Copies int
}

type vectorSection struct{}

func (vectorSection) list() []vectorCase {
	return []vectorCase{{"CartPole-v1", 1024}, {"Highway-v0", 16}, {"Racetrack-v0", 16}}
}

func (s vectorSection) cases(*Runner) []string {
	var ids []string
	for _, c := range s.list() {
		ids = append(ids, "vector/"+c.ID)
	}
	return ids
}

// measureVector times env.MakeVector's batch of copies on the given number of workers.
func measureVector(c vectorCase, workers int, minWall time.Duration) (work.Sample, error) {
	v, err := env.MakeVector(c.ID, c.Copies, nil, workers)
	if err != nil {
		return work.Sample{}, err
	}
	defer v.Close()
	acts := actionCycle(v.SingleActionSpace(), 16, c.Copies)
	v.Reset(env.Seed(1))
	k := 0
	chunk := func() float64 {
		for range 4 {
			v.Step(acts[k&15])
			k++
		}
		return float64(4 * c.Copies)
	}
	chunk()
	return work.Timed(minWall, chunk), nil
}

func (s vectorSection) run(ctx context.Context, r *Runner, ids []string) (*Section, error) {
	var cases []vectorCase
	for _, c := range s.list() {
		for _, id := range ids {
			if id == "vector/"+c.ID {
				cases = append(cases, c)
			}
		}
	}
	all := runtime.GOMAXPROCS(0)
	workers := []int{1}
	if all > 1 {
		workers = append(workers, all)
	}
	key := func(c vectorCase, w int) string { return fmt.Sprintf("%s/%d", c.ID, w) }
	wall, cpu := map[string][]float64{}, map[string][]float64{}
	gymWhy := r.Py.Why("gymnasium", "numpy")
	var gc gymCases
	hasCartPole := false
	for _, c := range cases {
		if c.ID == "CartPole-v1" {
			hasCartPole = true
		}
	}
	if hasCartPole && gymWhy == "" {
		gc.Vector = []gymVectorCase{
			{Name: "SyncVectorEnv ×8", GymID: "CartPole-v1", NumEnvs: 8, Mode: "sync"},
			{Name: "NumPy-vectorized ×1024", GymID: "CartPole-v1", NumEnvs: 1024, Mode: "vector_entry_point"},
		}
	}
	gym := map[string][]float64{}
	gymErr := map[string]string{}
	for round := 1; round <= r.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, c := range cases {
			for _, w := range workers {
				smp, err := measureVector(c, w, r.MinTime)
				if err != nil {
					return nil, fmt.Errorf("vector/%s: %w", c.ID, err)
				}
				wall[key(c, w)] = append(wall[key(c, w)], smp.Rate())
				cpu[key(c, w)] = append(cpu[key(c, w)], nanIfZero(smp.CPURate()))
				r.logf("vector/%s ×%d, %d workers, round %d/%d: %s steps/s", c.ID, c.Copies, w, round, r.Rounds, num(smp.Rate()))
			}
		}
		if len(gc.Vector) > 0 {
			out, err := r.runGym(ctx, gc)
			if err != nil {
				r.logf("gym_envs.py failed: %v", err)
				for _, g := range gc.Vector {
					gymErr[g.Name] = err.Error()
				}
				continue
			}
			for name, res := range out.Vector {
				if res.Error != "" {
					gymErr[name] = res.Error
				} else {
					gym[name] = append(gym[name], res.StepsPerS)
				}
			}
		}
	}
	t := &Table{Header: []string{"vector env", "copies", "workers", "gorl env steps/s", "gorl steps/CPU-s", "speed-up over 1 worker"}}
	for _, c := range cases {
		one := Summarize(wall[key(c, 1)])
		for _, w := range workers {
			st := Summarize(wall[key(c, w)])
			sp := "1×"
			if w > 1 {
				sp = ratio(st.Median, one.Median)
			}
			impl := "env.MakeVector"
			if c.ID == "CartPole-v1" {
				impl = "native batched"
			}
			t.Add(c.ID+" ("+impl+")", strconv.Itoa(c.Copies), strconv.Itoa(w), st.String(), Summarize(cpu[key(c, w)]).String(), sp)
		}
	}
	sec := &Section{
		Title: "Env throughput: vector envs over 1 and all cores",
		Intro: fmt.Sprintf("Env steps per second summed over the copies, %s a run, %s, under fixed random actions. "+
			"CartPole-v1 has a native struct-of-arrays implementation; the driving scenarios run as env.MakeVector's "+
			"copies split over goroutine workers. Steps per CPU-second fall as workers are added when the split costs "+
			"more than it gains (or when the machine is busy and workers wait for a core).", r.MinTime, plural(r.Rounds, "run")),
		Tables: []*Table{t},
	}
	if hasCartPole {
		g := &Table{Caption: "Batched CartPole-v1 against Gymnasium's vector envs (gorl's figure: all workers).",
			Header: []string{"Gymnasium vector env", "env steps/s", "gorl/Gymnasium"}}
		gorl := Summarize(wall[key(vectorCase{"CartPole-v1", 1024}, workers[len(workers)-1])])
		best, bestName := math.NaN(), ""
		for _, v := range []string{"SyncVectorEnv ×8", "NumPy-vectorized ×1024"} {
			if gymWhy != "" {
				g.Add(v, "not measured: "+short(r.Py, "gymnasium"), "—")
				continue
			}
			st := Summarize(gym[v])
			if !st.Ok() {
				g.Add(v, "not measured: "+gymErr[v], "—")
				continue
			}
			g.Add(v, st.String(), ratio(gorl.Median, st.Median))
			if math.IsNaN(best) || st.Median > best {
				best, bestName = st.Median, v
			}
		}
		if bestName == "" {
			r.headline(Headline{"batched CartPole-v1 env steps/s, all cores", gorl.String(), "Gymnasium: not measured", "—"})
		}
		if gymWhy != "" {
			g.Notes = append(g.Notes, "Gymnasium side: "+gymWhy+".")
		} else if bestName != "" {
			r.headline(Headline{"batched CartPole-v1 env steps/s, all cores", gorl.String(), "Gymnasium " + bestName + " " + num(best), ratio(gorl.Median, best)})
		}
		sec.Tables = append(sec.Tables, g)
	}
	return sec, nil
}
