package grid

import (
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"strings"

	"github.com/gorl/gorl/env"
)

// FrozenLake actions, in Gymnasium's order.
const (
	FrozenLakeLeft = iota
	FrozenLakeDown
	FrozenLakeRight
	FrozenLakeUp
)

// FrozenLakeMaps are Gymnasium's predefined maps, selected with the map_name option.
var FrozenLakeMaps = map[string][]string{
	"4x4": {"SFFF", "FHFH", "FFFH", "HFFG"},
	"8x8": {
		"SFFFFFFF",
		"FFFFFFFF",
		"FFFHFFFF",
		"FFFFFHFF",
		"FFFHFFFF",
		"FHHFFFHF",
		"FHFFHFHF",
		"FFFHFFFG",
	},
}

// FrozenLakeConfig holds FrozenLake's arguments (Gymnasium's keyword arguments).
type FrozenLakeConfig struct {
	// Desc is a custom map, one string a row, of the tiles S (start), F (frozen), H (hole) and
	// G (goal). When nil, MapName selects a predefined map. Default nil.
	Desc []string
	// MapName is "4x4" or "8x8", or "random" for a map drawn by GenerateRandomMap with
	// RandomSize, RandomP and MapSeed (Gymnasium: desc=None, map_name=None). Default "4x4".
	MapName string
	// RandomSize and RandomP are the size and frozen-tile probability of a random map.
	// Defaults 8 and 0.8, as generate_random_map's.
	RandomSize int
	RandomP    float64
	// MapSeed seeds the random map; nil draws a random seed, as generate_random_map(seed=None).
	MapSeed *uint64
	// IsSlippery makes each move go in the intended direction with probability SuccessRate and
	// to each perpendicular direction with probability (1-SuccessRate)/2. Default true.
	IsSlippery bool
	// SuccessRate is the probability of moving as intended on slippery ice. Default 1/3.
	SuccessRate float64
	// RewardSchedule is the reward for entering a goal, a hole and a frozen (or start) tile.
	// Default {1, 0, 0}.
	RewardSchedule [3]float64
}

// DefaultFrozenLakeConfig returns Gymnasium's defaults: the 4x4 map, slippery, success rate
// 1/3, reward 1 at the goal and 0 elsewhere.
func DefaultFrozenLakeConfig() FrozenLakeConfig {
	return FrozenLakeConfig{
		MapName:        "4x4",
		RandomSize:     8,
		RandomP:        0.8,
		IsSlippery:     true,
		SuccessRate:    1.0 / 3.0,
		RewardSchedule: [3]float64{1, 0, 0},
	}
}

// FrozenLake is Gymnasium's FrozenLake-v1: cross a frozen lake from the start to the goal
// without falling into a hole, on ice that may be slippery.
//
// # Description
//
// The agent starts on the S tile (the top-left corner of the predefined maps) and moves on a
// grid of frozen tiles F and holes H until it reaches the goal G or falls into a hole. On
// slippery ice (the default) a move goes in the intended direction with probability 1/3 and
// to each perpendicular direction with probability 1/3. Moves into the border leave the agent
// in place. Random maps always have a path from S to G.
//
// # Action Space
//
// Discrete(4): 0 left, 1 down, 2 right, 3 up.
//
// # Observation Space
//
// Discrete(nrow·ncol): the agent's tile as row·ncol + col (15 is the goal of the 4x4 map).
//
// # Rewards
//
// RewardSchedule: by default +1 for reaching the goal, 0 for a hole or a frozen tile.
//
// # Starting State
//
// The S tile (uniform over S tiles when a custom map has several).
//
// # Episode End
//
//   - Termination: the agent enters a hole or the goal.
//   - Truncation: 100 steps for FrozenLake-v1, 200 for FrozenLake8x8-v1 (the TimeLimit that
//     Make adds).
//
// # Information
//
// Reset and Step return info["prob"], the probability of the transition taken (1 at Reset),
// and info["is_success"], whether the step reached the goal (false at Reset): Stable-Baselines3's
// key, which rlrun's evaluation turns into eval.json's success_rate (Gymnasium's FrozenLake has
// only "prob"). The info map and the observation slice are reused by the next call.
//
// # Arguments
//
// Options of Make: desc ([]string, or one string with rows separated by newlines or commas),
// map_name ("4x4", "8x8" or "random"), size and p (the random map's size and frozen-tile
// probability), map_seed, is_slippery, success_rate, reward_schedule ([goal, hole, frozen]).
// See FrozenLakeConfig.
//
// # Version History
//
//   - v1: Gymnasium's current version (success_rate and reward_schedule from Gymnasium 1.1).
type FrozenLake struct {
	toyText
	desc       []string
	nrow, ncol int
	grid       gridRender
	// drewSeed: the map is random and its seed was drawn here (no MapSeed).
	drewSeed bool
}

