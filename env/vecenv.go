package env

import (
	"errors"
	"fmt"
	"maps"
	"runtime"

	"github.com/gorl/gorl/internal/workers"
)

// vecCore holds the copies and the flat buffers that both vector implementations share, and
// steps or resets any contiguous block of copies. Blocks touch disjoint parts of every buffer,
// so several goroutines can run disjoint blocks at once without locks.
type vecCore struct {
	envs             []Env
	obsSpace         Space
	actSpace         Space
	obsDim, actDim   int
	obs              []float32 // N×obsDim
	rewards          []float64
	term, trunc      []bool
	episodeReturns   []float64 // of the episode finished in the last Step (0 elsewhere)
	episodeLengths   []int
	runningReturns   []float64 // of the episode in progress
	runningLengths   []int
	needsReset       []bool // the copy ended its episode in the last Step
	actions          []float32
	started, closed  bool
	resetSeed        *uint64
	resetSeedStorage uint64
}

func newVecCore(newEnv func() (Env, error), n int) (*vecCore, error) {
	if n < 1 {
		return nil, fmt.Errorf("env: a vector env of %d copies; want at least 1", n)
	}
	if newEnv == nil {
		return nil, errors.New("env: a vector env needs a function that makes the copies")
	}
	c := &vecCore{envs: make([]Env, 0, n)}
	for i := range n {
		e, err := newEnv()
		if err != nil {
			err = fmt.Errorf("making vector env copy %d: %w", i, err)
			return nil, errors.Join(err, c.closeEnvs())
		}
		if i == 0 {
			c.obsSpace, c.actSpace = e.ObservationSpace(), e.ActionSpace()
		} else if os, as := e.ObservationSpace(), e.ActionSpace(); os.String() != c.obsSpace.String() || as.String() != c.actSpace.String() {
			err := fmt.Errorf("env: vector env copy %d has spaces %v and %v; copy 0 has %v and %v", i, os, as, c.obsSpace, c.actSpace)
			return nil, errors.Join(err, e.Close(), c.closeEnvs())
		}
		c.envs = append(c.envs, e)
	}
	c.obsDim, c.actDim = c.obsSpace.Dim(), c.actSpace.Dim()
	c.obs = make([]float32, n*c.obsDim)
	c.rewards = make([]float64, n)
	c.term, c.trunc, c.needsReset = make([]bool, n), make([]bool, n), make([]bool, n)
	c.episodeReturns, c.runningReturns = make([]float64, n), make([]float64, n)
	c.episodeLengths, c.runningLengths = make([]int, n), make([]int, n)
	return c, nil
}

func (c *vecCore) NumEnvs() int                  { return len(c.envs) }
func (c *vecCore) SingleObservationSpace() Space { return c.obsSpace }
func (c *vecCore) SingleActionSpace() Space      { return c.actSpace }
func (c *vecCore) EpisodeReturns() []float64     { return c.episodeReturns }
func (c *vecCore) EpisodeLengths() []int         { return c.episodeLengths }

// Env returns copy i, for example to Render it. Stepping it directly desynchronises the batch.
func (c *vecCore) Env(i int) Env { return c.envs[i] }

// beginReset records the seed for resetBlock (copy i gets seed+i).
func (c *vecCore) beginReset(seed *uint64) {
	if c.closed {
		panic("env: Reset of a closed vector env")
	}
	c.resetSeed = nil
	if seed != nil {
		c.resetSeedStorage = *seed
		c.resetSeed = &c.resetSeedStorage
	}
	c.started = true
}

// beginStep checks and records the actions for stepBlock.
func (c *vecCore) beginStep(actions []float32) {
	if c.closed {
		panic("env: Step of a closed vector env")
	}
	if !c.started {
		panic("env: vector env Step before Reset")
	}
	if len(actions) != len(c.envs)*c.actDim {
		panic(fmt.Sprintf("env: vector env Step with %d action values; want %d copies × %d", len(actions), len(c.envs), c.actDim))
	}
	c.actions = actions
}

