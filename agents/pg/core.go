package pg

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// Options are the settings of a training run that are not hyperparameters.
type Options struct {
	// Seed seeds the env copies (Seed+i), the network's initialization and the action sampling.
	Seed uint64
	// TotalSteps is the run's length in env steps: the learning rate (and PPO's clip range)
	// are annealed over it.
	TotalSteps int64
	// Log, when set, receives the metrics (CleanRL's keys) against env steps.
	Log func(step int64, key string, value float64)
}

// core is what the three trainers share: the vector env, the network and its optimizer, the
// normalization, and the acting state of a training step. Each algorithm's file holds its own
// loop and update; core only acts, steps and saves.
type core struct {
	*Policy // Act, ActionProbs and Value with the live statistics

	algo string
	opts Options
	vec  env.VectorEnv
	n    int
	act  actionSpec
	net  *actorCritic
	ps   []nets.NamedTensor
	norm *normalizer
	opt  nets.Optimizer

	infer *nets.Graph  // acting while training: records nothing, allocates nothing when warm
	train *nets.Graph  // gradient steps
	obsIn *nets.Tensor // [N, inDim] over obs

	obs        []float32 // every copy's current observation as the network takes it: normalized or one-hot (N×inDim)
	actions    []float32 // the sampled actions (N×actDim): indices for Discrete, unclipped for Box
	envActions []float32 // what the env gets: Start+index, or the sample clipped to the bounds
	logp       []float32 // log π of the sampled actions
	values     []float32 // V of obs, when the step computed it
	prevDone   []bool    // copy i's last step ended an episode: its next step resets it

	pcg     *rand.PCG // action sampling and minibatch shuffling
	rng     *rand.Rand
	started bool

	steps    int64 // env steps (vector steps × N, NEXT_STEP reset steps included)
	vecSteps int64
	updates  int64 // gradient steps

	log meanLog // losses since the last row of metrics
}

// newCore builds the network from the seed (the same for a trainer and a loaded policy) and
// the acting state for vec's n copies (vec nil: a policy that only acts).
func newCore(algo string, spec netSpec, norm normSettings, obs, act env.Space, n int, seed uint64) (*core, error) {
	as, err := newActionSpec(act)
	if err != nil {
		return nil, fmt.Errorf("pg: %w", err)
	}
	nz, err := newNormalizer(obs, n, norm.obs, norm.reward, norm.clipObs, norm.clipReward, norm.gamma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", algo, err)
	}
	init := rand.New(rand.NewPCG(seed, 0x696e6974))
	net, err := newActorCritic(init, nz.inDim, as, spec)
	if err != nil {
		return nil, fmt.Errorf("pg: %w", err)
	}
	c := &core{algo: algo, n: n, act: as, net: net, ps: net.Params(), norm: nz}
	c.Policy = newPolicy(net, nz)
	if n > 0 {
		d := nz.inDim
		c.infer, c.train = nets.NewInference(), nets.NewGraph()
		c.obs = make([]float32, n*d)
		c.obsIn = nets.FromData(c.obs, n, d)
		c.actions = make([]float32, n*as.actDim())
		c.envActions = make([]float32, n*as.actDim())
		c.logp = make([]float32, n)
		c.values = make([]float32, n)
		c.prevDone = make([]bool, n)
		c.pcg = rand.NewPCG(seed, 0x73616d706c65)
		c.rng = rand.New(c.pcg)
	}
	return c, nil
}

// normSettings are the normalization keys of a Config.
type normSettings struct {
	obs, reward         bool
	clipObs, clipReward float64
	gamma               float64
}

// attach checks that vec fits the config and options and keeps it.
func (c *core) attach(vec env.VectorEnv, numEnvs int, opts Options) error {
	if vec.NumEnvs() != numEnvs {
		return fmt.Errorf("pg: the vector env has %d copies; n_envs is %d", vec.NumEnvs(), numEnvs)
	}
	if opts.TotalSteps < 1 {
		return fmt.Errorf("pg: TotalSteps = %d; want at least 1", opts.TotalSteps)
	}
	c.vec, c.opts = vec, opts
	return nil
}

// begin resets the vector env with the run's seed on the first Learn (copy i gets Seed+i).
func (c *core) begin() {
	if c.started {
		return
	}
	seed := c.opts.Seed
	c.norm.observe(c.obs, c.vec.Reset(&seed))
	c.started = true
}

