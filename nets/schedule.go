package nets

import "math"

// Schedule is a learning-rate (or any hyperparameter) schedule: a pure function of the step
// number, so a resumed run gets the same value at the same step without any saved state. Apply
// one with opt.SetLR(s.At(step)) before each step.
type Schedule interface {
	At(step int) float64
}

// ConstantSchedule is always Value.
type ConstantSchedule struct{ Value float64 }

// At returns Value.
func (s ConstantSchedule) At(int) float64 { return s.Value }

// LinearSchedule goes linearly from Start at step 0 to End at step Steps and stays at End after
// (SB3's linear_schedule, CleanRL's learning-rate annealing, DQN's epsilon decay; torch's
// LinearLR with start_factor·lr and end_factor·lr).
type LinearSchedule struct {
	Start, End float64
	Steps      int
}

// At returns the interpolated value at step.
func (s LinearSchedule) At(step int) float64 {
	if s.Steps <= 0 || step >= s.Steps {
		return s.End
	}
	if step <= 0 {
		return s.Start
	}
	return s.Start + (s.End-s.Start)*float64(step)/float64(s.Steps)
}

// CosineSchedule is torch's CosineAnnealingLR in closed form: Min + (Base − Min)·(1 + cos(π·t/Steps))/2
// for t ≤ Steps, and Min after.
type CosineSchedule struct {
	Base, Min float64
	Steps     int
}

// At returns the annealed value at step.
func (s CosineSchedule) At(step int) float64 {
	if s.Steps <= 0 || step >= s.Steps {
		return s.Min
	}
	if step <= 0 {
		return s.Base
	}
	return s.Min + (s.Base-s.Min)*(1+math.Cos(math.Pi*float64(step)/float64(s.Steps)))/2
}

// StepSchedule is torch's StepLR: Base·Gamma^⌊step/Every⌋.
type StepSchedule struct {
	Base, Gamma float64
	Every       int
}

// At returns the decayed value at step.
func (s StepSchedule) At(step int) float64 {
	if s.Every <= 0 || step <= 0 {
		return s.Base
	}
	return s.Base * math.Pow(s.Gamma, float64(step/s.Every))
}

var (
	_ Schedule = ConstantSchedule{}
	_ Schedule = LinearSchedule{}
	_ Schedule = CosineSchedule{}
	_ Schedule = StepSchedule{}
)
