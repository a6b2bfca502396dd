package pg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/replay"
)

// A2CConfig holds A2C's hyperparameters. The YAML keys are Stable-Baselines3's A2C arguments
// (policy_kwargs and VecNormalize's arguments flattened into the same map), so RL Zoo's
// hyperparams/a2c.yml entries read the same; every default is SB3's and is stated on its field.
type A2CConfig struct {
	// NumEnvs is the number of env copies stepped together. Default: 1.
	NumEnvs int `yaml:"n_envs"`
	// NumSteps is the number of vector steps per update (the n of the n-step returns).
	// Default: 5.
	NumSteps int `yaml:"n_steps"`
	// Gamma is the discount factor. Default: 0.99.
	Gamma float64 `yaml:"gamma"`
	// GAELambda is GAE's λ; 1 gives the classic n-step returns bootstrapped at the end of the
	// rollout. Default: 1.
	GAELambda float64 `yaml:"gae_lambda"`
	// NormalizeAdvantage standardizes the advantages of each update. Default: false.
	NormalizeAdvantage bool `yaml:"normalize_advantage"`
	// EntCoef weighs the entropy bonus. Default: 0.
	EntCoef float64 `yaml:"ent_coef"`
	// VFCoef weighs the value loss. Default: 0.5.
	VFCoef float64 `yaml:"vf_coef"`
	// MaxGradNorm clips the global gradient norm (0 disables clipping). Default: 0.5.
	MaxGradNorm float64 `yaml:"max_grad_norm"`

	// LearningRate is the optimizer's learning rate. Default: 7e-4.
	LearningRate float64 `yaml:"learning_rate"`
	// LRSchedule is constant, or linear: the learning rate goes linearly from learning_rate to
	// learning_rate_final over n_timesteps. Default: constant.
	LRSchedule string `yaml:"lr_schedule"`
	// LearningRateFinal is the learning rate at the end of a linear schedule. Default: 0.
	LearningRateFinal float64 `yaml:"learning_rate_final"`
	// UseRMSProp selects PyTorch's RMSprop (SB3's A2C default, after the A3C paper) instead of
	// Adam. Default: true.
	UseRMSProp bool `yaml:"use_rms_prop"`
	// RMSPropAlpha is RMSprop's smoothing constant. Default: 0.99.
	RMSPropAlpha float64 `yaml:"rms_prop_alpha"`
	// RMSPropEps is RMSprop's epsilon (added to the root, PyTorch's form), and Adam's epsilon
	// when use_rms_prop is false. Default: 1e-5.
	RMSPropEps float64 `yaml:"rms_prop_eps"`

	// NetArch lists the hidden sizes of the policy trunk (and of the value trunk unless
	// vf_net_arch is set). Default: [64, 64].
	NetArch []int `yaml:"net_arch"`
	// VFNetArch lists the hidden sizes of the value trunk; empty means net_arch. Default: [].
	VFNetArch []int `yaml:"vf_net_arch"`
	// SharedTrunk makes the policy and value heads share one trunk of net_arch. Default: false.
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

// DefaultA2CConfig returns the defaults stated on A2CConfig's fields (Stable-Baselines3's).
func DefaultA2CConfig() A2CConfig {
	return A2CConfig{
		NumEnvs: 1, NumSteps: 5, Gamma: 0.99, GAELambda: 1, VFCoef: 0.5, MaxGradNorm: 0.5,
		LearningRate: 7e-4, LRSchedule: "constant", UseRMSProp: true, RMSPropAlpha: 0.99, RMSPropEps: 1e-5,
		NetArch: []int{64, 64}, Activation: "tanh", OrthoInit: true,
		ClipObs: 10, ClipReward: 10, LogInterval: 1000,
	}
}

// Validate checks every field and names each bad one with its value.
func (c A2CConfig) Validate() error {
	var v validator
	v.check(c.NumEnvs >= 1, "n_envs = %d; want at least 1", c.NumEnvs)
	v.check(c.NumSteps >= 1, "n_steps = %d; want at least 1", c.NumSteps)
	v.check(!c.NormalizeAdvantage || c.NumSteps*c.NumEnvs >= 2, "normalize_advantage with n_steps·n_envs = %d: want at least 2", c.NumSteps*c.NumEnvs)
	v.unit("gamma", c.Gamma)
	v.unit("gae_lambda", c.GAELambda)
	v.check(c.EntCoef >= 0, "ent_coef = %g; want 0 or more", c.EntCoef)
	v.check(c.VFCoef >= 0, "vf_coef = %g; want 0 or more", c.VFCoef)
	v.check(c.MaxGradNorm >= 0, "max_grad_norm = %g; want 0 (no clipping) or more", c.MaxGradNorm)
	v.learningRate(c.LearningRate, c.LRSchedule, c.LearningRateFinal)
	v.unit("rms_prop_alpha", c.RMSPropAlpha)
	v.check(c.RMSPropEps > 0, "rms_prop_eps = %g; want a positive number", c.RMSPropEps)
	v.network(c.NetArch, c.VFNetArch, c.SharedTrunk, c.Activation, c.LogStdInit)
	v.normalization(c.ClipObs, c.ClipReward)
	v.check(c.LogInterval >= 1, "log_interval = %d; want at least 1", c.LogInterval)
	return v.err()
}

func (c A2CConfig) netSpec() netSpec {
	return netSpec{piArch: c.NetArch, vfArch: vfArch(c.NetArch, c.VFNetArch), activation: c.Activation, shared: c.SharedTrunk,
		orthoInit: c.OrthoInit, logStdInit: c.LogStdInit, critic: true}
}

func (c A2CConfig) normSettings() normSettings {
	return normSettings{obs: c.NormObs, reward: c.NormReward, clipObs: c.ClipObs, clipReward: c.ClipReward, gamma: c.Gamma}
}

// A2C is the synchronous advantage actor-critic (Mnih et al., 2016, "Asynchronous Methods for
// Deep Reinforcement Learning", in the synchronous form of OpenAI Baselines and SB3): every
// n_steps vector steps of n_envs copies, one gradient step on
//
//	L = −mean(A·log π(a|s)) + vf_coef·mean((V − R)²) − ent_coef·mean(H)
//
// where R are the n-step returns bootstrapped from V after the last step (GAE with λ = 1 by
// default) and A = R − V. It is also the trainer and, through the embedded Policy, the greedy
// policy. It is not safe for concurrent use.
type A2C struct {
	*core
	cfg A2CConfig

	buf   *replay.Rollout
	batch *replay.RolloutBatch
	idx   []int
	lastV []float32
}

// A2C's metric keys, in the order meanLog holds them.
const (
	a2cPolicyLoss = iota
	a2cValueLoss
	a2cEntropy
	a2cExplainedVar
	a2cLR
	a2cStd
)

// NewA2C builds an A2C agent that trains on vec. The network is initialized from opts.Seed;
// nothing is stepped until Learn.
func NewA2C(cfg A2CConfig, vec env.VectorEnv, opts Options) (*A2C, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("a2c: %w", err)
	}
	c, err := newCore("a2c", cfg.netSpec(), cfg.normSettings(), vec.SingleObservationSpace(), vec.SingleActionSpace(), cfg.NumEnvs, opts.Seed)
	if err != nil {
		return nil, err
	}
	if err := c.attach(vec, cfg.NumEnvs, opts); err != nil {
		return nil, err
	}
	if cfg.UseRMSProp {
		c.opt, err = nets.NewRMSprop(c.ps, nets.RMSpropConfig{LR: cfg.LearningRate, Alpha: cfg.RMSPropAlpha, Eps: cfg.RMSPropEps})
	} else {
		c.opt, err = nets.NewAdam(c.ps, nets.AdamConfig{LR: cfg.LearningRate, Eps: cfg.RMSPropEps})
	}
	if err != nil {
		return nil, fmt.Errorf("a2c: %w", err)
	}
	a := &A2C{core: c, cfg: cfg}
	a.buf, err = replay.NewRollout(replay.RolloutConfig{NumSteps: cfg.NumSteps, NumEnvs: cfg.NumEnvs,
		ObsDim: c.net.obsDim, ActDim: c.act.actDim(), Gamma: cfg.Gamma, Lambda: cfg.GAELambda})
	if err != nil {
		return nil, fmt.Errorf("a2c: %w", err)
	}
	a.batch = a.buf.NewBatch(a.buf.Size())
	a.idx = make([]int, 0, a.buf.Size())
	a.lastV = make([]float32, cfg.NumEnvs)
	c.log = newMeanLog(cfg.LogInterval, opts.Log, "losses/policy_loss", "losses/value_loss", "losses/entropy",
		"losses/explained_variance", "charts/learning_rate", "charts/action_std")
	return a, nil
}

