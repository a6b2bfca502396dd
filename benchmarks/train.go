package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gorl/gorl/agents/tabular"
	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/internal/cputime"
)

// trainCase is one training-to-a-threshold measurement: `rlrun train ALGO ENV` with the
// shipped hyperparameters.
type trainCase struct {
	Algo, Env string
	// QuickSteps is the budget of the quick mode (a smoke test, not a solve test).
	QuickSteps int
	// SB3 is Stable-Baselines3's class for the same algorithm ("" when it has none).
	SB3 string
}

func (c trainCase) id() string { return "train/" + c.Algo + "-" + c.Env }

type trainSection struct{}

func (trainSection) list() []trainCase {
	return []trainCase{
		{"dqn", "CartPole-v1", 2000, "dqn"},
		{"ppo", "CartPole-v1", 2048, "ppo"},
		{"ppo", "Acrobot-v1", 2048, "ppo"},
		{"qlearning", "FrozenLake-v1", 20000, ""},
	}
}

func (s trainSection) cases(*Runner) []string {
	var ids []string
	for _, c := range s.list() {
		ids = append(ids, c.id())
	}
	return ids
}

// trainRun is one seed's outcome, on either side.
type trainRun struct {
	Solved      bool
	Return      float64
	Wall, CPU   float64 // the whole command (seconds); NaN when not a command
	TrainSecs   float64 // the training loop alone, as the run reports it
	EnvSteps    float64
	ToThreshold float64 // env steps when the mean of the last 100 training episodes first reached the threshold; NaN if never
	// Unmapped lists the gorl config keys Stable-Baselines3 could not reproduce.
	Unmapped []string
}

// evalJSON is the part of a run's eval.json the benchmarks read.
type evalJSON struct {
	MeanReturn   float64 `json:"mean_return"`
	EnvSteps     int64   `json:"env_steps"`
	TrainSeconds float64 `json:"train_seconds"`
}

