package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func init() {
	torchCheckers["MaxPool2d"] = func(t *testing.T, c torchCase) {
		l := MaxPool2D{Kernel: pair(t, c, "kernel_size"), PoolOptions: PoolOptions{Stride: pair(t, c, "stride"),
			Padding: pair(t, c, "padding"), Dilation: pair(t, c, "dilation"), CeilMode: c.hpBool(t, "ceil_mode")}}
		runTorchLayerCase(t, c, torchLayer{Forward: singleIO(l)})
	}
	torchCheckers["AvgPool2d"] = func(t *testing.T, c torchCase) {
		o := PoolOptions{Stride: pair(t, c, "stride"), Padding: pair(t, c, "padding"),
			CeilMode: c.hpBool(t, "ceil_mode"), ExcludePad: !c.hpBool(t, "count_include_pad")}
		if !c.hpIsNull(t, "divisor_override") {
			o.DivisorOverride = c.hpInt(t, "divisor_override")
		}
		runTorchLayerCase(t, c, torchLayer{Forward: singleIO(AvgPool2D{Kernel: pair(t, c, "kernel_size"), PoolOptions: o})})
	}
	torchCheckers["AdaptiveAvgPool2d"] = func(t *testing.T, c torchCase) {
		runTorchLayerCase(t, c, torchLayer{Forward: singleIO(AdaptiveAvgPool2D{Size: pair(t, c, "output_size")})})
	}
}

func pool(l Layer, mk func(r *rand.Rand) *Tensor) func(r *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
	return unary(func(g *Graph, x *Tensor) *Tensor { return l.Forward(g, x) }, mk)
}

var poolCases = []opCase{
	{name: "MaxPool2D/k2s2", build: pool(MaxPool2D{Kernel: Pair(2)}, distinct(2, 2, 4, 6))},
	{name: "MaxPool2D/k2s2-odd", build: pool(MaxPool2D{Kernel: Pair(2)}, distinct(1, 2, 5, 7))},
	{name: "MaxPool2D/k2s2-ceil", build: pool(MaxPool2D{Kernel: Pair(2), PoolOptions: PoolOptions{CeilMode: true}}, distinct(1, 2, 5, 7))},
	{name: "MaxPool2D/k3s2p1", build: pool(MaxPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1)}}, distinct(2, 1, 5, 6))},
	{name: "MaxPool2D/k3s2p1-ceil", build: pool(MaxPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1), CeilMode: true}}, distinct(1, 2, 6, 6))},
	{name: "MaxPool2D/dilation2", build: pool(MaxPool2D{Kernel: Pair(2), PoolOptions: PoolOptions{Stride: Pair(1), Dilation: Pair(2), Padding: Pair(1)}}, distinct(1, 2, 5, 5))},
	{name: "MaxPool2D/k3x2-s1x2", build: pool(MaxPool2D{Kernel: [2]int{3, 2}, PoolOptions: PoolOptions{Stride: [2]int{1, 2}}}, distinct(1, 1, 5, 6))},
	{name: "MaxPool2D/unbatched", build: pool(MaxPool2D{Kernel: Pair(2)}, distinct(2, 4, 4))},
	{name: "AvgPool2D/k2s2", build: pool(AvgPool2D{Kernel: Pair(2)}, uni(-1, 1, 2, 2, 5, 6))},
	{name: "AvgPool2D/k3s2p1", build: pool(AvgPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1)}}, uni(-1, 1, 1, 2, 5, 6))},
	{name: "AvgPool2D/k3s2p1-exclude-pad", build: pool(AvgPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1), ExcludePad: true}}, uni(-1, 1, 1, 2, 5, 6))},
	{name: "AvgPool2D/ceil", build: pool(AvgPool2D{Kernel: Pair(2), PoolOptions: PoolOptions{CeilMode: true}}, uni(-1, 1, 1, 2, 5, 7))},
	{name: "AvgPool2D/ceil-pad-exclude", build: pool(AvgPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1), CeilMode: true, ExcludePad: true}}, uni(-1, 1, 1, 1, 6, 6))},
	{name: "AvgPool2D/divisor-override", build: pool(AvgPool2D{Kernel: Pair(2), PoolOptions: PoolOptions{Stride: Pair(1), DivisorOverride: 3}}, uni(-1, 1, 1, 2, 3, 4))},
	{name: "AdaptiveAvgPool2D/1x1", build: pool(AdaptiveAvgPool2D{Size: Pair(1)}, uni(-1, 1, 2, 3, 4, 5))},
	{name: "AdaptiveAvgPool2D/overlapping", build: pool(AdaptiveAvgPool2D{Size: [2]int{3, 4}}, uni(-1, 1, 1, 2, 7, 9))},
	{name: "AdaptiveAvgPool2D/upsampling", build: pool(AdaptiveAvgPool2D{Size: [2]int{5, 2}}, uni(-1, 1, 1, 1, 3, 4))},
	{name: "AdaptiveAvgPool2D/keep-width", build: pool(AdaptiveAvgPool2D{Size: [2]int{2, 0}}, uni(-1, 1, 2, 5, 3))},
}

