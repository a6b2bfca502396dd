// Package openblas binds OpenBLAS's cblas_sgemm through cgo for package gemm's openblas build
// tag. It is a package of its own because a cgo package cannot hold Go assembly, and gemm's
// kernels are Go assembly. Without the openblas tag (or without cgo) the package is empty.
package openblas
