package env

import (
	"fmt"
	"math"
)

// RunningMeanStd tracks the per-element mean and variance of a stream of vectors with
// Gymnasium's RunningMeanStd (gymnasium.wrappers.utils): it starts at mean 0, variance 1 and a
// count of 1e-4 (so the first batch dominates at once without dividing by zero), and merges
// each batch with the parallel-variance formula of Chan et al.
//
// Its state is the exported fields, so that agents can save it with a checkpoint and the
// viewer or an evaluation can load it into a fresh wrapper. Set Frozen to stop the updates
// while still normalizing (Gymnasium's update_running_mean = False), as an evaluation must so
// that it neither learns from the test episodes nor drifts from the policy's training inputs.
//
// Gymnasium keeps the observation statistics in float32; this type keeps every statistic in
// float64, which differs from Gymnasium only in the last bits.
type RunningMeanStd struct {
	Mean  []float64
	Var   []float64
	Count float64
	// Frozen makes Update, Update64 and UpdateFromMoments do nothing.
	Frozen bool

	batchMean, batchVar, std []float64 // scratch, so that updates do not allocate
}

// rmsInitialCount is Gymnasium's RunningMeanStd epsilon: the count before any update.
const rmsInitialCount = 1e-4

// NewRunningMeanStd returns the statistics of dim-element vectors before any update.
func NewRunningMeanStd(dim int) *RunningMeanStd {
	if dim < 1 {
		panic(fmt.Sprintf("env: RunningMeanStd of %d elements; want at least 1", dim))
	}
	r := &RunningMeanStd{Mean: make([]float64, dim), Var: make([]float64, dim), Count: rmsInitialCount}
	for i := range r.Var {
		r.Var[i] = 1
	}
	return r
}

// Dim is the number of elements of one vector.
func (r *RunningMeanStd) Dim() int { return len(r.Mean) }

// Update merges a batch of samples held row after row in x (len(x) a multiple of Dim): one
// observation, or the N×obsDim observations of a vector env at once. Frozen statistics are
// left as they are.
func (r *RunningMeanStd) Update(x []float32) { updateBatch(r, x) }

// Update64 is Update for float64 samples, such as the discounted returns NormalizeReward tracks.
func (r *RunningMeanStd) Update64(x []float64) { updateBatch(r, x) }

// updateBatch computes the batch's population mean and variance (NumPy's np.mean and np.var
// along axis 0) and merges them in.
func updateBatch[T float32 | float64](r *RunningMeanStd, x []T) {
	if r.Frozen {
		return
	}
	d := len(r.Mean)
	if d == 0 || len(x) == 0 || len(x)%d != 0 {
		panic(fmt.Sprintf("env: RunningMeanStd.Update with %d values; want a positive multiple of %d", len(x), d))
	}
	r.scratch()
	n := len(x) / d
	bm, bv := r.batchMean, r.batchVar
	clear(bm)
	clear(bv)
	for row := 0; row < len(x); row += d {
		for j, v := range x[row : row+d] {
			bm[j] += float64(v)
		}
	}
	for j := range bm {
		bm[j] /= float64(n)
	}
	for row := 0; row < len(x); row += d {
		for j, v := range x[row : row+d] {
			dv := float64(v) - bm[j]
			bv[j] += dv * dv
		}
	}
	for j := range bv {
		bv[j] /= float64(n)
	}
	r.UpdateFromMoments(bm, bv, float64(n))
}

// UpdateFromMoments merges a batch given by its per-element mean and (population) variance and
// its sample count, as Gymnasium's update_mean_var_count_from_moments does, in the same order
// of operations.
func (r *RunningMeanStd) UpdateFromMoments(batchMean, batchVar []float64, batchCount float64) {
	if r.Frozen {
		return
	}
	if len(batchMean) != len(r.Mean) || len(batchVar) != len(r.Mean) {
		panic(fmt.Sprintf("env: RunningMeanStd.UpdateFromMoments with %d means and %d variances; want %d",
			len(batchMean), len(batchVar), len(r.Mean)))
	}
	tot := r.Count + batchCount
	for j := range r.Mean {
		delta := batchMean[j] - r.Mean[j]
		r.Mean[j] += delta * batchCount / tot
		m2 := r.Var[j]*r.Count + batchVar[j]*batchCount + delta*delta*r.Count*batchCount/tot
		r.Var[j] = m2 / tot
	}
	r.Count = tot
}

