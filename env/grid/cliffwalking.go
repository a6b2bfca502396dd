package grid

import (
	"fmt"
	"image"

	"github.com/gorl/gorl/env"
)

// CliffWalking actions, in Gymnasium's order.
const (
	CliffUp = iota
	CliffRight
	CliffDown
	CliffLeft
)

const (
	cliffRows = 4
	cliffCols = 12
	// CliffStart is the start state, row 3 column 0.
	CliffStart = 3 * cliffCols
	// CliffGoal is the goal state, row 3 column 11.
	CliffGoal = cliffRows*cliffCols - 1
)

// CliffWalking is Gymnasium's CliffWalking-v1, Sutton and Barto's Example 6.6: walk along a
// cliff from the start to the goal without falling off.
//
// # Description
//
// A 4×12 grid. The agent starts at row 3, column 0 and the goal is at row 3, column 11; the
// cells between them on row 3 are a cliff. Stepping into the cliff sends the agent back to the
// start with a reward of -100 (the episode goes on). Moves into the border leave the agent in
// place. With is_slippery a move goes in the intended direction or either perpendicular one,
// each with probability 1/3 (CliffWalkingSlippery-v1).
//
// # Action Space
//
// Discrete(4): 0 up, 1 right, 2 down, 3 left.
//
// # Observation Space
//
// Discrete(48): the agent's cell as row·12 + col (36 is the start, 47 the goal).
//
// # Rewards
//
// -1 per step, -100 for stepping into the cliff.
//
// # Starting State
//
// State 36 (row 3, column 0).
//
// # Episode End
//
//   - Termination: the agent enters the goal, state 47.
//   - Truncation: none (Gymnasium registers no time limit).
//
// # Information
//
// Reset and Step return info["prob"], the probability of the transition taken. The info map and
// the observation slice are reused by the next call.
//
// # Arguments
//
// Option is_slippery (default false; true for CliffWalkingSlippery-v1).
//
// # Version History
//
//   - v1: Gymnasium's current version, with is_slippery (registered as CliffWalkingSlippery-v1).
type CliffWalking struct {
	toyText
	cliff [cliffRows][cliffCols]bool
	grid  gridRender
}

var (
	_ env.Env           = (*CliffWalking)(nil)
	_ env.Model         = (*CliffWalking)(nil)
	_ env.StateAccessor = (*CliffWalking)(nil)
	_ Overlayer         = (*CliffWalking)(nil)
)

// NewCliffWalking builds CliffWalking, slippery or not.
func NewCliffWalking(isSlippery bool) *CliffWalking {
	cw := &CliffWalking{}
	for c := 1; c < cliffCols-1; c++ {
		cw.cliff[cliffRows-1][c] = true
	}
	deltas := [4][2]int{CliffUp: {-1, 0}, CliffRight: {0, 1}, CliffDown: {1, 0}, CliffLeft: {0, -1}}
	nS, nA := cliffRows*cliffCols, 4
	b := newModelBuilder(nS, nA)
	for s := 0; s < nS; s++ {
		r, c := s/cliffCols, s%cliffCols
		for a := 0; a < nA; a++ {
			moves := []int{a}
			if isSlippery {
				moves = []int{(a + 3) % 4, a, (a + 1) % 4}
			}
			// 1/len(moves) at run time, as Python's 1 / len(deltas).
			n := float64(len(moves))
			p := 1 / n
			for _, m := range moves {
				nr := min(max(r+deltas[m][0], 0), cliffRows-1)
				nc := min(max(c+deltas[m][1], 0), cliffCols-1)
				if cw.cliff[nr][nc] {
					b.add(p, CliffStart, -100, false)
					continue
				}
				b.add(p, nr*cliffCols+nc, -1, nr == cliffRows-1 && nc == cliffCols-1)
			}
			b.next()
		}
	}
	isd := make([]float64, nS)
	isd[CliffStart] = 1
	cw.toyText = newToyText("CliffWalking", b.done(isd))
	cw.grid = newGridRender(cliffRows, cliffCols, 60)
	return cw
}

func newCliffWalkingFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "is_slippery"); err != nil {
		return nil, fmt.Errorf("grid: CliffWalking: %w", err)
	}
	slip, err := env.BoolOption(opts, "is_slippery", false)
	if err != nil {
		return nil, fmt.Errorf("grid: CliffWalking: %w", err)
	}
	return NewCliffWalking(slip), nil
}

// Desc returns the map as FrozenLake-style rows: S start, G goal, C cliff, . free (Gymnasium's
// CliffWalking has no desc; the reference data synthesises the same one).
func (cw *CliffWalking) Desc() []string {
	out := make([]string, cliffRows)
	for r := range out {
		row := make([]byte, cliffCols)
		for c := range row {
			switch {
			case r*cliffCols+c == CliffStart:
				row[c] = 'S'
			case r*cliffCols+c == CliffGoal:
				row[c] = 'G'
			case cw.cliff[r][c]:
				row[c] = 'C'
			default:
				row[c] = '.'
			}
		}
		out[r] = string(row)
	}
	return out
}

// Shape returns the grid's rows and columns, 4 and 12.
func (cw *CliffWalking) Shape() (rows, cols int) { return cliffRows, cliffCols }

// IsCliff reports whether the cell at row r, column c is part of the cliff.
func (cw *CliffWalking) IsCliff(r, c int) bool { return cw.cliff[r][c] }

// ActionMeanings names the actions in order.
func (cw *CliffWalking) ActionMeanings() []string { return []string{"UP", "RIGHT", "DOWN", "LEFT"} }

// SetOverlay implements Overlayer.
func (cw *CliffWalking) SetOverlay(values []float64, policy []int) {
	cw.grid.setOverlay("CliffWalking", cw.nS, cw.nA, values, policy)
}

// Render draws the grid: the cliff, the start, the goal and the agent, with the overlay on top.
func (cw *CliffWalking) Render() *image.RGBA {
	return cw.grid.draw(func(r, c int) cellStyle {
		s := r*cliffCols + c
		switch {
		case cw.cliff[r][c]:
			return cellStyle{fill: colCliff}
		case s == CliffGoal:
			return cellStyle{fill: colGoal}
		case s == CliffStart:
			return cellStyle{fill: colStart, overlay: true}
		default:
			return cellStyle{fill: colGrass, overlay: true}
		}
	}, cw.s, cw.ready, cliffArrows)
}

var cliffArrows = [][2]float64{{0, -1}, {1, 0}, {0, 1}, {-1, 0}}
