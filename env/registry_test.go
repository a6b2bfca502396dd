package env

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The registry is process-wide, so every test registers IDs of its own; the IDs below imitate
// Gymnasium's, which this test binary (importing no env package) leaves free.

// recorder is a spec's New that remembers the options it received.
type recorder struct {
	mu   sync.Mutex
	got  []Options
	fail error
}

func (r *recorder) new(opts Options) (Env, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, opts)
	if r.fail != nil {
		return nil, r.fail
	}
	if err := CheckOptions(opts, "length", "is_slippery", "g"); err != nil {
		return nil, err
	}
	length, err := IntOption(opts, "length", 10)
	if err != nil {
		return nil, err
	}
	return &countEnv{length: length}, nil
}

var (
	registerOnce sync.Once
	uniqueIDs    atomic.Int64
)

// uniqueID returns an ID no other test (or run of a test under -count) registers.
func uniqueID(prefix string) string {
	return fmt.Sprintf("%s%d-v0", prefix, uniqueIDs.Add(1))
}

// registerTestSpecs registers the specs the registry tests share.
func registerTestSpecs() {
	registerOnce.Do(func() {
		r := &recorder{}
		Register(Spec{ID: "CartPole-v1", Aliases: []string{"cartpole"}, New: r.new, MaxEpisodeSteps: 500, RewardThreshold: 475})
		Register(Spec{ID: "MountainCar-v0", Aliases: []string{"mountaincar"}, New: r.new, MaxEpisodeSteps: 200, RewardThreshold: -110})
		Register(Spec{ID: "MountainCarContinuous-v0", Aliases: []string{"mountaincarcontinuous"}, New: r.new, MaxEpisodeSteps: 999, RewardThreshold: 90})
		Register(Spec{ID: "Pendulum-v1", Aliases: []string{"pendulum"}, New: r.new, MaxEpisodeSteps: 200, RewardThreshold: math.NaN()})
		Register(Spec{ID: "FrozenLake-v1", New: r.new, Kwargs: Options{"is_slippery": true, "length": 4}, MaxEpisodeSteps: 100})
	})
}

