package nets

import "github.com/gorl/gorl/nets/internal/vec"

// The fused cell updates of one time step over B rows, forward and backward side by side. The
// gate nonlinearities run on vec's 8-lane kernels over whole gate blocks, the products that mix
// gates in one pass over H elements each; the backward passes are vec's LSTMBackward and
// GRUBackward (8-lane AVX2 loops: as scalar Go they were 7% of a char-LSTM training step). (RNN cells need no helper: their step is one vec.Tanh
// or vec.ReLU over the whole step, and their backward one vec.TanhBackward or vec.ReLUBackward.)

// lstmForwardStep: pre [B, 4H] holds the pre-activations of gates i, f, g, o (both projections
// and both biases); it is overwritten by the activations σ(i), σ(f), tanh(g), σ(o), which the
// backward reads. Then c = f·cPrev + i·g, tc = tanh(c), h = o·tc.
func lstmForwardStep(pre, cPrev, c, tc, h []float32, B, H int) {
	G := 4 * H
	for b := 0; b < B; b++ {
		p := pre[b*G : (b+1)*G]
		vec.Sigmoid(p[:2*H], p[:2*H])
		vec.Tanh(p[2*H:3*H], p[2*H:3*H])
		vec.Sigmoid(p[3*H:], p[3*H:])
		ig, fg, gg, og := p[:H], p[H:2*H], p[2*H:3*H], p[3*H:4*H]
		cp, cn := cPrev[b*H:(b+1)*H], c[b*H:(b+1)*H]
		for j := range cn {
			cn[j] = fg[j]*cp[j] + ig[j]*gg[j]
		}
		tn, hn := tc[b*H:(b+1)*H], h[b*H:(b+1)*H]
		vec.Tanh(tn, cn)
		for j := range hn {
			hn[j] = og[j] * tn[j]
		}
	}
}

// lstmBackwardStep: given the gradient of h_t from above (dy) and from step t+1 (dh), and of c_t
// from step t+1 (dc), it writes the gradients of the four gate pre-activations into dG [B, 4H]
// and replaces dc with the gradient of c_{t−1}. act holds the step's activations, cPrev c_{t−1},
// tc tanh(c_t). The arithmetic is vec.LSTMBackward's, row by row.
func lstmBackwardStep(dG, act, cPrev, tc, dy, dh, dc []float32, B, H int) {
	G := 4 * H
	for b := 0; b < B; b++ {
		r := b * H
		vec.LSTMBackward(dG[b*G:(b+1)*G], act[b*G:(b+1)*G], cPrev[r:r+H], tc[r:r+H], dy[r:r+H], dh[r:r+H], dc[r:r+H])
	}
}

// gruForwardStep: pre [B, 3H] holds x·W_ihᵀ + b_ih, plus b_hr and b_hz in the r and z blocks; gh
// [B, 3H] is h_{t−1}·W_hhᵀ; bhn is b_hn (nil without bias). It computes r = σ(pre_r + gh_r),
// z = σ(pre_z + gh_z), ghn = gh_n + b_hn, n = tanh(pre_n + r·ghn) and
// h = (1 − z)·n + z·hPrev, leaving r, z, n in pre and ghn [B, H] for the backward.
func gruForwardStep(pre, gh, bhn, ghn, hPrev, h []float32, B, H int) {
	G := 3 * H
	for b := 0; b < B; b++ {
		p, q := pre[b*G:(b+1)*G], gh[b*G:(b+1)*G]
		vec.Add(p[:2*H], q[:2*H])
		vec.Sigmoid(p[:2*H], p[:2*H])
		rg, zg, ng := p[:H], p[H:2*H], p[2*H:3*H]
		hn := ghn[b*H : (b+1)*H]
		copy(hn, q[2*H:])
		if bhn != nil {
			vec.Add(hn, bhn)
		}
		for j := range ng {
			ng[j] += rg[j] * hn[j]
		}
		vec.Tanh(ng, ng)
		hp, hb := hPrev[b*H:(b+1)*H], h[b*H:(b+1)*H]
		for j := range hb {
			z := zg[j]
			hb[j] = (1-z)*ng[j] + z*hp[j]
		}
	}
}

// gruBackwardStep: given the gradient of h_t from above (dy) and from step t+1 (dh), it writes the
// gradients of the input-side pre-activations into dG [B, 3H] and of the recurrent ones
// (h_{t−1}·W_hhᵀ + b_hh) into dGh [B, 3H] (they differ in the n block, where r multiplies), and
// replaces dh with the direct part z·dh_t of the gradient of h_{t−1} (the caller adds dGh·W_hh).
// The arithmetic is vec.GRUBackward's, row by row.
func gruBackwardStep(dG, dGh, act, ghn, hPrev, dy, dh []float32, B, H int) {
	G := 3 * H
	for b := 0; b < B; b++ {
		r := b * H
		vec.GRUBackward(dG[b*G:(b+1)*G], dGh[b*G:(b+1)*G], act[b*G:(b+1)*G], ghn[r:r+H], hPrev[r:r+H], dy[r:r+H], dh[r:r+H])
	}
}
