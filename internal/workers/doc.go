// Package workers is the goroutine pool under gorl's parallel code: nets' kernels (the GEMM's
// row and column splits, the convolution's batch split, pooling and BatchNorm) and the vector
// envs (env.ParallelVector, classic.CartPoleVector). One pool serves them all, so a process has
// at most one worker per extra core whichever of them it runs. It is pure Go and uses only the
// standard library, so env builds with nothing but Go.
//
// # Dispatch
//
// Run(threads, parts, task) calls task.Run(worker, part) for every part, on the caller's goroutine
// and on up to threads−1 persistent workers (started on first need). Every goroutine takes parts
// from one atomic counter, so a worker that the shared machine slows down, or one that wakes late,
// costs no more than its share: the caller never waits for a worker to start, only for the parts
// that were taken to finish. A call from inside a task (a parallel product inside a parallel
// convolution) cannot deadlock: if every worker is busy, the caller runs all the parts itself.
//
// # No allocation
//
// A Run call allocates nothing in steady state. The per-call state (the part counter, the wait
// group) lives in a job recycled through a sync.Pool once the caller and every worker it was sent
// to have let go of it (reference counted: a worker may receive a job after all its parts are
// done). The work itself is an interface value, typically a pointer to a pooled struct that holds
// the operands by value: a closure capturing them would escape to the heap on every call, which
// is what made the GEMM's parallel path allocate about four times a product. Under the race
// detector sync.Pool drops items at random, so allocation counts mean nothing there.
//
// # Worker indices
//
// worker is in [0, min(threads, parts)) and no two concurrent calls of one Run share it, so a task
// can give every worker its own scratch (a column buffer, gradient accumulators) without locks.
// The caller's goroutine is worker 0.
//
// # Waking and waiting
//
// A caller that has run out of parts spins (yielding the processor) for up to 50µs while the
// parts that workers took finish, before it parks: on this virtual machine, parking and being
// woken by the last worker costs as much as a small job, and the spin ends as soon as the parts
// do. Workers park as soon as the queue is empty (polling it for 50µs first was measured and
// did not pay on the shared 2-core machine), and a worker that has had no job for 250ms exits;
// the next Run starts it again. A program that stops calling Run, a closed vector env say,
// thus keeps no goroutine and burns no CPU.
//
// # Blocks: a team per vector env
//
// A vector env's Step recurs back to back with the same parts, where the pool's two habits
// cost the most: parts go to whichever goroutine comes first, so an env's state moves between
// the cores' caches from step to step, and a worker parks as soon as it is idle, so the next
// Step waits for it to wake. Blocks therefore splits its Steps over a team of helpers of its
// own, for its Resets too: each goroutine runs a home range of the parts first and then takes
// the others' from their back, and a helper polls for the next call for 200µs before it parks. 16 Highway-v0
// copies step 1.67 times as fast on 2 cores as on one this way, against 1.0 through the pool.
//
// # Choosing to split
//
// Whether splitting pays depends on the work per call and on how busy the other cores are,
// which a caller cannot know. Splitter, for jobs that recur (a vector env's Step), times one
// call in 16 and runs the others the faster way, serially or split (split only when that is
// at least 10% faster: it keeps a second core busy), probing the other way from time to time.
package workers
