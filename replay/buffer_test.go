package replay

import (
	"bytes"
	"math"
	"runtime"
	"strings"
	"testing"
)

// stream imitates a vector env of n copies with NEXT_STEP autoreset: copy k's observation is
// {k, step counter of copy k}, the reward of a step is the counter it started from, and the
// episode of copy k ends after lens[k] steps (terminated when term[k], else truncated).
type stream struct {
	n         int
	lens      []int
	term      []bool
	ctr       []float32 // per-copy step counter (the observation)
	epStep    []int
	done      []bool
	obs, next []float32
	act       []float32
	rew       []float64
	te, tr    []bool
}

func newStream(lens []int, term []bool) *stream {
	n := len(lens)
	s := &stream{n: n, lens: lens, term: term, ctr: make([]float32, n), epStep: make([]int, n), done: make([]bool, n),
		obs: make([]float32, 2*n), next: make([]float32, 2*n), act: make([]float32, n), rew: make([]float64, n),
		te: make([]bool, n), tr: make([]bool, n)}
	for k := range n {
		s.next[2*k], s.next[2*k+1] = float32(k), 0
	}
	return s
}

// step advances every copy and adds the step to b.
func (s *stream) step(b *Buffer) {
	copy(s.obs, s.next)
	for k := range s.n {
		s.act[k] = float32(int(s.ctr[k]) % 3)
		if s.done[k] { // the autoreset step: the env ignores the action and reports a new episode
			s.done[k] = false
			s.epStep[k] = 0
			s.ctr[k] += 1000 // a visible jump, as a reset observation
			s.rew[k], s.te[k], s.tr[k] = 0, false, false
		} else {
			s.rew[k] = float64(s.ctr[k])
			s.ctr[k]++
			s.epStep[k]++
			end := s.epStep[k] == s.lens[k]
			s.te[k] = end && s.term[k]
			s.tr[k] = end && !s.term[k]
			s.done[k] = end
		}
		s.next[2*k], s.next[2*k+1] = float32(k), s.ctr[k]
	}
	b.Add(s.obs, s.act, s.rew, s.next, s.te, s.tr)
}

