package env

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"reflect"
	"strings"
	"testing"
)

// mustPanic runs f and fails unless it panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), want) {
			t.Errorf("panic %v; want one containing %q", p, want)
		}
	}()
	f()
}

func TestTimeLimit(t *testing.T) {
	tests := []struct {
		name      string
		length    int // the inner episode length (termination)
		max       int
		wantTerm  []bool
		wantTrunc []bool
	}{
		{"truncates", 10, 3, []bool{false, false, false}, []bool{false, false, true}},
		{"terminates first", 2, 3, []bool{false, true}, []bool{false, false}},
		{"both at once", 3, 3, []bool{false, false, true}, []bool{false, false, true}},
		{"one step", 5, 1, []bool{false}, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewTimeLimit(&countEnv{length: tt.length}, tt.max)
			for ep := range 2 { // Reset must restart the count
				e.Reset(nil)
				for i := range tt.wantTerm {
					_, _, term, trunc, _ := StepDiscrete(e, 0)
					if term != tt.wantTerm[i] || trunc != tt.wantTrunc[i] {
						t.Fatalf("episode %d step %d: terminated %v truncated %v; want %v %v", ep, i, term, trunc, tt.wantTerm[i], tt.wantTrunc[i])
					}
					if e.ElapsedSteps() != i+1 {
						t.Fatalf("ElapsedSteps = %d; want %d", e.ElapsedSteps(), i+1)
					}
				}
			}
		})
	}
	mustPanic(t, "TimeLimit of 0 steps", func() { NewTimeLimit(&countEnv{}, 0) })
}

func TestRecordEpisodeStatistics(t *testing.T) {
	inner := &countEnv{length: 3}
	w := NewRecordEpisodeStatistics(inner, 2)
	if _, ok := w.LastEpisode(); ok {
		t.Error("LastEpisode before any episode reported one")
	}
	var got []EpisodeStats
	for ep := range 3 {
		w.Reset(nil)
		for step := range 3 {
			// action 1 → reward 2, so the returns are 6 per episode; the first episode uses 0.
			a := 1
			if ep == 0 {
				a = 0
			}
			_, _, term, _, info := StepDiscrete(w, a)
			s, ok := EpisodeInfo(info)
			if ok != term {
				t.Fatalf("episode %d step %d: EpisodeInfo ok=%v at terminated=%v", ep, step, ok, term)
			}
			if ok {
				got = append(got, s)
			}
		}
	}
	for i, want := range []struct {
		r float64
		l int
	}{{3, 3}, {6, 3}, {6, 3}} {
		if got[i].Return != want.r || got[i].Length != want.l || got[i].Time < 0 {
			t.Errorf("episode %d: %+v; want return %g length %d", i, got[i], want.r, want.l)
		}
	}
	if w.EpisodeCount() != 3 {
		t.Errorf("EpisodeCount = %d", w.EpisodeCount())
	}
	if r, l := w.Returns(), w.Lengths(); !reflect.DeepEqual(r, []float64{6, 6}) || !reflect.DeepEqual(l, []int{3, 3}) {
		t.Errorf("Returns %v Lengths %v; want the last two episodes", r, l)
	}
	if len(w.Times()) != 2 || w.BufferLength() != 2 {
		t.Errorf("Times %v BufferLength %d", w.Times(), w.BufferLength())
	}
	if last, ok := w.LastEpisode(); !ok || last.Return != 6 {
		t.Errorf("LastEpisode = %+v, %v", last, ok)
	}
	if Unwrapped(w) != Env(inner) {
		t.Error("Unwrapped did not reach the inner env")
	}
}

