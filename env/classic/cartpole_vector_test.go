package classic_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/classic"
	"github.com/gorl/gorl/internal/workers/workerstest"
)

// vecRecord is everything a vector env reports after one call.
type vecRecord struct {
	obs         []float32
	rewards     []float64
	term, trunc []bool
	epRet       []float64
	epLen       []int
}

func record(v env.VectorEnv, obs []float32, rew []float64, term, trunc []bool) vecRecord {
	return vecRecord{
		obs: append([]float32(nil), obs...), rewards: append([]float64(nil), rew...),
		term: append([]bool(nil), term...), trunc: append([]bool(nil), trunc...),
		epRet: append([]float64(nil), v.EpisodeReturns()...), epLen: append([]int(nil), v.EpisodeLengths()...),
	}
}

// diff describes the first difference between two records, or returns "".
func (a vecRecord) diff(b vecRecord) string {
	for i := range a.obs {
		if math.Float32bits(a.obs[i]) != math.Float32bits(b.obs[i]) {
			return fmt.Sprintf("obs[%d] %v vs %v", i, a.obs[i], b.obs[i])
		}
	}
	for i := range a.rewards {
		switch {
		case a.rewards[i] != b.rewards[i]:
			return fmt.Sprintf("reward[%d] %v vs %v", i, a.rewards[i], b.rewards[i])
		case a.term[i] != b.term[i] || a.trunc[i] != b.trunc[i]:
			return fmt.Sprintf("flags[%d] %v,%v vs %v,%v", i, a.term[i], a.trunc[i], b.term[i], b.trunc[i])
		case a.epRet[i] != b.epRet[i] || a.epLen[i] != b.epLen[i]:
			return fmt.Sprintf("episode[%d] %v,%d vs %v,%d", i, a.epRet[i], a.epLen[i], b.epRet[i], b.epLen[i])
		}
	}
	return ""
}

// vecActions returns a fixed pseudo-random sequence of batched CartPole actions.
func vecActions(n, steps int, seed uint64) [][]float32 {
	r := env.NewRand(seed)
	out := make([][]float32, steps)
	for k := range out {
		out[k] = make([]float32, n)
		for i := range out[k] {
			out[k][i] = float32(r.IntN(2))
		}
	}
	return out
}

// runVector records Reset(seed) and then every Step of v; a second Reset(nil) halfway checks
// that unseeded resets continue each copy's stream.
func runVector(v env.VectorEnv, seed uint64, actions [][]float32) []vecRecord {
	obs := v.Reset(env.Seed(seed))
	n := v.NumEnvs()
	out := []vecRecord{record(v, obs, make([]float64, n), make([]bool, n), make([]bool, n))}
	for k, a := range actions {
		if k == len(actions)/2 {
			obs := v.Reset(nil)
			out = append(out, record(v, obs, make([]float64, n), make([]bool, n), make([]bool, n)))
		}
		obs, r, te, tr := v.Step(a)
		out = append(out, record(v, obs, r, te, tr))
	}
	return out
}

// scalarVector steps n scalar CartPoles by hand with NEXT_STEP autoreset and a step limit:
// the behaviour the batched CartPole must reproduce.
type scalarVector struct {
	envs               []*classic.CartPole
	limit              int
	elapsed            []int
	done               []bool
	run, epRet         []float64
	runLen, epLen      []int
	obs                []float32
	rewards            []float64
	term, trunc        []bool
	suttonBartoOptions env.Options
}

func newScalarVector(t *testing.T, n, limit int, opts env.Options) *scalarVector {
	s := &scalarVector{limit: limit, elapsed: make([]int, n), done: make([]bool, n),
		run: make([]float64, n), epRet: make([]float64, n), runLen: make([]int, n), epLen: make([]int, n),
		obs: make([]float32, 4*n), rewards: make([]float64, n), term: make([]bool, n), trunc: make([]bool, n)}
	for range n {
		e, err := classic.NewCartPole(opts)
		if err != nil {
			t.Fatal(err)
		}
		s.envs = append(s.envs, e)
	}
	return s
}

func (s *scalarVector) NumEnvs() int                      { return len(s.envs) }
func (s *scalarVector) SingleObservationSpace() env.Space { return s.envs[0].ObservationSpace() }
func (s *scalarVector) SingleActionSpace() env.Space      { return s.envs[0].ActionSpace() }
func (s *scalarVector) EpisodeReturns() []float64         { return s.epRet }
func (s *scalarVector) EpisodeLengths() []int             { return s.epLen }
func (s *scalarVector) Close() error                      { return nil }

