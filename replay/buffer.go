package replay

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Config describes a buffer. Capacity, NumEnvs, ObsDim and ActDim are required; the others have
// the defaults their docs state.
type Config struct {
	// Capacity is the number of slots (env steps) the ring holds; the oldest are overwritten.
	// It must be at least 2·NumEnvs.
	Capacity int
	// NumEnvs is the number of copies of the vector env whose steps Add receives together.
	NumEnvs int
	// ObsDim and ActDim are the flat lengths of one observation and one action (Space.Dim).
	ObsDim, ActDim int

	// Gamma is the discount of n-step windows and of Batch.Discounts. It has no default: 0 is a
	// valid (myopic) discount. It must lie in [0, 1].
	Gamma float64
	// NStep is the length of the return windows Sample computes. Default (0): 1.
	NStep int
	// Seed seeds the buffer's sampling generator.
	Seed uint64

	// Prioritized turns on prioritized replay (Schaul et al., 2016). Default: false (uniform).
	Prioritized bool
	// Alpha is the priority exponent: P(i) ∝ p_i^α. Default (0): 0.6, the paper's proportional
	// variant. Used only when Prioritized.
	Alpha float64
	// Beta0 is the importance-sampling exponent at the start, annealed linearly to 1 over
	// BetaSteps env steps (Slots written). Default (0): 0.4. Used only when Prioritized.
	Beta0 float64
	// BetaSteps is the number of env steps over which β goes from Beta0 to 1 (a run's total
	// steps, as in the paper). Default (0): β stays at Beta0.
	BetaSteps int64
	// PriorityEps is added to |TD error| so that no transition gets probability 0.
	// Default (0): 1e-6.
	PriorityEps float64
}

// withDefaults fills the zero fields that have defaults and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.NStep == 0 {
		c.NStep = 1
	}
	if c.Alpha == 0 {
		c.Alpha = 0.6
	}
	if c.Beta0 == 0 {
		c.Beta0 = 0.4
	}
	if c.PriorityEps == 0 {
		c.PriorityEps = 1e-6
	}
	switch {
	case c.NumEnvs < 1:
		return c, fmt.Errorf("replay: NumEnvs = %d, want at least 1", c.NumEnvs)
	case c.Capacity < 2*c.NumEnvs:
		return c, fmt.Errorf("replay: Capacity = %d, want at least 2·NumEnvs = %d", c.Capacity, 2*c.NumEnvs)
	case c.ObsDim < 1 || c.ActDim < 1:
		return c, fmt.Errorf("replay: ObsDim = %d, ActDim = %d, want both at least 1", c.ObsDim, c.ActDim)
	case !(c.Gamma >= 0 && c.Gamma <= 1):
		return c, fmt.Errorf("replay: Gamma = %g, want a value in [0, 1]", c.Gamma)
	case c.NStep < 1:
		return c, fmt.Errorf("replay: NStep = %d, want at least 1", c.NStep)
	case c.Alpha < 0 || c.Beta0 < 0 || c.Beta0 > 1 || c.PriorityEps < 0 || c.BetaSteps < 0:
		return c, fmt.Errorf("replay: Alpha = %g, Beta0 = %g, BetaSteps = %d, PriorityEps = %g: want α ≥ 0, β0 in [0, 1], BetaSteps ≥ 0, ε ≥ 0", c.Alpha, c.Beta0, c.BetaSteps, c.PriorityEps)
	}
	return c, nil
}

// Slot flags.
const (
	flagTerminated = 1 << iota
	flagTruncated
	flagValid // the slot is a transition (not the autoreset step after an episode's end)
)

// Buffer is a replay buffer of transitions from a vector env; see the package doc for its layout.
// It is not safe for concurrent use.
type Buffer struct {
	cfg Config

	obs   []float32 // Capacity × ObsDim
	act   []float32 // Capacity × ActDim
	rew   []float32 // Capacity
	flags []uint8   // Capacity

	pending  []float32 // NumEnvs × ObsDim: next observation of each copy's newest slot
	lastDone []bool    // NumEnvs: each copy's newest slot ended an episode
	total    int64     // slots ever written; the newest slot is at position total-1
	valid    int       // valid slots stored

	pcg *rand.PCG
	rng *rand.Rand

	// Prioritized replay only.
	tree    *sumTree
	maxPrio float64 // largest |δ|+ε seen, before the exponent α
}

// New returns an empty buffer with every array allocated.
func New(cfg Config) (*Buffer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(cfg.Seed, cfg.Seed^0x5851f42d4c957f2d)
	b := &Buffer{
		cfg:      cfg,
		obs:      make([]float32, cfg.Capacity*cfg.ObsDim),
		act:      make([]float32, cfg.Capacity*cfg.ActDim),
		rew:      make([]float32, cfg.Capacity),
		flags:    make([]uint8, cfg.Capacity),
		pending:  make([]float32, cfg.NumEnvs*cfg.ObsDim),
		lastDone: make([]bool, cfg.NumEnvs),
		pcg:      pcg,
		rng:      rand.New(pcg),
	}
	if cfg.Prioritized {
		b.tree = newSumTree(cfg.Capacity)
		b.maxPrio = 1
	}
	return b, nil
}