func TestRecordEpisodeStatisticsRing(t *testing.T) {
	w := NewRecordEpisodeStatistics(&countEnv{length: 1}, 3)
	for i := range 5 {
		w.Reset(nil)
		StepDiscrete(w, i%2) // returns 1, 2, 1, 2, 1
	}
	if got := w.Returns(); !reflect.DeepEqual(got, []float64{1, 2, 1}) {
		t.Errorf("Returns = %v; want the last three, oldest first", got)
	}
	mustPanic(t, "buffer of 0 episodes", func() { NewRecordEpisodeStatistics(&countEnv{}, 0) })
}

// infoEnv returns a non-nil info at every step.
type infoEnv struct {
	countEnv
	info Info
}

func (e *infoEnv) Step(a []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, _ := e.countEnv.Step(a)
	return obs, r, term, trunc, e.info
}

func TestRecordEpisodeStatisticsInfo(t *testing.T) {
	inner := &infoEnv{countEnv: countEnv{length: 1}, info: Info{"lives": 3}}
	w := NewRecordEpisodeStatistics(inner, 10)
	w.Reset(nil)
	_, _, _, _, info := StepDiscrete(w, 0)
	if info["lives"] != 3 {
		t.Errorf("the env's info lost its keys: %v", info)
	}
	if s, ok := EpisodeInfo(info); !ok || s.Length != 1 {
		t.Errorf("EpisodeInfo = %+v, %v", s, ok)
	}
	// The env reuses its map: the key set at the end of an episode must not linger.
	StepDiscrete(w, 0)
	w.Reset(nil)
	inner.length = 2
	if _, _, _, _, info := StepDiscrete(w, 0); info["lives"] != 3 {
		t.Errorf("info %v", info)
	} else if _, ok := EpisodeInfo(info); ok {
		t.Error("the previous episode's statistics lingered in the env's reused info")
	}
	if _, _, _, _, info := StepDiscrete(w, 0); info == nil {
		t.Error("no info at the end")
	} else if s, ok := EpisodeInfo(info); !ok || s.Length != 2 {
		t.Errorf("second episode: %+v, %v", s, ok)
	}
	// Applied twice, the outer wrapper finds the key already set.
	twice := NewRecordEpisodeStatistics(NewRecordEpisodeStatistics(&countEnv{length: 1}, 1), 1)
	twice.Reset(nil)
	mustPanic(t, "already holds \"episode\"", func() { StepDiscrete(twice, 0) })
	if _, ok := EpisodeInfo(Info{EpisodeKey: EpisodeStats{Return: 2}}); !ok {
		t.Error("EpisodeInfo rejected a stored value")
	}
	if _, ok := EpisodeInfo(nil); ok {
		t.Error("EpisodeInfo(nil) reported an episode")
	}
}

// rmsReference computes the statistics RunningMeanStd must reach after seeing samples, in
// closed form: the prior (mean 0, variance 1) weighs 1e-4 samples, and Chan's merge is exact.
func rmsReference(samples [][]float64) (mean, vari []float64, count float64) {
	d := len(samples[0])
	count = 1e-4 + float64(len(samples))
	mean, vari = make([]float64, d), make([]float64, d)
	for j := range d {
		s, s2 := 0.0, 1e-4*1 // the prior's second moment: var 1 + mean 0²
		for _, x := range samples {
			s += x[j]
			s2 += x[j] * x[j]
		}
		mean[j] = s / count
		vari[j] = s2/count - mean[j]*mean[j]
	}
	return mean, vari, count
}

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestRunningMeanStd(t *testing.T) {
	r := NewRand(9)
	var samples [][]float64
	for range 40 {
		samples = append(samples, []float64{r.NormFloat64()*3 + 1, r.Float64(), -7})
	}
	flat := func(rows [][]float64) []float32 {
		var out []float32
		for _, row := range rows {
			for _, v := range row {
				out = append(out, float32(v))
			}
		}
		return out
	}
	// The samples as float32, which is what Update sees.
	for _, row := range samples {
		for j := range row {
			row[j] = float64(float32(row[j]))
		}
	}
	wantMean, wantVar, wantCount := rmsReference(samples)
	splits := map[string][]int{"one at a time": nil, "one batch": {40}, "uneven batches": {1, 7, 12, 20}}
	for name, sizes := range splits {
		t.Run(name, func(t *testing.T) {
			rms := NewRunningMeanStd(3)
			if sizes == nil {
				for _, row := range samples {
					rms.Update(flat([][]float64{row}))
				}
			} else {
				i := 0
				for _, n := range sizes {
					rms.Update(flat(samples[i : i+n]))
					i += n
				}
			}
			if !closeTo(rms.Count, wantCount, 1e-12) {
				t.Errorf("Count = %v; want %v", rms.Count, wantCount)
			}
			for j := range 3 {
				if !closeTo(rms.Mean[j], wantMean[j], 1e-9) || !closeTo(rms.Var[j], wantVar[j], 1e-9) {
					t.Errorf("element %d: mean %v var %v; want %v %v", j, rms.Mean[j], rms.Var[j], wantMean[j], wantVar[j])
				}
			}
		})
	}
}

