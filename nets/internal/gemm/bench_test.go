package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	gonumblas "gonum.org/v1/gonum/blas/gonum"

	"github.com/gorl/gorl/internal/cputime"
)

// impl is one implementation under benchmark. threads limits it (0: all cores).
type impl struct {
	name  string
	setup func(threads int) (restore func()) // optional: applies the thread limit before timing
	run   func(threads int, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)
}

// benchImpls: gorl's kernels (each set this CPU runs) and gonum's pure-Go sgemm; the openblas
// build adds OpenBLAS (openblas_test.go).
var benchImpls = []impl{
	{name: "gorl", run: func(threads int, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
		(&Context{Threads: threads}).Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	}},
	{name: "gonum", setup: func(threads int) func() {
		// gonum splits large products over GOMAXPROCS goroutines: limit that instead.
		old := runtime.GOMAXPROCS(0)
		if threads > 0 {
			runtime.GOMAXPROCS(threads)
		}
		return func() { runtime.GOMAXPROCS(old) }
	}, run: func(threads int, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
		ta, tb := blas.NoTrans, blas.NoTrans
		if tA {
			ta = blas.Trans
		}
		if tB {
			tb = blas.Trans
		}
		gonumblas.Implementation{}.Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	}},
}

func benchData(m, n, k int) (a, b, c []float32) {
	rng := rand.New(rand.NewPCG(9, 9))
	f := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = rng.Float32() - 0.5
		}
		return s
	}
	return f(m * k), f(k * n), f(m * n)
}

func benchOne(b *testing.B, im impl, threads int, tA, tB bool, m, n, k int) {
	a, bb, c := benchData(m, n, k)
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	if im.setup != nil {
		defer im.setup(threads)()
	}
	im.run(threads, tA, tB, m, n, k, a, lda, bb, ldb, c, n)
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		im.run(threads, tA, tB, m, n, k, a, lda, bb, ldb, c, n)
	}
	cpu := cputime.Process() - cpu0
	flop := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// CPU time, summed over the threads: on a shared machine it shows what a core achieves
	// while it runs (with several threads, the per-core efficiency of the parallel split).
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(flop/cpu.Seconds()/1e9, "cpu-GFLOP/s")
	}
}

// BenchmarkSgemm: cubes, single-threaded and on all cores, for gorl, gonum (and OpenBLAS with
// -tags openblas). Run: go test -run '^$' -bench Sgemm ./nets/internal/gemm
func BenchmarkSgemm(b *testing.B) {
	for _, size := range []int{64, 256, 1024} {
		for _, threads := range []int{1, 0} {
			for _, im := range benchImpls {
				if im.name == "gonum" && size == 1024 {
					continue // a second a call
				}
				th := "1"
				if threads == 0 {
					th = "all"
				}
				b.Run(fmt.Sprintf("%d/threads=%s/%s", size, th, im.name), func(b *testing.B) {
					benchOne(b, im, threads, false, false, size, size, size)
				})
			}
		}
	}
}

// BenchmarkSgemmTrans: the 256³ product for each transpose combination, single-threaded.
func BenchmarkSgemmTrans(b *testing.B) {
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, im := range benchImpls {
				if im.name == "gonum" {
					continue
				}
				b.Run(fmt.Sprintf("tA=%v/tB=%v/%s", tA, tB, im.name), func(b *testing.B) {
					benchOne(b, im, 1, tA, tB, 256, 256, 256)
				})
			}
		}
	}
}

// BenchmarkSgemmSmall: the per-call cost (ns/op) of the shapes of MLP layers and batch-1
// inference, m×n×k, with B as a Linear layer stores it (transposed) and not.
func BenchmarkSgemmSmall(b *testing.B) {
	shapes := []struct{ m, n, k int }{
		{1, 64, 4}, {1, 4, 64}, {1, 64, 64}, {1, 2, 64}, {1, 256, 256},
		{64, 64, 4}, {64, 64, 64}, {64, 2, 64}, {32, 256, 256},
	}
	for _, s := range shapes {
		for _, tB := range []bool{true, false} {
			for _, im := range benchImpls {
				b.Run(fmt.Sprintf("%dx%dx%d/tB=%v/%s", s.m, s.n, s.k, tB, im.name), func(b *testing.B) {
					benchOne(b, im, 1, false, tB, s.m, s.n, s.k)
				})
			}
		}
	}
}

// BenchmarkSgemmKernels: gorl's 256³ and 64³ products on each kernel set, single-threaded.
func BenchmarkSgemmKernels(b *testing.B) {
	for _, ar := range supportedArchs {
		for _, size := range []int{64, 256} {
			b.Run(fmt.Sprintf("%s/%d", ar.name, size), func(b *testing.B) {
				ctx := &Context{Threads: 1, arch: ar}
				benchOne(b, impl{run: func(_ int, tA, tB bool, m, n, k int, a []float32, lda int, bb []float32, ldb int, c []float32, ldc int) {
					ctx.Sgemm(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, ldc)
				}}, 1, false, false, size, size, size)
			})
		}
	}
}

// BenchmarkSgemmLayers: the products of the workloads, on one core and on all:
// the char-LSTM's recurrent step (batch 32, hidden 256: h·W_hhᵀ, W_hh stored 1024×256) and the
// seed CNN's convolutions as im2col GEMMs over 8 images (conv1 3→32 on 32×32, conv2 32→64 on
// 16×16), forward and the weight gradient.
func BenchmarkSgemmLayers(b *testing.B) {
	layers := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"lstm-step", false, true, 32, 1024, 256},
		{"conv1-fwd", false, false, 32, 8 * 1024, 27},
		{"conv2-fwd", false, false, 64, 8 * 256, 288},
		{"conv2-dW", false, true, 64, 288, 8 * 256},
		{"conv2-dcol", true, false, 288, 8 * 256, 64},
	}
	for _, l := range layers {
		for _, threads := range []int{1, 0} {
			for _, im := range benchImpls {
				if im.name == "gonum" {
					continue
				}
				th := "1"
				if threads == 0 {
					th = "all"
				}
				b.Run(fmt.Sprintf("%s/threads=%s/%s", l.name, th, im.name), func(b *testing.B) {
					benchOne(b, im, threads, l.tA, l.tB, l.m, l.n, l.k)
				})
			}
		}
	}
}
