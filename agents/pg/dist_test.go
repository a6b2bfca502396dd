package pg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gorl/gorl/nets"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// TestPPOClipLossHandDerived checks the clipped surrogate and its gradient on five rows, one per
// case of the min/clip logic (ε = 0.2):
//
//	ρ = 1.1, A =  2: inside the range, both terms 2.2, gradient A·ρ = 2.2
//	ρ = 1.5, A =  1: clipped term 1.2 is the min, no gradient
//	ρ = 1.5, A = −1: unclipped −1.5 is the min, gradient A·ρ = −1.5
//	ρ = 0.5, A =  1: unclipped 0.5 is the min, gradient 0.5
//	ρ = 0.5, A = −1: clipped −0.8 is the min, no gradient
//
// so L = −(2.2 + 1.2 − 1.5 + 0.5 − 0.8)/5 = −0.32 and ∂L/∂log π = −(2.2, 0, −1.5, 0.5, 0)/5.
func TestPPOClipLossHandDerived(t *testing.T) {
	ratios := []float64{1.1, 1.5, 1.5, 0.5, 0.5}
	adv := []float32{2, 1, -1, 1, -1}
	old := []float32{-1, -0.5, -2, -0.1, -3}
	logp := nets.NewParam(5)
	for i, r := range ratios {
		logp.Data[i] = old[i] + float32(math.Log(r))
	}
	g := nets.NewGraph()
	loss, ratio := ppoClipLoss(g, logp, nets.FromData(old, 5), nets.FromData(adv, 5), 0.2)
	if !near(float64(loss.Data[0]), -0.32, 1e-5) {
		t.Errorf("loss %v, want -0.32", loss.Data[0])
	}
	for i, r := range ratios {
		if !near(float64(ratio.Data[i]), r, 1e-5) {
			t.Errorf("ratio %d = %v, want %v", i, ratio.Data[i], r)
		}
	}
	g.Backward(loss)
	want := []float64{-0.44, 0, 0.3, -0.1, 0}
	for i, w := range want {
		if !near(float64(logp.Grad[i]), w, 1e-5) {
			t.Errorf("∂L/∂logp[%d] = %v, want %v", i, logp.Grad[i], w)
		}
	}
}

// TestGaussianLogProbAndEntropy checks the diagonal Gaussian's log-density and entropy against
// their formulas, and the gradients against ∂/∂μ = (a − μ)/σ² and ∂/∂log σ = z² − 1.
func TestGaussianLogProbAndEntropy(t *testing.T) {
	mean := nets.NewParam(3, 2)
	copy(mean.Data, []float32{0.1, -0.4, 1.2, 0.3, -2, 0})
	logStd := nets.NewParam(2)
	copy(logStd.Data, []float32{-0.5, 0.7})
	act := nets.FromData([]float32{0.3, 0.1, 1.1, -1.2, -2.5, 2}, 3, 2)

	g := nets.NewGraph()
	logp, ent := gaussianLogProb(g, mean, logStd, act)
	wantEnt := 0.0
	for _, ls := range logStd.Data {
		wantEnt += 0.5 + 0.5*math.Log(2*math.Pi) + float64(ls)
	}
	if !near(float64(ent.Data[0]), wantEnt, 1e-6) {
		t.Errorf("entropy %v, want %v", ent.Data[0], wantEnt)
	}
	wantMu := make([]float64, 6)
	wantLs := make([]float64, 2)
	for r := range 3 {
		var lp float64
		for j := range 2 {
			mu, a, ls := float64(mean.Data[r*2+j]), float64(act.Data[r*2+j]), float64(logStd.Data[j])
			sd := math.Exp(ls)
			lp += math.Log(math.Exp(-(a-mu)*(a-mu)/(2*sd*sd)) / (sd * math.Sqrt(2*math.Pi)))
			z := (a - mu) / sd
			wantMu[r*2+j] = (a - mu) / (sd * sd)
			wantLs[j] += z*z - 1
		}
		if !near(float64(logp.Data[r]), lp, 1e-5) {
			t.Errorf("row %d: log p %v, want %v", r, logp.Data[r], lp)
		}
	}
	g.Backward(g.Sum(logp))
	for i, w := range wantMu {
		if !near(float64(mean.Grad[i]), w, 1e-4) {
			t.Errorf("∂/∂μ[%d] = %v, want %v", i, mean.Grad[i], w)
		}
	}
	for j, w := range wantLs {
		if !near(float64(logStd.Grad[j]), w, 1e-4) {
			t.Errorf("∂/∂logσ[%d] = %v, want %v", j, logStd.Grad[j], w)
		}
	}
	// The entropy's gradient is 1 for every log σ.
	nets.ZeroGrads([]nets.NamedTensor{{Name: "s", Tensor: logStd}})
	g.Reset()
	_, ent = gaussianLogProb(g, mean, logStd, act)
	g.Backward(ent)
	if logStd.Grad[0] != 1 || logStd.Grad[1] != 1 {
		t.Errorf("∂H/∂logσ = %v, want [1 1]", logStd.Grad)
	}

	// Sampling: the log-probability it returns is the op's, and the samples have the right
	// moments.
	rng := rand.New(rand.NewPCG(1, 2))
	a := make([]float32, 2)
	mu, ls := []float32{0.5, -1}, []float32{-1, 0.3}
	var s, ss [2]float64
	const n = 20000
	for i := range n {
		lp := sampleGaussian(rng, mu, ls, a)
		for j := range 2 {
			s[j] += float64(a[j])
			ss[j] += float64(a[j]) * float64(a[j])
		}
		if i < 5 {
			g.Reset()
			want, _ := gaussianLogProb(g, nets.FromData(mu, 1, 2), nets.FromData(ls, 2), nets.FromData(a, 1, 2))
			if !near(float64(lp), float64(want.Data[0]), 1e-5) {
				t.Errorf("sampleGaussian log p %v, op %v", lp, want.Data[0])
			}
		}
	}
	for j := range 2 {
		m := s[j] / n
		sd := math.Sqrt(ss[j]/n - m*m)
		if math.Abs(m-float64(mu[j])) > 0.03 || math.Abs(sd-math.Exp(float64(ls[j])))/math.Exp(float64(ls[j])) > 0.03 {
			t.Errorf("element %d: sample mean %.3f sd %.3f, want %v and %.3f", j, m, sd, mu[j], math.Exp(float64(ls[j])))
		}
	}
}

