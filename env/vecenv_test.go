package env

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorl/gorl/internal/workers/workerstest"
)

// vecStep is one recorded vector Step.
type vecStep struct {
	obs         []float32
	rewards     []float64
	term, trunc []bool
	epReturns   []float64
	epLengths   []int
}

// referenceVector plays n walk envs (under a TimeLimit of limit) one by one with NEXT_STEP
// autoreset written out as the VectorEnv documentation states it, independently of vecCore.
func referenceVector(n, limit int, seed uint64, actions [][]float32) (first []float32, steps []vecStep) {
	envs := make([]Env, n)
	ended := make([]bool, n)
	ret := make([]float64, n)
	length := make([]int, n)
	for i := range envs {
		envs[i] = NewTimeLimit(newWalk(walkBugs{}), limit)
		obs, _ := envs[i].Reset(Seed(seed + uint64(i)))
		first = append(first, obs...)
	}
	for _, a := range actions {
		s := vecStep{rewards: make([]float64, n), term: make([]bool, n), trunc: make([]bool, n),
			epReturns: make([]float64, n), epLengths: make([]int, n)}
		for i, e := range envs {
			if ended[i] {
				obs, _ := e.Reset(nil)
				s.obs = append(s.obs, obs...)
				ended[i], ret[i], length[i] = false, 0, 0
				continue
			}
			obs, r, term, trunc, _ := e.Step(a[i : i+1])
			s.obs = append(s.obs, obs...)
			s.rewards[i], s.term[i], s.trunc[i] = r, term, trunc
			ret[i] += r
			length[i]++
			if term || trunc {
				s.epReturns[i], s.epLengths[i] = ret[i], length[i]
				ended[i] = true
			}
		}
		steps = append(steps, s)
	}
	return first, steps
}

func randomActions(n, steps int, seed uint64) [][]float32 {
	r := NewRand(seed)
	out := make([][]float32, steps)
	for t := range out {
		out[t] = make([]float32, n)
		for i := range out[t] {
			out[t][i] = float32(r.IntN(3))
		}
	}
	return out
}

func walkMaker(limit int) func() (Env, error) {
	return func() (Env, error) { return NewTimeLimit(newWalk(walkBugs{}), limit), nil }
}

// TestVectorMatchesReference checks NEXT_STEP autoreset, the finished episodes' returns and
// lengths and the seed+i seeding against the reference, for the sync env and for the parallel
// env with 1, 2, 3 and 4 workers (3 splits 7 copies unevenly), bit for bit.
func TestVectorMatchesReference(t *testing.T) {
	const n, limit, steps = 7, 12, 150
	actions := randomActions(n, steps, 11)
	first, want := referenceVector(n, limit, 42, actions)
	ends := 0
	for _, s := range want {
		for i := range n {
			if s.term[i] || s.trunc[i] {
				ends++
			}
		}
	}
	if ends < 20 {
		t.Fatalf("the reference run ends only %d episodes; the test needs many", ends)
	}
	makers := map[string]func() (VectorEnv, error){
		"sync": func() (VectorEnv, error) { return NewSyncVector(walkMaker(limit), n) },
	}
	for _, w := range []int{1, 2, 3, 4} {
		makers[fmt.Sprintf("parallel %d workers", w)] = func() (VectorEnv, error) { return NewParallelVector(walkMaker(limit), n, w) }
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			v, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if got := v.Reset(Seed(42)); !sameBits32(got, first) {
				t.Fatalf("Reset(42) = %v; want %v", got, first)
			}
			for step, a := range actions {
				obs, r, term, trunc := v.Step(a)
				w := want[step]
				if !sameBits32(obs, w.obs) || !reflect.DeepEqual(r, w.rewards) || !reflect.DeepEqual(term, w.term) || !reflect.DeepEqual(trunc, w.trunc) {
					t.Fatalf("step %d: obs %v rewards %v term %v trunc %v\nwant obs %v rewards %v term %v trunc %v",
						step, obs, r, term, trunc, w.obs, w.rewards, w.term, w.trunc)
				}
				if !reflect.DeepEqual(v.EpisodeReturns(), w.epReturns) || !reflect.DeepEqual(v.EpisodeLengths(), w.epLengths) {
					t.Fatalf("step %d: episode returns %v lengths %v; want %v %v", step, v.EpisodeReturns(), v.EpisodeLengths(), w.epReturns, w.epLengths)
				}
			}
		})
	}
}

