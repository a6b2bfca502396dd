package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func init() {
	torchCheckers["Conv2d"] = func(t *testing.T, c torchCase) {
		if pm := c.hpString(t, "padding_mode"); pm != "zeros" {
			t.Fatalf("padding_mode %q is not supported", pm)
		}
		in, out, k := c.hpInt(t, "in_channels"), c.hpInt(t, "out_channels"), c.hpInts(t, "kernel_size")
		o := ConvOptions{Stride: pair(t, c, "stride"), Padding: pair(t, c, "padding"),
			Dilation: pair(t, c, "dilation"), Groups: c.hpInt(t, "groups")}
		conv := NewConv2D(rand.New(rand.NewPCG(1, 1)), in, out, [2]int{k[0], k[1]}, c.hpBool(t, "bias"), o)
		runTorchLayerCase(t, c, torchLayer{Params: conv.Params(), Forward: singleIO(conv)})
	}
	torchCheckers["ConvTranspose2d"] = func(t *testing.T, c torchCase) {
		if pm := c.hpString(t, "padding_mode"); pm != "zeros" {
			t.Fatalf("padding_mode %q is not supported", pm)
		}
		in, out, k := c.hpInt(t, "in_channels"), c.hpInt(t, "out_channels"), c.hpInts(t, "kernel_size")
		o := ConvOptions{Stride: pair(t, c, "stride"), Padding: pair(t, c, "padding"),
			Dilation: pair(t, c, "dilation"), Groups: c.hpInt(t, "groups"), OutputPadding: pair(t, c, "output_padding")}
		conv := NewConvTranspose2D(rand.New(rand.NewPCG(1, 1)), in, out, [2]int{k[0], k[1]}, c.hpBool(t, "bias"), o)
		runTorchLayerCase(t, c, torchLayer{Params: conv.Params(), Forward: singleIO(conv)})
	}
}

// pair reads a [height, width] hparam.
func pair(t *testing.T, c torchCase, name string) [2]int {
	t.Helper()
	v := c.hpInts(t, name)
	if len(v) != 2 {
		t.Fatalf("case %s: hparam %q = %v, want [height, width]", c.Name, name, v)
	}
	return [2]int{v[0], v[1]}
}

// convCase builds a gradient check of a convolution module on a random input.
func convCase(mk func(r *rand.Rand) (Layer, []int)) func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
	return func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
		l, shape := mk(r)
		x := randTensor(r, -1, 1, shape...)
		wrt := []*Tensor{x}
		for _, p := range ParamsOf(l) {
			if p.Tensor.Grad != nil { // frozen parameters take no gradient
				wrt = append(wrt, p.Tensor)
			}
		}
		return func(g *Graph) *Tensor { return l.Forward(g, x) }, wrt
	}
}

func conv2D(in, out int, k [2]int, bias bool, o ConvOptions, x ...int) func(r *rand.Rand) (Layer, []int) {
	return func(r *rand.Rand) (Layer, []int) { return NewConv2D(r, in, out, k, bias, o), x }
}

func convT2D(in, out int, k [2]int, bias bool, o ConvOptions, x ...int) func(r *rand.Rand) (Layer, []int) {
	return func(r *rand.Rand) (Layer, []int) { return NewConvTranspose2D(r, in, out, k, bias, o), x }
}

// frozen returns mk with the named parameter's gradient removed (requires_grad=False).
func frozen(name string, mk func(r *rand.Rand) (Layer, []int)) func(r *rand.Rand) (Layer, []int) {
	return func(r *rand.Rand) (Layer, []int) {
		l, shape := mk(r)
		for _, p := range ParamsOf(l) {
			if p.Name == name {
				p.Tensor.Grad = nil
			}
		}
		return l, shape
	}
}

