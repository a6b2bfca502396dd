//go:build !race

package nets

// raceDetector is true in a -race build, where sync.Pool (under the GEMM's packing buffers) drops
// items at random on purpose, so allocation counts mean nothing.
const raceDetector = false