func sameBits32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestVectorAutoresetByHand spells out NEXT_STEP on a counting env: episodes of 2 steps.
func TestVectorAutoresetByHand(t *testing.T) {
	for _, workers := range []int{0, 1, 2} {
		t.Run(fmt.Sprint("workers ", workers), func(t *testing.T) {
			id := 0
			mk := func() (Env, error) { id++; return &countEnv{id: id, length: 2}, nil }
			var v VectorEnv
			var err error
			if workers == 0 {
				v, err = NewSyncVector(mk, 2)
			} else {
				v, err = NewParallelVector(mk, 2, workers)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if got := v.Reset(nil); !reflect.DeepEqual(got, []float32{1, 0, 2, 0}) {
				t.Fatalf("Reset = %v", got)
			}
			type row struct {
				act     []float32
				obs     []float32
				rewards []float64
				term    []bool
				rets    []float64
				lens    []int
			}
			rows := []row{
				{[]float32{1, 0}, []float32{1, 1, 2, 1}, []float64{2, 1}, []bool{false, false}, []float64{0, 0}, []int{0, 0}},
				{[]float32{0, 1}, []float32{1, 2, 2, 2}, []float64{1, 2}, []bool{true, true}, []float64{3, 3}, []int{2, 2}},
				// The autoreset step: actions ignored, first observations, reward 0, no flags.
				{[]float32{1, 1}, []float32{1, 0, 2, 0}, []float64{0, 0}, []bool{false, false}, []float64{0, 0}, []int{0, 0}},
				{[]float32{1, 1}, []float32{1, 1, 2, 1}, []float64{2, 2}, []bool{false, false}, []float64{0, 0}, []int{0, 0}},
			}
			for i, r := range rows {
				obs, rew, term, trunc := v.Step(r.act)
				if !reflect.DeepEqual(obs, r.obs) || !reflect.DeepEqual(rew, r.rewards) || !reflect.DeepEqual(term, r.term) ||
					!reflect.DeepEqual(trunc, []bool{false, false}) || !reflect.DeepEqual(v.EpisodeReturns(), r.rets) ||
					!reflect.DeepEqual(v.EpisodeLengths(), r.lens) {
					t.Errorf("step %d: obs %v rewards %v term %v trunc %v returns %v lengths %v; want %v %v %v - %v %v",
						i, obs, rew, term, trunc, v.EpisodeReturns(), v.EpisodeLengths(), r.obs, r.rewards, r.term, r.rets, r.lens)
				}
			}
			// Reset in the middle clears a pending autoreset.
			v.Step([]float32{0, 0})
			v.Reset(nil)
			if obs, rew, _, _ := v.Step([]float32{0, 0}); !reflect.DeepEqual(obs, []float32{1, 1, 2, 1}) || rew[0] != 1 {
				t.Errorf("after Reset the first Step gave %v %v", obs, rew)
			}
		})
	}
}

func TestVectorSeeding(t *testing.T) {
	v, err := NewParallelVector(walkMaker(100), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	got := append([]float32(nil), v.Reset(Seed(7))...)
	for i := range 4 {
		obs, _ := newWalk(walkBugs{}).Reset(Seed(7 + uint64(i)))
		if !sameBits32(got[2*i:2*i+2], obs) {
			t.Errorf("copy %d starts at %v; Reset(%d) of one env gives %v", i, got[2*i:2*i+2], 7+i, obs)
		}
	}
	if again := v.Reset(Seed(7)); !sameBits32(again, got) {
		t.Error("Reset(7) twice differs")
	}
	if other := v.Reset(nil); sameBits32(other, got) {
		t.Error("Reset(nil) repeated the seeded start")
	}
	if v.NumEnvs() != 4 || v.Workers() != 2 || v.SingleObservationSpace().Dim() != 2 || v.SingleActionSpace().String() != "Discrete(3)" {
		t.Errorf("NumEnvs %d Workers %d spaces %v %v", v.NumEnvs(), v.Workers(), v.SingleObservationSpace(), v.SingleActionSpace())
	}
	if _, ok := Unwrapped(v.Env(3)).(*walkEnv); !ok {
		t.Errorf("Env(3) is %T", v.Env(3))
	}
}

func TestVectorMisuse(t *testing.T) {
	for _, parallel := range []bool{false, true} {
		t.Run(fmt.Sprint("parallel ", parallel), func(t *testing.T) {
			var v VectorEnv
			var err error
			if parallel {
				v, err = NewParallelVector(walkMaker(10), 4, 4)
			} else {
				v, err = NewSyncVector(walkMaker(10), 4)
			}
			if err != nil {
				t.Fatal(err)
			}
			mustPanic(t, "vector env Step before Reset", func() { v.Step(make([]float32, 4)) })
			v.Reset(Seed(1))
			mustPanic(t, "Step with 3 action values; want 4 copies × 1", func() { v.Step(make([]float32, 3)) })
			// An invalid action panics in the copy, in a worker for the parallel env, and reaches
			// the caller with the env's own message.
			mustPanic(t, "walk: action [7] is not in Discrete(3)", func() { v.Step([]float32{0, 0, 0, 7}) })
			v.Reset(Seed(1))
			v.Step(make([]float32, 4)) // still usable
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			if err := v.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			mustPanic(t, "Step of a closed vector env", func() { v.Step(make([]float32, 4)) })
			mustPanic(t, "Reset of a closed vector env", func() { v.Reset(nil) })
		})
	}
}

// closeErrEnv fails to close.
type closeErrEnv struct{ countEnv }

func (c *closeErrEnv) Close() error { return errors.New("stuck") }

func TestVectorConstructionErrors(t *testing.T) {
	if _, err := NewSyncVector(walkMaker(1), 0); err == nil || !strings.Contains(err.Error(), "0 copies") {
		t.Errorf("n=0: %v", err)
	}
	if _, err := NewParallelVector(nil, 2, 1); err == nil {
		t.Error("a nil maker was accepted")
	}
	var made []*countEnv
	failAt := func(k int) func() (Env, error) {
		return func() (Env, error) {
			if len(made) == k {
				return nil, errors.New("no more")
			}
			e := &countEnv{length: 1}
			made = append(made, e)
			return e, nil
		}
	}
	_, err := NewParallelVector(failAt(2), 4, 2)
	if err == nil || err.Error() != "making vector env copy 2: no more" {
		t.Errorf("error %v", err)
	}
	for i, e := range made {
		if !e.closed {
			t.Errorf("copy %d made before the failure was not closed", i)
		}
	}
	mixed := 0
	_, err = NewSyncVector(func() (Env, error) {
		mixed++
		if mixed == 2 {
			return newWalk(walkBugs{}), nil
		}
		return &countEnv{length: 1}, nil
	}, 3)
	if err == nil || !strings.Contains(err.Error(), "env: vector env copy 1 has spaces") {
		t.Errorf("mixed spaces: %v", err)
	}
	v, _ := NewSyncVector(func() (Env, error) { return &closeErrEnv{}, nil }, 2)
	if err := v.Close(); err == nil || !strings.Contains(err.Error(), "closing vector env copy 1: stuck") {
		t.Errorf("Close error %v", err)
	}
}

// TestParallelVectorStopsItsWorkers: stepping starts the pool's workers, and once the env is
// closed they exit (after idling), leaving no goroutine behind.
func TestParallelVectorStopsItsWorkers(t *testing.T) {
	v, err := NewParallelVector(walkMaker(10), 8, 4)
	if err != nil {
		t.Fatal(err)
	}
	v.Reset(nil)
	v.Step(make([]float32, 8))
	if n := workerstest.Count(); n < 3 {
		t.Errorf("%d pool workers while a 4-worker env steps; want at least 3", n)
	}
	v.Close()
	workerstest.AwaitNone(t, 5*time.Second)
}

// TestParallelVectorPanics: when several copies panic in one Step, the caller gets the panic
// of the lowest copy's part whatever the worker count, and the env keeps working.
func TestParallelVectorPanics(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		v, err := NewParallelVector(walkMaker(10), 16, w)
		if err != nil {
			t.Fatal(err)
		}
		v.Reset(Seed(1))
		bad := make([]float32, 16)
		bad[3], bad[9], bad[15] = 7, 8, 9
		for range 20 {
			mustPanic(t, "walk: action [7] is not in Discrete(3)", func() { v.Step(bad) })
		}
		v.Reset(Seed(1))
		if _, r, _, _ := v.Step(make([]float32, 16)); len(r) != 16 {
			t.Errorf("%d workers: Step after the panics gave %d rewards", w, len(r))
		}
		v.Close()
	}
}

func TestVectorStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	makers := map[string]func() (VectorEnv, error){
		"sync":     func() (VectorEnv, error) { return NewSyncVector(walkMaker(20), 16) },
		"parallel": func() (VectorEnv, error) { return NewParallelVector(walkMaker(20), 16, 4) },
		"normalized": func() (VectorEnv, error) {
			v, err := NewParallelVector(walkMaker(20), 16, 2)
			if err != nil {
				return nil, err
			}
			return NewNormalizeRewardVector(NewNormalizeObservationVector(v), 0.99), nil
		},
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			v, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			v.Reset(Seed(0))
			actions := make([]float32, 16)
			step := 0
			allocs := testing.AllocsPerRun(500, func() {
				step++
				for i := range actions {
					actions[i] = float32((step + i) % 3)
				}
				v.Step(actions)
			})
			if allocs != 0 {
				t.Errorf("%v allocations per Step; want 0", allocs)
			}
		})
	}
}

