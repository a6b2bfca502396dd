package nets

// The PyTorch conformance test. TestTorchConformance reads every case of every *.json and
// *.json.gz file in $GORL_TORCHREF_DIR (default testdata/torch, a gzip copy of
// ../shared/testdata/torch; SCHEMA.md there describes the format) and hands each case to the
// checker registered for its PyTorch class name in torchCheckers. A case whose layer has no
// checker fails, in one subtest per missing layer ("missing/Conv2d").
//
// To check a new layer, register a checker from an init function in the layer's own test file:
//
//	func init() {
//		torchCheckers["Conv2d"] = func(t *testing.T, c torchCase) {
//			conv := NewConv2D(...from c.hpInt(t, "in_channels"), ...)
//			runTorchLayerCase(t, c, torchLayer{
//				Params:  conv.Params(),
//				Forward: func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
//					return map[string]*Tensor{"output": conv.Forward(g, in["input"])}
//				},
//			})
//		}
//	}
//
// runTorchLayerCase loads the case's params and buffers into the tensors you list (by PyTorch
// name, shapes checked), runs the forward in the case's train/eval mode, compares every output
// and buffers_after, then runs every backward pass from its grad_out and compares grad_inputs and
// grad_params. Read sizes from the case (c.Inputs["input"].Shape, hparams), never from the public
// files: a hidden split with other sizes runs through the same test.
//
// # Tolerances
//
// gorl computes in float32 against PyTorch's float64 reference. An element passes when
//
//	|got − want| ≤ Abs + Rel·scale,   scale = max |want| over the whole tensor
//
// that is, errors are measured relative to the magnitude of the values the tensor holds, which is
// what float32 rounding produces (a small element of a tensor of large values carries the
// absolute error of its neighbours). The default is Rel 1e-4, Abs 1e-6 (float32 has 2^-24 ≈ 6e-8
// relative precision; 1e-4 leaves room for sums of a few hundred rounded products). Optimizer
// cases compare the parameter change params[t] − param rather than the parameters themselves,
// because Adam moves them by about lr per step (see SCHEMA.md).

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// torchTensor is one tensor of the reference data: float64 or int64 values in row-major order.
type torchTensor struct {
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type torchBackward struct {
	Name       string                 `json:"name"`
	GradOut    map[string]torchTensor `json:"grad_out"`
	GradInputs map[string]torchTensor `json:"grad_inputs"`
	GradParams map[string]torchTensor `json:"grad_params"`
}

// torchCase is one case of a reference file (SCHEMA.md section 3).
type torchCase struct {
	Name         string                     `json:"name"`
	Kind         string                     `json:"kind"`
	Layer        string                     `json:"layer"`
	Hparams      map[string]json.RawMessage `json:"hparams"`
	Training     bool                       `json:"training"`
	Note         string                     `json:"note"`
	Params       map[string]torchTensor     `json:"params"`
	Buffers      map[string]torchTensor     `json:"buffers"`
	Inputs       map[string]torchTensor     `json:"inputs"`
	Outputs      map[string]torchTensor     `json:"outputs"`
	BuffersAfter map[string]torchTensor     `json:"buffers_after"`
	Backward     []torchBackward            `json:"backward"`

	File string `json:"-"` // the file the case came from
}

type torchFile struct {
	Set   string      `json:"set"`
	File  string      `json:"file"`
	Cases []torchCase `json:"cases"`
}

// torchCheckers maps a PyTorch class name (the case's "layer") to the function that checks one
// case of it. Test files add their layers from init().
var torchCheckers = map[string]func(t *testing.T, c torchCase){}

func torchRefDir() string {
	if d := os.Getenv("GORL_TORCHREF_DIR"); d != "" {
		return d
	}
	return filepath.Join("testdata", "torch")
}

// loadTorchFiles reads every *.json and *.json.gz file of dir.
func loadTorchFiles(dir string) ([]torchFile, error) {
	var names []string
	for _, pat := range []string{"*.json", "*.json.gz"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		names = append(names, m...)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.json or *.json.gz files in %s", dir)
	}
	var files []torchFile
	for _, name := range names {
		f, err := readTorchFile(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := range f.Cases {
			f.Cases[i].File = filepath.Base(name)
		}
		files = append(files, f)
	}
	return files, nil
}

func readTorchFile(name string) (torchFile, error) {
	var f torchFile
	fh, err := os.Open(name)
	if err != nil {
		return f, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return f, err
		}
		defer zr.Close()
		r = zr
	}
	err = json.NewDecoder(r).Decode(&f)
	return f, err
}

func TestTorchConformance(t *testing.T) {
	dir := torchRefDir()
	files, err := loadTorchFiles(dir)
	if err != nil {
		t.Fatalf("reading the PyTorch reference data: %v (set GORL_TORCHREF_DIR to a folder of reference files)", err)
	}
	missing := map[string][]string{}
	ncases := 0
	for _, f := range files {
		for _, c := range f.Cases {
			ncases++
			check, ok := torchCheckers[c.Layer]
			if !ok {
				missing[c.Layer] = append(missing[c.Layer], c.File+":"+c.Name)
				continue
			}
			t.Run(strings.TrimSuffix(strings.TrimSuffix(c.File, ".gz"), ".json")+"/"+c.Name, func(t *testing.T) {
				check(t, c)
			})
		}
	}
	if ncases == 0 {
		t.Fatalf("the reference files in %s hold no cases", dir)
	}
	layers := make([]string, 0, len(missing))
	for l := range missing {
		layers = append(layers, l)
	}
	slices.Sort(layers)
	for _, l := range layers {
		t.Run("missing/"+l, func(t *testing.T) {
			t.Errorf("no checker for PyTorch layer %q: %d case(s) cannot be checked (%s); register one in torchCheckers",
				l, len(missing[l]), strings.Join(missing[l], ", "))
		})
	}
}

// --- helpers for checkers ---------------------------------------------------------------------

// hp returns the raw hparam, failing the test when it is absent.
func (c torchCase) hp(t *testing.T, name string) json.RawMessage {
	t.Helper()
	v, ok := c.Hparams[name]
	if !ok {
		t.Fatalf("case %s: no hparam %q", c.Name, name)
	}
	return v
}

func (c torchCase) hpDecode(t *testing.T, name string, dst any) {
	t.Helper()
	if err := json.Unmarshal(c.hp(t, name), dst); err != nil {
		t.Fatalf("case %s: hparam %q = %s: %v", c.Name, name, c.hp(t, name), err)
	}
}

func (c torchCase) hpInt(t *testing.T, name string) int {
	t.Helper()
	var v int
	c.hpDecode(t, name, &v)
	return v
}

func (c torchCase) hpFloat(t *testing.T, name string) float64 {
	t.Helper()
	var v float64
	c.hpDecode(t, name, &v)
	return v
}

func (c torchCase) hpBool(t *testing.T, name string) bool {
	t.Helper()
	var v bool
	c.hpDecode(t, name, &v)
	return v
}

func (c torchCase) hpString(t *testing.T, name string) string {
	t.Helper()
	var v string
	c.hpDecode(t, name, &v)
	return v
}

func (c torchCase) hpInts(t *testing.T, name string) []int {
	t.Helper()
	var v []int
	c.hpDecode(t, name, &v)
	return v
}

func (c torchCase) hpFloats(t *testing.T, name string) []float64 {
	t.Helper()
	var v []float64
	c.hpDecode(t, name, &v)
	return v
}

// hpIsNull reports whether the hparam is JSON null (padding_idx, divisor_override).
func (c torchCase) hpIsNull(t *testing.T, name string) bool {
	t.Helper()
	return strings.TrimSpace(string(c.hp(t, name))) == "null"
}

// input returns the named input, failing the test when it is absent.
func (c torchCase) input(t *testing.T, name string) torchTensor {
	t.Helper()
	v, ok := c.Inputs[name]
	if !ok {
		t.Fatalf("case %s: no input %q", c.Name, name)
	}
	return v
}

// tensor converts to a gorl float32 tensor without a gradient.
func (tt torchTensor) tensor() *Tensor {
	d := make([]float32, len(tt.Data))
	for i, v := range tt.Data {
		d[i] = float32(v)
	}
	return FromData(d, tt.Shape...)
}

// ints returns the values as ints (class targets, indices).
func (tt torchTensor) ints() []int {
	d := make([]int, len(tt.Data))
	for i, v := range tt.Data {
		d[i] = int(v)
	}
	return d
}

// tolerance is |got − want| ≤ Abs + Rel·max|want|, see the file comment.
type tolerance struct{ Abs, Rel float64 }

var defaultTol = tolerance{Abs: 1e-6, Rel: 1e-4}

// checkValues compares got (float32) with want (float64 reference), reporting the worst element.
func checkValues(t *testing.T, what string, gotShape []int, got []float32, want torchTensor, tol tolerance) {
	t.Helper()
	if !sameShape(gotShape, want.Shape) {
		t.Errorf("%s: shape %v, want %v", what, gotShape, want.Shape)
		return
	}
	if len(got) != len(want.Data) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want.Data))
		return
	}
	scale := 0.0
	for _, w := range want.Data {
		scale = math.Max(scale, math.Abs(w))
	}
	limit := tol.Abs + tol.Rel*scale
	worst, wi := -1.0, -1
	for i, w := range want.Data {
		e := math.Abs(float64(got[i]) - w)
		if math.IsNaN(e) {
			e = math.Inf(1)
		}
		if e > worst {
			worst, wi = e, i
		}
	}
	if worst > limit {
		t.Errorf("%s: element %d is %.9g, want %.9g (error %.3g > tolerance %.3g = %g + %g·%.3g)",
			what, wi, got[wi], want.Data[wi], worst, limit, tol.Abs, tol.Rel, scale)
	}
}

