package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// ReinforceConfig holds REINFORCE's hyperparameters. Its defaults follow Karpathy's "Pong from
// Pixels" recipe (a batch of 10 episodes, standardized discounted returns, RMSProp with decay
// 0.99), with SB3's names for the keys the other algorithms share.
type ReinforceConfig struct {
	// NumEnvs is the number of env copies stepped together. With more than one, an episode in
	// progress when the batch fills continues under the updated policy (as in A3C's
	// asynchronous updates); with one, every episode is sampled from one policy. Default: 1.
	NumEnvs int `yaml:"n_envs"`
	// BatchEpisodes is the number of finished episodes per update (Karpathy's batch_size).
	// Default: 10.
	BatchEpisodes int `yaml:"batch_episodes"`
	// Gamma is the discount factor. Default: 0.99.
	Gamma float64 `yaml:"gamma"`
	// Baseline learns a state-value baseline V (a critic trained on the returns) and uses
	// G − V as the advantage; an episode cut by a time limit then bootstraps from V of its final
	// observation. Without it the returns are plain Monte-Carlo returns, a truncated episode's
	// ending at its last reward. Default: false.
	Baseline bool `yaml:"baseline"`
	// NormalizeAdvantage standardizes the returns (or, with the baseline, the advantages G − V)
	// over each batch, Karpathy's "standardized discounted returns". Default: true.
	NormalizeAdvantage bool `yaml:"normalize_advantage"`
	// EntCoef weighs the entropy bonus. Default: 0.
	EntCoef float64 `yaml:"ent_coef"`
	// VFCoef weighs the baseline's value loss. Default: 0.5.
	VFCoef float64 `yaml:"vf_coef"`
	// MaxGradNorm clips the global gradient norm (0 disables clipping). Default: 0.
	MaxGradNorm float64 `yaml:"max_grad_norm"`

	// LearningRate is RMSprop's learning rate. Default: 1e-3.
	LearningRate float64 `yaml:"learning_rate"`
	// LRSchedule is constant, or linear: the learning rate goes linearly from learning_rate to
	// learning_rate_final over n_timesteps. Default: constant.
	LRSchedule string `yaml:"lr_schedule"`
	// LearningRateFinal is the learning rate at the end of a linear schedule. Default: 0.
	LearningRateFinal float64 `yaml:"learning_rate_final"`
	// RMSPropAlpha is RMSprop's decay of the squared-gradient average (Karpathy's decay_rate).
	// Default: 0.99.
	RMSPropAlpha float64 `yaml:"rms_prop_alpha"`
	// RMSPropEps is RMSprop's epsilon. Default: 1e-5 (Karpathy's).
	RMSPropEps float64 `yaml:"rms_prop_eps"`

	// NetArch lists the hidden sizes of the policy trunk (and of the baseline's unless
	// vf_net_arch is set). Default: [64, 64].
	NetArch []int `yaml:"net_arch"`
	// VFNetArch lists the hidden sizes of the baseline's trunk; empty means net_arch.
	// Default: [].
	VFNetArch []int `yaml:"vf_net_arch"`
	// SharedTrunk makes the policy and the baseline share one trunk of net_arch. Default: false.
	SharedTrunk bool `yaml:"shared_trunk"`
	// Activation is the hidden activation: tanh or relu. Default: tanh.
	Activation string `yaml:"activation"`
	// OrthoInit initializes the weights orthogonally (gain √2 in the trunks, 0.01 in the policy
	// head, 1 in the value head) and the biases to zero. Default: true.
	OrthoInit bool `yaml:"ortho_init"`
	// LogStdInit is the initial log standard deviation of a Gaussian policy. Default: 0.
	LogStdInit float64 `yaml:"log_std_init"`

	// NormObs normalizes observations with running statistics (VecNormalize). Default: false.
	NormObs bool `yaml:"norm_obs"`
	// NormReward scales rewards by the running standard deviation of the discounted return.
	// Default: false.
	NormReward bool `yaml:"norm_reward"`
	// ClipObs clips normalized observations to ±clip_obs. Default: 10.
	ClipObs float64 `yaml:"clip_obs"`
	// ClipReward clips normalized rewards to ±clip_reward. Default: 10.
	ClipReward float64 `yaml:"clip_reward"`

	// LogInterval is the number of env steps between rows of the losses in metrics.csv (means
	// over the updates in between). Default: 1000.
	LogInterval int64 `yaml:"log_interval"`
}

