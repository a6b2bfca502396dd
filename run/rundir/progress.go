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
