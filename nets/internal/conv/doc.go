// Package conv holds the kernels under nets' convolution and pooling layers: the im2col and
// col2im transforms that turn a 2-D convolution into matrix products (gemm.Sgemm does the
// arithmetic) and an AVX2 kernel for 2×2 max pooling. nets spreads the images of a batch over
// the cores with internal/workers, the pool the GEMM uses too.
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
// For stride 1 and an output as wide as the input (3×3 with padding 1, 5×5 with padding 2: most
// convolutions), a column-matrix row is one shifted run of its input plane, copied in one go
// and fixed up at the wrapped edge columns. Strided geometries whose output is ⌈W/stride⌉ wide
// (kernel 3 or 4 with stride 2 and padding 1: downsampling layers, DCGAN) get the same after a
// space-to-depth split of the image into its stride phases, in a scratch buffer the caller
// provides (Geom.ScratchLen). Other geometries go output row by output row.
//
// # Max pooling
//
// MaxPool2x2 pools 8 windows an iteration with AVX2 (split into left and right elements by
// shuffles, VMAXPS, and the source offsets by compares and blends) and leaves the groups that
// hold a NaN, and the tail, to its caller's Go loop, which applies PyTorch's NaN rule.
package conv