func TestMakeVector(t *testing.T) {
	registerTestSpecs()
	defaultType := "*env.SyncVector" // workers 0 means GOMAXPROCS
	if runtime.GOMAXPROCS(0) > 1 {
		defaultType = "*env.ParallelVector"
	}
	tests := []struct {
		workers  int
		wantType string
	}{{1, "*env.SyncVector"}, {2, "*env.ParallelVector"}, {0, defaultType}}
	for _, tt := range tests {
		v, err := MakeVector("cartpole", 3, Options{"length": 4, "max_episode_steps": 2}, tt.workers)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", v); got != tt.wantType {
			t.Errorf("workers %d: %s; want %s", tt.workers, got, tt.wantType)
		}
		v.Reset(nil)
		v.Step(make([]float32, 3))
		_, _, term, trunc := v.Step(make([]float32, 3))
		if term[0] || !trunc[0] || v.EpisodeLengths()[2] != 2 {
			t.Errorf("max_episode_steps 2 did not truncate: term %v trunc %v", term, trunc)
		}
		v.Close()
	}
	// A native batched implementation, when the spec has one, gets the merged options.
	var gotOpts Options
	var gotLimit, gotWorkers int
	batched := uniqueID("Batched")
	Register(Spec{ID: batched, New: (&recorder{}).new, MaxEpisodeSteps: 9, Kwargs: Options{"length": 5},
		NewVector: func(n int, opts Options, limit, workers int) (VectorEnv, error) {
			gotOpts, gotLimit, gotWorkers = opts, limit, workers
			return NewSyncVector(func() (Env, error) { return &countEnv{length: 5}, nil }, n)
		}})
	if _, err := MakeVector(batched, 4, Options{"g": 1.0}, 2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotOpts, Options{"length": 5, "g": 1.0}) || gotLimit != 9 || gotWorkers != 2 {
		t.Errorf("NewVector got %v, limit %d, workers %d", gotOpts, gotLimit, gotWorkers)
	}
	errs := []struct {
		id   string
		n    int
		opts Options
		want string
	}{
		{"CartPol-v1", 2, nil, `did you mean "CartPole-v1"`},
		{"CartPole-v1", 0, nil, `env: MakeVector("CartPole-v1"): 0 copies`},
		{"CartPole-v1", 2, Options{"lenght": 1}, `env: MakeVector("CartPole-v1"): making vector env copy 0: unknown option "lenght"`},
	}
	for _, e := range errs {
		if _, err := MakeVector(e.id, e.n, e.opts, 1); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("MakeVector(%q, %d, %v): %v; want %q", e.id, e.n, e.opts, err, e.want)
		}
	}
}

