package workers

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// team runs the split calls of one Blocks (its Steps and Resets) on helper goroutines of its
// own, each with a home range of the parts, rather than on the shared pool. A vector env's Step recurs every few
// microseconds with the same parts, and two things the pool cannot give decide whether
// splitting it pays on a virtual machine:
//
//   - Affinity. Pool workers take parts from one counter, so an env's state lands on whichever
//     core got there first and moves between the cores' caches from call to call. Here part p
//     is run by its home goroutine unless that one is late, so each core keeps its envs warm.
//     (16 Highway-v0 copies on 2 cores, helpers awake: 1.55-1.75× one core with home ranges,
//     1.2-1.3× with one counter.)
//   - Waking. A parked goroutine on an idle virtual CPU starts tens to hundreds of
//     microseconds after it is woken, as long as a Step's share of work: the split Step then
//     ran slower than on one core. A helper therefore keeps polling for the next call for
//     spinIdle (yielding its processor at each poll) before it parks, so that back-to-back
//     Steps find it awake; a caller that pauses longer (a policy update, a frame of the
//     viewer) wakes a parked helper as the pool does.
//
// Every part is claimed by one compare-and-swap on its own word, which holds the number of
// the last call that claimed it: the home goroutine claims its range from the front, and any
// goroutine that ran out of its own parts takes the others' from their back. So a helper that
// is late, parked or descheduled by another process costs only the help: the caller never
// waits for a helper to start, only for the parts that were taken to finish, exactly as with
// the pool. Parts and blocks are fixed by the Blocks, so results do not depend on who ran what.
type team struct {
	threads, parts int
	task           Task            // the current call's, published by call
	call           atomic.Uint64   // number of the current call; helpers wait for it to change
	claims         []atomic.Uint64 // per part: the number of the last call that claimed it
	left           atomic.Int64    // parts of the current call not finished
	done           chan struct{}   // a token when left reaches 0, for a caller that parked
	helpers        []helper        // [0] unused: the caller is goroutine 0
}

// helper is the state of one helper goroutine of a team.
type helper struct {
	alive  atomic.Bool   // a goroutine serves this slot (it clears the flag as it returns)
	parked atomic.Bool   // it is about to park or parked: a new call must wake it
	wake   chan struct{} // buffered 1: a token wakes it (a stale token only makes it look again)
}

// spinIdle is how long a team's helper keeps polling for the next call before it parks.
// It covers the gap between the Steps of a rollout (an agent choosing actions, a replay
// update: microseconds to tens of them) and is short next to what a parked helper costs the
// machine: nothing. Measured on the shared 2-core machine: see team.
const spinIdle = 200 * time.Microsecond

// newTeam returns a team for calls of parts parts over up to threads goroutines, the caller's
// included. Its helpers start with the first split call.
func newTeam(threads, parts int) *team {
	threads = max(1, min(threads, parts))
	t := &team{threads: threads, parts: parts, claims: make([]atomic.Uint64, parts),
		done: make(chan struct{}, 1), helpers: make([]helper, threads)}
	for h := 1; h < threads; h++ {
		t.helpers[h].wake = make(chan struct{}, 1)
	}
	return t
}

// home returns goroutine h's range of parts, [lo, hi).
func (t *team) home(h int) (lo, hi int) {
	return h * t.parts / t.threads, (h + 1) * t.parts / t.threads
}

// run calls task.Run(worker, part) for every part, split over the team when threads > 1
// (else on the caller alone, in order), and returns when all have finished. It has Run's
// signature, to be a Blocks' Splitter's way of running a call; parts must be the team's.
// It allocates nothing.
func (t *team) run(threads, parts int, task Task) {
	if parts != t.parts {
		panic(fmt.Sprintf("workers: a team of %d parts asked to run %d", t.parts, parts))
	}
	if threads <= 1 || t.threads <= 1 {
		for p := range parts {
			task.Run(0, p)
		}
		return
	}
	t.task = task
	select { // a token left by the last call, whose caller did not need it
	case <-t.done:
	default:
	}
	t.left.Store(int64(t.parts))
	c := t.call.Add(1) // publishes the task's fields written before this call
	for h := 1; h < t.threads; h++ {
		hp := &t.helpers[h]
		if !hp.alive.Load() && hp.alive.CompareAndSwap(false, true) {
			go t.serve(h, c-1)
		} else if hp.parked.Swap(false) {
			select {
			case hp.wake <- struct{}{}:
			default:
			}
		}
	}
	t.work(0, c)
	t.await()
}

// work claims and runs parts of call c on goroutine h: its home range from the front, then the
// other ranges from their back.
func (t *team) work(h int, c uint64) {
	lo, hi := t.home(h)
	for p := lo; p < hi; p++ {
		if t.claims[p].CompareAndSwap(c-1, c) {
			t.runPart(h, p)
		}
	}
	for k := 1; k < t.threads; k++ {
		lo, hi := t.home((h + k) % t.threads)
		for p := hi - 1; p >= lo; p-- {
			if t.claims[p].CompareAndSwap(c-1, c) {
				t.runPart(h, p)
			}
		}
	}
}

func (t *team) runPart(h, p int) {
	t.task.Run(h, p)
	if t.left.Add(-1) == 0 {
		select {
		case t.done <- struct{}{}:
		default:
		}
	}
}

// await returns once every part of the current call has finished: the caller has claimed
// everything left, so the rest is running on helpers. It spins (yielding) for up to spinFor,
// then parks until the last part's token. A token can be stale (sent by the last part of the
// previous call after its caller had seen left reach 0), so left is checked after each.
func (t *team) await() {
	start := time.Now()
	for k := 1; t.left.Load() > 0; k++ {
		if k&15 == 0 && time.Since(start) > spinFor {
			<-t.done
			continue
		}
		runtime.Gosched()
	}
}

// serve is helper h's goroutine: it helps with every call after last until it has waited
// idleExit for one, polling for spinIdle before it parks.
func (t *team) serve(h int, last uint64) {
	hp := &t.helpers[h]
	defer hp.alive.Store(false) // last: a new goroutine may take the slot after it
	idle := time.NewTimer(idleExit)
	defer idle.Stop()
	for {
		c := t.call.Load()
		if c == last {
			var ok bool
			if c, ok = t.next(hp, last, idle); !ok {
				return
			}
		}
		last = c
		t.work(h, c)
	}
}

// next waits for a call after last: it polls for spinIdle, then parks on hp.wake (the caller
// of the next call sends a token when it finds hp.parked). It reports false after idleExit
// without a call.
func (t *team) next(hp *helper, last uint64, idle *time.Timer) (uint64, bool) {
	start := time.Now()
	for k := 1; ; k++ {
		if c := t.call.Load(); c != last {
			return c, true
		}
		if k&15 == 0 && time.Since(start) > spinIdle {
			break
		}
		runtime.Gosched()
	}
	idle.Reset(idleExit)
	for {
		hp.parked.Store(true)
		// A call published before parked was set found it clear and sent no token: look again.
		if c := t.call.Load(); c != last {
			hp.parked.Store(false)
			return c, true
		}
		select {
		case <-hp.wake:
		case <-idle.C:
			hp.parked.Store(false)
			if c := t.call.Load(); c != last { // a call came with the timer: it wins
				return c, true
			}
			return 0, false
		}
	}
}