var (
	_ env.Env           = (*FrozenLake)(nil)
	_ env.Model         = (*FrozenLake)(nil)
	_ env.StateAccessor = (*FrozenLake)(nil)
	_ Overlayer         = (*FrozenLake)(nil)
)

// NewFrozenLake builds a FrozenLake from cfg. It returns an error for a malformed map or an
// out-of-range argument.
func NewFrozenLake(cfg FrozenLakeConfig) (*FrozenLake, error) {
	desc := cfg.Desc
	drewSeed := false
	if desc == nil {
		switch cfg.MapName {
		case "random":
			seed := rand.Uint64()
			drewSeed = cfg.MapSeed == nil
			if cfg.MapSeed != nil {
				seed = *cfg.MapSeed
			}
			var err error
			desc, err = GenerateRandomMap(cfg.RandomSize, cfg.RandomP, seed)
			if err != nil {
				return nil, err
			}
		default:
			m, ok := FrozenLakeMaps[cfg.MapName]
			if !ok {
				return nil, fmt.Errorf("grid: FrozenLake: unknown map_name %q; want \"4x4\", \"8x8\" or \"random\"", cfg.MapName)
			}
			desc = m
		}
	}
	if err := checkDesc("FrozenLake", desc, "SFHG"); err != nil {
		return nil, err
	}
	if cfg.SuccessRate < 0 || cfg.SuccessRate > 1 || cfg.SuccessRate != cfg.SuccessRate {
		return nil, fmt.Errorf("grid: FrozenLake: success_rate %v is not a probability", cfg.SuccessRate)
	}
	nrow, ncol := len(desc), len(desc[0])
	nS, nA := nrow*ncol, 4

	isd := make([]float64, nS)
	starts := 0.0
	for r, row := range desc {
		for c := range row {
			if row[c] == 'S' {
				isd[r*ncol+c] = 1
				starts++
			}
		}
	}
	if starts == 0 {
		return nil, errors.New("grid: FrozenLake: the map has no start tile S")
	}
	for i := range isd {
		isd[i] /= starts
	}

	// Computed at run time from a float64 variable, (1 - 1/3)/2 rounds to 0.33333333333333337
	// exactly as in Python; a constant expression would be exact and give 0.3333333333333333.
	success := cfg.SuccessRate
	fail := (1.0 - success) / 2.0
	move := func(r, c, a int) (int, int) {
		switch a {
		case FrozenLakeLeft:
			c = max(c-1, 0)
		case FrozenLakeDown:
			r = min(r+1, nrow-1)
		case FrozenLakeRight:
			c = min(c+1, ncol-1)
		case FrozenLakeUp:
			r = max(r-1, 0)
		}
		return r, c
	}
	b := newModelBuilder(nS, nA)
	outcome := func(p float64, r, c, a int) {
		nr, nc := move(r, c, a)
		letter := desc[nr][nc]
		var reward float64
		switch letter {
		case 'G':
			reward = cfg.RewardSchedule[0]
		case 'H':
			reward = cfg.RewardSchedule[1]
		default:
			reward = cfg.RewardSchedule[2]
		}
		b.add(p, nr*ncol+nc, reward, letter == 'G' || letter == 'H')
	}
	for r := 0; r < nrow; r++ {
		for c := 0; c < ncol; c++ {
			s := r*ncol + c
			for a := 0; a < nA; a++ {
				switch {
				case desc[r][c] == 'G' || desc[r][c] == 'H':
					b.add(1.0, s, 0, true)
				case cfg.IsSlippery:
					for _, d := range [3]int{(a + 3) % 4, a, (a + 1) % 4} {
						p := fail
						if d == a {
							p = success
						}
						outcome(p, r, c, d)
					}
				default:
					outcome(1.0, r, c, a)
				}
				b.next()
			}
		}
	}
	f := &FrozenLake{
		toyText:  newToyText("FrozenLake", b.done(isd)),
		desc:     append([]string(nil), desc...),
		nrow:     nrow,
		ncol:     ncol,
		drewSeed: drewSeed,
	}
	f.grid = newGridRender(nrow, ncol, 64)
	return f, nil
}

