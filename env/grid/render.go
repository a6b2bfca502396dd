package grid

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"github.com/gorl/gorl/env/render"
)

// Overlayer is implemented by the grid worlds whose states are cells (FrozenLake, CliffWalking,
// GridWorld), to show learning as REINFORCEjs does: after SetOverlay, Render colours each
// cell by its value on REINFORCEjs's red-white-green scale (normalised by the largest |value|),
// writes the value in it, and draws an arrow for the policy's action. values and policy have
// one entry per state (a policy entry of -1 draws no arrow); either may be nil, and
// SetOverlay(nil, nil) removes the overlay. The env copies both, so the caller may reuse its
// slices. A slice of the wrong length is a contract violation and panics.
//
// The viewer reaches it under wrappers with env.Unwrapped(e).(grid.Overlayer).
type Overlayer interface {
	SetOverlay(values []float64, policy []int)
}

// Colours of the frames.
var (
	colBackground = render.RGB(255, 255, 255)
	colGridLine   = render.RGB(40, 40, 40)
	colIce        = render.RGB(200, 230, 245)
	colHole       = render.RGB(25, 45, 80)
	colGoal       = render.RGB(250, 200, 40)
	colStart      = render.RGB(225, 225, 225)
	colCliff      = render.RGB(110, 80, 60)
	colGrass      = render.RGB(190, 225, 170)
	colWall       = render.RGB(170, 170, 170) // REINFORCEjs's #AAA
	colFloor      = render.RGB(255, 255, 255)
	colBad        = render.RGB(220, 40, 40)
	colAgent      = render.RGB(255, 255, 0) // REINFORCEjs's yellow disc
	colBlack      = render.RGB(0, 0, 0)
	colText       = render.RGB(20, 20, 20)
)

// cellStyle is how one cell is drawn: its fill, whether the overlay's value colours it (not
// for walls and terminal tiles, whose value is meaningless), and an optional marker colour
// for a cell with a reward.
type cellStyle struct {
	fill    color.RGBA
	overlay bool
	mark    color.RGBA
}

// gridRender draws a grid of square cells with the agent and the overlay, reusing one canvas.
type gridRender struct {
	rows, cols int
	cell       float64 // pixels per cell
	canvas     *render.Canvas
	values     []float64
	policy     []int
	label      []byte // scratch for value labels
}

// newGridRender sizes cells at cell pixels, shrunk so that the frame fits in 720 pixels.
func newGridRender(rows, cols, cell int) gridRender {
	cell = max(8, min(cell, 720/max(rows, cols)))
	return gridRender{rows: rows, cols: cols, cell: float64(cell)}
}

func (g *gridRender) setOverlay(name string, nS, nA int, values []float64, policy []int) {
	if values != nil && len(values) != nS {
		panic(fmt.Sprintf("grid: %s.SetOverlay: %d values for %d states", name, len(values), nS))
	}
	if policy != nil && len(policy) != nS {
		panic(fmt.Sprintf("grid: %s.SetOverlay: a policy of %d actions for %d states", name, len(policy), nS))
	}
	for s, a := range policy {
		if a < -1 || a >= nA {
			panic(fmt.Sprintf("grid: %s.SetOverlay: policy[%d] = %d; want an action in [0, %d) or -1", name, s, a, nA))
		}
	}
	g.values = append(g.values[:0], values...)
	if values == nil {
		g.values = nil
	}
	g.policy = append(g.policy[:0], policy...)
	if policy == nil {
		g.policy = nil
	}
}