func TestRunningMeanStdFirstUpdate(t *testing.T) {
	// Gymnasium's numbers for one sample x = 2 from the initial state, by hand:
	// tot = 1.0001, mean = 2/1.0001, var = (1e-4 + 4·1e-4/1.0001)/1.0001.
	rms := NewRunningMeanStd(1)
	rms.Update([]float32{2})
	if rms.Mean[0] != 2*1/1.0001 || rms.Var[0] != (1*1e-4+0*1+2*2*1e-4*1/1.0001)/1.0001 || rms.Count != 1.0001 {
		t.Errorf("after one update: %+v", rms)
	}
	out := make([]float32, 1)
	rms.Normalize(out, []float32{2}, 1e-8)
	if want := float32((2 - rms.Mean[0]) / math.Sqrt(rms.Var[0]+1e-8)); out[0] != want {
		t.Errorf("Normalize = %v; want %v", out[0], want)
	}
}

func TestRunningMeanStdStateAndFreeze(t *testing.T) {
	rms := NewRunningMeanStd(2)
	if err := rms.Set([]float64{1, 2}, []float64{4, 9}, 10); err != nil {
		t.Fatal(err)
	}
	rms.Frozen = true
	rms.Update([]float32{100, 100})
	rms.Update64([]float64{100, 100})
	rms.UpdateFromMoments([]float64{5, 5}, []float64{1, 1}, 3)
	if rms.Mean[0] != 1 || rms.Var[1] != 9 || rms.Count != 10 {
		t.Errorf("frozen statistics changed: %+v", rms)
	}
	dst := make([]float32, 4)
	rms.Normalize(dst, []float32{3, 5, 1, 2}, 0) // two rows
	if !reflect.DeepEqual(dst, []float32{1, 1, 0, 0}) {
		t.Errorf("Normalize = %v; want [1 1 0 0]", dst)
	}

	c := rms.Clone()
	c.Mean[0] = 50
	if rms.Mean[0] != 1 || !c.Frozen {
		t.Error("Clone shares its slices or lost Frozen")
	}

	// A JSON round trip keeps the state and the decoded value works.
	data, err := json.Marshal(rms)
	if err != nil {
		t.Fatal(err)
	}
	var back RunningMeanStd
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	back.Frozen = false
	back.Update([]float32{1, 2})
	if back.Count != 11 || back.Mean[0] != 1 {
		t.Errorf("decoded statistics after an update: %+v", back)
	}

	bad := []struct {
		mean, vari []float64
		count      float64
		want       string
	}{
		{[]float64{0}, []float64{1, 1}, 1, "1 means and 2 variances"},
		{[]float64{0, 0}, []float64{1, -1}, 1, "var[1] = -1"},
		{[]float64{0, math.NaN()}, []float64{1, 1}, 1, "mean[1] = NaN"},
		{[]float64{0, 0}, []float64{1, 1}, 0, "count 0"},
		{[]float64{0, 0}, []float64{1, math.Inf(1)}, 1, "var[1] = +Inf"},
	}
	for _, b := range bad {
		if err := rms.Set(b.mean, b.vari, b.count); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Set(%v, %v, %v) = %v; want an error containing %q", b.mean, b.vari, b.count, err, b.want)
		}
	}
	if rms.Mean[0] != 1 || rms.Count != 10 {
		t.Error("a rejected Set changed the statistics")
	}
	mustPanic(t, "want a positive multiple of 2", func() { NewRunningMeanStd(2).Update([]float32{1, 2, 3}) })
	mustPanic(t, "want equal lengths", func() { rms.Normalize(make([]float32, 1), []float32{1, 2}, 0) })
	mustPanic(t, "at least 1", func() { NewRunningMeanStd(0) })
}

