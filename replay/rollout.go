package replay

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// RolloutConfig sizes a Rollout.
type RolloutConfig struct {
	// NumSteps is the number of vector steps a rollout holds (SB3's and CleanRL's n_steps).
	NumSteps int
	// NumEnvs is the number of env copies stepped in lock step.
	NumEnvs int
	// ObsDim and ActDim are the lengths of one observation and one action (1 for Discrete).
	ObsDim, ActDim int
	// Gamma is the discount and Lambda the GAE parameter λ (1 gives n-step returns bootstrapped
	// at the end of the rollout, A2C's default; 0 gives one-step TD errors).
	Gamma, Lambda float64
}

// Rollout is the on-policy buffer of A2C and PPO: NumSteps vector steps of NumEnvs copies in
// step-major struct-of-arrays order (slot t·NumEnvs+i is copy i at step t), filled by Add from
// VectorEnv.Step, and turned into advantages and returns by ComputeGAE. Nothing is allocated
// after NewRollout.
//
// # NEXT_STEP autoreset
//
// The env package's vector envs reset a copy in the step after the one that ended its episode:
// that step ignores the action, reports reward 0 and no flag, and returns the new episode's first
// observation. Its slot is no transition, so the rollout marks it invalid (Valid[s] = false): its
// advantage is 0 and a learner skips it (ValidIndices). Its stored observation is the final
// observation of the episode that just ended, and its stored value V(final observation) is
// exactly what the ending step needs to bootstrap from when it was truncated.
//
// # Truncation and termination
//
// ComputeGAE bootstraps through truncation and not through termination. For a valid slot t of
// copy i with next value V' (the value stored in slot t+1, or lastValues after the last step):
//
//	terminated:   δ_t = r_t − V(s_t)              A_t = δ_t
//	truncated:    δ_t = r_t + γ·V' − V(s_t)       A_t = δ_t
//	otherwise:    δ_t = r_t + γ·V' − V(s_t)       A_t = δ_t + γλ·A_{t+1}
//
// and Returns_t = A_t + V(s_t), the value target (TD(λ) returns). An episode's advantages never
// leak into the previous episode's: the recursion stops at every episode end.
type Rollout struct {
	cfg RolloutConfig

	// Obs holds the observation each slot's action was taken in (NumSteps·NumEnvs×ObsDim).
	Obs []float32
	// Actions holds the actions as sampled (for Box actions: before any clipping to the bounds,
	// so that their log-probabilities match).
	Actions []float32
	// LogProbs holds log π(a|s) of the sampled actions under the policy that acted.
	LogProbs []float32
	// Values holds V(s) of each slot's observation under the critic that acted.
	Values []float32
	// Rewards holds the rewards the step returned (after any reward normalization).
	Rewards []float32
	// Terminated and Truncated are the flags the step returned.
	Terminated, Truncated []bool
	// Valid is false for the slots of NEXT_STEP reset steps (see the type's doc).
	Valid []bool
	// Advantages and Returns are ComputeGAE's results.
	Advantages, Returns []float32

	t        int    // vector steps stored
	prevDone []bool // per copy: the previous step ended an episode, so the next one resets it
}

// NewRollout returns an empty rollout.
func NewRollout(cfg RolloutConfig) (*Rollout, error) {
	switch {
	case cfg.NumSteps < 1:
		return nil, fmt.Errorf("replay: rollout of %d steps; want at least 1", cfg.NumSteps)
	case cfg.NumEnvs < 1:
		return nil, fmt.Errorf("replay: rollout of %d env copies; want at least 1", cfg.NumEnvs)
	case cfg.ObsDim < 1 || cfg.ActDim < 1:
		return nil, fmt.Errorf("replay: rollout of observations of %d and actions of %d values; want at least 1 each", cfg.ObsDim, cfg.ActDim)
	case !(cfg.Gamma >= 0 && cfg.Gamma <= 1):
		return nil, fmt.Errorf("replay: rollout gamma %g; want a value in [0, 1]", cfg.Gamma)
	case !(cfg.Lambda >= 0 && cfg.Lambda <= 1):
		return nil, fmt.Errorf("replay: rollout GAE lambda %g; want a value in [0, 1]", cfg.Lambda)
	}
	n := cfg.NumSteps * cfg.NumEnvs
	return &Rollout{
		cfg:        cfg,
		Obs:        make([]float32, n*cfg.ObsDim),
		Actions:    make([]float32, n*cfg.ActDim),
		LogProbs:   make([]float32, n),
		Values:     make([]float32, n),
		Rewards:    make([]float32, n),
		Terminated: make([]bool, n),
		Truncated:  make([]bool, n),
		Valid:      make([]bool, n),
		Advantages: make([]float32, n),
		Returns:    make([]float32, n),
		prevDone:   make([]bool, cfg.NumEnvs),
	}, nil
}

