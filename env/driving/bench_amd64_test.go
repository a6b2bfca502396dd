//go:build amd64 && !purego

package driving

import "testing"

// BenchmarkHighwaySweep is BenchmarkHighway with each implementation of the sweep that the
// CPU runs (AVX-512, AVX2, portable Go), so that one run compares them under the same load.
func BenchmarkHighwaySweep(b *testing.B) {
	haveAVX2, haveAVX512 := cpuFeatures()
	for _, k := range []struct {
		name         string
		avx2, avx512 bool
	}{{"avx512", true, true}, {"avx2", true, false}, {"generic", false, false}} {
		b.Run(k.name, func(b *testing.B) {
			if (k.avx2 && !haveAVX2) || (k.avx512 && !haveAVX512) {
				b.Skipf("the CPU has no %s", k.name)
			}
			saved2, saved512 := useAVX2, useAVX512
			useAVX2, useAVX512 = k.avx2, k.avx512
			defer func() { useAVX2, useAVX512 = saved2, saved512 }()
			h, err := NewHighway(nil)
			if err != nil {
				b.Fatal(err)
			}
			benchEnv(b, h)
		})
	}
}
