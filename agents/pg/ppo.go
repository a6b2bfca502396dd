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

// PPOConfig holds PPO's hyperparameters. The YAML keys are Stable-Baselines3's PPO arguments
// (policy_kwargs and VecNormalize's arguments flattened into the same map), so RL Zoo's
// hyperparams/ppo.yml entries read the same; every default is SB3's and is stated on its field.
type PPOConfig struct {
	// NumEnvs is the number of env copies stepped together. Default: 1.
	NumEnvs int `yaml:"n_envs"`
	// NumSteps is the number of vector steps per rollout (a rollout holds n_steps·n_envs
	// slots). Default: 2048.
	NumSteps int `yaml:"n_steps"`
	// BatchSize is the minibatch size. Default: 64.
	BatchSize int `yaml:"batch_size"`
	// NumEpochs is the number of passes over each rollout, each in a fresh random order.
	// Default: 10.
	NumEpochs int `yaml:"n_epochs"`
	// Gamma is the discount factor. Default: 0.99.
	Gamma float64 `yaml:"gamma"`
	// GAELambda is GAE's λ: 1 gives Monte-Carlo-like advantages, 0 one-step TD errors.
	// Default: 0.95.
	GAELambda float64 `yaml:"gae_lambda"`
	// ClipRange is the clipping ε of the surrogate: ratios outside [1−ε, 1+ε] take no
	// gradient where that would improve the objective. Default: 0.2.
	ClipRange float64 `yaml:"clip_range"`
	// ClipRangeSchedule is constant, or linear: ε goes linearly to 0 over n_timesteps (RL Zoo's
	// lin_0.2). Default: constant.
	ClipRangeSchedule string `yaml:"clip_range_schedule"`
	// ClipRangeVF clips the new value prediction to within ±clip_range_vf of the rollout's
	// (SB3's value clipping: the loss is the squared error of the clipped prediction); 0
	// disables it (SB3's None). Default: 0.
	ClipRangeVF float64 `yaml:"clip_range_vf"`
	// NormalizeAdvantage standardizes the advantages within every minibatch. Default: true.
	NormalizeAdvantage bool `yaml:"normalize_advantage"`
	// EntCoef weighs the entropy bonus. Default: 0.
	EntCoef float64 `yaml:"ent_coef"`
	// VFCoef weighs the value loss. Default: 0.5.
	VFCoef float64 `yaml:"vf_coef"`
	// MaxGradNorm clips the global gradient norm (0 disables clipping). Default: 0.5.
	MaxGradNorm float64 `yaml:"max_grad_norm"`
	// TargetKL stops a rollout's epochs at the first minibatch whose approximate KL divergence
	// from the rollout's policy exceeds 1.5·target_kl, before its gradient step (SB3's rule);
	// 0 disables it. Default: 0.
	TargetKL float64 `yaml:"target_kl"`

	// LearningRate is Adam's learning rate. Default: 3e-4.
	LearningRate float64 `yaml:"learning_rate"`
	// LRSchedule is constant, or linear: the learning rate goes linearly from learning_rate to
	// learning_rate_final over n_timesteps (RL Zoo's lin_X when the final rate is 0).
	// Default: constant.
	LRSchedule string `yaml:"lr_schedule"`
	// LearningRateFinal is the learning rate at the end of a linear schedule. Default: 0.
	LearningRateFinal float64 `yaml:"learning_rate_final"`
	// AdamEps is Adam's epsilon. Default: 1e-5 (SB3's for PPO and A2C).
	AdamEps float64 `yaml:"adam_eps"`

	// NetArch lists the hidden sizes of the policy trunk (and of the value trunk unless
	// vf_net_arch is set). Default: [64, 64].
	NetArch []int `yaml:"net_arch"`
	// VFNetArch lists the hidden sizes of the value trunk; empty means net_arch. Default: [].
	VFNetArch []int `yaml:"vf_net_arch"`
	// SharedTrunk makes the policy and value heads share one trunk of net_arch (CleanRL's
	// Atari agent, SB3's old shared layers) instead of two separate ones. Default: false.
	SharedTrunk bool `yaml:"shared_trunk"`
	// Activation is the hidden activation: tanh or relu. Default: tanh.
	Activation string `yaml:"activation"`
	// OrthoInit initializes the weights orthogonally (gain √2 in the trunks, 0.01 in the policy
	// head, 1 in the value head) and the biases to zero; false keeps PyTorch's Linear
	// initialization. Default: true.
	OrthoInit bool `yaml:"ortho_init"`
	// LogStdInit is the initial log standard deviation of a Gaussian policy (Box actions).
	// Default: 0.
	LogStdInit float64 `yaml:"log_std_init"`

	// NormObs normalizes observations with running statistics (VecNormalize's norm_obs);
	// evaluation uses the saved statistics, frozen. Default: false.
	NormObs bool `yaml:"norm_obs"`
	// NormReward scales rewards by the running standard deviation of the discounted return
	// (VecNormalize's norm_reward). Default: false.
	NormReward bool `yaml:"norm_reward"`
	// ClipObs clips normalized observations to ±clip_obs. Default: 10.
	ClipObs float64 `yaml:"clip_obs"`
	// ClipReward clips normalized rewards to ±clip_reward. Default: 10.
	ClipReward float64 `yaml:"clip_reward"`

	// LogInterval is the number of env steps between rows of the losses in metrics.csv (means
	// over the gradient steps in between). Default: 1000.
	LogInterval int64 `yaml:"log_interval"`
}

