package all

// The Gymnasium conformance checks of the toy-text envs (SCHEMA.md §2 and §3): the
// "tabular_model" files hold env.unwrapped.P of FrozenLake, CliffWalking and Taxi exactly as
// Gymnasium builds it, and the "blackjack_episodes" files hold recorded games whose cards are
// replayed through Blackjack's rules.

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
)

func init() {
	gymrefCheckers["tabular_model"] = checkTabularModel
	gymrefCheckers["blackjack_episodes"] = checkBlackjackEpisodes
}

// refOutcome is one (prob, next_state, reward, terminated) tuple of P[s][a].
type refOutcome struct {
	Prob       float64
	Next       int
	Reward     float64
	Terminated bool
}

func (o *refOutcome) UnmarshalJSON(b []byte) error {
	var raw [4]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("outcome %s: %w", b, err)
	}
	for i, dst := range []any{&o.Prob, &o.Next, &o.Reward, &o.Terminated} {
		if err := json.Unmarshal(raw[i], dst); err != nil {
			return fmt.Errorf("outcome %s, element %d: %w", b, i, err)
		}
	}
	return nil
}

// tabularFile is a tabular_model file (SCHEMA.md §2).
type tabularFile struct {
	EnvID    string `json:"env_id"`
	Variant  string `json:"variant"`
	Metadata struct {
		Spec struct {
			Kwargs map[string]any `json:"kwargs"`
		} `json:"spec"`
		MakeKwargs       map[string]any `json:"make_kwargs"`
		MaxEpisodeSteps  *int           `json:"max_episode_steps"`
		RewardThreshold  *float64       `json:"reward_threshold"`
		ObservationSpace refSpace       `json:"observation_space"`
		ActionSpace      refSpace       `json:"action_space"`
	} `json:"metadata"`
	NS             int              `json:"nS"`
	NA             int              `json:"nA"`
	P              [][][]refOutcome `json:"P"`
	ISD            []float64        `json:"isd"`
	Desc           []string         `json:"desc"`
	ActionMeanings []string         `json:"action_meanings"`
	// CliffWalking only.
	Shape      []int    `json:"shape"`
	StartState *int     `json:"start_state"`
	Cliff      [][]bool `json:"cliff"`
	// Taxi only.
	Locs [][2]int `json:"locs"`
	// Sampled with Gymnasium's own generator: not reproducible here, but every step must be
	// an outcome of P and the sequence must obey the episode rules.
	SampledTransitions struct {
		Steps []struct {
			S          int     `json:"s"`
			A          int     `json:"a"`
			NextS      int     `json:"next_s"`
			Reward     float64 `json:"reward"`
			Terminated bool    `json:"terminated"`
			Truncated  bool    `json:"truncated"`
			Prob       float64 `json:"prob"`
		} `json:"steps"`
	} `json:"sampled_transitions"`
}

// tabularEnv makes the env of a reference file as gymnasium.make(env_id, **make_kwargs) does.
func tabularEnv(t *testing.T, f *tabularFile) env.Env {
	t.Helper()
	e, err := env.Make(f.EnvID, env.Options(f.MakeKwargs()))
	if err != nil {
		t.Fatalf("Make(%q, %v): %v", f.EnvID, f.Metadata.MakeKwargs, err)
	}
	return e
}

func (f *tabularFile) MakeKwargs() map[string]any {
	if f.Metadata.MakeKwargs == nil {
		return map[string]any{}
	}
	return f.Metadata.MakeKwargs
}

