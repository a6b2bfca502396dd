package grid_test

import (
	"errors"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/env/grid"
)

// TestCheck runs env.Check on every env of the package, as registered (TimeLimit included)
// and with the options that change the dynamics.
func TestCheck(t *testing.T) {
	cases := []struct {
		id     string
		opts   env.Options
		static bool // no randomness at all
	}{
		{"FrozenLake-v1", nil, false},
		{"FrozenLake-v1", env.Options{"is_slippery": false}, true},
		{"FrozenLake8x8-v1", nil, false},
		{"FrozenLake-v1", env.Options{"map_name": "random", "size": 6, "p": 0.7, "map_seed": 3}, false},
		{"FrozenLake-v1", env.Options{"desc": "SFFH,FHFF,FFFG", "success_rate": 0.8, "reward_schedule": []any{2, -1, -0.01}}, false},
		{"CliffWalking-v1", nil, true},
		{"CliffWalkingSlippery-v1", nil, false},
		{"Taxi-v4", nil, false},
		{"Taxi-v4", env.Options{"is_rainy": true, "fickle_passenger": true, "fickle_probability": 0.5}, false},
		{"Blackjack-v1", nil, false},
		{"Blackjack-v1", env.Options{"sab": false, "natural": true}, false},
		{"GridWorld-v0", nil, true},
		{"PuckWorld-v0", nil, false},
		{"WaterWorld-v0", nil, false},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			e, err := env.Make(c.id, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.CheckWith(e, env.CheckConfig{Seed: 1, NoRandomness: c.static}); err != nil {
				t.Fatal(err)
			}
			// CliffWalking has no time limit: a random walk must still end within Check's
			// trajectory now and then, which the check above exercised; here a longer
			// trajectory crosses the step-after-end and reset paths again.
			if err := env.CheckWith(e, env.CheckConfig{Seed: 2, Steps: 2000, NoRandomness: c.static}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	for alias, id := range map[string]string{
		"frozenlake": "FrozenLake-v1", "frozenlake8x8": "FrozenLake8x8-v1", "cliffwalking": "CliffWalking-v1",
		"taxi": "Taxi-v4", "blackjack": "Blackjack-v1", "gridworld": "GridWorld-v0", "puckworld": "PuckWorld-v0",
		"waterworld": "WaterWorld-v0", "cliffwalkingslippery": "CliffWalkingSlippery-v1",
	} {
		s, err := env.Lookup(alias)
		if err != nil || s.ID != id {
			t.Errorf("Lookup(%q) = %v, %v; want %s", alias, s, err, id)
		}
	}
}

// TestSamplingFrequencies checks that Step samples P: on slippery FrozenLake each of the three
// outcomes of (s, a) comes up with its probability, within five standard deviations.
func TestSamplingFrequencies(t *testing.T) {
	f, err := grid.NewFrozenLake(grid.DefaultFrozenLakeConfig())
	if err != nil {
		t.Fatal(err)
	}
	f.Reset(env.Seed(11))
	const n = 30000
	for _, sa := range [][2]int{{0, grid.FrozenLakeDown}, {6, grid.FrozenLakeRight}, {14, grid.FrozenLakeUp}} {
		s, a := sa[0], sa[1]
		outs := f.Transitions(s, a)
		counts := make([]int, len(outs))
		for i := 0; i < n; i++ {
			if err := f.SetState([]float64{float64(s)}); err != nil {
				t.Fatal(err)
			}
			_, _, _, _, info := f.Step([]float32{float32(a)})
			next := f.State()[0]
			p := info["prob"].(float64)
			// Outcomes may share a next state; attribute by (next, prob) to the first match
			// of the next state, which is exact for these three pairs (distinct next states).
			for j, o := range outs {
				if float64(o.Next) == next && o.Prob == p {
					counts[j]++
					break
				}
			}
		}
		for j, o := range outs {
			sd := math.Sqrt(n * o.Prob * (1 - o.Prob))
			if d := math.Abs(float64(counts[j]) - n*o.Prob); d > 5*sd {
				t.Errorf("P[%d][%d] outcome %d (p=%v): %d of %d samples", s, a, j, o.Prob, counts[j], n)
			}
		}
	}
}

func TestSeedDeterminism(t *testing.T) {
	for _, id := range []string{"FrozenLake-v1", "Taxi-v4", "Blackjack-v1", "PuckWorld-v0", "WaterWorld-v0"} {
		run := func() []float32 {
			e, err := env.Make(id, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := env.NewRand(5)
			var trace []float32
			obs, _ := e.Reset(env.Seed(42))
			trace = append(trace, obs...)
			act := make([]float32, 1)
			for i := 0; i < 400; i++ {
				e.ActionSpace().Sample(r, act)
				obs, rew, term, trunc, _ := e.Step(act)
				trace = append(trace, obs...)
				trace = append(trace, float32(rew))
				if term || trunc {
					obs, _ = e.Reset(nil)
					trace = append(trace, obs...)
				}
			}
			return trace
		}
		if a, b := run(), run(); !slices.Equal(a, b) {
			t.Errorf("%s: two runs with the same seed differ", id)
		}
	}
}

func TestFrozenLakeOptions(t *testing.T) {
	e, err := env.Make("FrozenLake-v1", env.Options{"desc": []any{"SH", "FG"}, "is_slippery": false, "reward_schedule": []any{5, -2, 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	f := env.Unwrapped(e).(*grid.FrozenLake)
	if got := f.Desc(); !slices.Equal(got, []string{"SH", "FG"}) {
		t.Fatalf("Desc() = %q", got)
	}
	// Right from S falls into H (-2, terminated); down reaches F (0.5); right again reaches G (5).
	want := map[[2]int]env.Transition{
		{0, grid.FrozenLakeRight}: {Prob: 1, Next: 1, Reward: -2, Terminated: true},
		{0, grid.FrozenLakeDown}:  {Prob: 1, Next: 2, Reward: 0.5},
		{2, grid.FrozenLakeRight}: {Prob: 1, Next: 3, Reward: 5, Terminated: true},
		{0, grid.FrozenLakeLeft}:  {Prob: 1, Next: 0, Reward: 0.5}, // S counts as frozen
		{3, grid.FrozenLakeUp}:    {Prob: 1, Next: 3, Reward: 0, Terminated: true},
	}
	for sa, tr := range want {
		if got := f.Transitions(sa[0], sa[1]); len(got) != 1 || got[0] != tr {
			t.Errorf("P[%d][%d] = %v; want [%v]", sa[0], sa[1], got, tr)
		}
	}

	e, err = env.Make("FrozenLake-v1", env.Options{"success_rate": 0.8})
	if err != nil {
		t.Fatal(err)
	}
	ps := env.Unwrapped(e).(env.Model).Transitions(0, grid.FrozenLakeDown)
	if len(ps) != 3 || ps[1].Prob != 0.8 || math.Abs(ps[0].Prob-0.1) > 1e-15 || ps[0].Prob != ps[2].Prob {
		t.Errorf("success_rate 0.8: P[0][down] = %v", ps)
	}

	for _, bad := range []env.Options{
		{"map_name": "5x5"},
		{"desc": []any{"SFF", "FG"}},
		{"desc": "SFX,FFG"},
		{"desc": "FFF,FFG"},
		{"success_rate": 1.5},
		{"reward_schedule": []any{1, 2}},
		{"is_slipery": true},
		{"map_name": "random", "size": 1},
		{"map_name": "random", "p": 0},
	} {
		if _, err := env.Make("FrozenLake-v1", bad); err == nil {
			t.Errorf("Make(FrozenLake-v1, %v) succeeded; want an error", bad)
		}
	}
	_, err = env.Make("FrozenLake-v1", env.Options{"is_slipery": true})
	if !errors.Is(err, env.ErrUnknownOption) || !strings.Contains(err.Error(), "is_slippery") {
		t.Errorf("misspelt option: %v; want an unknown-option error suggesting is_slippery", err)
	}
}

func TestGenerateRandomMap(t *testing.T) {
	a, err := grid.GenerateRandomMap(8, 0.8, 9)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := grid.GenerateRandomMap(8, 0.8, 9)
	if !slices.Equal(a, b) {
		t.Fatalf("the same seed gave two maps: %q and %q", a, b)
	}
	holes := 0
	for seed := uint64(0); seed < 50; seed++ {
		m, err := grid.GenerateRandomMap(8, 0.8, seed)
		if err != nil {
			t.Fatal(err)
		}
		if m[0][0] != 'S' || m[7][7] != 'G' || len(m) != 8 {
			t.Fatalf("map %q: want S at the top-left, G at the bottom-right", m)
		}
		holes += strings.Count(strings.Join(m, ""), "H")
		if !reachable(m) {
			t.Fatalf("map %q has no path from S to G", m)
		}
	}
	// About 20% of the 62 free tiles are holes (valid maps skew a little lower).
	if frac := float64(holes) / (50 * 62); frac < 0.12 || frac > 0.24 {
		t.Errorf("hole fraction %.3f; want about 0.2", frac)
	}
	if _, err := grid.GenerateRandomMap(30, 0.05, 1); err == nil {
		t.Error("a 30×30 map at p = 0.05 was found; the attempt cap should give up")
	}
	// map_seed makes Make reproducible; without it the map changes.
	m1, _ := env.Make("FrozenLake-v1", env.Options{"map_name": "random", "map_seed": 4})
	m2, _ := env.Make("FrozenLake-v1", env.Options{"map_name": nil, "map_seed": 4})
	d1 := env.Unwrapped(m1).(*grid.FrozenLake).Desc()
	if d2 := env.Unwrapped(m2).(*grid.FrozenLake).Desc(); !slices.Equal(d1, d2) || len(d1) != 8 {
		t.Errorf("map_seed 4 gave %q and %q", d1, d2)
	}
}

// reachable is an independent breadth-first search from S to G over non-hole tiles.
func reachable(m []string) bool {
	n := len(m)
	seen := make([]bool, n*n)
	q := []int{0}
	seen[0] = true
	for len(q) > 0 {
		s := q[0]
		q = q[1:]
		r, c := s/n, s%n
		if m[r][c] == 'G' {
			return true
		}
		for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			nr, nc := r+d[0], c+d[1]
			if nr >= 0 && nr < n && nc >= 0 && nc < n && m[nr][nc] != 'H' && !seen[nr*n+nc] {
				seen[nr*n+nc] = true
				q = append(q, nr*n+nc)
			}
		}
	}
	return false
}

func TestTaxiActionMask(t *testing.T) {
	dry, _ := grid.NewTaxi(grid.DefaultTaxiConfig())
	// The mask marks exactly the actions whose (dry) transition changes the state.
	for s := 0; s < 500; s++ {
		m := dry.ActionMask(s)
		for a := 0; a < 6; a++ {
			changes := dry.Transitions(s, a)[0].Next != s
			if (m[a] == 1) != changes {
				t.Fatalf("state %d action %d: mask %d, but the transition changes the state: %v", s, a, m[a], changes)
			}
		}
	}
	obs, info := dry.Reset(env.Seed(1))
	if got := info["action_mask"].([]int8); !slices.Equal(got, dry.ActionMask(int(obs[0]))) {
		t.Errorf("Reset's action_mask %v; want %v", got, dry.ActionMask(int(obs[0])))
	}
	obs, _, _, _, info = dry.Step([]float32{grid.TaxiNorth})
	if got := info["action_mask"].([]int8); !slices.Equal(got, dry.ActionMask(int(obs[0]))) {
		t.Errorf("Step's action_mask %v; want %v", got, dry.ActionMask(int(obs[0])))
	}
}

func TestTaxiFicklePassenger(t *testing.T) {
	cfg := grid.DefaultTaxiConfig()
	cfg.FicklePassenger, cfg.FickleProbability = true, 1
	tx, _ := grid.NewTaxi(cfg)
	for seed := uint64(0); seed < 20; seed++ {
		tx.Reset(&seed)
		// Passenger aboard, going to R, taxi at row 2, column 2 (no walls around).
		start := grid.EncodeTaxi(2, 2, 4, 0)
		if err := tx.SetState([]float64{float64(start)}); err != nil {
			t.Fatal(err)
		}
		obs, _, _, _, _ := tx.Step([]float32{grid.TaxiPickup}) // no move: no change of mind
		if int(obs[0]) != start {
			t.Fatalf("an illegal pickup moved the state from %d to %v", start, obs[0])
		}
		obs, _, _, _, _ = tx.Step([]float32{grid.TaxiEast})
		r, c, p, d := grid.DecodeTaxi(int(obs[0]))
		if r != 2 || c != 3 || p != 4 || d == 0 {
			t.Fatalf("seed %d: after the first move: row %d col %d pass %d dest %d; want 2, 3, 4 and a new destination", seed, r, c, p, d)
		}
		obs, _, _, _, _ = tx.Step([]float32{grid.TaxiWest})
		if _, _, _, d2 := grid.DecodeTaxi(int(obs[0])); d2 != d {
			t.Fatalf("the passenger changed their mind twice: %d then %d", d, d2)
		}
	}
	// Without fickleness the destination never changes.
	plain, _ := grid.NewTaxi(grid.DefaultTaxiConfig())
	plain.Reset(env.Seed(1))
	plain.SetState([]float64{float64(grid.EncodeTaxi(2, 2, 4, 0))})
	obs, _, _, _, _ := plain.Step([]float32{grid.TaxiEast})
	if _, _, _, d := grid.DecodeTaxi(int(obs[0])); d != 0 {
		t.Errorf("a non-fickle passenger changed destination to %d", d)
	}
}

func TestBlackjackRules(t *testing.T) {
	cases := []struct {
		name         string
		sab, natural bool
		cards        []int // dealer's two, player's two, then draws
		actions      []int
		reward       float64
		obsAfter     []float32
	}{
		{"stick 20 vs dealer 17", true, false, []int{10, 7, 10, 10}, []int{0}, 1, []float32{20, 10, 0}},
		{"dealer draws to 17+ and busts", false, false, []int{10, 6, 10, 8, 10}, []int{0}, 1, []float32{18, 10, 0}},
		{"push", false, false, []int{10, 8, 9, 9}, []int{0}, 0, []float32{18, 10, 0}},
		{"hit and bust", false, false, []int{10, 8, 10, 5, 9}, []int{1}, -1, []float32{24, 10, 0}},
		{"usable ace", false, false, []int{10, 8, 1, 6, 10}, []int{1}, 0, []float32{0, 0, 0}},
		{"natural pays 1.5", false, true, []int{10, 8, 1, 10}, []int{0}, 1.5, []float32{21, 10, 1}},
		{"natural without the flag", false, false, []int{10, 8, 1, 10}, []int{0}, 1, []float32{21, 10, 1}},
		{"sab natural beats a three-card 21", true, true, []int{10, 6, 1, 10, 5}, []int{0}, 1, []float32{21, 10, 1}},
		{"legacy natural vs three-card 21 pushes", false, true, []int{10, 6, 1, 10, 5}, []int{0}, 0, []float32{21, 10, 1}},
		{"legacy natural vs natural pushes", false, true, []int{10, 1, 1, 10}, []int{0}, 0, []float32{21, 10, 1}},
		{"sab natural vs natural pushes", true, false, []int{1, 10, 10, 1}, []int{0}, 0, []float32{21, 1, 1}},
		{"three-card 21 is no natural", true, false, []int{10, 7, 5, 6, 10}, []int{1, 0}, 1, []float32{21, 10, 0}},
	}
	for _, c := range cases {
		b := grid.NewBlackjack(grid.BlackjackConfig{Sab: c.sab, Natural: c.natural})
		cards := slices.Clone(c.cards)
		b.SetCardSource(func() int { x := cards[0]; cards = cards[1:]; return x })
		b.Reset(env.Seed(1))
		var obs []float32
		var r float64
		var term bool
		for _, a := range c.actions {
			obs, r, term, _, _ = b.Step([]float32{float32(a)})
		}
		if c.name == "usable ace" {
			// 1+6 (soft 17) + 10 = 17 with the ace counted as one: not bust, no usable ace.
			if term || r != 0 || obs[0] != 17 || obs[2] != 0 {
				t.Errorf("%s: obs %v reward %v terminated %v", c.name, obs, r, term)
			}
			continue
		}
		if r != c.reward || !term || !slices.Equal(obs, c.obsAfter) || len(cards) != 0 {
			t.Errorf("%s: obs %v, reward %v, terminated %v, %d cards left; want %v, %v", c.name, obs, r, term, len(cards), c.obsAfter, c.reward)
		}
	}
	// A random deck: the sums stay in the observation space, the dealer's card in 1..10.
	b := grid.NewBlackjack(grid.BlackjackConfig{Sab: true})
	obs, _ := b.Reset(env.Seed(3))
	for i := 0; i < 2000; i++ {
		if !b.ObservationSpace().Contains(obs) || obs[1] < 1 {
			t.Fatalf("observation %v outside %v", obs, b.ObservationSpace())
		}
		var term bool
		obs, _, term, _, _ = b.Step([]float32{float32(i % 2)})
		if term {
			obs, _ = b.Reset(nil)
		}
	}
}

// TestGridWorldModel checks the REINFORCEjs world: its cells in REINFORCEjs's numbering (x·10
// + y), the goal's teleport, walls and the step cost.
func TestGridWorldModel(t *testing.T) {
	g, err := grid.NewGridWorld(grid.DefaultGridWorldConfig())
	if err != nil {
		t.Fatal(err)
	}
	ours := func(js int) int { x, y := js/10, js%10; return y*10 + x }
	// gridworld_td.html: Rarr[55] = 1; -1 at 54, 64, 65, 85, 86, 37, 33, 67, 57; walls at
	// (q+1)*10+2 for q < 8 and 40+q+2 for q < 6, except the hole at 52.
	for s := 0; s < 100; s++ {
		want := 0.0
		switch s {
		case ours(55):
			want = 1
		case ours(54), ours(64), ours(65), ours(85), ours(86), ours(37), ours(33), ours(67), ours(57):
			want = -1
		}
		if g.CellReward(s) != want {
			t.Errorf("cell %d: reward %v; want %v", s, g.CellReward(s), want)
		}
	}
	walls := map[int]bool{}
	for q := 0; q < 8; q++ {
		walls[ours((q+1)*10+2)] = true
	}
	for q := 0; q < 6; q++ {
		walls[ours(40+q+2)] = true
	}
	delete(walls, ours(52))
	for s := 0; s < 100; s++ {
		if g.IsWall(s) != walls[s] {
			t.Errorf("cell %d: wall %v; want %v", s, g.IsWall(s), walls[s])
		}
	}
	goal := ours(55)
	for a := 0; a < 4; a++ {
		tr := g.Transitions(goal, a)
		if len(tr) != 1 || tr[0] != (env.Transition{Prob: 1, Next: 0, Reward: 0.99, Terminated: true}) {
			t.Errorf("goal, action %d: %v; want a teleport to 0 with reward 0.99, terminated", a, tr)
		}
	}
	// From (x=5, y=1) down through the gap at (5, 2); from (3, 1) down into the wall stays.
	if tr := g.Transitions(ours(51), grid.GridDown); tr[0].Next != ours(52) || tr[0].Reward != -0.01 {
		t.Errorf("through the gap: %v", tr)
	}
	if tr := g.Transitions(ours(31), grid.GridDown); tr[0].Next != ours(31) {
		t.Errorf("into the wall: %v", tr)
	}
	if tr := g.Transitions(ours(54), grid.GridLeft); tr[0].Reward != -1.01 || tr[0].Next != ours(54) {
		t.Errorf("leaving a -1 cell into the wall: %v", tr)
	}
	if tr := g.Transitions(0, grid.GridUp); tr[0].Next != 0 {
		t.Errorf("off the grid: %v", tr)
	}
	// A custom map.
	e, err := env.Make("gridworld", env.Options{"map": "S.#,.-G", "step_reward": 0})
	if err != nil {
		t.Fatal(err)
	}
	m := env.Unwrapped(e).(env.Model)
	if m.NumStates() != 6 || m.Transitions(4, grid.GridRight)[0] != (env.Transition{Prob: 1, Next: 5, Reward: -1}) {
		t.Errorf("custom map: %d states, P[4][right] = %v", m.NumStates(), m.Transitions(4, grid.GridRight))
	}
	if _, err := env.Make("gridworld", env.Options{"map": "..#,.-G"}); err == nil {
		t.Error("a map without S was accepted")
	}
}

func TestPuckWorldStep(t *testing.T) {
	p := grid.NewPuckWorld()
	p.Reset(env.Seed(1))
	// Puck at rest in the middle, green target 0.3 to the right, red target far away.
	if err := p.SetState([]float64{0.5, 0.5, 0, 0, 0.8, 0.5, 0.05, 0.05}); err != nil {
		t.Fatal(err)
	}
	obs, r, term, trunc, _ := p.Step([]float32{grid.PuckRight})
	// The thrust acts after the move: the puck has not moved yet, its velocity is 0.002.
	want := []float32{0, 0, 0.02, 0, 0.3, 0, -0.45, -0.45}
	for i := range want {
		if math.Abs(float64(obs[i]-want[i])) > 2e-3 && i >= 6 || i < 6 && math.Abs(float64(obs[i]-want[i])) > 1e-7 {
			t.Fatalf("obs %v; want about %v", obs, want)
		}
	}
	if math.Abs(r+0.3) > 1e-12 || term || trunc {
		t.Errorf("reward %v, terminated %v, truncated %v; want -0.3, false, false", r, term, trunc)
	}
	// Inside the red target's radius the penalty applies: at distance 0.1, 2·(0.1-0.25)/0.25.
	p.SetState([]float64{0.5, 0.5, 0, 0, 0.5, 0.5, 0.6, 0.5})
	_, r, _, _, _ = p.Step([]float32{grid.PuckNone})
	if want := 2 * (0.1 - 0.25) / 0.25; math.Abs(r-want) > 1e-12 {
		t.Errorf("reward next to the red target %v; want %v", r, want)
	}
	// The red target crept 0.001 towards the puck.
	if s := p.State(); math.Abs(s[6]-0.599) > 1e-12 || s[7] != 0.5 {
		t.Errorf("red target at %v, %v; want 0.599, 0.5", s[6], s[7])
	}
	// Bounce: moving left through the wall, the puck stops at the radius and rebounds at half speed.
	p.SetState([]float64{0.06, 0.5, -0.03, 0, 0.5, 0.5, 0.9, 0.9})
	p.Step([]float32{grid.PuckNone})
	if s := p.State(); s[0] != 0.05 || math.Abs(s[2]-0.03*0.95*0.5) > 1e-15 {
		t.Errorf("after the bounce x = %v, vx = %v; want 0.05 and %v", s[0], s[2], 0.03*0.95*0.5)
	}
}

func TestWaterWorldSensing(t *testing.T) {
	w := grid.NewWaterWorld()
	w.Reset(env.Seed(1))
	obs, _, _, _, _ := w.Step([]float32{grid.WaterLeft})
	if len(obs) != 152 || !w.ObservationSpace().Contains(obs) {
		t.Fatalf("observation of %d values, in space: %v", len(obs), w.ObservationSpace().Contains(obs))
	}
	// Eye 0 points down (+y). From (300, 300) the bottom wall is 200 away, out of range.
	// Run a long random episode: every observation stays in the space, rewards are whole.
	r := env.NewRand(2)
	act := make([]float32, 1)
	apples, poison := 0.0, 0.0
	for i := 0; i < 5000; i++ {
		w.ActionSpace().Sample(r, act)
		obs, rew, _, _, _ := w.Step(act)
		if !w.ObservationSpace().Contains(obs) {
			t.Fatalf("step %d: observation outside the space: %v", i, obs)
		}
		if rew != math.Trunc(rew) {
			t.Fatalf("step %d: reward %v", i, rew)
		}
		if rew > 0 {
			apples += rew
		} else {
			poison -= rew
		}
	}
	a, p := w.Eaten()
	if float64(a) < apples || float64(p) < poison || a+p == 0 {
		t.Errorf("Eaten() = %d, %d; the rewards counted %v apples and %v poisons", a, p, apples, poison)
	}
}

func TestOverlay(t *testing.T) {
	f, _ := grid.NewFrozenLake(grid.DefaultFrozenLakeConfig())
	f.Reset(env.Seed(1))
	plain := f.Render()
	before := plain.RGBAAt(64+32, 5) // state 1, near its top edge: plain ice
	values := make([]float64, 16)
	values[1] = 1
	values[2] = -1
	policy := make([]int, 16)
	for i := range policy {
		policy[i] = -1
	}
	policy[1] = grid.FrozenLakeRight
	f.SetOverlay(values, policy)
	img := f.Render()
	green := img.RGBAAt(64+32, 60)
	red := img.RGBAAt(128+32, 60)
	if !(green.G > 200 && green.R < 60 && green.B < 60) {
		t.Errorf("the +1 cell is %v; want green", green)
	}
	if !(red.R > 200 && red.G < 60 && red.B < 60) {
		t.Errorf("the -1 cell is %v; want red", red)
	}
	// The arrow of state 1 points right from the centre: dark pixels right of the centre.
	if c := img.RGBAAt(64+32+16, 32); c.R > 100 {
		t.Errorf("no arrow right of the centre of state 1: %v", c)
	}
	if c := img.RGBAAt(64+32-16, 32); c.R < 100 && c.G < 100 {
		t.Errorf("arrow pixel left of the centre of state 1: %v", c)
	}
	f.SetOverlay(nil, nil)
	if after := f.Render().RGBAAt(64+32, 5); after != before {
		t.Errorf("SetOverlay(nil, nil) left %v where plain ice was %v", after, before)
	}
	for _, bad := range []func(){
		func() { f.SetOverlay(make([]float64, 15), nil) },
		func() { f.SetOverlay(nil, make([]int, 17)) },
		func() { f.SetOverlay(nil, append(make([]int, 15), 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("SetOverlay with a bad slice did not panic")
				}
			}()
			bad()
		}()
	}
	var _ color.RGBA = green
}

func TestRenderSizes(t *testing.T) {
	for id, want := range map[string][2]int{
		"FrozenLake-v1": {256, 256}, "FrozenLake8x8-v1": {512, 512}, "CliffWalking-v1": {720, 240},
		"Taxi-v4": {400, 400}, "Blackjack-v1": {600, 500}, "GridWorld-v0": {600, 600},
		"PuckWorld-v0": {400, 400}, "WaterWorld-v0": {700, 500},
	} {
		e, _ := env.Make(id, nil)
		e.Reset(env.Seed(1))
		img := e.Render()
		if img == nil || img.Bounds().Dx() != want[0] || img.Bounds().Dy() != want[1] {
			t.Errorf("%s: Render() is %v; want %v", id, img.Bounds(), want)
		}
	}
}

// TestVector steps every env of the package as a parallel vector env: copies are independent
// (they share no state, so the race detector stays quiet) and seeded s+i, as copy i alone.
func TestVector(t *testing.T) {
	for _, id := range []string{"FrozenLake-v1", "CliffWalking-v1", "Taxi-v4", "Blackjack-v1", "GridWorld-v0", "PuckWorld-v0", "WaterWorld-v0"} {
		v, err := env.MakeVector(id, 3, nil, 3)
		if err != nil {
			t.Fatal(err)
		}
		single, _ := env.Make(id, nil)
		dim := v.SingleObservationSpace().Dim()
		obs := v.Reset(env.Seed(10))
		want, _ := single.Reset(env.Seed(12))
		if !slices.Equal(obs[2*dim:3*dim], want) {
			t.Errorf("%s: copy 2 reset to %v; a single env seeded 12 to %v", id, obs[2*dim:3*dim], want)
		}
		acts := make([]float32, 3)
		n := v.SingleActionSpace().(env.Discrete).N
		for i := 0; i < 300; i++ {
			for j := range acts {
				acts[j] = float32((i + j) % n)
			}
			obs, _, _, _ := v.Step(acts)
			for j := 0; j < 3; j++ {
				if !v.SingleObservationSpace().Contains(obs[j*dim : (j+1)*dim]) {
					t.Fatalf("%s: copy %d observed %v", id, j, obs[j*dim:(j+1)*dim])
				}
			}
		}
		v.Close()
	}
}
