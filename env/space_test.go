package env

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var (
	inf  = float32(math.Inf(1))
	ninf = float32(math.Inf(-1))
	nan  = float32(math.NaN())
)

func TestSpaceShapeDimString(t *testing.T) {
	tests := []struct {
		s     Space
		shape []int
		dim   int
		str   string
	}{
		{NewDiscrete(2), []int{}, 1, "Discrete(2)"},
		{Discrete{N: 3, Start: -1}, []int{}, 1, "Discrete(3, start=-1)"},
		{NewUniformBox(-1, 1, 3), []int{3}, 3, "Box(-1.0, 1.0, (3,), float32)"},
		{NewUniformBox(0, 255, 2, 3), []int{2, 3}, 6, "Box(0.0, 255.0, (2, 3), float32)"},
		{NewUniformBox(ninf, inf, 4), []int{4}, 4, "Box(-inf, inf, (4,), float32)"},
		{NewBox([]float32{-4.8, ninf, -0.41887903, ninf}, []float32{4.8, inf, 0.41887903, inf}), []int{4}, 4,
			"Box([-4.8 -inf -0.41887903 -inf], [4.8 inf 0.41887903 inf], (4,), float32)"},
		{NewBox([]float32{0.5}, []float32{1e20}), []int{1}, 1, "Box(0.5, 1e+20, (1,), float32)"},
		{&Box{Low: []float32{0, 0}, High: []float32{1, 1}}, []int{2}, 2, "Box(0.0, 1.0, (2,), float32)"},
		{MultiDiscrete{Nvec: []int{3, 2}}, []int{2}, 2, "MultiDiscrete([3 2])"},
		{MultiBinary{N: 5}, []int{5}, 5, "MultiBinary(5)"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			if got := tt.s.Shape(); !reflect.DeepEqual(got, tt.shape) {
				t.Errorf("Shape() = %v; want %v", got, tt.shape)
			}
			if got := tt.s.Dim(); got != tt.dim {
				t.Errorf("Dim() = %d; want %d", got, tt.dim)
			}
			if got := tt.s.String(); got != tt.str {
				t.Errorf("String() = %q; want %q", got, tt.str)
			}
			if err := validateSpace(tt.s); err != nil {
				t.Errorf("validateSpace: %v", err)
			}
		})
	}
}

func TestShapeIsACopy(t *testing.T) {
	b := NewUniformBox(0, 1, 2, 2)
	b.Shape()[0] = 7
	if b.Shape()[0] != 2 {
		t.Error("changing the slice Shape returned changed the box")
	}
}

func TestContains(t *testing.T) {
	box := NewBox([]float32{-1, 0}, []float32{1, inf})
	tests := []struct {
		name string
		s    Space
		x    []float32
		want bool
	}{
		{"discrete low", NewDiscrete(3), []float32{0}, true},
		{"discrete high", NewDiscrete(3), []float32{2}, true},
		{"discrete past the end", NewDiscrete(3), []float32{3}, false},
		{"discrete negative", NewDiscrete(3), []float32{-1}, false},
		{"discrete fraction", NewDiscrete(3), []float32{0.5}, false},
		{"discrete NaN", NewDiscrete(3), []float32{nan}, false},
		{"discrete +Inf", NewDiscrete(3), []float32{inf}, false},
		{"discrete huge", NewDiscrete(3), []float32{3e38}, false},
		{"discrete empty", NewDiscrete(3), nil, false},
		{"discrete two values", NewDiscrete(3), []float32{0, 1}, false},
		{"discrete start in", Discrete{N: 2, Start: -1}, []float32{-1}, true},
		{"discrete start out", Discrete{N: 2, Start: -1}, []float32{1}, false},
		{"box inside", box, []float32{0, 5}, true},
		{"box on the bounds", box, []float32{-1, 0}, true},
		{"box +Inf in an unbounded side", box, []float32{1, inf}, true},
		{"box below", box, []float32{-1.0001, 0}, false},
		{"box NaN", box, []float32{nan, 0}, false},
		{"box short", box, []float32{0}, false},
		{"multidiscrete in", MultiDiscrete{Nvec: []int{2, 3}}, []float32{1, 2}, true},
		{"multidiscrete out", MultiDiscrete{Nvec: []int{2, 3}}, []float32{2, 0}, false},
		{"multidiscrete fraction", MultiDiscrete{Nvec: []int{2, 3}}, []float32{0, 1.5}, false},
		{"multidiscrete Inf", MultiDiscrete{Nvec: []int{2, 3}}, []float32{0, inf}, false},
		{"multidiscrete long", MultiDiscrete{Nvec: []int{2, 3}}, []float32{0, 0, 0}, false},
		{"multibinary in", MultiBinary{N: 3}, []float32{0, 1, 1}, true},
		{"multibinary two", MultiBinary{N: 3}, []float32{0, 2, 1}, false},
		{"multibinary short", MultiBinary{N: 3}, []float32{0, 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Contains(tt.x); got != tt.want {
				t.Errorf("%v.Contains(%v) = %v; want %v", tt.s, tt.x, got, tt.want)
			}
		})
	}
}