// Config returns the buffer's configuration with defaults filled in.
func (b *Buffer) Config() Config { return b.cfg }

// Len returns the number of transitions stored (valid slots).
func (b *Buffer) Len() int { return b.valid }

// Slots returns the number of env steps ever added (NumEnvs per Add).
func (b *Buffer) Slots() int64 { return b.total }

// Bytes returns the memory the buffer's arrays hold, for capacity planning: 25 bytes a slot for
// CartPole (4 float32 of observation, 1 of action, 1 of reward, 1 byte of flags), plus the sum
// and min trees (32 bytes a slot, rounded up to a power of two) when prioritized.
func (b *Buffer) Bytes() int {
	n := 4*(len(b.obs)+len(b.act)+len(b.rew)+len(b.pending)) + len(b.flags) + len(b.lastDone)
	if b.tree != nil {
		n += 8 * (len(b.tree.sum) + len(b.tree.min))
	}
	return n
}

// Add records one step of the vector env: obs are the observations the actions were chosen from
// (NumEnvs×ObsDim), and rewards, nextObs, terminated and truncated are what Step returned. The
// arrays are copied. Under NEXT_STEP autoreset the step after copy k's episode ended is that
// copy's reset step: its slot is stored (it carries the final observation) but marked invalid.
//
// Add panics if a length is wrong or if obs of a copy differs from the nextObs given for it by
// the previous Add: the buffer derives next observations from the step stream, so steps must be
// consecutive steps of one vector env (a common bug this catches is passing the env's own obs
// slice, already overwritten by Step, as obs).
func (b *Buffer) Add(obs, actions []float32, rewards []float64, nextObs []float32, terminated, truncated []bool) {
	n, d, a := b.cfg.NumEnvs, b.cfg.ObsDim, b.cfg.ActDim
	if len(obs) != n*d || len(nextObs) != n*d || len(actions) != n*a || len(rewards) != n || len(terminated) != n || len(truncated) != n {
		panic(fmt.Sprintf("replay: Add with len(obs)=%d len(actions)=%d len(rewards)=%d len(nextObs)=%d len(terminated)=%d len(truncated)=%d; want %d, %d, %d, %d, %d, %d",
			len(obs), len(actions), len(rewards), len(nextObs), len(terminated), len(truncated), n*d, n*a, n, n*d, n, n))
	}
	if b.total > 0 {
		for k := 0; k < n; k++ {
			o, p := obs[k*d:(k+1)*d], b.pending[k*d:(k+1)*d]
			for i := range o {
				if o[i] != p[i] && !(o[i] != o[i] && p[i] != p[i]) {
					panic(fmt.Sprintf("replay: Add: obs of copy %d is %v but the previous Add's nextObs was %v; Add takes consecutive steps of one vector env (copy obs before Step overwrites it)", k, o, p))
				}
			}
		}
	}
	C := int64(b.cfg.Capacity)
	for k := 0; k < n; k++ {
		s := int(b.total % C)
		if b.flags[s]&flagValid != 0 {
			b.valid--
		}
		copy(b.obs[s*d:(s+1)*d], obs[k*d:(k+1)*d])
		copy(b.act[s*a:(s+1)*a], actions[k*a:(k+1)*a])
		b.rew[s] = float32(rewards[k])
		var f uint8
		if terminated[k] {
			f |= flagTerminated
		}
		if truncated[k] {
			f |= flagTruncated
		}
		isValid := !b.lastDone[k]
		if isValid {
			f |= flagValid
			b.valid++
		}
		b.flags[s] = f
		if b.tree != nil {
			p := 0.0
			if isValid {
				p = math.Pow(b.maxPrio, b.cfg.Alpha)
			}
			b.tree.set(s, p)
		}
		copy(b.pending[k*d:(k+1)*d], nextObs[k*d:(k+1)*d])
		b.lastDone[k] = terminated[k] || truncated[k]
		b.total++
	}
}

// Beta returns the importance-sampling exponent β at the current number of slots written.
func (b *Buffer) Beta() float64 {
	if b.cfg.BetaSteps <= 0 {
		return b.cfg.Beta0
	}
	f := min(1, float64(b.total)/float64(b.cfg.BetaSteps))
	return b.cfg.Beta0 + f*(1-b.cfg.Beta0)
}

// NewBatch returns a batch of the given size shaped for this buffer.
func (b *Buffer) NewBatch(size int) *Batch { return NewBatch(size, b.cfg.ObsDim, b.cfg.ActDim) }