// Config returns the rollout's configuration.
func (r *Rollout) Config() RolloutConfig { return r.cfg }

// Len is the number of slots stored so far (vector steps × NumEnvs).
func (r *Rollout) Len() int { return r.t * r.cfg.NumEnvs }

// Size is the number of slots of a full rollout.
func (r *Rollout) Size() int { return r.cfg.NumSteps * r.cfg.NumEnvs }

// Full reports whether NumSteps vector steps are stored.
func (r *Rollout) Full() bool { return r.t == r.cfg.NumSteps }

// Add stores one vector step: obs are the observations the actions were taken in (the
// observations before the step), actions, logProbs and values what the policy produced for them,
// and rewards, terminated and truncated what VectorEnv.Step returned. It panics when the rollout
// is full or a slice has the wrong length.
func (r *Rollout) Add(obs, actions, logProbs, values []float32, rewards []float64, terminated, truncated []bool) {
	c := r.cfg
	n := c.NumEnvs
	if r.t == c.NumSteps {
		panic("replay: Rollout.Add on a full rollout; call ComputeGAE, use it, then Reset")
	}
	if len(obs) != n*c.ObsDim || len(actions) != n*c.ActDim || len(logProbs) != n || len(values) != n ||
		len(rewards) != n || len(terminated) != n || len(truncated) != n {
		panic(fmt.Sprintf("replay: Rollout.Add with %d observation, %d action, %d log-prob, %d value, %d reward, %d terminated and %d truncated values; want %d, %d and %d of the others",
			len(obs), len(actions), len(logProbs), len(values), len(rewards), len(terminated), len(truncated), n*c.ObsDim, n*c.ActDim, n))
	}
	s := r.t * n
	copy(r.Obs[s*c.ObsDim:], obs)
	copy(r.Actions[s*c.ActDim:], actions)
	copy(r.LogProbs[s:], logProbs)
	copy(r.Values[s:], values)
	for i := range n {
		r.Rewards[s+i] = float32(rewards[i])
		r.Terminated[s+i] = terminated[i]
		r.Truncated[s+i] = truncated[i]
		r.Valid[s+i] = !r.prevDone[i]
		r.prevDone[i] = terminated[i] || truncated[i]
	}
	r.t++
}

// ComputeGAE fills Advantages and Returns of a full rollout with generalized advantage estimation
// (Schulman et al., 2016, "High-Dimensional Continuous Control Using Generalized Advantage
// Estimation"); lastValues holds V of every copy's observation after the last step (the
// observations the next rollout starts from). Invalid slots get advantage 0 and return V(s). See
// the type's doc for the recursion at episode ends.
func (r *Rollout) ComputeGAE(lastValues []float32) {
	c := r.cfg
	n := c.NumEnvs
	if r.t != c.NumSteps {
		panic(fmt.Sprintf("replay: Rollout.ComputeGAE after %d of %d steps", r.t, c.NumSteps))
	}
	if len(lastValues) != n {
		panic(fmt.Sprintf("replay: Rollout.ComputeGAE with %d last values; want %d", len(lastValues), n))
	}
	gamma, gl := float32(c.Gamma), float32(c.Gamma*c.Lambda)
	for i := range n {
		next := lastValues[i]
		var adv float32 // A_{t+1}
		for t := c.NumSteps - 1; t >= 0; t-- {
			s := t*n + i
			v := r.Values[s]
			switch {
			case !r.Valid[s]:
				adv = 0
			case r.Terminated[s]:
				adv = r.Rewards[s] - v
			case r.Truncated[s]:
				adv = r.Rewards[s] + gamma*next - v
			default:
				adv = r.Rewards[s] + gamma*next - v + gl*adv
			}
			r.Advantages[s] = adv
			r.Returns[s] = adv + v
			next = v
		}
	}
}

