package nets

import (
	"math"
	"math/rand/v2"
	"testing"
)

func init() {
	reduction := func(t *testing.T, c torchCase) Reduction {
		r, err := ParseReduction(c.hpString(t, "reduction"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// pair adapts a loss of (input, target) to torchLayer.
	pair := func(loss func(g *Graph, x, y *Tensor) *Tensor) func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
		return func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
			return map[string]*Tensor{"output": loss(g, in["input"], in["target"])}
		}
	}
	torchCheckers["MSELoss"] = func(t *testing.T, c torchCase) {
		r := reduction(t, c)
		runTorchLayerCase(t, c, torchLayer{Forward: pair(func(g *Graph, x, y *Tensor) *Tensor { return g.MSELoss(x, y, r) })})
	}
	torchCheckers["SmoothL1Loss"] = func(t *testing.T, c torchCase) {
		r, beta := reduction(t, c), c.hpFloat(t, "beta")
		runTorchLayerCase(t, c, torchLayer{Forward: pair(func(g *Graph, x, y *Tensor) *Tensor { return g.SmoothL1Loss(x, y, r, beta) })})
	}
	torchCheckers["HuberLoss"] = func(t *testing.T, c torchCase) {
		r, delta := reduction(t, c), c.hpFloat(t, "delta")
		runTorchLayerCase(t, c, torchLayer{Forward: pair(func(g *Graph, x, y *Tensor) *Tensor { return g.HuberLoss(x, y, r, delta) })})
	}
	torchCheckers["KLDivLoss"] = func(t *testing.T, c torchCase) {
		r, lt := reduction(t, c), c.hpBool(t, "log_target")
		runTorchLayerCase(t, c, torchLayer{Forward: pair(func(g *Graph, x, y *Tensor) *Tensor { return g.KLDivLoss(x, y, r, lt) })})
	}
	torchCheckers["BCEWithLogitsLoss"] = func(t *testing.T, c torchCase) {
		o := BCEOptions{Reduction: reduction(t, c)}
		if pw, ok := c.Inputs["pos_weight"]; ok {
			o.PosWeight = pw.tensor()
		}
		if w, ok := c.Inputs["weight"]; ok {
			o.Weight = w.tensor()
		}
		runTorchLayerCase(t, c, torchLayer{Forward: pair(func(g *Graph, x, y *Tensor) *Tensor { return g.BCEWithLogitsLoss(x, y, o) })})
	}
	classOpts := func(t *testing.T, c torchCase) CrossEntropyOptions {
		o := CrossEntropyOptions{Reduction: reduction(t, c), Ignore: true, IgnoreIndex: c.hpInt(t, "ignore_index")}
		if w, ok := c.Inputs["class_weight"]; ok {
			o.Weight = w.tensor().Data
		}
		if _, ok := c.Hparams["label_smoothing"]; ok {
			o.LabelSmoothing = c.hpFloat(t, "label_smoothing")
		}
		return o
	}
	torchCheckers["CrossEntropyLoss"] = func(t *testing.T, c torchCase) {
		o, target := classOpts(t, c), c.input(t, "target").ints()
		runTorchLayerCase(t, c, torchLayer{Forward: func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
			return map[string]*Tensor{"output": g.CrossEntropyLoss(in["input"], target, o)}
		}})
	}
	torchCheckers["NLLLoss"] = func(t *testing.T, c torchCase) {
		co, target := classOpts(t, c), c.input(t, "target").ints()
		o := NLLOptions{Reduction: co.Reduction, Weight: co.Weight, Ignore: co.Ignore, IgnoreIndex: co.IgnoreIndex}
		runTorchLayerCase(t, c, torchLayer{Forward: func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
			return map[string]*Tensor{"output": g.NLLLoss(in["input"], target, o)}
		}})
	}
}