// DefaultPPOConfig returns the defaults stated on PPOConfig's fields (Stable-Baselines3's).
func DefaultPPOConfig() PPOConfig {
	return PPOConfig{
		NumEnvs: 1, NumSteps: 2048, BatchSize: 64, NumEpochs: 10, Gamma: 0.99, GAELambda: 0.95,
		ClipRange: 0.2, ClipRangeSchedule: "constant", NormalizeAdvantage: true, VFCoef: 0.5, MaxGradNorm: 0.5,
		LearningRate: 3e-4, LRSchedule: "constant", AdamEps: 1e-5,
		NetArch: []int{64, 64}, Activation: "tanh", OrthoInit: true,
		ClipObs: 10, ClipReward: 10, LogInterval: 1000,
	}
}

// Validate checks every field and names each bad one with its value.
func (c PPOConfig) Validate() error {
	var v validator
	v.check(c.NumEnvs >= 1, "n_envs = %d; want at least 1", c.NumEnvs)
	v.check(c.NumSteps >= 1, "n_steps = %d; want at least 1", c.NumSteps)
	v.check(c.BatchSize >= 1, "batch_size = %d; want at least 1", c.BatchSize)
	v.check(!c.NormalizeAdvantage || c.BatchSize >= 2, "batch_size = %d with normalize_advantage: want at least 2 (a minibatch of one has no spread)", c.BatchSize)
	v.check(c.NumEpochs >= 1, "n_epochs = %d; want at least 1", c.NumEpochs)
	v.unit("gamma", c.Gamma)
	v.unit("gae_lambda", c.GAELambda)
	v.check(c.ClipRange > 0, "clip_range = %g; want a positive number", c.ClipRange)
	v.schedule("clip_range_schedule", c.ClipRangeSchedule)
	v.check(c.ClipRangeVF >= 0, "clip_range_vf = %g; want 0 (off) or a positive number", c.ClipRangeVF)
	v.check(c.EntCoef >= 0, "ent_coef = %g; want 0 or more", c.EntCoef)
	v.check(c.VFCoef >= 0, "vf_coef = %g; want 0 or more", c.VFCoef)
	v.check(c.MaxGradNorm >= 0, "max_grad_norm = %g; want 0 (no clipping) or more", c.MaxGradNorm)
	v.check(c.TargetKL >= 0, "target_kl = %g; want 0 (off) or a positive number", c.TargetKL)
	v.learningRate(c.LearningRate, c.LRSchedule, c.LearningRateFinal)
	v.check(c.AdamEps > 0, "adam_eps = %g; want a positive number", c.AdamEps)
	v.network(c.NetArch, c.VFNetArch, c.SharedTrunk, c.Activation, c.LogStdInit)
	v.normalization(c.ClipObs, c.ClipReward)
	v.check(c.LogInterval >= 1, "log_interval = %d; want at least 1", c.LogInterval)
	return v.err()
}

func (c PPOConfig) netSpec() netSpec {
	return netSpec{piArch: c.NetArch, vfArch: vfArch(c.NetArch, c.VFNetArch), activation: c.Activation, shared: c.SharedTrunk,
		orthoInit: c.OrthoInit, logStdInit: c.LogStdInit, critic: true}
}