func mustNew(t testing.TB, c Config) *Buffer {
	t.Helper()
	b, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWrapAround(t *testing.T) {
	b := mustNew(t, Config{Capacity: 10, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 0.9, Seed: 1})
	s := newStream([]int{1 << 30}, []bool{true}) // one endless episode
	for range 25 {
		s.step(b)
	}
	if b.Len() != 10 || b.Slots() != 25 {
		t.Fatalf("Len %d Slots %d, want 10 and 25", b.Len(), b.Slots())
	}
	batch := b.NewBatch(500)
	b.Sample(batch)
	for j := range batch.Size {
		o, nx := batch.Obs[2*j+1], batch.NextObs[2*j+1]
		if o < 15 || o > 24 {
			t.Fatalf("sampled observation %v: only steps 15..24 are still stored", o)
		}
		if nx != o+1 || batch.Rewards[j] != o || batch.Actions[j] != float32(int(o)%3) {
			t.Fatalf("row %d: obs %v next %v reward %v action %v", j, o, nx, batch.Rewards[j], batch.Actions[j])
		}
		if batch.Discounts[j] != float32(0.9) || batch.Terminated[j] != 0 || batch.Weights[j] != 1 {
			t.Fatalf("row %d: discount %v terminated %v weight %v", j, batch.Discounts[j], batch.Terminated[j], batch.Weights[j])
		}
	}
}

func TestUniformSampling(t *testing.T) {
	const capacity = 20
	b := mustNew(t, Config{Capacity: capacity, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: 1, Seed: 7})
	s := newStream([]int{1 << 30, 1 << 30}, []bool{true, true})
	for range 33 { // 66 slots: wrapped more than three times
		s.step(b)
	}
	batch := b.NewBatch(1000)
	counts := map[[2]float32]int{}
	const draws = 200
	for range draws {
		b.Sample(batch)
		for j := range batch.Size {
			counts[[2]float32{batch.Obs[2*j], batch.Obs[2*j+1]}]++
		}
	}
	if len(counts) != capacity {
		t.Fatalf("drew %d distinct transitions, want the %d stored", len(counts), capacity)
	}
	// Chi-square with 19 degrees of freedom: the 99.9% quantile is 43.8.
	want := float64(draws*batch.Size) / capacity
	chi2 := 0.0
	for key, c := range counts {
		if key[1] < 23 || key[1] > 32 {
			t.Fatalf("drew %v, which was overwritten", key)
		}
		chi2 += (float64(c) - want) * (float64(c) - want) / want
	}
	if chi2 > 43.8 {
		t.Fatalf("chi-square %.1f over %v: not uniform", chi2, counts)
	}
}

func TestAutoresetSlotIsNotATransition(t *testing.T) {
	// Copy 0 terminates after 3 steps, copy 1 truncates after 2.
	b := mustNew(t, Config{Capacity: 64, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: 0.5, Seed: 3})
	s := newStream([]int{3, 2}, []bool{true, false})
	for range 12 {
		s.step(b)
	}
	// Copy 0: episodes of 3 steps plus an autoreset slot: 12 slots, 9 transitions; copy 1:
	// 2 + 1: 12 slots, 8 transitions.
	if b.Len() != 17 {
		t.Fatalf("Len = %d, want 17", b.Len())
	}
	batch := b.NewBatch(2000)
	b.Sample(batch)
	seenTerm, seenTrunc := false, false
	for j := range batch.Size {
		k, o, nx := batch.Obs[2*j], batch.Obs[2*j+1], batch.NextObs[2*j+1]
		if batch.NextObs[2*j] != k {
			t.Fatalf("row %d: next observation of copy %v belongs to copy %v", j, k, batch.NextObs[2*j])
		}
		// Every stored transition continues the counter by one; the autoreset steps jump by
		// 1000 and must never be drawn.
		if nx != o+1 {
			t.Fatalf("row %d (copy %v): obs %v next %v: drew an autoreset step", j, k, o, nx)
		}
		switch {
		case batch.Terminated[j] == 1:
			seenTerm = true
			if k != 0 || batch.Discounts[j] != 0 {
				t.Fatalf("row %d: terminated in copy %v with discount %v", j, k, batch.Discounts[j])
			}
		case k == 1 && int(o)%1000 == 1: // the truncated last step of a copy-1 episode
			seenTrunc = true
			if batch.Discounts[j] != 0.5 {
				t.Fatalf("truncated step: discount %v, want γ = 0.5 (bootstrap through truncation)", batch.Discounts[j])
			}
		}
	}
	if !seenTerm || !seenTrunc {
		t.Fatalf("terminated seen %v, truncated seen %v", seenTerm, seenTrunc)
	}
}

// window returns the batch row of the transition whose observation counter is ctr in copy k.
func findRow(t *testing.T, b *Buffer, k, ctr float32) (r, nx, disc, term float32) {
	t.Helper()
	batch := b.NewBatch(4000)
	b.Sample(batch)
	for j := range batch.Size {
		if batch.Obs[2*j] == k && batch.Obs[2*j+1] == ctr {
			return batch.Rewards[j], batch.NextObs[2*j+1], batch.Discounts[j], batch.Terminated[j]
		}
	}
	t.Fatalf("transition (%v, %v) never drawn", k, ctr)
	return
}

func TestNStepTargets(t *testing.T) {
	const g = 0.5
	// One copy, episodes of 5 steps ending in termination; a second copy whose episodes of 4
	// steps end in truncation. Rewards equal the step counter the step started from.
	b := mustNew(t, Config{Capacity: 128, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: g, NStep: 3, Seed: 11})
	s := newStream([]int{5, 4}, []bool{true, false})
	for range 9 { // copy 0: counters 0..4 (episode 1), autoreset, 1005..1007 (episode 2, running)
		s.step(b)
	}
	cases := []struct {
		name             string
		k, ctr           float32
		r, next, disc, t float32
	}{
		{"full window", 0, 0, 0 + g*1 + g*g*2, 3, g * g * g, 0},
		{"window cut by termination", 0, 3, 3 + g*4, 5, 0, 1},
		{"last step, terminated", 0, 4, 4, 5, 0, 1},
		{"window cut by the newest slot", 0, 1006, 1006 + g*1007, 1008, g * g, 0},
		{"newest slot", 0, 1007, 1007, 1008, g, 0},
		{"window cut by truncation bootstraps", 1, 2, 2 + g*3, 4, g * g, 0},
		{"full window in copy 1", 1, 1004, 1004 + g*1005 + g*g*1006, 1007, g * g * g, 0},
	}
	for _, c := range cases {
		r, nx, disc, term := findRow(t, b, c.k, c.ctr)
		if math.Abs(float64(r-c.r)) > 1e-3 || nx != c.next || math.Abs(float64(disc-c.disc)) > 1e-7 || term != c.t {
			t.Errorf("%s: R=%v next=%v discount=%v terminated=%v; want %v %v %v %v", c.name, r, nx, disc, term, c.r, c.next, c.disc, c.t)
		}
	}
}

func TestContinuityPanics(t *testing.T) {
	b := mustNew(t, Config{Capacity: 8, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 1})
	b.Add([]float32{0, 0}, []float32{0}, []float64{0}, []float32{0, 1}, []bool{false}, []bool{false})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "consecutive steps") {
			t.Fatalf("panic %v, want the consecutive-steps message", r)
		}
	}()
	b.Add([]float32{0, 2}, []float32{0}, []float64{0}, []float32{0, 3}, []bool{false}, []bool{false})
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Capacity: 3, NumEnvs: 2, ObsDim: 1, ActDim: 1}, "Capacity = 3"},
		{Config{Capacity: 8, NumEnvs: 0, ObsDim: 1, ActDim: 1}, "NumEnvs = 0"},
		{Config{Capacity: 8, NumEnvs: 1, ObsDim: 0, ActDim: 1}, "ObsDim = 0"},
		{Config{Capacity: 8, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 1.5}, "Gamma = 1.5"},
		{Config{Capacity: 8, NumEnvs: 1, ObsDim: 1, ActDim: 1, NStep: -1}, "NStep = -1"},
		{Config{Capacity: 8, NumEnvs: 1, ObsDim: 1, ActDim: 1, Beta0: 2}, "β0 in [0, 1]"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want an error with %q", c.cfg, err, c.want)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	for _, prio := range []bool{false, true} {
		b := mustNew(t, Config{Capacity: 1000, NumEnvs: 4, ObsDim: 2, ActDim: 1, Gamma: 0.99, NStep: 3, Prioritized: prio})
		s := newStream([]int{7, 9, 11, 13}, []bool{true, false, true, false})
		for range 300 {
			s.step(b)
		}
		batch := b.NewBatch(64)
		td := make([]float32, 64)
		if a := testing.AllocsPerRun(100, func() {
			s.step(b)
			b.Sample(batch)
			if prio {
				b.UpdatePriorities(batch.Indices, td)
			}
		}); a != 0 {
			t.Errorf("prioritized %v: %v allocations per Add+Sample, want 0", prio, a)
		}
	}
}

