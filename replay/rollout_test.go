package replay

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// handRollout is a rollout of two copies over four steps, γ = 0.9, λ = 0.8, worked out by hand:
//
//	copy 0: t0 r=1 V=0.5 | t1 r=2 V=1 truncated | t2 reset (V(final obs) = 3) | t3 r=1 V=0.2 | V(s4) = 0.4
//	copy 1: t0 r=1 V=0.1 | t1 r=1 V=0.2 terminated | t2 reset (V = 5, unused) | t3 r=0.5 V=0.3 truncated | V(final obs) = 2
//
// copy 0: A3 = 1 + 0.9·0.4 − 0.2 = 1.16; A2 = 0 (reset); A1 = 2 + 0.9·3 − 1 = 3.7 (truncated:
// bootstraps from the final observation, does not continue into the next episode);
// A0 = (1 + 0.9·1 − 0.5) + 0.72·3.7 = 4.064.
// copy 1: A3 = 0.5 + 0.9·2 − 0.3 = 2; A2 = 0; A1 = 1 − 0.2 = 0.8 (terminated: no bootstrap);
// A0 = (1 + 0.9·0.2 − 0.1) + 0.72·0.8 = 1.656.
func handRollout(t *testing.T) *Rollout {
	t.Helper()
	r, err := NewRollout(RolloutConfig{NumSteps: 4, NumEnvs: 2, ObsDim: 1, ActDim: 1, Gamma: 0.9, Lambda: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		v           [2]float32
		r           [2]float64
		term, trunc [2]bool
	}{
		{v: [2]float32{0.5, 0.1}, r: [2]float64{1, 1}},
		{v: [2]float32{1, 0.2}, r: [2]float64{2, 1}, trunc: [2]bool{true, false}, term: [2]bool{false, true}},
		{v: [2]float32{3, 5}, r: [2]float64{0, 0}},
		{v: [2]float32{0.2, 0.3}, r: [2]float64{1, 0.5}, trunc: [2]bool{false, true}},
	}
	for k, s := range steps {
		obs := []float32{float32(10 * k), float32(10*k + 1)}
		r.Add(obs, []float32{float32(k), 1}, []float32{-0.5, -0.7}, s.v[:], s.r[:], s.term[:], s.trunc[:])
	}
	return r
}

func TestGAEHandComputed(t *testing.T) {
	r := handRollout(t)
	if !r.Full() || r.Len() != 8 {
		t.Fatalf("Full %v, Len %d", r.Full(), r.Len())
	}
	r.ComputeGAE([]float32{0.4, 2})
	// Slot t·2+i.
	wantAdv := []float64{4.064, 1.656, 3.7, 0.8, 0, 0, 1.16, 2}
	wantValid := []bool{true, true, true, true, false, false, true, true}
	values := []float64{0.5, 0.1, 1, 0.2, 3, 5, 0.2, 0.3}
	for s := range wantAdv {
		if r.Valid[s] != wantValid[s] {
			t.Errorf("slot %d: Valid %v, want %v", s, r.Valid[s], wantValid[s])
		}
		if math.Abs(float64(r.Advantages[s])-wantAdv[s]) > 1e-5 {
			t.Errorf("slot %d: advantage %g, want %g", s, r.Advantages[s], wantAdv[s])
		}
		if want := wantAdv[s] + values[s]; math.Abs(float64(r.Returns[s])-want) > 1e-5 {
			t.Errorf("slot %d: return %g, want %g", s, r.Returns[s], want)
		}
	}
	if got := r.ValidIndices(nil); !slices.Equal(got, []int{0, 1, 2, 3, 6, 7}) {
		t.Errorf("ValidIndices = %v", got)
	}
	// The next rollout starts with copy 1's reset (its last step truncated), not copy 0's.
	r.Reset()
	r.Add([]float32{0, 0}, []float32{0, 0}, []float32{0, 0}, []float32{0, 0}, []float64{0, 0}, []bool{false, false}, []bool{false, false})
	if !r.Valid[0] || r.Valid[1] {
		t.Errorf("after Reset: Valid = %v, want [true false]", r.Valid[:2])
	}
}

func TestGAELambdaOneIsNStepReturn(t *testing.T) {
	// λ = 1 gives the discounted n-step return bootstrapped after the last step (A2C's target);
	// a step that is both terminated and truncated does not bootstrap.
	for _, c := range []struct {
		name        string
		term, trunc bool
		want        float64
	}{
		{"running", false, false, 1 + 0.5*(2+0.5*(3+0.5*10))},
		{"terminated", true, false, 1 + 0.5*(2+0.5*3)},
		{"both flags", true, true, 1 + 0.5*(2+0.5*3)},
		{"truncated", false, true, 1 + 0.5*(2+0.5*(3+0.5*10))},
	} {
		r, err := NewRollout(RolloutConfig{NumSteps: 3, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 0.5, Lambda: 1})
		if err != nil {
			t.Fatal(err)
		}
		for k, rew := range []float64{1, 2, 3} {
			end := k == 2
			r.Add([]float32{0}, []float32{0}, []float32{0}, []float32{0.25}, []float64{rew}, []bool{end && c.term}, []bool{end && c.trunc})
		}
		r.ComputeGAE([]float32{10})
		if math.Abs(float64(r.Returns[0])-c.want) > 1e-6 || math.Abs(float64(r.Advantages[0])-(c.want-0.25)) > 1e-6 {
			t.Errorf("%s: return %g advantage %g, want %g and %g", c.name, r.Returns[0], r.Advantages[0], c.want, c.want-0.25)
		}
	}
}

func TestRolloutGather(t *testing.T) {
	r := handRollout(t)
	r.ComputeGAE([]float32{0.4, 2})
	b := r.NewBatch(3)
	r.Gather([]int{7, 0, 2}, b)
	if b.Size != 3 || !slices.Equal(b.Obs, []float32{31, 0, 10}) || !slices.Equal(b.Actions, []float32{1, 0, 1}) ||
		!slices.Equal(b.Values, []float32{0.3, 0.5, 1}) || !slices.Equal(b.LogProbs, []float32{-0.7, -0.5, -0.5}) ||
		b.Advantages[1] != r.Advantages[0] || b.Returns[2] != r.Returns[2] {
		t.Fatalf("Gather: %+v", b)
	}
}

func TestRolloutWriteReadContinues(t *testing.T) {
	// A rollout saved halfway and read into a fresh one ends exactly as the original.
	whole := handRollout(t)
	whole.ComputeGAE([]float32{0.4, 2})

	half, err := NewRollout(whole.Config())
	if err != nil {
		t.Fatal(err)
	}
	full := handRollout(t)
	half.Add(full.Obs[:2], full.Actions[:2], full.LogProbs[:2], full.Values[:2], []float64{1, 1}, []bool{false, false}, []bool{false, false})
	half.Add(full.Obs[2:4], full.Actions[2:4], full.LogProbs[2:4], full.Values[2:4], []float64{2, 1}, []bool{false, true}, []bool{true, false})
	var buf bytes.Buffer
	if _, err := half.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, _ := NewRollout(whole.Config())
	if _, err := back.ReadFrom(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	back.Add(full.Obs[4:6], full.Actions[4:6], full.LogProbs[4:6], full.Values[4:6], []float64{0, 0}, []bool{false, false}, []bool{false, false})
	back.Add(full.Obs[6:8], full.Actions[6:8], full.LogProbs[6:8], full.Values[6:8], []float64{1, 0.5}, []bool{false, false}, []bool{false, true})
	back.ComputeGAE([]float32{0.4, 2})
	if !slices.Equal(back.Advantages, whole.Advantages) || !slices.Equal(back.Valid, whole.Valid) || !slices.Equal(back.Obs, whole.Obs) {
		t.Fatalf("restored rollout: advantages %v valid %v, want %v %v", back.Advantages, back.Valid, whole.Advantages, whole.Valid)
	}

	other, _ := NewRollout(RolloutConfig{NumSteps: 4, NumEnvs: 3, ObsDim: 1, ActDim: 1, Gamma: 0.9, Lambda: 0.8})
	if _, err := other.ReadFrom(bytes.NewReader(buf.Bytes())); err == nil || !strings.Contains(err.Error(), "3 copies") && !strings.Contains(err.Error(), "× 3") {
		t.Errorf("reading into a rollout of another shape: %v", err)
	}
	if _, err := back.ReadFrom(strings.NewReader("not a rollout")); err == nil || back.Len() != 0 {
		t.Errorf("reading garbage: %v, Len %d", err, back.Len())
	}
	if _, err := back.ReadFrom(bytes.NewReader(buf.Bytes()[:buf.Len()-3])); err == nil {
		t.Error("reading a truncated file succeeded")
	}
}

func TestRolloutContract(t *testing.T) {
	for _, c := range []RolloutConfig{
		{NumSteps: 0, NumEnvs: 1, ObsDim: 1, ActDim: 1},
		{NumSteps: 1, NumEnvs: 0, ObsDim: 1, ActDim: 1},
		{NumSteps: 1, NumEnvs: 1, ObsDim: 0, ActDim: 1},
		{NumSteps: 1, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 1.5},
		{NumSteps: 1, NumEnvs: 1, ObsDim: 1, ActDim: 1, Gamma: 0.9, Lambda: math.NaN()},
	} {
		if _, err := NewRollout(c); err == nil {
			t.Errorf("NewRollout(%+v) succeeded", c)
		}
	}
	r, _ := NewRollout(RolloutConfig{NumSteps: 1, NumEnvs: 1, ObsDim: 2, ActDim: 1, Gamma: 0.9, Lambda: 0.9})
	mustPanic(t, "wrong length", func() {
		r.Add([]float32{0}, []float32{0}, []float32{0}, []float32{0}, []float64{0}, []bool{false}, []bool{false})
	})
	mustPanic(t, "GAE before full", func() { r.ComputeGAE([]float32{0}) })
	r.Add([]float32{0, 0}, []float32{0}, []float32{0}, []float32{0}, []float64{0}, []bool{false}, []bool{false})
	mustPanic(t, "Add when full", func() {
		r.Add([]float32{0, 0}, []float32{0}, []float32{0}, []float32{0}, []float64{0}, []bool{false}, []bool{false})
	})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

func TestRolloutAddDoesNotAllocate(t *testing.T) {
	r, _ := NewRollout(RolloutConfig{NumSteps: 1000, NumEnvs: 4, ObsDim: 3, ActDim: 2, Gamma: 0.9, Lambda: 0.9})
	obs, act := make([]float32, 12), make([]float32, 8)
	lp, v := make([]float32, 4), make([]float32, 4)
	rew, term, trunc := make([]float64, 4), make([]bool, 4), make([]bool, 4)
	if n := testing.AllocsPerRun(500, func() { r.Add(obs, act, lp, v, rew, term, trunc) }); n != 0 {
		t.Errorf("Add allocates %v times", n)
	}
}