var convCases = []opCase{
	{name: "Conv2D/k3p1", build: convCase(conv2D(2, 3, Pair(3), true, ConvOptions{Padding: Pair(1)}, 2, 2, 5, 4))},
	{name: "Conv2D/k1", build: convCase(conv2D(3, 2, Pair(1), true, ConvOptions{}, 2, 3, 3, 4))},
	{name: "Conv2D/k1-stride2", build: convCase(conv2D(3, 2, Pair(1), false, ConvOptions{Stride: Pair(2)}, 1, 3, 5, 4))},
	{name: "Conv2D/k3s2p1-nobias", build: convCase(conv2D(2, 3, Pair(3), false, ConvOptions{Stride: Pair(2), Padding: Pair(1)}, 2, 2, 6, 5))},
	{name: "Conv2D/k2x3-s2x1-p1x0", build: convCase(conv2D(2, 2, [2]int{2, 3}, true, ConvOptions{Stride: [2]int{2, 1}, Padding: [2]int{1, 0}}, 1, 2, 5, 6))},
	{name: "Conv2D/dilation2", build: convCase(conv2D(2, 2, Pair(3), true, ConvOptions{Dilation: Pair(2), Padding: Pair(1)}, 2, 2, 6, 6))},
	{name: "Conv2D/dilation2x1-stride2", build: convCase(conv2D(1, 2, Pair(2), true, ConvOptions{Dilation: [2]int{2, 1}, Stride: Pair(2)}, 1, 1, 7, 6))},
	{name: "Conv2D/groups2", build: convCase(conv2D(4, 6, Pair(3), true, ConvOptions{Groups: 2, Padding: Pair(1)}, 2, 4, 4, 3))},
	{name: "Conv2D/depthwise", build: convCase(conv2D(3, 3, Pair(3), true, ConvOptions{Groups: 3}, 1, 3, 4, 5))},
	{name: "Conv2D/groups2-k1", build: convCase(conv2D(4, 2, Pair(1), true, ConvOptions{Groups: 2}, 2, 4, 3, 3))},
	{name: "Conv2D/unbatched", build: convCase(conv2D(2, 3, Pair(2), true, ConvOptions{}, 2, 4, 3))},
	{name: "Conv2D/frozen-weight", build: convCase(frozen("weight", conv2D(2, 3, Pair(3), true, ConvOptions{Padding: Pair(1)}, 2, 2, 4, 4)))},
	{name: "Conv2D/frozen-bias", build: convCase(frozen("bias", conv2D(2, 3, Pair(3), true, ConvOptions{Padding: Pair(1)}, 2, 2, 4, 4)))},
	{name: "ConvTranspose2D/frozen-weight", build: convCase(frozen("weight", convT2D(2, 3, Pair(3), true, ConvOptions{Stride: Pair(2)}, 2, 2, 3, 3)))},
	{name: "ConvTranspose2D/k4s2p1", build: convCase(convT2D(3, 2, Pair(4), true, ConvOptions{Stride: Pair(2), Padding: Pair(1)}, 2, 3, 3, 2))},
	{name: "ConvTranspose2D/k3p1", build: convCase(convT2D(2, 3, Pair(3), true, ConvOptions{Padding: Pair(1)}, 1, 2, 3, 4))},
	{name: "ConvTranspose2D/k3s2p1-outpad1", build: convCase(convT2D(2, 2, Pair(3), true, ConvOptions{Stride: Pair(2), Padding: Pair(1), OutputPadding: Pair(1)}, 2, 2, 3, 3))},
	{name: "ConvTranspose2D/outpad-with-dilation", build: convCase(convT2D(2, 2, Pair(2), true, ConvOptions{Dilation: Pair(3), OutputPadding: [2]int{2, 1}}, 1, 2, 3, 3))},
	{name: "ConvTranspose2D/nobias", build: convCase(convT2D(2, 3, [2]int{3, 2}, false, ConvOptions{Stride: [2]int{1, 2}}, 2, 2, 3, 3))},
	{name: "ConvTranspose2D/groups2", build: convCase(convT2D(4, 6, Pair(3), true, ConvOptions{Groups: 2, Stride: Pair(2)}, 1, 4, 3, 2))},
	{name: "ConvTranspose2D/k1", build: convCase(convT2D(3, 2, Pair(1), true, ConvOptions{}, 2, 3, 2, 3))},
}