// TestSampleDistributions checks Sample's distributions as Gymnasium defines them, through the
// mean and variance of many draws: uniform on bounded sides, low + Exp(1) and high − Exp(1) on
// half-bounded ones, N(0, 1) on unbounded ones, uniform over the values of the discrete spaces.
func TestSampleDistributions(t *testing.T) {
	const n = 20000
	tests := []struct {
		name       string
		s          Space
		mean, vari []float64 // per element
	}{
		{"box uniform", NewBox([]float32{-1, 2}, []float32{3, 2.5}), []float64{1, 2.25}, []float64{16.0 / 12, 0.25 / 12}},
		{"box low only", NewBox([]float32{2}, []float32{inf}), []float64{3}, []float64{1}},
		{"box high only", NewBox([]float32{ninf}, []float32{-2}), []float64{-3}, []float64{1}},
		{"box unbounded", NewUniformBox(ninf, inf, 1), []float64{0}, []float64{1}},
		{"box degenerate", NewBox([]float32{0.25}, []float32{0.25}), []float64{0.25}, []float64{0}},
		{"discrete", Discrete{N: 4, Start: 1}, []float64{2.5}, []float64{15.0 / 12}},
		{"multidiscrete", MultiDiscrete{Nvec: []int{2, 5}}, []float64{0.5, 2}, []float64{0.25, 2}},
		{"multibinary", MultiBinary{N: 2}, []float64{0.5, 0.5}, []float64{0.25, 0.25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRand(1)
			d := tt.s.Dim()
			x := make([]float32, d)
			sum, sum2 := make([]float64, d), make([]float64, d)
			for range n {
				tt.s.Sample(r, x)
				if !tt.s.Contains(x) {
					t.Fatalf("sample %v not in %v", x, tt.s)
				}
				for i, v := range x {
					sum[i] += float64(v)
					sum2[i] += float64(v) * float64(v)
				}
			}
			for i := range d {
				mean := sum[i] / n
				vari := sum2[i]/n - mean*mean
				// Five standard errors of the mean, and 10% of the variance.
				if se := math.Sqrt(tt.vari[i] / n); math.Abs(mean-tt.mean[i]) > 5*se+1e-6 {
					t.Errorf("element %d: mean %g; want %g ± %g", i, mean, tt.mean[i], 5*se)
				}
				if math.Abs(vari-tt.vari[i]) > 0.1*tt.vari[i]+1e-6 {
					t.Errorf("element %d: variance %g; want %g", i, vari, tt.vari[i])
				}
			}
		})
	}
}

