package nets

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gorl/gorl/internal/cputime"
	"github.com/gorl/gorl/nets/internal/vec"
)

// allocsPerRunParallel is testing.AllocsPerRun without its GOMAXPROCS(1): with at least two Ps,
// the paths that split work over the cores (they size themselves by GOMAXPROCS) really run, and
// the workers' allocations count too. It warms up with runs calls first: sync.Pool keeps a cache
// per P and the goroutines move between Ps at random, so each P's cache fills (and the runtime's
// own per-P caches, of wait-queue entries) only after a few calls have run there. Even then a
// garbage collection empties the central caches, so a parallel path may allocate once in many
// calls; maxParallelAllocs is the bound the tests allow (the closure-based GEMM dispatch made ~90
// allocations a seed-CNN forward; the dispatch itself is checked at exactly 0 by internal/gemm
// and internal/workers, with the workers' parts forced onto the caller). On a loaded machine a
// pool worker may also exit idle and be restarted (a goroutine start allocates) during the
// measurement, so a measurement above maxParallelAllocs is repeated up to twice, as gemm's
// allocation test does, and the lowest is returned.
func allocsPerRunParallel(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	for range runs {
		f()
	}
	lowest := math.Inf(1)
	for try := 0; try < 3 && lowest > maxParallelAllocs; try++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			f()
		}
		runtime.ReadMemStats(&after)
		lowest = min(lowest, float64(after.Mallocs-before.Mallocs)/float64(runs))
	}
	return lowest
}

// maxParallelAllocs: see allocsPerRunParallel.
const maxParallelAllocs = 0.5

// TestElementwiseParallelBitIdentical: zeroing, ReLU and ReLU's backward give the bits of one
// serial vec call whatever the number of cores, on lengths around the parallel threshold and with
// a ragged end.
func TestElementwiseParallelBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{parallelElems - 1, parallelElems, 3*parallelElems + 37} {
		x, d, y0 := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], d[i], y0[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		x[5], x[n-1] = float32(math.NaN()), float32(math.Copysign(0, -1))
		wantY := make([]float32, n)
		vec.ReLU(wantY, x)
		wantDx := append([]float32(nil), y0...)
		vec.ReLUBackward(wantDx, d, wantY)
		for _, procs := range []int{1, 2, 3, 5} {
			func() {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				y := make([]float32, n)
				reluForward(y, x)
				dx := append([]float32(nil), y0...)
				reluBackward(dx, d, y)
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(wantY[i]) || math.Float32bits(dx[i]) != math.Float32bits(wantDx[i]) {
						t.Fatalf("n=%d on %d cores: y[%d], dx[%d] = %g, %g; serial %g, %g", n, procs, i, i, y[i], dx[i], wantY[i], wantDx[i])
					}
				}
				zeroFloats(dx)
				for i, v := range dx {
					if math.Float32bits(v) != 0 {
						t.Fatalf("n=%d on %d cores: zeroed element %d is %g", n, procs, i, v)
					}
				}
			}()
		}
	}
}

// TestSeedCNNBatchInferenceDoesNotAllocate: a batch-64 forward of the seed CNN on two cores, where
// the convolutions, pooling, ReLU and the Linear layer's product all split over the cores,
// allocates nothing once warm (but for the rare refills of allocsPerRunParallel).
func TestSeedCNNBatchInferenceDoesNotAllocate(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	r := rand.New(rand.NewPCG(9, 9))
	net := newSeedCNN(r)
	xs, _ := seedCNNData(r, 1)
	g := NewInference()
	if a := allocsPerRunParallel(30, func() { g.Reset(); net.Forward(g, xs[0]) }); a > maxParallelAllocs {
		t.Errorf("%.2f allocations per batch-64 forward, want (nearly) 0", a)
	}
}

// BenchmarkElementwise: zeroing an 8 MB gradient and ReLU forward and backward on the seed CNN's
// first activation (64×32×32×32), serial (one vec call) and split over the cores.
//
//	go test ./nets -run '^$' -bench Elementwise
func BenchmarkElementwise(b *testing.B) {
	const n = 64 * 32 * 32 * 32
	x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], d[i] = float32(i%13)-6, float32(i%7)
	}
	for _, c := range []struct {
		name     string
		serial   func()
		parallel func()
	}{
		{"zero", func() { clear(y) }, func() { zeroFloats(y) }},
		{"relu", func() { vec.ReLU(y, x) }, func() { reluForward(y, x) }},
		{"relu-backward", func() { vec.ReLUBackward(y, d, x) }, func() { reluBackward(y, d, x) }},
	} {
		for _, par := range []bool{false, true} {
			f, name := c.serial, c.name+"/serial"
			if par {
				f, name = c.parallel, c.name+"/parallel"
			}
			b.Run(name, func(b *testing.B) {
				f()
				b.SetBytes(4 * n)
				cpu0 := cputime.Process()
				for range b.N {
					f()
				}
				if cpu := cputime.Process() - cpu0; cpu > 0 {
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}