// Normalize writes (x - Mean) / sqrt(Var + eps) into dst for every row of x (len(x) a multiple
// of Dim, len(dst) == len(x); dst may be x). It does not update the statistics: call Update
// first to normalize as Gymnasium's wrappers do.
func (r *RunningMeanStd) Normalize(dst, x []float32, eps float64) {
	d := len(r.Mean)
	if len(dst) != len(x) || d == 0 || len(x)%d != 0 {
		panic(fmt.Sprintf("env: RunningMeanStd.Normalize of %d values into %d; want equal lengths, a multiple of %d",
			len(x), len(dst), d))
	}
	r.scratch()
	std := r.std
	for j := range std {
		std[j] = math.Sqrt(r.Var[j] + eps)
	}
	for row := 0; row < len(x); row += d {
		for j := range d {
			dst[row+j] = float32((float64(x[row+j]) - r.Mean[j]) / std[j])
		}
	}
}

// Set replaces the statistics with copies of mean and variance and the count, as when loading
// a checkpoint. It returns an error, leaving r unchanged, if the lengths differ from Dim, a
// value is not finite, a variance is negative or the count is not positive.
func (r *RunningMeanStd) Set(mean, variance []float64, count float64) error {
	if len(mean) != len(r.Mean) || len(variance) != len(r.Mean) {
		return fmt.Errorf("env: RunningMeanStd.Set: %d means and %d variances for statistics of %d elements",
			len(mean), len(variance), len(r.Mean))
	}
	if !(count > 0) || math.IsInf(count, 0) {
		return fmt.Errorf("env: RunningMeanStd.Set: count %g; want a positive finite number", count)
	}
	for i := range mean {
		if math.IsNaN(mean[i]) || math.IsInf(mean[i], 0) {
			return fmt.Errorf("env: RunningMeanStd.Set: mean[%d] = %g is not finite", i, mean[i])
		}
		if !(variance[i] >= 0) || math.IsInf(variance[i], 0) {
			return fmt.Errorf("env: RunningMeanStd.Set: var[%d] = %g; want a finite number >= 0", i, variance[i])
		}
	}
	copy(r.Mean, mean)
	copy(r.Var, variance)
	r.Count = count
	return nil
}

// Clone returns an independent copy of the statistics, Frozen included.
func (r *RunningMeanStd) Clone() *RunningMeanStd {
	return &RunningMeanStd{
		Mean:   append([]float64(nil), r.Mean...),
		Var:    append([]float64(nil), r.Var...),
		Count:  r.Count,
		Frozen: r.Frozen,
	}
}

// scratch sizes the scratch slices; a RunningMeanStd decoded from JSON starts without them.
func (r *RunningMeanStd) scratch() {
	if len(r.Var) != len(r.Mean) {
		panic(fmt.Sprintf("env: RunningMeanStd has %d means and %d variances", len(r.Mean), len(r.Var)))
	}
	if len(r.batchMean) != len(r.Mean) {
		d := len(r.Mean)
		r.batchMean, r.batchVar, r.std = make([]float64, d), make([]float64, d), make([]float64, d)
	}
}

// NormalizeObservation normalizes every observation to zero mean and unit variance per element
// with running statistics, as Gymnasium 1.x's NormalizeObservation: each observation, at Reset
// and at Step, first updates the statistics (unless they are frozen) and is then returned as
// (obs - mean) / sqrt(var + Epsilon). The observation space becomes an unbounded Box of the
// same shape.
type NormalizeObservation struct {
	Env
	// Epsilon keeps the division finite for constant elements; Gymnasium's default is 1e-8.
	Epsilon float64

	rms   *RunningMeanStd
	space *Box
	out   []float32
}

// NewNormalizeObservation wraps e with fresh statistics.
func NewNormalizeObservation(e Env) *NormalizeObservation {
	s := e.ObservationSpace()
	return &NormalizeObservation{
		Env:     e,
		Epsilon: 1e-8,
		rms:     NewRunningMeanStd(s.Dim()),
		space:   unboundedBox(s),
		out:     make([]float32, s.Dim()),
	}
}

func (n *NormalizeObservation) Reset(seed *uint64) ([]float32, Info) {
	obs, info := n.Env.Reset(seed)
	return n.normalize(obs), info
}

