package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/run/rundir"
)

// tinyDQN is a DQN config small enough to train in a fraction of a second.
var tinyDQN = []string{"n_timesteps=3000", "learning_starts=200", "batch_size=16", "net_arch=[16]", "train_freq=1",
	"buffer_size=5000", "checkpoint_every=1000", "eval_episodes=3", "target_update_interval=100", "keep_checkpoints=0"}

// tinyPG is the part of a small policy-gradient config that PPO, A2C and REINFORCE share.
var tinyPG = []string{"n_timesteps=3000", "checkpoint_every=1000", "eval_episodes=3", "keep_checkpoints=0", "n_envs=2", "net_arch=[16]"}

// richDQN turns on every option whose state a checkpoint must carry.
var richDQN = append(slices.Clone(tinyDQN), "prioritized_replay=true", "n_steps=3", "dueling=true", "tau=0.1",
	"target_update_interval=1", "lr_schedule=linear", "double_q=true", "n_envs=2", "buffer_size=1000")

func newRun(t *testing.T, out, algo, envID string, sets ...string) *Run {
	t.Helper()
	cfg, err := Resolve(algo, envID, mustSet(t, sets...))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Create(cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunDirectory(t *testing.T) {
	out := t.TempDir()
	r := newRun(t, out, "dqn", "cartpole", tinyDQN...)
	if err := r.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := r.Evaluate(3)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteEval(res); err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(r.Dir)
	if parts := strings.Split(base, "__"); len(parts) != 4 || parts[0] != "CartPole-v1" || parts[1] != "dqn" || parts[2] != "1" {
		t.Errorf("run directory %q, want <env>__<algo>__<seed>__<time>", base)
	}
	for _, f := range []string{ConfigFile, MetricsFile, TimingFile, EvalFile, CurveFile, "checkpoints/latest",
		"checkpoints/step-000001000/policy.safetensors", "checkpoints/step-000003000/" + PolicyFile} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if got := strings.TrimSpace(string(readFile(t, filepath.Join(r.Dir, "checkpoints/latest")))); got != "step-000003000" {
		t.Errorf("latest = %q", got)
	}
	// eval.json: the keys, then documented extras only.
	var m map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(r.Dir, EvalFile)), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"env", "algo", "seed", "episodes", "mean_return", "std_return", "env_steps", "train_seconds", "eval_seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("eval.json lacks %q", k)
		}
	}
	extras := []string{"mean_length", "reward_threshold", "solved", "success_rate", "checkpoint", "returns", "lengths"}
	for k := range m {
		if !slices.Contains(extras, k) && !slices.Contains([]string{"env", "algo", "seed", "episodes", "mean_return", "std_return", "env_steps", "train_seconds", "eval_seconds"}, k) {
			t.Errorf("eval.json has an undocumented key %q", k)
		}
	}
	if m["env"] != "CartPole-v1" || m["algo"] != "dqn" || m["episodes"] != 3.0 || m["env_steps"] != 3000.0 || m["checkpoint"] != "checkpoints/step-000003000" {
		t.Errorf("eval.json %v", m)
	}
	// The same evaluation on demand gives the same figures.
	again, err := EvaluateCheckpoint(r.Dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if again.MeanReturn != res.MeanReturn || !slices.Equal(again.Returns, res.Returns) || again.EnvSteps != 3000 {
		t.Errorf("EvaluateCheckpoint %v %v, Evaluate %v", again.MeanReturn, again.EnvSteps, res.MeanReturn)
	}
	// Metrics: CleanRL keys against env steps, in the long format.
	rows, err := ReadMetrics(filepath.Join(r.Dir, MetricsFile), "")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for i, row := range rows {
		keys[row.Key] = true
		if i > 0 && row.Step < rows[i-1].Step {
			t.Fatalf("row %d: global_step goes back from %d to %d", i, rows[i-1].Step, row.Step)
		}
	}
	for _, k := range []string{"charts/episodic_return", "charts/episodic_length", "losses/td_loss", "losses/q_values", "charts/epsilon", "charts/learning_rate"} {
		if !keys[k] {
			t.Errorf("metrics.csv has no %s", k)
		}
	}
	if keys["charts/SPS"] {
		t.Error("charts/SPS is in metrics.csv; it belongs in timing.csv")
	}
	sps, err := ReadMetrics(filepath.Join(r.Dir, TimingFile), "charts/SPS")
	if err != nil || len(sps) == 0 {
		t.Errorf("timing.csv has no charts/SPS: %v", err)
	}
}