// lossCases check every loss's gradient w.r.t. its input (and, for the regression losses, its
// target) under every reduction.
func lossCases() []opCase {
	var cs []opCase
	for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceNone} {
		pairCase := func(name string, f func(g *Graph, x, y *Tensor) *Tensor, mkY func(r *rand.Rand) *Tensor) opCase {
			return opCase{name: name + "/" + r.String(), build: func(rr *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
				x := randTensor(rr, -2, 2, 4, 3)
				y := mkY(rr)
				return func(g *Graph) *Tensor { return f(g, x, y) }, []*Tensor{x, y}
			}}
		}
		// Differences x − y stay away from the Huber/SmoothL1 switch points because the inputs
		// are continuous random values; the 5-point stencil spans only ±2h.
		cs = append(cs,
			pairCase("MSELoss", func(g *Graph, x, y *Tensor) *Tensor { return g.MSELoss(x, y, r) }, uni(-2, 2, 4, 3)),
			pairCase("SmoothL1Loss", func(g *Graph, x, y *Tensor) *Tensor { return g.SmoothL1Loss(x, y, r, 0.7) }, uni(-2, 2, 4, 3)),
			pairCase("HuberLoss", func(g *Graph, x, y *Tensor) *Tensor { return g.HuberLoss(x, y, r, 1.3) }, uni(-2, 2, 4, 3)),
			pairCase("BCEWithLogitsLoss", func(g *Graph, x, y *Tensor) *Tensor {
				return g.BCEWithLogitsLoss(x, y, BCEOptions{Reduction: r,
					PosWeight: FromData([]float32{0.5, 2, 3}, 3), Weight: FromData([]float32{1.5, 0.5, 1, 2}, 4, 1)})
			}, uni(0, 1, 4, 3)),
			pairCase("KLDivLoss", func(g *Graph, x, y *Tensor) *Tensor { return g.KLDivLoss(x, y, r, false) }, uni(0.1, 1, 4, 3)),
			pairCase("KLDivLoss/log_target", func(g *Graph, x, y *Tensor) *Tensor { return g.KLDivLoss(x, y, r, true) }, uni(-2, 0, 4, 3)),
		)
		for _, o := range []CrossEntropyOptions{
			{Reduction: r},
			{Reduction: r, LabelSmoothing: 0.2},
			{Reduction: r, Weight: []float32{0.5, 2, 1, 0.25}, Ignore: true, IgnoreIndex: 1},
			{Reduction: r, Weight: []float32{0.5, 2, 1, 0.25}, LabelSmoothing: 0.1, Ignore: true, IgnoreIndex: -100},
		} {
			cs = append(cs, opCase{name: "CrossEntropyLoss/" + r.String(), build: func(rr *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
				x := randTensor(rr, -2, 2, 5, 4)
				target := []int{0, 1, 3, 1, 2}
				return func(g *Graph) *Tensor { return g.CrossEntropyLoss(x, target, o) }, []*Tensor{x}
			}})
		}
		cs = append(cs, opCase{name: "NLLLoss/" + r.String(), build: func(rr *rand.Rand) (func(g *Graph) *Tensor, []*Tensor) {
			x := randTensor(rr, -3, 0, 5, 4)
			target := []int{0, 1, 3, 1, 2}
			return func(g *Graph) *Tensor {
				return g.NLLLoss(x, target, NLLOptions{Reduction: r, Weight: []float32{1, 2, 3, 4}})
			}, []*Tensor{x}
		}})
	}
	return cs
}

func TestLossGradients(t *testing.T) {
	for i, c := range lossCases() {
		t.Run(c.name, func(t *testing.T) {
			f, wrt := c.build(rand.New(rand.NewPCG(uint64(i), 3)))
			gradCheck(t, f, wrt, c.opts)
		})
	}
}

func TestLossEdgeCases(t *testing.T) {
	g := NewGraph()
	x := FromData([]float32{1, 2, 3, 4}, 2, 2).RequireGrad()
	// Every target ignored: mean is 0/0 = NaN, as in PyTorch.
	l := g.CrossEntropyLoss(x, []int{-100, -100}, CrossEntropyOptions{Ignore: true, IgnoreIndex: -100})
	if !math.IsNaN(float64(l.Item())) {
		t.Errorf("all-ignored mean cross entropy = %v, want NaN", l.Item())
	}
	// KLDiv with a zero target contributes exactly 0 (xlogy), not NaN.
	k := g.KLDivLoss(FromData([]float32{-1, -2}, 1, 2), FromData([]float32{0, 1}, 1, 2), ReduceSum, false)
	if got := k.Item(); got != 2 {
		t.Errorf("KLDiv with a zero target = %v, want 2", got)
	}
	// BCE with logits is stable at ±100.
	b := g.BCEWithLogitsLoss(FromData([]float32{100, -100}, 2), FromData([]float32{1, 0}, 2), BCEOptions{Reduction: ReduceSum})
	if got := b.Item(); got > 1e-30 {
		t.Errorf("BCE at confident correct logits = %v, want 0", got)
	}
	if _, err := ParseReduction("avg"); err == nil {
		t.Error("ParseReduction accepted avg")
	}
}
