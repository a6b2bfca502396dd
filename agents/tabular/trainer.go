package tabular

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run/rundir"
)

// The trainers adapt the agents to rlrun's training run (package run's Trainer interface, which
// they satisfy structurally: agent packages do not import run). Both train on a vector env of
// one copy that the run builds, so that the run can record its actions, log the episode returns
// and replay it on resume; global_step counts the steps of that env, the NEXT_STEP autoreset
// steps included (as CleanRL's global_step does with Gymnasium 1.x).
//
// A checkpoint directory holds policy.safetensors (the table of Q(s, a) the greedy policy reads,
// an F64 tensor "q" of shape [states, actions]), the agent's or planner's state (agent.bin,
// planner.bin) and the trainer's counters (trainer.json).

// Files of a trainer's checkpoint.
const (
	PolicyFile  = "policy.safetensors"
	agentFile   = "agent.bin"
	plannerFile = "planner.bin"
	trainerFile = "trainer.json"
)

// Options are what a run gives a trainer besides its config.
type Options struct {
	// Seed seeds the env (its first Reset) and the agent's exploration.
	Seed uint64
	// TotalSteps is the run's length in env steps (n_timesteps): the TD agents' schedules span
	// it, and a planner completes its plan when the run reaches it.
	TotalSteps int64
	// Log, when set, receives the metrics against env steps.
	Log func(step int64, key string, value float64)
	// EnvID names the env in the metadata of policy.safetensors.
	EnvID string
}

// CheckTD returns an error unless a TD agent can learn in the spaces: a Discrete or
// MultiDiscrete observation space and a Discrete action space.
func CheckTD(obs, act env.Space) error {
	if _, err := newStateEncoder(obs); err != nil {
		return err
	}
	if _, ok := act.(env.Discrete); !ok {
		return fmt.Errorf("tabular: the action space is %v; tabular agents need a Discrete one (use a policy-gradient method for continuous actions)", act)
	}
	return nil
}

// CheckPlan returns an error unless the spaces can be those of a planner's env: Discrete
// observations and actions. The planner also needs the env's model (env.Model), which
// NewPlanTrainer checks.
func CheckPlan(obs, act env.Space) error {
	if _, ok := obs.(env.Discrete); !ok {
		return fmt.Errorf("tabular: the observation space is %v; the planners need an env with a model over Discrete states (FrozenLake, CliffWalking, Taxi, GridWorld); use qlearning for the others", obs)
	}
	if _, ok := act.(env.Discrete); !ok {
		return fmt.Errorf("tabular: the action space is %v; the planners need a Discrete one", act)
	}
	return nil
}

// LoadPolicy loads the greedy policy of a trainer's checkpoint directory (its
// policy.safetensors) for an env with the given spaces.
func LoadPolicy(obs, act env.Space, dir string) (*Policy, error) {
	t, meta, err := LoadTable(filepath.Join(dir, PolicyFile))
	if err != nil {
		return nil, err
	}
	if d, ok := act.(env.Discrete); !ok || d.N != t.NumActions {
		where := ""
		if e := meta["env"]; e != "" {
			where = " (saved for " + e + ")"
		}
		return nil, fmt.Errorf("tabular: the table has %d actions%s; the env's action space is %v: %w", t.NumActions, where, act, ErrShape)
	}
	return NewPolicy(t, obs)
}

// trainerState is trainer.json: the counters a trainer keeps besides its agent's or planner's.
type trainerState struct {
	Steps   int64 `json:"global_step"`
	Started bool  `json:"started"`
	// Reset: the last step ended an episode, so the next step is the vector env's autoreset.
	Reset bool `json:"reset"`
	// State is the state index of the last observation (the planner's; the TD agent keeps its
	// own).
	State int `json:"state"`
	// The interval's sums for the TD metrics.
	SumSq float64 `json:"sum_sq_td_error"`
	SumQ  float64 `json:"sum_q"`
	N     int64   `json:"n"`
}

func checkVector(vec env.VectorEnv) error {
	if n := vec.NumEnvs(); n != 1 {
		return fmt.Errorf("tabular: a vector env of %d copies; the tabular trainers step one", n)
	}
	return nil
}

