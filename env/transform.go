package env

import "fmt"

// TransformObservation applies a function to every observation, as Gymnasium's
// TransformObservation. The function writes the new observation into dst (of the new space's
// Dim, owned by the wrapper and reused, so that the wrapper does not allocate) from obs (the
// wrapped env's observation, which it must not keep or modify).
type TransformObservation struct {
	Env
	f     func(dst, obs []float32)
	space Space
	out   []float32
}

// NewTransformObservation wraps e. space is the observation space of the transformed
// observations; nil keeps e's (for a transform that stays inside it, such as a clip). The
// function must map every observation of e's space into space: Check verifies it.
func NewTransformObservation(e Env, space Space, f func(dst, obs []float32)) *TransformObservation {
	if f == nil {
		panic("env: TransformObservation with a nil function")
	}
	if space == nil {
		space = e.ObservationSpace()
	}
	return &TransformObservation{Env: e, f: f, space: space, out: make([]float32, space.Dim())}
}

func (t *TransformObservation) Reset(seed *uint64) ([]float32, Info) {
	obs, info := t.Env.Reset(seed)
	t.f(t.out, obs)
	return t.out, info
}

func (t *TransformObservation) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := t.Env.Step(action)
	t.f(t.out, obs)
	return t.out, r, term, trunc, info
}

func (t *TransformObservation) ObservationSpace() Space { return t.space }
func (t *TransformObservation) Unwrap() Env             { return t.Env }

// TransformReward applies a function to every reward, as Gymnasium's TransformReward (for
// example clipping to [−1, 1], as the DQN Atari recipe does, or scaling).
type TransformReward struct {
	Env
	f func(float64) float64
}

// NewTransformReward wraps e.
func NewTransformReward(e Env, f func(reward float64) float64) *TransformReward {
	if f == nil {
		panic("env: TransformReward with a nil function")
	}
	return &TransformReward{Env: e, f: f}
}

func (t *TransformReward) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := t.Env.Step(action)
	return obs, t.f(r), term, trunc, info
}

func (t *TransformReward) Unwrap() Env { return t.Env }

// Padding says what fills a FrameStack's window after Reset, before k observations exist
// (Gymnasium's FrameStackObservation padding_type).
type Padding struct {
	kind  int // padReset, padZero or padValue
	value []float32
}

const (
	padReset = iota
	padZero
	padValue
)

// PadReset repeats the first observation of the episode (Gymnasium's default, "reset").
func PadReset() Padding { return Padding{kind: padReset} }

// PadZero pads with the point of the observation space nearest zero (Gymnasium's "zero":
// 0 clipped into a Box's bounds, Start for a Discrete).
func PadZero() Padding { return Padding{kind: padZero} }

// PadWith pads with the given observation, which must lie in the observation space.
func PadWith(obs []float32) Padding {
	return Padding{kind: padValue, value: append([]float32(nil), obs...)}
}

// FrameStack returns the last K observations stacked, oldest first, as Gymnasium 1.x's
// FrameStackObservation: for a Box of shape s the observation space becomes the Box of shape
// (K, s...) with the bounds repeated. After Reset the window holds K−1 padding observations and
// the first one. Discrete and MultiDiscrete spaces stack into a MultiDiscrete of K·Dim elements
// (as Gymnasium's batch_space turns Discrete(n) into MultiDiscrete([n]*K)), MultiBinary(n) into
// MultiBinary(K·n); their flat layout is the same.
type FrameStack struct {
	Env
	k       int
	dim     int
	padding Padding
	space   Space
	pad     []float32 // the padding observation for padZero and padValue
	stack   []float32 // K×dim, oldest first
}

// NewFrameStack wraps e with a window of k ≥ 1 observations. It panics if k < 1, if e's
// observation space cannot be stacked (a Discrete or MultiDiscrete with a non-zero start has no
// MultiDiscrete equivalent here), or if a PadWith observation is outside the space.
func NewFrameStack(e Env, k int, padding Padding) *FrameStack {
	if k < 1 {
		panic(fmt.Sprintf("env: FrameStack of %d observations; want at least 1", k))
	}
	s := e.ObservationSpace()
	f := &FrameStack{Env: e, k: k, dim: s.Dim(), padding: padding, stack: make([]float32, k*s.Dim())}
	f.space = stackSpace(s, k)
	switch padding.kind {
	case padZero:
		f.pad = zeroPoint(s)
	case padValue:
		if !s.Contains(padding.value) {
			panic(fmt.Sprintf("env: FrameStack: padding %v is not in the observation space %v", padding.value, s))
		}
		f.pad = padding.value
	}
	return f
}

// stackSpace is the space of k stacked points of s.
func stackSpace(s Space, k int) Space {
	switch sp := s.(type) {
	case *Box:
		lo, hi := make([]float32, 0, k*sp.Dim()), make([]float32, 0, k*sp.Dim())
		for range k {
			lo, hi = append(lo, sp.Low...), append(hi, sp.High...)
		}
		return NewBox(lo, hi, append([]int{k}, sp.Shape()...)...)
	case Discrete:
		if sp.Start != 0 {
			panic(fmt.Sprintf("env: FrameStack cannot stack %v: MultiDiscrete has no start", sp))
		}
		nvec := make([]int, k)
		for i := range nvec {
			nvec[i] = sp.N
		}
		return MultiDiscrete{Nvec: nvec}
	case MultiDiscrete:
		nvec := make([]int, 0, k*len(sp.Nvec))
		for range k {
			nvec = append(nvec, sp.Nvec...)
		}
		return MultiDiscrete{Nvec: nvec}
	case MultiBinary:
		return MultiBinary{N: k * sp.N}
	}
	panic(fmt.Sprintf("env: FrameStack cannot stack observations of %v", s))
}

// zeroPoint is Gymnasium's create_zero_array: the point of s nearest zero.
func zeroPoint(s Space) []float32 {
	p := make([]float32, s.Dim())
	switch sp := s.(type) {
	case *Box:
		for i := range p {
			p[i] = min(max(0, sp.Low[i]), sp.High[i])
		}
	case Discrete:
		p[0] = float32(sp.Start)
	}
	return p
}

func (f *FrameStack) Reset(seed *uint64) ([]float32, Info) {
	obs, info := f.Env.Reset(seed)
	pad := f.pad
	if f.padding.kind == padReset {
		pad = obs
	}
	for i := range f.k - 1 {
		copy(f.stack[i*f.dim:(i+1)*f.dim], pad)
	}
	copy(f.stack[(f.k-1)*f.dim:], obs)
	return f.stack, info
}

func (f *FrameStack) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := f.Env.Step(action)
	copy(f.stack, f.stack[f.dim:])
	copy(f.stack[(f.k-1)*f.dim:], obs)
	return f.stack, r, term, trunc, info
}

// K is the number of stacked observations.
func (f *FrameStack) K() int { return f.k }

func (f *FrameStack) ObservationSpace() Space { return f.space }
func (f *FrameStack) Unwrap() Env             { return f.Env }

var (
	_ Env       = (*TransformObservation)(nil)
	_ Env       = (*TransformReward)(nil)
	_ Env       = (*FrameStack)(nil)
	_ Unwrapper = (*TransformObservation)(nil)
	_ Unwrapper = (*TransformReward)(nil)
	_ Unwrapper = (*FrameStack)(nil)
)
