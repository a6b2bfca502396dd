package classic

import (
	"fmt"
	"math/rand/v2"
	"runtime"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/workers"
)

// CartPoleVector is N copies of CartPole-v1 stepped as one batch: the native batched
// implementation behind env.MakeVector("CartPole-v1", ...), in the spirit of Gymnasium's
// CartPoleVectorEnv and gymnax.
//
// # Layout
//
// The state is kept as a struct of arrays (x, x_dot, theta, theta_dot, one slice each) and
// every copy is advanced by cartPoleStep, the same function the scalar CartPole steps with, so
// copy i follows exactly the trajectory of a CartPole reset with seed+i and given the same
// actions. Observations, rewards and flags live in the flat buffers of env.VectorEnv.
//
// # Episodes
//
// Copies reset themselves in NEXT_STEP mode (see env.VectorEnv): the step after copy i's
// episode ends resets it, ignores its action and reports reward 0 with neither flag set. A
// vector env has no TimeLimit wrapper, so the episode limit (500 steps by default, as
// CartPole-v1's spec) is built in: the step that reaches it is truncated.
//
// # Workers
//
// With W > 1 workers the batch is split into up to 8·W contiguous parts stepped by the caller's
// goroutine and W−1 persistent helpers (workers.Blocks; no goroutine is started per step), each
// stepping a home range of parts and then the parts the others have not started: a helper
// that wakes late or runs on a busy core just takes fewer parts, and the caller never waits
// for it to start. Each copy has its own random generator and is touched only by whichever
// goroutine takes its part, so the results are identical for any W. A step costs about 26ns a
// copy, so a small batch gains nothing from the split (waking a helper costs microseconds): a
// workers.Splitter times one Step in 16 and runs the others the faster way, split or on the
// caller's goroutine alone. Close ends the batch; the idle helpers and pool workers exit
// after a quarter of a second.
type CartPoleVector struct {
	n           int
	suttonBarto bool
	maxSteps    int

	x, xDot, theta, thetaDot []float64
	rngs                     []*rand.Rand
	elapsed                  []int
	needsReset               []bool
	runningReturns           []float64
	runningLengths           []int

	obs            []float32
	rewards        []float64
	term, trunc    []bool
	episodeReturns []float64
	episodeLengths []int
	actions        []float32

	obsSpace        *env.Box
	started, closed bool

	workers int
	blocks  *workers.Blocks
}

// partsPerWorker is how many parts the batch is split into per worker: enough to even out a
// slow core or a late start, few enough that taking a part (one compare-and-swap) is nothing
// next to stepping its copies. A part has at least minPartCopies copies (about 1µs of work),
// so that the cost of a part (an interface call and a deferred recover, about 15ns) stays
// small: a batch of 16 copies is a single part, stepped serially without timing.
const (
	partsPerWorker = 8
	minPartCopies  = 32
)

var _ env.VectorEnv = (*CartPoleVector)(nil)

// NewCartPoleVector returns n copies of CartPole-v1 as one batch. Options:
//
//   - sutton_barto_reward (bool, default false): as for CartPole.
//   - max_episode_steps (int, default 500): the step that reaches it is truncated; 0 means no
//     limit.
//   - workers (int, default runtime.GOMAXPROCS(0), at most n): the most goroutines, the
//     caller's included, that step the batch. A batch too small to gain from the split (timed
//     as it runs, see internal/workers.Splitter) stays on the caller's goroutine.
func NewCartPoleVector(n int, opts env.Options) (*CartPoleVector, error) {
	if err := env.CheckOptions(opts, "sutton_barto_reward", "max_episode_steps", "workers"); err != nil {
		return nil, err
	}
	limit, err := env.IntOption(opts, "max_episode_steps", 500)
	if err != nil {
		return nil, err
	}
	numWorkers, err := env.IntOption(opts, "workers", 0)
	if err != nil {
		return nil, err
	}
	rest := env.Options{}
	if v, ok := opts["sutton_barto_reward"]; ok {
		rest["sutton_barto_reward"] = v
	}
	return newCartPoleVector(n, rest, limit, numWorkers)
}

// newCartPoleVector is NewCartPoleVector with the episode limit and worker count given
// separately, as env.Spec.NewVector receives them.
func newCartPoleVector(n int, opts env.Options, maxEpisodeSteps, numWorkers int) (*CartPoleVector, error) {
	if err := env.CheckOptions(opts, "sutton_barto_reward"); err != nil {
		return nil, err
	}
	sb, err := env.BoolOption(opts, "sutton_barto_reward", false)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("classic: CartPoleVector of %d copies; want at least 1", n)
	}
	if maxEpisodeSteps < 0 {
		return nil, fmt.Errorf("classic: CartPoleVector: max_episode_steps=%d; want 0 (no limit) or more", maxEpisodeSteps)
	}
	if numWorkers <= 0 {
		numWorkers = runtime.GOMAXPROCS(0)
	}
	numWorkers = min(numWorkers, n)
	v := &CartPoleVector{
		n: n, suttonBarto: sb, maxSteps: maxEpisodeSteps,
		x: make([]float64, n), xDot: make([]float64, n), theta: make([]float64, n), thetaDot: make([]float64, n),
		rngs: make([]*rand.Rand, n), elapsed: make([]int, n), needsReset: make([]bool, n),
		runningReturns: make([]float64, n), runningLengths: make([]int, n),
		obs: make([]float32, 4*n), rewards: make([]float64, n), term: make([]bool, n), trunc: make([]bool, n),
		episodeReturns: make([]float64, n), episodeLengths: make([]int, n),
		obsSpace: cartPoleObservationSpace(),
		workers:  numWorkers,
	}
	parts := max(1, min(n/minPartCopies, partsPerWorker*numWorkers))
	v.blocks = workers.NewBlocks(n, parts, numWorkers, v.stepBlock, v.resetBlock)
	return v, nil
}

