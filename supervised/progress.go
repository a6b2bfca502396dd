package supervised

import (
	"fmt"
	"io"

	"github.com/gorl/gorl/run/rundir"
)

// ProgressState is what a Progress is told after every chunk of training.
type ProgressState struct {
	Steps, Total   int64
	StepsPerSecond float64
	// Status is the task's line: epoch, latest losses.
	Status string
}

// Progress shows training progress (rlrun fit's terminal bar).
type Progress = rundir.Progress[ProgressState]

// NewProgressBar returns a terminal progress bar on w (rlrun train's, rundir.Bar) over
// optimizer steps, with the steps per second and the task's status line.
func NewProgressBar(w io.Writer, total int64) Progress {
	return rundir.NewProgressBar(w, total, 25, func(s ProgressState) (int64, string) {
		return s.Steps, fmt.Sprintf("%6.1f steps/s  %s", s.StepsPerSecond, s.Status)
	})
}