// draw renders the grid. style gives each cell's look, agent is the agent's state (drawn when
// ready), arrows the on-screen direction (dx, dy) of each action.
func (g *gridRender) draw(style func(r, c int) cellStyle, agent int, ready bool, arrows [][2]float64) *image.RGBA {
	if g.canvas == nil {
		g.canvas = render.New(int(g.cell)*g.cols, int(g.cell)*g.rows)
	}
	cv := g.canvas
	cv.Clear(colBackground)
	cs := g.cell
	scale := 0.0
	if g.values != nil {
		for s, v := range g.values {
			if style(s/g.cols, s%g.cols).overlay && !math.IsNaN(v) {
				scale = max(scale, math.Abs(v))
			}
		}
	}
	for r := 0; r < g.rows; r++ {
		for c := 0; c < g.cols; c++ {
			s := r*g.cols + c
			st := style(r, c)
			x0, y0 := float64(c)*cs, float64(r)*cs
			fill := st.fill
			if st.overlay && g.values != nil {
				fill = render.Diverging(g.values[s], max(scale, 1e-12))
			}
			cv.FillRect(x0, y0, x0+cs, y0+cs, fill)
			if st.mark != (color.RGBA{}) {
				cv.StrokeRect(x0+3, y0+3, x0+cs-3, y0+cs-3, 3, st.mark)
			}
			if st.overlay && g.values != nil && cs >= 40 {
				g.label = strconv.AppendFloat(g.label[:0], g.values[s], 'f', 2, 64)
				cv.Text(x0+4, y0+3, string(g.label), colText)
			}
			if st.overlay && g.policy != nil && g.policy[s] >= 0 {
				d := arrows[g.policy[s]]
				cx, cy := x0+cs/2, y0+cs/2
				cv.Arrow(cx, cy, cx+d[0]*cs*0.38, cy+d[1]*cs*0.38, max(1.5, cs/24), cs/5, colBlack)
			}
		}
	}
	for r := 0; r <= g.rows; r++ {
		cv.Line(0, float64(r)*cs, float64(g.cols)*cs, float64(r)*cs, 1, colGridLine)
	}
	for c := 0; c <= g.cols; c++ {
		cv.Line(float64(c)*cs, 0, float64(c)*cs, float64(g.rows)*cs, 1, colGridLine)
	}
	if ready {
		r, c := agent/g.cols, agent%g.cols
		cx, cy := (float64(c)+0.5)*cs, (float64(r)+0.5)*cs
		cv.FillCircle(cx, cy, cs/4, colAgent)
		cv.StrokeCircle(cx, cy, cs/4, max(1, cs/40), colBlack)
	}
	return cv.Image()
}

// taxiRender draws Taxi: 5×5 cells of 80 pixels, the walls, the four coloured locations, the
// destination framed, the passenger (a disc, drawn in the taxi when aboard) and the taxi.
type taxiRender struct {
	canvas *render.Canvas
}

var taxiLocColors = [4]color.RGBA{
	render.RGB(255, 0, 0), render.RGB(0, 200, 0), render.RGB(230, 200, 0), render.RGB(0, 0, 255),
}