func checkTabularModel(t *testing.T, path string, raw []byte) {
	var f tabularFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(f.P) != f.NS || len(f.ISD) != f.NS || f.NS == 0 || f.NA == 0 {
		t.Fatalf("%s: P has %d states and isd %d for nS = %d, nA = %d (truncated file?)", path, len(f.P), len(f.ISD), f.NS, f.NA)
	}
	md := &f.Metadata

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
		for k, v := range md.Spec.Kwargs {
			if fmt.Sprint(spec.Kwargs[k]) != fmt.Sprint(v) {
				t.Errorf("spec kwarg %s = %v; Gymnasium's is %v", k, spec.Kwargs[k], v)
			}
		}
		e := tabularEnv(t, &f)
		tl, ok := e.(*env.TimeLimit)
		switch {
		case want > 0 && (!ok || tl.MaxSteps != want):
			t.Errorf("Make returned %T; want a TimeLimit of %d steps", e, want)
		case want == 0 && ok:
			t.Errorf("Make returned a TimeLimit of %d steps; Gymnasium has no time limit", tl.MaxSteps)
		}
	})

	t.Run("spaces", func(t *testing.T) {
		e := tabularEnv(t, &f)
		if msg := checkSpace(e.ObservationSpace(), md.ObservationSpace); msg != "" {
			t.Errorf("observation space: %s", msg)
		}
		if msg := checkSpace(e.ActionSpace(), md.ActionSpace); msg != "" {
			t.Errorf("action space: %s", msg)
		}
	})

	t.Run("P", func(t *testing.T) {
		m, ok := env.Unwrapped(tabularEnv(t, &f)).(env.Model)
		if !ok {
			t.Fatalf("the unwrapped env does not implement env.Model")
		}
		if m.NumStates() != f.NS || m.NumActions() != f.NA {
			t.Fatalf("model has %d states and %d actions; want %d and %d", m.NumStates(), m.NumActions(), f.NS, f.NA)
		}
		bad := 0
		for s := 0; s < f.NS && bad < 10; s++ {
			if len(f.P[s]) != f.NA {
				t.Fatalf("reference P[%d] has %d actions", s, len(f.P[s]))
			}
			for a := 0; a < f.NA && bad < 10; a++ {
				got, want := m.Transitions(s, a), f.P[s][a]
				if !sameOutcomes(got, want) {
					t.Errorf("P[%d][%d] = %v; want %v", s, a, got, want)
					bad++
				}
			}
		}
	})

	t.Run("isd", func(t *testing.T) {
		m := env.Unwrapped(tabularEnv(t, &f)).(env.Model)
		got := m.InitialDistribution()
		if len(got) != f.NS {
			t.Fatalf("initial distribution has %d entries; want %d", len(got), f.NS)
		}
		for s := range got {
			if math.Float64bits(got[s]) != math.Float64bits(f.ISD[s]) {
				t.Fatalf("isd[%d] = %v; want %v", s, got[s], f.ISD[s])
			}
		}
		// Reset draws from it: every start must have positive probability, and a
		// deterministic start must always be the same state.
		e := tabularEnv(t, &f)
		seen := map[int]int{}
		for i := 0; i < 600; i++ {
			var seed *uint64
			if i == 0 {
				seed = env.Seed(7)
			}
			obs, _ := e.Reset(seed)
			s := int(obs[0])
			if f.ISD[s] == 0 {
				t.Fatalf("Reset returned state %d, which has initial probability 0", s)
			}
			seen[s]++
		}
		support := 0
		for _, p := range f.ISD {
			if p > 0 {
				support++
			}
		}
		if support > 1 && len(seen) < min(support, 200) {
			t.Errorf("600 resets reached %d of the %d initial states", len(seen), support)
		}
	})

	t.Run("map", func(t *testing.T) {
		u := env.Unwrapped(tabularEnv(t, &f))
		d, ok := u.(interface{ Desc() []string })
		if !ok {
			t.Fatalf("%T has no Desc method", u)
		}
		if got := d.Desc(); !slices.Equal(got, f.Desc) {
			t.Errorf("Desc() = %q; want %q", got, f.Desc)
		}
		am, ok := u.(interface{ ActionMeanings() []string })
		if !ok {
			t.Fatalf("%T has no ActionMeanings method", u)
		}
		if got := am.ActionMeanings(); !slices.Equal(got, f.ActionMeanings) {
			t.Errorf("ActionMeanings() = %q; want %q", got, f.ActionMeanings)
		}
		if len(f.Shape) == 2 {
			cw, ok := u.(*grid.CliffWalking)
			if !ok {
				t.Fatalf("%T: the file has CliffWalking's shape and cliff", u)
			}
			if r, c := cw.Shape(); r != f.Shape[0] || c != f.Shape[1] {
				t.Errorf("Shape() = %d×%d; want %v", r, c, f.Shape)
			}
			if f.StartState == nil || *f.StartState != grid.CliffStart {
				t.Errorf("start state %v; gorl's is %d", f.StartState, grid.CliffStart)
			}
			for r, row := range f.Cliff {
				for c, want := range row {
					if cw.IsCliff(r, c) != want {
						t.Errorf("IsCliff(%d, %d) = %v; want %v", r, c, !want, want)
					}
				}
			}
		}
		if len(f.Locs) > 0 {
			if len(f.Locs) != len(grid.TaxiLocs) {
				t.Fatalf("%d locations; gorl has %d", len(f.Locs), len(grid.TaxiLocs))
			}
			for i, l := range f.Locs {
				if l != grid.TaxiLocs[i] {
					t.Errorf("location %d = %v; want %v", i, grid.TaxiLocs[i], l)
				}
			}
			// state = ((taxi_row*5 + taxi_col)*5 + pass_loc)*4 + dest_idx
			for s := 0; s < f.NS; s++ {
				r, c, p, d := grid.DecodeTaxi(s)
				if ((r*5+c)*5+p)*4+d != s || grid.EncodeTaxi(r, c, p, d) != s {
					t.Fatalf("DecodeTaxi(%d) = %d, %d, %d, %d does not encode back", s, r, c, p, d)
				}
			}
		}
	})

	t.Run("sampled_transitions", func(t *testing.T) {
		steps := f.SampledTransitions.Steps
		if len(steps) == 0 {
			t.Fatal("no sampled transitions")
		}
		limit := 0
		if md.MaxEpisodeSteps != nil {
			limit = *md.MaxEpisodeSteps
		}
		elapsed := 0
		for i, st := range steps {
			if i == 0 || steps[i-1].Terminated || steps[i-1].Truncated {
				if f.ISD[st.S] == 0 {
					t.Fatalf("step %d starts an episode in state %d, which has initial probability 0", i, st.S)
				}
				elapsed = 0
			} else if st.S != steps[i-1].NextS {
				t.Fatalf("step %d starts in %d; the previous step ended in %d", i, st.S, steps[i-1].NextS)
			}
			elapsed++
			found := false
			for _, o := range f.P[st.S][st.A] {
				if o.Next == st.NextS && o.Reward == st.Reward && o.Terminated == st.Terminated &&
					math.Float64bits(o.Prob) == math.Float64bits(st.Prob) {
					found = true
				}
			}
			if !found {
				t.Fatalf("step %d %+v is not an outcome of P[%d][%d] = %v", i, st, st.S, st.A, f.P[st.S][st.A])
			}
			if want := limit > 0 && elapsed >= limit; st.Truncated != want {
				t.Fatalf("step %d: truncated = %v after %d steps with a limit of %d", i, st.Truncated, elapsed, limit)
			}
		}
	})

	t.Run("step", func(t *testing.T) {
		// Stepping the registered env from every recorded state gives outcomes of P with
		// the probability in info, as Gymnasium's {"prob": p}.
		e := tabularEnv(t, &f)
		u := env.Unwrapped(e)
		sa := u.(env.StateAccessor)
		e.Reset(env.Seed(3))
		for i, st := range f.SampledTransitions.Steps {
			if err := sa.SetState([]float64{float64(st.S)}); err != nil {
				t.Fatal(err)
			}
			obs, r, term, trunc, info := u.Step([]float32{float32(st.A)})
			s2 := int(obs[0])
			p, _ := info["prob"].(float64)
			ok := false
			for _, o := range f.P[st.S][st.A] {
				if o.Next == s2 && o.Reward == r && o.Terminated == term && o.Prob == p {
					ok = true
				}
			}
			if !ok || trunc {
				t.Fatalf("step %d: from %d, action %d gave state %d, reward %v, terminated %v, truncated %v, prob %v: not an outcome of %v",
					i, st.S, st.A, s2, r, term, trunc, p, f.P[st.S][st.A])
			}
		}
	})
}