func TestSameSeedSameMetrics(t *testing.T) {
	out := t.TempDir()
	metrics := func(seed string) []byte {
		r := newRun(t, out, "dqn", "cartpole", append(slices.Clone(tinyDQN), "seed="+seed)...)
		if err := r.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.Close()
		return readFile(t, filepath.Join(r.Dir, MetricsFile))
	}
	a, b, c := metrics("3"), metrics("3"), metrics("4")
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with seed 3 wrote different metrics.csv files")
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 3 and 4 wrote the same metrics.csv")
	}
}

// TestResumeMatchesUninterrupted stops a run after a checkpoint (and after more steps that the
// checkpoint does not hold), resumes it, and compares everything with a run that never stopped.
func TestResumeMatchesUninterrupted(t *testing.T) {
	for _, c := range []struct {
		name, algo string
		sets       []string
		env        string // default: CartPole, or tabularEnv's
	}{
		{"dqn", "dqn", tinyDQN, ""},
		{"dqn with every option", "dqn", richDQN, ""},
		{"random", "random", []string{"n_timesteps=3000", "checkpoint_every=1000", "n_envs=3"}, ""},
		{"ppo", "ppo", append(slices.Clone(tinyPG), "n_steps=64", "batch_size=32", "n_epochs=2", "norm_obs=true", "norm_reward=true", "target_kl=0.01", "lr_schedule=linear"), ""},
		{"a2c", "a2c", append(slices.Clone(tinyPG), "n_steps=5", "norm_obs=true", "ent_coef=0.01"), ""},
		{"reinforce", "reinforce", append(slices.Clone(tinyPG), "batch_episodes=3", "baseline=true"), ""},
		{"qlearning", "qlearning", tinyTD, ""},
		// Short episodes pooled per 64 steps: the checkpoint at 1500 falls inside a window.
		{"pooled episodes", "qlearning", append(slices.Clone(tinyTD), "episode_log_interval=64"), "blackjack"},
		{"valueiteration", "valueiteration", []string{"n_timesteps=3000", "checkpoint_every=1000", "eval_episodes=3", "keep_checkpoints=0"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			envID := "cartpole"
			if e, ok := tabularEnv[c.algo]; ok {
				envID = e
			}
			if c.env != "" {
				envID = c.env
			}
			whole := newRun(t, out, c.algo, envID, c.sets...)
			if err := whole.Train(context.Background()); err != nil {
				t.Fatal(err)
			}
			whole.Close()

			broken := newRun(t, out, c.algo, envID, c.sets...)
			ctx := context.Background()
			if err := broken.Advance(ctx, 1500); err != nil {
				t.Fatal(err)
			}
			if _, err := broken.Checkpoint(false); err != nil {
				t.Fatal(err)
			}
			if err := broken.Advance(ctx, 2200); err != nil { // lost work: metrics past the checkpoint
				t.Fatal(err)
			}
			broken.Close()

			resumed, err := Resume(broken.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer resumed.Close()
			if resumed.Steps() != 1500 {
				t.Fatalf("resumed at step %d, want 1500", resumed.Steps())
			}
			if err := resumed.Train(ctx); err != nil {
				t.Fatal(err)
			}
			resumed.Close()
			for _, f := range []string{MetricsFile, "checkpoints/step-000003000/" + PolicyFile, "checkpoints/step-000003000/" + envLogFile} {
				if _, err := os.Stat(filepath.Join(whole.Dir, f)); errors.Is(err, os.ErrNotExist) && strings.HasSuffix(f, PolicyFile) {
					continue // the random baseline has no network
				}
				a, b := readFile(t, filepath.Join(whole.Dir, f)), readFile(t, filepath.Join(resumed.Dir, f))
				if !bytes.Equal(a, b) {
					t.Errorf("%s differs between the uninterrupted and the resumed run", f)
				}
			}
			ra, _ := EvaluateCheckpoint(whole.Dir, 3)
			rb, _ := EvaluateCheckpoint(resumed.Dir, 3)
			if ra == nil || rb == nil || !slices.Equal(ra.Returns, rb.Returns) {
				t.Errorf("evaluations differ: %v %v", ra, rb)
			}
			// A finished run does not train again.
			done, err := Resume(resumed.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if !done.Finished() {
				t.Error("a run resumed from its final checkpoint is not Finished")
			}
			done.Close()
		})
	}
}

func TestInterruptWritesACheckpoint(t *testing.T) {
	out := t.TempDir()
	r := newRun(t, out, "dqn", "cartpole", tinyDQN...)
	ctx, cancel := context.WithCancel(context.Background())
	r.Progress = cancelAt{cancel: cancel, at: 1200}
	err := r.Train(ctx)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("Train after cancel: %v", err)
	}
	ck, err := LatestCheckpoint(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var st runState
	if err := rundir.ReadJSON(filepath.Join(ck, stateFile), &st); err != nil || st.GlobalStep != r.Steps() || st.Final {
		t.Fatalf("latest checkpoint %s: %+v (steps %d) %v", ck, st, r.Steps(), err)
	}
	r.Close()
	again, err := Resume(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.Train(context.Background()); err != nil || again.Steps() != 3000 {
		t.Fatalf("resumed training: %v at %d", err, again.Steps())
	}
}

// cancelAt cancels the context once training has passed a step.
type cancelAt struct {
	cancel func()
	at     int64
}

func (c cancelAt) Update(s ProgressState) {
	if s.Steps >= c.at {
		c.cancel()
	}
}
func (c cancelAt) Done() {}

// nanConfig configures the test algorithm "nan", a random agent whose fake loss turns NaN.
type nanConfig struct {
	// NanAt is the env step from which losses/fake is NaN.
	NanAt int64 `yaml:"nan_at"`
	// ReturnError makes Learn stop with an error at NanAt; otherwise it only logs the NaN and
	// the Run must notice.
	ReturnError bool `yaml:"return_error"`
}

type nanAgent struct {
	*randomAgent
	cfg nanConfig
	log func(int64, string, float64)
}

func (a *nanAgent) Learn(ctx context.Context, until int64) error {
	for a.steps < until {
		if err := a.randomAgent.Learn(ctx, a.steps+1); err != nil {
			return err
		}
		if a.steps%100 == 0 {
			v := 1 / float64(a.steps)
			if a.steps >= a.cfg.NanAt {
				v = math.NaN()
				if a.cfg.ReturnError {
					return fmt.Errorf("fake loss is NaN at env step %d", a.steps)
				}
			}
			a.log(a.steps, "losses/fake", v)
		}
	}
	return nil
}

func init() {
	Register(Algorithm{
		Name:      "nan",
		NewConfig: func() any { return &nanConfig{NanAt: math.MaxInt64} },
		NewTrainer: func(params any, s Setup) (Trainer, error) {
			v, err := s.MakeVector(1)
			if err != nil {
				return nil, err
			}
			r := newRandomAgent(v.SingleActionSpace(), s.Seed)
			r.n, r.vec, r.actions = 1, v, make([]float32, v.SingleActionSpace().Dim())
			return &nanAgent{randomAgent: r, cfg: *params.(*nanConfig), log: s.Log}, nil
		},
		LoadPolicy: func(any, PolicySetup, string) (Policy, error) { return nil, errors.New("no policy") },
	})
}

func TestNonFiniteLossStopsTraining(t *testing.T) {
	for _, returnError := range []bool{true, false} {
		t.Run(fmt.Sprintf("trainer returns an error: %v", returnError), func(t *testing.T) {
			out := t.TempDir()
			r := newRun(t, out, "nan", "cartpole", "n_timesteps=5000", "checkpoint_every=1000", "nan_at=2500", fmt.Sprintf("return_error=%v", returnError))
			err := r.Train(context.Background())
			if err == nil || !strings.Contains(err.Error(), "at env step 2500") || !strings.Contains(err.Error(), "step-000002000") {
				t.Fatalf("Train: %v; want an error naming step 2500 and the last good checkpoint", err)
			}
			ck, err := LatestCheckpoint(r.Dir)
			if err != nil || filepath.Base(ck) != "step-000002000" {
				t.Fatalf("latest checkpoint %s (%v), want step-000002000", ck, err)
			}
			if _, err := os.Stat(filepath.Join(r.Dir, CheckpointsDir, "step-000003000")); err == nil {
				t.Fatal("a checkpoint was written after the NaN")
			}
		})
	}
}

func TestKeepCheckpoints(t *testing.T) {
	out := t.TempDir()
	r := newRun(t, out, "random", "cartpole", "n_timesteps=5000", "checkpoint_every=1000", "keep_checkpoints=2")
	if err := r.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rundir.CheckpointSteps(r.Dir); !slices.Equal(got, []int64{4000, 5000}) {
		t.Fatalf("checkpoints kept: %v, want [4000 5000]", got)
	}
}

func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Resume(dir); err == nil || !strings.Contains(err.Error(), "not a run directory") {
		t.Errorf("Resume of an empty directory: %v", err)
	}
	r := newRun(t, dir, "random", "cartpole", "n_timesteps=100")
	r.Close()
	if _, err := Resume(r.Dir); err == nil || !strings.Contains(err.Error(), "no checkpoint yet") {
		t.Errorf("Resume without a checkpoint: %v", err)
	}
}

func TestPlotRuns(t *testing.T) {
	out := t.TempDir()
	var dirs []string
	for _, seed := range []string{"1", "2"} {
		r := newRun(t, out, "random", "cartpole", "n_timesteps=3000", "seed="+seed)
		if err := r.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, r.Dir)
	}
	r := newRun(t, out, "random", "acrobot", "n_timesteps=2000")
	if err := r.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(out, "curves.png")
	if err := PlotRuns(append(dirs, r.Dir), png, ""); err != nil {
		t.Fatal(err)
	}
	if b := readFile(t, png); len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("%s is not a PNG", png)
	}
	if err := PlotRuns([]string{out}, png, ""); err == nil || !strings.Contains(err.Error(), "not a run directory") {
		t.Errorf("PlotRuns of a non-run directory: %v", err)
	}
	if err := PlotRuns(dirs, png, "losses/nothing"); err == nil || !strings.Contains(err.Error(), "no losses/nothing rows") {
		t.Errorf("PlotRuns of a missing key: %v", err)
	}
}