// DefaultReinforceConfig returns the defaults stated on ReinforceConfig's fields.
func DefaultReinforceConfig() ReinforceConfig {
	return ReinforceConfig{
		NumEnvs: 1, BatchEpisodes: 10, Gamma: 0.99, NormalizeAdvantage: true, VFCoef: 0.5,
		LearningRate: 1e-3, LRSchedule: "constant", RMSPropAlpha: 0.99, RMSPropEps: 1e-5,
		NetArch: []int{64, 64}, Activation: "tanh", OrthoInit: true,
		ClipObs: 10, ClipReward: 10, LogInterval: 1000,
	}
}

// Validate checks every field and names each bad one with its value.
func (c ReinforceConfig) Validate() error {
	var v validator
	v.check(c.NumEnvs >= 1, "n_envs = %d; want at least 1", c.NumEnvs)
	v.check(c.BatchEpisodes >= 1, "batch_episodes = %d; want at least 1", c.BatchEpisodes)
	v.unit("gamma", c.Gamma)
	v.check(c.EntCoef >= 0, "ent_coef = %g; want 0 or more", c.EntCoef)
	v.check(c.VFCoef >= 0, "vf_coef = %g; want 0 or more", c.VFCoef)
	v.check(c.MaxGradNorm >= 0, "max_grad_norm = %g; want 0 (no clipping) or more", c.MaxGradNorm)
	v.learningRate(c.LearningRate, c.LRSchedule, c.LearningRateFinal)
	v.unit("rms_prop_alpha", c.RMSPropAlpha)
	v.check(c.RMSPropEps > 0, "rms_prop_eps = %g; want a positive number", c.RMSPropEps)
	v.network(c.NetArch, c.VFNetArch, c.SharedTrunk, c.Activation, c.LogStdInit)
	v.check(!c.SharedTrunk || c.Baseline, "shared_trunk without baseline: there is no value head to share the trunk with")
	v.normalization(c.ClipObs, c.ClipReward)
	v.check(c.LogInterval >= 1, "log_interval = %d; want at least 1", c.LogInterval)
	return v.err()
}

func (c ReinforceConfig) netSpec() netSpec {
	return netSpec{piArch: c.NetArch, vfArch: vfArch(c.NetArch, c.VFNetArch), activation: c.Activation, shared: c.SharedTrunk,
		orthoInit: c.OrthoInit, logStdInit: c.LogStdInit, critic: c.Baseline}
}

func (c ReinforceConfig) normSettings() normSettings {
	return normSettings{obs: c.NormObs, reward: c.NormReward, clipObs: c.ClipObs, clipReward: c.ClipReward, gamma: c.Gamma}
}

// Reinforce is REINFORCE (Williams, 1992, "Simple Statistical Gradient-Following Algorithms
// for Connectionist Reinforcement Learning") in Karpathy's form: play batch_episodes whole
// episodes, compute every step's discounted return G_t = r_t + γ·G_{t+1}, standardize them over
// the batch, and take one RMSprop step on
//
//	L = −mean(Â·log π(a|s)) − ent_coef·mean(H) [+ vf_coef·mean((V − G)²)]
//
// where Â is G standardized, or with the learned baseline G − V standardized. It is also the
// trainer and, through the embedded Policy, the greedy policy. It is not safe for concurrent use.
type Reinforce struct {
	*core
	cfg ReinforceConfig

	ep       []episode // per copy: the episode in progress
	batch    episode   // the finished episodes' steps, with Ret holding the returns
	episodes int       // finished episodes in batch
	row      *nets.Tensor
}

// episode holds steps in parallel arrays: observations (normalized, as the policy saw them),
// sampled actions, and rewards (returns once finished).
type episode struct {
	Obs     []float32 `json:"obs"`
	Actions []float32 `json:"actions"`
	Ret     []float32 `json:"ret"`
}

func (e *episode) reset() { e.Obs, e.Actions, e.Ret = e.Obs[:0], e.Actions[:0], e.Ret[:0] }

// Reinforce's metric keys, in the order meanLog holds them.
const (
	rfPolicyLoss = iota
	rfValueLoss
	rfEntropy
	rfBatchSteps
	rfLR
)

