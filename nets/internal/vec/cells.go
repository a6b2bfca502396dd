package vec

// Recurrent cells' backward passes, one batch row at a time: the elementwise half of
// backpropagation through time in nets' LSTM and GRU layers, which runs once per time step and
// layer between two matrix products and is too much arithmetic per element (about 25 operations)
// for a scalar loop to keep up with them.

// LSTMBackward computes the gradients of one row of an LSTM cell, H = len(dc). act holds the
// gate activations i, f, g, o (4H, in that order), cPrev is c_{t−1}, tc is tanh(c_t); dy and dh
// are the gradients of h_t from the layer above and from step t+1, dc that of c_t from step t+1.
// It writes the gradients of the gate pre-activations into dG (4H, same order):
//
//	dh_t = dy + dh, dc_t = dc + dh_t·o·(1 − tc²)
//	di = dc_t·g·i·(1 − i), df = dc_t·cPrev·f·(1 − f), dg = dc_t·i·(1 − g²), do = dh_t·tc·o·(1 − o)
//
// and replaces dc with the gradient of c_{t−1}, dc_t·f.
func LSTMBackward(dG, act, cPrev, tc, dy, dh, dc []float32) {
	h := len(dc)
	dG, act = dG[:4*h], act[:4*h]
	cPrev, tc, dy, dh = cPrev[:h], tc[:h], dy[:h], dh[:h]
	n := 0
	if useAVX2 {
		n = h &^ 7
		if n > 0 {
			lstmBackwardAVX2(&dG[0], &act[0], &cPrev[0], &tc[0], &dy[0], &dh[0], &dc[0], n, h)
		}
	}
	ig, fg, gg, og := act[:h], act[h:2*h], act[2*h:3*h], act[3*h:]
	di, df, dg, do := dG[:h], dG[h:2*h], dG[2*h:3*h], dG[3*h:]
	for j := n; j < h; j++ {
		i, f, g, o, t := ig[j], fg[j], gg[j], og[j], tc[j]
		dhj := dy[j] + dh[j]
		dcj := dc[j] + dhj*o*(1-t*t)
		di[j] = dcj * g * i * (1 - i)
		df[j] = dcj * cPrev[j] * f * (1 - f)
		dg[j] = dcj * i * (1 - g*g)
		do[j] = dhj * t * o * (1 - o)
		dc[j] = dcj * f
	}
}

// GRUBackward computes the gradients of one row of a GRU cell, H = len(dh). act holds the gate
// activations r, z, n (3H), ghn is W_hn·h_{t−1} + b_hn, hPrev is h_{t−1}; dy and dh are the
// gradients of h_t from the layer above and from step t+1. It writes the gradients of the
// input-side pre-activations into dG (3H) and of the recurrent ones into dGh (3H), which differ in
// the n block where r multiplies:
//
//	dh_t = dy + dh, dn = dh_t·(1 − z)·(1 − n²), dz = dh_t·(hPrev − n)·z·(1 − z),
//	dr = dn·ghn·r·(1 − r); dG = (dr, dz, dn), dGh = (dr, dz, dn·r)
//
// and replaces dh with the direct part of the gradient of h_{t−1}, dh_t·z.
func GRUBackward(dG, dGh, act, ghn, hPrev, dy, dh []float32) {
	h := len(dh)
	dG, dGh, act = dG[:3*h], dGh[:3*h], act[:3*h]
	ghn, hPrev, dy = ghn[:h], hPrev[:h], dy[:h]
	n := 0
	if useAVX2 {
		n = h &^ 7
		if n > 0 {
			gruBackwardAVX2(&dG[0], &dGh[0], &act[0], &ghn[0], &hPrev[0], &dy[0], &dh[0], n, h)
		}
	}
	rg, zg, ng := act[:h], act[h:2*h], act[2*h:]
	dr, dz, dn := dG[:h], dG[h:2*h], dG[2*h:]
	er, ez, en := dGh[:h], dGh[h:2*h], dGh[2*h:]
	for j := n; j < h; j++ {
		r, z, nj := rg[j], zg[j], ng[j]
		dhj := dy[j] + dh[j]
		dnp := dhj * (1 - z) * (1 - nj*nj)
		dzp := dhj * (hPrev[j] - nj) * z * (1 - z)
		drp := dnp * ghn[j] * r * (1 - r)
		dr[j], dz[j], dn[j] = drp, dzp, dnp
		er[j], ez[j], en[j] = drp, dzp, dnp*r
		dh[j] = dhj * z
	}
}
