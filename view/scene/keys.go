package scene

import "strings"

// Key is a key the viewer reacts to, named independently of the window library: the ebiten
// layer translates its key codes into Keys, so everything that decides what a key does is
// plain Go that tests drive without a window.
type Key uint8

// The keys the viewer uses: arrows and letters for playing, the rest for the viewer itself.
const (
	KeyLeft Key = iota
	KeyRight
	KeyUp
	KeyDown
	KeySpace
	KeyEnter
	KeyEscape
	KeyH     // help
	KeyN     // single step
	KeyR     // reset the episode
	KeyT     // pause or resume training
	KeyP     // Taxi: pick up
	KeyD     // Taxi: drop off
	KeyS     // live training: ε back to its schedule
	KeyPlus  // faster
	KeyMinus // slower
	KeyLeftBracket
	KeyRightBracket
	Key0
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	numKeys
)

// keyNames are the names Key.String prints, as the help and the controls legend show them.
var keyNames = [numKeys]string{
	KeyLeft: "Left", KeyRight: "Right", KeyUp: "Up", KeyDown: "Down", KeySpace: "Space",
	KeyEnter: "Enter", KeyEscape: "Esc", KeyH: "H", KeyN: "N", KeyR: "R", KeyT: "T", KeyP: "P",
	KeyD: "D", KeyS: "S", KeyPlus: "+", KeyMinus: "-", KeyLeftBracket: "[", KeyRightBracket: "]",
	Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4", Key5: "5", Key6: "6", Key7: "7",
	Key8: "8", Key9: "9",
}

func (k Key) String() string {
	if k < numKeys {
		return keyNames[k]
	}
	return "?"
}

// Keys returns every Key, for the window layer's translation table.
func Keys() []Key {
	out := make([]Key, numKeys)
	for i := range out {
		out[i] = Key(i)
	}
	return out
}

// KeySet is a set of keys.
type KeySet uint64

// Has reports whether k is in the set.
func (s KeySet) Has(k Key) bool { return s&(1<<k) != 0 }

// With returns the set with k added.
func (s KeySet) With(k Key) KeySet { return s | 1<<k }

// Without returns the set with k removed.
func (s KeySet) Without(k Key) KeySet { return s &^ (1 << k) }

// Of returns the set of the given keys.
func Of(keys ...Key) KeySet {
	var s KeySet
	for _, k := range keys {
		s = s.With(k)
	}
	return s
}

func (s KeySet) String() string {
	var names []string
	for k := range numKeys {
		if s.Has(k) {
			names = append(names, k.String())
		}
	}
	return "{" + strings.Join(names, " ") + "}"
}

// Input is the keyboard during one tick of the window (1/60 s): the keys held down and those
// pressed since the previous tick (a tap shorter than a tick is in Pressed but not in Held).
type Input struct {
	Held, Pressed KeySet
}

// digit returns the digit of a pressed number key, or -1.
func (in Input) digit() int {
	for k := Key0; k <= Key9; k++ {
		if in.Pressed.Has(k) {
			return int(k - Key0)
		}
	}
	return -1
}