func TestPoolGradients(t *testing.T) {
	for i, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 6)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

// TestPoolOutputSizes pins PyTorch's size rules, including ceil mode's "the last window must
// start inside the input or the left padding".
func TestPoolOutputSizes(t *testing.T) {
	for _, c := range []struct {
		in, k, s, p, d int
		ceil           bool
		want           int
	}{
		{7, 2, 2, 0, 1, false, 3},
		{7, 2, 2, 0, 1, true, 4},
		{6, 2, 2, 0, 1, true, 3},
		{5, 3, 2, 1, 1, true, 3},  // ceil would give 4, but that window starts in the right padding
		{6, 3, 2, 1, 1, true, 4},  // ceil(5/2)+1 = 4; the last window starts at 5 < 6+1
		{6, 3, 3, 1, 1, true, 3},  // ceil((6+2−3)/3)+1 = 3
		{10, 3, 4, 1, 1, true, 3}, // ceil(9/4)+1 = 4, (4−1)·4 = 12 ≥ 10+1: drop one
		{9, 2, 1, 1, 2, false, 9},
	} {
		if got := poolOutSize(c.in, c.k, c.s, c.p, c.d, c.ceil); got != c.want {
			t.Errorf("%+v: output size %d, want %d", c, got, c.want)
		}
	}
}

// TestAvgPoolDivisors checks the divisor of a corner window by hand: a 3×3 window at stride 2
// with padding 1 covers 2×2 input elements at the top left corner.
func TestAvgPoolDivisors(t *testing.T) {
	x := New(1, 1, 4, 4)
	Constant(x, 1)
	g := NewInference()
	incl := g.AvgPool2D(x, Pair(3), PoolOptions{Stride: Pair(2), Padding: Pair(1)})
	excl := g.AvgPool2D(x, Pair(3), PoolOptions{Stride: Pair(2), Padding: Pair(1), ExcludePad: true})
	over := g.AvgPool2D(x, Pair(3), PoolOptions{Stride: Pair(2), Padding: Pair(1), DivisorOverride: 2})
	if v := incl.Data[0]; v != 4.0/9 {
		t.Errorf("count_include_pad corner: %g, want 4/9", v)
	}
	// The bottom right window (rows and columns 1..3) lies inside the input: 9/9.
	if v := incl.Data[3]; v != 1 {
		t.Errorf("count_include_pad inner window: %g, want 9/9", v)
	}
	if v := excl.Data[0]; v != 1 {
		t.Errorf("count_include_pad=False corner: %g, want 1", v)
	}
	if v := over.Data[0]; v != 2 {
		t.Errorf("divisor_override corner: %g, want 4/2", v)
	}
	// Ceil mode: the last window of a 5-wide input, k2 s2, covers one column and no padding, so
	// its pool size is clipped to the input: 1 (PyTorch: min(start + k, W + pad)).
	y := g.AvgPool2D(FromData([]float32{1, 2, 3, 4, 5}, 1, 1, 1, 5), [2]int{1, 2}, PoolOptions{CeilMode: true})
	if want := []float32{1.5, 3.5, 5}; y.Data[0] != want[0] || y.Data[1] != want[1] || y.Data[2] != want[2] {
		t.Errorf("ceil-mode average %v, want %v", y.Data, want)
	}
}

func TestMaxPoolNaNWins(t *testing.T) {
	nan := float32(math.NaN())
	x := FromData([]float32{1, nan, 3, 4}, 1, 1, 2, 2)
	for _, o := range []PoolOptions{{}, {Stride: Pair(1)}} {
		y := NewInference().MaxPool2D(x, Pair(2), o)
		if !math.IsNaN(float64(y.Data[0])) {
			t.Errorf("%+v: max over a window with NaN = %g, want NaN", o, y.Data[0])
		}
	}
}