// TestMillionCartPoleTransitions checks the memory promise: a million CartPole transitions
// (4 float32 of observation, one discrete action) in at most 40 MB, measured on the heap.
func TestMillionCartPoleTransitions(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b := mustNew(t, Config{Capacity: 1_000_000, NumEnvs: 1, ObsDim: 4, ActDim: 1, Gamma: 0.99})
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if b.Bytes() > 40_000_000 || heap > 40_000_000 {
		t.Fatalf("a million CartPole transitions take %d bytes (%d on the heap), want at most 40 MB", b.Bytes(), heap)
	}
	t.Logf("1M CartPole transitions: %.1f MB (heap %.1f MB)", float64(b.Bytes())/1e6, float64(heap)/1e6)
	runtime.KeepAlive(b)
}

func TestSaveRestoreContinuesTheSameDraws(t *testing.T) {
	for _, prio := range []bool{false, true} {
		cfg := Config{Capacity: 50, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: 0.9, NStep: 2, Seed: 5, Prioritized: prio, BetaSteps: 200}
		a := mustNew(t, cfg)
		s := newStream([]int{6, 8}, []bool{true, false})
		for range 40 {
			s.step(a)
		}
		batchA := a.NewBatch(16)
		a.Sample(batchA)
		if prio {
			td := make([]float32, 16)
			for i := range td {
				td[i] = float32(i)
			}
			a.UpdatePriorities(batchA.Indices, td)
		}
		var buf bytes.Buffer
		if _, err := a.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		b := mustNew(t, cfg)
		if _, err := b.ReadFrom(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatal(err)
		}
		// Both continue with the same stream and must draw the same batches.
		s2 := *s
		s2.ctr, s2.epStep, s2.done = append([]float32(nil), s.ctr...), append([]int(nil), s.epStep...), append([]bool(nil), s.done...)
		s2.obs, s2.next = append([]float32(nil), s.obs...), append([]float32(nil), s.next...)
		batchB := b.NewBatch(16)
		for range 30 {
			s.step(a)
			s2.step(b)
			a.Sample(batchA)
			b.Sample(batchB)
			for j := range 16 {
				if batchA.Obs[2*j+1] != batchB.Obs[2*j+1] || batchA.Rewards[j] != batchB.Rewards[j] || batchA.Weights[j] != batchB.Weights[j] || batchA.NextObs[2*j+1] != batchB.NextObs[2*j+1] {
					t.Fatalf("prioritized %v: restored buffer drew a different batch", prio)
				}
			}
		}
		// A buffer of another shape refuses the file.
		other := mustNew(t, Config{Capacity: 60, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: 0.9, Prioritized: prio})
		if _, err := other.ReadFrom(bytes.NewReader(buf.Bytes())); err == nil || !strings.Contains(err.Error(), "capacity 50") {
			t.Fatalf("ReadFrom into another shape: %v", err)
		}
		if _, err := other.ReadFrom(strings.NewReader("nonsense")); err == nil {
			t.Fatal("ReadFrom of garbage succeeded")
		}
		if _, err := b.ReadFrom(bytes.NewReader(buf.Bytes()[:buf.Len()-10])); err == nil || b.Len() != 0 {
			t.Fatalf("ReadFrom of a truncated file: %v, Len %d", err, b.Len())
		}
	}
}

// BenchmarkAddSample measures one env step's Add plus one batch-64 draw, the DQN inner loop.
func BenchmarkAddSample(b *testing.B) {
	for _, prio := range []bool{false, true} {
		name := "uniform"
		if prio {
			name = "prioritized"
		}
		b.Run(name, func(b *testing.B) {
			buf := mustNew(b, Config{Capacity: 100_000, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 0.99, Prioritized: prio})
			s := newStream([]int{200}, []bool{true})
			for range 100_000 {
				s.step(buf)
			}
			batch := buf.NewBatch(64)
			b.ResetTimer()
			for range b.N {
				s.step(buf)
				buf.Sample(batch)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