// TDTrainer trains a TD agent (Q-learning, SARSA, Expected SARSA) on a vector env of one copy:
// rlrun's qlearning, sarsa and expectedsarsa. Each step of the env is one Observe of the
// agent, except the autoreset step after an episode's end, which starts the next episode. Every
// LogInterval env steps it logs CleanRL's keys: losses/td_loss (the mean squared TD error of
// the steps since the last row), losses/q_values (the mean Q(s, a) of the actions taken,
// before their update), charts/epsilon and charts/learning_rate.
//
// Learn is chunk-invariant, and Save then Load (into a trainer built alike, on a vector env
// restored to the same point) continues exactly.
type TDTrainer struct {
	// Agent is the agent being trained (the viewer reads its table).
	Agent *Agent

	vec   env.VectorEnv
	opts  Options
	every int64
	act   []float32
	st    trainerState
}

// NewTDTrainer returns a trainer of a TD agent with the given method and config on vec, which
// must hold one copy of an env with Discrete or MultiDiscrete observations and Discrete
// actions. The agent's schedules span opts.TotalSteps.
func NewTDTrainer(method Method, cfg Config, vec env.VectorEnv, opts Options) (*TDTrainer, error) {
	if err := checkVector(vec); err != nil {
		return nil, err
	}
	if err := CheckTD(vec.SingleObservationSpace(), vec.SingleActionSpace()); err != nil {
		return nil, err
	}
	ag, err := New(method, cfg, vec.SingleObservationSpace(), vec.SingleActionSpace(), opts.TotalSteps, opts.Seed)
	if err != nil {
		return nil, err
	}
	return &TDTrainer{Agent: ag, vec: vec, opts: opts, every: cfg.LogInterval, act: make([]float32, 1)}, nil
}

// Learn trains until Steps() ≥ until or ctx is done (then it returns ctx.Err() at a step
// boundary).
func (t *TDTrainer) Learn(ctx context.Context, until int64) error {
	ag := t.Agent
	if !t.st.Started {
		seed := t.opts.Seed
		obs := t.vec.Reset(&seed)
		ag.Start(ag.StateOf(obs))
		t.st.Started = true
	}
	for t.st.Steps < until {
		if t.st.Steps&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if t.st.Reset {
			t.act[0] = 0 // ignored: this step resets the env
		} else {
			t.act[0] = float32(ag.a)
		}
		obs, rew, term, trunc := t.vec.Step(t.act)
		t.st.Steps++
		if t.st.Reset {
			ag.Start(ag.StateOf(obs))
			t.st.Reset = false
		} else {
			t.st.SumQ += ag.Q[ag.s*ag.NumActions+ag.a]
			ag.Observe(rew[0], ag.StateOf(obs), term[0], trunc[0])
			t.st.SumSq += ag.delta * ag.delta
			t.st.N++
			t.st.Reset = term[0] || trunc[0]
		}
		if t.st.Steps%t.every == 0 {
			t.logMetrics()
		}
	}
	return nil
}

// logMetrics writes the interval's means and the schedules' current values.
func (t *TDTrainer) logMetrics() {
	if log := t.opts.Log; log != nil {
		if t.st.N > 0 {
			log(t.st.Steps, "losses/td_loss", t.st.SumSq/float64(t.st.N))
			log(t.st.Steps, "losses/q_values", t.st.SumQ/float64(t.st.N))
		}
		log(t.st.Steps, "charts/epsilon", t.Agent.Epsilon())
		log(t.st.Steps, "charts/learning_rate", t.Agent.LearningRate())
	}
	t.st.SumSq, t.st.SumQ, t.st.N = 0, 0, 0
}

// Steps returns the env steps taken (global_step).
func (t *TDTrainer) Steps() int64 { return t.st.Steps }

// Act writes the greedy action for obs into action[0].
func (t *TDTrainer) Act(obs, action []float32) { t.Agent.Act(obs, action) }

// QValues writes Q(s, a) of the observation's state for every action into dst.
func (t *TDTrainer) QValues(obs, dst []float32) { t.Agent.QValues(obs, dst) }

// Table returns the agent's table of action values (for the viewer's overlay of values and
// greedy actions).
func (t *TDTrainer) Table() *Table { return t.Agent.Table }

