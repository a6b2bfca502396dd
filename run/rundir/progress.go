package rundir

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Bar is the terminal progress bar of rlrun train and rlrun fit (github.com/schollz/progressbar/v3):
// steps done of the total, elapsed and predicted time, and a description the caller formats
// (steps/s and returns, or losses). Redraws are throttled to ten a second, so Set may be called
// after every chunk of training.
type Bar struct {
	bar  *progressbar.ProgressBar
	done bool
}

// NewBar returns a bar of width characters on w over total steps.
func NewBar(w io.Writer, total int64, width int) *Bar {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(width),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return &Bar{bar: bar}
}

// Progress shows training progress after every chunk of training: rlrun's terminal bar, or a
// viewer's status line. S is what a kind of run reports (run.ProgressState has the returns,
// supervised.ProgressState the task's losses).
type Progress[S any] interface {
	Update(S)
	// Done ends the display (the bar's line is finished).
	Done()
}

// NewProgressBar returns a Progress drawn as a Bar of width characters on w over total steps:
// describe turns each update into the steps reached and the bar's description.
func NewProgressBar[S any](w io.Writer, total int64, width int, describe func(S) (steps int64, description string)) Progress[S] {
	return barProgress[S]{NewBar(w, total, width), describe}
}

type barProgress[S any] struct {
	*Bar
	describe func(S) (int64, string)
}

func (p barProgress[S]) Update(s S) { p.Set(p.describe(s)) }

// Set moves the bar to steps with the given description.
func (b *Bar) Set(steps int64, description string) {
	b.bar.Describe(description)
	b.bar.Set64(steps)
}

// Done finishes the bar's line; later calls do nothing (Train and its error path may both end
// the display).
func (b *Bar) Done() {
	if !b.done {
		b.done = true
		b.bar.Finish()
	}
}
