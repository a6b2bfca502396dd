package grid

import (
	"errors"
	"fmt"
	"image"

	"github.com/gorl/gorl/env"
)

// GridWorld actions, in REINFORCEjs's order.
const (
	GridLeft = iota
	GridUp
	GridDown
	GridRight
)

// DefaultGridWorldMap is the world of Karpathy's REINFORCEjs GridWorld demos
// (gridworld_dp.html, gridworld_td.html): a 10×10 grid with an L of walls, a gap in the wall
// above the goal, the +1 goal G and the -1 cells around it. REINFORCEjs numbers the cell in
// column x, row y as x·10 + y; gorl numbers it y·10 + x, as FrozenLake does.
var DefaultGridWorldMap = []string{
	"S.........",
	"..........",
	".####.###.",
	"...-#.....",
	"....#--...",
	"....#G-.-.",
	"....#...-.",
	"...-#--...",
	"..........",
	"..........",
}

// GridWorldConfig holds GridWorld's arguments.
type GridWorldConfig struct {
	// Map is the layout, one string a row: '.' an empty cell, '#' a wall, 'S' the start, 'G'
	// the goal (reward +1, ends the episode), '-' a cell with reward -1, '+' a cell with
	// reward +1 that does not end the episode. Default DefaultGridWorldMap.
	Map []string
	// StepReward is added to the reward of every step. Default -0.01, as gridworld_td.html.
	StepReward float64
}

// DefaultGridWorldConfig returns the REINFORCEjs world with its step cost of -0.01.
func DefaultGridWorldConfig() GridWorldConfig {
	return GridWorldConfig{Map: DefaultGridWorldMap, StepReward: -0.01}
}

// GridWorld is the grid world of Karpathy's REINFORCEjs demos, as a Gymnasium-style env with a
// transition model: walk to the goal, avoiding the cells that cost reward.
//
// # Description
//
// The agent moves on a grid of cells with walls. Moving into a wall or the border leaves it in
// place. Each cell has a reward, received on the step that leaves it (REINFORCEjs's reward of
// "being in s"): +1 on the goal, -1 on the '-' cells, 0 elsewhere, plus StepReward. Any action
// on the goal collects its +1, ends the episode and takes the agent back to the start, as the
// REINFORCEjs agent is teleported. REINFORCEjs offers only the moves that stay on the grid;
// here every action is always allowed.
//
// # Action Space
//
// Discrete(4): 0 left, 1 up, 2 down, 3 right (REINFORCEjs's order).
//
// # Observation Space
//
// Discrete(rows·cols): the agent's cell as row·cols + col. Wall cells are states that are
// never reached.
//
// # Rewards
//
// The reward of the cell left (+1 goal, -1 for '-', +1 for '+', 0 otherwise) plus StepReward
// (-0.01 by default).
//
// # Starting State
//
// The S cell (uniform over S cells if there are several).
//
// # Episode End
//
//   - Termination: an action taken on the goal (the step that collects its reward).
//   - Truncation: 500 steps for GridWorld-v0 (the TimeLimit that Make adds; REINFORCEjs has
//     none, but an untrained agent can wander for thousands of steps).
//
// # Arguments
//
// Options map ([]string or one string with rows separated by newlines or commas) and
// step_reward (GridWorldConfig).
//
// # Version History
//
//   - v0: the REINFORCEjs world.
type GridWorld struct {
	toyText
	desc       []string
	nrow, ncol int
	rewards    []float64
	grid       gridRender
}

var (
	_ env.Env           = (*GridWorld)(nil)
	_ env.Model         = (*GridWorld)(nil)
	_ env.StateAccessor = (*GridWorld)(nil)
	_ Overlayer         = (*GridWorld)(nil)
)