func (n *NormalizeObservation) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := n.Env.Step(action)
	return n.normalize(obs), r, term, trunc, info
}

func (n *NormalizeObservation) normalize(obs []float32) []float32 {
	n.rms.Update(obs)
	n.rms.Normalize(n.out, obs, n.Epsilon)
	return n.out
}

// RMS returns the live statistics: set Frozen on it for evaluation, read it to save it.
func (n *NormalizeObservation) RMS() *RunningMeanStd { return n.rms }

// SetRMS makes the wrapper use r, for example statistics loaded from a checkpoint or shared with
// another wrapper. It panics if r's Dim differs from the observation's.
func (n *NormalizeObservation) SetRMS(r *RunningMeanStd) {
	if r.Dim() != n.rms.Dim() {
		panic(fmt.Sprintf("env: NormalizeObservation.SetRMS: statistics of %d elements for observations of %d", r.Dim(), n.rms.Dim()))
	}
	n.rms = r
}

func (n *NormalizeObservation) ObservationSpace() Space { return n.space }
func (n *NormalizeObservation) Unwrap() Env             { return n.Env }

// NormalizeReward scales rewards so that their discounted sum has roughly unit variance, as
// Gymnasium 1.x's NormalizeReward (Engstrom et al.'s "reward scaling"): it keeps a discounted
// return G ← G·Gamma·(1 − terminated) + reward, updates running statistics of G at every step,
// and returns reward / sqrt(var(G) + Epsilon). The mean is not subtracted, so the sign of every
// reward survives. As in Gymnasium, G is not cleared by Reset or truncation, only by termination.
type NormalizeReward struct {
	Env
	// Gamma is the discount of the tracked return; Gymnasium's default is 0.99.
	Gamma float64
	// Epsilon keeps the division finite; Gymnasium's default is 1e-8.
	Epsilon float64

	rms        *RunningMeanStd
	discounted [1]float64
}

// NewNormalizeReward wraps e with fresh statistics and the given discount.
func NewNormalizeReward(e Env, gamma float64) *NormalizeReward {
	return &NormalizeReward{Env: e, Gamma: gamma, Epsilon: 1e-8, rms: NewRunningMeanStd(1)}
}

func (n *NormalizeReward) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := n.Env.Step(action)
	notTerm := 1.0
	if term {
		notTerm = 0
	}
	n.discounted[0] = n.discounted[0]*n.Gamma*notTerm + r
	n.rms.Update64(n.discounted[:])
	return obs, r / math.Sqrt(n.rms.Var[0]+n.Epsilon), term, trunc, info
}

// RMS returns the live statistics of the discounted return (Dim 1).
func (n *NormalizeReward) RMS() *RunningMeanStd { return n.rms }

// SetRMS makes the wrapper use r, which must have Dim 1.
func (n *NormalizeReward) SetRMS(r *RunningMeanStd) {
	if r.Dim() != 1 {
		panic(fmt.Sprintf("env: NormalizeReward.SetRMS: statistics of %d elements; want 1", r.Dim()))
	}
	n.rms = r
}

// DiscountedReturn is the return G the statistics track.
func (n *NormalizeReward) DiscountedReturn() float64 { return n.discounted[0] }

func (n *NormalizeReward) Unwrap() Env { return n.Env }

// NormalizeObservationVector is NormalizeObservation for a vector env (Gymnasium's
// wrappers.vector.NormalizeObservation): each Reset or Step updates the statistics with the
// whole N×obsDim batch at once, then normalizes it. Observations of copies that were just
// reset (NEXT_STEP autoreset) are part of the batch, as in Gymnasium.
type NormalizeObservationVector struct {
	VectorEnv
	// Epsilon keeps the division finite for constant elements; Gymnasium's default is 1e-8.
	Epsilon float64

	rms   *RunningMeanStd
	space *Box
	out   []float32
}

// NewNormalizeObservationVector wraps v with fresh statistics.
func NewNormalizeObservationVector(v VectorEnv) *NormalizeObservationVector {
	s := v.SingleObservationSpace()
	return &NormalizeObservationVector{
		VectorEnv: v,
		Epsilon:   1e-8,
		rms:       NewRunningMeanStd(s.Dim()),
		space:     unboundedBox(s),
		out:       make([]float32, v.NumEnvs()*s.Dim()),
	}
}

