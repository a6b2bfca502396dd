package nets

import (
	"math/rand/v2"
	"testing"
)

func init() {
	torchCheckers["Embedding"] = func(t *testing.T, c torchCase) {
		e := NewEmbedding(rand.New(rand.NewPCG(1, 1)), c.hpInt(t, "num_embeddings"), c.hpInt(t, "embedding_dim"))
		if !c.hpIsNull(t, "padding_idx") {
			e.WithPaddingIdx(c.hpInt(t, "padding_idx"))
		}
		// The indices arrive as float32 tensors of their int64 values: Forward reads them.
		runTorchLayerCase(t, c, torchLayer{Params: e.Params(), Forward: singleIO(e)})
	}
}

func TestEmbeddingPaddingIdx(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	e := NewEmbedding(r, 6, 3).WithPaddingIdx(-2) // row 4, as in PyTorch
	if e.PaddingIdx != 4 {
		t.Fatalf("padding_idx -2 of 6 rows became %d, want 4", e.PaddingIdx)
	}
	for _, v := range e.Weight.Data[12:15] {
		if v != 0 {
			t.Fatal("the padding row is not initialized to zeros")
		}
	}
	g := NewGraph()
	y := e.Lookup(g, []int{4, 1, 4, 1}, 4)
	if !sameShape(y.Shape, []int{4, 3}) {
		t.Fatalf("shape %v", y.Shape)
	}
	for i := range y.Grad {
		y.Grad[i] = 1
	}
	g.BackwardFromGrads()
	for j := 0; j < 3; j++ {
		if e.Weight.Grad[4*3+j] != 0 {
			t.Error("the padding row got a gradient")
		}
		if e.Weight.Grad[1*3+j] != 2 {
			t.Errorf("row 1 (picked twice) grad %g, want 2", e.Weight.Grad[1*3+j])
		}
	}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"range", func() { e.Lookup(NewInference(), []int{6}, 1) }},
		{"fraction", func() { e.Forward(NewInference(), FromData([]float32{1.5}, 1)) }},
		{"padding", func() { e.WithPaddingIdx(6) }},
	} {
		if msg := mustPanic(t, c.f); !containsAll(msg, "nets: ") {
			t.Errorf("%s: panic %q", c.name, msg)
		}
	}
	// Batch-1 lookups from a float tensor allocate nothing.
	x := FromData([]float32{3, 0}, 1, 2)
	inf := NewInference()
	if a := testing.AllocsPerRun(50, func() { inf.Reset(); e.Forward(inf, x) }); a != 0 {
		t.Errorf("%.1f allocations per lookup, want 0", a)
	}
}
