package pg

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/env"
)

// normEps is VecNormalize's epsilon: added to the variances before the square root.
const normEps = 1e-8

// normalizer is Stable-Baselines3's VecNormalize, the observation and reward normalization RL
// Zoo turns on with `normalize: true`, kept inside the agent so that it is saved with the
// checkpoint and applied, frozen, by the Policy that evaluation and the viewer load:
//
//   - observations: running mean and variance over every observation seen in training (the
//     env package's RunningMeanStd, updated with the whole N×obsDim batch at each step), then
//     (obs − mean)/√(var + 1e-8) clipped to ±clip_obs;
//   - rewards: divided by the running standard deviation of the discounted return
//     G ← γ·G + r of each copy (reset to 0 when an episode ends), without subtracting a mean,
//     and clipped to ±clip_reward (Engstrom et al.'s "reward scaling").
//
// With NEXT_STEP autoreset the step that resets a copy is no transition: it neither updates the
// return statistics nor yields a reward the learner uses.
//
// Observations of a Discrete or MultiDiscrete space are not normalized but one-hot encoded (a
// MultiDiscrete one as the concatenated one-hots of its elements), as SB3's preprocess_obs does:
// an index is a category, not a magnitude. Box and MultiBinary observations enter as they are.
type normalizer struct {
	rawDim, inDim int           // lengths of an env observation and of a network input
	blocks        []oneHotBlock // one per element of a Discrete or MultiDiscrete observation; else nil

	normObs, normReward bool
	clipObs, clipReward float64
	gamma               float64

	obsRMS  *env.RunningMeanStd // nil unless normObs
	retRMS  *env.RunningMeanStd // nil unless normReward
	returns []float64           // per copy: the discounted return G
	batch   []float64           // scratch: the returns of the copies that stepped
	out     []float64           // the scaled rewards
}

// oneHotBlock encodes one element of a Discrete or MultiDiscrete observation: the value v
// (start ≤ v < start+n) sets input offset+v−start.
type oneHotBlock struct{ start, n, offset int }

// newNormalizer returns fresh statistics for numEnvs copies of observations of the space (numEnvs
// 0 for a policy that only acts). Observation normalization needs a Box space.
func newNormalizer(obs env.Space, numEnvs int, normObs, normReward bool, clipObs, clipReward, gamma float64) (*normalizer, error) {
	n := &normalizer{rawDim: obs.Dim(), inDim: obs.Dim(), normObs: normObs, normReward: normReward, clipObs: clipObs, clipReward: clipReward, gamma: gamma}
	switch s := obs.(type) {
	case env.Discrete:
		n.blocks, n.inDim = []oneHotBlock{{start: s.Start, n: s.N}}, s.N
	case env.MultiDiscrete:
		n.inDim = 0
		for _, k := range s.Nvec {
			n.blocks = append(n.blocks, oneHotBlock{n: k, offset: n.inDim})
			n.inDim += k
		}
	}
	if normObs {
		if _, ok := obs.(*env.Box); !ok {
			return nil, fmt.Errorf("norm_obs needs a Box observation space; %v observations are one-hot encoded (or, MultiBinary, used as they are): set norm_obs: false", obs)
		}
		n.obsRMS = env.NewRunningMeanStd(obs.Dim())
	}
	if normReward {
		n.retRMS = env.NewRunningMeanStd(1)
		n.returns = make([]float64, numEnvs)
		n.batch = make([]float64, numEnvs)
		n.out = make([]float64, numEnvs)
	}
	return n, nil
}

// observe updates the observation statistics with the raw batch (training) and writes its
// normalized (or encoded) form into dst.
func (n *normalizer) observe(dst, raw []float32) {
	if n.normObs {
		n.obsRMS.Update(raw)
	}
	n.normalizeObs(dst, raw)
}

// normalizeObs writes the normalized, clipped (or one-hot encoded) observations into dst without
// updating the statistics (what the Policy does).
func (n *normalizer) normalizeObs(dst, raw []float32) {
	if n.blocks != nil {
		n.encode(dst, raw)
		return
	}
	if !n.normObs {
		copy(dst, raw)
		return
	}
	n.obsRMS.Normalize(dst, raw, normEps)
	c := float32(n.clipObs)
	for i, v := range dst {
		dst[i] = min(max(v, -c), c)
	}
}