// ValidIndices appends the positions of the valid slots stored so far to dst[:0] and returns it:
// the transitions a learner trains on.
func (r *Rollout) ValidIndices(dst []int) []int {
	dst = dst[:0]
	for s := range r.Len() {
		if r.Valid[s] {
			dst = append(dst, s)
		}
	}
	return dst
}

// Reset empties the rollout for the next one. Which copies reset at the next step is kept: a
// rollout that ended with a finished episode starts the next one with an invalid slot.
func (r *Rollout) Reset() { r.t = 0 }

// RolloutBatch is a reusable minibatch of rollout slots in row-major arrays, ready to be viewed as
// tensors without copying. Gather overwrites the first Size rows.
type RolloutBatch struct {
	// Size is the number of rows Gather wrote last.
	Size int
	// Obs (Size×ObsDim), Actions (Size×ActDim), and one value per row of the others.
	Obs, Actions                          []float32
	LogProbs, Values, Advantages, Returns []float32
}

// NewBatch returns a batch with room for capacity rows.
func (r *Rollout) NewBatch(capacity int) *RolloutBatch {
	if capacity < 1 {
		panic(fmt.Sprintf("replay: Rollout.NewBatch(%d); want at least 1 row", capacity))
	}
	return &RolloutBatch{
		Obs: make([]float32, capacity*r.cfg.ObsDim), Actions: make([]float32, capacity*r.cfg.ActDim),
		LogProbs: make([]float32, capacity), Values: make([]float32, capacity),
		Advantages: make([]float32, capacity), Returns: make([]float32, capacity),
	}
}

// Gather copies the slots idx into b's first len(idx) rows and sets b.Size. It panics when b
// has fewer rows.
func (r *Rollout) Gather(idx []int, b *RolloutBatch) {
	od, ad := r.cfg.ObsDim, r.cfg.ActDim
	if len(idx) > len(b.LogProbs) {
		panic(fmt.Sprintf("replay: Rollout.Gather of %d slots into a batch of %d rows", len(idx), len(b.LogProbs)))
	}
	for k, s := range idx {
		copy(b.Obs[k*od:(k+1)*od], r.Obs[s*od:(s+1)*od])
		copy(b.Actions[k*ad:(k+1)*ad], r.Actions[s*ad:(s+1)*ad])
		b.LogProbs[k] = r.LogProbs[s]
		b.Values[k] = r.Values[s]
		b.Advantages[k] = r.Advantages[s]
		b.Returns[k] = r.Returns[s]
	}
	b.Size = len(idx)
}

// The saved form of a rollout: a magic line, a JSON header and the used part of every array.
const rolloutMagic = "gorl-rollout-v1\n"

type rolloutHeader struct {
	NumSteps int    `json:"num_steps"`
	NumEnvs  int    `json:"num_envs"`
	ObsDim   int    `json:"obs_dim"`
	ActDim   int    `json:"act_dim"`
	Steps    int    `json:"steps"`
	PrevDone []bool `json:"prev_done"`
}

