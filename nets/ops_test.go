package nets

import (
	"math"
	"math/rand/v2"
	"testing"
)

// opCase is one row of the gradient-check table: build makes fresh inputs (with Grads) and the
// function of them to check.
type opCase struct {
	name  string
	build func(r *rand.Rand) (f func(g *Graph) *Tensor, wrt []*Tensor)
	opts  gradCheckOptions
}

func unary(op func(g *Graph, x *Tensor) *Tensor, mk func(r *rand.Rand) *Tensor) func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
	return func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		x := mk(r)
		return func(g *Graph) *Tensor { return op(g, x) }, []*Tensor{x}
	}
}

func binop(op func(g *Graph, a, b *Tensor) *Tensor, mkA, mkB func(r *rand.Rand) *Tensor) func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
	return func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		a, b := mkA(r), mkB(r)
		return func(g *Graph) *Tensor { return op(g, a, b) }, []*Tensor{a, b}
	}
}

func uni(lo, hi float64, shape ...int) func(r *rand.Rand) *Tensor {
	return func(r *rand.Rand) *Tensor { return randTensor(r, lo, hi, shape...) }
}

func nonzero(shape ...int) func(r *rand.Rand) *Tensor {
	return func(r *rand.Rand) *Tensor { return awayFromZero(r, shape...) }
}

// distinct returns values spaced at least 0.1 apart in random order, so max and min have no
// near-ties for a finite difference to straddle.
func distinct(shape ...int) func(r *rand.Rand) *Tensor {
	return func(r *rand.Rand) *Tensor {
		t := NewParam(shape...)
		for i, p := range r.Perm(len(t.Data)) {
			t.Data[i] = float32(p)*0.1 - 1
		}
		return t
	}
}