// UnseededOptions returns the options whose values this instance drew at random because they
// were not given: map_seed for a random map made without one (as Gymnasium's
// generate_random_map(seed=None)), none otherwise. A training run gives such options its own
// seed before it writes its config (package run), so that every env the run makes (the
// training copies, the resumed run's, the evaluation's, the viewer's) has the same map.
func (f *FrozenLake) UnseededOptions() []string {
	if f.drewSeed {
		return []string{"map_seed"}
	}
	return nil
}

// newFrozenLakeFromOptions is FrozenLake's registry constructor.
func newFrozenLakeFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "desc", "map_name", "size", "p", "map_seed", "is_slippery", "success_rate", "reward_schedule"); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	cfg := DefaultFrozenLakeConfig()
	var err error
	if cfg.Desc, err = descOption(opts, "desc"); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if v, ok := opts["map_name"]; ok && v == nil {
		cfg.MapName = "random" // Gymnasium's map_name=None
	} else if cfg.MapName, err = env.StringOption(opts, "map_name", cfg.MapName); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if cfg.RandomSize, err = env.IntOption(opts, "size", cfg.RandomSize); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if cfg.RandomP, err = env.FloatOption(opts, "p", cfg.RandomP); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if _, ok := opts["map_seed"]; ok {
		s, err := env.IntOption(opts, "map_seed", 0)
		if err != nil {
			return nil, fmt.Errorf("grid: FrozenLake: %w", err)
		}
		u := uint64(s)
		cfg.MapSeed = &u
	}
	if cfg.IsSlippery, err = env.BoolOption(opts, "is_slippery", cfg.IsSlippery); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if cfg.SuccessRate, err = env.FloatOption(opts, "success_rate", cfg.SuccessRate); err != nil {
		return nil, fmt.Errorf("grid: FrozenLake: %w", err)
	}
	if rs, ok := opts["reward_schedule"]; ok {
		v, err := floatList(rs)
		if err != nil || len(v) != 3 {
			return nil, fmt.Errorf("grid: FrozenLake: option reward_schedule=%v: want three numbers [goal, hole, frozen]", rs)
		}
		copy(cfg.RewardSchedule[:], v)
	}
	f, err := NewFrozenLake(cfg)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// GenerateRandomMap returns a random size×size FrozenLake map whose tiles are frozen with
