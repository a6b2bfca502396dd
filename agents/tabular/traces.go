package tabular

// Eligibility traces (Sutton & Barto, chapter 12) remember which state-action pairs led to
// the current one: each TD error δ updates every pair in proportion to its trace,
//
//	e(S, A) ← 1 (replacing) or e(S, A) + 1 (accumulating)
//	Q(s, a) ← Q(s, a) + α δ e(s, a);  e(s, a) ← γλ e(s, a)   for every pair with a trace
//
// and the traces are cleared when an episode ends. Only the pairs visited since the last
// clearing carry a trace, so the update walks that list instead of the whole table
// (REINFORCEjs walks every state).
type traces struct {
	e      []float64
	listed []bool
	active []int32 // the pairs with a trace, in the order they were first visited
}

func newTraces(n int) traces {
	return traces{e: make([]float64, n), listed: make([]bool, n)}
}

// update marks pair sa as visited, applies the step alphaDelta·e to every traced pair and
// decays the traces by decay (γλ).
func (t *traces) update(q []float64, sa int, alphaDelta, decay float64, replacing bool) {
	if !t.listed[sa] {
		t.listed[sa] = true
		t.active = append(t.active, int32(sa))
	}
	if replacing {
		t.e[sa] = 1
	} else {
		t.e[sa]++
	}
	for _, i := range t.active {
		q[i] += alphaDelta * t.e[i]
		t.e[i] *= decay
	}
}

// clear drops every trace.
func (t *traces) clear() {
	for _, i := range t.active {
		t.e[i] = 0
		t.listed[i] = false
	}
	t.active = t.active[:0]
}