var opCases = []opCase{
	{name: "Add", build: binop((*Graph).Add, uni(-1, 1, 3, 4), uni(-1, 1, 3, 4))},
	{name: "Add/row-broadcast", build: binop((*Graph).Add, uni(-1, 1, 3, 4), uni(-1, 1, 4))},
	{name: "Add/column-broadcast", build: binop((*Graph).Add, uni(-1, 1, 3, 1), uni(-1, 1, 3, 4))},
	{name: "Add/scalar", build: binop((*Graph).Add, uni(-1, 1, 2, 3), uni(-1, 1))},
	{name: "Add/both-broadcast", build: binop((*Graph).Add, uni(-1, 1, 2, 1, 3), uni(-1, 1, 4, 1))},
	{name: "Sub", build: binop((*Graph).Sub, uni(-1, 1, 3, 4), uni(-1, 1, 4))},
	{name: "Mul", build: binop((*Graph).Mul, uni(-1, 1, 3, 4), uni(-1, 1, 3, 4))},
	{name: "Mul/broadcast", build: binop((*Graph).Mul, uni(-1, 1, 3, 1), uni(-1, 1, 1, 4))},
	{name: "Div", build: binop((*Graph).Div, uni(-1, 1, 3, 4), nonzero(3, 4))},
	{name: "Div/scalar", build: binop((*Graph).Div, uni(-1, 1, 3, 4), uni(1, 2))},
	{name: "Minimum", build: binop((*Graph).Minimum, distinct(3, 4), distinct(3, 4))},
	{name: "Maximum/broadcast", build: binop((*Graph).Maximum, distinct(3, 4), distinct(4))},
	{name: "Where", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		a, b := randTensor(r, -1, 1, 3, 4), randTensor(r, -1, 1, 3, 4)
		mask := New(3, 4)
		for i := range mask.Data {
			mask.Data[i] = float32(r.IntN(2))
		}
		return func(g *Graph) *Tensor { return g.Where(mask, a, b) }, []*Tensor{a, b}
	}},
	{name: "AddScalar", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.AddScalar(x, 0.5) }, uni(-1, 1, 5))},
	{name: "Scale", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Scale(x, -1.5) }, uni(-1, 1, 5))},
	{name: "Neg", build: unary((*Graph).Neg, uni(-1, 1, 5))},
	{name: "Exp", build: unary((*Graph).Exp, uni(-2, 2, 3, 4))},
	{name: "Log", build: unary((*Graph).Log, uni(0.5, 3, 3, 4))},
	{name: "Sqrt", build: unary((*Graph).Sqrt, uni(0.5, 3, 3, 4))},
	{name: "Square", build: unary((*Graph).Square, uni(-2, 2, 3, 4))},
	{name: "Pow/2.5", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Pow(x, 2.5) }, uni(0.5, 2, 3, 4))},
	{name: "Pow/-1", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Pow(x, -1) }, uni(0.5, 2, 3, 4))},
	{name: "Abs", build: unary((*Graph).Abs, nonzero(3, 4))},
	{name: "Clamp", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Clamp(x, -0.5, 0.5) }, func(r *rand.Rand) *Tensor {
		t := awayFromZero(r, 4, 5)
		for i, v := range t.Data { // keep clear of the bounds ±0.5
			if a := math.Abs(float64(v)); a > 0.4 && a < 0.6 {
				t.Data[i] *= 2
			}
		}
		return t
	})},
	{name: "Sum", build: unary((*Graph).Sum, uni(-1, 1, 3, 4))},
	{name: "Mean", build: unary((*Graph).Mean, uni(-1, 1, 3, 4))},
	{name: "SumAxis/0", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.SumAxis(x, 0, false) }, uni(-1, 1, 3, 4))},
	{name: "SumAxis/middle-keepdim", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.SumAxis(x, 1, true) }, uni(-1, 1, 2, 3, 4))},
	{name: "MeanAxis/-1", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.MeanAxis(x, -1, false) }, uni(-1, 1, 3, 4))},
	{name: "MaxAxis/-1", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.MaxAxis(x, -1, false) }, distinct(3, 4))},
	{name: "MaxAxis/0-keepdim", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.MaxAxis(x, 0, true) }, distinct(3, 4))},
	{name: "MatMul", build: binop((*Graph).MatMul, uni(-1, 1, 3, 5), uni(-1, 1, 5, 2))},
	{name: "Linear", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		x, w, b := randTensor(r, -1, 1, 2, 3, 5), randTensor(r, -1, 1, 4, 5), randTensor(r, -1, 1, 4)
		return func(g *Graph) *Tensor { return g.Linear(x, w, b) }, []*Tensor{x, w, b}
	}},
	{name: "Linear/no-bias", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		x, w := randTensor(r, -1, 1, 3, 5), randTensor(r, -1, 1, 4, 5)
		return func(g *Graph) *Tensor { return g.Linear(x, w, nil) }, []*Tensor{x, w}
	}},
	{name: "Reshape", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(g.Reshape(x, -1, 2)) }, uni(-1, 1, 3, 4))},
	{name: "Flatten", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(g.Flatten(x)) }, uni(-1, 1, 2, 3, 2))},
	{name: "Rows", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(g.Rows(x, 1, 3)) }, uni(-1, 1, 4, 3))},
	{name: "Detach", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		x, y := randTensor(r, -1, 1, 4), randTensor(r, -1, 1, 4)
		return func(g *Graph) *Tensor { return g.Mul(x, g.Detach(g.Square(y))) }, []*Tensor{x}
	}},
	{name: "Narrow", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Square(g.Narrow(x, 1, 1, 2)) }, uni(-1, 1, 3, 4, 2))},
	{name: "Concat/0", build: binop(func(g *Graph, a, b *Tensor) *Tensor { return g.Square(g.Concat(0, a, b)) }, uni(-1, 1, 2, 3), uni(-1, 1, 1, 3))},
	{name: "Concat/-1", build: binop(func(g *Graph, a, b *Tensor) *Tensor { return g.Square(g.Concat(-1, a, b)) }, uni(-1, 1, 2, 3), uni(-1, 1, 2, 2))},
	{name: "Gather", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Gather(x, []int{2, 0, 3}) }, uni(-1, 1, 3, 4))},
	{name: "ReLU", build: unary((*Graph).ReLU, nonzero(3, 4))},
	{name: "LeakyReLU", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.LeakyReLU(x, 0.1) }, nonzero(3, 4))},
	{name: "Tanh", build: unary((*Graph).Tanh, uni(-2, 2, 3, 4))},
	{name: "Sigmoid", build: unary((*Graph).Sigmoid, uni(-3, 3, 3, 4))},
	{name: "GELU/exact", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.GELU(x, false) }, uni(-3, 3, 3, 4))},
	{name: "GELU/tanh", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.GELU(x, true) }, uni(-3, 3, 3, 4))},
	{name: "Softmax/-1", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Softmax(x, -1) }, uni(-2, 2, 3, 4))},
	{name: "Softmax/0", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.Softmax(x, 0) }, uni(-2, 2, 3, 4))},
	{name: "LogSoftmax/-1", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.LogSoftmax(x, -1) }, uni(-2, 2, 3, 4))},
	{name: "LogSoftmax/1-of-3d", build: unary(func(g *Graph, x *Tensor) *Tensor { return g.LogSoftmax(x, 1) }, uni(-2, 2, 2, 3, 2))},
	{name: "Sequential/MLP", build: func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		mlp := NewMLP(r, Tanh{}, 3, 5, 2)
		x := randTensor(r, -1, 1, 4, 3)
		wrt := []*Tensor{x}
		for _, p := range mlp.Params() {
			wrt = append(wrt, p.Tensor)
		}
		return func(g *Graph) *Tensor { return mlp.Forward(g, x) }, wrt
	}},
}