// probability p, with S at the top-left, G at the bottom-right and a path between them, as
// Gymnasium's generate_random_map (maps are redrawn until the depth-first search of is_valid
// finds the goal). The same seed gives the same map; NumPy's stream is not reproduced.
func GenerateRandomMap(size int, p float64, seed uint64) ([]string, error) {
	if size < 2 {
		return nil, fmt.Errorf("grid: GenerateRandomMap: size %d; want at least 2 (S and G need their own tiles)", size)
	}
	if !(p > 0) {
		return nil, fmt.Errorf("grid: GenerateRandomMap: p = %v; want a frozen-tile probability in (0, 1]", p)
	}
	p = min(1, p)
	r := env.NewRand(seed)
	board := make([][]byte, size)
	for i := range board {
		board[i] = make([]byte, size)
	}
	// A path exists with probability close to 1 for the usual p; for tiny p it may never
	// appear, where Gymnasium would loop forever.
	const maxTries = 100000
	for try := 0; try < maxTries; try++ {
		for _, row := range board {
			for j := range row {
				if r.Float64() < p {
					row[j] = 'F'
				} else {
					row[j] = 'H'
				}
			}
		}
		board[0][0] = 'S'
		board[size-1][size-1] = 'G'
		if isValidMap(board) {
			out := make([]string, size)
			for i, row := range board {
				out[i] = string(row)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("grid: GenerateRandomMap: no %d×%d map with a path from S to G in %d draws at p = %v; raise p", size, size, maxTries, p)
}

// isValidMap is Gymnasium's is_valid: a depth-first search from (0, 0) over non-hole tiles that
// succeeds when a neighbour is the goal.
func isValidMap(board [][]byte) bool {
	n := len(board)
	type rc struct{ r, c int }
	frontier := []rc{{0, 0}}
	seen := make(map[rc]bool)
	for len(frontier) > 0 {
		cur := frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		if seen[cur] {
			continue
		}
		seen[cur] = true
		for _, d := range [4]rc{{1, 0}, {0, 1}, {-1, 0}, {0, -1}} {
			nr, nc := cur.r+d.r, cur.c+d.c
			if nr < 0 || nr >= n || nc < 0 || nc >= n {
				continue
			}
			if board[nr][nc] == 'G' {
				return true
			}
			if board[nr][nc] != 'H' {
				frontier = append(frontier, rc{nr, nc})
			}
		}
	}
	return false
}

// Reset is the toy-text Reset with info["is_success"] = false.
func (f *FrozenLake) Reset(seed *uint64) ([]float32, env.Info) {
	obs, info := f.toyText.Reset(seed)
	info["is_success"] = false
	return obs, info
}

// Step is the toy-text Step with info["is_success"]: whether the agent entered the goal tile
// (not a positive reward, which reward_schedule may change).
func (f *FrozenLake) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	obs, r, term, trunc, info := f.toyText.Step(action)
	info["is_success"] = term && f.desc[f.s/f.ncol][f.s%f.ncol] == 'G' // reached the goal
	return obs, r, term, trunc, info
}

// Desc returns the map, one string a row.
func (f *FrozenLake) Desc() []string { return append([]string(nil), f.desc...) }

// Shape returns the number of rows and columns of the map.
func (f *FrozenLake) Shape() (rows, cols int) { return f.nrow, f.ncol }

// ActionMeanings names the actions in order.
func (f *FrozenLake) ActionMeanings() []string { return []string{"LEFT", "DOWN", "RIGHT", "UP"} }

// SetOverlay implements Overlayer.
func (f *FrozenLake) SetOverlay(values []float64, policy []int) {
	f.grid.setOverlay("FrozenLake", f.nS, f.nA, values, policy)
}

// Render draws the lake: ice, holes, the goal, the start and the agent, with the overlay on top.
func (f *FrozenLake) Render() *image.RGBA {
	return f.grid.draw(func(r, c int) cellStyle {
		switch f.desc[r][c] {
		case 'H':
			return cellStyle{fill: colHole}
		case 'G':
			return cellStyle{fill: colGoal, overlay: false}
		case 'S':
			return cellStyle{fill: colStart, overlay: true}
		default:
			return cellStyle{fill: colIce, overlay: true}
		}
	}, f.s, f.ready, frozenLakeArrows)
}

// frozenLakeArrows maps FrozenLake's actions to arrow directions (dx, dy) on screen.
var frozenLakeArrows = [][2]float64{{-1, 0}, {0, 1}, {1, 0}, {0, -1}}

// checkDesc validates a map: at least one row, rows of equal length, only the given letters.
func checkDesc(name string, desc []string, letters string) error {
	if len(desc) == 0 || len(desc[0]) == 0 {
		return fmt.Errorf("grid: %s: the map is empty", name)
	}
	for i, row := range desc {
		if len(row) != len(desc[0]) {
			return fmt.Errorf("grid: %s: map row %d has %d tiles; row 0 has %d", name, i, len(row), len(desc[0]))
		}
		for j := 0; j < len(row); j++ {
			if !strings.ContainsRune(letters, rune(row[j])) {
				return fmt.Errorf("grid: %s: map row %d column %d is %q; want one of %q", name, i, j, row[j], letters)
			}
		}
	}
	return nil
}

// descOption reads a map option: a list of strings, or one string with rows separated by
// newlines, commas or spaces. It returns nil when the option is absent or nil.
func descOption(opts env.Options, key string) ([]string, error) {
	v, ok := opts[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...), nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("option %s: element %d is %T; want a string per row", key, i, e)
			}
			out[i] = s
		}
		return out, nil
	case string:
		return strings.FieldsFunc(x, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' || r == '\t' }), nil
	}
	return nil, fmt.Errorf("option %s=%v: want a list of strings, one per row", key, v)
}

// floatList reads a list of numbers given as []float64, []int or []any of numbers.
func floatList(v any) ([]float64, error) {
	switch x := v.(type) {
	case []float64:
		return append([]float64(nil), x...), nil
	case []int:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = float64(e)
		}
		return out, nil
	case []any:
		out := make([]float64, len(x))
		for i, e := range x {
			f, err := env.FloatOption(env.Options{"x": e}, "x", 0)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is not a list of numbers", v)
}