// TestConvGradients checks the serial path; TestConvParallelMatchesSerial checks that the batch
// split over goroutines computes the same.
func TestConvGradients(t *testing.T) {
	for i, c := range convCases {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 5)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

// naiveConv2D is SCHEMA.md's formula, in float64.
func naiveConv2D(x, w, b *Tensor, o ConvOptions) ([]float64, [4]int) {
	o = o.withDefaults()
	n, cin, h, wd := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	cout, cg, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	oh := (h+2*o.Padding[0]-o.Dilation[0]*(kh-1)-1)/o.Stride[0] + 1
	ow := (wd+2*o.Padding[1]-o.Dilation[1]*(kw-1)-1)/o.Stride[1] + 1
	out := make([]float64, n*cout*oh*ow)
	for s := 0; s < n; s++ {
		for co := 0; co < cout; co++ {
			gi := co / (cout / o.Groups)
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					v := 0.0
					if b != nil {
						v = float64(b.Data[co])
					}
					for c := 0; c < cg; c++ {
						for a := 0; a < kh; a++ {
							for bb := 0; bb < kw; bb++ {
								y, xx := i*o.Stride[0]+a*o.Dilation[0]-o.Padding[0], j*o.Stride[1]+bb*o.Dilation[1]-o.Padding[1]
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								v += float64(w.Data[((co*cg+c)*kh+a)*kw+bb]) * float64(x.Data[((s*cin+gi*cg+c)*h+y)*wd+xx])
							}
						}
					}
					out[((s*cout+co)*oh+i)*ow+j] = v
				}
			}
		}
	}
	return out, [4]int{n, cout, oh, ow}
}

// TestConv2DMatchesDefinition compares forward values with the direct formula over sizes and
// settings the reference data does not have, on both the serial and the parallel path.
func TestConv2DMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	cases := []struct {
		in, out, n, h, w int
		k                [2]int
		o                ConvOptions
	}{
		{3, 32, 4, 17, 13, Pair(3), ConvOptions{Padding: Pair(1)}},
		{8, 16, 16, 9, 11, [2]int{3, 5}, ConvOptions{Stride: [2]int{2, 1}, Padding: [2]int{0, 2}, Dilation: [2]int{1, 2}}},
		{6, 9, 5, 8, 8, Pair(3), ConvOptions{Groups: 3, Padding: Pair(2), Stride: Pair(3)}},
		{5, 7, 9, 6, 7, Pair(1), ConvOptions{}},
	}
	for _, c := range cases {
		conv := NewConv2D(r, c.in, c.out, c.k, true, c.o)
		x := New(c.n, c.in, c.h, c.w)
		Normal(r, x, 0, 1)
		want, shape := naiveConv2D(x, conv.Weight, conv.Bias, c.o)
		for _, g := range []*Graph{NewInference(), NewGraph()} {
			y := conv.Forward(g, x)
			if !sameShape(y.Shape, shape[:]) {
				t.Fatalf("%+v: shape %v, want %v", c, y.Shape, shape)
			}
			for i, v := range want {
				if math.Abs(float64(y.Data[i])-v) > 1e-4*(1+math.Abs(v)) {
					t.Fatalf("%+v: out[%d] = %g, want %g", c, i, y.Data[i], v)
				}
			}
		}
	}
}