func (n *NormalizeObservationVector) Reset(seed *uint64) []float32 {
	return n.normalize(n.VectorEnv.Reset(seed))
}

func (n *NormalizeObservationVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	obs, r, term, trunc := n.VectorEnv.Step(actions)
	return n.normalize(obs), r, term, trunc
}

func (n *NormalizeObservationVector) normalize(obs []float32) []float32 {
	n.rms.Update(obs)
	n.rms.Normalize(n.out, obs, n.Epsilon)
	return n.out
}

// RMS returns the live statistics.
func (n *NormalizeObservationVector) RMS() *RunningMeanStd { return n.rms }

// SetRMS makes the wrapper use r; it panics if r's Dim differs from the observation's.
func (n *NormalizeObservationVector) SetRMS(r *RunningMeanStd) {
	if r.Dim() != n.rms.Dim() {
		panic(fmt.Sprintf("env: NormalizeObservationVector.SetRMS: statistics of %d elements for observations of %d", r.Dim(), n.rms.Dim()))
	}
	n.rms = r
}

func (n *NormalizeObservationVector) SingleObservationSpace() Space { return n.space }

// NormalizeRewardVector is NormalizeReward for a vector env (Gymnasium's
// wrappers.vector.NormalizeReward): one discounted return per copy, and one statistic updated
// with the N returns at every Step. EpisodeReturns still reports the raw, unscaled returns,
// which is what a learning curve should show.
type NormalizeRewardVector struct {
	VectorEnv
	// Gamma is the discount of the tracked returns; Gymnasium's default is 0.99.
	Gamma float64
	// Epsilon keeps the division finite; Gymnasium's default is 1e-8.
	Epsilon float64

	rms         *RunningMeanStd
	accumulated []float64
	out         []float64
}

// NewNormalizeRewardVector wraps v with fresh statistics and the given discount.
func NewNormalizeRewardVector(v VectorEnv, gamma float64) *NormalizeRewardVector {
	return &NormalizeRewardVector{
		VectorEnv:   v,
		Gamma:       gamma,
		Epsilon:     1e-8,
		rms:         NewRunningMeanStd(1),
		accumulated: make([]float64, v.NumEnvs()),
		out:         make([]float64, v.NumEnvs()),
	}
}

func (n *NormalizeRewardVector) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	obs, r, term, trunc := n.VectorEnv.Step(actions)
	for i, ri := range r {
		notTerm := 1.0
		if term[i] {
			notTerm = 0
		}
		n.accumulated[i] = n.accumulated[i]*n.Gamma*notTerm + ri
	}
	n.rms.Update64(n.accumulated)
	scale := math.Sqrt(n.rms.Var[0] + n.Epsilon)
	for i, ri := range r {
		n.out[i] = ri / scale
	}
	return obs, n.out, term, trunc
}

// RMS returns the live statistics of the discounted returns (Dim 1).
func (n *NormalizeRewardVector) RMS() *RunningMeanStd { return n.rms }

// SetRMS makes the wrapper use r, which must have Dim 1.
func (n *NormalizeRewardVector) SetRMS(r *RunningMeanStd) {
	if r.Dim() != 1 {
		panic(fmt.Sprintf("env: NormalizeRewardVector.SetRMS: statistics of %d elements; want 1", r.Dim()))
	}
	n.rms = r
}

// unboundedBox is Box(-inf, inf) of the space's shape, the space of normalized observations.
func unboundedBox(s Space) *Box {
	d := s.Dim()
	lo, hi := make([]float32, d), make([]float32, d)
	for i := range lo {
		lo[i], hi[i] = float32(math.Inf(-1)), float32(math.Inf(1))
	}
	shape := s.Shape()
	if len(shape) == 0 {
		shape = []int{d}
	}
	return NewBox(lo, hi, shape...)
}

var (
	_ Env       = (*NormalizeObservation)(nil)
	_ Env       = (*NormalizeReward)(nil)
	_ Unwrapper = (*NormalizeObservation)(nil)
	_ Unwrapper = (*NormalizeReward)(nil)
	_ VectorEnv = (*NormalizeObservationVector)(nil)
	_ VectorEnv = (*NormalizeRewardVector)(nil)
)