// SetExploration overrides the agent's ε schedule with eps from the next env step on (see
// Agent.SetExploration): package run's ExplorationSetter, which the viewer's ε keys use. The
// next charts/epsilon row shows it, and checkpoints keep it (agent.bin).
func (t *TDTrainer) SetExploration(eps float64) { t.Agent.SetExploration(eps) }

// ClearExploration returns ε to its schedule from the next env step on.
func (t *TDTrainer) ClearExploration() { t.Agent.ClearExploration() }

// Exploration returns the ε of the next env step and whether it is an override.
func (t *TDTrainer) Exploration() (eps float64, overridden bool) { return t.Agent.Exploration() }

// Save writes policy.safetensors, agent.bin and trainer.json into dir.
func (t *TDTrainer) Save(dir string) error {
	if err := t.Agent.Table.Save(filepath.Join(dir, PolicyFile), map[string]string{"env": t.opts.EnvID, "algo": string(t.Agent.method)}); err != nil {
		return err
	}
	b, err := t.Agent.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, agentFile), b, 0o644); err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	return rundir.WriteJSON(filepath.Join(dir, trainerFile), &t.st)
}

// Load restores what Save wrote.
func (t *TDTrainer) Load(dir string) error {
	var st trainerState
	if err := rundir.ReadJSON(filepath.Join(dir, trainerFile), &st); err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, agentFile))
	if err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	if err := t.Agent.UnmarshalBinary(b); err != nil {
		return err
	}
	if !st.Reset && st.Started && t.Agent.s < 0 {
		return errors.New("tabular: trainer.json and agent.bin disagree: the agent is between episodes but the trainer is not")
	}
	t.st = st
	return nil
}

// Close releases nothing: the vector env belongs to the caller.
func (t *TDTrainer) Close() error { return nil }

// PlanTrainer runs a planner (value iteration or policy iteration) in a training run: rlrun's
// valueiteration and policyiteration.
//
// A planner needs no experience: it computes its values from the env's model. In a run it plans
// while its greedy policy acts, so that the run directory holds what a learner's does: the
// greedy policy of the values so far plays the vector env's episodes, and each finished episode
// is followed by one sweep (value iteration: a Bellman optimality sweep; policy iteration: a
// sweep of the current policy's evaluation, with a greedy improvement when that evaluation has
// converged). Episode k of the learning curve is therefore played after k sweeps, and the curve
// shows how fast planning finds a good policy. n_timesteps (TotalSteps) is the number of env
// steps played; when the run reaches it, the planner sweeps on to convergence, so the final
// checkpoint and eval.json always hold the converged plan. After convergence the episodes play
// the final policy.
//
// Each sweep logs, against the env step it follows: losses/value_delta (the largest change of a
// state value, the Bellman residual that Theta bounds), charts/sweeps (sweeps so far),
// charts/policy_changes (states whose greedy action the sweep changed), charts/start_value (the
// values averaged over the initial-state distribution: the discounted return the plan
// predicts), and for policy iteration charts/iterations (improvements so far).
type PlanTrainer struct {
	// Planner is the planner being run.
	Planner *Planner

	m      env.Model
	q      *Table // the lookahead of the planner's values: what the policy acts on
	states stateEncoder
	vec    env.VectorEnv
	opts   Options
	act    []float32
	isd    []float64
	before []int // greedy actions before a sweep, to count the changes
	st     trainerState
}

// NewPlanTrainer returns a trainer that runs the planner named name (ValueIterationName or
// PolicyIterationName) on the model m while its greedy policy plays vec, a vector env of one
// copy of the env whose model m is.
func NewPlanTrainer(name string, cfg PlanConfig, m env.Model, vec env.VectorEnv, opts Options) (*PlanTrainer, error) {
	if err := checkVector(vec); err != nil {
		return nil, err
	}
	obs, act := vec.SingleObservationSpace(), vec.SingleActionSpace()
	if err := CheckPlan(obs, act); err != nil {
		return nil, err
	}
	enc, _ := newStateEncoder(obs)
	if enc.n != m.NumStates() || act.(env.Discrete).N != m.NumActions() {
		return nil, fmt.Errorf("tabular: the model has %d states × %d actions; the env's spaces are %v and %v", m.NumStates(), m.NumActions(), obs, act)
	}
	p, err := NewPlanner(name, m, cfg)
	if err != nil {
		return nil, err
	}
	t := &PlanTrainer{Planner: p, m: m, states: enc, vec: vec, opts: opts, act: make([]float32, 1),
		isd: m.InitialDistribution(), before: make([]int, m.NumStates())}
	t.q = p.Lookahead(nil)
	return t, nil
}