// seqEnv returns fixed observations and rewards, terminating where term says.
type seqEnv struct {
	obs     [][]float32
	rewards []float64
	term    []bool
	t       int
}

func (s *seqEnv) ObservationSpace() Space { return NewUniformBox(-100, 100, len(s.obs[0])) }
func (s *seqEnv) ActionSpace() Space      { return NewDiscrete(1) }
func (s *seqEnv) Reset(*uint64) ([]float32, Info) {
	return s.obs[0], nil
}
func (s *seqEnv) Step([]float32) ([]float32, float64, bool, bool, Info) {
	s.t++
	i := s.t % len(s.rewards)
	return s.obs[s.t%len(s.obs)], s.rewards[i], s.term[i], false, nil
}
func (s *seqEnv) Render() *image.RGBA { return nil }
func (s *seqEnv) Close() error        { return nil }

func TestNormalizeObservation(t *testing.T) {
	obs := [][]float32{{1, 10}, {3, 10}, {-2, 10}, {7, 10}}
	e := NewNormalizeObservation(&seqEnv{obs: obs, rewards: []float64{0}, term: []bool{false}})
	if s := e.ObservationSpace().String(); s != "Box(-inf, inf, (2,), float32)" {
		t.Errorf("space %s", s)
	}
	var seen [][]float64
	check := func(got []float32, raw []float32) {
		t.Helper()
		seen = append(seen, []float64{float64(raw[0]), float64(raw[1])})
		mean, vari, _ := rmsReference(seen)
		for j := range got {
			want := (float64(raw[j]) - mean[j]) / math.Sqrt(vari[j]+1e-8)
			if !closeTo(float64(got[j]), want, 1e-6) {
				t.Errorf("after %d observations element %d = %v; want %v", len(seen), j, got[j], want)
			}
		}
	}
	got, _ := e.Reset(nil)
	check(got, obs[0])
	for i := 1; i < 4; i++ {
		got, _, _, _, _ = e.Step([]float32{0})
		check(got, obs[i])
	}
	// Frozen statistics normalize without learning.
	e.RMS().Frozen = true
	before := e.RMS().Clone()
	got, _ = e.Reset(nil)
	if e.RMS().Count != before.Count {
		t.Error("frozen statistics were updated")
	}
	if want := float32((1 - before.Mean[0]) / math.Sqrt(before.Var[0]+1e-8)); got[0] != want {
		t.Errorf("frozen: %v; want %v", got[0], want)
	}
	// Shared statistics: an evaluation env reuses the training env's.
	eval := NewNormalizeObservation(&seqEnv{obs: obs, rewards: []float64{0}, term: []bool{false}})
	eval.SetRMS(e.RMS())
	got2, _ := eval.Reset(nil)
	if got2[0] != got[0] {
		t.Errorf("shared statistics gave %v and %v", got2[0], got[0])
	}
	mustPanic(t, "statistics of 3 elements for observations of 2", func() { eval.SetRMS(NewRunningMeanStd(3)) })
}