func TestEvalSeedsDiffer(t *testing.T) {
	seen := map[uint64]bool{}
	for s := uint64(0); s < 20; s++ {
		for i := range 100 {
			e := EvalSeed(s, i)
			if seen[e] {
				t.Fatalf("EvalSeed(%d, %d) = %d repeats", s, i, e)
			}
			seen[e] = true
		}
	}
}

func TestMetricsValueFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{22, "22"}, {0.1, "0.1"}, {float64(float32(0.1)), "0.1"}, {1e-7, "1e-07"}, {math.NaN(), "nan"}, {math.Inf(-1), "-inf"}, {123456789.5, "1.234567895e+08"}} {
		if got := string(rundir.AppendValue(nil, c.v)); got != c.want {
			t.Errorf("AppendValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestReadMetrics(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "m.csv")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write(MetricsHeader + "\r\n10,charts/episodic_return,9.5\r\n\n20,losses/td_loss,nan\n30,\"charts/episodic_return\",-1")
	all, err := ReadMetrics(p, "")
	if err != nil || len(all) != 3 || all[0] != (Scalar{10, ReturnKey, 9.5}) || !math.IsNaN(all[1].Value) || all[2] != (Scalar{30, ReturnKey, -1}) {
		t.Fatalf("ReadMetrics: %v, %v", all, err)
	}
	if rets, err := ReadMetrics(p, ReturnKey); err != nil || len(rets) != 2 || rets[1].Step != 30 {
		t.Errorf("ReadMetrics of one key: %v, %v", rets, err)
	}
	for _, bad := range []string{"step,key,value\n", "", MetricsHeader + "\n1,a\n", MetricsHeader + "\n1,a,2,3\n", MetricsHeader + "\nx,a,2\n"} {
		if rows, err := ReadMetrics(write(bad), ""); err == nil {
			t.Errorf("ReadMetrics of %q: %v and no error", bad, rows)
		}
	}
}