// Sample fills batch with batch.Size transitions drawn uniformly (or by priority for a
// prioritized buffer), with replacement. It allocates nothing. It panics if the buffer holds no
// transition or the batch was shaped for other dimensions.
func (b *Buffer) Sample(batch *Batch) {
	if b.valid == 0 {
		panic("replay: Sample on a buffer with no transitions")
	}
	if batch.obsDim != b.cfg.ObsDim || batch.actDim != b.cfg.ActDim {
		panic(fmt.Sprintf("replay: Sample into a batch for obsDim %d, actDim %d; the buffer has %d, %d", batch.obsDim, batch.actDim, b.cfg.ObsDim, b.cfg.ActDim))
	}
	if b.tree != nil {
		b.samplePrioritized(batch)
		return
	}
	C := int64(b.cfg.Capacity)
	size := min(b.total, C)
	lo := b.total - size
	for j := 0; j < batch.Size; j++ {
		var p int64
		for {
			p = lo + b.rng.Int64N(size)
			if b.flags[p%C]&flagValid != 0 {
				break
			}
		}
		b.fill(batch, j, p)
		batch.Weights[j] = 1
	}
}

// samplePrioritized draws one position from each of batch.Size equal slices of the priority
// mass (stratified, as the paper's Algorithm 1 and OpenAI Baselines do).
func (b *Buffer) samplePrioritized(batch *Batch) {
	total := b.tree.total()
	seg := total / float64(batch.Size)
	beta := b.Beta()
	pmin := b.tree.minimum()
	for j := 0; j < batch.Size; j++ {
		u := (float64(j) + b.rng.Float64()) * seg
		s := b.tree.find(u)
		b.fill(batch, j, b.position(s))
		// w_i / max_j w_j = (N·P(i))^-β / (N·P_min)^-β = (p_i / p_min)^-β.
		batch.Weights[j] = float32(math.Pow(b.tree.leaf(s)/pmin, -beta))
	}
}

// position returns the absolute position of the stored slot s.
func (b *Buffer) position(s int) int64 {
	C := int64(b.cfg.Capacity)
	if b.total <= C {
		return int64(s)
	}
	start := b.total - C
	return start + ((int64(s)-start%C)%C+C)%C
}

// fill writes the transition (or n-step window) starting at position p into row j.
func (b *Buffer) fill(batch *Batch, j int, p int64) {
	n, d, a := int64(b.cfg.NumEnvs), b.cfg.ObsDim, b.cfg.ActDim
	C := int64(b.cfg.Capacity)
	s := int(p % C)
	copy(batch.Obs[j*d:(j+1)*d], b.obs[s*d:(s+1)*d])
	copy(batch.Actions[j*a:(j+1)*a], b.act[s*a:(s+1)*a])

	ret, disc := 0.0, 1.0
	last := p
	for i := 0; i < b.cfg.NStep; i++ {
		q := p + int64(i)*n
		if q >= b.total {
			break // the window reached the copy's newest slot
		}
		sq := q % C
		ret += disc * float64(b.rew[sq])
		disc *= b.cfg.Gamma
		last = q
		if b.flags[sq]&(flagTerminated|flagTruncated) != 0 {
			break
		}
	}
	next := last + n
	var src []float32
	if next < b.total {
		sn := int(next % C)
		src = b.obs[sn*d : (sn+1)*d]
	} else {
		k := int(last % n)
		src = b.pending[k*d : (k+1)*d]
	}
	copy(batch.NextObs[j*d:(j+1)*d], src)
	term := b.flags[last%C]&flagTerminated != 0
	batch.Rewards[j] = float32(ret)
	if term {
		batch.Terminated[j] = 1
		batch.Discounts[j] = 0
	} else {
		batch.Terminated[j] = 0
		batch.Discounts[j] = float32(disc)
	}
	batch.Indices[j] = s
}

// UpdatePriorities sets the priorities of the slots in indices (Batch.Indices) from the absolute
// TD errors of the last sampled batch: p = (|δ|+ε)^α. Slots overwritten or invalidated since the
// draw are skipped. It panics on a uniform buffer or when the lengths differ.
func (b *Buffer) UpdatePriorities(indices []int, tdErrors []float32) {
	if b.tree == nil {
		panic("replay: UpdatePriorities on a uniform buffer (Config.Prioritized is false)")
	}
	if len(indices) != len(tdErrors) {
		panic(fmt.Sprintf("replay: UpdatePriorities with %d indices and %d TD errors", len(indices), len(tdErrors)))
	}
	for i, s := range indices {
		if s < 0 || s >= b.cfg.Capacity {
			panic(fmt.Sprintf("replay: UpdatePriorities: index %d outside [0, %d)", s, b.cfg.Capacity))
		}
		if b.flags[s]&flagValid == 0 {
			continue
		}
		td := math.Abs(float64(tdErrors[i]))
		if math.IsNaN(td) || math.IsInf(td, 0) {
			panic(fmt.Sprintf("replay: UpdatePriorities: TD error %v for slot %d", tdErrors[i], s))
		}
		p := td + b.cfg.PriorityEps
		b.maxPrio = max(b.maxPrio, p)
		b.tree.set(s, math.Pow(p, b.cfg.Alpha))
	}
}

// Priority returns the priority p_i^α of slot s (0 for an invalid slot) in a prioritized buffer.
func (b *Buffer) Priority(s int) float64 {
	if b.tree == nil {
		panic("replay: Priority on a uniform buffer")
	}
	return b.tree.leaf(s)
}