// encode writes the one-hot encoding of every row of raw into dst. An index outside its space is
// a contract violation of the env and panics.
func (n *normalizer) encode(dst, raw []float32) {
	rows := len(raw) / n.rawDim
	if len(raw) != rows*n.rawDim || len(dst) != rows*n.inDim {
		panic(fmt.Sprintf("pg: encoding %d observation values into %d; want rows of %d and %d", len(raw), len(dst), n.rawDim, n.inDim))
	}
	clear(dst)
	for r := range rows {
		in, out := raw[r*n.rawDim:(r+1)*n.rawDim], dst[r*n.inDim:(r+1)*n.inDim]
		for j, b := range n.blocks {
			k := int(in[j]) - b.start
			if k < 0 || k >= b.n || float32(int(in[j])) != in[j] {
				panic(fmt.Sprintf("pg: observation element %d is %v; want an integer in [%d, %d)", j, in[j], b.start, b.start+b.n))
			}
			out[b.offset+k] = 1
		}
	}
}

// rewards returns the rewards to learn from for one vector step: r itself without reward
// normalization, else r scaled by the return statistics after updating them with the copies
// that took a real step (reset[i] marks the NEXT_STEP reset of copy i). The slice is reused.
func (n *normalizer) rewards(r []float64, terminated, truncated, reset []bool) []float64 {
	if !n.normReward {
		return r
	}
	k := 0
	for i, ri := range r {
		if reset[i] {
			continue
		}
		n.returns[i] = n.returns[i]*n.gamma + ri
		n.batch[k] = n.returns[i]
		k++
	}
	if k > 0 {
		n.retRMS.Update64(n.batch[:k])
	}
	scale := math.Sqrt(n.retRMS.Var[0] + normEps)
	c := n.clipReward
	for i, ri := range r {
		n.out[i] = min(max(ri/scale, -c), c)
		if terminated[i] || truncated[i] {
			n.returns[i] = 0
		}
	}
	return n.out
}

// normFile holds the statistics in a checkpoint: SB3 keeps them in vecnormalize.pkl.
const normFile = "vecnormalize.json"

// normState is the saved form (float64 values round-trip exactly through encoding/json).
type normState struct {
	NormObs    bool      `json:"norm_obs"`
	NormReward bool      `json:"norm_reward"`
	ClipObs    float64   `json:"clip_obs"`
	ClipReward float64   `json:"clip_reward"`
	Gamma      float64   `json:"gamma"`
	ObsMean    []float64 `json:"obs_mean,omitempty"`
	ObsVar     []float64 `json:"obs_var,omitempty"`
	ObsCount   float64   `json:"obs_count,omitempty"`
	RetMean    []float64 `json:"ret_mean,omitempty"`
	RetVar     []float64 `json:"ret_var,omitempty"`
	RetCount   float64   `json:"ret_count,omitempty"`
	Returns    []float64 `json:"returns,omitempty"`
}

// save writes the statistics into dir.
func (n *normalizer) save(dir string) error {
	st := normState{NormObs: n.normObs, NormReward: n.normReward, ClipObs: n.clipObs, ClipReward: n.clipReward, Gamma: n.gamma, Returns: n.returns}
	if n.obsRMS != nil {
		st.ObsMean, st.ObsVar, st.ObsCount = n.obsRMS.Mean, n.obsRMS.Var, n.obsRMS.Count
	}
	if n.retRMS != nil {
		st.RetMean, st.RetVar, st.RetCount = n.retRMS.Mean, n.retRMS.Var, n.retRMS.Count
	}
	js, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, normFile), js)
}

// load restores statistics save wrote; the settings (norm_obs, norm_reward) must agree with the
// receiver's, which come from the run's config. withReturns also restores the per-copy returns
// (a trainer resuming; a policy only needs the observation statistics).
func (n *normalizer) load(dir string, withReturns bool) error {
	path := filepath.Join(dir, normFile)
	js, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("pg: the normalization statistics: %w", err)
	}
	var st normState
	if err := json.Unmarshal(js, &st); err != nil {
		return fmt.Errorf("pg: %s: %w", path, err)
	}
	if st.NormObs != n.normObs || st.NormReward != n.normReward {
		return fmt.Errorf("pg: %s was saved with norm_obs=%v, norm_reward=%v; the config says %v, %v",
			path, st.NormObs, st.NormReward, n.normObs, n.normReward)
	}
	if n.obsRMS != nil {
		if err := n.obsRMS.Set(st.ObsMean, st.ObsVar, st.ObsCount); err != nil {
			return fmt.Errorf("pg: %s: observation statistics: %w", path, err)
		}
	}
	if n.retRMS != nil && withReturns {
		if err := n.retRMS.Set(st.RetMean, st.RetVar, st.RetCount); err != nil {
			return fmt.Errorf("pg: %s: return statistics: %w", path, err)
		}
		if len(st.Returns) != len(n.returns) {
			return fmt.Errorf("pg: %s holds the returns of %d env copies; this run has %d", path, len(st.Returns), len(n.returns))
		}
		copy(n.returns, st.Returns)
	}
	return nil
}