func TestSampleIsSeeded(t *testing.T) {
	spaces := []Space{NewDiscrete(7), NewBox([]float32{0, ninf, ninf}, []float32{1, 0, inf}), MultiDiscrete{Nvec: []int{3, 9}}, MultiBinary{N: 4}}
	for _, s := range spaces {
		a, b := make([]float32, s.Dim()), make([]float32, s.Dim())
		ra, rb, rc := NewRand(5), NewRand(5), NewRand(6)
		differs := false
		for range 50 {
			s.Sample(ra, a)
			s.Sample(rb, b)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%v: the same seed gave %v and %v", s, a, b)
			}
			s.Sample(rc, b)
			differs = differs || !reflect.DeepEqual(a, b)
		}
		if !differs {
			t.Errorf("%v: seeds 5 and 6 gave the same 50 samples", s)
		}
	}
}

func TestBoxSampleStaysInsideNarrowBounds(t *testing.T) {
	// float64 draws rounded to float32 could leave a box one ulp wide.
	lo := float32(1)
	hi := math.Nextafter32(lo, 2)
	b := NewBox([]float32{lo}, []float32{hi})
	r := NewRand(3)
	x := make([]float32, 1)
	for range 1000 {
		b.Sample(r, x)
		if !b.Contains(x) {
			t.Fatalf("sample %v outside %v", x, b)
		}
	}
}

func TestNewBoxPanics(t *testing.T) {
	tests := []struct {
		name      string
		low, high []float32
		shape     []int
		want      string
	}{
		{"lengths", []float32{0, 0}, []float32{1}, nil, "low has 2 elements, high 1"},
		{"shape", []float32{0, 0}, []float32{1, 1}, []int{3}, "shape [3] holds 3 elements"},
		{"order", []float32{0, 2}, []float32{1, 1}, nil, "low[1]=2 > high[1]=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(p.(string), tt.want) {
					t.Errorf("panic %v; want one containing %q", p, tt.want)
				}
			}()
			NewBox(tt.low, tt.high, tt.shape...)
		})
	}
}

func TestNewBoxCopiesBounds(t *testing.T) {
	lo, hi := []float32{0}, []float32{1}
	b := NewBox(lo, hi)
	lo[0], hi[0] = 5, 6
	if b.Low[0] != 0 || b.High[0] != 1 {
		t.Errorf("the box shares its bounds with the caller: %v", b)
	}
	if !b.Bounded() || NewUniformBox(0, inf, 1).Bounded() {
		t.Error("Bounded is wrong")
	}
}

func TestValidateSpaceRejects(t *testing.T) {
	tests := []struct {
		name string
		s    Space
		want string
	}{
		{"nil", nil, "the space is nil"},
		{"discrete empty", Discrete{N: 0}, "Discrete N = 0"},
		{"box NaN", &Box{Low: []float32{nan}, High: []float32{1}}, "Box bound 0 is NaN"},
		{"box reversed", &Box{Low: []float32{1}, High: []float32{0}}, "low[0]=1 > high[0]=0"},
		{"box lengths", &Box{Low: []float32{0, 0}, High: []float32{1}}, "2 low and 1 high"},
		{"box at +inf", &Box{Low: []float32{inf}, High: []float32{inf}}, "no float32 lies in it"},
		{"box of nothing", &Box{}, "Dim() = 0"},
		{"multidiscrete zero", MultiDiscrete{Nvec: []int{2, 0}}, "Nvec[1] = 0"},
		{"multidiscrete empty", MultiDiscrete{}, "Dim() = 0"},
		{"multibinary empty", MultiBinary{}, "Dim() = 0"},
		{"sample outside", lyingSpace{}, "which Contains rejects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateSpace(tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validateSpace = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// lyingSpace is a custom space whose samples it does not contain.
type lyingSpace struct{}

func (lyingSpace) Shape() []int                       { return []int{1} }
func (lyingSpace) Dim() int                           { return 1 }
func (lyingSpace) Contains(x []float32) bool          { return len(x) == 1 && x[0] == 0 }
func (lyingSpace) Sample(_ *rand.Rand, dst []float32) { dst[0] = 1 }
func (lyingSpace) String() string                     { return "Lying()" }
