package supervised

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// ProgressState is what a Progress is told after every chunk of training.
type ProgressState struct {
	Steps, Total   int64
	StepsPerSecond float64
	// Status is the task's line: epoch, latest losses.
	Status string
}

// Progress shows training progress (rlrun fit's terminal bar).
type Progress interface {
	Update(ProgressState)
	Done()
}

// NewProgressBar returns a terminal progress bar on w (github.com/schollz/progressbar/v3) over
// optimizer steps, with the steps per second and the task's status line.
func NewProgressBar(w io.Writer, total int64) Progress {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(25),
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
	p.bar.Describe(fmt.Sprintf("%6.1f steps/s  %s", s.StepsPerSecond, s.Status))
	p.bar.Set64(s.Steps)
}

func (p *barProgress) Done() {
	if !p.done {
		p.done = true
		p.bar.Finish()
	}
}