func TestRegisterPanics(t *testing.T) {
	registerTestSpecs()
	ok := func(Options) (Env, error) { return &countEnv{length: 1}, nil }
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"no ID", Spec{New: ok}, "a spec needs an ID and a New function"},
		{"no New", Spec{ID: "Nothing-v0"}, "a spec needs an ID and a New function"},
		{"duplicate ID", Spec{ID: "CartPole-v1", New: ok}, `"CartPole-v1" is already registered`},
		{"duplicate alias", Spec{ID: "Other-v0", Aliases: []string{"cartpole"}, New: ok}, `alias "cartpole" already names "CartPole-v1"`},
		{"alias is an ID", Spec{ID: "Other-v0", Aliases: []string{"Pendulum-v1"}, New: ok}, `alias "Pendulum-v1" is a registered ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(fmt.Sprint(p), tt.want) {
					t.Errorf("panic %v; want one containing %q", p, tt.want)
				}
			}()
			Register(tt.spec)
		})
	}
	if _, err := Lookup("Other-v0"); err == nil {
		t.Error("a spec whose registration panicked was registered")
	}
}

func TestLookup(t *testing.T) {
	registerTestSpecs()
	for _, name := range []string{"CartPole-v1", "cartpole"} {
		s, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != "CartPole-v1" || s.MaxEpisodeSteps != 500 || !s.HasRewardThreshold() || s.RewardThreshold != 475 {
			t.Errorf("Lookup(%q) = %+v", name, s)
		}
		s.MaxEpisodeSteps = 1 // a copy: the registry must not change
		s.Aliases[0] = "x"
	}
	if s, _ := Lookup("CartPole-v1"); s.MaxEpisodeSteps != 500 || s.Aliases[0] != "cartpole" {
		t.Errorf("changing a looked-up spec changed the registry: %+v", s)
	}
	if s, _ := Lookup("pendulum"); s.HasRewardThreshold() {
		t.Error("Pendulum has no reward threshold")
	}
	var ids []string
	for _, s := range Specs() {
		ids = append(ids, s.ID)
	}
	if !slices.IsSorted(ids) || !slices.Contains(ids, "MountainCar-v0") {
		t.Errorf("Specs() IDs = %v; want them sorted, with MountainCar-v0", ids)
	}
}

func TestUnknownEnvNamesTheClosest(t *testing.T) {
	registerTestSpecs()
	tests := []struct {
		name  string
		first string // the first suggestion
	}{
		{"CartPol-v1", "CartPole-v1"},
		{"cartpole-v1", "CartPole-v1"},
		{"CartPole-v0", "CartPole-v1"},
		{"cartpol", "CartPole-v1"},
		{"MountainCar-v1", "MountainCar-v0"},
		{"mountaincarcont", "MountainCarContinuous-v0"},
		{"pendullum", "Pendulum-v1"},
		{"Frozen", "FrozenLake-v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Make(tt.name, nil)
			if !errors.Is(err, ErrUnknownEnv) {
				t.Fatalf("Make(%q) error %v; want ErrUnknownEnv", tt.name, err)
			}
			want := fmt.Sprintf("env: unknown environment %q; did you mean %q", tt.name, tt.first)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q; want it to start with %q", err, want)
			}
		})
	}
}

func TestUnknownEnvFarFromEverything(t *testing.T) {
	registerTestSpecs()
	_, err := Make("Qbert-v5", nil)
	if err == nil || !strings.Contains(err.Error(), "did you mean") || strings.Contains(err.Error(), " or ") {
		t.Errorf("error %v; want the single nearest ID when nothing is near", err)
	}
}

func TestClosest(t *testing.T) {
	aliases := map[string]string{"cp": "CartPole-v1"}
	tests := []struct {
		name       string
		candidates []string
		k          int
		maxDist    int
		want       []string
	}{
		{"cartpol", []string{"Acrobot-v1", "CartPole-v1", "cp"}, 3, -1, []string{"CartPole-v1", "Acrobot-v1"}},
		{"cartpol", []string{"Acrobot-v1", "CartPole-v1", "cp"}, 3, 2, []string{"CartPole-v1"}},
		{"cp", []string{"cp", "CartPole-v1", "Pendulum-v1"}, 2, -1, []string{"CartPole-v1", "Pendulum-v1"}},
		{"b", []string{"c", "bb", "a"}, 2, -1, []string{"a", "bb"}},
		{"mountaincarcont", []string{"mountaincar", "mountaincarcontinuous"}, 1, -1, []string{"mountaincarcontinuous"}},
		{"zzzz", []string{"a"}, 1, 2, nil},
		{"x", nil, 3, -1, nil},
	}
	for _, tt := range tests {
		if got := closest(tt.name, tt.candidates, tt.k, aliases, tt.maxDist); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("closest(%q, %v, %d) = %v; want %v", tt.name, tt.candidates, tt.k, got, tt.want)
		}
	}
}

func TestMake(t *testing.T) {
	registerTestSpecs()
	tests := []struct {
		name      string
		id        string
		opts      Options
		wantLimit int // 0: no TimeLimit
		wantOpts  Options
	}{
		{"spec limit", "CartPole-v1", nil, 500, Options{}},
		{"alias", "cartpole", Options{"length": 3}, 500, Options{"length": 3}},
		{"override the limit", "CartPole-v1", Options{"max_episode_steps": 7}, 7, Options{}},
		{"limit from a YAML float", "CartPole-v1", Options{"max_episode_steps": 7.0}, 7, Options{}},
		{"remove the limit", "CartPole-v1", Options{"max_episode_steps": 0}, 0, Options{}},
		{"kwargs merged", "FrozenLake-v1", Options{"is_slippery": false}, 100, Options{"is_slippery": false, "length": 4}},
		{"kwargs kept", "FrozenLake-v1", nil, 100, Options{"is_slippery": true, "length": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Options
			spec, _ := Lookup(tt.id)
			inner := spec.New
			spec.New = func(o Options) (Env, error) { got = o; return inner(o) }
			e, err := makeFrom(spec, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.wantOpts) {
				t.Errorf("New received %v; want %v", got, tt.wantOpts)
			}
			tl, ok := e.(*TimeLimit)
			switch {
			case tt.wantLimit == 0 && ok:
				t.Errorf("got a TimeLimit of %d; want none", tl.MaxSteps)
			case tt.wantLimit > 0 && (!ok || tl.MaxSteps != tt.wantLimit):
				t.Errorf("got %T; want a TimeLimit of %d", e, tt.wantLimit)
			}
			if _, ok := Unwrapped(e).(*countEnv); !ok {
				t.Errorf("Unwrapped = %T; want *countEnv", Unwrapped(e))
			}
		})
	}
	// The real Make, with the kwargs of the spec overridden, must not leak options into the
	// registry's Kwargs.
	if _, err := Make("FrozenLake-v1", Options{"is_slippery": false}); err != nil {
		t.Fatal(err)
	}
	if s, _ := Lookup("FrozenLake-v1"); s.Kwargs["is_slippery"] != true {
		t.Errorf("Make changed the spec's Kwargs: %v", s.Kwargs)
	}
}

// makeFrom is Make for a spec that is not registered (so that a test can wrap its New).
func makeFrom(spec *Spec, opts Options) (Env, error) {
	id := uniqueID("Wrapped")
	s := *spec
	s.ID, s.Aliases = id, nil
	Register(s)
	return Make(id, opts)
}

func TestMakeErrors(t *testing.T) {
	registerTestSpecs()
	tests := []struct {
		id   string
		opts Options
		want string
	}{
		{"CartPole-v1", Options{"max_episode_steps": -1}, `env: Make("CartPole-v1"): option max_episode_steps=-1: want 0 (no limit) or more`},
		{"CartPole-v1", Options{"max_episode_steps": "many"}, `env: Make("CartPole-v1"): option max_episode_steps=many: want an integer`},
		{"CartPole-v1", Options{"lenght": 3}, `env: Make("CartPole-v1"): unknown option "lenght" (did you mean "length"?)`},
		{"CartPole-v1", Options{"length": 2.5}, `env: Make("CartPole-v1"): option length=2.5: want an integer`},
	}
	for _, tt := range tests {
		_, err := Make(tt.id, tt.opts)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Make(%q, %v) error %v; want %q", tt.id, tt.opts, err, tt.want)
		}
	}
	_, err := Make("CartPole-v1", Options{"lenght": 3})
	if !errors.Is(err, ErrUnknownOption) {
		t.Errorf("a misspelt option's error %v does not wrap ErrUnknownOption", err)
	}
}

// TestRegistryConcurrency runs lookups, failed lookups (which read the aliases to suggest
// names) and CheckOptions while registering; `go test -race` reports any unguarded access.
func TestRegistryConcurrency(t *testing.T) {
	registerTestSpecs()
	var wg sync.WaitGroup
	prefix := uniqueID("Concurrent")
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				switch g {
				case 0:
					Register(Spec{ID: fmt.Sprintf("%s-%d", prefix, i), Aliases: []string{fmt.Sprintf("%s-alias%d", prefix, i)},
						New: func(Options) (Env, error) { return &countEnv{length: 1}, nil }})
				case 1:
					_, _ = Make("concurent3", nil)
				case 2:
					_ = CheckOptions(Options{"lenght": 1}, "length")
				case 3:
					_ = Specs()
				}
			}
		}()
	}
	wg.Wait()
	if _, err := Make(prefix+"-alias49", nil); err != nil {
		t.Error(err)
	}
}
