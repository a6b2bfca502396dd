package tabular

import (
	"fmt"
	"math"
)

// Schedule kinds: how a value moves from its initial to its final value over a fraction of
// training.
const (
	// Constant keeps the initial value throughout.
	Constant = "constant"
	// Linear goes in a straight line from the initial value at step 0 to the final value at
	// step fraction·total, then stays there (CleanRL's linear_schedule, SB3's exploration
	// schedule).
	Linear = "linear"
	// Exponential decays geometrically from the initial towards the final value, covering 99%
	// of the way by step fraction·total and approaching it ever closer afterwards.
	Exponential = "exponential"
)

// schedule is a compiled Schedule: the value at step t costs a few flops.
type schedule struct {
	kind       uint8 // 0 constant, 1 linear, 2 exponential
	start, end float64
	span       float64 // steps over which the value moves
	rate       float64 // exponential: ln(100)/span
}

// newSchedule compiles the schedule kind(initial → final over fraction·total steps). It returns
// an error for an unknown kind or a fraction outside [0, 1].
func newSchedule(name, kind string, initial, final, fraction float64, total int64) (schedule, error) {
	if !(fraction >= 0 && fraction <= 1) {
		return schedule{}, fmt.Errorf("%s fraction %v: want a fraction of training in [0, 1]", name, fraction)
	}
	s := schedule{start: initial, end: final, span: fraction * float64(total)}
	switch kind {
	case Constant, "":
		s.kind = 0
	case Linear:
		s.kind = 1
	case Exponential:
		s.kind = 2
		if s.span > 0 {
			s.rate = math.Log(100) / s.span
		}
	default:
		return schedule{}, fmt.Errorf("%s schedule %q: want %q, %q or %q", name, kind, Constant, Linear, Exponential)
	}
	return s, nil
}

// at returns the value at step t.
func (s *schedule) at(t int64) float64 {
	switch s.kind {
	case 1:
		if float64(t) >= s.span {
			return s.end
		}
		return s.start + (s.end-s.start)*float64(t)/s.span
	case 2:
		if s.span == 0 {
			return s.end
		}
		return s.end + (s.start-s.end)*math.Exp(-s.rate*float64(t))
	}
	return s.start
}
