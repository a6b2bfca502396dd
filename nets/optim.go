package nets

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gorl/gorl/nets/internal/vec"
)

// Optimizer updates parameters from their gradients, as torch.optim's optimizers do, with the
// same update rules bit for bit in float32 (SCHEMA.md in testdata/torch lists them).
//
// The usual step is opt.ZeroGrad(); g.Backward(loss); opt.Step(). Every parameter is updated at
// every Step (PyTorch skips parameters whose .grad is None; gorl's gradients are zero, not None,
// when unused). There is one parameter group; SetLR changes its learning rate (schedules call it).
type Optimizer interface {
	// Step applies one update from the parameters' current gradients.
	Step()
	// ZeroGrad zeroes every parameter's gradient.
	ZeroGrad()
	// LR and SetLR read and set the learning rate used by the next Step.
	LR() float64
	SetLR(lr float64)
	// Steps is the number of Steps taken (PyTorch's state["step"]).
	Steps() int
	// Params returns the parameters the optimizer updates, in order.
	Params() []NamedTensor
	// State returns the optimizer's state as tensors named "state.<i>.<name>" (i the parameter's
	// index, name PyTorch's: exp_avg, momentum_buffer, ...) plus metadata (kind, step, lr,
	// hyperparameters, parameter names and shapes): what SaveOptimizer writes.
	State() ([]NamedTensor, map[string]string)
	// SetState restores a State, so that training resumes exactly: it checks the kind and that
	// the parameters have the same count, names and shapes, and restores step, lr and buffers.
	// Hyperparameters other than lr keep the values the optimizer was built with.
	SetState(tensors []NamedTensor, meta map[string]string) error
}

// optBase holds what every optimizer shares: parameters, learning rate, step count, and the named
// state buffers per parameter.
type optBase struct {
	kind   string
	params []NamedTensor
	lr     float64
	steps  int
	// state[name][i] is the state buffer name of parameter i (nil until first needed).
	state    map[string][][]float32
	stateOrd []string // state names in a fixed order
	hyper    map[string]string
}

func newOptBase(kind string, params []NamedTensor, lr float64, stateNames ...string) optBase {
	b := optBase{kind: kind, params: params, lr: lr, state: map[string][][]float32{}, stateOrd: stateNames}
	for _, n := range stateNames {
		b.state[n] = make([][]float32, len(params))
	}
	return b
}

// buf returns the state buffer name of parameter i, allocating it (zeroed) on first use.
func (b *optBase) buf(name string, i int) []float32 {
	s := b.state[name][i]
	if s == nil {
		s = make([]float32, len(b.params[i].Tensor.Data))
		b.state[name][i] = s
	}
	return s
}

func (b *optBase) ZeroGrad() {
	for _, p := range b.params {
		p.Tensor.ZeroGrad()
	}
}

func (b *optBase) LR() float64           { return b.lr }
func (b *optBase) SetLR(lr float64)      { b.lr = lr }
func (b *optBase) Steps() int            { return b.steps }
func (b *optBase) Params() []NamedTensor { return b.params }

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

func (b *optBase) State() ([]NamedTensor, map[string]string) {
	var ts []NamedTensor
	for i, p := range b.params {
		for _, n := range b.stateOrd {
			if s := b.state[n][i]; s != nil {
				ts = append(ts, NamedTensor{
					Name:   "state." + strconv.Itoa(i) + "." + n,
					Tensor: &Tensor{Shape: cloneShape(p.Tensor.Shape), Data: append([]float32(nil), s...)},
				})
			}
		}
	}
	infos := make([]paramInfo, len(b.params))
	for i, p := range b.params {
		infos[i] = paramInfo{p.Name, p.Tensor.Shape}
	}
	pj, _ := json.Marshal(infos) // cannot fail: strings and ints
	meta := map[string]string{
		"optimizer": b.kind,
		"step":      strconv.Itoa(b.steps),
		"lr":        strconv.FormatFloat(b.lr, 'g', -1, 64),
		"params":    string(pj),
	}
	for k, v := range b.hyper {
		meta[k] = v
	}
	return ts, meta
}