func (s trainSection) run(ctx context.Context, r *Runner, ids []string) (*Section, error) {
	var cases []trainCase
	for _, c := range s.list() {
		for _, id := range ids {
			if id == c.id() {
				cases = append(cases, c)
			}
		}
	}
	sec := &Section{
		Title: "Training to a threshold",
		Intro: fmt.Sprintf("Each case runs `rlrun train ALGO ENV --seed S --out DIR -q` as a user does, with the shipped "+
			"hyperparameters (hyperparams/*.yml), over %s; the rlrun binary is built once. A seed is solved when the "+
			"final greedy evaluation (eval.json, %s) reaches the env's reward threshold. Command time is the whole "+
			"process (start, training, checkpoints, evaluation, plots), train time the training loop alone as eval.json "+
			"reports it, CPU the command's user and system time. Steps to threshold is the first env step at which the "+
			"mean return of the last 100 training episodes reached the threshold (the median over the seeds that got "+
			"there; training returns include exploration). Figures are medians over seeds ± half their range.",
			plural(r.Seeds, "seed"), map[bool]string{true: "5 episodes", false: "100 episodes"}[r.Quick]),
	}
	if r.Quick {
		sec.Intro += " Quick mode cuts every budget to a few thousand steps: it checks that the measurement works, and its solve rates mean nothing."
	}
	rlrun, err := r.build(ctx, "./cmd/rlrun")
	if err != nil {
		sec.Notes = append(sec.Notes, "not measured: "+err.Error())
		return sec, nil
	}
	algos, err := listAlgorithms(ctx, rlrun)
	if err != nil {
		return nil, err
	}
	sb3Why := r.Py.Why("gymnasium", "stable_baselines3", "torch")
	gorlRuns := map[string][]trainRun{}
	sb3Runs := map[string][]trainRun{}
	sb3Err := map[string]string{}
	how := map[string]string{}
	for seed := 1; seed <= r.Seeds; seed++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, c := range cases {
			spec, err := env.Lookup(c.Env)
			if err != nil {
				return nil, err
			}
			var tr trainRun
			var cfg map[string]any
			if algos[c.Algo] {
				how[c.id()] = "rlrun"
				tr, cfg, err = r.rlrunTrain(ctx, rlrun, c, seed, spec.RewardThreshold)
			} else if c.Algo == "qlearning" {
				how[c.id()] = "in-process"
				tr, err = r.qlearning(ctx, c, seed, spec.RewardThreshold)
			} else {
				return nil, fmt.Errorf("%s: rlrun has no algorithm %q", c.id(), c.Algo)
			}
			if err != nil {
				return nil, fmt.Errorf("%s seed %d: %w", c.id(), seed, err)
			}
			gorlRuns[c.id()] = append(gorlRuns[c.id()], tr)
			r.logf("%s seed %d/%d: return %s (solved %v), %s env steps, command %s s, train %s s", c.id(), seed, r.Seeds,
				num(tr.Return), tr.Solved, num(tr.EnvSteps), num(tr.Wall), num(tr.TrainSecs))
			if c.SB3 != "" && sb3Why == "" && cfg != nil {
				sr, err := r.sb3Train(ctx, c, seed, spec.RewardThreshold, cfg)
				if err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					sb3Err[c.id()] = err.Error()
					r.logf("%s seed %d: Stable-Baselines3: %v", c.id(), seed, err)
					continue
				}
				sb3Runs[c.id()] = append(sb3Runs[c.id()], sr)
				r.logf("%s seed %d/%d: Stable-Baselines3 return %s, train %.1f s", c.id(), seed, r.Seeds, num(sr.Return), sr.TrainSecs)
			}
		}
	}
	t := &Table{Header: []string{"case", "side", "solved", "eval return", "command s", "train s", "CPU s", "env steps", "steps to threshold", "train-time speed-up"}}
	for _, c := range cases {
		spec, _ := env.Lookup(c.Env)
		name := fmt.Sprintf("%s %s (threshold %s)", c.Algo, c.Env, num(spec.RewardThreshold))
		g := gorlRuns[c.id()]
		side := "gorl: rlrun train"
		if how[c.id()] == "in-process" {
			side = "gorl: tabular.Agent.Learn in process (rlrun has no qlearning yet)"
		}
		gt := Summarize(field(g, func(t trainRun) float64 { return t.TrainSecs }))
		t.Add(append([]string{name, side}, trainCells(g)...)...)
		switch {
		case c.SB3 == "":
			t.Add(name, "Stable-Baselines3", "no counterpart (SB3 has no tabular Q-learning)", "—", "—", "—", "—", "—", "—", "—")
		case sb3Why != "":
			t.Add(name, "Stable-Baselines3", "not measured: "+short(r.Py, missingOf(r.Py, "gymnasium", "stable_baselines3", "torch")), "—", "—", "—", "—", "—", "—", "—")
			r.headline(Headline{fmt.Sprintf("%s %s: train time (solved)", c.Algo, c.Env), fmt.Sprintf("%s s (%s)", gt.String(), solvedOf(g)), "Stable-Baselines3: not measured", "—"})
		case len(sb3Runs[c.id()]) == 0:
			t.Add(name, "Stable-Baselines3", "not measured: "+sb3Err[c.id()], "—", "—", "—", "—", "—", "—", "—")
		default:
			sr := sb3Runs[c.id()]
			st := Summarize(field(sr, func(t trainRun) float64 { return t.TrainSecs }))
			sp := ratio(st.Median, gt.Median)
			t.Add(append([]string{name, "Stable-Baselines3 " + r.Py.Versions["stable_baselines3"]}, append(trainCells(sr)[:8], sp)...)...)
			r.headline(Headline{fmt.Sprintf("%s %s: train time (solved)", c.Algo, c.Env), fmt.Sprintf("%s s (%s)", gt.String(), solvedOf(g)),
				fmt.Sprintf("Stable-Baselines3 %s s (%s)", st.String(), solvedOf(sr)), sp})
			if u := sr[0].Unmapped; len(u) > 0 {
				t.Notes = append(t.Notes, fmt.Sprintf("%s: Stable-Baselines3 cannot reproduce %s; it trained without them.", name, strings.Join(u, ", ")))
			}
		}
	}
	t.Notes = append(t.Notes, "Train-time speed-up is Stable-Baselines3's median training time over gorl's, for the same env steps and hyperparameters "+
		"(benchmarks/gymnasium/sb3_train.py maps the gorl run's config.yml onto SB3's arguments, and lists any key it cannot map).")
	if sb3Why != "" {
		t.Notes = append(t.Notes, "Stable-Baselines3 side: "+sb3Why+".")
	}
	sec.Tables = append(sec.Tables, t)
	return sec, nil
}

func missingOf(p *Python, modules ...string) string {
	for _, m := range modules {
		if !p.Has(m) {
			return m
		}
	}
	return ""
}

func field(runs []trainRun, f func(trainRun) float64) []float64 {
	out := make([]float64, len(runs))
	for i, t := range runs {
		out[i] = f(t)
	}
	return out
}

func solvedOf(runs []trainRun) string {
	n := 0
	for _, t := range runs {
		if t.Solved {
			n++
		}
	}
	return fmt.Sprintf("%d/%d solved", n, len(runs))
}

