package supervised

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/run/rundir"
)

// Files of a checkpoint besides ModelFile and run.json.
const (
	optimizerFile = "optimizer.safetensors"
	stateFile     = "state.json"
)

// newOptimizer builds the optimizer a config names: "sgd" (with momentum), "adam", "adamw" or
// "rmsprop". beta1 is Adam's first beta (0 for PyTorch's 0.9; a GAN wants 0.5).
func newOptimizer(name string, params []nets.NamedTensor, lr, momentum, weightDecay, beta1 float64) (nets.Optimizer, error) {
	switch name {
	case "sgd":
		return nets.NewSGD(params, nets.SGDConfig{LR: lr, Momentum: momentum, WeightDecay: weightDecay})
	case "adam", "adamw":
		c := nets.AdamConfig{LR: lr, WeightDecay: weightDecay}
		if beta1 != 0 {
			c.Betas = [2]float64{beta1, 0.999}
		}
		if name == "adamw" {
			return nets.NewAdamW(params, c)
		}
		return nets.NewAdam(params, c)
	case "rmsprop":
		return nets.NewRMSprop(params, nets.RMSpropConfig{LR: lr, Momentum: momentum, WeightDecay: weightDecay})
	}
	return nil, fmt.Errorf("optimizer %q: choose sgd, adam, adamw or rmsprop", name)
}

func checkOptimizer(name string) error {
	switch name {
	case "sgd", "adam", "adamw", "rmsprop":
		return nil
	}
	return fmt.Errorf("optimizer = %q: choose sgd, adam, adamw or rmsprop", name)
}

// newSchedule returns the learning-rate schedule a config names over total steps: "constant",
// "cosine" (to 0 at the end), "step" (×0.1 every third of the run) or "wsd" (see wsdSchedule).
func newSchedule(name string, base float64, total int64) nets.Schedule {
	switch name {
	case "wsd":
		return newWSD(base, total, wsdDecay)
	case "cosine":
		return nets.CosineSchedule{Base: base, Steps: int(total)}
	case "step":
		return nets.StepSchedule{Base: base, Gamma: 0.1, Every: int(max(1, total/3))}
	}
	return nets.ConstantSchedule{Value: base}
}

func checkSchedule(name string) error {
	switch name {
	case "constant", "cosine", "step", "wsd":
		return nil
	}
	return fmt.Errorf("lr_schedule = %q: choose constant, cosine, step or wsd", name)
}

// wsdWarmup caps the warm-up of the wsd schedule in steps.
const wsdWarmup = 300

// wsdDecay is the share of the run over which wsd anneals the learning rate to 0 by default.
const wsdDecay = 0.3

// newWSD returns the wsd schedule of a run of total steps that anneals over its last decay share.
func newWSD(base float64, total int64, decay float64) wsdSchedule {
	return wsdSchedule{Base: base, Warmup: int(min(wsdWarmup, total/10)), Steps: int(total), Decay: decay}
}

// wsdSchedule is warmup-stable-decay: the rate rises linearly from Base/Warmup to Base over the
// first Warmup steps, stays at Base, and follows a cosine from Base to 0 over the last share Decay
// of the Steps. Why: a long run at the full rate learns fastest, and the final anneal takes the
// loss down by as much as cosine's; unlike cosine, the rate before the decay does not depend on
// the run's length, so a run can be lengthened (max_steps) before its decay starts without
// changing anything it has done.
type wsdSchedule struct {
	Base          float64
	Warmup, Steps int
	Decay         float64
}

// At returns the rate at step.
func (s wsdSchedule) At(step int) float64 {
	if step < s.Warmup {
		return s.Base * float64(step+1) / float64(s.Warmup)
	}
	start := max(s.Warmup, int(float64(s.Steps)*(1-s.Decay)))
	if step < start {
		return s.Base
	}
	if step >= s.Steps {
		return 0
	}
	return s.Base * (1 + math.Cos(math.Pi*float64(step-start)/float64(s.Steps-start))) / 2
}

// stepRand returns the generator of step s for stream (dropout of the model, GAN noise, ...):
// a pure function of the seed and the step, so that chunks and resume change nothing.
func stepRand(seed uint64, stream uint64, s int64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^stream*0x9e3779b97f4a7c15, uint64(s)))
}

// saveTraining writes the model (with meta), the optimizer and the task's state.
func saveTraining(dir string, model any, meta map[string]string, opt nets.Optimizer, state any) error {
	if err := nets.Save(filepath.Join(dir, ModelFile), model, meta); err != nil {
		return err
	}
	if opt != nil {
		if err := nets.SaveOptimizer(filepath.Join(dir, optimizerFile), opt, nil); err != nil {
			return err
		}
	}
	return rundir.WriteJSON(filepath.Join(dir, stateFile), state)
}

// loadTraining restores what saveTraining wrote.
func loadTraining(dir string, model any, opt nets.Optimizer, state any) error {
	if _, err := nets.Load(filepath.Join(dir, ModelFile), model); err != nil {
		return err
	}
	if opt != nil {
		if _, err := nets.LoadOptimizer(filepath.Join(dir, optimizerFile), opt); err != nil {
			return err
		}
	}
	return rundir.ReadJSON(filepath.Join(dir, stateFile), state)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// jsonString encodes v for safetensors metadata.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// argmax returns the index of the largest value of row.
func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// oneOf returns an error when v is not among choices.
func oneOf(key, v string, choices ...string) error {
	for _, c := range choices {
		if v == c {
			return nil
		}
	}
	return fmt.Errorf("%s = %q: choose %s", key, v, strings.Join(choices, ", "))
}