// resetBlock resets copies [lo, hi).
func (c *vecCore) resetBlock(lo, hi int) {
	for i := lo; i < hi; i++ {
		var obs []float32
		if c.resetSeed != nil {
			s := *c.resetSeed + uint64(i)
			obs, _ = c.envs[i].Reset(&s)
		} else {
			obs, _ = c.envs[i].Reset(nil)
		}
		c.setObs(i, obs)
		c.rewards[i], c.term[i], c.trunc[i], c.needsReset[i] = 0, false, false, false
		c.episodeReturns[i], c.episodeLengths[i] = 0, 0
		c.runningReturns[i], c.runningLengths[i] = 0, 0
	}
}

// stepBlock steps copies [lo, hi) with NEXT_STEP autoreset: a copy whose episode ended in the
// previous Step is reset instead, ignoring its action.
func (c *vecCore) stepBlock(lo, hi int) {
	for i := lo; i < hi; i++ {
		e := c.envs[i]
		if c.needsReset[i] {
			obs, _ := e.Reset(nil)
			c.setObs(i, obs)
			c.rewards[i], c.term[i], c.trunc[i], c.needsReset[i] = 0, false, false, false
			c.episodeReturns[i], c.episodeLengths[i] = 0, 0
			c.runningReturns[i], c.runningLengths[i] = 0, 0
			continue
		}
		obs, r, term, trunc, _ := e.Step(c.actions[i*c.actDim : (i+1)*c.actDim])
		c.setObs(i, obs)
		c.rewards[i], c.term[i], c.trunc[i] = r, term, trunc
		c.runningReturns[i] += r
		c.runningLengths[i]++
		if term || trunc {
			c.episodeReturns[i], c.episodeLengths[i] = c.runningReturns[i], c.runningLengths[i]
			c.needsReset[i] = true
		} else {
			c.episodeReturns[i], c.episodeLengths[i] = 0, 0
		}
	}
}

func (c *vecCore) setObs(i int, obs []float32) {
	if len(obs) != c.obsDim {
		panic(fmt.Sprintf("env: vector env copy %d returned an observation of %d elements; its space %v has %d", i, len(obs), c.obsSpace, c.obsDim))
	}
	copy(c.obs[i*c.obsDim:(i+1)*c.obsDim], obs)
}