func sameOutcomes(got []env.Transition, want []refOutcome) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.Float64bits(g.Prob) != math.Float64bits(w.Prob) || g.Next != w.Next ||
			math.Float64bits(g.Reward) != math.Float64bits(w.Reward) || g.Terminated != w.Terminated {
			return false
		}
	}
	return true
}

// blackjackFile is a blackjack_episodes file (SCHEMA.md §3).
type blackjackFile struct {
	EnvID    string `json:"env_id"`
	Metadata struct {
		Spec struct {
			Kwargs map[string]any `json:"kwargs"`
		} `json:"spec"`
		MaxEpisodeSteps  *int     `json:"max_episode_steps"`
		RewardThreshold  *float64 `json:"reward_threshold"`
		ObservationSpace refSpace `json:"observation_space"`
		ActionSpace      refSpace `json:"action_space"`
		Sab              bool     `json:"sab"`
		Natural          bool     `json:"natural"`
		Deck             []int    `json:"deck"`
	} `json:"metadata"`
	Counts struct {
		Episodes int `json:"episodes"`
		Steps    int `json:"steps"`
	} `json:"counts"`
	Episodes []struct {
		Index      int       `json:"index"`
		ResetSeed  *uint64   `json:"reset_seed"`
		InitialObs []float64 `json:"initial_obs"`
		Player     []int     `json:"player"`
		Dealer     []int     `json:"dealer"`
		Steps      []struct {
			T            int       `json:"t"`
			PlayerBefore []int     `json:"player_before"`
			DealerBefore []int     `json:"dealer_before"`
			Action       int       `json:"action"`
			Obs          []float64 `json:"obs"`
			Reward       float64   `json:"reward"`
			Terminated   bool      `json:"terminated"`
			Truncated    bool      `json:"truncated"`
			PlayerAfter  []int     `json:"player_after"`
			DealerAfter  []int     `json:"dealer_after"`
		} `json:"steps"`
	} `json:"episodes"`
}