// WriteTo writes the rollout's state (the stored steps and which copies reset next) to w, so
// that a run checkpointed in the middle of a rollout continues it exactly.
func (r *Rollout) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<16)}
	c := r.cfg
	js, err := json.Marshal(rolloutHeader{NumSteps: c.NumSteps, NumEnvs: c.NumEnvs, ObsDim: c.ObsDim, ActDim: c.ActDim,
		Steps: r.t, PrevDone: r.prevDone})
	if err != nil {
		return 0, err
	}
	io.WriteString(cw, rolloutMagic)
	binary.Write(cw, binary.LittleEndian, uint32(len(js)))
	cw.Write(js)
	n := r.Len()
	writeFloats(cw, r.Obs[:n*c.ObsDim])
	writeFloats(cw, r.Actions[:n*c.ActDim])
	writeFloats(cw, r.LogProbs[:n])
	writeFloats(cw, r.Values[:n])
	writeFloats(cw, r.Rewards[:n])
	flags := make([]byte, n)
	for s := range flags {
		flags[s] = rolloutFlag(r.Terminated[s]) | rolloutFlag(r.Truncated[s])<<1 | rolloutFlag(r.Valid[s])<<2
	}
	cw.Write(flags)
	if cw.err == nil {
		cw.err = cw.w.(*bufio.Writer).Flush()
	}
	if cw.err != nil {
		return cw.n, fmt.Errorf("replay: writing the rollout: %w", cw.err)
	}
	return cw.n, nil
}

// ReadFrom replaces the rollout's state with one WriteTo saved by a rollout of the same
// NumSteps, NumEnvs, ObsDim and ActDim. Advantages and returns are not saved (ComputeGAE
// recomputes them when the rollout is full).
func (r *Rollout) ReadFrom(rd io.Reader) (int64, error) {
	cr := &countReader{r: rd}
	fail := func(err error) (int64, error) {
		r.t = 0
		clear(r.prevDone)
		return cr.n, fmt.Errorf("replay: reading a rollout: %w", err)
	}
	m := make([]byte, len(rolloutMagic))
	if _, err := io.ReadFull(cr, m); err != nil {
		return fail(err)
	}
	if string(m) != rolloutMagic {
		return fail(errors.New("not a rollout file (bad magic)"))
	}
	var hl uint32
	if err := binary.Read(cr, binary.LittleEndian, &hl); err != nil {
		return fail(err)
	}
	if hl > 1<<24 {
		return fail(fmt.Errorf("header of %d bytes", hl))
	}
	js := make([]byte, hl)
	if _, err := io.ReadFull(cr, js); err != nil {
		return fail(err)
	}
	var h rolloutHeader
	if err := json.Unmarshal(js, &h); err != nil {
		return fail(err)
	}
	c := r.cfg
	if h.NumSteps != c.NumSteps || h.NumEnvs != c.NumEnvs || h.ObsDim != c.ObsDim || h.ActDim != c.ActDim {
		return fail(fmt.Errorf("saved rollout has %d steps × %d copies of observations of %d and actions of %d; this one %d × %d of %d and %d",
			h.NumSteps, h.NumEnvs, h.ObsDim, h.ActDim, c.NumSteps, c.NumEnvs, c.ObsDim, c.ActDim))
	}
	if h.Steps < 0 || h.Steps > c.NumSteps || len(h.PrevDone) != c.NumEnvs {
		return fail(fmt.Errorf("saved rollout holds %d steps and %d copy flags", h.Steps, len(h.PrevDone)))
	}
	n := h.Steps * c.NumEnvs
	for _, f := range [][]float32{r.Obs[:n*c.ObsDim], r.Actions[:n*c.ActDim], r.LogProbs[:n], r.Values[:n], r.Rewards[:n]} {
		if err := readFloats(cr, f); err != nil {
			return fail(err)
		}
	}
	flags := make([]byte, n)
	if _, err := io.ReadFull(cr, flags); err != nil {
		return fail(err)
	}
	for s, f := range flags {
		r.Terminated[s], r.Truncated[s], r.Valid[s] = f&1 != 0, f&2 != 0, f&4 != 0
	}
	copy(r.prevDone, h.PrevDone)
	r.t = h.Steps
	return cr.n, nil
}

// rolloutFlag is 1 for true.
func rolloutFlag(b bool) byte {
	if b {
		return 1
	}
	return 0
}