func (s *scalarVector) resetCopy(i int, seed *uint64) {
	obs, _ := s.envs[i].Reset(seed)
	copy(s.obs[4*i:], obs)
	s.elapsed[i], s.done[i], s.run[i], s.runLen[i], s.epRet[i], s.epLen[i] = 0, false, 0, 0, 0, 0
	s.rewards[i], s.term[i], s.trunc[i] = 0, false, false
}

func (s *scalarVector) Reset(seed *uint64) []float32 {
	for i := range s.envs {
		if seed != nil {
			si := *seed + uint64(i)
			s.resetCopy(i, &si)
		} else {
			s.resetCopy(i, nil)
		}
	}
	return s.obs
}

func (s *scalarVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	for i, e := range s.envs {
		if s.done[i] {
			s.resetCopy(i, nil)
			continue
		}
		obs, r, te, _, _ := e.Step(actions[i : i+1])
		s.elapsed[i]++
		tr := s.limit > 0 && s.elapsed[i] >= s.limit
		copy(s.obs[4*i:], obs)
		s.rewards[i], s.term[i], s.trunc[i] = r, te, tr
		s.run[i] += r
		s.runLen[i]++
		s.epRet[i], s.epLen[i] = 0, 0
		if te || tr {
			s.epRet[i], s.epLen[i], s.done[i] = s.run[i], s.runLen[i], true
		}
	}
	return s.obs, s.rewards, s.term, s.trunc
}

func compareRuns(t *testing.T, what string, got, want []vecRecord) {
	t.Helper()
	for k := range want {
		if d := got[k].diff(want[k]); d != "" {
			t.Fatalf("%s: call %d: %s", what, k, d)
		}
	}
}

// TestCartPoleVectorMatchesScalar: the batched CartPole reproduces N scalar CartPoles stepped
// by hand, and the env package's generic SyncVector over N copies from Make, bit for bit.
func TestCartPoleVectorMatchesScalar(t *testing.T) {
	const n, steps = 7, 700
	actions := vecActions(n, steps, 11)
	for _, c := range []struct {
		limit   int
		sb      bool
		workers int
	}{{500, false, 1}, {9, false, 3}, {500, true, 2}, {0, false, 1}} {
		name := fmt.Sprintf("limit=%d/sutton_barto=%v/workers=%d", c.limit, c.sb, c.workers)
		t.Run(name, func(t *testing.T) {
			opts := env.Options{"sutton_barto_reward": c.sb}
			v, err := classic.NewCartPoleVector(n, env.Options{"sutton_barto_reward": c.sb, "max_episode_steps": c.limit, "workers": c.workers})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			got := runVector(v, 5, actions)
			compareRuns(t, "vs scalar CartPoles", got, runVector(newScalarVector(t, n, c.limit, opts), 5, actions))

			sync, err := env.NewSyncVector(func() (env.Env, error) {
				e, err := classic.NewCartPole(opts)
				if err != nil || c.limit == 0 {
					return e, err
				}
				return env.NewTimeLimit(e, c.limit), nil
			}, n)
			if err != nil {
				t.Fatal(err)
			}
			compareRuns(t, "vs env.SyncVector", got, runVector(sync, 5, actions))
		})
	}
}

// TestCartPoleVectorWorkers: the same seeds give identical results for 1, 2 and 4 workers (run
// with -race to check the workers share nothing).
func TestCartPoleVectorWorkers(t *testing.T) {
	const n, steps = 333, 600 // 10 uneven parts of at least 32 copies
	actions := vecActions(n, steps, 3)
	var ref []vecRecord
	for _, w := range []int{1, 2, 4} {
		v, err := classic.NewCartPoleVector(n, env.Options{"workers": w, "max_episode_steps": 50})
		if err != nil {
			t.Fatal(err)
		}
		if v.Workers() != w {
			t.Errorf("Workers() = %d; want %d", v.Workers(), w)
		}
		got := runVector(v, 99, actions)
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = got
			continue
		}
		compareRuns(t, fmt.Sprintf("%d workers vs 1", w), got, ref)
	}
	// Truncations and terminations both happened, so the autoreset paths ran.
	var terms, truncs int
	for _, r := range ref {
		for i := range r.term {
			if r.term[i] {
				terms++
			}
			if r.trunc[i] {
				truncs++
			}
		}
	}
	if terms == 0 || truncs == 0 {
		t.Errorf("%d terminations, %d truncations; want both", terms, truncs)
	}
}