// TestConvTransposeIsTheAdjoint checks ⟨ConvTranspose2D(y; w), x⟩ = ⟨y, Conv2D(x; w)⟩ for the
// same weight (without bias): the transposed convolution is the adjoint, as PyTorch defines it.
func TestConvTransposeIsTheAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, o := range []ConvOptions{
		{Stride: Pair(2), Padding: Pair(1)},
		{Stride: [2]int{3, 2}, Dilation: [2]int{1, 2}, Groups: 2},
		{Padding: Pair(2)},
	} {
		w := NewParam(4, 3, 3, 3) // Conv2D: 6 → 4 channels (groups 2: 2 groups of 3 in, 2 out)
		if o.Groups != 2 {
			w = NewParam(4, 6, 3, 3)
		}
		Normal(r, w, 0, 1)
		x := New(2, 6, 11, 10)
		Normal(r, x, 0, 1)
		g := NewInference()
		cx := g.Conv2D(x, w, nil, o)
		y := New(cx.Shape...)
		Normal(r, y, 0, 1)
		// The transposed convolution of y must give x's size back: pick the output padding that
		// restores it.
		oo := o.withDefaults()
		for i, n := range [2]int{11, 10} {
			k := 3
			oo.OutputPadding[i] = n - ((cx.Shape[2+i]-1)*oo.Stride[i] - 2*oo.Padding[i] + oo.Dilation[i]*(k-1) + 1)
		}
		ty := g.ConvTranspose2D(y, w, nil, oo)
		if !sameShape(ty.Shape, x.Shape) {
			t.Fatalf("%+v: transposed shape %v, want %v", o, ty.Shape, x.Shape)
		}
		var lhs, rhs float64
		for i := range x.Data {
			lhs += float64(ty.Data[i]) * float64(x.Data[i])
		}
		for i := range y.Data {
			rhs += float64(y.Data[i]) * float64(cx.Data[i])
		}
		if math.Abs(lhs-rhs) > 1e-3*math.Abs(rhs)+1e-3 {
			t.Errorf("%+v: <convT(y), x> = %g, <y, conv(x)> = %g", o, lhs, rhs)
		}
	}
}

