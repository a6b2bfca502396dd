package rundir

import (
	"context"
	"time"
)

// Trainer is what a Loop drives: a run.Run or a supervised.Run.
type Trainer interface {
	// Steps returns the global step reached.
	Steps() int64
	// Advance trains until Steps() ≥ until or ctx is done. It must be chunk-invariant (training
	// in two chunks leaves the state one chunk leaves), so that the chunks a Loop picks from the
	// wall clock change nothing but the display.
	Advance(ctx context.Context, until int64) error
	// Checkpoint writes a checkpoint of the current state and returns its path; final marks the
	// checkpoint of a finished run.
	Checkpoint(final bool) (string, error)
}

// Loop is the training loop of rlrun train and rlrun fit: chunks of training, a progress report
// after each, a checkpoint every Every steps and a final one. Chunks are sized from the speed
// measured so that each lasts about ChunkSeconds, which keeps the bar lively and Ctrl-C prompt.
type Loop struct {
	Kind
	// Dir is the run directory.
	Dir string
	// Total is the global step to train to; Every the checkpoint interval, in steps (> 0).
	Total, Every int64
	// Chunk is the first chunk's steps; later ones last about ChunkSeconds (and are at most a
	// twentieth of the run).
	Chunk        int64
	ChunkSeconds float64
	// Report, when set, is called after every chunk (the progress bar).
	Report func()
	// Done, when set, ends the progress display, before the final checkpoint or the error.
	Done func()
}

// Run trains t to Total. A cancelled ctx writes a checkpoint and returns an error wrapping
// ErrInterrupted; a failure (a non-finite loss) writes none, so that latest keeps naming the
// last good checkpoint, and the error says which one and how to continue (Kind.Stopped).
func (l Loop) Run(ctx context.Context, t Trainer) error {
	steps := t.Steps()
	nextCkpt := (steps/l.Every + 1) * l.Every
	chunk := l.Chunk
	for steps < l.Total {
		until := min(l.Total, nextCkpt, steps+chunk)
		t0 := time.Now()
		err := t.Advance(ctx, until)
		dt := time.Since(t0)
		prev := steps
		steps = t.Steps()
		if l.Report != nil {
			l.Report()
		}
		if err != nil {
			l.done()
			return l.Stopped(ctx, err, l.Dir, steps, func() (string, error) { return t.Checkpoint(false) })
		}
		if done := steps - prev; done > 0 && dt > 0 {
			chunk = max(1, min(int64(float64(done)*l.ChunkSeconds/dt.Seconds()), l.Total/20+1))
		}
		if steps >= nextCkpt && steps < l.Total {
			if _, err := t.Checkpoint(false); err != nil {
				return err
			}
			nextCkpt = (steps/l.Every + 1) * l.Every
		}
	}
	l.done()
	_, err := t.Checkpoint(true)
	return err
}

func (l Loop) done() {
	if l.Done != nil {
		l.Done()
	}
}