func (tr *taxiRender) draw(s int, ready bool, lastAction int) *image.RGBA {
	const cs = 80.0
	if tr.canvas == nil {
		tr.canvas = render.New(5*cs, 5*cs)
	}
	cv := tr.canvas
	cv.Clear(colBackground)
	row, col, pass, dest := DecodeTaxi(s)
	for i, l := range TaxiLocs {
		x0, y0 := float64(l[1])*cs, float64(l[0])*cs
		cv.FillRect(x0, y0, x0+cs, y0+cs, render.Alpha(taxiLocColors[i], 0.35))
		cv.TextCenter(x0+cs/2, y0+12, string("RGYB"[i]), colText)
	}
	for r := 0; r <= 5; r++ {
		cv.Line(0, float64(r)*cs, 5*cs, float64(r)*cs, 1, render.RGB(190, 190, 190))
	}
	for c := 0; c <= 5; c++ {
		cv.Line(float64(c)*cs, 0, float64(c)*cs, 5*cs, 1, render.RGB(190, 190, 190))
	}
	// Walls: a '|' between cells c-1 and c of row r sits at map column 2c.
	for r := 0; r < 5; r++ {
		for c := 1; c < 5; c++ {
			if TaxiMap[r+1][2*c] == '|' {
				cv.Line(float64(c)*cs, float64(r)*cs, float64(c)*cs, float64(r+1)*cs, 6, colBlack)
			}
		}
	}
	cv.StrokeRect(0, 0, 5*cs, 5*cs, 6, colBlack)
	if !ready {
		return cv.Image()
	}
	d := TaxiLocs[dest]
	cv.StrokeRect(float64(d[1])*cs+4, float64(d[0])*cs+4, float64(d[1]+1)*cs-4, float64(d[0]+1)*cs-4, 4, taxiLocColors[dest])
	tx, ty := (float64(col)+0.5)*cs, (float64(row)+0.5)*cs
	cv.FillRect(tx-26, ty-16, tx+26, ty+16, colAgent)
	cv.StrokeRect(tx-26, ty-16, tx+26, ty+16, 2, colBlack)
	if pass < 4 {
		p := TaxiLocs[pass]
		px, py := (float64(p[1])+0.5)*cs, (float64(p[0])+0.7)*cs
		cv.FillCircle(px, py, 9, taxiLocColors[dest])
		cv.StrokeCircle(px, py, 9, 2, colBlack)
	} else {
		cv.FillCircle(tx, ty, 9, taxiLocColors[dest])
		cv.StrokeCircle(tx, ty, 9, 2, colBlack)
	}
	if lastAction >= 0 {
		cv.TextCenter(2.5*cs, 5*cs-10, []string{"south", "north", "east", "west", "pickup", "dropoff"}[lastAction], colText)
	}
	return cv.Image()
}

// blackjackRender draws the table: the dealer's face-up card and the player's cards, with the
// player's sum, on green felt.
type blackjackRender struct {
	canvas *render.Canvas
	label  []byte
}

func (br *blackjackRender) card(x, y float64, label string) {
	cv := br.canvas
	cv.FillRect(x, y, x+60, y+84, colBackground)
	cv.StrokeRect(x, y, x+60, y+84, 2, colBlack)
	cv.TextCenter(x+30, y+42, label, colText)
}

// cardLabel names a card: A for an ace, J/Q/K (by face, 0-2) or 10 (face -1) for a ten-card.
func cardLabel(v, face int) string {
	switch {
	case v == 1:
		return "A"
	case v == 10 && face >= 0:
		return [3]string{"J", "Q", "K"}[face]
	}
	return strconv.Itoa(v)
}

func (br *blackjackRender) draw(b *Blackjack) *image.RGBA {
	const w, h = 600, 500
	if br.canvas == nil {
		br.canvas = render.New(w, h)
	}
	cv := br.canvas
	cv.Clear(render.RGB(7, 99, 36)) // Gymnasium's felt green
	white := render.RGB(255, 255, 255)
	if !b.ready {
		cv.Text(20, 20, "Dealer", white)
		return cv.Image()
	}
	suits := "CDHS"
	br.card(20, 45, cardLabel(b.dealer[0], b.face)+string(suits[b.suit]))
	if b.done {
		// The episode is over: the dealer's hand is shown whole.
		br.label = append(append(br.label[:0], "Dealer: "...), strconv.Itoa(BlackjackSum(b.dealer))...)
		for i, c := range b.dealer[1:] {
			if i >= 7 {
				break
			}
			br.card(90+float64(i)*70, 45, cardLabel(c, -1))
		}
	} else {
		br.label = append(br.label[:0], "Dealer"...)
		cv.FillRect(90, 45, 150, 129, render.RGB(150, 30, 30)) // the hole card, face down
		cv.StrokeRect(90, 45, 150, 129, 2, colBlack)
	}
	cv.Text(20, 20, string(br.label), white)
	br.label = append(append(br.label[:0], "Player: "...), strconv.Itoa(BlackjackSum(b.player))...)
	if usableAce(b.player) {
		br.label = append(br.label, " (usable ace)"...)
	}
	cv.Text(20, 250, string(br.label), white)
	for i, c := range b.player {
		if i >= 8 {
			break
		}
		br.card(20+float64(i)*70, 275, cardLabel(c, -1))
	}
	return cv.Image()
}