// torchLayer describes how to run one layer case.
type torchLayer struct {
	// Params and Buffers are the module's tensors under PyTorch's names; the case's params and
	// buffers are loaded into them by name (names and shapes must match exactly).
	Params  []NamedTensor
	Buffers []NamedTensor
	// Forward computes the outputs, by the case's output names, from the inputs by the case's
	// input names. Inputs that take a gradient in the case have a Grad; integer inputs (targets,
	// indices) arrive as float32 tensors of their values.
	Forward func(g *Graph, in map[string]*Tensor) map[string]*Tensor
	// Tol overrides defaultTol when nonzero.
	Tol tolerance
}

// loadCaseTensors copies src into dst by name, failing on missing or extra names and on shapes
// that differ.
func loadCaseTensors(t *testing.T, what string, dst []NamedTensor, src map[string]torchTensor) {
	t.Helper()
	have := map[string]*Tensor{}
	for _, d := range dst {
		have[d.Name] = d.Tensor
	}
	for name, s := range src {
		d, ok := have[name]
		if !ok {
			t.Fatalf("%s: the case has %q, which the gorl module does not", what, name)
		}
		if !sameShape(d.Shape, s.Shape) {
			t.Fatalf("%s %q: gorl shape %v, case shape %v", what, name, d.Shape, s.Shape)
		}
		for i, v := range s.Data {
			d.Data[i] = float32(v)
		}
	}
	for name := range have {
		if _, ok := src[name]; !ok {
			t.Fatalf("%s: the gorl module has %q, which the case does not", what, name)
		}
	}
}