// trainCells returns the cells solved … steps to threshold, and "—" for the speed-up.
func trainCells(runs []trainRun) []string {
	reached := 0
	for _, t := range runs {
		if !math.IsNaN(t.ToThreshold) {
			reached++
		}
	}
	to := "not reached"
	if reached > 0 {
		to = Summarize(field(runs, func(t trainRun) float64 { return t.ToThreshold })).String() + fmt.Sprintf(" (%d/%d)", reached, len(runs))
	}
	return []string{
		strings.TrimSuffix(solvedOf(runs), " solved"),
		Summarize(field(runs, func(t trainRun) float64 { return t.Return })).String(),
		Summarize(field(runs, func(t trainRun) float64 { return t.Wall })).String(),
		Summarize(field(runs, func(t trainRun) float64 { return t.TrainSecs })).String(),
		Summarize(field(runs, func(t trainRun) float64 { return t.CPU })).String(),
		Summarize(field(runs, func(t trainRun) float64 { return t.EnvSteps })).String(),
		to,
		"—",
	}
}

// listAlgorithms reads the algorithm names from `rlrun list`.
func listAlgorithms(ctx context.Context, rlrun string) (map[string]bool, error) {
	out, err := exec.CommandContext(ctx, rlrun, "list").Output()
	if err != nil {
		return nil, fmt.Errorf("rlrun list: %w", err)
	}
	return parseAlgorithms(string(out))
}

// parseAlgorithms reads the first column of the table under the ALGORITHM header.
func parseAlgorithms(out string) (map[string]bool, error) {
	algos := map[string]bool{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
			in = false
		case f[0] == "ALGORITHM":
			in = true
		case in:
			algos[f[0]] = true
		}
	}
	if len(algos) == 0 {
		return nil, fmt.Errorf("rlrun list printed no ALGORITHM table")
	}
	return algos, nil
}

// rlrunTrain runs one seed of `rlrun train` and reads its run directory.
func (r *Runner) rlrunTrain(ctx context.Context, rlrun string, c trainCase, seed int, threshold float64) (trainRun, map[string]any, error) {
	out := filepath.Join(r.Tmp, "train", strings.TrimPrefix(c.id(), "train/"), strconv.Itoa(seed))
	args := []string{"train", c.Algo, c.Env, "--seed", strconv.Itoa(seed), "--out", out, "-q"}
	if r.Quick {
		args = append(args, "--steps", strconv.Itoa(c.QuickSteps), "--eval-episodes", "5")
	}
	cmd := exec.CommandContext(ctx, rlrun, args...)
	t0 := time.Now()
	msg, err := cmd.CombinedOutput()
	wall := time.Since(t0).Seconds()
	if err != nil {
		return trainRun{}, nil, fmt.Errorf("rlrun %s: %v: %s", strings.Join(args, " "), err, lastNonEmpty(string(msg)))
	}
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 1 {
		return trainRun{}, nil, fmt.Errorf("rlrun %s: want one run directory in %s, found %d", strings.Join(args, " "), out, len(dirs))
	}
	var ev evalJSON
	b, err := os.ReadFile(filepath.Join(dirs[0], "eval.json"))
	if err == nil {
		err = json.Unmarshal(b, &ev)
	}
	if err != nil {
		return trainRun{}, nil, fmt.Errorf("reading eval.json: %w", err)
	}
	to, err := stepsToThreshold(filepath.Join(dirs[0], "metrics.csv"), threshold)
	if err != nil {
		return trainRun{}, nil, err
	}
	var cfg map[string]any
	if b, err := os.ReadFile(filepath.Join(dirs[0], "config.yml")); err == nil {
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return trainRun{}, nil, fmt.Errorf("reading config.yml: %w", err)
		}
	}
	os.RemoveAll(out) // replay buffers and checkpoints add up over seeds
	return trainRun{
		Solved: ev.MeanReturn >= threshold, Return: ev.MeanReturn, Wall: wall, CPU: cpu,
		TrainSecs: ev.TrainSeconds, EnvSteps: float64(ev.EnvSteps), ToThreshold: to,
	}, cfg, nil
}

// stepsToThreshold reads metrics.csv's charts/episodic_return rows and returns the env step at
// which the mean of the last 100 episodes first reached the threshold, or NaN.
func stepsToThreshold(path string, threshold float64) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := newWindow(100)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		if len(parts) != 3 || parts[1] != "charts/episodic_return" {
			continue
		}
		step, err1 := strconv.ParseFloat(parts[0], 64)
		v, err2 := strconv.ParseFloat(parts[2], 64)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("%s: bad row %q", path, sc.Text())
		}
		if w.add(v) >= threshold && w.full() {
			return step, nil
		}
	}
	return math.NaN(), sc.Err()
}

