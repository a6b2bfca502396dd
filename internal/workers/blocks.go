package workers

// Blocks runs the two passes of a batch of n independent items — a vector env's Step and Reset
// over its copies — in contiguous blocks over the pool. Both vector envs (env.ParallelVector
// and classic.CartPoleVector) step through it, so that they split, time and recover alike:
//
//   - Both passes split over helper goroutines of the Blocks' own, each with a home range of
//     the blocks, which keep polling for the next call for a while before they park (see
//     team). Step goes through a Splitter, which keeps it on the caller's goroutine while that
//     is faster (a batch too cheap to split); Reset, rare and often costlier, always splits.
//   - A panic in a block is recorded and raised again in the caller's goroutine once every
//     block has finished, rather than unwinding a pool worker and killing the process. When
//     several blocks panic, the lowest block's value is raised, the same for any thread count.
//   - Blocks are fixed by n and the part count alone, so an item is processed by the same code
//     whoever takes its block: results do not depend on the threads.
//   - Neither pass allocates: the block functions are bound once, by NewBlocks.
type Blocks struct {
	threads int
	task    blocksTask
	team    *team
	steps   *Splitter // runs Step through team
}

// blocksTask is a pass over the blocks, for Run and Splitter.Run. It is a field of Blocks, so
// passing it as a Task allocates nothing.
type blocksTask struct {
	n, parts    int
	step, reset func(lo, hi int)
	resetting   bool
	panics      []any // of each block in the current pass
}

var _ Task = (*blocksTask)(nil)

// NewBlocks cuts n items into parts contiguous blocks (at most n, at least 1) to run over up to
// threads goroutines, the caller's included: step(lo, hi) and reset(lo, hi) process items
// [lo, hi) and must touch nothing another block touches.
func NewBlocks(n, parts, threads int, step, reset func(lo, hi int)) *Blocks {
	parts = max(1, min(parts, n))
	threads = max(1, threads)
	b := &Blocks{
		threads: threads,
		task:    blocksTask{n: n, parts: parts, step: step, reset: reset, panics: make([]any, parts)},
		team:    newTeam(threads, parts),
		steps:   NewSplitter(threads),
	}
	b.steps.run = b.team.run
	return b
}

// Parts is the number of blocks.
func (b *Blocks) Parts() int { return b.task.parts }

// Step runs step on every block, split or not as the Splitter finds faster, and returns when all
// are done; it panics with a block's panic value.
func (b *Blocks) Step() {
	b.task.resetting = false
	b.steps.Run(b.task.parts, &b.task)
	b.task.raise()
}

// Reset runs reset on every block, split over the threads, and returns when all are done; it
// panics with a block's panic value.
func (b *Blocks) Reset() {
	b.task.resetting = true
	b.team.run(b.threads, b.task.parts, &b.task)
	b.task.raise()
}

// Run processes block p, recording a panic instead of letting it unwind the goroutine.
func (t *blocksTask) Run(_, p int) {
	defer func() {
		if r := recover(); r != nil {
			t.panics[p] = r
		}
	}()
	lo, hi := p*t.n/t.parts, (p+1)*t.n/t.parts
	if t.resetting {
		t.reset(lo, hi)
	} else {
		t.step(lo, hi)
	}
}

// raise panics with the lowest block's recorded panic, clearing the record for the next pass.
func (t *blocksTask) raise() {
	for i, p := range t.panics {
		if p != nil {
			clear(t.panics[i:])
			panic(p)
		}
	}
}