// LearningRate returns the learning rate at env step t.
func (a *A2C) LearningRate(t int64) float64 {
	return a.schedule(a.cfg.LRSchedule, a.cfg.LearningRate, a.cfg.LearningRateFinal, t)
}

// Learn trains until Steps() ≥ until or ctx is done: each vector step samples every copy's action
// and value, steps the env and stores the step; a full rollout is learned from in the step that
// fills it. Learn(ctx, a) followed by Learn(ctx, b) is the same as Learn(ctx, b).
func (a *A2C) Learn(ctx context.Context, until int64) error {
	if a.vec == nil {
		return errors.New("a2c: this agent was loaded for evaluation and cannot train")
	}
	a.begin()
	for i := 0; a.steps < until; i++ {
		if i&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		a.sample(true)
		next, rewards, term, trunc := a.step()
		a.buf.Add(a.obs, a.actions, a.logp, a.values, rewards, term, trunc)
		a.observe(next, term, trunc)
		if a.buf.Full() {
			if err := a.update(); err != nil {
				return err
			}
		}
	}
	return nil
}

// update takes the gradient step of a full rollout.
func (a *A2C) update() error {
	c := a.cfg
	a.valuesNow(a.lastV)
	a.buf.ComputeGAE(a.lastV)
	lr := a.LearningRate(a.steps)
	a.opt.SetLR(lr)
	a.idx = a.buf.ValidIndices(a.idx)
	if ev, ok := explainedVariance(a.buf, a.idx); ok {
		a.log.add(a2cExplainedVar, ev)
	}
	a.log.add(a2cLR, lr)
	if !a.act.discrete {
		var s float64
		for _, ls := range a.net.logStd.Data {
			s += math.Exp(float64(ls))
		}
		a.log.add(a2cStd, s/float64(len(a.net.logStd.Data)))
	}
	defer a.buf.Reset()
	if len(a.idx) == 0 { // every slot was a reset step (n_steps 1 and a finished episode)
		a.log.flush(a.steps)
		return nil
	}
	b := a.batch
	a.buf.Gather(a.idx, b)
	m := b.Size
	if c.NormalizeAdvantage && m > 1 {
		standardize(b.Advantages[:m])
	}
	g := a.train
	g.Reset()
	x := tensorOf(g, b.Obs[:m*a.net.obsDim], m, a.net.obsDim)
	pi, v := a.net.forward(g, x, true, true)
	logp, ent := a.logProb(g, pi, b.Actions[:m*a.act.actDim()], m)
	adv := tensorOf(g, b.Advantages[:m], m)
	pgLoss := g.Neg(g.Mean(g.Mul(logp, adv)))
	valueLoss := g.MSELoss(v, tensorOf(g, b.Returns[:m], m), nets.ReduceMean)
	entropy := g.Mean(ent)
	loss := g.Add(pgLoss, g.Scale(valueLoss, float32(c.VFCoef)))
	if c.EntCoef != 0 {
		loss = g.Sub(loss, g.Scale(entropy, float32(c.EntCoef)))
	}
	if err := a.finite("A2C loss", float64(loss.Data[0])); err != nil {
		return err
	}
	a.log.add(a2cPolicyLoss, float64(pgLoss.Data[0]))
	a.log.add(a2cValueLoss, float64(valueLoss.Data[0]))
	a.log.add(a2cEntropy, float64(entropy.Data[0]))
	if err := a.apply(loss, c.MaxGradNorm); err != nil {
		return err
	}
	a.log.flush(a.steps)
	return nil
}