// runTorchLayerCase runs a layer or loss case: forward, outputs, buffers_after, and every
// backward pass (SCHEMA.md section 6).
func runTorchLayerCase(t *testing.T, c torchCase, l torchLayer) {
	t.Helper()
	tol := l.Tol
	if tol == (tolerance{}) {
		tol = defaultTol
	}
	loadCaseTensors(t, "params", l.Params, c.Params)
	wantsGrad := map[string]bool{}
	for _, b := range c.Backward {
		for name := range b.GradInputs {
			wantsGrad[name] = true
		}
	}
	inputs := map[string]*Tensor{}
	for name, tt := range c.Inputs {
		x := tt.tensor()
		if wantsGrad[name] {
			x.RequireGrad()
		}
		inputs[name] = x
	}
	g := NewGraph()
	run := func() map[string]*Tensor {
		loadCaseTensors(t, "buffers", l.Buffers, c.Buffers)
		for _, p := range l.Params {
			p.Tensor.ZeroGrad()
		}
		for _, x := range inputs {
			x.ZeroGrad()
		}
		g.Reset()
		g.SetTraining(c.Training)
		return l.Forward(g, inputs)
	}

	outs := run()
	for name, want := range c.Outputs {
		got, ok := outs[name]
		if !ok {
			t.Errorf("output %q: not produced", name)
			continue
		}
		checkValues(t, "output "+name, got.Shape, got.Data, want, tol)
	}
	byName := map[string]*Tensor{}
	for _, b := range l.Buffers {
		byName[b.Name] = b.Tensor
	}
	for name, want := range c.BuffersAfter {
		got, ok := byName[name]
		if !ok {
			t.Errorf("buffer %q: the gorl module has no such buffer", name)
			continue
		}
		checkValues(t, "buffer after "+name, got.Shape, got.Data, want, tol)
	}

	params := map[string]*Tensor{}
	for _, p := range l.Params {
		params[p.Name] = p.Tensor
	}
	for _, b := range c.Backward {
		outs := run()
		for name, gout := range b.GradOut {
			o, ok := outs[name]
			switch {
			case !ok:
				t.Fatalf("pass %s: output %q not produced", b.Name, name)
			case o.Grad == nil:
				t.Fatalf("pass %s: output %q has no gradient (nothing it depends on requires one)", b.Name, name)
			case len(o.Grad) != len(gout.Data):
				t.Fatalf("pass %s: output %q has %d elements, grad_out %d", b.Name, name, len(o.Grad), len(gout.Data))
			}
			for i, v := range gout.Data {
				o.Grad[i] = float32(v)
			}
		}
		g.BackwardFromGrads()
		for name, want := range b.GradInputs {
			x := inputs[name]
			checkValues(t, "pass "+b.Name+": grad of input "+name, x.Shape, x.Grad, want, tol)
		}
		for name, want := range b.GradParams {
			p, ok := params[name]
			if !ok {
				t.Errorf("pass %s: no param %q", b.Name, name)
				continue
			}
			checkValues(t, "pass "+b.Name+": grad of param "+name, p.Shape, p.Grad, want, tol)
		}
	}
}