func (c PPOConfig) normSettings() normSettings {
	return normSettings{obs: c.NormObs, reward: c.NormReward, clipObs: c.ClipObs, clipReward: c.ClipReward, gamma: c.Gamma}
}

// PPO is Proximal Policy Optimization with the clipped surrogate objective (Schulman et al.,
// 2017, "Proximal Policy Optimization Algorithms"), as Stable-Baselines3 and CleanRL implement
// it: rollouts of n_steps on n_envs copies, GAE advantages, n_epochs passes of shuffled
// minibatches, one Adam step each on
//
//	L = −mean(min(ρA, clip(ρ, 1−ε, 1+ε)A)) + vf_coef·mean((V − R)²) − ent_coef·mean(H)
//
// with ρ = π(a|s)/π_old(a|s). It is also the trainer (Learn, Save, Load) and, through the
// embedded Policy, the greedy policy. It is not safe for concurrent use.
type PPO struct {
	*core
	cfg PPOConfig

	buf    *replay.Rollout
	batch  *replay.RolloutBatch
	mbSize int
	idx    []int
	lastV  []float32
}

// PPO's metric keys, in the order meanLog holds them.
const (
	ppoPolicyLoss = iota
	ppoValueLoss
	ppoEntropy
	ppoApproxKL
	ppoClipFrac
	ppoExplainedVar
	ppoLR
	ppoClipRange
	ppoStd
)

// NewPPO builds a PPO agent that trains on vec. The network is initialized from opts.Seed;
// nothing is stepped until Learn.
func NewPPO(cfg PPOConfig, vec env.VectorEnv, opts Options) (*PPO, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ppo: %w", err)
	}
	c, err := newCore("ppo", cfg.netSpec(), cfg.normSettings(), vec.SingleObservationSpace(), vec.SingleActionSpace(), cfg.NumEnvs, opts.Seed)
	if err != nil {
		return nil, err
	}
	if err := c.attach(vec, cfg.NumEnvs, opts); err != nil {
		return nil, err
	}
	if c.opt, err = nets.NewAdam(c.ps, nets.AdamConfig{LR: cfg.LearningRate, Eps: cfg.AdamEps}); err != nil {
		return nil, fmt.Errorf("ppo: %w", err)
	}
	p := &PPO{core: c, cfg: cfg}
	p.buf, err = replay.NewRollout(replay.RolloutConfig{NumSteps: cfg.NumSteps, NumEnvs: cfg.NumEnvs,
		ObsDim: c.net.obsDim, ActDim: c.act.actDim(), Gamma: cfg.Gamma, Lambda: cfg.GAELambda})
	if err != nil {
		return nil, fmt.Errorf("ppo: %w", err)
	}
	mb := min(cfg.BatchSize, p.buf.Size())
	p.batch, p.mbSize = p.buf.NewBatch(mb), mb
	p.idx = make([]int, 0, p.buf.Size())
	p.lastV = make([]float32, cfg.NumEnvs)
	c.log = newMeanLog(cfg.LogInterval, opts.Log, "losses/policy_loss", "losses/value_loss", "losses/entropy", "losses/approx_kl",
		"losses/clipfrac", "losses/explained_variance", "charts/learning_rate", "charts/clip_range", "charts/action_std")
	return p, nil
}

// LearningRate returns the learning rate at env step t.
func (p *PPO) LearningRate(t int64) float64 {
	return p.schedule(p.cfg.LRSchedule, p.cfg.LearningRate, p.cfg.LearningRateFinal, t)
}

// ClipRangeAt returns the clipping ε at env step t.
func (p *PPO) ClipRangeAt(t int64) float64 {
	return p.schedule(p.cfg.ClipRangeSchedule, p.cfg.ClipRange, 0, t)
}

// Learn trains until Steps() ≥ until or ctx is done: each vector step samples every copy's action
// and value, steps the env and stores the step in the rollout; a full rollout is learned from at
// once (in the step that fills it). Learn(ctx, a) followed by Learn(ctx, b) is the same as
// Learn(ctx, b).
func (p *PPO) Learn(ctx context.Context, until int64) error {
	if p.vec == nil {
		return errors.New("ppo: this agent was loaded for evaluation and cannot train")
	}
	p.begin()
	for i := 0; p.steps < until; i++ {
		if i&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		p.sample(true)
		next, rewards, term, trunc := p.step()
		p.buf.Add(p.obs, p.actions, p.logp, p.values, rewards, term, trunc)
		p.observe(next, term, trunc)
		if p.buf.Full() {
			if err := p.update(); err != nil {
				return err
			}
		}
	}
	return nil
}