func (v *CartPoleVector) NumEnvs() int                      { return v.n }
func (v *CartPoleVector) SingleObservationSpace() env.Space { return v.obsSpace }
func (v *CartPoleVector) SingleActionSpace() env.Space      { return env.NewDiscrete(2) }
func (v *CartPoleVector) EpisodeReturns() []float64         { return v.episodeReturns }
func (v *CartPoleVector) EpisodeLengths() []int             { return v.episodeLengths }

// Workers is the most goroutines, the caller's included, that step the batch.
func (v *CartPoleVector) Workers() int { return v.workers }

// Reset resets every copy, copy i with seed+i (or continuing its own generator when seed is
// nil), exactly as CartPole.Reset.
func (v *CartPoleVector) Reset(seed *uint64) []float32 {
	if v.closed {
		panic("classic: Reset of a closed CartPoleVector")
	}
	if seed != nil {
		for i := range v.rngs {
			v.rngs[i] = env.NewRand(*seed + uint64(i))
		}
	}
	v.started = true
	v.blocks.Reset()
	return v.obs
}

// Step steps every copy with its action (0: push left, 1: push right), resetting instead the
// copies whose episode ended in the previous Step. It panics on a wrong number of actions or an
// action other than 0 or 1 for a copy that steps.
func (v *CartPoleVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	if v.closed {
		panic("classic: Step of a closed CartPoleVector")
	}
	if !v.started {
		panic("classic: CartPoleVector.Step called before Reset")
	}
	if len(actions) != v.n {
		panic(fmt.Sprintf("classic: CartPoleVector.Step with %d actions; want %d", len(actions), v.n))
	}
	// Check in the caller's goroutine, so that a bad action panics here and not in a worker.
	for i, a := range actions {
		if a != 0 && a != 1 && !v.needsReset[i] {
			panic(fmt.Sprintf("classic: CartPoleVector.Step: action %v of copy %d is not in Discrete(2)", a, i))
		}
	}
	v.actions = actions
	v.blocks.Step()
	v.actions = nil
	return v.obs, v.rewards, v.term, v.trunc
}

// Close ends the batch: Reset and Step panic after it, and the pool's workers exit once idle.
// A second Close does nothing.
func (v *CartPoleVector) Close() error {
	v.closed = true
	return nil
}

// resetBlock starts a new episode in copies [lo, hi).
func (v *CartPoleVector) resetBlock(lo, hi int) {
	for i := lo; i < hi; i++ {
		v.resetCopy(i)
	}
}

// resetCopy starts a new episode in copy i: CartPole.Reset's draws from the copy's generator,
// and zeroed flags and episode statistics.
func (v *CartPoleVector) resetCopy(i int) {
	reseed(&v.rngs[i], nil)
	r := v.rngs[i]
	var s [4]float64
	for k := range s {
		s[k] = uniform(r, -0.05, 0.05)
	}
	v.x[i], v.xDot[i], v.theta[i], v.thetaDot[i] = s[0], s[1], s[2], s[3]
	o := v.obs[4*i : 4*i+4 : 4*i+4]
	o[0], o[1], o[2], o[3] = float32(s[0]), float32(s[1]), float32(s[2]), float32(s[3])
	v.rewards[i], v.term[i], v.trunc[i], v.needsReset[i] = 0, false, false, false
	v.episodeReturns[i], v.episodeLengths[i] = 0, 0
	v.runningReturns[i], v.runningLengths[i] = 0, 0
	v.elapsed[i] = 0
}

// stepBlock steps copies [lo, hi): the hot loop, free of interface calls and allocation.
func (v *CartPoleVector) stepBlock(lo, hi int) {
	p := &cartPole
	x, xDot, theta, thetaDot := v.x[lo:hi], v.xDot[lo:hi], v.theta[lo:hi], v.thetaDot[lo:hi]
	actions, needsReset, elapsed := v.actions[lo:hi], v.needsReset[lo:hi], v.elapsed[lo:hi]
	rewards, term, trunc := v.rewards[lo:hi], v.term[lo:hi], v.trunc[lo:hi]
	runRet, runLen := v.runningReturns[lo:hi], v.runningLengths[lo:hi]
	epRet, epLen := v.episodeReturns[lo:hi], v.episodeLengths[lo:hi]
	obs := v.obs[4*lo : 4*hi]
	limit, sb := v.maxSteps, v.suttonBarto
	for j := range x {
		if needsReset[j] {
			v.resetCopy(lo + j)
			continue
		}
		s := cartPoleStep(p, [4]float64{x[j], xDot[j], theta[j], thetaDot[j]}, actions[j] == 1)
		x[j], xDot[j], theta[j], thetaDot[j] = s[0], s[1], s[2], s[3]
		o := obs[4*j : 4*j+4 : 4*j+4]
		o[0], o[1], o[2], o[3] = float32(s[0]), float32(s[1]), float32(s[2]), float32(s[3])
		te := cartPoleTerminated(p, s)
		r := cartPoleReward(te, sb)
		elapsed[j]++
		tr := limit > 0 && elapsed[j] >= limit
		rewards[j], term[j], trunc[j] = r, te, tr
		runRet[j] += r
		runLen[j]++
		if te || tr {
			epRet[j], epLen[j] = runRet[j], runLen[j]
			needsReset[j] = true
		} else {
			epRet[j], epLen[j] = 0, 0
		}
	}
}
