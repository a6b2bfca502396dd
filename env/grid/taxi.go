package grid

import (
	"fmt"
	"image"

	"github.com/gorl/gorl/env"
)

// Taxi actions, in Gymnasium's order.
const (
	TaxiSouth = iota
	TaxiNorth
	TaxiEast
	TaxiWest
	TaxiPickup
	TaxiDropoff
)

// TaxiMap is the Taxi map: ':' is an open passage between two cells, '|' a wall.
var TaxiMap = []string{
	"+---------+",
	"|R: | : :G|",
	"| : | : : |",
	"| : : : : |",
	"| | : | : |",
	"|Y| : |B: |",
	"+---------+",
}

// TaxiLocs are the four pick-up and drop-off locations (row, col): Red, Green, Yellow, Blue.
var TaxiLocs = [4][2]int{{0, 0}, {0, 4}, {4, 0}, {4, 3}}

// TaxiConfig holds Taxi's arguments.
type TaxiConfig struct {
	// IsRainy makes each move go in the intended direction with probability RainyProbability
	// and to the left or right of it with probability (1-RainyProbability)/2 each. Default false.
	IsRainy bool
	// RainyProbability is the probability of moving as intended in the rain. Default 0.8.
	RainyProbability float64
	// FicklePassenger makes the passenger change destination, with probability
	// FickleProbability per episode, on the first step the taxi moves with them on board.
	// Default false.
	FicklePassenger bool
	// FickleProbability is the chance that an episode has a fickle passenger. Default 0.3.
	FickleProbability float64
}

// DefaultTaxiConfig returns Gymnasium's defaults: dry, not fickle.
func DefaultTaxiConfig() TaxiConfig {
	return TaxiConfig{RainyProbability: 0.8, FickleProbability: 0.3}
}

// Taxi is Gymnasium's Taxi-v4, from Dietterich's MAXQ paper: drive to the passenger, pick them
// up, drive to their destination and drop them off.
//
// # Description
//
// A 5×5 grid with walls and four marked locations R, G, Y and B. The taxi starts on a random
// cell, the passenger at one of the locations and the destination is another one. The episode
// ends when the passenger is dropped off at the destination. In the rain (is_rainy) a move goes
// as intended with probability 0.8 and to the left or right of the intended direction with 0.1
// each; when the intended move is blocked the taxi stays where it is. A fickle passenger
// (fickle_passenger) may change destination once, when the taxi first moves with them aboard.
//
// # Action Space
//
// Discrete(6): 0 south, 1 north, 2 east, 3 west, 4 pick up, 5 drop off.
//
// # Observation Space
//
// Discrete(500): ((taxi_row·5 + taxi_col)·5 + passenger_location)·4 + destination, where the
// passenger location is 0-3 (R, G, Y, B) or 4 (in the taxi) and the destination is 0-3.
// DecodeTaxi splits a state into its parts.
//
// # Rewards
//
// -1 per step, +20 for delivering the passenger, -10 for an illegal pick-up or drop-off.
//
// # Starting State
//
// Uniform over the 300 states with the passenger at a location other than the destination.
//
// # Episode End
//
//   - Termination: the passenger is dropped off at the destination.
//   - Truncation: 200 steps (the TimeLimit that Make adds).
//
// # Information
//
// Reset and Step return info["prob"], the probability of the transition taken, and
// info["action_mask"], a []int8 of 6 that is 1 for the actions that change the state. The info
// map, the mask and the observation slice are reused by the next call.
//
// # Arguments
//
// Options is_rainy, rainy_probability, fickle_passenger, fickle_probability (TaxiConfig).
//
// # Version History
//
//   - v4: Gymnasium's current version, with the rainy and fickle-passenger variants.
type Taxi struct {
	toyText
	cfg        TaxiConfig
	fickleStep bool
	mask       []int8
	maskAny    any
	render     taxiRender
}

var (
	_ env.Env           = (*Taxi)(nil)
	_ env.Model         = (*Taxi)(nil)
	_ env.StateAccessor = (*Taxi)(nil)
)

// EncodeTaxi returns the state of a taxi at (row, col) with the passenger at passLoc (4: in the
// taxi) going to destination dest.
func EncodeTaxi(row, col, passLoc, dest int) int { return ((row*5+col)*5+passLoc)*4 + dest }

// DecodeTaxi is the inverse of EncodeTaxi.
func DecodeTaxi(s int) (row, col, passLoc, dest int) {
	dest = s % 4
	s /= 4
	passLoc = s % 5
	s /= 5
	return s / 5, s % 5, passLoc, dest
}

