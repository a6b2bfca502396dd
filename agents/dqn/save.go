package dqn

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/nets"
)

// Files of a checkpoint directory.
const (
	// PolicyFile holds the online network (safetensors, PyTorch's parameter names): all a policy
	// needs.
	PolicyFile    = "policy.safetensors"
	targetFile    = "target.safetensors"
	optimizerFile = "optimizer.safetensors"
	replayFile    = "replay.bin"
	stateFile     = "dqn.json"
)

// state is the agent's own counters and generator, saved as JSON (float32 and float64 values
// round-trip exactly through encoding/json).
type state struct {
	Steps     int64     `json:"steps"`
	VecSteps  int64     `json:"vec_steps"`
	GradSteps int64     `json:"grad_steps"`
	Started   bool      `json:"started"`
	Explore   []byte    `json:"explore_rng"`
	Obs       []float32 `json:"obs"`
	LossSum   float64   `json:"loss_sum"`
	QSum      float64   `json:"q_sum"`
	LossN     int64     `json:"loss_n"`
	LastLog   int64     `json:"last_log"`
	// EpsOverride is SetExploration's ε, absent while ε follows its schedule.
	EpsOverride *float64 `json:"exploration_override,omitempty"`
}

func (a *Agent) meta() map[string]string {
	arch, _ := json.Marshal(a.cfg.NetArch)
	return map[string]string{
		"gorl.algo": "dqn", "obs_dim": strconv.Itoa(a.obsDim), "n_actions": strconv.Itoa(a.nActions),
		"net_arch": string(arch), "activation": a.cfg.Activation, "dueling": strconv.FormatBool(a.cfg.Dueling),
	}
}

// Save writes everything Load needs to continue exactly: both networks, Adam's state, the replay
// buffer (with its sampling generator), the exploration generator, the counters, the current
// observations and an ε override (SetExploration).
func (a *Agent) Save(dir string) error {
	if err := nets.Save(filepath.Join(dir, PolicyFile), a.online, a.meta()); err != nil {
		return err
	}
	if err := nets.Save(filepath.Join(dir, targetFile), a.target, a.meta()); err != nil {
		return err
	}
	if err := nets.SaveOptimizer(filepath.Join(dir, optimizerFile), a.opt, nil); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, replayFile), func(w *bufio.Writer) error {
		_, err := a.buf.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("dqn: saving the replay buffer: %w", err)
	}
	rng, err := a.explore.MarshalBinary()
	if err != nil {
		return err
	}
	st := state{Steps: a.steps, VecSteps: a.vecSteps, GradSteps: a.gradSteps, Started: a.started, Explore: rng,
		Obs: a.obs, LossSum: a.lossSum, QSum: a.qSum, LossN: a.lossN, LastLog: a.lastLog}
	if a.epsSet {
		eps := a.epsOverride
		st.EpsOverride = &eps
	}
	js, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, stateFile), func(w *bufio.Writer) error {
		_, err := w.Write(js)
		return err
	})
}

// Load restores a state Save wrote into an agent built with the same Config and env. The env's
// own state is not in the checkpoint (the caller restores it; run replays it from its log).
func (a *Agent) Load(dir string) error {
	if a.opt == nil {
		return errors.New("dqn: this agent was loaded for evaluation and cannot resume training")
	}
	var st state
	js, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return fmt.Errorf("dqn: %w", err)
	}
	if err := json.Unmarshal(js, &st); err != nil {
		return fmt.Errorf("dqn: %s: %w", stateFile, err)
	}
	if e := st.EpsOverride; e != nil && !(*e >= 0 && *e <= 1) {
		return fmt.Errorf("dqn: %s: exploration_override %v is not in [0, 1]", stateFile, *e)
	}
	if len(st.Obs) != len(a.obs) {
		return fmt.Errorf("dqn: %s holds %d observation values; this agent has %d copies of %d", stateFile, len(st.Obs), a.n, a.obsDim)
	}
	if _, err := nets.Load(filepath.Join(dir, PolicyFile), a.online); err != nil {
		return err
	}
	if _, err := nets.Load(filepath.Join(dir, targetFile), a.target); err != nil {
		return err
	}
	if _, err := nets.LoadOptimizer(filepath.Join(dir, optimizerFile), a.opt); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(dir, replayFile))
	if err != nil {
		return fmt.Errorf("dqn: %w", err)
	}
	_, err = a.buf.ReadFrom(bufio.NewReaderSize(f, 1<<16))
	f.Close()
	if err != nil {
		return fmt.Errorf("dqn: %s: %w", replayFile, err)
	}
	if err := a.explore.UnmarshalBinary(st.Explore); err != nil {
		return fmt.Errorf("dqn: %s: %w", stateFile, err)
	}
	a.steps, a.vecSteps, a.gradSteps, a.started = st.Steps, st.VecSteps, st.GradSteps, st.Started
	copy(a.obs, st.Obs)
	a.lossSum, a.qSum, a.lossN, a.lastLog = st.LossSum, st.QSum, st.LossN, st.LastLog
	a.ClearExploration()
	if st.EpsOverride != nil {
		a.SetExploration(*st.EpsOverride)
	}
	a.opt.SetLR(a.LearningRate(a.steps))
	return nil
}

// LoadPolicy loads the greedy policy of a checkpoint directory (its policy.safetensors) for an
// env with the given spaces. cfg must describe the same network (net_arch, activation, dueling):
// a mismatch is an error naming the parameters that differ.
func LoadPolicy(cfg Config, obs, act env.Space, dir string) (*Agent, error) {
	if err := Check(obs, act); err != nil {
		return nil, fmt.Errorf("dqn: %w", err)
	}
	a, err := newAgent(cfg, obs, act.(env.Discrete), 0)
	if err != nil {
		return nil, err
	}
	if _, err := nets.Load(filepath.Join(dir, PolicyFile), a.online); err != nil {
		return nil, err
	}
	return a, nil
}

// writeFile writes path through a buffered writer. It does not fsync: a run fsyncs the whole
// checkpoint directory once before publishing it.
func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	return errors.Join(err, f.Close())
}
