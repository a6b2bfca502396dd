package nets

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// mustPanic runs f and returns its panic message, failing the test if it does not panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg, _ = r.(string)
	}()
	f()
	return ""
}

func TestGraphArenaReusesBuffers(t *testing.T) {
	g := NewGraph()
	w := FromData([]float32{1, 2, 3, 4}, 2, 2).RequireGrad()
	x := FromData([]float32{1, 1}, 1, 2)
	y1 := g.Linear(x, w, nil)
	first := &y1.Data[0]
	g.Reset()
	y2 := g.Linear(x, w, nil)
	if &y2.Data[0] != first {
		t.Error("the same op sequence after Reset did not reuse the arena buffer")
	}
	if y2.Data[0] != 3 || y2.Data[1] != 7 {
		t.Errorf("Linear after Reset = %v, want [3 7]", y2.Data)
	}
	// A larger request in the same slot gets a fresh buffer, and later smaller ones reuse it.
	g.Reset()
	big := g.Zeros(100)
	if len(big.Data) != 100 {
		t.Fatal("Zeros(100)")
	}
}

func TestBackwardAccumulatesIntoParams(t *testing.T) {
	w := FromData([]float32{2}, 1).RequireGrad()
	g := NewGraph()
	for range 2 {
		g.Reset()
		g.Backward(g.Sum(g.Square(w))) // d/dw w² = 4
	}
	if w.Grad[0] != 8 {
		t.Errorf("grad after two backward passes = %v, want 8 (accumulated)", w.Grad[0])
	}
	ZeroGrads([]NamedTensor{{"w", w}})
	if w.Grad[0] != 0 {
		t.Error("ZeroGrads")
	}
}

func TestRecordingAndModes(t *testing.T) {
	w := FromData([]float32{2}, 1).RequireGrad()
	g := NewInference()
	if g.Recording() || g.Training() {
		t.Error("NewInference records or trains")
	}
	if y := g.Square(w); y.Grad != nil {
		t.Error("a non-recording graph gave an output a gradient")
	}
	g = NewGraph()
	if !g.Recording() || !g.Training() {
		t.Error("NewGraph does not record or train")
	}
	g.SetRecording(false)
	if y := g.Square(w); y.Grad != nil {
		t.Error("SetRecording(false) still records")
	}
	g.SetRecording(true)
	g.SetTraining(false)
	if y := g.Square(w); y.Grad == nil || g.Training() {
		t.Error("recording in eval mode")
	}
	msg := mustPanic(t, func() { g.Rand() })
	if !strings.Contains(msg, "SetRand") {
		t.Errorf("Rand without a generator: %q", msg)
	}
	g.SetRand(rand.New(rand.NewPCG(1, 2)))
	_ = g.Rand().Float64()
}

func TestGraphContractViolationsPanicClearly(t *testing.T) {
	g := NewGraph()
	a, b := New(2, 3), New(4)
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"broadcast", "Add: shapes [2 3] and [4] do not broadcast", func() { g.Add(a, b) }},
		{"matmul", "MatMul", func() { g.MatMul(a, a) }},
		{"linear", "Linear: input", func() { g.Linear(a, New(2, 2), nil) }},
		{"reshape", "cannot view", func() { g.Reshape(a, 4, -1) }},
		{"gather", "index 5 out of range", func() { g.Gather(a, []int{0, 5}) }},
		{"axis", "axis out of range", func() { g.SumAxis(a, 2, false) }},
		{"backward of a vector", "one-element loss", func() { g.Backward(g.Square(a.RequireGrad())) }},
		{"backward without grad", "without a gradient", func() { g.Backward(g.Sum(New(2))) }},
		{"fromdata", "FromData: 3 values", func() { FromData(make([]float32, 3), 2, 2) }},
		{"cross entropy target", "target 7 out of range", func() { g.CrossEntropyLoss(a, []int{0, 7}, CrossEntropyOptions{}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := mustPanic(t, c.f); !strings.HasPrefix(msg, "nets: ") || !strings.Contains(msg, c.want) {
				t.Errorf("panic %q, want a nets: message containing %q", msg, c.want)
			}
		})
	}
}

func TestModuleNamesMatchPyTorch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	mlp := NewMLP(r, ReLU{}, 4, 64, 64, 2)
	var names []string
	for _, p := range mlp.Params() {
		names = append(names, p.Name+shapeStr(p.Tensor.Shape))
	}
	want := "0.weight[64 4] 0.bias[64] 2.weight[64 64] 2.bias[64] 4.weight[2 64] 4.bias[2]"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("MLP params %s, want %s (nn.Sequential's names)", got, want)
	}
	if len(BuffersOf(mlp)) != 0 || len(StateDict(mlp)) != 6 {
		t.Error("an MLP has no buffers")
	}
	nested := NewSequential(NewLinear(r, 2, 3, false), Tanh{}, NewSequential(NewLinear(r, 3, 1, true)))
	var got []string
	for _, p := range nested.Params() {
		got = append(got, p.Name)
	}
	if strings.Join(got, " ") != "0.weight 2.0.weight 2.0.bias" {
		t.Errorf("nested Sequential names %v", got)
	}
	if ParamsOf(ReLU{}) != nil {
		t.Error("ReLU has parameters")
	}
}