// sample runs the network on every copy's observation and draws one action each, filling
// actions, envActions, logp and (when wantV) values. Without allocating: the inference graph
// reuses its arena and the results are read before its next Reset.
func (c *core) sample(wantV bool) {
	c.infer.Reset()
	pi, v := c.net.forward(c.infer, c.obsIn, true, wantV)
	a := c.act
	if a.discrete {
		k := a.nActions
		for i := range c.n {
			idx, lp := sampleCategorical(c.rng, pi.Data[i*k:(i+1)*k])
			c.actions[i] = float32(idx)
			c.envActions[i] = float32(a.start + idx)
			c.logp[i] = lp
		}
	} else {
		d := a.dim
		for i := range c.n {
			row := c.actions[i*d : (i+1)*d]
			c.logp[i] = sampleGaussian(c.rng, pi.Data[i*d:(i+1)*d], c.net.logStd.Data, row)
			clipAction(c.envActions[i*d:(i+1)*d], row, a.low, a.high)
		}
	}
	if wantV {
		copy(c.values, v.Data)
	}
}

// step steps the vector env with envActions and returns the (normalized) rewards and the flags;
// the raw next observations are returned for the caller to store before observe. The caller
// must call observe(next) after using c.obs.
func (c *core) step() (next []float32, rewards []float64, terminated, truncated []bool) {
	next, raw, terminated, truncated := c.vec.Step(c.envActions)
	c.steps += int64(c.n)
	c.vecSteps++
	rewards = c.norm.rewards(raw, terminated, truncated, c.prevDone)
	return next, rewards, terminated, truncated
}

// observe makes next the current observations (normalizing them) and records which copies
// ended an episode.
func (c *core) observe(next []float32, terminated, truncated []bool) {
	c.norm.observe(c.obs, next)
	for i := range c.prevDone {
		c.prevDone[i] = terminated[i] || truncated[i]
	}
}

// valuesNow writes V of the current observations of every copy into dst: the bootstrap values
// after a rollout's last step.
func (c *core) valuesNow(dst []float32) {
	c.infer.Reset()
	_, v := c.net.forward(c.infer, c.obsIn, false, true)
	copy(dst, v.Data)
}

// schedule is a hyperparameter at env step t: constant, or linear from start to final over the run
// (SB3's linear_schedule: start·progress_remaining when final is 0).
func (c *core) schedule(kind string, start, final float64, t int64) float64 {
	if kind != "linear" {
		return start
	}
	f := min(1, float64(t)/float64(c.opts.TotalSteps))
	return start + (final-start)*f
}

// finite returns an error naming the env step when a loss is not finite: before the optimizer
// applies it, so that the weights and the last checkpoint stay good.
func (c *core) finite(what string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s is %v at env step %d (gradient step %d); the weights before it are kept: lower learning_rate or max_grad_norm, or turn on norm_obs/norm_reward",
			c.algo, what, v, c.steps, c.updates+1)
	}
	return nil
}

// apply backpropagates loss (recorded on c.train), clips the global gradient norm (maxNorm > 0)
// and takes one optimizer step.
func (c *core) apply(loss *nets.Tensor, maxNorm float64) error {
	c.opt.ZeroGrad()
	c.train.Backward(loss)
	if maxNorm > 0 {
		if norm := nets.ClipGradNorm(c.ps, maxNorm, 2); math.IsNaN(norm) || math.IsInf(norm, 0) {
			return fmt.Errorf("%s: gradient norm is %v at env step %d (gradient step %d); the weights before it are kept",
				c.algo, norm, c.steps, c.updates+1)
		}
	}
	c.opt.Step()
	c.updates++
	return nil
}

// Steps returns the env steps taken (NEXT_STEP reset steps included, as the run counts them).
func (c *core) Steps() int64 { return c.steps }

// GradientSteps returns the optimizer steps taken.
func (c *core) GradientSteps() int64 { return c.updates }

// Close releases nothing: the vector env belongs to the caller.
func (c *core) Close() error { return nil }

// --- metrics -----------------------------------------------------------------------------------