func TestCartPoleVectorMakeVector(t *testing.T) {
	v, err := env.MakeVector("CartPole-v1", 5, env.Options{"max_episode_steps": 20}, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	cv, ok := v.(*classic.CartPoleVector)
	if !ok {
		t.Fatalf("MakeVector(CartPole-v1) = %T; want *classic.CartPoleVector", v)
	}
	if cv.Workers() != 2 || cv.NumEnvs() != 5 {
		t.Errorf("workers %d, copies %d; want 2, 5", cv.Workers(), cv.NumEnvs())
	}
	// The limit of 20 steps reaches the batch: with actions alternating, the pole survives 20.
	v.Reset(env.Seed(1))
	a := make([]float32, 5)
	for k := range 20 {
		for i := range a {
			a[i] = float32(k % 2)
		}
		_, _, te, tr := v.Step(a)
		for i := range tr {
			if tr[i] != (k == 19) && !te[i] {
				t.Fatalf("step %d copy %d: truncated %v", k, i, tr[i])
			}
		}
	}
	if _, err := env.MakeVector("CartPole-v1", 5, env.Options{"sutton_barto": true}, 1); err == nil {
		t.Error("MakeVector with an unknown option succeeded")
	}
}

func TestCartPoleVectorErrors(t *testing.T) {
	for _, c := range []struct {
		n    int
		opts env.Options
	}{
		{0, nil},
		{4, env.Options{"max_episode_steps": -1}},
		{4, env.Options{"workers": "many"}},
		{4, env.Options{"sutton_barto": true}},
	} {
		if v, err := classic.NewCartPoleVector(c.n, c.opts); err == nil {
			v.Close()
			t.Errorf("NewCartPoleVector(%d, %v) succeeded", c.n, c.opts)
		}
	}
	v, err := classic.NewCartPoleVector(4, env.Options{"workers": 2})
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "Step before Reset", "before Reset", func() { v.Step(make([]float32, 4)) })
	v.Reset(env.Seed(1))
	mustPanic(t, "Step with 3 actions", "3 actions", func() { v.Step(make([]float32, 3)) })
	mustPanic(t, "Step with action 2", "not in Discrete(2)", func() { v.Step([]float32{0, 2, 0, 0}) })
	a := []float32{0, 1, 0, 1}
	if n := testing.AllocsPerRun(100, func() { v.Step(a) }); n != 0 {
		t.Errorf("Step allocates %v times", n)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	mustPanic(t, "Step after Close", "closed", func() { v.Step(make([]float32, 4)) })
}

// TestCartPoleVectorCloseStopsWorkers: stepping on 2 workers starts the shared pool's worker,
// and once the batch is closed it exits (after idling), leaving no goroutine behind.
func TestCartPoleVectorCloseStopsWorkers(t *testing.T) {
	v, err := classic.NewCartPoleVector(64, env.Options{"workers": 2})
	if err != nil {
		t.Fatal(err)
	}
	v.Reset(env.Seed(1))
	v.Step(make([]float32, 64))
	if n := workerstest.Count(); n < 1 {
		t.Errorf("%d pool workers while a 2-worker batch steps; want at least 1", n)
	}
	v.Close()
	workerstest.AwaitNone(t, 5*time.Second)
}

// TestCartPoleVectorUnseeded: a batch never seeded seeds each copy at random on Reset(nil).
func TestCartPoleVectorUnseeded(t *testing.T) {
	v, err := classic.NewCartPoleVector(3, env.Options{"workers": 1})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	obs := v.Reset(nil)
	if obs[0] == obs[4] && obs[4] == obs[8] {
		t.Errorf("three unseeded copies start in the same state %v", obs[:4])
	}
	for _, x := range obs {
		if !(x >= -0.05 && x <= 0.05) {
			t.Errorf("initial observation %v outside [-0.05, 0.05]", obs)
		}
	}
}

// ExampleNewCartPoleVector steps 1024 CartPoles on two goroutines with a fixed policy and
// reports the episodes that ended.
func ExampleNewCartPoleVector() {
	v, err := classic.NewCartPoleVector(1024, env.Options{"workers": 2})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	obs := v.Reset(env.Seed(0))
	actions := make([]float32, v.NumEnvs())
	episodes, steps := 0, 0
	for range 100 {
		for i := range actions {
			if obs[4*i+2] > 0 { // push towards the side the pole leans to
				actions[i] = 1
			} else {
				actions[i] = 0
			}
		}
		var term, trunc []bool
		obs, _, term, trunc = v.Step(actions)
		for i := range term {
			if term[i] || trunc[i] {
				episodes++
				steps += v.EpisodeLengths()[i]
			}
		}
	}
	fmt.Println("episodes ended:", episodes > 0, "mean length > 20:", steps > 20*episodes)
	// Output: episodes ended: true mean length > 20: true
}