func TestNormalizeReward(t *testing.T) {
	rewards := []float64{0, 1, -2, 3, 0.5, 4, 1}
	term := []bool{false, false, false, true, false, false, true}
	const gamma = 0.9
	e := NewNormalizeReward(&seqEnv{obs: [][]float32{{0}}, rewards: rewards, term: term}, gamma)
	e.Reset(nil)
	var g float64
	var returns [][]float64
	for step := range 2 * len(rewards) {
		i := (step + 1) % len(rewards)
		_, got, _, _, _ := e.Step([]float32{0})
		notTerm := 1.0
		if term[i] {
			notTerm = 0
		}
		g = g*gamma*notTerm + rewards[i]
		returns = append(returns, []float64{g})
		_, vari, _ := rmsReference(returns)
		want := rewards[i] / math.Sqrt(vari[0]+1e-8)
		if !closeTo(got, want, 1e-9) || !closeTo(e.DiscountedReturn(), g, 1e-12) {
			t.Fatalf("step %d: reward %v (return %v); want %v (return %v)", step, got, e.DiscountedReturn(), want, g)
		}
		if step == 5 {
			e.Reset(nil) // Gymnasium keeps the return across Reset
		}
	}
	mustPanic(t, "want 1", func() { e.SetRMS(NewRunningMeanStd(2)) })
}

func TestClipAction(t *testing.T) {
	inner := newBoxEnv([]float32{-1, 0}, []float32{1, 2})
	e := NewClipAction(inner)
	if s := e.ActionSpace().String(); s != "Box(-inf, inf, (2,), float32)" {
		t.Errorf("action space %s", s)
	}
	tests := []struct{ in, want []float32 }{
		{[]float32{0.5, 1}, []float32{0.5, 1}},
		{[]float32{5, -3}, []float32{1, 0}},
		{[]float32{-5, 3}, []float32{-1, 2}},
		{[]float32{ninf, inf}, []float32{-1, 2}},
	}
	e.Reset(nil)
	for _, tt := range tests {
		obs, _, _, _, _ := e.Step(tt.in)
		if !reflect.DeepEqual(obs, tt.want) {
			t.Errorf("Step(%v) gave the env %v; want %v", tt.in, obs, tt.want)
		}
	}
	mustPanic(t, "box: action [NaN 0]", func() { e.Step([]float32{nan, 0}) })
	mustPanic(t, "action of 1 elements; want 2", func() { e.Step([]float32{0}) })
	mustPanic(t, "needs a Box action space", func() { NewClipAction(&countEnv{}) })
}

func TestRescaleAction(t *testing.T) {
	tests := []struct {
		name       string
		low, high  []float32
		minA, maxA []float32
		in, want   []float32
		wantSpace  string
	}{
		{"[-1,1] onto [0,10]", []float32{0}, []float32{10}, []float32{-1}, []float32{1}, []float32{0}, []float32{5}, "Box(-1.0, 1.0, (1,), float32)"},
		{"low end", []float32{0}, []float32{10}, []float32{-1}, []float32{1}, []float32{-1}, []float32{0}, ""},
		{"high end", []float32{-2}, []float32{2}, []float32{-1}, []float32{1}, []float32{1}, []float32{2}, ""},
		{"broadcast", []float32{-2, 0}, []float32{2, 1}, []float32{-1}, []float32{1}, []float32{0.5, 0.5}, []float32{1, 0.75}, "Box(-1.0, 1.0, (2,), float32)"},
		{"per element", []float32{0, 0}, []float32{1, 1}, []float32{0, -10}, []float32{2, 10}, []float32{1, 5}, []float32{0.5, 0.75}, "Box([0.0 -10.0], [2.0 10.0], (2,), float32)"},
		{"unbounded passes through", []float32{ninf}, []float32{inf}, []float32{ninf}, []float32{inf}, []float32{3}, []float32{3}, "Box(-inf, inf, (1,), float32)"},
		{"low-bounded shifts", []float32{2}, []float32{inf}, []float32{0}, []float32{inf}, []float32{1.5}, []float32{3.5}, ""},
		{"high-bounded shifts", []float32{ninf}, []float32{2}, []float32{ninf}, []float32{0}, []float32{-1}, []float32{1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewRescaleAction(newBoxEnv(tt.low, tt.high), tt.minA, tt.maxA)
			if tt.wantSpace != "" && e.ActionSpace().String() != tt.wantSpace {
				t.Errorf("action space %v; want %s", e.ActionSpace(), tt.wantSpace)
			}
			e.Reset(nil)
			obs, _, _, _, _ := e.Step(tt.in)
			if !reflect.DeepEqual(obs, tt.want) {
				t.Errorf("Step(%v) gave the env %v; want %v", tt.in, obs, tt.want)
			}
		})
	}
}