// meanLog accumulates per-update values of fixed keys and writes their means every interval env
// steps, so that metrics.csv holds a row per interval whatever the update frequency.
type meanLog struct {
	keys    []string
	sums    []float64
	counts  []int64
	last    int64 // env step of the last row, rounded down to the interval
	every   int64
	logFunc func(step int64, key string, value float64)
}

func newMeanLog(every int64, log func(int64, string, float64), keys ...string) meanLog {
	return meanLog{keys: keys, sums: make([]float64, len(keys)), counts: make([]int64, len(keys)), every: every, logFunc: log}
}

// add accumulates value under key index k.
func (m *meanLog) add(k int, v float64) {
	m.sums[k] += v
	m.counts[k]++
}

// flush writes the means at env step t once an interval has passed since the last row.
func (m *meanLog) flush(t int64) {
	if t-m.last < m.every {
		return
	}
	m.last = t - t%m.every
	for k, key := range m.keys {
		if m.counts[k] > 0 && m.logFunc != nil {
			m.logFunc(t, key, m.sums[k]/float64(m.counts[k]))
		}
		m.sums[k], m.counts[k] = 0, 0
	}
}

// --- saving ------------------------------------------------------------------------------------

// Files of a checkpoint directory.
const (
	// PolicyFile holds the network (safetensors with SB3's ActorCriticPolicy parameter names).
	PolicyFile    = "policy.safetensors"
	optimizerFile = "optimizer.safetensors"
	stateFile     = "pg.json"
	rolloutFile   = "rollout.bin"
)

// coreState is core's part of pg.json.
type coreState struct {
	Algo     string    `json:"algo"`
	Steps    int64     `json:"steps"`
	VecSteps int64     `json:"vec_steps"`
	Updates  int64     `json:"updates"`
	Started  bool      `json:"started"`
	RNG      []byte    `json:"rng"`
	Obs      []float32 `json:"obs"`
	PrevDone []bool    `json:"prev_done"`
	LogSums  []float64 `json:"log_sums"`
	LogNs    []int64   `json:"log_counts"`
	LogLast  int64     `json:"log_last"`
}

func (c *core) meta() map[string]string {
	return map[string]string{"gorl.algo": c.algo, "obs_dim": strconv.Itoa(c.net.obsDim), "action_dim": strconv.Itoa(c.act.outDim()),
		"discrete": strconv.FormatBool(c.act.discrete)}
}

// saveCore writes the network, the optimizer, the normalization and core's counters; extra is
// the algorithm's own state, stored in pg.json next to core's.
func (c *core) saveCore(dir string, extra any) error {
	if err := nets.Save(filepath.Join(dir, PolicyFile), c.net, c.meta()); err != nil {
		return err
	}
	if err := nets.SaveOptimizer(filepath.Join(dir, optimizerFile), c.opt, nil); err != nil {
		return err
	}
	if err := c.norm.save(dir); err != nil {
		return err
	}
	rng, err := c.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	st := struct {
		Core  coreState `json:"core"`
		Extra any       `json:"extra,omitempty"`
	}{coreState{Algo: c.algo, Steps: c.steps, VecSteps: c.vecSteps, Updates: c.updates, Started: c.started, RNG: rng,
		Obs: c.obs, PrevDone: c.prevDone, LogSums: c.log.sums, LogNs: c.log.counts, LogLast: c.log.last}, extra}
	js, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, stateFile), js)
}

// loadCore restores what saveCore wrote into a trainer built from the same config; extra
// receives the algorithm's state.
func (c *core) loadCore(dir string, extra any) error {
	path := filepath.Join(dir, stateFile)
	js, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", c.algo, err)
	}
	st := struct {
		Core  coreState `json:"core"`
		Extra any       `json:"extra,omitempty"`
	}{Extra: extra}
	if err := json.Unmarshal(js, &st); err != nil {
		return fmt.Errorf("%s: %s: %w", c.algo, path, err)
	}
	s := st.Core
	switch {
	case s.Algo != c.algo:
		return fmt.Errorf("%s: %s was saved by %s", c.algo, path, s.Algo)
	case len(s.Obs) != len(c.obs) || len(s.PrevDone) != c.n:
		return fmt.Errorf("%s: %s holds %d observation values for %d copies; this agent has %d copies of %d", c.algo, path, len(s.Obs), len(s.PrevDone), c.n, c.net.obsDim)
	case len(s.LogSums) != len(c.log.sums) || len(s.LogNs) != len(c.log.counts):
		return fmt.Errorf("%s: %s holds %d metric sums; want %d", c.algo, path, len(s.LogSums), len(c.log.sums))
	}
	if _, err := nets.Load(filepath.Join(dir, PolicyFile), c.net); err != nil {
		return err
	}
	if _, err := nets.LoadOptimizer(filepath.Join(dir, optimizerFile), c.opt); err != nil {
		return err
	}
	if err := c.norm.load(dir, true); err != nil {
		return err
	}
	if err := c.pcg.UnmarshalBinary(s.RNG); err != nil {
		return fmt.Errorf("%s: %s: %w", c.algo, path, err)
	}
	c.steps, c.vecSteps, c.updates, c.started = s.Steps, s.VecSteps, s.Updates, s.Started
	copy(c.obs, s.Obs)
	copy(c.prevDone, s.PrevDone)
	copy(c.log.sums, s.LogSums)
	copy(c.log.counts, s.LogNs)
	c.log.last = s.LogLast
	return nil
}

