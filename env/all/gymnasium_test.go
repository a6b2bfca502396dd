package all

// The Gymnasium conformance test: every reference file recorded from Gymnasium 1.4 (see
// testdata/gymnasium/SCHEMA.md) is replayed through the env registered under its ID. The data
// come from $GORL_GYMREF_DIR when it is set (the held-out split is checked that way) and from
// the compressed copy in testdata/gymnasium otherwise, so a fresh clone tests itself.

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
)

// gymrefCheckers maps a reference file's "kind" to the function that checks it. Other test
// files of this package add their kinds in init (the grid-world envs add "tabular_model" and
// "blackjack_episodes").
var gymrefCheckers = map[string]func(t *testing.T, path string, raw []byte){
	"classic_control_transitions": checkClassic,
}

// gymrefDir is the folder the conformance test reads.
func gymrefDir() string {
	if d := os.Getenv("GORL_GYMREF_DIR"); d != "" {
		return d
	}
	return filepath.Join("testdata", "gymnasium")
}

// readGymref returns the contents of a *.json or *.json.gz reference file.
func readGymref(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func TestGymnasiumConformance(t *testing.T) {
	dir := gymrefDir()
	var files []string
	for _, pat := range []string{"*.json", "*.json.gz"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no *.json or *.json.gz reference files in %s (GORL_GYMREF_DIR=%q)", dir, os.Getenv("GORL_GYMREF_DIR"))
	}
	for _, path := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := readGymref(path)
			if err != nil {
				t.Fatal(err)
			}
			var head struct {
				SchemaVersion int    `json:"schema_version"`
				Kind          string `json:"kind"`
				EnvID         string `json:"env_id"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				t.Fatalf("%s: not a reference file: %v", path, err)
			}
			if head.SchemaVersion != 1 {
				t.Fatalf("%s: schema_version %d; this test reads version 1", path, head.SchemaVersion)
			}
			check, ok := gymrefCheckers[head.Kind]
			if !ok {
				// Every kind of the reference data has a checker: a file of another kind
				// is data this test cannot vouch for, so it fails rather than passing silently.
				t.Fatalf("%s: unknown kind %q (env %s); known kinds: %s", path, head.Kind, head.EnvID, knownKinds())
			}
			if _, err := env.Lookup(head.EnvID); err != nil {
				t.Fatalf("%s: env %q is not registered: %v", path, head.EnvID, err)
			}
			check(t, path, raw)
		})
	}
}

// knownKinds lists the kinds gymrefCheckers handles, sorted, for error messages.
func knownKinds() string {
	kinds := make([]string, 0, len(gymrefCheckers))
	for k := range gymrefCheckers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ")
}

// refNum is a JSON number that may also be written as the string "Infinity", "-Infinity" or
// "NaN" (the schema uses those for unbounded Box sides).
type refNum float64

func (n *refNum) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "Infinity":
			*n = refNum(math.Inf(1))
		case "-Infinity":
			*n = refNum(math.Inf(-1))
		case "NaN":
			*n = refNum(math.NaN())
		default:
			return fmt.Errorf("number %q", s)
		}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = refNum(f)
	return nil
}

// refSpace is a Gymnasium space as the schema writes it.
type refSpace struct {
	Type   string     `json:"type"`
	Shape  []int      `json:"shape"`
	Dtype  string     `json:"dtype"`
	Low    []refNum   `json:"low"`
	High   []refNum   `json:"high"`
	N      int        `json:"n"`
	Start  int        `json:"start"`
	Spaces []refSpace `json:"spaces"`
}

// checkSpace reports how got differs from the reference space, or "" when it matches: the
// type, the shape, and float32 bounds bit for bit (±Inf included).
func checkSpace(got env.Space, want refSpace) string {
	switch want.Type {
	case "Discrete":
		d, ok := got.(env.Discrete)
		if !ok {
			return fmt.Sprintf("got %v; want Discrete(%d, start=%d)", got, want.N, want.Start)
		}
		if d.N != want.N || d.Start != want.Start {
			return fmt.Sprintf("got %v; want Discrete(%d, start=%d)", got, want.N, want.Start)
		}
	case "Box":
		b, ok := got.(*env.Box)
		if !ok {
			return fmt.Sprintf("got %v; want a Box", got)
		}
		if want.Dtype != "float32" {
			return fmt.Sprintf("reference Box has dtype %s; gorl boxes are float32", want.Dtype)
		}
		if fmt.Sprint(b.Shape()) != fmt.Sprint(want.Shape) {
			return fmt.Sprintf("shape %v; want %v", b.Shape(), want.Shape)
		}
		if len(b.Low) != len(want.Low) || len(b.High) != len(want.High) {
			return fmt.Sprintf("%d/%d bounds; want %d/%d", len(b.Low), len(b.High), len(want.Low), len(want.High))
		}
		for i := range b.Low {
			if b.Low[i] != float32(want.Low[i]) || b.High[i] != float32(want.High[i]) {
				return fmt.Sprintf("element %d bounds [%v, %v]; want [%v, %v]", i, b.Low[i], b.High[i], float32(want.Low[i]), float32(want.High[i]))
			}
		}
	default:
		return fmt.Sprintf("reference space type %q is not handled by this check", want.Type)
	}
	return ""
}

// classicFile is a classic_control_transitions file (SCHEMA.md §1).
type classicFile struct {
	EnvID    string `json:"env_id"`
	Split    string `json:"split"`
	Seed     int64  `json:"seed"`
	Metadata struct {
		Spec struct {
			Kwargs map[string]any `json:"kwargs"`
		} `json:"spec"`
		MaxEpisodeSteps   *int     `json:"max_episode_steps"`
		RewardThreshold   *float64 `json:"reward_threshold"`
		ObservationSpace  refSpace `json:"observation_space"`
		ActionSpace       refSpace `json:"action_space"`
		StateNames        []string `json:"state_names"`
		StateDtype        string   `json:"state_dtype"`
		ResetDistribution struct {
			Kind string    `json:"kind"`
			Low  []float64 `json:"low"`
			High []float64 `json:"high"`
		} `json:"reset_distribution"`
	} `json:"metadata"`
	Counts struct {
		Episodes        int `json:"episodes"`
		EpisodeSteps    int `json:"episode_steps"`
		EdgeTransitions int `json:"edge_transitions"`
	} `json:"counts"`
	Episodes []struct {
		Index        int             `json:"index"`
		ResetSeed    *int64          `json:"reset_seed"`
		InitialObs   []float64       `json:"initial_obs"`
		InitialState []float64       `json:"initial_state"`
		Steps        []refTransition `json:"steps"`
	} `json:"episodes"`
	EdgeTransitions          []refTransition `json:"edge_transitions"`
	PostTerminationSequences []struct {
		StateBefore []float64       `json:"state_before"`
		Steps       []refTransition `json:"steps"`
	} `json:"post_termination_sequences"`
}

// refTransition is one recorded step.
type refTransition struct {
	T           *int            `json:"t"`
	Label       string          `json:"label"`
	StateBefore []float64       `json:"state_before"`
	Action      json.RawMessage `json:"action"`
	Obs         []float64       `json:"obs"`
	Reward      float64         `json:"reward"`
	Terminated  bool            `json:"terminated"`
	Truncated   bool            `json:"truncated"`
	StateAfter  []float64       `json:"state_after"`
}

// action returns the recorded action in gorl's layout: a Discrete index as one float32, a Box
// action as its float32 elements.
func (tr *refTransition) action() ([]float32, error) {
	raw := bytes.TrimSpace(tr.Action)
	if len(raw) > 0 && raw[0] == '[' {
		var v []float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, nil
	}
	var a int
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("action %s: %w", raw, err)
	}
	return []float32{float32(a)}, nil
}

const (
	stateTol  = 1e-12 // absolute, on state and reward (Go's and glibc's sin/cos may differ by 1 ulp)
	obsRelTol = 1e-6  // relative, on float32 observations (a 1-ulp state difference can flip a rounding)
)

// mismatches collects the differences of one transition group and stops the group after a
// few, so that a broken env gives a readable report instead of thousands of lines.
type mismatches struct {
	t *testing.T
	n int
}

func (m *mismatches) errorf(format string, args ...any) {
	m.t.Helper()
	m.n++
	m.t.Errorf(format, args...)
	if m.n >= 10 {
		m.t.Fatalf("stopping this group after %d mismatches", m.n)
	}
}

// compareStep compares one env step with the recorded transition.
func (m *mismatches) compareStep(where string, tr *refTransition, obs []float32, reward float64, terminated, truncated bool, stateAfter []float64) {
	m.t.Helper()
	ctx := fmt.Sprintf("%s: state_before %v, action %s", where, tr.StateBefore, tr.Action)
	if len(obs) != len(tr.Obs) {
		m.errorf("%s: obs has %d elements; want %d", ctx, len(obs), len(tr.Obs))
	} else {
		for i := range obs {
			got, want := float64(obs[i]), tr.Obs[i]
			if got != want && math.Abs(got-want) > obsRelTol*math.Abs(want)+stateTol {
				m.errorf("%s: obs[%d] = %v; want %v (obs %v, want %v)", ctx, i, obs[i], float32(want), obs, tr.Obs)
				break
			}
		}
	}
	if math.Abs(reward-tr.Reward) > stateTol || math.IsNaN(reward) {
		m.errorf("%s: reward = %v; want %v", ctx, reward, tr.Reward)
	}
	if terminated != tr.Terminated {
		m.errorf("%s: terminated = %v; want %v (state_after %v)", ctx, terminated, tr.Terminated, tr.StateAfter)
	}
	if truncated != tr.Truncated {
		m.errorf("%s: truncated = %v; want %v", ctx, truncated, tr.Truncated)
	}
	m.compareState(ctx+": state_after", stateAfter, tr.StateAfter)
}

func (m *mismatches) compareState(ctx string, got, want []float64) {
	m.t.Helper()
	if len(got) != len(want) {
		m.errorf("%s has %d values; want %d", ctx, len(got), len(want))
		return
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= stateTol) {
			m.errorf("%s = %v; want %v (differs by %.3g at %d)", ctx, got, want, got[i]-want[i], i)
			return
		}
	}
}

// float32Exact reports whether every value is a float32 value.
func float32Exact(s []float64) bool {
	for _, v := range s {
		if float64(float32(v)) != v {
			return false
		}
	}
	return true
}

// classicEnv makes the env of a reference file as gymnasium.make does (TimeLimit included) and
// returns it with the StateAccessor of the unwrapped env.
func classicEnv(t *testing.T, f *classicFile) (env.Env, env.StateAccessor) {
	t.Helper()
	e, err := env.Make(f.EnvID, env.Options(f.Metadata.Spec.Kwargs))
	if err != nil {
		t.Fatalf("Make(%q): %v", f.EnvID, err)
	}
	sa, ok := env.Unwrapped(e).(env.StateAccessor)
	if !ok {
		t.Fatalf("%s: the unwrapped env %T does not implement env.StateAccessor", f.EnvID, env.Unwrapped(e))
	}
	return e, sa
}

// checkClassic replays a classic_control_transitions file: spec, spaces and reset
// distribution, then every transition from its recorded state_before.
func checkClassic(t *testing.T, path string, raw []byte) {
	var f classicFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	md := &f.Metadata
	steps := 0
	for _, ep := range f.Episodes {
		steps += len(ep.Steps)
	}
	if len(f.Episodes) != f.Counts.Episodes || steps != f.Counts.EpisodeSteps || len(f.EdgeTransitions) != f.Counts.EdgeTransitions {
		t.Fatalf("%s: holds %d episodes, %d steps, %d edge transitions; its counts say %+v (truncated file?)",
			path, len(f.Episodes), steps, len(f.EdgeTransitions), f.Counts)
	}
	if len(f.Episodes) == 0 {
		t.Fatalf("%s: no episodes", path)
	}
	nState := len(md.StateNames)
	// How Gymnasium holds the state (SCHEMA.md): Acrobot rounds its reset state to float32,
	// MountainCarContinuous stores float32 after every step.
	float32AfterReset := strings.HasPrefix(md.StateDtype, "float32 after reset")
	float32AfterStep := strings.Contains(md.StateDtype, "float32 after every step")

	t.Run("spec", func(t *testing.T) {
		spec, err := env.Lookup(f.EnvID)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if md.MaxEpisodeSteps != nil {
			want = *md.MaxEpisodeSteps
		}
		if spec.MaxEpisodeSteps != want {
			t.Errorf("MaxEpisodeSteps = %d; want %d", spec.MaxEpisodeSteps, want)
		}
		switch {
		case md.RewardThreshold == nil && spec.HasRewardThreshold():
			t.Errorf("RewardThreshold = %v; Gymnasium has none", spec.RewardThreshold)
		case md.RewardThreshold != nil && spec.RewardThreshold != *md.RewardThreshold:
			t.Errorf("RewardThreshold = %v; want %v", spec.RewardThreshold, *md.RewardThreshold)
		}
		e, _ := classicEnv(t, &f)
		if tl, ok := e.(*env.TimeLimit); want > 0 && (!ok || tl.MaxSteps != want) {
			t.Errorf("Make(%q) returned %T; want a TimeLimit of %d steps", f.EnvID, e, want)
		}
	})

	t.Run("spaces", func(t *testing.T) {
		e, _ := classicEnv(t, &f)
		if msg := checkSpace(e.ObservationSpace(), md.ObservationSpace); msg != "" {
			t.Errorf("observation space: %s", msg)
		}
		if msg := checkSpace(e.ActionSpace(), md.ActionSpace); msg != "" {
			t.Errorf("action space: %s", msg)
		}
	})

	t.Run("reset_distribution", func(t *testing.T) {
		rd := &md.ResetDistribution
		if rd.Kind != "uniform" || len(rd.Low) != nState || len(rd.High) != nState {
			t.Fatalf("reset_distribution %+v: want a uniform one over the %d state components", *rd, nState)
		}
		for _, ep := range f.Episodes {
			for i, v := range ep.InitialState {
				if !(v >= rd.Low[i] && v <= rd.High[i]) {
					t.Errorf("reference episode %d: initial_state[%d] = %v outside [%v, %v]", ep.Index, i, v, rd.Low[i], rd.High[i])
				}
			}
		}
		e, sa := classicEnv(t, &f)
		const n = 300
		lo, hi := make([]float64, nState), make([]float64, nState)
		for i := range lo {
			lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		}
		for k := range n {
			obs, _ := e.Reset(env.Seed(uint64(k)))
			if !e.ObservationSpace().Contains(obs) {
				t.Errorf("Reset(seed %d): observation %v outside %v", k, obs, e.ObservationSpace())
			}
			s := sa.State()
			if len(s) != nState {
				t.Fatalf("State() has %d values; want %d %v", len(s), nState, md.StateNames)
			}
			if float32AfterReset && !float32Exact(s) {
				t.Errorf("Reset(seed %d): state %v is not float32-rounded (%s)", k, s, md.StateDtype)
			}
			for i, v := range s {
				if !(v >= rd.Low[i] && v <= rd.High[i]) {
					t.Errorf("Reset(seed %d): %s = %v outside [%v, %v]", k, md.StateNames[i], v, rd.Low[i], rd.High[i])
				}
				lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
			}
		}
		// Uniform draws cover the interval: over n draws the chance that none falls in the
		// outer 5% on one side is 0.95^n, about 2e-7.
		for i := range lo {
			width := rd.High[i] - rd.Low[i]
			if lo[i]-rd.Low[i] > 0.05*width || rd.High[i]-hi[i] > 0.05*width {
				t.Errorf("%s: %d resets span [%v, %v]; want nearly all of [%v, %v]", md.StateNames[i], n, lo[i], hi[i], rd.Low[i], rd.High[i])
			}
		}
	})

	for _, ep := range f.Episodes {
		t.Run(fmt.Sprintf("episode_%02d", ep.Index), func(t *testing.T) {
			// Through the TimeLimit from the spec, as the data were recorded: the step that
			// reaches max_episode_steps must come back truncated.
			e, sa := classicEnv(t, &f)
			seed := uint64(f.Seed)
			if ep.ResetSeed != nil {
				seed = uint64(*ep.ResetSeed)
			}
			e.Reset(env.Seed(seed))
			m := &mismatches{t: t}
			if len(ep.InitialState) != nState {
				t.Fatalf("initial_state has %d values; want %d", len(ep.InitialState), nState)
			}
			for i := range ep.Steps {
				tr := &ep.Steps[i]
				where := fmt.Sprintf("step %d", i)
				if tr.T != nil {
					where = fmt.Sprintf("t=%d", *tr.T)
				}
				act, err := tr.action()
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				if err := sa.SetState(tr.StateBefore); err != nil {
					t.Fatalf("%s: SetState(%v): %v", where, tr.StateBefore, err)
				}
				obs, r, term, trunc, _ := e.Step(act)
				after := sa.State()
				m.compareStep(where, tr, obs, r, term, trunc, after)
				if float32AfterStep && !float32Exact(after) {
					m.errorf("%s: state_after %v is not float32-rounded (%s)", where, after, md.StateDtype)
				}
			}
		})
	}

	// Edge transitions: one step of the unwrapped env from a hand-set state, grouped by label.
	groups := map[string][]*refTransition{}
	var labels []string
	for i := range f.EdgeTransitions {
		tr := &f.EdgeTransitions[i]
		if _, ok := groups[tr.Label]; !ok {
			labels = append(labels, tr.Label)
		}
		groups[tr.Label] = append(groups[tr.Label], tr)
	}
	for _, label := range labels {
		t.Run("edge/"+label, func(t *testing.T) {
			m := &mismatches{t: t}
			for i, tr := range groups[label] {
				e, sa := classicEnv(t, &f)
				u := env.Unwrapped(e)
				u.Reset(env.Seed(0))
				act, err := tr.action()
				if err != nil {
					t.Fatalf("%d: %v", i, err)
				}
				if err := sa.SetState(tr.StateBefore); err != nil {
					t.Fatalf("%d: SetState(%v): %v", i, tr.StateBefore, err)
				}
				obs, r, term, trunc, _ := u.Step(act)
				m.compareStep(fmt.Sprintf("%q #%d", label, i), tr, obs, r, term, trunc, sa.State())
			}
		})
	}

	// Post-termination sequences: the state is set once, then the env keeps stepping past its
	// termination; Gymnasium's CartPole pays 0 there and keeps terminated true.
	for k, seq := range f.PostTerminationSequences {
		t.Run(fmt.Sprintf("post_termination_%d", k), func(t *testing.T) {
			e, sa := classicEnv(t, &f)
			e.Reset(env.Seed(0))
			if err := sa.SetState(seq.StateBefore); err != nil {
				t.Fatalf("SetState(%v): %v", seq.StateBefore, err)
			}
			m := &mismatches{t: t}
			for i := range seq.Steps {
				tr := &seq.Steps[i]
				where := fmt.Sprintf("step %d", i)
				m.compareState(where+": state_before", sa.State(), tr.StateBefore)
				act, err := tr.action()
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				obs, r, term, trunc, _ := e.Step(act)
				m.compareStep(where, tr, obs, r, term, trunc, sa.State())
			}
		})
	}
}