func TestRescaleActionOutsideIsNotClamped(t *testing.T) {
	// The env's action space is [-1, 1] but it accepts [-10, 10], so that the map of an action
	// outside the wrapper's [0, 1] reaches it unclamped: −1 + (2 − 0)·2 = 3.
	inner := &fixedAct{boxEnv: newBoxEnv([]float32{-10}, []float32{10}), act: NewBox([]float32{-1}, []float32{1})}
	e := NewRescaleAction(inner, []float32{0}, []float32{1})
	e.Reset(nil)
	if obs, _, _, _, _ := e.Step([]float32{2}); obs[0] != 3 {
		t.Errorf("Step(2) gave the env %v; want 3", obs[0])
	}
}

// fixedAct reports a different action space from its inner boxEnv's, to test a wrapper's map
// without the inner env's bound check.
type fixedAct struct {
	*boxEnv
	act *Box
}

func (f *fixedAct) ActionSpace() Space { return f.act }

func TestRescaleActionEndpointsStayInside(t *testing.T) {
	// Awkward bounds whose float32 map may round past them without the clamp.
	r := NewRand(4)
	for range 500 {
		lo := float32(r.NormFloat64() * 100)
		hi := lo + float32(r.Float64()*1000)
		if hi == lo {
			continue
		}
		e := NewRescaleAction(newBoxEnv([]float32{lo}, []float32{hi}), []float32{-1}, []float32{1})
		e.Reset(nil)
		for _, a := range []float32{-1, 1, 0.3} {
			e.Step([]float32{a}) // the inner boxEnv panics on an action outside [lo, hi]
		}
	}
}

func TestRescaleActionPanics(t *testing.T) {
	box := newBoxEnv([]float32{0, ninf}, []float32{1, 1})
	mustPanic(t, "needs a Box action space", func() { NewRescaleAction(&countEnv{}, []float32{-1}, []float32{1}) })
	mustPanic(t, "minAction has 3 elements; want 1 or 2", func() { NewRescaleAction(box, []float32{0, 0, 0}, []float32{1}) })
	mustPanic(t, "element 1: minAction -1 and the env's low -Inf", func() { NewRescaleAction(box, []float32{-1}, []float32{1}) })
	mustPanic(t, "element 0: minAction 2 > maxAction 1", func() { NewRescaleAction(box, []float32{2, ninf}, []float32{1, 1}) })
	mustPanic(t, "maxAction +Inf and the env's high 1", func() { NewRescaleAction(box, []float32{0, ninf}, []float32{inf, 1}) })
}