// NewTaxi builds Taxi from cfg. It returns an error for a probability outside [0, 1].
func NewTaxi(cfg TaxiConfig) (*Taxi, error) {
	for _, p := range []struct {
		name string
		v    float64
	}{{"rainy_probability", cfg.RainyProbability}, {"fickle_probability", cfg.FickleProbability}} {
		if !(p.v >= 0 && p.v <= 1) {
			return nil, fmt.Errorf("grid: Taxi: %s %v is not a probability", p.name, p.v)
		}
	}
	const nS, nA = 500, 6
	b := newModelBuilder(nS, nA)
	isd := make([]float64, nS)
	rp := cfg.RainyProbability
	side := (1 - rp) / 2
	for s := 0; s < nS; s++ {
		row, col, pass, dest := DecodeTaxi(s)
		if pass < 4 && pass != dest {
			isd[s]++
		}
		for a := 0; a < nA; a++ {
			switch {
			case a >= TaxiPickup:
				next, reward, term := taxiOutcome(row, col, pass, dest, a)
				b.add(1.0, next, reward, term)
			case !cfg.IsRainy:
				nr, nc := taxiMove(row, col, a)
				b.add(1.0, EncodeTaxi(nr, nc, pass, dest), -1, false)
			default:
				nr, nc := taxiMove(row, col, a)
				if nr == row && nc == col {
					// A blocked move stays put whatever the weather.
					for _, p := range [3]float64{rp, side, side} {
						b.add(p, s, -1, false)
					}
				} else {
					lr, lc := taxiMove(row, col, taxiLeftOf[a])
					rr, rc := taxiMove(row, col, taxiRightOf[a])
					b.add(rp, EncodeTaxi(nr, nc, pass, dest), -1, false)
					b.add(side, EncodeTaxi(lr, lc, pass, dest), -1, false)
					b.add(side, EncodeTaxi(rr, rc, pass, dest), -1, false)
				}
			}
			b.next()
		}
	}
	total := 0.0
	for _, v := range isd {
		total += v
	}
	for i := range isd {
		isd[i] /= total
	}
	t := &Taxi{toyText: newToyText("Taxi", b.done(isd)), cfg: cfg, mask: make([]int8, nA)}
	t.maskAny = t.mask
	t.info["action_mask"] = t.maskAny
	return t, nil
}

func newTaxiFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "is_rainy", "rainy_probability", "fickle_passenger", "fickle_probability"); err != nil {
		return nil, fmt.Errorf("grid: Taxi: %w", err)
	}
	cfg := DefaultTaxiConfig()
	var err error
	if cfg.IsRainy, err = env.BoolOption(opts, "is_rainy", cfg.IsRainy); err != nil {
		return nil, fmt.Errorf("grid: Taxi: %w", err)
	}
	if cfg.RainyProbability, err = env.FloatOption(opts, "rainy_probability", cfg.RainyProbability); err != nil {
		return nil, fmt.Errorf("grid: Taxi: %w", err)
	}
	if cfg.FicklePassenger, err = env.BoolOption(opts, "fickle_passenger", cfg.FicklePassenger); err != nil {
		return nil, fmt.Errorf("grid: Taxi: %w", err)
	}
	if cfg.FickleProbability, err = env.FloatOption(opts, "fickle_probability", cfg.FickleProbability); err != nil {
		return nil, fmt.Errorf("grid: Taxi: %w", err)
	}
	t, err := NewTaxi(cfg)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// The directions to the left and to the right of each move, as seen by the driver: south's
// left is east.
var (
	taxiLeftOf  = [4]int{TaxiSouth: TaxiEast, TaxiNorth: TaxiWest, TaxiEast: TaxiNorth, TaxiWest: TaxiSouth}
	taxiRightOf = [4]int{TaxiSouth: TaxiWest, TaxiNorth: TaxiEast, TaxiEast: TaxiSouth, TaxiWest: TaxiNorth}
)

// taxiMove returns where a move takes the taxi: rows are clamped to the grid, east and west
// need a ':' passage in the map.
func taxiMove(row, col, a int) (int, int) {
	switch a {
	case TaxiSouth:
		return min(row+1, 4), col
	case TaxiNorth:
		return max(row-1, 0), col
	case TaxiEast:
		if TaxiMap[1+row][2*col+2] == ':' {
			return row, col + 1
		}
	case TaxiWest:
		if TaxiMap[1+row][2*col] == ':' {
			return row, col - 1
		}
	}
	return row, col
}

