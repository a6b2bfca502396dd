package workers

import "time"

// Splitter runs a recurring job (a vector env's Step: the same kind of parts, call after call)
// either on the caller's goroutine alone or split over up to Threads goroutines, whichever its
// own timings show to be faster. Splitting pays only when the parts outweigh waking a worker,
// which on a virtual machine costs microseconds, and when the other core is not busy with
// another process; neither can be known in advance, so Splitter measures.
//
// # Timing
//
// One call in sampleEvery (16) is timed, two clock reads of about 100ns here. Each timed call
// feeds a moving average of its way's duration (a sample counts at most 4× the average, so
// one preempted call does not swing it), and the faster way runs the calls that are not
// probes. A probe is a timed call run the other way, so that both averages follow changes in
// the machine's load or the parts' cost: at most one timed call in probeEvery (8), and only
// once the time since the last probe is probeBudget (64) times what a probe costs, the
// difference of two calls the slower way. So probing costs at most 1/64 of the time, even for
// a job of a few hundred nanoseconds that a split call slows down a hundredfold, and a way
// that is about as fast as the other is probed often. The call before a probe
// runs the same way as the probe, so that a split probe finds the workers awake, as they would
// be if splitting were chosen (timing the first split call after a pause measures the wake-up
// of parked workers, which steady splitting does not pay).
//
// Splitting is chosen only when it is clearly faster: by splitMargin.
//
// A Splitter only changes where parts run, never what they compute: a task whose parts are
// independent gives the same results either way. It is not safe for concurrent use.
type Splitter struct {
	threads    int
	calls      uint64
	split      bool       // the current choice
	avg        [2]float64 // moving averages of a call's duration in ns: [0] serial, [1] split
	sinceProbe int        // timed calls since the last probe
	lastProbe  int64      // clock at the end of the last probe
	lastTimed  int64      // clock at the end of the last timed call

	now func() int64                     // monotonic nanoseconds; a field so tests can feed durations
	run func(threads, parts int, t Task) // Run, or a Blocks' team; a field so tests can see the choices
}

const (
	// splitMargin: a split call must take less than this share of a serial one to be chosen.
	// Splitting keeps a second core busy (and a team's helper polling between calls), so a
	// split that is barely faster is not worth that core to the other processes of the
	// machine. (Measured once at a load of ~2: 1,024 CartPole copies, ~27µs a Step, ran 1.06
	// times as fast split, for 1.7 times the CPU.)
	splitMargin = 0.9
	sampleEvery = 16 // one call in sampleEvery is timed
	probeEvery  = 8  // the shortest gap between probes, in timed calls
	probeBudget = 64 // probes cost at most 1/probeBudget of the time
)

var epoch = time.Now()

// NewSplitter returns a Splitter over up to threads goroutines (the caller's included). It
// starts split, and times both ways within its first 2·sampleEvery calls.
func NewSplitter(threads int) *Splitter {
	return &Splitter{threads: threads, split: threads > 1, run: Run,
		now: func() int64 { return int64(time.Since(epoch)) }}
}

// Split reports whether the calls that are not probes currently run split.
func (s *Splitter) Split() bool { return s.split }

// Run runs t's parts like Run(threads, parts, t), on the caller alone or split as the timings
// decide. It allocates nothing.
func (s *Splitter) Run(parts int, t Task) {
	if s.threads <= 1 || parts <= 1 {
		s.run(1, parts, t)
		return
	}
	s.calls++
	switch s.calls % sampleEvery {
	case 0:
		s.timed(parts, t)
	case sampleEvery - 1: // the call before a timed one runs the same way, to warm it up
		s.run(s.threadsFor(s.timedSplit()), parts, t)
	default:
		s.run(s.threadsFor(s.split), parts, t)
	}
}

// timedSplit is the way the next timed call runs: the other way for a probe, else the current
// choice.
func (s *Splitter) timedSplit() bool {
	if s.probeDue() {
		return !s.split
	}
	return s.split
}

// probeDue reports whether the next timed call is a probe: the other way has never been timed,
// or probeEvery timed calls have passed since the last probe and probeBudget times what a
// probe costs (two calls the slower way) has passed on the clock.
func (s *Splitter) probeDue() bool {
	other, cur := s.avg[index(!s.split)], s.avg[index(s.split)]
	if other == 0 {
		return true
	}
	return s.sinceProbe+1 >= probeEvery && float64(s.lastTimed-s.lastProbe) >= probeBudget*2*(other-cur)
}

// timed runs one timed call and updates the averages, the choice and the probe gap.
func (s *Splitter) timed(parts int, t Task) {
	probe := s.probeDue()
	split := s.split != probe
	start := s.now()
	s.run(s.threadsFor(split), parts, t)
	s.lastTimed = s.now()
	d := float64(max(s.lastTimed-start, 1)) // 0 would read as never timed
	a := &s.avg[index(split)]
	switch {
	case *a == 0:
		*a = d
	case probe: // rare samples of the other way weigh more, so that it is followed quickly
		*a += (min(d, 4**a) - *a) / 2
	default:
		*a += (min(d, 4**a) - *a) / 8
	}
	s.sinceProbe++
	if probe {
		s.sinceProbe, s.lastProbe = 0, s.lastTimed
	}
	if s.avg[0] > 0 && s.avg[1] > 0 {
		s.split = s.avg[1] < splitMargin*s.avg[0]
	}
}

func (s *Splitter) threadsFor(split bool) int {
	if split {
		return s.threads
	}
	return 1
}

func index(split bool) int {
	if split {
		return 1
	}
	return 0
}
