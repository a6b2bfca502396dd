package workers

import "testing"

// fakeSplitter is a Splitter on 2 threads whose calls take serialNs or splitNs on a fake
// clock, and that records how many calls ran split.
type fakeSplitter struct {
	*Splitter
	clock             int64
	serialNs, splitNs int64
	splitCalls        int
}

func newFakeSplitter(serialNs, splitNs int64) *fakeSplitter {
	f := &fakeSplitter{Splitter: NewSplitter(2), serialNs: serialNs, splitNs: splitNs}
	f.now = func() int64 { return f.clock }
	f.run = func(threads, parts int, t Task) {
		if threads > 1 {
			f.clock += f.splitNs
			f.splitCalls++
		} else {
			f.clock += f.serialNs
		}
		Run(1, parts, t)
	}
	return f
}

// calls runs n calls and returns how many ran split.
func (f *fakeSplitter) calls(n int) int {
	before := f.splitCalls
	task := &sumTask{}
	for range n {
		f.Run(4, task)
	}
	if got := task.total(); got != int64(n)*6 {
		panic("a call skipped parts")
	}
	return f.splitCalls - before
}

// TestSplitterPrefersTheFasterWay: once both ways are timed, the faster one runs every call
// but the probes of the other (a warm-up call and a timed call), which come at most once in
// sampleEvery·probeEvery calls and cost at most 1/probeBudget of the time.
func TestSplitterPrefersTheFasterWay(t *testing.T) {
	const n = 100 * sampleEvery * probeEvery
	for _, c := range []struct {
		name              string
		serialNs, splitNs int64
	}{
		{"splitting pays", 3000, 1000},
		{"too little work to split", 1000, 3000},
		{"tiny work, splitting 100× slower", 400, 40000},
		{"splitting 5% faster, not worth a second core", 1000, 950},
	} {
		f := newFakeSplitter(c.serialNs, c.splitNs)
		f.calls(2 * sampleEvery)
		want := float64(c.splitNs) < splitMargin*float64(c.serialNs)
		if f.Split() != want {
			t.Errorf("%s: chose split=%v after timing both ways", c.name, f.Split())
			continue
		}
		start, splitCalls := f.clock, f.calls(n)
		losing := splitCalls // calls that ran the way not chosen
		if want {
			losing = n - splitCalls
		}
		if most := 2 * n / (sampleEvery * probeEvery); losing > most {
			t.Errorf("%s: %d of %d calls ran the slower way; want at most %d", c.name, losing, n, most)
		}
		elapsed := float64(f.clock - start)
		best := float64(n * c.serialNs) // the chosen way's time
		if want {
			best = float64(n * c.splitNs)
		}
		if lost := elapsed - best; lost > 2*best/probeBudget+2*float64(max(c.serialNs, c.splitNs)) {
			t.Errorf("%s: probes cost %.0fns of %.0fns; want at most 1/%d", c.name, lost, elapsed, probeBudget)
		}
	}
}

// TestSplitterFollowsChanges: when the other way becomes faster (another process takes or
// frees the second core), the choice follows at the next probe.
func TestSplitterFollowsChanges(t *testing.T) {
	f := newFakeSplitter(1000, 3000)
	f.calls(100 * sampleEvery * probeEvery)
	if f.Split() {
		t.Fatal("chose split while serial is faster")
	}
	f.serialNs, f.splitNs = 3000, 1000
	f.calls(4 * sampleEvery * probeEvery)
	if !f.Split() {
		t.Error("still serial after split became 3× faster")
	}
	f.calls(100 * sampleEvery * probeEvery)
	f.serialNs, f.splitNs = 1000, 3000
	f.calls(4 * sampleEvery * probeEvery)
	if f.Split() {
		t.Error("still split after serial became 3× faster")
	}
}

// TestSplitterIgnoresAnOutlier: one call preempted for a long time (1000× its usual
// duration) does not flip a clear choice.
func TestSplitterIgnoresAnOutlier(t *testing.T) {
	f := newFakeSplitter(3000, 1000)
	f.calls(10 * sampleEvery * probeEvery)
	f.calls(sampleEvery - 1 - int(f.Splitter.calls%sampleEvery)) // the next call is timed
	for f.probeDue() {
		f.calls(sampleEvery)
	}
	f.splitNs = 1000 * 1000 // the next call, timed and split, takes 1000× longer
	f.calls(1)
	f.splitNs = 1000
	if !f.Split() {
		t.Error("one slow split call turned the choice to serial")
	}
}

// TestSplitterOneThread: with one thread or one part, every call runs serially, untimed.
func TestSplitterOneThread(t *testing.T) {
	f := newFakeSplitter(1000, 1)
	f.threads = 1
	if split := f.calls(1000); split != 0 || f.clock != 1000*1000 || f.avg != [2]float64{} {
		t.Errorf("1 thread: %d split calls, averages %v", split, f.avg)
	}
	g := newFakeSplitter(1000, 1)
	task := &sumTask{}
	for range 1000 {
		g.Run(1, task)
	}
	if g.splitCalls != 0 {
		t.Errorf("1 part: %d split calls", g.splitCalls)
	}
}

func TestSplitterDoesNotAllocate(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	s := NewSplitter(2)
	task := &sumTask{}
	for range 2 * sampleEvery {
		s.Run(10, task)
	}
	if a := testing.AllocsPerRun(1000, func() { s.Run(10, task) }); a != 0 {
		t.Errorf("Splitter.Run: %.2f allocations a call, want 0", a)
	}
}