func (b *optBase) SetState(tensors []NamedTensor, meta map[string]string) error {
	if k := meta["optimizer"]; k != b.kind {
		return fmt.Errorf("nets: optimizer state is for %q, this optimizer is %s", k, b.kind)
	}
	steps, err := strconv.Atoi(meta["step"])
	if err != nil || steps < 0 {
		return fmt.Errorf("nets: optimizer state: bad step %q", meta["step"])
	}
	lr, err := strconv.ParseFloat(meta["lr"], 64)
	if err != nil {
		return fmt.Errorf("nets: optimizer state: bad lr %q", meta["lr"])
	}
	var infos []paramInfo
	if err := json.Unmarshal([]byte(meta["params"]), &infos); err != nil {
		return fmt.Errorf("nets: optimizer state: bad params list: %w", err)
	}
	var problems []string
	if len(infos) != len(b.params) {
		problems = append(problems, fmt.Sprintf("the state has %d parameters, the optimizer %d", len(infos), len(b.params)))
	} else {
		for i, p := range b.params {
			if infos[i].Name != p.Name || !sameShape(infos[i].Shape, p.Tensor.Shape) {
				problems = append(problems, fmt.Sprintf("parameter %d is %s %v in the state, %s %v in the optimizer",
					i, infos[i].Name, infos[i].Shape, p.Name, p.Tensor.Shape))
			}
		}
	}
	fresh := map[string][][]float32{}
	for _, n := range b.stateOrd {
		fresh[n] = make([][]float32, len(b.params))
	}
	for _, t := range tensors {
		rest, ok := strings.CutPrefix(t.Name, "state.")
		is, name, ok2 := strings.Cut(rest, ".")
		i, err := strconv.Atoi(is)
		if !ok || !ok2 || err != nil || i < 0 || i >= len(b.params) || fresh[name] == nil {
			problems = append(problems, fmt.Sprintf("unexpected tensor %q", t.Name))
			continue
		}
		if !sameShape(t.Tensor.Shape, b.params[i].Tensor.Shape) {
			problems = append(problems, fmt.Sprintf("%s has shape %v, parameter %s has %v", t.Name, t.Tensor.Shape, b.params[i].Name, b.params[i].Tensor.Shape))
			continue
		}
		fresh[name][i] = append([]float32(nil), t.Tensor.Data...)
	}
	if len(problems) > 0 {
		return errors.New("nets: optimizer state does not match: " + strings.Join(problems, "; "))
	}
	b.state, b.steps, b.lr = fresh, steps, lr
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func checkHyper(kind string, ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf("nets: %s: "+format, append([]any{kind}, args...)...)
}

// --- SGD -----------------------------------------------------------------------------------------

// SGDConfig holds torch.optim.SGD's arguments. LR has no default (PyTorch requires it).
type SGDConfig struct {
	LR          float64
	Momentum    float64 // 0: plain SGD
	Dampening   float64 // scales the new gradient in the momentum buffer: buf = μ·buf + (1−dampening)·g
	WeightDecay float64 // L2 penalty: g += wd·p
	Nesterov    bool    // needs Momentum > 0 and Dampening = 0
	Maximize    bool    // ascend instead of descend
}

// SGD is torch.optim.SGD: with momentum, buf = g on the first step (no dampening there), then
// buf = μ·buf + (1−dampening)·g; the step is g + μ·buf with Nesterov, buf otherwise.
type SGD struct {
	optBase
	cfg SGDConfig
}

// NewSGD returns SGD over params, or an error for invalid hyperparameters.
func NewSGD(params []NamedTensor, cfg SGDConfig) (*SGD, error) {
	err := errors.Join(
		checkHyper("SGD", cfg.LR >= 0, "invalid learning rate %g", cfg.LR),
		checkHyper("SGD", cfg.Momentum >= 0, "invalid momentum %g", cfg.Momentum),
		checkHyper("SGD", cfg.WeightDecay >= 0, "invalid weight decay %g", cfg.WeightDecay),
		checkHyper("SGD", !cfg.Nesterov || cfg.Momentum > 0 && cfg.Dampening == 0, "Nesterov momentum needs momentum > 0 and zero dampening"),
	)
	if err != nil {
		return nil, err
	}
	o := &SGD{optBase: newOptBase("SGD", params, cfg.LR, "momentum_buffer"), cfg: cfg}
	o.hyper = map[string]string{"momentum": fmtFloat(cfg.Momentum), "dampening": fmtFloat(cfg.Dampening),
		"weight_decay": fmtFloat(cfg.WeightDecay), "nesterov": strconv.FormatBool(cfg.Nesterov), "maximize": strconv.FormatBool(cfg.Maximize)}
	return o, nil
}

// Step applies one SGD update.
func (o *SGD) Step() {
	c := o.cfg
	lr, mu, wd := float32(o.lr), float32(c.Momentum), float32(c.WeightDecay)
	damp := float32(1 - c.Dampening)
	for i, p := range o.params {
		var buf []float32
		first := false
		if c.Momentum != 0 {
			first = o.state["momentum_buffer"][i] == nil
			buf = o.buf("momentum_buffer", i)
		}
		for j, g := range p.Tensor.Grad {
			if c.Maximize {
				g = -g
			}
			if wd != 0 {
				g += wd * p.Tensor.Data[j]
			}
			d := g
			if buf != nil {
				if first {
					buf[j] = g
				} else {
					buf[j] = mu*buf[j] + damp*g
				}
				if c.Nesterov {
					d = g + mu*buf[j]
				} else {
					d = buf[j]
				}
			}
			p.Tensor.Data[j] -= lr * d
		}
	}
	o.steps++
}

// --- Adam and AdamW ----------------------------------------------------------------------------

// AdamConfig holds torch.optim.Adam's and AdamW's arguments. Zero values take PyTorch's defaults
// where zero is not a meaningful setting: LR 1e-3, Betas (0.9, 0.999) (when both are zero), Eps
// 1e-8. WeightDecay is used as given: note that PyTorch's AdamW defaults to 0.01, Adam to 0.
type AdamConfig struct {
	LR          float64
	Betas       [2]float64
	Eps         float64
	WeightDecay float64 // Adam: L2 added to the gradient; AdamW: decoupled p ← p·(1 − lr·wd)
	AMSGrad     bool    // use the running maximum of the second moment
	Maximize    bool
}

func (c AdamConfig) withDefaults() AdamConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Betas == [2]float64{} {
		c.Betas = [2]float64{0.9, 0.999}
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	return c
}

// Adam is torch.optim.Adam (or AdamW, from NewAdamW). For step t:
// m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², and
// p ← p − (lr/(1−β1^t))·m/(√v/√(1−β2^t) + eps), with eps added after the bias-corrected square
// root, exactly as PyTorch.
type Adam struct {
	optBase
	cfg       AdamConfig
	decoupled bool
}

// NewAdam returns Adam (L2 weight decay coupled to the gradient) over params.
func NewAdam(params []NamedTensor, cfg AdamConfig) (*Adam, error) {
	return newAdam("Adam", params, cfg, false)
}

// NewAdamW returns AdamW: each step first decays p ← p·(1 − lr·wd) (the parameter before this
// step's update, the raw lr), then applies the Adam update without weight decay in the gradient.
func NewAdamW(params []NamedTensor, cfg AdamConfig) (*Adam, error) {
	return newAdam("AdamW", params, cfg, true)
}

func newAdam(kind string, params []NamedTensor, cfg AdamConfig, decoupled bool) (*Adam, error) {
	cfg = cfg.withDefaults()
	err := errors.Join(
		checkHyper(kind, cfg.LR >= 0, "invalid learning rate %g", cfg.LR),
		checkHyper(kind, cfg.Eps >= 0, "invalid epsilon %g", cfg.Eps),
		checkHyper(kind, cfg.Betas[0] >= 0 && cfg.Betas[0] < 1, "invalid beta1 %g", cfg.Betas[0]),
		checkHyper(kind, cfg.Betas[1] >= 0 && cfg.Betas[1] < 1, "invalid beta2 %g", cfg.Betas[1]),
		checkHyper(kind, cfg.WeightDecay >= 0, "invalid weight decay %g", cfg.WeightDecay),
	)
	if err != nil {
		return nil, err
	}
	names := []string{"exp_avg", "exp_avg_sq"}
	if cfg.AMSGrad {
		names = append(names, "max_exp_avg_sq")
	}
	o := &Adam{optBase: newOptBase(kind, params, cfg.LR, names...), cfg: cfg, decoupled: decoupled}
	o.hyper = map[string]string{"beta1": fmtFloat(cfg.Betas[0]), "beta2": fmtFloat(cfg.Betas[1]), "eps": fmtFloat(cfg.Eps),
		"weight_decay": fmtFloat(cfg.WeightDecay), "amsgrad": strconv.FormatBool(cfg.AMSGrad), "maximize": strconv.FormatBool(cfg.Maximize)}
	return o, nil
}

// Step applies one Adam (AdamW) update.
func (o *Adam) Step() {
	o.steps++
	c := o.cfg
	t := float64(o.steps)
	b1, b2 := c.Betas[0], c.Betas[1]
	bc1 := 1 - math.Pow(b1, t)
	bc2sqrt := math.Sqrt(1 - math.Pow(b2, t))
	stepSize := float32(o.lr / bc1)
	invBc2 := float32(1 / bc2sqrt)
	fb1, fb2, f1b1, f1b2 := float32(b1), float32(b2), float32(1-b1), float32(1-b2)
	eps, wd := float32(c.Eps), float32(c.WeightDecay)
	decay := float32(1 - o.lr*c.WeightDecay)
	for i, p := range o.params {
		m, v := o.buf("exp_avg", i), o.buf("exp_avg_sq", i)
		data, grad := p.Tensor.Data, p.Tensor.Grad
		if !c.AMSGrad && !c.Maximize && (wd == 0 || o.decoupled) {
			if o.decoupled && wd != 0 {
				for j := range data {
					data[j] *= decay
				}
			}
			vec.Adam(data, grad, m, v, fb1, fb2, f1b1, f1b2, stepSize, invBc2, eps) // 8 lanes wide where the CPU can
			continue
		}
		var vmax []float32
		if c.AMSGrad {
			vmax = o.buf("max_exp_avg_sq", i)
		}
		for j, g := range grad {
			if c.Maximize {
				g = -g
			}
			if o.decoupled {
				data[j] *= decay
			} else if wd != 0 {
				g += wd * data[j]
			}
			m[j] = m[j]*fb1 + f1b1*g
			v[j] = v[j]*fb2 + f1b2*g*g
			vv := v[j]
			if vmax != nil {
				vmax[j] = max(vmax[j], vv)
				vv = vmax[j]
			}
			denom := float32(math.Sqrt(float64(vv)))*invBc2 + eps
			data[j] -= stepSize * m[j] / denom
		}
	}
}

// --- RMSprop -------------------------------------------------------------------------------------

// RMSpropConfig holds torch.optim.RMSprop's arguments. Zero values take PyTorch's defaults where
// zero is not a meaningful setting: LR 0.01, Alpha 0.99, Eps 1e-8.
type RMSpropConfig struct {
	LR          float64
	Alpha       float64 // smoothing of the squared-gradient average
	Eps         float64 // added outside the square root
	WeightDecay float64
	Momentum    float64
	Centered    bool // normalize by the variance estimate √(v − ḡ²) instead of √v
	Maximize    bool
}

// RMSprop is torch.optim.RMSprop: v = α·v + (1−α)·g²; avg = √v + eps (√(v − ḡ²) + eps when
// centered, with ḡ = α·ḡ + (1−α)·g); with momentum buf = μ·buf + g/avg and p ← p − lr·buf,
// otherwise p ← p − lr·g/avg.
type RMSprop struct {
	optBase
	cfg RMSpropConfig
}

// NewRMSprop returns RMSprop over params.
func NewRMSprop(params []NamedTensor, cfg RMSpropConfig) (*RMSprop, error) {
	if cfg.LR == 0 {
		cfg.LR = 0.01
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 0.99
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-8
	}
	err := errors.Join(
		checkHyper("RMSprop", cfg.LR >= 0, "invalid learning rate %g", cfg.LR),
		checkHyper("RMSprop", cfg.Eps >= 0, "invalid epsilon %g", cfg.Eps),
		checkHyper("RMSprop", cfg.Alpha >= 0, "invalid alpha %g", cfg.Alpha),
		checkHyper("RMSprop", cfg.Momentum >= 0, "invalid momentum %g", cfg.Momentum),
		checkHyper("RMSprop", cfg.WeightDecay >= 0, "invalid weight decay %g", cfg.WeightDecay),
	)
	if err != nil {
		return nil, err
	}
	names := []string{"square_avg"}
	if cfg.Momentum > 0 {
		names = append(names, "momentum_buffer")
	}
	if cfg.Centered {
		names = append(names, "grad_avg")
	}
	o := &RMSprop{optBase: newOptBase("RMSprop", params, cfg.LR, names...), cfg: cfg}
	o.hyper = map[string]string{"alpha": fmtFloat(cfg.Alpha), "eps": fmtFloat(cfg.Eps), "weight_decay": fmtFloat(cfg.WeightDecay),
		"momentum": fmtFloat(cfg.Momentum), "centered": strconv.FormatBool(cfg.Centered), "maximize": strconv.FormatBool(cfg.Maximize)}
	return o, nil
}

// Step applies one RMSprop update.
func (o *RMSprop) Step() {
	c := o.cfg
	lr, alpha, a1 := float32(o.lr), float32(c.Alpha), float32(1-c.Alpha)
	eps, wd, mu := float32(c.Eps), float32(c.WeightDecay), float32(c.Momentum)
	for i, p := range o.params {
		v := o.buf("square_avg", i)
		var gavg, buf []float32
		if c.Centered {
			gavg = o.buf("grad_avg", i)
		}
		if c.Momentum > 0 {
			buf = o.buf("momentum_buffer", i)
		}
		data := p.Tensor.Data
		for j, g := range p.Tensor.Grad {
			if c.Maximize {
				g = -g
			}
			if wd != 0 {
				g += wd * data[j]
			}
			v[j] = v[j]*alpha + a1*g*g
			var avg float32
			if gavg != nil {
				gavg[j] = gavg[j]*alpha + a1*g
				avg = float32(math.Sqrt(float64(v[j]-gavg[j]*gavg[j]))) + eps
			} else {
				avg = float32(math.Sqrt(float64(v[j]))) + eps
			}
			if buf != nil {
				buf[j] = buf[j]*mu + g/avg
				data[j] -= lr * buf[j]
			} else {
				data[j] -= lr * g / avg
			}
		}
	}
	o.steps++
}

var (
	_ Optimizer = (*SGD)(nil)
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*RMSprop)(nil)
)
