package main

import (
	"bytes"
	"os"
	"testing"
)

// TestUpToDate fails when the committed kernels differ from what the generator writes: run
// go generate in nets/internal/gemm.
func TestUpToDate(t *testing.T) {
	asm, gosrc, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"../../kernels_amd64.s": asm, "../../kernels_amd64.go": gosrc} {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what internal/asmgen generates: run go generate in nets/internal/gemm", name)
		}
	}
}
