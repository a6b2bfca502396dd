package env

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Space describes the set of valid observations or actions, as Gymnasium's spaces do. Every point
// of a space is carried as a flat []float32 of length Dim(): a Discrete value is its integer
// index in one element, a MultiDiscrete or MultiBinary value one integer per element, a Box value
// its elements in row-major order. One representation for every space keeps the vector envs,
// replay buffers and networks free of type switches.
type Space interface {
	// Shape is the space's shape: {} for Discrete (a scalar), {n} for MultiBinary(n), the box's
	// shape for Box.
	Shape() []int
	// Dim is the length of the flat slice that carries one point.
	Dim() int
	// Sample draws a uniformly random point (Box: uniform on bounded dimensions, normal or
	// exponential on unbounded ones, as Gymnasium does) into dst, which must have length Dim().
	Sample(r *rand.Rand, dst []float32)
	// Contains reports whether x is a point of the space.
	Contains(x []float32) bool
	String() string
}

// Discrete is {Start, Start+1, ..., Start+N-1}: Gymnasium's Discrete(n, start).
type Discrete struct {
	N     int
	Start int
}

// NewDiscrete returns Discrete(n) starting at 0.
func NewDiscrete(n int) Discrete { return Discrete{N: n} }

func (d Discrete) Shape() []int { return []int{} }
func (d Discrete) Dim() int     { return 1 }

func (d Discrete) Sample(r *rand.Rand, dst []float32) {
	dst[0] = float32(d.Start + r.IntN(d.N))
}

func (d Discrete) Contains(x []float32) bool {
	if len(x) != 1 {
		return false
	}
	// Compare as float64: converting a huge or infinite float32 to int is implementation-defined.
	v := float64(x[0])
	return v == math.Trunc(v) && v >= float64(d.Start) && v < float64(d.Start)+float64(d.N)
}

func (d Discrete) String() string {
	if d.Start != 0 {
		return fmt.Sprintf("Discrete(%d, start=%d)", d.N, d.Start)
	}
	return fmt.Sprintf("Discrete(%d)", d.N)
}

// Box is a (possibly unbounded) box in R^n with float32 elements: Gymnasium's Box(low, high,
// shape, float32). Low and High hold one bound per element; ±Inf marks an unbounded side.
type Box struct {
	Low, High []float32
	shape     []int
}

// NewBox returns the box with the given element bounds and shape (nil shape: 1-D of len(low)).
// It panics if the lengths disagree or a low bound exceeds its high bound: spaces are built by
// env code, not by users.
func NewBox(low, high []float32, shape ...int) *Box {
	if len(low) != len(high) {
		panic(fmt.Sprintf("env: Box low has %d elements, high %d", len(low), len(high)))
	}
	if len(shape) == 0 {
		shape = []int{len(low)}
	}
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n != len(low) {
		panic(fmt.Sprintf("env: Box shape %v holds %d elements, bounds have %d", shape, n, len(low)))
	}
	for i := range low {
		if low[i] > high[i] {
			panic(fmt.Sprintf("env: Box low[%d]=%g > high[%d]=%g", i, low[i], i, high[i]))
		}
	}
	return &Box{Low: append([]float32(nil), low...), High: append([]float32(nil), high...), shape: append([]int(nil), shape...)}
}

// NewUniformBox returns a box of the given shape whose every element lies in [low, high].
func NewUniformBox(low, high float32, shape ...int) *Box {
	n := 1
	for _, s := range shape {
		n *= s
	}
	lo, hi := make([]float32, n), make([]float32, n)
	for i := range lo {
		lo[i], hi[i] = low, high
	}
	return NewBox(lo, hi, shape...)
}

// Shape returns the box's shape; a Box built as a struct literal (without NewBox) is 1-D.
func (b *Box) Shape() []int {
	if b.shape == nil {
		return []int{len(b.Low)}
	}
	return append([]int(nil), b.shape...)
}
func (b *Box) Dim() int { return len(b.Low) }

// Sample follows Gymnasium's Box.sample: uniform on [low, high] when both bounds are finite,
// low + Exp(1) or high - Exp(1) when one is, and a standard normal when neither is.
func (b *Box) Sample(r *rand.Rand, dst []float32) {
	for i := range b.Low {
		lo, hi := float64(b.Low[i]), float64(b.High[i])
		loInf, hiInf := math.IsInf(lo, -1), math.IsInf(hi, 1)
		var v float64
		switch {
		case !loInf && !hiInf:
			v = lo + r.Float64()*(hi-lo)
		case !loInf:
			v = lo + r.ExpFloat64()
		case !hiInf:
			v = hi - r.ExpFloat64()
		default:
			v = r.NormFloat64()
		}
		f := float32(v)
		// Rounding to float32 can step just outside a finite bound.
		f = min(max(f, b.Low[i]), b.High[i])
		dst[i] = f
	}
}

func (b *Box) Contains(x []float32) bool {
	if len(x) != len(b.Low) {
		return false
	}
	for i, v := range x {
		if !(v >= b.Low[i] && v <= b.High[i]) { // also rejects NaN
			return false
		}
	}
	return true
}

// Bounded reports whether every element has finite low and high bounds.
func (b *Box) Bounded() bool {
	for i := range b.Low {
		if math.IsInf(float64(b.Low[i]), 0) || math.IsInf(float64(b.High[i]), 0) {
			return false
		}
	}
	return true
}

// String prints the box as Gymnasium does: Box(low, high, shape, float32), each bound as one
// number when all its elements agree, e.g. Box(-1.0, 1.0, (3,), float32).
func (b *Box) String() string {
	return fmt.Sprintf("Box(%s, %s, %s, float32)", boundString(b.Low), boundString(b.High), shapeString(b.Shape()))
}