// update learns from the full rollout: GAE with the values of the observations the next rollout
// starts from, then n_epochs of shuffled minibatches over the valid slots.
func (p *PPO) update() error {
	c := p.cfg
	p.valuesNow(p.lastV)
	p.buf.ComputeGAE(p.lastV)
	lr := p.LearningRate(p.steps)
	clip := float32(p.ClipRangeAt(p.steps))
	p.opt.SetLR(lr)
	p.idx = p.buf.ValidIndices(p.idx)
	if ev, ok := explainedVariance(p.buf, p.idx); ok {
		p.log.add(ppoExplainedVar, ev)
	}
	p.log.add(ppoLR, lr)
	p.log.add(ppoClipRange, float64(clip))
	if !p.act.discrete {
		var s float64
		for _, ls := range p.net.logStd.Data {
			s += math.Exp(float64(ls))
		}
		p.log.add(ppoStd, s/float64(len(p.net.logStd.Data)))
	}
	idx := p.idx
epochs:
	for range c.NumEpochs {
		for k := len(idx) - 1; k > 0; k-- { // Fisher–Yates
			j := p.rng.IntN(k + 1)
			idx[k], idx[j] = idx[j], idx[k]
		}
		for start := 0; start < len(idx); start += p.mbSize {
			mb := idx[start:min(start+p.mbSize, len(idx))]
			stop, err := p.minibatch(mb, clip)
			if err != nil {
				return err
			}
			if stop {
				break epochs
			}
		}
	}
	p.buf.Reset()
	p.log.flush(p.steps)
	return nil
}

// minibatch takes one gradient step on the slots mb; stop reports target-KL early stopping.
func (p *PPO) minibatch(mb []int, clip float32) (stop bool, err error) {
	c := p.cfg
	b := p.batch
	p.buf.Gather(mb, b)
	m := b.Size
	if c.NormalizeAdvantage && m > 1 {
		standardize(b.Advantages[:m])
	}
	g := p.train
	g.Reset()
	x := tensorOf(g, b.Obs[:m*p.net.obsDim], m, p.net.obsDim)
	pi, v := p.net.forward(g, x, true, true)
	logp, ent := p.logProb(g, pi, b.Actions[:m*p.act.actDim()], m)
	oldLogp := tensorOf(g, b.LogProbs[:m], m)
	adv := tensorOf(g, b.Advantages[:m], m)
	pgLoss, ratio := ppoClipLoss(g, logp, oldLogp, adv, clip)

	// SB3's approximate KL, (ρ − 1) − log ρ, and the fraction of clipped ratios.
	var kl, clipped float64
	for i, r := range ratio.Data {
		lr := float64(logp.Data[i]) - float64(b.LogProbs[i])
		kl += math.Expm1(lr) - lr
		if math.Abs(float64(r)-1) > float64(clip) {
			clipped++
		}
	}
	kl /= float64(m)
	p.log.add(ppoApproxKL, kl)
	p.log.add(ppoClipFrac, clipped/float64(m))
	if c.TargetKL > 0 && kl > 1.5*c.TargetKL {
		return true, nil
	}

	returns := tensorOf(g, b.Returns[:m], m)
	vpred := v
	if c.ClipRangeVF > 0 {
		old := tensorOf(g, b.Values[:m], m)
		cv := float32(c.ClipRangeVF)
		vpred = g.Add(old, g.Clamp(g.Sub(v, old), -cv, cv))
	}
	valueLoss := g.MSELoss(vpred, returns, nets.ReduceMean)
	entropy := g.Mean(ent)
	loss := g.Add(pgLoss, g.Scale(valueLoss, float32(c.VFCoef)))
	if c.EntCoef != 0 {
		loss = g.Sub(loss, g.Scale(entropy, float32(c.EntCoef)))
	}
	if err := p.finite("PPO loss", float64(loss.Data[0])); err != nil {
		return false, err
	}
	p.log.add(ppoPolicyLoss, float64(pgLoss.Data[0]))
	p.log.add(ppoValueLoss, float64(valueLoss.Data[0]))
	p.log.add(ppoEntropy, float64(entropy.Data[0]))
	return false, p.apply(loss, c.MaxGradNorm)
}

