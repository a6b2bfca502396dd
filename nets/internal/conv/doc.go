// Package conv holds the kernels under nets' convolutions: the im2col and col2im transforms that
// turn a 2-D convolution into matrix products (gemm.Sgemm does the arithmetic), and the small
// worker pool that spreads the images of a batch over the cores.
//
// # Layout
//
// An image is C×H×W float32s in row-major order (one sample of an NCHW tensor). Its column matrix
// for a KH×KW kernel has one row per (channel, kernel row, kernel column), in that order, and one
// column per output position (i, j) of the OH×OW grid:
//
//	col[(c·KH + a)·KW + b][i·OW + j] = img[c][i·SH + a·DH − PH][j·SW + b·DW − PW]
//
// and 0 where that position falls in the padding. This row order is the order of PyTorch's
// weight layout [out, in, KH, KW] flattened to [out, in·KH·KW], so a convolution is one product
// weight·col per image (per group), and its input gradient is col2im(weightᵀ·dout).
//
// # Parallelism
//
// Parallel runs the parts of a job on the caller's goroutine and on persistent pool workers (at
// most one worker per extra core, started on first use), handing each part a worker index so that
// the caller can give every worker its own scratch buffers without locks. Parts are taken from an
// atomic counter, so a worker that the shared machine slows down costs no more than its share.
package conv