func TestConvPanics(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := New(1, 4, 5, 5)
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"rank", "input must be", func() { NewInference().Conv2D(New(4, 5), NewParam(2, 4, 3, 3), nil, ConvOptions{}) }},
		{"channels", "does not fit", func() { NewConv2D(r, 3, 2, Pair(3), true, ConvOptions{}).Forward(NewInference(), x) }},
		{"groups", "groups", func() { NewInference().Conv2D(x, NewParam(3, 4, 1, 1), nil, ConvOptions{Groups: 3}) }},
		{"kernel", "larger than", func() { NewConv2D(r, 4, 2, Pair(7), true, ConvOptions{}).Forward(NewInference(), x) }},
		{"bias", "bias", func() { NewInference().Conv2D(x, NewParam(2, 4, 1, 1), NewParam(3), ConvOptions{}) }},
		{"outpad-conv", "ConvTranspose2D only", func() {
			NewInference().Conv2D(x, NewParam(2, 4, 1, 1), nil, ConvOptions{OutputPadding: Pair(1)})
		}},
		{"outpad", "smaller than", func() {
			NewConvTranspose2D(r, 4, 2, Pair(3), true, ConvOptions{Stride: Pair(2), OutputPadding: Pair(2)}).Forward(NewInference(), x)
		}},
		{"stride", "positive", func() { NewInference().Conv2D(x, NewParam(2, 4, 1, 1), nil, ConvOptions{Stride: [2]int{-1, 1}}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := mustPanic(t, c.f); !containsAll(msg, "nets: ", c.want) {
				t.Errorf("panic %q does not say %q", msg, c.want)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestConvInitMatchesPyTorch(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	c := NewConv2D(r, 6, 8, Pair(3), true, ConvOptions{Groups: 2}) // fan_in 3·9 = 27
	ct := NewConvTranspose2D(r, 6, 8, Pair(3), true, ConvOptions{Groups: 2})
	for _, p := range []struct {
		name  string
		t     *Tensor
		bound float64
	}{
		{"conv weight", c.Weight, 1 / math.Sqrt(27)},
		{"conv bias", c.Bias, 1 / math.Sqrt(27)},
		{"transposed weight", ct.Weight, 1 / math.Sqrt(4*9)}, // fan_in of [in, out/groups, k, k] is 4·9
		{"transposed bias", ct.Bias, 1 / math.Sqrt(4*9)},
	} {
		var maxAbs float64
		for _, v := range p.t.Data {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		if maxAbs > p.bound || maxAbs < 0.7*p.bound {
			t.Errorf("%s: max |v| = %g, want U(±%g)", p.name, maxAbs, p.bound)
		}
	}
	if !sameShape(ct.Weight.Shape, []int{6, 4, 3, 3}) {
		t.Errorf("transposed weight shape %v, want [6 4 3 3]", ct.Weight.Shape)
	}
}

// TestConvInferenceDoesNotAllocate: a batch-1 convolution on a warm non-recording graph allocates
// nothing, like the rest of acting.
func TestConvInferenceDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	net := NewSequential(
		NewConv2D(r, 3, 8, Pair(3), true, ConvOptions{Padding: Pair(1)}), ReLU{},
		NewConvTranspose2D(r, 8, 4, Pair(4), true, ConvOptions{Stride: Pair(2), Padding: Pair(1)}),
		NewConv2D(r, 4, 2, Pair(1), true, ConvOptions{}),
	)
	x := New(1, 3, 10, 10)
	Normal(r, x, 0, 1)
	g := NewInference()
	if a := testing.AllocsPerRun(50, func() { g.Reset(); net.Forward(g, x) }); a != 0 {
		t.Errorf("%.1f allocations per batch-1 forward, want 0", a)
	}
}

// TestConvParallelMatchesSerial: splitting the batch over goroutines gives bit for bit the
// same values and gradients as one goroutine: the parameter gradients are summed in chunks fixed
// by the shapes, never by the core count, so a training run does not depend on the machine.
func TestConvParallelMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		transposed bool
		freeze     string
	}{{false, ""}, {true, ""}, {false, "weight"}, {true, "weight"}, {false, "bias"}} {
		t.Run(fmt.Sprintf("transposed=%v/frozen=%s", c.transposed, c.freeze), func(t *testing.T) {
			var l Layer
			if c.transposed {
				l = NewConvTranspose2D(r, 8, 6, Pair(4), true, ConvOptions{Stride: Pair(2), Padding: Pair(1)})
			} else {
				l = NewConv2D(r, 8, 6, Pair(3), true, ConvOptions{Padding: Pair(1)})
			}
			for _, p := range ParamsOf(l) {
				if p.Name == c.freeze {
					p.Tensor.Grad = nil
				}
			}
			x := randTensor(r, -1, 1, 16, 8, 12, 12)
			run := func(procs int) (out, dx []float32, grads [][]float32) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				ps := ParamsOf(l)
				ZeroGrads(ps)
				x.ZeroGrad()
				g := NewGraph()
				y := l.Forward(g, x)
				for i := range y.Grad {
					y.Grad[i] = float32(i%7) - 3
				}
				g.BackwardFromGrads()
				for _, p := range ps {
					if p.Tensor.Grad != nil {
						grads = append(grads, append([]float32(nil), p.Tensor.Grad...))
					}
				}
				return append([]float32(nil), y.Data...), append([]float32(nil), x.Grad...), grads
			}
			o1, dx1, g1 := run(1)
			for _, procs := range []int{2, 3} {
				o2, dx2, g2 := run(procs)
				closeSlices(t, "output", o2, o1, 0)
				closeSlices(t, "input grad", dx2, dx1, 0)
				for i := range g1 {
					closeSlices(t, fmt.Sprint("param grad ", i), g2[i], g1[i], 0)
				}
			}
		})
	}
}

func closeSlices(t *testing.T, what string, got, want []float32, rel float64) {
	t.Helper()
	scale := 0.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > rel*scale {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// naiveConvTranspose2D is SCHEMA.md's scatter definition: full[n, co, i·s + a·d, j·s + b·d] +=
// x[n,ci,i,j]·w[ci,co,a,b], cropped by the padding at the top and left, plus the bias.
func naiveConvTranspose2D(x, w, b *Tensor, o ConvOptions) ([]float64, [4]int) {
	o = o.withDefaults()
	n, cin, h, wd := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	cog, kh, kw := w.Shape[1], w.Shape[2], w.Shape[3]
	cout, cig := cog*o.Groups, cin/o.Groups
	oh := (h-1)*o.Stride[0] - 2*o.Padding[0] + o.Dilation[0]*(kh-1) + o.OutputPadding[0] + 1
	ow := (wd-1)*o.Stride[1] - 2*o.Padding[1] + o.Dilation[1]*(kw-1) + o.OutputPadding[1] + 1
	out := make([]float64, n*cout*oh*ow)
	for s := 0; s < n; s++ {
		for ci := 0; ci < cin; ci++ {
			gi := ci / cig
			for i := 0; i < h; i++ {
				for j := 0; j < wd; j++ {
					for c := 0; c < cog; c++ {
						for a := 0; a < kh; a++ {
							for bb := 0; bb < kw; bb++ {
								y := i*o.Stride[0] + a*o.Dilation[0] - o.Padding[0]
								xx := j*o.Stride[1] + bb*o.Dilation[1] - o.Padding[1]
								if y < 0 || y >= oh || xx < 0 || xx >= ow {
									continue
								}
								co := gi*cog + c
								out[((s*cout+co)*oh+y)*ow+xx] += float64(x.Data[((s*cin+ci)*h+i)*wd+j]) * float64(w.Data[((ci*cog+c)*kh+a)*kw+bb])
							}
						}
					}
				}
			}
		}
		if b != nil {
			for co := 0; co < cout; co++ {
				for k := 0; k < oh*ow; k++ {
					out[(s*cout+co)*oh*ow+k] += float64(b.Data[co])
				}
			}
		}
	}
	return out, [4]int{n, cout, oh, ow}
}

func TestConvTranspose2DMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct {
		in, out, n, h, w int
		k                [2]int
		o                ConvOptions
	}{
		{6, 4, 3, 5, 4, Pair(4), ConvOptions{Stride: Pair(2), Padding: Pair(1)}},
		{4, 6, 2, 3, 5, [2]int{3, 2}, ConvOptions{Stride: [2]int{2, 3}, Padding: [2]int{1, 0}, OutputPadding: [2]int{1, 2}, Groups: 2}},
		{3, 2, 2, 4, 4, Pair(2), ConvOptions{Dilation: Pair(3), OutputPadding: [2]int{2, 1}}}, // output padding ≥ stride, < dilation
		{8, 8, 9, 6, 6, Pair(3), ConvOptions{Padding: Pair(1)}},                               // parallel batch
	} {
		ct := NewConvTranspose2D(r, c.in, c.out, c.k, true, c.o)
		x := New(c.n, c.in, c.h, c.w)
		Normal(r, x, 0, 1)
		want, shape := naiveConvTranspose2D(x, ct.Weight, ct.Bias, c.o)
		y := ct.Forward(NewInference(), x)
		if !sameShape(y.Shape, shape[:]) {
			t.Fatalf("%+v: shape %v, want %v", c, y.Shape, shape)
		}
		for i, v := range want {
			if math.Abs(float64(y.Data[i])-v) > 1e-4*(1+math.Abs(v)) {
				t.Fatalf("%+v: out[%d] = %g, want %g", c, i, y.Data[i], v)
			}
		}
	}
}

// TestConvBatchInferenceDoesNotAllocate: a batch large enough to be split over goroutines
// allocates nothing either (but for allocsPerRunParallel's rare refills), in the convolutions and
// the pooling: their parallel tasks and jobs are recycled, and the workers' products run on one
// goroutine each, without gemm's own dispatch.
func TestConvBatchInferenceDoesNotAllocate(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	r := rand.New(rand.NewPCG(5, 5))
	net := NewSequential(
		NewConv2D(r, 3, 16, Pair(3), true, ConvOptions{Padding: Pair(1)}), ReLU{}, MaxPool2D{Kernel: Pair(2)},
		NewConvTranspose2D(r, 16, 8, Pair(4), true, ConvOptions{Stride: Pair(2), Padding: Pair(1)}),
		AvgPool2D{Kernel: Pair(2)},
	)
	x := randTensor(r, -1, 1, 16, 3, 32, 32)
	g := NewInference()
	if a := allocsPerRunParallel(30, func() { g.Reset(); net.Forward(g, x) }); a > maxParallelAllocs {
		t.Errorf("%.2f allocations per batch-16 forward, want (nearly) 0", a)
	}
}