// ppoClipLoss is PPO's clipped surrogate loss −mean(min(ρ·A, clip(ρ, 1−ε, 1+ε)·A)) with
// ρ = exp(logp − oldLogp); it also returns ρ. Where ρ lies inside the clip range both terms are
// equal and the gradient is A·ρ per row (split evenly between them, as torch.min does); outside,
// the minimum picks the clipped term exactly when moving ρ further would improve the objective,
// and that term has no gradient.
func ppoClipLoss(g *nets.Graph, logp, oldLogp, adv *nets.Tensor, eps float32) (loss, ratio *nets.Tensor) {
	ratio = g.Exp(g.Sub(logp, oldLogp))
	s1 := g.Mul(ratio, adv)
	s2 := g.Mul(g.Clamp(ratio, 1-eps, 1+eps), adv)
	return g.Neg(g.Mean(g.Minimum(s1, s2))), ratio
}

// logProb returns log π(a|s) [m] of the actions (m×actDim) under the policy head's output pi and
// the entropy ([m], or a scalar for the Gaussian whose entropy does not depend on the state).
func (c *core) logProb(g *nets.Graph, pi *nets.Tensor, actions []float32, m int) (logp, ent *nets.Tensor) {
	if c.act.discrete {
		idx := g.Ints(m)
		for i := range idx {
			idx[i] = int(actions[i])
		}
		return categoricalLogProb(g, pi, idx)
	}
	return gaussianLogProb(g, pi, c.net.logStd, tensorOf(g, actions, m, c.act.dim))
}

// tensorOf copies data into an arena tensor of the given shape (valid until g's next Reset).
func tensorOf(g *nets.Graph, data []float32, shape ...int) *nets.Tensor {
	t := g.Zeros(shape...)
	copy(t.Data, data)
	return t
}

// standardize makes x zero-mean with unit (unbiased, as torch.std) standard deviation, plus
// 1e-8 in the denominator as SB3 and CleanRL do.
func standardize(x []float32) {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	mean := s / float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	std := math.Sqrt(ss / float64(len(x)-1))
	for i, v := range x {
		x[i] = float32((float64(v) - mean) / (std + 1e-8))
	}
}

// explainedVariance is 1 − Var(R − V)/Var(R) over the slots idx: 1 for a perfect critic, 0 for
// one that predicts the mean. ok is false when the returns do not vary.
func explainedVariance(r *replay.Rollout, idx []int) (ev float64, ok bool) {
	if len(idx) < 2 {
		return 0, false
	}
	var sy, sd float64
	for _, s := range idx {
		sy += float64(r.Returns[s])
		sd += float64(r.Returns[s] - r.Values[s])
	}
	n := float64(len(idx))
	my, md := sy/n, sd/n
	var vy, vd float64
	for _, s := range idx {
		y := float64(r.Returns[s]) - my
		d := float64(r.Returns[s]-r.Values[s]) - md
		vy += y * y
		vd += d * d
	}
	if vy == 0 {
		return 0, false
	}
	return 1 - vd/vy, true
}

// Save writes everything Load needs to continue exactly: the network, Adam's state, the
// normalization statistics, the partial rollout, the sampling generator, the counters and the
// current observations.
func (p *PPO) Save(dir string) error {
	if err := p.saveCore(dir, nil); err != nil {
		return err
	}
	return writeWith(filepath.Join(dir, rolloutFile), func(w *bufio.Writer) error {
		_, err := p.buf.WriteTo(w)
		return err
	})
}

// Load restores a state Save wrote into an agent built with the same config and env.
func (p *PPO) Load(dir string) error {
	if p.vec == nil {
		return errors.New("ppo: this agent was loaded for evaluation and cannot resume training")
	}
	if err := p.loadCore(dir, nil); err != nil {
		return err
	}
	if err := readWith(filepath.Join(dir, rolloutFile), p.buf); err != nil {
		return fmt.Errorf("ppo: %w", err)
	}
	p.opt.SetLR(p.LearningRate(p.steps))
	return nil
}

// LoadPPOPolicy loads the deterministic policy of a checkpoint directory (policy.safetensors and
// vecnormalize.json) for an env with the given spaces; cfg must describe the same network.
func LoadPPOPolicy(cfg PPOConfig, obs, act env.Space, dir string) (*Policy, error) {
	return loadPolicy("ppo", cfg.netSpec(), cfg.normSettings(), obs, act, dir)
}