// --- the checkers of this package's layers ---------------------------------------------------

func init() {
	torchCheckers["Linear"] = func(t *testing.T, c torchCase) {
		in, out := c.hpInt(t, "in_features"), c.hpInt(t, "out_features")
		lin := &Linear{Weight: NewParam(out, in)}
		if c.hpBool(t, "bias") {
			lin.Bias = NewParam(out)
		}
		runTorchLayerCase(t, c, torchLayer{Params: lin.Params(), Forward: singleIO(lin)})
	}
	act := func(build func(t *testing.T, c torchCase) Layer) func(t *testing.T, c torchCase) {
		return func(t *testing.T, c torchCase) {
			runTorchLayerCase(t, c, torchLayer{Forward: singleIO(build(t, c))})
		}
	}
	torchCheckers["ReLU"] = act(func(*testing.T, torchCase) Layer { return ReLU{} })
	torchCheckers["Tanh"] = act(func(*testing.T, torchCase) Layer { return Tanh{} })
	torchCheckers["Sigmoid"] = act(func(*testing.T, torchCase) Layer { return Sigmoid{} })
	torchCheckers["LeakyReLU"] = act(func(t *testing.T, c torchCase) Layer {
		return LeakyReLU{Slope: float32(c.hpFloat(t, "negative_slope"))}
	})
	torchCheckers["GELU"] = act(func(t *testing.T, c torchCase) Layer {
		switch a := c.hpString(t, "approximate"); a {
		case "none":
			return GELU{}
		case "tanh":
			return GELU{TanhApprox: true}
		default:
			t.Fatalf("GELU approximate=%q is not supported", a)
			return nil
		}
	})
	torchCheckers["Softmax"] = act(func(t *testing.T, c torchCase) Layer { return Softmax{Axis: c.hpInt(t, "dim")} })
	torchCheckers["LogSoftmax"] = act(func(t *testing.T, c torchCase) Layer { return LogSoftmax{Axis: c.hpInt(t, "dim")} })
}

// singleIO adapts a one-input, one-output layer to torchLayer.Forward.
func singleIO(l Layer) func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
	return func(g *Graph, in map[string]*Tensor) map[string]*Tensor {
		return map[string]*Tensor{"output": l.Forward(g, in["input"])}
	}
}