// boundString prints a bound compactly: one number when all elements agree, else a list.
func boundString(v []float32) string {
	same := len(v) > 0
	for _, x := range v {
		if x != v[0] {
			same = false
			break
		}
	}
	if same {
		return pyFloat(v[0])
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = pyFloat(x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// pyFloat formats a float32 as Python's str(np.float32(x)) does: the shortest representation
// that reads back to the same float32, with ".0" on integral values and inf/nan in lower case.
func pyFloat(x float32) string {
	f := float64(x)
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, 32)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// shapeString prints a shape as a Python tuple: (), (4,), (2, 3).
func shapeString(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", shape[0])
	}
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// MultiDiscrete is the product of Discrete(Nvec[i]) spaces: Gymnasium's MultiDiscrete(nvec).
type MultiDiscrete struct {
	Nvec []int
}

func (m MultiDiscrete) Shape() []int { return []int{len(m.Nvec)} }
func (m MultiDiscrete) Dim() int     { return len(m.Nvec) }

func (m MultiDiscrete) Sample(r *rand.Rand, dst []float32) {
	for i, n := range m.Nvec {
		dst[i] = float32(r.IntN(n))
	}
}

func (m MultiDiscrete) Contains(x []float32) bool {
	if len(x) != len(m.Nvec) {
		return false
	}
	for i, v := range x {
		f := float64(v)
		if f != math.Trunc(f) || f < 0 || f >= float64(m.Nvec[i]) {
			return false
		}
	}
	return true
}

func (m MultiDiscrete) String() string { return fmt.Sprintf("MultiDiscrete(%v)", m.Nvec) }

// MultiBinary is {0,1}^N: Gymnasium's MultiBinary(n).
type MultiBinary struct {
	N int
}

func (m MultiBinary) Shape() []int { return []int{m.N} }
func (m MultiBinary) Dim() int     { return m.N }

func (m MultiBinary) Sample(r *rand.Rand, dst []float32) {
	for i := range dst[:m.N] {
		dst[i] = float32(r.IntN(2))
	}
}

func (m MultiBinary) Contains(x []float32) bool {
	if len(x) != m.N {
		return false
	}
	for _, v := range x {
		if v != 0 && v != 1 {
			return false
		}
	}
	return true
}

func (m MultiBinary) String() string { return fmt.Sprintf("MultiBinary(%d)", m.N) }

// validateSpace returns an error naming what is wrong with a space's definition, or nil. It
// checks what Gymnasium's check_space does (positive sizes, ordered bounds without NaN) and that
// the space keeps its own promises: Dim equals the number of elements of Shape, sampled points
// are contained, and a slice of the wrong length is not.
func validateSpace(s Space) error {
	if s == nil {
		return fmt.Errorf("the space is nil")
	}
	var problems []string
	dim := s.Dim()
	n := 1
	for _, d := range s.Shape() {
		if d < 1 {
			problems = append(problems, fmt.Sprintf("shape %v has a dimension below 1", s.Shape()))
		}
		n *= d
	}
	if dim < 1 {
		problems = append(problems, fmt.Sprintf("Dim() = %d; want at least 1", dim))
	} else if n != dim {
		problems = append(problems, fmt.Sprintf("shape %v holds %d elements but Dim() = %d", s.Shape(), n, dim))
	}
	switch sp := s.(type) {
	case Discrete:
		if sp.N < 1 {
			problems = append(problems, fmt.Sprintf("Discrete N = %d; want at least 1", sp.N))
		}
	case *Box:
		if len(sp.Low) != len(sp.High) {
			problems = append(problems, fmt.Sprintf("Box has %d low and %d high bounds", len(sp.Low), len(sp.High)))
			break
		}
		for i := range sp.Low {
			lo, hi := sp.Low[i], sp.High[i]
			switch {
			case lo != lo || hi != hi:
				problems = append(problems, fmt.Sprintf("Box bound %d is NaN", i))
			case lo > hi:
				problems = append(problems, fmt.Sprintf("Box low[%d]=%g > high[%d]=%g", i, lo, i, hi))
			case math.IsInf(float64(lo), 1) || math.IsInf(float64(hi), -1):
				problems = append(problems, fmt.Sprintf("Box element %d has bounds [%g, %g]: no float32 lies in it", i, lo, hi))
			}
		}
	case MultiDiscrete:
		for i, k := range sp.Nvec {
			if k < 1 {
				problems = append(problems, fmt.Sprintf("MultiDiscrete Nvec[%d] = %d; want at least 1", i, k))
			}
		}
	case MultiBinary:
		if sp.N < 1 {
			problems = append(problems, fmt.Sprintf("MultiBinary N = %d; want at least 1", sp.N))
		}
	}
	if len(problems) == 0 {
		r := NewRand(0)
		x := make([]float32, dim)
		for range 20 {
			if err := samplePoint(s, r, x); err != nil {
				problems = append(problems, err.Error())
				break
			}
			if !s.Contains(x) {
				problems = append(problems, fmt.Sprintf("Sample gave %v, which Contains rejects", x))
				break
			}
		}
		if s.Contains(append(x, 0)) {
			problems = append(problems, fmt.Sprintf("Contains accepts a slice of length %d for a space of Dim %d", dim+1, dim))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", s, strings.Join(problems, "; "))
	}
	return nil
}

// samplePoint calls s.Sample, turning a panic into an error so that a checker can report it.
func samplePoint(s Space, r *rand.Rand, dst []float32) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Sample panicked: %v", p)
		}
	}()
	s.Sample(r, dst)
	return nil
}

var (
	_ Space = Discrete{}
	_ Space = (*Box)(nil)
	_ Space = MultiDiscrete{}
	_ Space = MultiBinary{}
)