// taxiOutcome is the deterministic result of a pick-up or drop-off.
func taxiOutcome(row, col, pass, dest, a int) (next int, reward float64, terminated bool) {
	at := [2]int{row, col}
	reward = -1
	newPass := pass
	if a == TaxiPickup {
		if pass < 4 && at == TaxiLocs[pass] {
			newPass = 4
		} else {
			reward = -10
		}
		return EncodeTaxi(row, col, newPass, dest), reward, false
	}
	switch loc := taxiLocIndex(at); {
	case pass == 4 && at == TaxiLocs[dest]:
		newPass, reward, terminated = dest, 20, true
	case pass == 4 && loc >= 0:
		newPass = loc
	default:
		reward = -10
	}
	return EncodeTaxi(row, col, newPass, dest), reward, terminated
}

func taxiLocIndex(at [2]int) int {
	for i, l := range TaxiLocs {
		if l == at {
			return i
		}
	}
	return -1
}

// ActionMask returns Gymnasium's action_mask for state s: 1 for the actions that can change
// the state (a move not into a wall or the border, a legal pick-up or drop-off).
func (t *Taxi) ActionMask(s int) []int8 {
	m := make([]int8, 6)
	taxiActionMask(s, m)
	return m
}

func taxiActionMask(s int, m []int8) {
	row, col, pass, dest := DecodeTaxi(s)
	clear(m)
	if row < 4 {
		m[TaxiSouth] = 1
	}
	if row > 0 {
		m[TaxiNorth] = 1
	}
	if col < 4 && TaxiMap[row+1][2*col+2] == ':' {
		m[TaxiEast] = 1
	}
	if col > 0 && TaxiMap[row+1][2*col] == ':' {
		m[TaxiWest] = 1
	}
	at := [2]int{row, col}
	if pass < 4 && at == TaxiLocs[pass] {
		m[TaxiPickup] = 1
	}
	if pass == 4 && (at == TaxiLocs[dest] || taxiLocIndex(at) >= 0) {
		m[TaxiDropoff] = 1
	}
}

// ResetIndex starts an episode and returns the initial state (the fast path of Reset).
func (t *Taxi) ResetIndex(seed *uint64) int {
	s := t.toyText.ResetIndex(seed)
	t.fickleStep = t.cfg.FicklePassenger && t.rng.Float64() < t.cfg.FickleProbability
	return s
}

// StepIndex applies action a (the fast path of Step), including the fickle passenger.
func (t *Taxi) StepIndex(a int) (next int, reward float64, terminated bool) {
	prev := t.s
	next, reward, terminated = t.toyText.StepIndex(a)
	if t.fickleStep {
		next = t.fickle(prev, next)
	}
	return next, reward, terminated
}

// fickle applies Gymnasium's fickle passenger to the transition prev → next: on the first
// step that moves the taxi with the passenger aboard, they pick another destination uniformly.
// The change is not in P, which is why Taxi with fickle_passenger is not the MDP its model says.
func (t *Taxi) fickle(prev, next int) int {
	pr, pc, ppass, pdest := DecodeTaxi(prev)
	nr, nc, npass, _ := DecodeTaxi(next)
	if ppass != 4 || (nr == pr && nc == pc) {
		return next
	}
	t.fickleStep = false
	d := t.rng.IntN(3)
	if d >= pdest {
		d++
	}
	t.s = EncodeTaxi(nr, nc, npass, d)
	return t.s
}

func (t *Taxi) Reset(seed *uint64) ([]float32, env.Info) {
	s := t.ResetIndex(seed)
	t.obs[0] = float32(s)
	t.info["prob"] = oneProb
	taxiActionMask(s, t.mask)
	return t.obs[:], t.info
}

func (t *Taxi) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	a := discreteAction(t.name, action, t.nA)
	if !t.ready {
		panic("grid: Taxi.Step called before Reset")
	}
	prev := t.s
	j := t.sample(prev, a, t.rng.Float64())
	tr := &t.trans[j]
	t.s = tr.Next
	t.lastAction = a
	if t.fickleStep {
		t.fickle(prev, tr.Next)
	}
	t.obs[0] = float32(t.s)
	t.info["prob"] = t.probs[j]
	taxiActionMask(t.s, t.mask)
	return t.obs[:], tr.Reward, tr.Terminated, false, t.info
}

// Desc returns the map (TaxiMap).
func (t *Taxi) Desc() []string { return append([]string(nil), TaxiMap...) }

// ActionMeanings names the actions in order.
func (t *Taxi) ActionMeanings() []string {
	return []string{"SOUTH", "NORTH", "EAST", "WEST", "PICKUP", "DROPOFF"}
}

// Render draws the grid, the walls, the four locations, the taxi, the passenger and the
// destination.
func (t *Taxi) Render() *image.RGBA { return t.render.draw(t.s, t.ready, t.lastAction) }