func TestPoolPanics(t *testing.T) {
	x := New(1, 1, 4, 4)
	g := NewInference()
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"padding", "half the kernel", func() { g.MaxPool2D(x, Pair(2), PoolOptions{Padding: Pair(2)}) }},
		{"dilation-avg", "no dilation", func() { g.AvgPool2D(x, Pair(2), PoolOptions{Dilation: Pair(2)}) }},
		{"avg-option-max", "AvgPool2D options", func() { g.MaxPool2D(x, Pair(2), PoolOptions{ExcludePad: true}) }},
		{"too-small", "too small", func() { g.MaxPool2D(x, Pair(5), PoolOptions{}) }},
		{"rank", "input must be", func() { g.MaxPool2D(New(4, 4), Pair(2), PoolOptions{}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if msg := mustPanic(t, c.f); !containsAll(msg, "nets: ", c.want) {
				t.Errorf("panic %q does not say %q", msg, c.want)
			}
		})
	}
}

func TestPoolInferenceDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := randTensor(r, -1, 1, 1, 3, 12, 12)
	net := NewSequential(MaxPool2D{Kernel: Pair(2)}, MaxPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(1), Padding: Pair(1)}},
		AvgPool2D{Kernel: Pair(2)}, AdaptiveAvgPool2D{Size: Pair(1)})
	g := NewInference()
	if a := testing.AllocsPerRun(50, func() { g.Reset(); net.Forward(g, x) }); a != 0 {
		t.Errorf("%.1f allocations per forward, want 0", a)
	}
}

// TestPoolParallelMatchesSerial: a tensor large enough to split its planes over goroutines pools
// exactly as one goroutine does, forward and backward.
func TestPoolParallelMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	x := randTensor(r, -1, 1, 8, 16, 24, 24) // above poolParallelMin
	for _, l := range []Layer{MaxPool2D{Kernel: Pair(2)}, MaxPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1)}},
		AvgPool2D{Kernel: Pair(3), PoolOptions: PoolOptions{Stride: Pair(2), Padding: Pair(1)}}, AdaptiveAvgPool2D{Size: [2]int{5, 3}}} {
		run := func(procs int) (out, dx []float32) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			x.ZeroGrad()
			g := NewGraph()
			y := l.Forward(g, x)
			for i := range y.Grad {
				y.Grad[i] = float32(i%5) - 2
			}
			g.BackwardFromGrads()
			return append([]float32(nil), y.Data...), append([]float32(nil), x.Grad...)
		}
		o1, d1 := run(1)
		o2, d2 := run(2)
		closeSlices(t, fmt.Sprintf("%T output", l), o2, o1, 0)
		closeSlices(t, fmt.Sprintf("%T input grad", l), d2, d1, 0)
	}
}

// TestMaxPool2x2MatchesScan: the 2×2 kernel (SIMD groups of 8 windows, then the branchless
// loop) picks the same values and sources as the general scan, with ties (few distinct values)
// and NaNs. Rows of 37 give 18 outputs: two SIMD groups and a tail.
func TestMaxPool2x2MatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	x := New(3, 2, 6, 37)
	for i := range x.Data {
		x.Data[i] = float32(r.IntN(3))
		if r.IntN(60) == 0 {
			x.Data[i] = float32(math.NaN())
		}
	}
	pg := planPool("MaxPool2D", x, Pair(2), PoolOptions{}, true)
	n := pg.planes * pg.oh * pg.ow
	fast, scan := pg, pg
	fast.x, fast.out, fast.arg = x.Data, make([]float32, n), make([]int, n)
	scan.x, scan.out, scan.arg = x.Data, make([]float32, n), make([]int, n)
	maxPool2x2(&fast, 0, pg.planes)
	hw, ohw := pg.h*pg.w, pg.oh*pg.ow
	for pl := 0; pl < pg.planes; pl++ {
		maxPoolPlane(x.Data[pl*hw:(pl+1)*hw], scan.out[pl*ohw:(pl+1)*ohw], scan.arg[pl*ohw:(pl+1)*ohw], &scan)
	}
	for i := range fast.out {
		same := fast.out[i] == scan.out[i] || fast.out[i] != fast.out[i] && scan.out[i] != scan.out[i]
		if !same || fast.arg[i] != scan.arg[i] {
			t.Fatalf("output %d: 2×2 kernel (%g at %d), scan (%g at %d)", i, fast.out[i], fast.arg[i], scan.out[i], scan.arg[i])
		}
	}
}
