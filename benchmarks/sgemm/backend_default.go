//go:build !(openblas && cgo)

package main

// backend names the implementation behind nets' MatMul in this build.
const backend = "gorl"
