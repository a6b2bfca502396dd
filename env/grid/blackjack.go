package grid

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"

	"github.com/gorl/gorl/env"
)

// Blackjack actions.
const (
	BlackjackStick = 0
	BlackjackHit   = 1
)

// BlackjackDeck is the infinite deck cards are drawn from with replacement: ace (1), 2-9, and
// four cards worth 10 (ten, jack, queen, king).
var BlackjackDeck = [13]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10}

// BlackjackConfig holds Blackjack's arguments.
type BlackjackConfig struct {
	// Sab follows Sutton and Barto's rules: a natural (an ace and a ten-card) wins +1 outright
	// unless the dealer also has one. It overrides Natural. Default false in the constructor,
	// true for Blackjack-v1 (the registry's default, as in Gymnasium).
	Sab bool
	// Natural pays 1.5 instead of 1 for a winning natural (ignored when Sab is set). Default false.
	Natural bool
}

// Blackjack is Gymnasium's Blackjack-v1: beat the dealer by getting closer to 21 without going
// over, drawing from an infinite deck.
//
// # Description
//
// The dealer gets two cards, one face up, and the player two cards face up. The player hits
// (draws) until they stick or go over 21 (bust). Then the dealer draws until their sum is 17
// or more, and the higher sum that is not bust wins. An ace counts 11 when that does not bust
// the hand (a usable ace), 1 otherwise; face cards count 10.
//
// # Action Space
//
// Discrete(2): 0 stick, 1 hit.
//
// # Observation Space
//
// Gymnasium's Tuple(Discrete(32), Discrete(11), Discrete(2)) flattened to
// MultiDiscrete([32 11 2]):
//
//	| index | observation              | values |
//	|-------|--------------------------|--------|
//	| 0     | player's current sum     | 0-31   |
//	| 1     | dealer's face-up card    | 1-10   |
//	| 2     | player holds a usable ace| 0-1    |
//
// # Rewards
//
// +1 for a win, -1 for a loss, 0 for a draw; +1.5 for a winning natural with natural=true
// (and sab=false); with sab=true a natural wins +1 unless the dealer has one too.
//
// # Starting State
//
// Two cards each for the dealer and the player, drawn uniformly from BlackjackDeck.
//
// # Episode End
//
//   - Termination: the player sticks or busts.
//   - Truncation: none.
//
// # Arguments
//
// Options sab and natural (BlackjackConfig); Blackjack-v1 sets sab=true.
//
// # Version History
//
//   - v1: Gymnasium's current version (sab added, Sutton and Barto's rules by default).
type Blackjack struct {
	cfg            BlackjackConfig
	rng            *rand.Rand
	draw           func() int
	player, dealer []int
	ready          bool
	done           bool // the episode has ended (the dealer's hand is shown)
	obs            [3]float32
	obsSpace       env.MultiDiscrete
	// Cosmetic, drawn at Reset as Gymnasium does: the suit and face of the dealer's up card.
	suit, face int
	render     blackjackRender
}

var _ env.Env = (*Blackjack)(nil)

// NewBlackjack returns a Blackjack with the given rules.
func NewBlackjack(cfg BlackjackConfig) *Blackjack {
	return &Blackjack{
		cfg:      cfg,
		player:   make([]int, 0, 16),
		dealer:   make([]int, 0, 16),
		obsSpace: env.MultiDiscrete{Nvec: []int{32, 11, 2}},
	}
}

func newBlackjackFromOptions(opts env.Options) (env.Env, error) {
	if err := env.CheckOptions(opts, "sab", "natural"); err != nil {
		return nil, fmt.Errorf("grid: Blackjack: %w", err)
	}
	var cfg BlackjackConfig
	var err error
	if cfg.Sab, err = env.BoolOption(opts, "sab", false); err != nil {
		return nil, fmt.Errorf("grid: Blackjack: %w", err)
	}
	if cfg.Natural, err = env.BoolOption(opts, "natural", false); err != nil {
		return nil, fmt.Errorf("grid: Blackjack: %w", err)
	}
	return NewBlackjack(cfg), nil
}