func TestTransformObservationAndReward(t *testing.T) {
	inner := &countEnv{length: 5}
	space := NewUniformBox(0, 1e7, 1)
	e := NewTransformReward(NewTransformObservation(inner, space, func(dst, obs []float32) {
		dst[0] = obs[0]*100 + obs[1]
	}), func(r float64) float64 { return -r })
	inner.id = 3
	obs, _ := e.Reset(nil)
	if !reflect.DeepEqual(obs, []float32{300}) || e.ObservationSpace() != Space(space) {
		t.Errorf("Reset gave %v, space %v", obs, e.ObservationSpace())
	}
	obs, r, _, _, _ := StepDiscrete(e, 1)
	if !reflect.DeepEqual(obs, []float32{301}) || r != -2 {
		t.Errorf("Step gave %v, %v; want [301], -2", obs, r)
	}
	keep := NewTransformObservation(inner, nil, func(dst, obs []float32) { copy(dst, obs) })
	if keep.ObservationSpace().String() != inner.ObservationSpace().String() {
		t.Error("a nil space did not keep the env's")
	}
	if err := Check(NewTransformObservation(newWalk(walkBugs{}), nil, func(dst, obs []float32) {
		dst[0], dst[1] = obs[0], obs[1]*5 // leaves the space when |v| > 1/5
	})); err == nil || !strings.Contains(err.Error(), "observation space:") {
		t.Errorf("Check of a transform that leaves its space: %v", err)
	}
	mustPanic(t, "nil function", func() { NewTransformReward(inner, nil) })
	mustPanic(t, "nil function", func() { NewTransformObservation(inner, nil, nil) })
}

func TestFrameStack(t *testing.T) {
	obs := [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}}
	newSeq := func() *seqEnv { return &seqEnv{obs: obs, rewards: []float64{0}, term: []bool{false}} }
	tests := []struct {
		name  string
		k     int
		pad   Padding
		reset []float32
		steps [][]float32
	}{
		{"reset padding", 3, PadReset(), []float32{1, 2, 1, 2, 1, 2}, [][]float32{{1, 2, 1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}, {3, 4, 5, 6, 7, 8}}},
		{"zero padding", 3, PadZero(), []float32{0, 0, 0, 0, 1, 2}, [][]float32{{0, 0, 1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}}},
		{"custom padding", 2, PadWith([]float32{-1, -2}), []float32{-1, -2, 1, 2}, [][]float32{{1, 2, 3, 4}}},
		{"one frame", 1, PadReset(), []float32{1, 2}, [][]float32{{3, 4}, {5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewFrameStack(newSeq(), tt.k, tt.pad)
			for ep := range 2 {
				got, _ := e.Reset(nil)
				if !reflect.DeepEqual(got, tt.reset) {
					t.Fatalf("episode %d Reset = %v; want %v", ep, got, tt.reset)
				}
				e.Env.(*seqEnv).t = 0
				for i, want := range tt.steps {
					got, _, _, _, _ := e.Step([]float32{0})
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("episode %d step %d = %v; want %v", ep, i, got, want)
					}
				}
			}
			if e.K() != tt.k {
				t.Errorf("K = %d", e.K())
			}
		})
	}
}

func TestFrameStackSpaces(t *testing.T) {
	tests := []struct {
		inner Space
		want  string
		zero  []float32
	}{
		{NewBox([]float32{-1, 2}, []float32{1, 3}), "Box([-1.0 2.0 -1.0 2.0 -1.0 2.0], [1.0 3.0 1.0 3.0 1.0 3.0], (3, 2), float32)", []float32{0, 2}},
		{NewUniformBox(0, 1, 2, 2), "Box(0.0, 1.0, (3, 2, 2), float32)", []float32{0, 0, 0, 0}},
		{NewDiscrete(4), "MultiDiscrete([4 4 4])", []float32{0}},
		{MultiDiscrete{Nvec: []int{2, 3}}, "MultiDiscrete([2 3 2 3 2 3])", []float32{0, 0}},
		{MultiBinary{N: 2}, "MultiBinary(6)", []float32{0, 0}},
	}
	for _, tt := range tests {
		e := NewFrameStack(&spaceEnv{obs: tt.inner}, 3, PadZero())
		if got := e.ObservationSpace().String(); got != tt.want {
			t.Errorf("stack of %v: %s; want %s", tt.inner, got, tt.want)
		}
		if got := zeroPoint(tt.inner); !reflect.DeepEqual(got, tt.zero) {
			t.Errorf("zero point of %v = %v; want %v", tt.inner, got, tt.zero)
		}
	}
	if got := zeroPoint(Discrete{N: 3, Start: 2}); got[0] != 2 {
		t.Errorf("zero point of a Discrete starting at 2 = %v", got)
	}
	mustPanic(t, "MultiDiscrete has no start", func() { NewFrameStack(&spaceEnv{obs: Discrete{N: 3, Start: 1}}, 2, PadReset()) })
	mustPanic(t, "at least 1", func() { NewFrameStack(&spaceEnv{obs: NewDiscrete(2)}, 0, PadReset()) })
	mustPanic(t, "padding [5] is not in the observation space", func() { NewFrameStack(&spaceEnv{obs: NewDiscrete(2)}, 2, PadWith([]float32{5})) })
	mustPanic(t, "cannot stack observations of Lying()", func() { NewFrameStack(&spaceEnv{obs: lyingSpace{}}, 2, PadReset()) })
}

