// Command sgemm is a helper of the benchmark runner (go run ./benchmarks): it times n×n matrix
// products through nets' MatMul and prints one JSON line. The runner builds it twice, as is and
// with -tags openblas, so that the same code measures gorl's kernels and OpenBLAS; it sets the
// thread count through the environment (GOMAXPROCS for gorl, OPENBLAS_NUM_THREADS for OpenBLAS)
// because each is read once per process.
//
//	go run ./benchmarks/sgemm -sizes 256,1024 -time 300ms
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gorl/gorl/benchmarks/internal/work"
)

// Result is one size's figures.
type Result struct {
	N int `json:"n"`
	// GFLOPS is 2n³ per call over wall time; CPUGFLOPS the same over the process's CPU time
	// (summed over threads).
	GFLOPS    float64 `json:"gflops"`
	CPUGFLOPS float64 `json:"cpu_gflops,omitempty"`
}

// Output is the JSON line the runner reads.
type Output struct {
	Backend    string   `json:"backend"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	Results    []Result `json:"results"`
}

func main() {
	sizes := flag.String("sizes", "256,1024", "comma-separated matrix sizes n (n×n times n×n)")
	minTime := flag.Duration("time", 300*time.Millisecond, "minimum timed duration per size")
	flag.Parse()
	out := Output{Backend: backend, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "sgemm: -sizes: %q is not a positive integer\n", f)
			os.Exit(2)
		}
		step := work.NewMatMul(n)
		step() // warm the arena and start the worker pool (or OpenBLAS's threads)
		s := work.Timed(*minTime, step)
		out.Results = append(out.Results, Result{N: n, GFLOPS: s.Rate() / 1e9, CPUGFLOPS: s.CPURate() / 1e9})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "sgemm:", err)
		os.Exit(1)
	}
}