func TestNormalizeVectors(t *testing.T) {
	const n = 3
	v, err := NewSyncVector(walkMaker(8), n)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := NewSyncVector(walkMaker(8), n)
	nv := NewNormalizeRewardVector(NewNormalizeObservationVector(v), 0.9)
	if s := nv.SingleObservationSpace().String(); s != "Box(-inf, inf, (2,), float32)" {
		t.Errorf("space %s", s)
	}
	var seenObs, seenRet [][]float64
	acc := make([]float64, n)
	record := func(obs []float32) {
		for i := range n {
			seenObs = append(seenObs, []float64{float64(obs[2*i]), float64(obs[2*i+1])})
		}
	}
	checkObs := func(got, rawObs []float32) {
		t.Helper()
		mean, vari, _ := rmsReference(seenObs)
		for k, x := range rawObs {
			j := k % 2
			if want := (float64(x) - mean[j]) / math.Sqrt(vari[j]+1e-8); !closeTo(float64(got[k]), want, 1e-5) {
				t.Fatalf("observation %d = %v; want %v", k, got[k], want)
			}
		}
	}
	got := nv.Reset(Seed(3))
	rawObs := raw.Reset(Seed(3))
	record(rawObs)
	checkObs(got, rawObs)
	for step := range 40 {
		a := make([]float32, n)
		for i := range a {
			a[i] = float32((step + i) % 3)
		}
		got, rew, term, _ := nv.Step(a)
		rawObs, rawRew, rawTerm, _ := raw.Step(a)
		if !reflect.DeepEqual(term, rawTerm) {
			t.Fatal("the wrappers changed the flags")
		}
		record(rawObs)
		checkObs(got, rawObs)
		for i := range n {
			notTerm := 1.0
			if term[i] {
				notTerm = 0
			}
			acc[i] = acc[i]*0.9*notTerm + rawRew[i]
		}
		for i := range n {
			seenRet = append(seenRet, []float64{acc[i]})
		}
		_, vari, _ := rmsReference(seenRet)
		for i := range n {
			if want := rawRew[i] / math.Sqrt(vari[0]+1e-8); !closeTo(rew[i], want, 1e-9) {
				t.Fatalf("step %d reward %d = %v; want %v", step, i, rew[i], want)
			}
		}
		if !reflect.DeepEqual(nv.EpisodeReturns(), raw.EpisodeReturns()) {
			t.Fatal("EpisodeReturns are not the raw returns")
		}
	}
	mustPanic(t, "statistics of 1 elements for observations of 2", func() {
		nv.VectorEnv.(*NormalizeObservationVector).SetRMS(NewRunningMeanStd(1))
	})
	mustPanic(t, "want 1", func() { nv.SetRMS(NewRunningMeanStd(2)) })
}