// loadPolicy builds the network of a config and loads a checkpoint's weights and frozen
// observation statistics into it.
func loadPolicy(algo string, spec netSpec, norm normSettings, obs, act env.Space, dir string) (*Policy, error) {
	if err := Check(obs, act); err != nil {
		return nil, fmt.Errorf("%s: %w", algo, err)
	}
	c, err := newCore(algo, spec, norm, obs, act, 0, 0)
	if err != nil {
		return nil, err
	}
	if _, err := nets.Load(filepath.Join(dir, PolicyFile), c.net); err != nil {
		return nil, err
	}
	if err := c.norm.load(dir, false); err != nil {
		return nil, err
	}
	if c.norm.obsRMS != nil {
		c.norm.obsRMS.Frozen = true
	}
	return c.Policy, nil
}

// writeFileSync writes data to path and syncs it before closing.
func writeFileSync(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// writeWith writes path through a buffered writer, syncing before close.
func writeWith(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// readWith restores r from path through a buffered reader.
func readWith(path string, r io.ReaderFrom) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = r.ReadFrom(bufio.NewReaderSize(f, 1<<16))
	return err
}

// validator collects the errors of a Config's Validate.
type validator struct{ errs []error }

func (v *validator) check(ok bool, format string, args ...any) {
	if !ok {
		v.errs = append(v.errs, fmt.Errorf(format, args...))
	}
}

func (v *validator) err() error { return errors.Join(v.errs...) }

// unit checks a value that must lie in [0, 1].
func (v *validator) unit(key string, x float64) {
	v.check(x >= 0 && x <= 1, "%s = %g; want a value in [0, 1]", key, x)
}

func (v *validator) schedule(key, s string) {
	v.check(s == "constant" || s == "linear", "%s = %q; want constant or linear", key, s)
}

func (v *validator) learningRate(lr float64, schedule string, final float64) {
	v.check(lr > 0, "learning_rate = %g; want a positive number", lr)
	v.schedule("lr_schedule", schedule)
	v.check(final >= 0, "learning_rate_final = %g; want 0 or more", final)
}

func (v *validator) network(pi, vf []int, shared bool, activation string, logStdInit float64) {
	for _, h := range pi {
		v.check(h >= 1, "net_arch %v: every size must be at least 1", pi)
	}
	for _, h := range vf {
		v.check(h >= 1, "vf_net_arch %v: every size must be at least 1", vf)
	}
	v.check(!shared || len(vf) == 0, "vf_net_arch %v with shared_trunk: a shared trunk is net_arch alone", vf)
	_, err := activationLayer(activation)
	v.check(err == nil, "activation = %q; want tanh or relu", activation)
	v.check(!math.IsNaN(logStdInit) && !math.IsInf(logStdInit, 0), "log_std_init = %g; want a finite number", logStdInit)
}

func (v *validator) normalization(clipObs, clipReward float64) {
	v.check(clipObs > 0, "clip_obs = %g; want a positive number", clipObs)
	v.check(clipReward > 0, "clip_reward = %g; want a positive number", clipReward)
}

// vfArch is the value trunk's sizes: vf_net_arch, or net_arch when it is empty.
func vfArch(pi, vf []int) []int {
	if len(vf) == 0 {
		return pi
	}
	return vf
}
