package nets

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDropout(t *testing.T) {
	x := New(200, 50)
	Constant(x, 2)
	x.RequireGrad()
	g := NewGraph()
	g.SetRand(rand.New(rand.NewPCG(1, 2)))
	const p = 0.3
	y := g.Dropout(x, p)
	kept := 0
	for i, v := range y.Data {
		switch v {
		case 0:
		case float32(2 / (1 - p)):
			kept++
		default:
			t.Fatalf("output %d is %g: neither dropped nor scaled by 1/(1−p)", i, v)
		}
	}
	// 10,000 Bernoulli(0.7) draws: the kept fraction is within 5 standard deviations of 0.7.
	if frac, sd := float64(kept)/1e4, math.Sqrt(p*(1-p)/1e4); math.Abs(frac-(1-p)) > 5*sd {
		t.Errorf("kept %.4f of the elements, want %.2f", frac, 1-p)
	}
	for i := range y.Grad {
		y.Grad[i] = 1
	}
	g.BackwardFromGrads()
	for i, d := range x.Grad {
		if want := y.Data[i] / 2; d != want {
			t.Fatalf("grad %d = %g, want %g (the mask times 1/(1−p))", i, d, want)
		}
	}

	// Eval mode, p = 0: the input itself. p = 1: zeros.
	ev := NewInference()
	if ev.Dropout(x, 0.5) != x {
		t.Error("eval-mode Dropout is not the identity")
	}
	if g.Dropout(x, 0) != x {
		t.Error("Dropout(0) is not the identity")
	}
	for _, v := range g.Dropout(x, 1).Data {
		if v != 0 {
			t.Fatal("Dropout(1) kept an element")
		}
	}
	if msg := mustPanic(t, func() { g.Dropout(x, 1.5) }); !containsAll(msg, "nets: Dropout") {
		t.Errorf("panic %q", msg)
	}
	if msg := mustPanic(t, func() { NewGraph().Dropout(x, 0.5) }); !containsAll(msg, "random generator") {
		t.Errorf("Dropout without g.SetRand: panic %q", msg)
	}
}

func TestDropoutRepeatsWithTheSeed(t *testing.T) {
	x := randTensor(rand.New(rand.NewPCG(3, 3)), -1, 1, 4, 8)
	run := func() []float32 {
		g := NewGraph()
		g.SetRand(rand.New(rand.NewPCG(9, 9)))
		return append([]float32(nil), Dropout{P: 0.5}.Forward(g, x).Data...)
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the same seed drew another mask")
		}
	}
}

var dropoutCases = []opCase{
	{name: "Dropout/0.4", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Dropout(x, 0.4) }, uni(-1, 1, 3, 5)), opts: gradCheckOptions{Train: true}},
	{name: "Dropout/eval", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(g.Dropout(x, 0.4)) }, uni(-1, 1, 3, 5))},
	{name: "Reshape/layer", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(Reshape{Shape: []int{2, -1}}.Forward(g, x)) }, uni(-1, 1, 3, 4))},
	{name: "Embedding", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		e := NewEmbedding(r, 5, 3)
		return func(g *Graph) *Tensor { return e.Lookup(g, []int{1, 4, 1, 0, 4, 4}, 2, 3) }, []*Tensor{e.Weight}
	}},
}

func TestDropoutEmbeddingReshapeGradients(t *testing.T) {
	for i, c := range dropoutCases {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 9)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

func TestReshapeLayer(t *testing.T) {
	x := New(4, 12)
	y := Reshape{Shape: []int{3, 2, -1}}.Forward(NewInference(), x)
	if !sameShape(y.Shape, []int{4, 3, 2, 2}) {
		t.Errorf("shape %v, want [4 3 2 2]", y.Shape)
	}
	back := Flatten{}.Forward(NewInference(), y)
	if !sameShape(back.Shape, x.Shape) {
		t.Errorf("Flatten after Reshape: %v, want %v", back.Shape, x.Shape)
	}
}