func TestPyTorchDefaultLinearInit(t *testing.T) {
	// U(−1/√in, 1/√in) for weight and bias: check the bounds and the variance (1/(3·in)).
	r := rand.New(rand.NewPCG(3, 4))
	l := NewLinear(r, 100, 400, true)
	bound := 1 / math.Sqrt(100)
	var s2 float64
	for _, v := range l.Weight.Data {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("weight %v outside ±%v", v, bound)
		}
		s2 += float64(v) * float64(v)
	}
	if v := s2 / float64(len(l.Weight.Data)); math.Abs(v/(bound*bound/3)-1) > 0.05 {
		t.Errorf("weight variance %v, want %v", v, bound*bound/3)
	}
	for _, v := range l.Bias.Data {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("bias %v outside ±%v", v, bound)
		}
	}
	// The same seed gives the same network.
	a := NewMLP(rand.New(rand.NewPCG(7, 7)), ReLU{}, 3, 5, 2)
	b := NewMLP(rand.New(rand.NewPCG(7, 7)), ReLU{}, 3, 5, 2)
	for i, p := range a.Params() {
		for j, v := range p.Tensor.Data {
			if b.Params()[i].Tensor.Data[j] != v {
				t.Fatal("same seed, different initialization")
			}
		}
	}
}

func TestInitializerStatistics(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	variance := func(x *Tensor) float64 {
		var s, s2 float64
		for _, v := range x.Data {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(len(x.Data))
		return s2/n - (s/n)*(s/n)
	}
	w := New(200, 50, 3, 3) // a conv weight: fan_in 450, fan_out 1800
	fi, fo := Fans(w.Shape)
	if fi != 450 || fo != 1800 {
		t.Fatalf("Fans = %d, %d", fi, fo)
	}
	for _, c := range []struct {
		name string
		init func()
		want float64
	}{
		{"KaimingUniform relu fan_in", func() { KaimingUniform(r, w, Gain(GainReLU, 0), FanIn) }, 2.0 / 450},
		{"KaimingNormal relu fan_out", func() { KaimingNormal(r, w, Gain(GainReLU, 0), FanOut) }, 2.0 / 1800},
		{"XavierUniform tanh", func() { XavierUniform(r, w, Gain(GainTanh, 0)) }, 25.0 / 9 * 2 / 2250},
		{"XavierNormal", func() { XavierNormal(r, w, 1) }, 2.0 / 2250},
		{"Normal", func() { Normal(r, w, 0, 0.1) }, 0.01},
	} {
		c.init()
		if v := variance(w); math.Abs(v/c.want-1) > 0.03 {
			t.Errorf("%s: variance %.4g, want %.4g", c.name, v, c.want)
		}
	}
	if g := Gain(GainLeakyReLU, 0.2); math.Abs(g-math.Sqrt(2/1.04)) > 1e-12 {
		t.Errorf("leaky_relu gain %v", g)
	}
}

func TestOrthogonal(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, shape := range [][]int{{6, 4}, {4, 6}, {5, 5}, {3, 2, 2}} {
		w := New(shape...)
		Orthogonal(r, w, 2)
		rows := shape[0]
		cols := len(w.Data) / rows
		// WᵀW = 4·I (tall) or WWᵀ = 4·I (wide): orthonormal columns or rows, scaled by gain².
		k, n, stride := cols, rows, cols // tall: dot products of columns
		at := func(i, j int) float64 { return float64(w.Data[i*stride+j]) }
		if rows < cols {
			k, n = rows, cols
			at = func(i, j int) float64 { return float64(w.Data[j*stride+i]) }
		}
		for a := range k {
			for b := range k {
				var s float64
				for i := range n {
					s += at(i, a) * at(i, b)
				}
				want := 0.0
				if a == b {
					want = 4
				}
				if math.Abs(s-want) > 1e-5 {
					t.Fatalf("shape %v: Gram[%d][%d] = %v, want %v", shape, a, b, s, want)
				}
			}
		}
	}
}

func TestCopyAndSoftUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	online, target := NewMLP(r, ReLU{}, 3, 4, 2), NewMLP(r, ReLU{}, 3, 4, 2)
	if NumParams(online.Params()) != 3*4+4+4*2+2 {
		t.Errorf("NumParams = %d", NumParams(online.Params()))
	}
	before := target.Params()[0].Tensor.Data[0]
	o := online.Params()[0].Tensor.Data[0]
	SoftUpdate(target.Params(), online.Params(), 0.25)
	if got, want := target.Params()[0].Tensor.Data[0], 0.25*o+0.75*before; math.Abs(float64(got-want)) > 1e-7 {
		t.Errorf("SoftUpdate: %v, want %v", got, want)
	}
	if err := CopyParams(StateDict(target), StateDict(online)); err != nil {
		t.Fatal(err)
	}
	if target.Params()[0].Tensor.Data[0] != o {
		t.Error("CopyParams did not copy")
	}
	if err := CopyParams(NewMLP(r, ReLU{}, 3, 5, 2).Params(), online.Params()); err == nil {
		t.Error("CopyParams between different architectures succeeded")
	}
	mustPanic(t, func() { SoftUpdate(NewMLP(r, ReLU{}, 3, 5, 2).Params(), online.Params(), 0.5) })
}