// puckRender draws PuckWorld in a 400×400 frame, as REINFORCEjs's SVG: the puck coloured by
// the last reward, the green target, the red one with its radius of penalty, the thrust line.
type puckRender struct {
	canvas *render.Canvas
}

func (pr *puckRender) draw(p *PuckWorld) *image.RGBA {
	const size = 400.0
	if pr.canvas == nil {
		pr.canvas = render.New(size, size)
	}
	cv := pr.canvas
	cv.Clear(colBackground)
	cv.StrokeRect(0, 0, size, size, 2, colBlack)
	cv.FillCircle(p.tx2*size, p.ty2*size, puckBadRadius*size, render.Alpha(render.RGB(255, 0, 0), 0.1))
	cv.StrokeCircle(p.tx2*size, p.ty2*size, puckBadRadius*size, 1, colBlack)
	cv.FillCircle(p.tx2*size, p.ty2*size, 7, render.RGB(255, 0, 0))
	cv.StrokeCircle(p.tx2*size, p.ty2*size, 7, 1, colBlack)
	cv.FillCircle(p.tx*size, p.ty*size, 7, render.RGB(0, 255, 0))
	cv.StrokeCircle(p.tx*size, p.ty*size, 7, 1, colBlack)
	// REINFORCEjs colours the puck by reward + 0.5: green when positive, red when negative.
	cv.FillCircle(p.ppx*size, p.ppy*size, puckRadius*size, render.Diverging(p.lastReward+0.5, 1))
	cv.StrokeCircle(p.ppx*size, p.ppy*size, puckRadius*size, 1, colBlack)
	if p.lastAction != PuckNone {
		d := [4][2]float64{{-1, 0}, {1, 0}, {0, -1}, {0, 1}}[p.lastAction]
		x, y := p.ppx*size, p.ppy*size
		cv.Arrow(x, y, x+d[0]*20, y+d[1]*20, 2, 6, colBlack)
	}
	return cv.Image()
}

// waterRender draws WaterWorld at the world's own 700×500 size, as REINFORCEjs's canvas.
type waterRender struct {
	canvas *render.Canvas
}

var (
	colApple  = render.RGB(255, 150, 150)
	colPoison = render.RGB(150, 255, 150)
	colEye    = render.RGB(200, 200, 200)
)

func (wr *waterRender) draw(w *WaterWorld) *image.RGBA {
	if wr.canvas == nil {
		wr.canvas = render.New(waterW, waterH)
	}
	cv := wr.canvas
	cv.Clear(colBackground)
	cv.StrokeRect(0, 0, waterW, waterH, 2, colBlack)
	if w.ready {
		for k := range w.eyes {
			e := &w.eyes[k]
			col := colEye
			switch e.kind {
			case waterSeesApple:
				col = colApple
			case waterSeesPoison:
				col = colPoison
			}
			cv.Line(w.ax, w.ay, w.ax+e.proximity*e.sin, w.ay+e.proximity*e.cos, 1, col)
		}
		cv.FillCircle(w.ax, w.ay, waterAgentRad, render.RGB(0, 150, 150))
		cv.StrokeCircle(w.ax, w.ay, waterAgentRad, 1, colBlack)
	}
	for i := range w.items {
		it := &w.items[i]
		col := colApple
		if it.kind == waterSeesPoison {
			col = colPoison
		}
		cv.FillCircle(it.x, it.y, waterItemRad, col)
		cv.StrokeCircle(it.x, it.y, waterItemRad, 1, colBlack)
	}
	return cv.Image()
}
