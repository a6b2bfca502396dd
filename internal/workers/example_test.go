package workers_test

import (
	"fmt"
	"sync"

	"github.com/gorl/gorl/internal/workers"
)

// scaleTask multiplies a slice by a factor, one contiguous range a part. It holds its operands
// by value and comes from a sync.Pool, so dispatching it allocates nothing: the pattern of every
// parallel step in nets.
type scaleTask struct {
	x     []float32
	c     float32
	parts int
}

func (t *scaleTask) Run(_, part int) {
	lo, hi := part*len(t.x)/t.parts, (part+1)*len(t.x)/t.parts
	for i := lo; i < hi; i++ {
		t.x[i] *= t.c
	}
}

var scaleTasks = sync.Pool{New: func() any { return new(scaleTask) }}

func Example() {
	x := make([]float32, 1000)
	for i := range x {
		x[i] = 1
	}
	t := scaleTasks.Get().(*scaleTask)
	t.x, t.c, t.parts = x, 3, 8
	workers.Run(workers.Threads(), t.parts, t) // returns when all 8 parts have run
	*t = scaleTask{}                           // drop the reference to x before pooling
	scaleTasks.Put(t)
	fmt.Println(x[0], x[999])
	// Output: 3 3
}