// Learn plays until Steps() ≥ until or ctx is done, sweeping after every episode, and
// completes the plan at step TotalSteps. A planner that fails to converge (max_sweeps) stops
// it with an error naming the step.
func (t *PlanTrainer) Learn(ctx context.Context, until int64) error {
	if !t.st.Started {
		seed := t.opts.Seed
		t.st.State = t.states.index(t.vec.Reset(&seed))
		t.st.Started = true
	}
	for t.st.Steps < until {
		if t.st.Steps&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		t.act[0] = float32(t.q.Greedy(t.st.State)) // ignored by an autoreset step
		obs, _, term, trunc := t.vec.Step(t.act)
		t.st.Steps++
		t.st.State = t.states.index(obs)
		if (term[0] || trunc[0]) && !t.Planner.Done() {
			if err := t.sweep(); err != nil {
				return err
			}
		}
		if t.st.Steps == t.opts.TotalSteps {
			for !t.Planner.Done() {
				if err := t.sweep(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sweep runs one sweep, refreshes the acting table and logs the sweep's figures.
func (t *PlanTrainer) sweep() error {
	for s := range t.before {
		t.before[s] = t.q.Greedy(s)
	}
	st, err := t.Planner.Sweep()
	if err != nil {
		return fmt.Errorf("%w (at env step %d)", err, t.st.Steps)
	}
	t.Planner.Lookahead(t.q)
	changes := 0
	for s, a := range t.before {
		if t.q.Greedy(s) != a {
			changes++
		}
	}
	if log := t.opts.Log; log != nil {
		step := t.st.Steps
		log(step, "losses/value_delta", st.Delta)
		log(step, "charts/sweeps", float64(t.Planner.Sweeps()))
		log(step, "charts/policy_changes", float64(changes))
		start := 0.0
		for s, p := range t.isd {
			start += p * t.Planner.v[s]
		}
		log(step, "charts/start_value", start)
		if t.Planner.name == PolicyIterationName {
			log(step, "charts/iterations", float64(t.Planner.Iterations()))
		}
	}
	return nil
}

// Steps returns the env steps played (global_step).
func (t *PlanTrainer) Steps() int64 { return t.st.Steps }

// Act writes the greedy action of the current values for obs into action[0].
func (t *PlanTrainer) Act(obs, action []float32) {
	action[0] = float32(t.q.Greedy(t.states.index(obs)))
}

// QValues writes the one-step lookahead Q(s, a) of the current values for every action into
// dst.
func (t *PlanTrainer) QValues(obs, dst []float32) {
	for a, q := range t.q.Row(t.states.index(obs)) {
		dst[a] = float32(q)
	}
}

// Table returns the lookahead table of the current values (for the viewer's overlay).
func (t *PlanTrainer) Table() *Table { return t.q }

// Save writes policy.safetensors (the lookahead table), planner.bin and trainer.json into dir.
func (t *PlanTrainer) Save(dir string) error {
	if err := t.q.Save(filepath.Join(dir, PolicyFile), map[string]string{"env": t.opts.EnvID, "algo": t.Planner.name}); err != nil {
		return err
	}
	b, err := t.Planner.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, plannerFile), b, 0o644); err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	return rundir.WriteJSON(filepath.Join(dir, trainerFile), &t.st)
}

// Load restores what Save wrote.
func (t *PlanTrainer) Load(dir string) error {
	var st trainerState
	if err := rundir.ReadJSON(filepath.Join(dir, trainerFile), &st); err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	if st.State < 0 || st.State >= t.m.NumStates() {
		return fmt.Errorf("tabular: trainer.json: state %d outside the model's %d states", st.State, t.m.NumStates())
	}
	b, err := os.ReadFile(filepath.Join(dir, plannerFile))
	if err != nil {
		return fmt.Errorf("tabular: %w", err)
	}
	if err := t.Planner.UnmarshalBinary(b); err != nil {
		return err
	}
	t.Planner.Lookahead(t.q)
	t.st = st
	return nil
}

// Close releases nothing: the vector env belongs to the caller.
func (t *PlanTrainer) Close() error { return nil }