// SetCardSource replaces the random deck with draw, which returns the value of each card
// dealt (1-10), in the order Gymnasium deals them: the dealer's two cards, the player's two,
// then each card as it is drawn. Tests replay recorded games with it; nil restores the deck.
func (b *Blackjack) SetCardSource(draw func() int) { b.draw = draw }

func (b *Blackjack) drawCard() int {
	if b.draw != nil {
		c := b.draw()
		if c < 1 || c > 10 {
			panic(fmt.Sprintf("grid: Blackjack: the card source dealt %d; want 1-10", c))
		}
		return c
	}
	return BlackjackDeck[b.rng.IntN(len(BlackjackDeck))]
}

// usableAce reports whether the hand holds an ace that can count 11 without busting.
func usableAce(hand []int) bool {
	return slices.Contains(hand, 1) && sum(hand)+10 <= 21
}

// BlackjackSum returns the value of a hand, counting a usable ace as 11 (Gymnasium's sum_hand).
func BlackjackSum(hand []int) int {
	if usableAce(hand) {
		return sum(hand) + 10
	}
	return sum(hand)
}

func sum(hand []int) int {
	t := 0
	for _, c := range hand {
		t += c
	}
	return t
}

// score is a hand's value, 0 when bust.
func score(hand []int) int {
	if s := BlackjackSum(hand); s <= 21 {
		return s
	}
	return 0
}

// isNatural reports whether a hand is a natural blackjack: an ace and a ten-card.
func isNatural(hand []int) bool {
	return len(hand) == 2 && ((hand[0] == 1 && hand[1] == 10) || (hand[0] == 10 && hand[1] == 1))
}

func (b *Blackjack) Reset(seed *uint64) ([]float32, env.Info) {
	reseed(&b.rng, seed)
	b.dealer = append(b.dealer[:0], b.drawCard(), b.drawCard())
	b.player = append(b.player[:0], b.drawCard(), b.drawCard())
	b.suit = b.rng.IntN(4)
	b.face = 0
	if b.dealer[0] == 10 {
		b.face = b.rng.IntN(3)
	}
	b.ready = true
	b.done = false
	return b.observe(), nil
}

func (b *Blackjack) observe() []float32 {
	b.obs[0] = float32(BlackjackSum(b.player))
	b.obs[1] = float32(b.dealer[0])
	b.obs[2] = 0
	if usableAce(b.player) {
		b.obs[2] = 1
	}
	return b.obs[:]
}

func (b *Blackjack) Step(action []float32) ([]float32, float64, bool, bool, env.Info) {
	a := discreteAction("Blackjack", action, 2)
	if !b.ready {
		panic("grid: Blackjack.Step called before Reset")
	}
	var reward float64
	terminated := true
	if a == BlackjackHit {
		b.player = append(b.player, b.drawCard())
		if BlackjackSum(b.player) > 21 {
			reward = -1
		} else {
			terminated = false
		}
	} else {
		for BlackjackSum(b.dealer) < 17 {
			b.dealer = append(b.dealer, b.drawCard())
		}
		ps, ds := score(b.player), score(b.dealer)
		switch {
		case ps > ds:
			reward = 1
		case ps < ds:
			reward = -1
		}
		switch {
		case b.cfg.Sab && isNatural(b.player) && !isNatural(b.dealer):
			reward = 1
		case !b.cfg.Sab && b.cfg.Natural && isNatural(b.player) && reward == 1:
			reward = 1.5
		}
	}
	b.done = terminated
	return b.observe(), reward, terminated, false, nil
}

// Hands returns copies of the player's and the dealer's cards.
func (b *Blackjack) Hands() (player, dealer []int) {
	return slices.Clone(b.player), slices.Clone(b.dealer)
}

func (b *Blackjack) ObservationSpace() env.Space { return b.obsSpace }
func (b *Blackjack) ActionSpace() env.Space      { return env.NewDiscrete(2) }
func (b *Blackjack) Close() error                { return nil }

// Render draws the dealer's up card and the player's cards with their sums.
func (b *Blackjack) Render() *image.RGBA {
	return b.render.draw(b)
}