// checkBlackjackEpisodes replays every recorded game: the recorded cards are dealt in
// Gymnasium's order (the dealer's two, the player's two, then each drawn card) and Blackjack's
// rules must turn them into the recorded observations, rewards and flags, drawing exactly the
// recorded cards.
func checkBlackjackEpisodes(t *testing.T, path string, raw []byte) {
	var f blackjackFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	steps := 0
	for _, ep := range f.Episodes {
		steps += len(ep.Steps)
	}
	if len(f.Episodes) != f.Counts.Episodes || steps != f.Counts.Steps || len(f.Episodes) == 0 {
		t.Fatalf("%s: holds %d episodes and %d steps; its counts say %+v (truncated file?)", path, len(f.Episodes), steps, f.Counts)
	}
	md := &f.Metadata
	if !slices.Equal(md.Deck, grid.BlackjackDeck[:]) {
		t.Errorf("deck %v; gorl's is %v", md.Deck, grid.BlackjackDeck)
	}
	spec, err := env.Lookup(f.EnvID)
	if err != nil {
		t.Fatal(err)
	}
	if md.MaxEpisodeSteps != nil || spec.MaxEpisodeSteps != 0 {
		t.Errorf("MaxEpisodeSteps = %d; want %v", spec.MaxEpisodeSteps, md.MaxEpisodeSteps)
	}
	if md.RewardThreshold == nil && spec.HasRewardThreshold() {
		t.Errorf("RewardThreshold = %v; Gymnasium has none", spec.RewardThreshold)
	}
	for k, v := range md.Spec.Kwargs {
		if fmt.Sprint(spec.Kwargs[k]) != fmt.Sprint(v) {
			t.Errorf("spec kwarg %s = %v; Gymnasium's is %v", k, spec.Kwargs[k], v)
		}
	}
	e, err := env.Make(f.EnvID, env.Options{"sab": md.Sab, "natural": md.Natural})
	if err != nil {
		t.Fatal(err)
	}
	// Gymnasium's Tuple(Discrete(32), Discrete(11), Discrete(2)) is flattened to MultiDiscrete.
	md2, ok := e.ObservationSpace().(env.MultiDiscrete)
	var nvec []int
	for _, sp := range md.ObservationSpace.Spaces {
		if sp.Type != "Discrete" || sp.Start != 0 {
			t.Fatalf("reference observation space %+v: want a Tuple of Discrete spaces starting at 0", md.ObservationSpace)
		}
		nvec = append(nvec, sp.N)
	}
	if !ok || !slices.Equal(md2.Nvec, nvec) {
		t.Errorf("observation space %v; want MultiDiscrete(%v), Gymnasium's Tuple flattened", e.ObservationSpace(), nvec)
	}
	if msg := checkSpace(e.ActionSpace(), md.ActionSpace); msg != "" {
		t.Errorf("action space: %s", msg)
	}

	bj := env.Unwrapped(e).(*grid.Blackjack)
	var deck []int
	bj.SetCardSource(func() int {
		if len(deck) == 0 {
			t.Fatalf("the env drew more cards than the recorded game holds")
		}
		c := deck[0]
		deck = deck[1:]
		return c
	})
	floats := func(x []float32) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	}
	for _, ep := range f.Episodes {
		deck = append(append(deck[:0], ep.Dealer...), ep.Player...)
		obs, _ := e.Reset(ep.ResetSeed)
		if got := floats(obs); !slices.Equal(got, ep.InitialObs) {
			t.Fatalf("episode %d: Reset with player %v, dealer %v observed %v; want %v", ep.Index, ep.Player, ep.Dealer, got, ep.InitialObs)
		}
		for _, st := range ep.Steps {
			where := fmt.Sprintf("episode %d step %d (player %v, dealer %v, action %d)", ep.Index, st.T, st.PlayerBefore, st.DealerBefore, st.Action)
			p, d := bj.Hands()
			if !slices.Equal(p, st.PlayerBefore) || !slices.Equal(d, st.DealerBefore) {
				t.Fatalf("%s: the env holds player %v, dealer %v", where, p, d)
			}
			if !slices.Equal(st.PlayerAfter[:len(st.PlayerBefore)], st.PlayerBefore) || !slices.Equal(st.DealerAfter[:len(st.DealerBefore)], st.DealerBefore) {
				t.Fatalf("%s: the recorded hands after the step do not extend those before", where)
			}
			deck = append(append(deck[:0], st.PlayerAfter[len(st.PlayerBefore):]...), st.DealerAfter[len(st.DealerBefore):]...)
			obs, r, term, trunc, _ := e.Step([]float32{float32(st.Action)})
			if got := floats(obs); !slices.Equal(got, st.Obs) {
				t.Errorf("%s: obs %v; want %v", where, got, st.Obs)
			}
			if r != st.Reward || term != st.Terminated || trunc != st.Truncated {
				t.Errorf("%s: reward %v, terminated %v, truncated %v; want %v, %v, %v", where, r, term, trunc, st.Reward, st.Terminated, st.Truncated)
			}
			p, d = bj.Hands()
			if !slices.Equal(p, st.PlayerAfter) || !slices.Equal(d, st.DealerAfter) || len(deck) != 0 {
				t.Errorf("%s: hands after the step player %v, dealer %v, %d recorded cards left undrawn; want player %v, dealer %v",
					where, p, d, len(deck), st.PlayerAfter, st.DealerAfter)
			}
		}
	}
}