func TestOpGradients(t *testing.T) {
	for i, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 1)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

func TestDetachStopsGradient(t *testing.T) {
	x, y := FromData([]float32{1, 2}, 2).RequireGrad(), FromData([]float32{3, 4}, 2).RequireGrad()
	g := NewGraph()
	g.Backward(g.Sum(g.Mul(x, g.Detach(g.Square(y)))))
	if y.Grad[0] != 0 || y.Grad[1] != 0 {
		t.Errorf("gradient %v flowed through Detach", y.Grad)
	}
	if x.Grad[0] != 9 || x.Grad[1] != 16 {
		t.Errorf("x.Grad = %v, want [9 16]", x.Grad)
	}
}

// TestInferenceForwardDoesNotAllocate is the acting loop's contract: a batch-1 forward of an MLP
// on a non-recording graph allocates nothing once the arena is warm.
func TestInferenceForwardDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, act := range []Layer{ReLU{}, Tanh{}} {
		mlp := NewMLP(r, act, 4, 64, 64, 2)
		x := FromData([]float32{0.1, -0.2, 0.3, 0.05}, 1, 4)
		g := NewInference()
		allocs := testing.AllocsPerRun(100, func() {
			g.Reset()
			y := mlp.Forward(g, x)
			_ = Argmax(y.Data)
		})
		if allocs != 0 {
			t.Errorf("%T MLP: %.1f allocations per batch-1 forward, want 0", act, allocs)
		}
	}
}