// NewGridWorld builds a GridWorld from cfg. It returns an error for a malformed map.
func NewGridWorld(cfg GridWorldConfig) (*GridWorld, error) {
	desc := cfg.Map
	if desc == nil {
		desc = DefaultGridWorldMap
	}
	if err := checkDesc("GridWorld", desc, ".#SG-+"); err != nil {
		return nil, err
	}
	nrow, ncol := len(desc), len(desc[0])
	nS, nA := nrow*ncol, 4
	rewards := make([]float64, nS)
	isd := make([]float64, nS)
	var starts []int
	for r, row := range desc {
		for c := 0; c < ncol; c++ {
			s := r*ncol + c
			switch row[c] {
			case 'G', '+':
				rewards[s] = 1
			case '-':
				rewards[s] = -1
			case 'S':
				starts = append(starts, s)
			}
		}
	}
	if len(starts) == 0 {
		return nil, errors.New("grid: GridWorld: the map has no start cell S")
	}
	for _, s := range starts {
		isd[s] = 1 / float64(len(starts))
	}
	deltas := [4][2]int{GridLeft: {0, -1}, GridUp: {-1, 0}, GridDown: {1, 0}, GridRight: {0, 1}}
	b := newModelBuilder(nS, nA)
	for s := 0; s < nS; s++ {
		r, c := s/ncol, s%ncol
		for a := 0; a < nA; a++ {
			switch desc[r][c] {
			case '#':
				b.add(1.0, s, 0, false) // never reached
			case 'G':
				for _, st := range starts {
					b.add(isd[st], st, rewards[s]+cfg.StepReward, true)
				}
			default:
				nr, nc := r+deltas[a][0], c+deltas[a][1]
				next := s
				if nr >= 0 && nr < nrow && nc >= 0 && nc < ncol && desc[nr][nc] != '#' {
					next = nr*ncol + nc
				}
				b.add(1.0, next, rewards[s]+cfg.StepReward, false)
			}
			b.next()
		}
	}
	g := &GridWorld{
		toyText: newToyText("GridWorld", b.done(isd)),
		desc:    append([]string(nil), desc...),
		nrow:    nrow,
		ncol:    ncol,
		rewards: rewards,
	}
	g.grid = newGridRender(nrow, ncol, 60)
	return g, nil
}

func newGridWorldFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "map", "step_reward"); err != nil {
		return nil, fmt.Errorf("grid: GridWorld: %w", err)
	}
	cfg := DefaultGridWorldConfig()
	m, err := descOption(opts, "map")
	if err != nil {
		return nil, fmt.Errorf("grid: GridWorld: %w", err)
	}
	if m != nil {
		cfg.Map = m
	}
	if cfg.StepReward, err = env.FloatOption(opts, "step_reward", cfg.StepReward); err != nil {
		return nil, fmt.Errorf("grid: GridWorld: %w", err)
	}
	g, err := NewGridWorld(cfg)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Desc returns the map, one string a row.
func (g *GridWorld) Desc() []string { return append([]string(nil), g.desc...) }

// Shape returns the number of rows and columns.
func (g *GridWorld) Shape() (rows, cols int) { return g.nrow, g.ncol }

// IsWall reports whether state s is a wall cell.
func (g *GridWorld) IsWall(s int) bool { return g.desc[s/g.ncol][s%g.ncol] == '#' }

// CellReward returns the reward of leaving state s, without the step reward.
func (g *GridWorld) CellReward(s int) float64 { return g.rewards[s] }

// ActionMeanings names the actions in order.
func (g *GridWorld) ActionMeanings() []string { return []string{"LEFT", "UP", "DOWN", "RIGHT"} }

// SetOverlay implements Overlayer.
func (g *GridWorld) SetOverlay(values []float64, policy []int) {
	g.grid.setOverlay("GridWorld", g.nS, g.nA, values, policy)
}

// Render draws the grid as REINFORCEjs does: walls grey, cells coloured by the overlay's
// values (green positive, red negative), the reward cells marked, the agent a yellow disc.
func (g *GridWorld) Render() *image.RGBA {
	return g.grid.draw(func(r, c int) cellStyle {
		switch g.desc[r][c] {
		case '#':
			return cellStyle{fill: colWall}
		default:
			st := cellStyle{fill: colFloor, overlay: true}
			switch rw := g.rewards[r*g.ncol+c]; {
			case rw > 0:
				st.mark = colGoal
			case rw < 0:
				st.mark = colBad
			}
			return st
		}
	}, g.s, g.ready, gridArrows)
}

var gridArrows = [][2]float64{{-1, 0}, {0, -1}, {0, 1}, {1, 0}}
