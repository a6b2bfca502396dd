package run

import (
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
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
type Progress interface {
	Update(ProgressState)
	// Done ends the display (the bar's line is finished).
	Done()
}

// NewProgressBar returns a terminal progress bar on w (github.com/schollz/progressbar/v3) showing
// env steps, steps/s and the recent mean return.
func NewProgressBar(w io.Writer, total int64) Progress {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return &barProgress{bar: bar}
}

type barProgress struct {
	bar  *progressbar.ProgressBar
	done bool
}

func (p *barProgress) Update(s ProgressState) {
	ret := "   -"
	if !math.IsNaN(s.MeanReturn) {
		ret = fmt.Sprintf("%7.1f", s.MeanReturn)
	}
	p.bar.Describe(fmt.Sprintf("%7.0f steps/s  return %s (%d ep)", s.SPS, ret, s.Episodes))
	p.bar.Set64(s.Steps)
}

func (p *barProgress) Done() {
	if !p.done {
		p.done = true
		p.bar.Finish()
	}
}

// IsTerminal reports whether f is a terminal (a character device): rlrun shows the bar only then.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