// TestGraphOps checks a few forward values and the broadcasting rules against hand-computed results.
func TestGraphForwardValues(t *testing.T) {
	g := NewInference()
	a := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromData([]float32{10, 20, 30}, 3)
	c := FromData([]float32{100, 200}, 2, 1)
	for _, tc := range []struct {
		name  string
		got   *Tensor
		shape []int
		want  []float32
	}{
		{"Add row", g.Add(a, b), []int{2, 3}, []float32{11, 22, 33, 14, 25, 36}},
		{"Add column", g.Add(a, c), []int{2, 3}, []float32{101, 102, 103, 204, 205, 206}},
		{"Sub scalar", g.Sub(a, Scalar(1)), []int{2, 3}, []float32{0, 1, 2, 3, 4, 5}},
		{"SumAxis 0", g.SumAxis(a, 0, false), []int{3}, []float32{5, 7, 9}},
		{"MeanAxis -1 keepdim", g.MeanAxis(a, -1, true), []int{2, 1}, []float32{2, 5}},
		{"MaxAxis 1", g.MaxAxis(a, 1, false), []int{2}, []float32{3, 6}},
		{"Gather", g.Gather(a, []int{2, 0}), []int{2}, []float32{3, 4}},
		{"Concat 1", g.Concat(1, a, c), []int{2, 4}, []float32{1, 2, 3, 100, 4, 5, 6, 200}},
		{"Narrow", g.Narrow(a, 1, 1, 2), []int{2, 2}, []float32{2, 3, 5, 6}},
		{"Rows", g.Rows(a, 1, 2), []int{1, 3}, []float32{4, 5, 6}},
		{"Reshape -1", g.Reshape(a, 3, -1), []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}},
		{"OneHot", g.OneHot([]int{1, 0}, 3), []int{2, 3}, []float32{0, 1, 0, 1, 0, 0}},
		{"MatMul", g.MatMul(a, FromData([]float32{1, 0, 0, 1, 1, 1}, 3, 2)), []int{2, 2}, []float32{4, 5, 10, 11}},
		{"Where", g.Where(FromData([]float32{1, 0, 1, 0, 0, 1}, 2, 3), a, g.Neg(a)), []int{2, 3}, []float32{1, -2, 3, -4, -5, 6}},
	} {
		if !sameShape(tc.got.Shape, tc.shape) {
			t.Errorf("%s: shape %v, want %v", tc.name, tc.got.Shape, tc.shape)
			continue
		}
		for i := range tc.want {
			if tc.got.Data[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, tc.got.Data, tc.want)
				break
			}
		}
	}
}

func TestEmptyInnerDimension(t *testing.T) {
	g := NewGraph()
	for range 2 { // the second pass reuses dirty arena buffers
		g.Reset()
		g.Scale(g.Zeros(2, 3), 0) // leave garbage-free but used buffers behind
		junk := g.Zeros(16)
		for i := range junk.Data {
			junk.Data[i] = 7
		}
		g.Reset()
		y := g.Linear(New(2, 0), New(3, 0), FromData([]float32{1, 2, 3}, 3))
		m := g.MatMul(New(2, 0), New(0, 3))
		for i, v := range y.Data {
			if v != float32(i%3+1) {
				t.Fatalf("Linear with no inputs = %v, want the bias", y.Data)
			}
		}
		for _, v := range m.Data {
			if v != 0 {
				t.Fatalf("MatMul over k = 0 = %v, want zeros", m.Data)
			}
		}
	}
}

// TestLeakyReLUBranchlessMatchesDefinition: the branchless passes give PyTorch's values and
// gradients bit for bit at the edges: both zeros (derivative slope), denormals, infinities.
func TestLeakyReLUBranchlessMatchesDefinition(t *testing.T) {
	const slope = 0.2
	xs := []float32{-2, float32(math.Copysign(0, -1)), 0, 1e-45, -1e-45, 1e-30, 3,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32}
	x := New(len(xs))
	copy(x.Data, xs)
	x.Grad = make([]float32, len(xs))
	g := NewGraph()
	y := g.LeakyReLU(x, slope)
	for i := range y.Grad {
		y.Grad[i] = 1.5
	}
	g.BackwardFromGrads()
	for i, v := range xs {
		wantY, wantD := v*slope, float32(1.5)*slope
		if v > 0 {
			wantY, wantD = v, 1.5
		}
		if y.Data[i] != wantY {
			t.Errorf("LeakyReLU(%g) = %g, want %g", v, y.Data[i], wantY)
		}
		if x.Grad[i] != wantD {
			t.Errorf("LeakyReLU'(%g)·1.5 = %g, want %g", v, x.Grad[i], wantD)
		}
	}
}