// Save writes everything Load needs to continue exactly: the network, the optimizer's state, the
// normalization statistics, the partial rollout, the sampling generator, the counters and the
// current observations.
func (a *A2C) Save(dir string) error {
	if err := a.saveCore(dir, nil); err != nil {
		return err
	}
	return writeWith(filepath.Join(dir, rolloutFile), func(w *bufio.Writer) error {
		_, err := a.buf.WriteTo(w)
		return err
	})
}

// Load restores a state Save wrote into an agent built with the same config and env.
func (a *A2C) Load(dir string) error {
	if a.vec == nil {
		return errors.New("a2c: this agent was loaded for evaluation and cannot resume training")
	}
	if err := a.loadCore(dir, nil); err != nil {
		return err
	}
	if err := readWith(filepath.Join(dir, rolloutFile), a.buf); err != nil {
		return fmt.Errorf("a2c: %w", err)
	}
	a.opt.SetLR(a.LearningRate(a.steps))
	return nil
}

// LoadA2CPolicy loads the deterministic policy of a checkpoint directory (policy.safetensors and
// vecnormalize.json) for an env with the given spaces; cfg must describe the same network.
func LoadA2CPolicy(cfg A2CConfig, obs, act env.Space, dir string) (*Policy, error) {
	return loadPolicy("a2c", cfg.netSpec(), cfg.normSettings(), obs, act, dir)
}