// window is a running mean over the last n values.
type window struct {
	vals []float64
	next int
	sum  float64
	n    int
}

func newWindow(n int) *window { return &window{vals: make([]float64, n)} }

func (w *window) add(v float64) float64 {
	if w.n == len(w.vals) {
		w.sum -= w.vals[w.next]
	} else {
		w.n++
	}
	w.vals[w.next] = v
	w.sum += v
	w.next = (w.next + 1) % len(w.vals)
	return w.sum / float64(w.n)
}

func (w *window) full() bool { return w.n == len(w.vals) }

// qlearning trains tabular Q-learning in this process with the shipped settings, for as long as
// rlrun has no qlearning algorithm: the same agent and env, without the run directory.
func (r *Runner) qlearning(ctx context.Context, c trainCase, seed int, threshold float64) (trainRun, error) {
	e, err := env.Make(c.Env, nil)
	if err != nil {
		return trainRun{}, err
	}
	defer e.Close()
	cfg, steps, err := tabular.Defaults(tabular.QLearning, c.Env)
	if err != nil {
		return trainRun{}, err
	}
	episodes := 100
	if r.Quick {
		steps, episodes = int64(c.QuickSteps), 5
	}
	cpu0 := cputime.Process()
	ag, err := tabular.New(tabular.QLearning, cfg, e.ObservationSpace(), e.ActionSpace(), steps, uint64(seed))
	if err != nil {
		return trainRun{}, err
	}
	w := newWindow(100)
	to := math.NaN()
	t1 := time.Now()
	err = ag.Learn(ctx, e, steps, func(s tabular.EpisodeStats) {
		if w.add(s.Return) >= threshold && w.full() && math.IsNaN(to) {
			to = float64(s.Step)
		}
	})
	if err != nil {
		return trainRun{}, err
	}
	trainSecs := time.Since(t1).Seconds()
	ev, err := env.Make(c.Env, nil)
	if err != nil {
		return trainRun{}, err
	}
	defer ev.Close()
	res, err := tabular.Evaluate(ev, ag.Policy(), episodes, uint64(seed)+1_000_003)
	if err != nil {
		return trainRun{}, err
	}
	cpu := math.NaN()
	if cpu1 := cputime.Process(); cpu0 > 0 && cpu1 > cpu0 {
		cpu = (cpu1 - cpu0).Seconds()
	}
	// No command ran: the command time stays empty rather than pass train+eval off as one.
	return trainRun{Solved: res.MeanReturn >= threshold, Return: res.MeanReturn, Wall: math.NaN(), CPU: cpu,
		TrainSecs: trainSecs, EnvSteps: float64(ag.Steps()), ToThreshold: to}, nil
}

// sb3Out is the JSON line of sb3_train.py.
type sb3Out struct {
	MeanReturn       float64  `json:"mean_return"`
	TrainSeconds     float64  `json:"train_seconds"`
	CPUSeconds       float64  `json:"cpu_seconds"`
	EnvSteps         float64  `json:"env_steps"`
	StepsToThreshold *float64 `json:"steps_to_threshold"`
	Unmapped         []string `json:"unmapped"`
}

// sb3Train runs Stable-Baselines3 on the same env, seed and (mapped) hyperparameters.
func (r *Runner) sb3Train(ctx context.Context, c trainCase, seed int, threshold float64, cfg map[string]any) (trainRun, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return trainRun{}, err
	}
	episodes := "100"
	if r.Quick {
		episodes = "5"
	}
	var out sb3Out
	t0 := time.Now()
	err = r.RunJSON(ctx, "gymnasium", "sb3_train.py", nil, &out, "--algo", c.SB3, "--env", c.Env, "--seed", strconv.Itoa(seed),
		"--config", string(b), "--eval-episodes", episodes, "--threshold", strconv.FormatFloat(threshold, 'g', -1, 64))
	if err != nil {
		return trainRun{}, err
	}
	to := math.NaN()
	if out.StepsToThreshold != nil {
		to = *out.StepsToThreshold
	}
	if len(out.Unmapped) > 0 {
		r.logf("%s: sb3_train.py could not map %s", c.id(), strings.Join(out.Unmapped, ", "))
	}
	return trainRun{Solved: out.MeanReturn >= threshold, Return: out.MeanReturn, Wall: time.Since(t0).Seconds(), CPU: out.CPUSeconds,
		TrainSecs: out.TrainSeconds, EnvSteps: out.EnvSteps, ToThreshold: to, Unmapped: out.Unmapped}, nil
}
