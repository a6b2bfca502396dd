package gemm_test

import (
	"fmt"

	"github.com/gorl/gorl/nets/internal/gemm"
)

// A Linear layer's forward pass, y = x·Wᵀ + b, for a batch of two inputs of three features and
// a layer of two outputs stored as PyTorch stores it (out×in): the bias is written into y first
// and kept by beta = 1.
func ExampleSgemm() {
	x := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	y := []float32{
		10, 20,
		10, 20,
	}
	gemm.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 1, y, 2)
	fmt.Println(y)
	// Output: [8 23 8 27.5]
}

// A Context limits the goroutines of its calls; Threads: 1 keeps them on the caller's.
func ExampleContext() {
	ctx := &gemm.Context{Threads: 1}
	a := []float32{1, 2, 3, 4} // 2×2
	b := []float32{5, 6, 7, 8} // 2×2
	c := make([]float32, 4)
	ctx.Sgemm(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output: [19 22 43 50]
}
