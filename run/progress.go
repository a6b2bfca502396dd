package run

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gorl/gorl/run/rundir"
)

// ProgressState is what a Progress is told after every chunk of training.
type ProgressState struct {
	Steps, Total int64
	// SPS is env steps per second in this session.
	SPS float64
	// MeanReturn is the mean return of the last 100 episodes (NaN before the first).
	MeanReturn float64
	Episodes   int64
}

// Progress shows training progress: rlrun's terminal bar, or a viewer's status line.
type Progress = rundir.Progress[ProgressState]

// NewProgressBar returns a terminal progress bar on w (github.com/schollz/progressbar/v3) showing
// env steps, steps/s and the recent mean return.
func NewProgressBar(w io.Writer, total int64) Progress {
	return rundir.NewProgressBar(w, total, 30, func(s ProgressState) (int64, string) {
		ret := "   -"
		if !math.IsNaN(s.MeanReturn) {
			ret = fmt.Sprintf("%7.1f", s.MeanReturn)
		}
		return s.Steps, fmt.Sprintf("%7.0f steps/s  return %s (%d ep)", s.SPS, ret, s.Episodes)
	})
}

// IsTerminal reports whether f is a terminal (a character device): rlrun shows the bar only then.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