// NewReinforce builds a REINFORCE agent that trains on vec. The network is initialized from
// opts.Seed; nothing is stepped until Learn.
func NewReinforce(cfg ReinforceConfig, vec env.VectorEnv, opts Options) (*Reinforce, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("reinforce: %w", err)
	}
	c, err := newCore("reinforce", cfg.netSpec(), cfg.normSettings(), vec.SingleObservationSpace(), vec.SingleActionSpace(), cfg.NumEnvs, opts.Seed)
	if err != nil {
		return nil, err
	}
	if err := c.attach(vec, cfg.NumEnvs, opts); err != nil {
		return nil, err
	}
	if c.opt, err = nets.NewRMSprop(c.ps, nets.RMSpropConfig{LR: cfg.LearningRate, Alpha: cfg.RMSPropAlpha, Eps: cfg.RMSPropEps}); err != nil {
		return nil, fmt.Errorf("reinforce: %w", err)
	}
	r := &Reinforce{core: c, cfg: cfg, ep: make([]episode, cfg.NumEnvs), row: nets.New(1, c.net.obsDim)}
	c.log = newMeanLog(cfg.LogInterval, opts.Log, "losses/policy_loss", "losses/value_loss", "losses/entropy",
		"charts/batch_steps", "charts/learning_rate")
	return r, nil
}

// LearningRate returns the learning rate at env step t.
func (r *Reinforce) LearningRate(t int64) float64 {
	return r.schedule(r.cfg.LRSchedule, r.cfg.LearningRate, r.cfg.LearningRateFinal, t)
}

// Learn trains until Steps() ≥ until or ctx is done: each vector step samples every copy's action,
// steps the env and appends the step to the copy's episode; a finished episode's returns are
// computed and moved into the batch, and the step that finishes the batch's last episode also
// takes the gradient step. Learn(ctx, a) followed by Learn(ctx, b) is the same as Learn(ctx, b).
//
// The episode arrays grow to the longest episode and batch seen and are reused after that.
func (r *Reinforce) Learn(ctx context.Context, until int64) error {
	if r.vec == nil {
		return errors.New("reinforce: this agent was loaded for evaluation and cannot train")
	}
	r.begin()
	od, ad := r.net.obsDim, r.act.actDim()
	for i := 0; r.steps < until; i++ {
		if i&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		r.sample(false)
		next, rewards, term, trunc := r.step()
		for k := range r.n {
			if r.prevDone[k] { // the NEXT_STEP reset of copy k: no transition
				continue
			}
			e := &r.ep[k]
			e.Obs = append(e.Obs, r.obs[k*od:(k+1)*od]...)
			e.Actions = append(e.Actions, r.actions[k*ad:(k+1)*ad]...)
			e.Ret = append(e.Ret, float32(rewards[k]))
		}
		r.observe(next, term, trunc) // r.obs now holds the final observations of finished episodes
		for k := range r.n {
			if term[k] || trunc[k] {
				var boot float32
				if trunc[k] && !term[k] && r.cfg.Baseline {
					boot = r.value(r.obs[k*od : (k+1)*od])
				}
				r.finish(k, boot)
			}
		}
		if r.episodes >= r.cfg.BatchEpisodes {
			if err := r.update(); err != nil {
				return err
			}
		}
	}
	return nil
}

// value returns V of one normalized observation.
func (r *Reinforce) value(obs []float32) float32 {
	copy(r.row.Data, obs)
	r.infer.Reset()
	_, v := r.net.forward(r.infer, r.row, false, true)
	return v.Data[0]
}

// finish turns copy k's rewards into discounted returns (from boot after the last step) and moves
// the episode into the batch.
func (r *Reinforce) finish(k int, boot float32) {
	e := &r.ep[k]
	g, gamma := boot, float32(r.cfg.Gamma)
	for t := len(e.Ret) - 1; t >= 0; t-- {
		g = e.Ret[t] + gamma*g
		e.Ret[t] = g
	}
	r.batch.Obs = append(r.batch.Obs, e.Obs...)
	r.batch.Actions = append(r.batch.Actions, e.Actions...)
	r.batch.Ret = append(r.batch.Ret, e.Ret...)
	r.episodes++
	e.reset()
}

