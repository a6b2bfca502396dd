// Package workers is the goroutine pool under nets' parallel kernels: the GEMM's row and column
// splits, the convolution's batch split, pooling and BatchNorm. One pool serves them all, so a
// process has at most one parked worker per extra core whichever kernels it runs.
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
package workers