func benchmarkVector(b *testing.B, n, workers int) {
	mk := walkMaker(200)
	var v VectorEnv
	var err error
	if workers == 0 {
		v, err = NewSyncVector(mk, n)
	} else {
		v, err = NewParallelVector(mk, n, workers)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	v.Reset(Seed(0))
	actions := make([]float32, n)
	for i := range actions {
		actions[i] = float32(i % 3)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		v.Step(actions)
	}
	b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkVector(b *testing.B) {
	for _, n := range []int{16, 1024} {
		b.Run(fmt.Sprintf("sync/N=%d", n), func(b *testing.B) { benchmarkVector(b, n, 0) })
		for _, w := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("parallel/N=%d/workers=%d", n, w), func(b *testing.B) { benchmarkVector(b, n, w) })
		}
	}
}

func BenchmarkSingleEnv(b *testing.B) {
	wrapped := map[string]func() Env{
		"bare": func() Env { return newWalk(walkBugs{}) },
		"wrappers": func() Env {
			return NewFrameStack(NewNormalizeReward(NewNormalizeObservation(NewRecordEpisodeStatistics(NewTimeLimit(newWalk(walkBugs{}), 200), 100)), 0.99), 4, PadReset())
		},
	}
	for name, mk := range wrapped {
		b.Run(name, func(b *testing.B) {
			e := mk()
			e.Reset(Seed(0))
			a := make([]float32, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				a[0] = float32(i % 3)
				if _, _, term, trunc, _ := e.Step(a); term || trunc {
					e.Reset(nil)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