func (c *vecCore) closeEnvs() error {
	var errs []error
	for i, e := range c.envs {
		if err := e.Close(); err != nil {
			errs = append(errs, fmt.Errorf("env: closing vector env copy %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// SyncVector steps its copies one after the other in the caller's goroutine. It is the
// reference implementation of VectorEnv and the fastest for cheap envs or small N, where
// handing work to other goroutines costs more than it saves.
type SyncVector struct {
	*vecCore
}

// NewSyncVector makes n copies with newEnv. The copies must have identical spaces. On error the
// copies made so far are closed.
func NewSyncVector(newEnv func() (Env, error), n int) (*SyncVector, error) {
	c, err := newVecCore(newEnv, n)
	if err != nil {
		return nil, err
	}
	return &SyncVector{c}, nil
}

func (v *SyncVector) Reset(seed *uint64) []float32 {
	v.beginReset(seed)
	v.resetBlock(0, len(v.envs))
	return v.obs
}

func (v *SyncVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	v.beginStep(actions)
	v.stepBlock(0, len(v.envs))
	return v.obs, v.rewards, v.term, v.trunc
}

// Close closes every copy; a second Close does nothing.
func (v *SyncVector) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	return v.closeEnvs()
}

// ParallelVector steps its copies on several goroutines: the caller's and persistent helpers
// (workers.Blocks; no goroutine is started per step). The copies are split into contiguous
// parts, partsPerWorker for each goroutine, and each goroutine steps a home range of them, so
// that a copy's state stays in one core's cache from step to step, then takes the parts the
// others have not started. So a helper that wakes late, or that another process slows down,
// only does fewer parts: the caller never waits for it to start, only for the parts it took.
// Every copy owns its slice of the buffers and is stepped exactly as SyncVector steps it,
// whoever takes its part, so the results are identical for any number of workers. A Step
// allocates nothing. (16 Highway-v0 copies: 1.67 times one core's speed on 2.)
//
// Splitting pays only when a Step's work outweighs waking a helper (microseconds on a virtual
// machine) and the other core is not busy with another process. A workers.Splitter times one
// Step in 16 and runs the others the faster way, on the caller's goroutine alone or split, so
// a batch too cheap to split (a few cheap copies) is not slowed down by a worker count above 1.
//
// A panic in a copy (an invalid action, say) is caught in its part and raised again in the
// caller's goroutine once every part has finished, with the same value (that of the lowest
// part when several panic, so the same for any worker count).
//
// Close closes the copies. The helpers, and the pool's workers (shared with nets' kernels) that
// Reset uses, exit after a quarter of a second without work, so a closed env leaves no
// goroutine behind.
type ParallelVector struct {
	*vecCore
	workers int
	blocks  *workers.Blocks
}

// partsPerWorker is how many parts a ParallelVector splits its copies into per worker: enough
// for the goroutines to even out a slow core or a late start, few enough that taking a part
// (one atomic operation) is nothing next to stepping it.
const partsPerWorker = 8

// NewParallelVector makes n copies with newEnv and steps them on up to numWorkers goroutines
// (at most n; numWorkers <= 0 means runtime.GOMAXPROCS(0)), the caller's included. A Step too
// small to gain from the split (timed as the env runs, see workers.Splitter) stays on the
// caller's goroutine. The copies must have identical spaces.
func NewParallelVector(newEnv func() (Env, error), n, numWorkers int) (*ParallelVector, error) {
	c, err := newVecCore(newEnv, n)
	if err != nil {
		return nil, err
	}
	if numWorkers <= 0 {
		numWorkers = runtime.GOMAXPROCS(0)
	}
	numWorkers = min(numWorkers, n)
	parts := min(n, partsPerWorker*numWorkers)
	return &ParallelVector{vecCore: c, workers: numWorkers,
		blocks: workers.NewBlocks(n, parts, numWorkers, c.stepBlock, c.resetBlock)}, nil
}

// Workers is the most goroutines, the caller's included, that step the copies.
func (v *ParallelVector) Workers() int { return v.workers }

func (v *ParallelVector) Reset(seed *uint64) []float32 {
	v.beginReset(seed)
	v.blocks.Reset()
	return v.obs
}

func (v *ParallelVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	v.beginStep(actions)
	v.blocks.Step()
	return v.obs, v.rewards, v.term, v.trunc
}

// Close closes every copy; a second Close does nothing. The pool's workers exit once idle
// (see ParallelVector).
func (v *ParallelVector) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	return v.closeEnvs()
}

// MakeVector builds a vector env of n copies of the env registered under idOrAlias, each as Make
// would build it (the spec's options overridden by opts, and the TimeLimit). It uses the spec's
// native batched implementation when there is one (Spec.NewVector), else a SyncVector when
// workers is 1 and a ParallelVector otherwise; workers <= 0 means runtime.GOMAXPROCS(0).
func MakeVector(idOrAlias string, n int, opts Options, workers int) (VectorEnv, error) {
	spec, merged, limit, err := prepare(idOrAlias, opts)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("env: MakeVector(%q): %d copies; want at least 1", spec.ID, n)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if spec.NewVector != nil {
		v, err := spec.NewVector(n, merged, limit, workers)
		if err != nil {
			return nil, fmt.Errorf("env: MakeVector(%q): %w", spec.ID, err)
		}
		return v, nil
	}
	newEnv := func() (Env, error) {
		e, err := spec.New(maps.Clone(merged)) // a fresh map: New may keep or change it
		if err != nil {
			return nil, err
		}
		if limit > 0 {
			e = NewTimeLimit(e, limit)
		}
		return e, nil
	}
	var v VectorEnv
	if workers == 1 {
		v, err = NewSyncVector(newEnv, n)
	} else {
		v, err = NewParallelVector(newEnv, n, workers)
	}
	if err != nil {
		return nil, fmt.Errorf("env: MakeVector(%q): %w", spec.ID, err)
	}
	return v, nil
}

var (
	_ VectorEnv = (*SyncVector)(nil)
	_ VectorEnv = (*ParallelVector)(nil)
)