// spaceEnv only reports an observation space.
type spaceEnv struct {
	countEnv
	obs Space
}

func (s *spaceEnv) ObservationSpace() Space { return s.obs }

func TestUnwrappedThroughEveryWrapper(t *testing.T) {
	inner := newBoxEnv([]float32{-1}, []float32{1})
	var e Env = inner
	e = NewTimeLimit(e, 5)
	e = NewRecordEpisodeStatistics(e, 3)
	e = NewNormalizeObservation(e)
	e = NewNormalizeReward(e, 0.99)
	e = NewRescaleAction(e, []float32{-2}, []float32{2})
	e = NewClipAction(e)
	e = NewTransformObservation(e, nil, func(dst, obs []float32) { copy(dst, obs) })
	e = NewTransformReward(e, func(r float64) float64 { return r })
	e = NewFrameStack(e, 2, PadReset())
	if Unwrapped(e) != Env(inner) {
		t.Errorf("Unwrapped = %T", Unwrapped(e))
	}
}

// TestWrappersDoNotAllocate steps every wrapper, episode ends and resets included.
func TestWrappersDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	walk := func() Env { return NewTimeLimit(newWalk(walkBugs{}), 20) }
	box := func() Env { return newBoxEnv([]float32{-1, -1}, []float32{1, 1}) }
	tests := []struct {
		name string
		e    Env
		act  func(i int, a []float32)
	}{
		{"TimeLimit", walk(), nil},
		{"RecordEpisodeStatistics", NewRecordEpisodeStatistics(walk(), 5), nil},
		{"NormalizeObservation", NewNormalizeObservation(walk()), nil},
		{"NormalizeReward", NewNormalizeReward(walk(), 0.99), nil},
		{"TransformObservation", NewTransformObservation(walk(), nil, func(dst, obs []float32) { copy(dst, obs) }), nil},
		{"TransformReward", NewTransformReward(walk(), math.Abs), nil},
		{"FrameStack", NewFrameStack(walk(), 4, PadReset()), nil},
		{"ClipAction", NewClipAction(box()), func(i int, a []float32) { a[0], a[1] = float32(i%7)-3, 0.5 }},
		{"RescaleAction", NewRescaleAction(box(), []float32{0}, []float32{10}), func(i int, a []float32) { a[0], a[1] = float32(i%11), 3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			e.Reset(Seed(0))
			a := make([]float32, e.ActionSpace().Dim())
			i := 0
			allocs := testing.AllocsPerRun(300, func() {
				i++
				if tt.act != nil {
					tt.act(i, a)
				} else {
					a[0] = float32(i % 3)
				}
				if _, _, term, trunc, _ := e.Step(a); term || trunc {
					e.Reset(nil)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per step; want 0", allocs)
			}
		})
	}
}
