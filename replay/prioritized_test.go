package replay

import (
	"math"
	"testing"
)

func TestSumTree(t *testing.T) {
	tr := newSumTree(5)
	for i, p := range []float64{1, 0, 3, 2, 4} {
		tr.set(i, p)
	}
	if tr.total() != 10 || tr.minimum() != 1 {
		t.Fatalf("total %v min %v", tr.total(), tr.minimum())
	}
	for _, c := range []struct {
		u    float64
		leaf int
	}{{0, 0}, {0.99, 0}, {1, 2}, {3.99, 2}, {4, 3}, {6, 4}, {9.99, 4}, {10, 4}, {11, 4}} {
		if got := tr.find(c.u); got != c.leaf {
			t.Errorf("find(%v) = %d, want %d", c.u, got, c.leaf)
		}
	}
	tr.set(0, 0)
	if tr.minimum() != 2 || tr.find(0) != 2 {
		t.Fatalf("after zeroing leaf 0: min %v find(0) %d", tr.minimum(), tr.find(0))
	}
}

// TestPrioritizedProportions fills a buffer, sets known TD errors and checks that each slot is
// drawn with probability p_i^α / Σ p^α and gets the weight (p_i/p_min)^-β.
func TestPrioritizedProportions(t *testing.T) {
	const alpha, beta = 0.7, 0.5
	b := mustNew(t, Config{Capacity: 8, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 1, Seed: 2,
		Prioritized: true, Alpha: alpha, Beta0: beta, PriorityEps: 1e-9})
	s := newStream([]int{1 << 30}, []bool{true})
	for range 8 {
		s.step(b)
	}
	td := []float32{1, 2, 3, 4, 0.5, 6, 7, 8}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	b.UpdatePriorities(idx, td)
	var mass float64
	for _, d := range td {
		mass += math.Pow(float64(d), alpha)
	}
	batch := b.NewBatch(256)
	counts := make([]int, 8)
	const rounds = 400
	for range rounds {
		b.Sample(batch)
		for j, s := range batch.Indices {
			counts[s]++
			want := math.Pow(math.Pow(float64(td[s])/0.5, alpha), -beta)
			if math.Abs(float64(batch.Weights[j])-want) > 1e-5 {
				t.Fatalf("slot %d: weight %v, want %v", s, batch.Weights[j], want)
			}
			if batch.Obs[2*j+1] != float32(s) {
				t.Fatalf("slot %d returned observation %v", s, batch.Obs[2*j+1])
			}
		}
	}
	n := float64(rounds * batch.Size)
	chi2 := 0.0
	for s, c := range counts {
		p := math.Pow(float64(td[s]), alpha) / mass
		chi2 += (float64(c) - n*p) * (float64(c) - n*p) / (n * p)
	}
	// 7 degrees of freedom: the 99.9% quantile is 24.3. Stratified draws are less spread than
	// independent ones, so this is conservative.
	if chi2 > 24.3 {
		t.Fatalf("chi-square %.1f: counts %v do not follow the priorities", chi2, counts)
	}
	if b.Priority(3) != math.Pow(4+1e-9, alpha) {
		t.Fatalf("Priority(3) = %v", b.Priority(3))
	}
}

func TestPrioritizedNewSlotsGetMaxPriorityAndInvalidNone(t *testing.T) {
	b := mustNew(t, Config{Capacity: 16, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 1, Prioritized: true, Alpha: 1, PriorityEps: 1e-12})
	s := newStream([]int{3}, []bool{true})
	s.step(b)
	b.UpdatePriorities([]int{0}, []float32{5})
	for range 4 { // steps 2, 3 (terminates), the autoreset step, and the next episode's first
		s.step(b)
	}
	want := []float64{5, 5, 5, 0, 5}
	for i, w := range want {
		if got := b.Priority(i); math.Abs(got-w) > 1e-9 {
			t.Errorf("slot %d: priority %v, want %v", i, got, w)
		}
	}
}

func TestBetaAnneals(t *testing.T) {
	b := mustNew(t, Config{Capacity: 16, NumEnvs: 2, ObsDim: 2, ActDim: 1, Gamma: 1, Prioritized: true, Beta0: 0.4, BetaSteps: 10})
	s := newStream([]int{100, 100}, []bool{true, true})
	if b.Beta() != 0.4 {
		t.Fatalf("β at 0 steps = %v", b.Beta())
	}
	for range 2 {
		s.step(b)
	}
	if math.Abs(b.Beta()-(0.4+0.6*0.4)) > 1e-12 {
		t.Fatalf("β after 4 env steps = %v", b.Beta())
	}
	for range 10 {
		s.step(b)
	}
	if b.Beta() != 1 {
		t.Fatalf("β after the annealing = %v", b.Beta())
	}
}
