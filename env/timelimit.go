package env

import (
	"fmt"
	"image"
)

// TimeLimit truncates episodes after MaxSteps steps, as Gymnasium's TimeLimit wrapper: the step
// that reaches the limit returns truncated=true (and terminated as the env says). Make adds it
// from the spec's MaxEpisodeSteps, so time limits never live inside an env's dynamics.
type TimeLimit struct {
	Env
	MaxSteps int
	elapsed  int
}

// NewTimeLimit wraps e. It panics if maxSteps < 1.
func NewTimeLimit(e Env, maxSteps int) *TimeLimit {
	if maxSteps < 1 {
		panic(fmt.Sprintf("env: TimeLimit of %d steps; want at least 1", maxSteps))
	}
	return &TimeLimit{Env: e, MaxSteps: maxSteps}
}

func (t *TimeLimit) Reset(seed *uint64) ([]float32, Info) {
	t.elapsed = 0
	return t.Env.Reset(seed)
}

func (t *TimeLimit) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := t.Env.Step(action)
	t.elapsed++
	if t.elapsed >= t.MaxSteps {
		trunc = true
	}
	return obs, r, term, trunc, info
}

// ElapsedSteps is the number of steps since the last Reset.
func (t *TimeLimit) ElapsedSteps() int { return t.elapsed }

func (t *TimeLimit) Unwrap() Env             { return t.Env }
func (t *TimeLimit) Render() *image.RGBA     { return t.Env.Render() }
func (t *TimeLimit) ObservationSpace() Space { return t.Env.ObservationSpace() }
