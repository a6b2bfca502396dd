package workers

import "time"

// Splitter runs a recurring job (a vector env's Step: the same kind of parts, call after call)
// either on the caller's goroutine alone or split over up to Threads goroutines, whichever its
// own timings show to be faster. Splitting pays only when the parts outweigh waking a worker,
// which on a virtual machine costs microseconds, and less than that when the other core is
// busy with another process; neither can be known in advance, so Splitter measures.
//
// # Timing
//
// One call in sampleEvery is timed (two clock reads, about 100ns here), and one timed call in
// probeEvery runs the other way, so that both durations stay current as the load of the
// machine or the cost of the parts changes. Each feeds a moving average (a sample counts at
// most 4× the average, so one preempted call does not swing it), and the faster way wins the
// calls that are not probes. A job that gains from splitting thus loses at most one call in
// sampleEvery·probeEvery to the serial probe, and one that does not runs serially but for the
// same share of split probes.
//
// A Splitter only changes where parts run, never what they compute: a task whose parts are
// independent gives the same results either way. It is not safe for concurrent use.
type Splitter struct {
	threads int
	calls   uint64
	split   bool                             // the current choice
	avg     [2]float64                       // moving averages of a call's duration in ns: [0] serial, [1] split
	now     func() int64                     // monotonic nanoseconds; a field so tests can feed durations
	run     func(threads, parts int, t Task) // Run; a field so tests can see the choices
}

const (
	sampleEvery = 16 // one call in sampleEvery is timed
	probeEvery  = 8  // one timed call in probeEvery runs the other way
)

var epoch = time.Now()

// NewSplitter returns a Splitter over up to threads goroutines (the caller's included). It
// starts split, and times both ways within its first 2·sampleEvery calls.
func NewSplitter(threads int) *Splitter {
	return &Splitter{threads: threads, split: threads > 1, run: Run,
		now: func() int64 { return int64(time.Since(epoch)) }}
}

// Threads is the most goroutines the Splitter runs parts on.
func (s *Splitter) Threads() int { return s.threads }

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
	case 0: // timed
		split := s.timedSplit(s.calls)
		start := s.now()
		s.run(s.threadsFor(split), parts, t)
		d := float64(max(s.now()-start, 1)) // 0 would read as never timed
		a := &s.avg[index(split)]
		if *a == 0 {
			*a = d
		} else {
			*a += (min(d, 4**a) - *a) / 8
		}
		if s.avg[0] > 0 && s.avg[1] > 0 {
			s.split = s.avg[1] < s.avg[0]
		}
	case sampleEvery - 1: // the call before a timed one runs the same way, to warm it up
		s.run(s.threadsFor(s.timedSplit(s.calls+1)), parts, t)
	default:
		s.run(s.threadsFor(s.split), parts, t)
	}
}

// timedSplit is the way the timed call number c runs: the current choice, or the other way
// for a probe (one timed call in probeEvery, and until both ways have been timed). The call
// before it runs the same way, so that a split probe after serial calls finds the workers
// awake, as they would be if the Splitter chose to split: timing a first split call after a
// pause measures waking parked workers, which steady splitting does not pay, and would keep
// the choice on serial.
func (s *Splitter) timedSplit(c uint64) bool {
	if s.avg[index(!s.split)] == 0 || c/sampleEvery%probeEvery == 0 {
		return !s.split
	}
	return s.split
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
