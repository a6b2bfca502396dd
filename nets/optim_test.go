package nets

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Optimizer cases (SCHEMA.md "Optimizers"): start from inputs.param, put grads[t] in the gradient
// before step t+1, and compare params[t] and every state.<name>[t]. For Adam and AdamW the
// parameter change params[t] − param is compared, relative to the size of that change, because
// each step moves a parameter by only about lr.
func init() {
	build := func(t *testing.T, c torchCase, ps []NamedTensor) Optimizer {
		var o Optimizer
		var err error
		switch c.Layer {
		case "SGD":
			o, err = NewSGD(ps, SGDConfig{LR: c.hpFloat(t, "lr"), Momentum: c.hpFloat(t, "momentum"),
				Dampening: c.hpFloat(t, "dampening"), WeightDecay: c.hpFloat(t, "weight_decay"),
				Nesterov: c.hpBool(t, "nesterov"), Maximize: c.hpBool(t, "maximize")})
		case "Adam", "AdamW":
			b := c.hpFloats(t, "betas")
			cfg := AdamConfig{LR: c.hpFloat(t, "lr"), Betas: [2]float64{b[0], b[1]}, Eps: c.hpFloat(t, "eps"),
				WeightDecay: c.hpFloat(t, "weight_decay"), AMSGrad: c.hpBool(t, "amsgrad"), Maximize: c.hpBool(t, "maximize")}
			if c.Layer == "Adam" {
				o, err = NewAdam(ps, cfg)
			} else {
				o, err = NewAdamW(ps, cfg)
			}
		case "RMSprop":
			o, err = NewRMSprop(ps, RMSpropConfig{LR: c.hpFloat(t, "lr"), Alpha: c.hpFloat(t, "alpha"), Eps: c.hpFloat(t, "eps"),
				WeightDecay: c.hpFloat(t, "weight_decay"), Momentum: c.hpFloat(t, "momentum"),
				Centered: c.hpBool(t, "centered"), Maximize: c.hpBool(t, "maximize")})
		}
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	check := func(t *testing.T, c torchCase) {
		p0 := c.input(t, "param")
		grads := c.input(t, "grads")
		n := len(p0.Data)
		steps := grads.Shape[0]
		p := p0.tensor().RequireGrad()
		ps := []NamedTensor{{"param", p}}
		opt := build(t, c, ps)
		relative := c.Layer == "Adam" || c.Layer == "AdamW"
		row := func(tt torchTensor, s int) torchTensor {
			return torchTensor{Shape: []int{n}, Data: tt.Data[s*n : (s+1)*n]}
		}
		for s := range steps {
			for j := range n {
				p.Grad[j] = float32(grads.Data[s*n+j])
			}
			opt.Step()
			want := row(c.Outputs["params"], s)
			if relative {
				got := make([]float32, n)
				d := make([]float64, n)
				for j := range n {
					got[j] = float32(float64(p.Data[j]) - p0.Data[j])
					d[j] = want.Data[j] - p0.Data[j]
				}
				checkValues(t, "change of params after step "+itoa(s+1), p.Shape, got, torchTensor{Shape: want.Shape, Data: d}, defaultTol)
			} else {
				checkValues(t, "params after step "+itoa(s+1), p.Shape, p.Data, want, defaultTol)
			}
			st, _ := opt.State()
			for key, tt := range c.Outputs {
				name, ok := strings.CutPrefix(key, "state.")
				if !ok {
					continue
				}
				var got *Tensor
				for _, x := range st {
					if x.Name == "state.0."+name {
						got = x.Tensor
					}
				}
				if got == nil {
					t.Errorf("step %d: the optimizer has no state %q", s+1, name)
					continue
				}
				checkValues(t, "state "+name+" after step "+itoa(s+1), got.Shape, got.Data, row(tt, s), defaultTol)
			}
		}
		if opt.Steps() != steps {
			t.Errorf("Steps() = %d after %d steps", opt.Steps(), steps)
		}
	}
	for _, l := range []string{"SGD", "Adam", "AdamW", "RMSprop"} {
		torchCheckers[l] = check
	}
	torchCheckers["clip_grad_norm_"] = func(t *testing.T, c torchCase) {
		var ps []NamedTensor
		for i := 0; ; i++ {
			tt, ok := c.Inputs["grad_"+itoa(i)]
			if !ok {
				break
			}
			x := tt.tensor()
			x.Grad = append([]float32(nil), x.Data...)
			ps = append(ps, NamedTensor{"grad_" + itoa(i), x})
		}
		if len(ps) != len(c.Inputs) {
			t.Fatalf("inputs %d, of which grad_0... %d", len(c.Inputs), len(ps))
		}
		normType := 0.0
		if s := strings.TrimSpace(string(c.hp(t, "norm_type"))); s == `"inf"` {
			normType = math.Inf(1)
		} else {
			normType = c.hpFloat(t, "norm_type")
		}
		total := ClipGradNorm(ps, c.hpFloat(t, "max_norm"), normType)
		checkValues(t, "total_norm", []int{}, []float32{float32(total)}, c.Outputs["total_norm"], defaultTol)
		for _, p := range ps {
			checkValues(t, p.Name, p.Tensor.Shape, p.Tensor.Grad, c.Outputs[p.Name], defaultTol)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestOptimizerStateResumesExactly saves an optimizer's state mid-run, restores it into a fresh
// optimizer over a copy of the parameters, and checks that both continue bit-identically.
func TestOptimizerStateResumesExactly(t *testing.T) {
	mk := map[string]func(ps []NamedTensor) (Optimizer, error){
		"SGD": func(ps []NamedTensor) (Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
		},
		"Adam": func(ps []NamedTensor) (Optimizer, error) {
			return NewAdam(ps, AdamConfig{AMSGrad: true, WeightDecay: 0.1})
		},
		"AdamW": func(ps []NamedTensor) (Optimizer, error) { return NewAdamW(ps, AdamConfig{WeightDecay: 0.01}) },
		"RMSprop": func(ps []NamedTensor) (Optimizer, error) {
			return NewRMSprop(ps, RMSpropConfig{Centered: true, Momentum: 0.5})
		},
	}
	for name, newOpt := range mk {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			net := NewMLP(r, Tanh{}, 3, 4, 2)
			x, y := randTensor(r, -1, 1, 8, 3), randTensor(r, -1, 1, 8, 2)
			step := func(net *Sequential, opt Optimizer) {
				g := NewGraph()
				opt.ZeroGrad()
				g.Backward(g.MSELoss(net.Forward(g, x), y, ReduceMean))
				opt.Step()
			}
			opt, err := newOpt(net.Params())
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				step(net, opt)
			}
			path := filepath.Join(t.TempDir(), "opt.safetensors")
			if err := SaveOptimizer(path, opt, map[string]string{"note": "x"}); err != nil {
				t.Fatal(err)
			}
			net2 := NewMLP(rand.New(rand.NewPCG(9, 9)), Tanh{}, 3, 4, 2)
			for i, p := range net2.Params() {
				copy(p.Tensor.Data, net.Params()[i].Tensor.Data)
			}
			opt2, _ := newOpt(net2.Params())
			meta, err := LoadOptimizer(path, opt2)
			if err != nil {
				t.Fatal(err)
			}
			if meta["note"] != "x" || opt2.Steps() != 3 {
				t.Errorf("metadata %v, steps %d", meta, opt2.Steps())
			}
			for range 3 {
				step(net, opt)
				step(net2, opt2)
			}
			for i, p := range net.Params() {
				for j, v := range p.Tensor.Data {
					if v != net2.Params()[i].Tensor.Data[j] {
						t.Fatalf("%s[%d]: %v after resume, %v without", p.Name, j, net2.Params()[i].Tensor.Data[j], v)
					}
				}
			}
			// A state for another architecture or another optimizer is refused with the reason.
			other, _ := newOpt(NewMLP(r, Tanh{}, 3, 5, 2).Params())
			if _, err := LoadOptimizer(path, other); err == nil || !strings.Contains(err.Error(), "0.weight") {
				t.Errorf("loading into another architecture: %v", err)
			}
			var wrongKind Optimizer
			if name == "SGD" {
				wrongKind, _ = NewAdam(net2.Params(), AdamConfig{})
			} else {
				wrongKind, _ = NewSGD(net2.Params(), SGDConfig{LR: 1})
			}
			if _, err := LoadOptimizer(path, wrongKind); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("loading %s state into %T: %v", name, wrongKind, err)
			}
		})
	}
}