// TestCategoricalLogProb checks the fused op against log-softmax and −Σp log p, its gradient
// against central differences, and the sampler's frequencies and log-probabilities.
func TestCategoricalLogProb(t *testing.T) {
	const rows, n = 4, 3
	logits := nets.NewParam(rows, n)
	copy(logits.Data, []float32{0.2, -1, 0.5, 3, 3, -2, -0.3, 0, 0.1, 10, -10, 0})
	actions := []int{2, 0, 1, 1}
	wl := []float64{0.7, -1.3, 0.4, 1.1} // weights of log p and of H in the checked scalar
	wh := []float64{-0.2, 0.9, 1.5, -0.6}

	ref := func(l []float32) (lp, h []float64) {
		for r := range rows {
			row := l[r*n : (r+1)*n]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, float64(v))
			}
			var z float64
			for _, v := range row {
				z += math.Exp(float64(v) - m)
			}
			var hr float64
			for _, v := range row {
				lpk := float64(v) - m - math.Log(z)
				hr -= math.Exp(lpk) * lpk
			}
			lp = append(lp, float64(row[actions[r]])-m-math.Log(z))
			h = append(h, hr)
		}
		return lp, h
	}
	g := nets.NewGraph()
	logp, ent := categoricalLogProb(g, logits, actions)
	wantLp, wantH := ref(logits.Data)
	for r := range rows {
		if !near(float64(logp.Data[r]), wantLp[r], 1e-6) || !near(float64(ent.Data[r]), wantH[r], 1e-5) {
			t.Errorf("row %d: log p %v H %v, want %v %v", r, logp.Data[r], ent.Data[r], wantLp[r], wantH[r])
		}
	}
	loss := g.Add(g.Sum(g.Mul(logp, nets.FromData(f32(wl), rows))), g.Sum(g.Mul(ent, nets.FromData(f32(wh), rows))))
	g.Backward(loss)
	f := func(l []float32) float64 {
		lp, h := ref(l)
		var s float64
		for r := range rows {
			s += wl[r]*lp[r] + wh[r]*h[r]
		}
		return s
	}
	for i := range logits.Data {
		x := append([]float32(nil), logits.Data...)
		const eps = 1e-2
		x[i] += eps
		up := f(x)
		x[i] -= 2 * eps
		down := f(x)
		num := (up - down) / (2 * eps)
		if math.Abs(num-float64(logits.Grad[i])) > 2e-3 {
			t.Errorf("∂/∂logit[%d] = %v, central difference %v", i, logits.Grad[i], num)
		}
	}

	rng := rand.New(rand.NewPCG(3, 4))
	row := []float32{0.5, -0.5, 1.5}
	counts := make([]int, 3)
	const draws = 30000
	for range draws {
		k, lp := sampleCategorical(rng, row)
		counts[k]++
		g.Reset()
		want, _ := categoricalLogProb(g, nets.FromData(row, 1, 3), []int{k})
		if !near(float64(lp), float64(want.Data[0]), 1e-6) {
			t.Fatalf("sampleCategorical log p %v, op %v", lp, want.Data[0])
		}
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v))
	}
	for k, c := range counts {
		p := math.Exp(float64(row[k])) / z
		if math.Abs(float64(c)/draws-p) > 0.01 {
			t.Errorf("action %d drawn %.3f of the time, want %.3f", k, float64(c)/draws, p)
		}
	}
}

func f32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
