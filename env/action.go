package env

import (
	"fmt"
	"math"
)

// ClipAction clips every element of a Box action to the wrapped env's bounds before stepping,
// as Gymnasium 1.x's ClipAction: the wrapper's action space is the unbounded Box of the same
// shape (every action is accepted), so a Gaussian policy can act without knowing the bounds.
// NaN stays NaN and reaches the env.
type ClipAction struct {
	Env
	low, high []float32
	space     *Box
	buf       []float32
}

// NewClipAction wraps e. It panics if e's action space is not a *Box.
func NewClipAction(e Env) *ClipAction {
	b, ok := e.ActionSpace().(*Box)
	if !ok {
		panic(fmt.Sprintf("env: ClipAction needs a Box action space, not %v", e.ActionSpace()))
	}
	return &ClipAction{Env: e, low: b.Low, high: b.High, space: unboundedBox(b), buf: make([]float32, b.Dim())}
}

func (c *ClipAction) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	if len(action) != len(c.buf) {
		panic(fmt.Sprintf("env: ClipAction.Step: action of %d elements; want %d", len(action), len(c.buf)))
	}
	for i, a := range action {
		c.buf[i] = min(max(a, c.low[i]), c.high[i])
	}
	return c.Env.Step(c.buf)
}

func (c *ClipAction) ActionSpace() Space { return c.space }
func (c *ClipAction) Unwrap() Env        { return c.Env }

// RescaleAction affinely maps the action space [minAction, maxAction] of the wrapper onto the
// wrapped env's Box [low, high], as Gymnasium 1.x's RescaleAction (rescale_box): the env receives
// low + (a − minAction)·(high − low)/(maxAction − minAction) per element, so a policy whose
// outputs lie in [−1, 1] can drive any bounded env.
//
// Like Gymnasium, an element whose env bound is infinite must keep that same infinite bound; it
// is then shifted (one finite side) or passed through (none). The map is computed in float32
// like Gymnasium's; the result of an action inside [minAction, maxAction] is clamped to
// [low, high] so that float32 rounding cannot push it one ulp outside the env's space. An action
// outside the wrapper's space is mapped without clamping.
type RescaleAction struct {
	Env
	gradient, intercept []float32
	low, high           []float32 // the env's bounds
	min, max            []float32 // the wrapper's bounds
	space               *Box
	buf                 []float32
}

// NewRescaleAction wraps e so that its actions range over [minAction, maxAction] per element.
// minAction and maxAction hold one bound per element, or one value for every element. It panics
// if e's action space is not a *Box, the lengths disagree, minAction > maxAction somewhere, or the
// infinite bounds do not match e's (Gymnasium's assertions).
func NewRescaleAction(e Env, minAction, maxAction []float32) *RescaleAction {
	b, ok := e.ActionSpace().(*Box)
	if !ok {
		panic(fmt.Sprintf("env: RescaleAction needs a Box action space, not %v", e.ActionSpace()))
	}
	d := b.Dim()
	newMin, newMax := broadcast(minAction, d, "minAction"), broadcast(maxAction, d, "maxAction")
	w := &RescaleAction{
		Env: e, low: b.Low, high: b.High, min: newMin, max: newMax,
		gradient: make([]float32, d), intercept: make([]float32, d), buf: make([]float32, d),
	}
	for i := range d {
		lo, hi, nmin, nmax := float64(b.Low[i]), float64(b.High[i]), float64(newMin[i]), float64(newMax[i])
		if (math.IsInf(nmin, 0) || math.IsInf(lo, 0)) && nmin != lo {
			panic(fmt.Sprintf("env: RescaleAction: element %d: minAction %g and the env's low %g must both be finite or equal", i, nmin, lo))
		}
		if (math.IsInf(nmax, 0) || math.IsInf(hi, 0)) && nmax != hi {
			panic(fmt.Sprintf("env: RescaleAction: element %d: maxAction %g and the env's high %g must both be finite or equal", i, nmax, hi))
		}
		if !(nmin <= nmax) {
			panic(fmt.Sprintf("env: RescaleAction: element %d: minAction %g > maxAction %g", i, nmin, nmax))
		}
		minFinite, maxFinite := !math.IsInf(nmin, 0), !math.IsInf(nmax, 0)
		g := float32(1)
		if minFinite && maxFinite {
			g = float32((nmax - nmin) / (hi - lo))
		}
		var c float32
		if maxFinite {
			c = newMax[i] - b.High[i]
		}
		if minFinite {
			c = float32(g*-b.Low[i]) + newMin[i] // the conversion stops Go fusing a multiply-add
		}
		w.gradient[i], w.intercept[i] = g, c
	}
	w.space = NewBox(newMin, newMax, b.Shape()...)
	return w
}

// broadcast returns v as d elements: v itself, or its single value repeated.
func broadcast(v []float32, d int, name string) []float32 {
	switch len(v) {
	case d:
		return append([]float32(nil), v...)
	case 1:
		out := make([]float32, d)
		for i := range out {
			out[i] = v[0]
		}
		return out
	}
	panic(fmt.Sprintf("env: RescaleAction: %s has %d elements; want 1 or %d", name, len(v), d))
}

func (r *RescaleAction) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	if len(action) != len(r.buf) {
		panic(fmt.Sprintf("env: RescaleAction.Step: action of %d elements; want %d", len(action), len(r.buf)))
	}
	for i, a := range action {
		v := (a - r.intercept[i]) / r.gradient[i]
		if a >= r.min[i] && a <= r.max[i] {
			v = min(max(v, r.low[i]), r.high[i])
		}
		r.buf[i] = v
	}
	return r.Env.Step(r.buf)
}

func (r *RescaleAction) ActionSpace() Space { return r.space }
func (r *RescaleAction) Unwrap() Env        { return r.Env }

var (
	_ Env       = (*ClipAction)(nil)
	_ Env       = (*RescaleAction)(nil)
	_ Unwrapper = (*ClipAction)(nil)
	_ Unwrapper = (*RescaleAction)(nil)
)