// update takes the gradient step of a full batch and empties it.
func (r *Reinforce) update() error {
	c := r.cfg
	b := &r.batch
	m := len(b.Ret)
	lr := r.LearningRate(r.steps)
	r.opt.SetLR(lr)
	r.log.add(rfLR, lr)
	r.log.add(rfBatchSteps, float64(m))
	defer func() {
		b.reset()
		r.episodes = 0
	}()
	if m == 0 {
		return nil
	}
	g := r.train
	g.Reset()
	x := tensorOf(g, b.Obs, m, r.net.obsDim)
	pi, v := r.net.forward(g, x, true, c.Baseline)
	logp, ent := r.logProb(g, pi, b.Actions, m)
	adv := tensorOf(g, b.Ret, m)
	if c.Baseline {
		for i := range adv.Data {
			adv.Data[i] -= v.Data[i]
		}
	}
	if c.NormalizeAdvantage && m > 1 {
		standardize(adv.Data)
	}
	pgLoss := g.Neg(g.Mean(g.Mul(logp, adv)))
	entropy := g.Mean(ent)
	loss := pgLoss
	if c.EntCoef != 0 {
		loss = g.Sub(loss, g.Scale(entropy, float32(c.EntCoef)))
	}
	if c.Baseline {
		valueLoss := g.MSELoss(v, tensorOf(g, b.Ret, m), nets.ReduceMean)
		loss = g.Add(loss, g.Scale(valueLoss, float32(c.VFCoef)))
		r.log.add(rfValueLoss, float64(valueLoss.Data[0]))
	}
	if err := r.finite("REINFORCE loss", float64(loss.Data[0])); err != nil {
		return err
	}
	r.log.add(rfPolicyLoss, float64(pgLoss.Data[0]))
	r.log.add(rfEntropy, float64(entropy.Data[0]))
	if err := r.apply(loss, c.MaxGradNorm); err != nil {
		return err
	}
	r.log.flush(r.steps)
	return nil
}

// reinforceState is REINFORCE's part of pg.json: the episodes in progress and the batch.
type reinforceState struct {
	Episodes []episode `json:"episodes"`
	Batch    episode   `json:"batch"`
	Finished int       `json:"finished"`
}

// Save writes everything Load needs to continue exactly: the network, RMSprop's state, the
// normalization statistics, the episodes in progress and the batch, the sampling generator, the
// counters and the current observations.
func (r *Reinforce) Save(dir string) error {
	return r.saveCore(dir, reinforceState{Episodes: r.ep, Batch: r.batch, Finished: r.episodes})
}

// Load restores a state Save wrote into an agent built with the same config and env.
func (r *Reinforce) Load(dir string) error {
	if r.vec == nil {
		return errors.New("reinforce: this agent was loaded for evaluation and cannot resume training")
	}
	var st reinforceState
	if err := r.loadCore(dir, &st); err != nil {
		return err
	}
	if len(st.Episodes) != r.n {
		return fmt.Errorf("reinforce: the checkpoint holds the episodes of %d env copies; this run has %d", len(st.Episodes), r.n)
	}
	od, ad := r.net.obsDim, r.act.actDim()
	for _, e := range append(st.Episodes, st.Batch) {
		if len(e.Obs) != len(e.Ret)*od || len(e.Actions) != len(e.Ret)*ad {
			return fmt.Errorf("reinforce: the checkpoint holds an episode of %d returns with %d observation and %d action values", len(e.Ret), len(e.Obs), len(e.Actions))
		}
	}
	for k := range r.ep {
		r.ep[k].reset()
		r.ep[k].Obs = append(r.ep[k].Obs, st.Episodes[k].Obs...)
		r.ep[k].Actions = append(r.ep[k].Actions, st.Episodes[k].Actions...)
		r.ep[k].Ret = append(r.ep[k].Ret, st.Episodes[k].Ret...)
	}
	r.batch.reset()
	r.batch.Obs = append(r.batch.Obs, st.Batch.Obs...)
	r.batch.Actions = append(r.batch.Actions, st.Batch.Actions...)
	r.batch.Ret = append(r.batch.Ret, st.Batch.Ret...)
	r.episodes = st.Finished
	r.opt.SetLR(r.LearningRate(r.steps))
	return nil
}

// LoadReinforcePolicy loads the deterministic policy of a checkpoint directory
// (policy.safetensors and vecnormalize.json) for an env with the given spaces; cfg must describe
// the same network.
func LoadReinforcePolicy(cfg ReinforceConfig, obs, act env.Space, dir string) (*Policy, error) {
	return loadPolicy("reinforce", cfg.netSpec(), cfg.normSettings(), obs, act, dir)
}