func TestOptimizerConfigErrors(t *testing.T) {
	ps := []NamedTensor{{"w", NewParam(2)}}
	if _, err := NewSGD(ps, SGDConfig{LR: 0.1, Nesterov: true}); err == nil {
		t.Error("Nesterov without momentum accepted")
	}
	if _, err := NewAdam(ps, AdamConfig{Betas: [2]float64{1, 0.9}}); err == nil {
		t.Error("beta1 = 1 accepted")
	}
	if _, err := NewRMSprop(ps, RMSpropConfig{LR: -1}); err == nil {
		t.Error("negative lr accepted")
	}
	o, err := NewAdamW(ps, AdamConfig{})
	if err != nil || o.LR() != 1e-3 {
		t.Errorf("AdamW defaults: lr %v, %v", o.LR(), err)
	}
	o.SetLR(0.5)
	if o.LR() != 0.5 {
		t.Error("SetLR")
	}
}

func TestClipGradValueAndSchedules(t *testing.T) {
	p := NewParam(3)
	copy(p.Grad, []float32{-3, 0.5, 2})
	ClipGradValue([]NamedTensor{{"p", p}}, 1)
	if p.Grad[0] != -1 || p.Grad[1] != 0.5 || p.Grad[2] != 1 {
		t.Errorf("ClipGradValue: %v", p.Grad)
	}
	copy(p.Grad, []float32{3, 4, 0})
	if n := ClipGradNorm([]NamedTensor{{"p", p}}, 10, 1); n != 7 {
		t.Errorf("L1 norm %v, want 7", n)
	}
	for _, c := range []struct {
		s    Schedule
		step int
		want float64
	}{
		{ConstantSchedule{0.3}, 99, 0.3},
		{LinearSchedule{1, 0, 10}, 0, 1},
		{LinearSchedule{1, 0, 10}, 5, 0.5},
		{LinearSchedule{1, 0, 10}, 20, 0},
		{CosineSchedule{1, 0, 10}, 5, 0.5},
		{CosineSchedule{1, 0.1, 10}, 10, 0.1},
		{CosineSchedule{1, 0, 10}, 0, 1},
		{StepSchedule{1, 0.5, 3}, 2, 1},
		{StepSchedule{1, 0.5, 3}, 7, 0.25},
	} {
		if got := c.s.At(c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%T%v.At(%d) = %v, want %v", c.s, c.s, c.step, got, c.want)
		}
	}
}
