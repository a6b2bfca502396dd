package env

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gorl/gorl/internal/suggest"
)

// Spec describes a registered environment, as Gymnasium's EnvSpec does.
type Spec struct {
	// ID is Gymnasium's ID, such as "CartPole-v1". Bump the version when the dynamics change.
	ID string
	// Aliases are short lowercase names the CLI also accepts, such as "cartpole".
	Aliases []string
	// New builds the unwrapped env from the merged options (the spec's Kwargs overridden by
	// those given to Make). It returns an error for an unknown option or a bad value.
	New func(opts Options) (Env, error)
	// MaxEpisodeSteps is the TimeLimit Make adds; 0 means no limit.
	MaxEpisodeSteps int
	// RewardThreshold is the mean return at which the task counts as solved; NaN when the task
	// has none (Gymnasium's None).
	RewardThreshold float64
	// Nondeterministic marks envs whose transitions do not follow from the seed alone.
	Nondeterministic bool
	// Kwargs are default options applied before the caller's, as Gymnasium's spec kwargs.
	Kwargs Options
	// Description is a one-line summary shown by `rlrun list`.
	Description string
	// NewVector optionally builds a native batched implementation of n copies (struct-of-arrays
	// physics) that MakeVector uses instead of n separate envs. It receives the merged options
	// (without max_episode_steps), the episode limit Make would apply (0: none) and the number
	// of goroutine workers (at least 1). It must behave exactly like NewSyncVector over n copies
	// of Make(ID, opts): the same observations for the same seeds, the same NEXT_STEP
	// autoreset and truncation at maxEpisodeSteps.
	NewVector func(n int, opts Options, maxEpisodeSteps, workers int) (VectorEnv, error)
}

// HasRewardThreshold reports whether the spec defines a reward threshold.
func (s *Spec) HasRewardThreshold() bool { return !math.IsNaN(s.RewardThreshold) }

// registry holds the registered specs. It is filled by the init functions of the packages that
// define envs (import github.com/gorl/gorl/env/all for every built-in one), the way image
// formats and database drivers register themselves in the standard library.
var registry = struct {
	sync.RWMutex
	specs   map[string]*Spec
	aliases map[string]string
}{specs: map[string]*Spec{}, aliases: map[string]string{}}

// Register adds a spec. It panics on a duplicate ID or alias or a spec without ID or New: those
// are programming errors in the package that registers them.
func Register(spec Spec) {
	if spec.ID == "" || spec.New == nil {
		panic(fmt.Sprintf("env: Register(%q): a spec needs an ID and a New function", spec.ID))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.specs[spec.ID]; dup {
		panic(fmt.Sprintf("env: Register: %q is already registered", spec.ID))
	}
	for _, a := range spec.Aliases {
		if prev, dup := registry.aliases[a]; dup {
			panic(fmt.Sprintf("env: Register(%q): alias %q already names %q", spec.ID, a, prev))
		}
		if _, dup := registry.specs[a]; dup {
			panic(fmt.Sprintf("env: Register(%q): alias %q is a registered ID", spec.ID, a))
		}
	}
	s := spec.clone()
	registry.specs[s.ID] = s
	for _, a := range s.Aliases {
		registry.aliases[a] = s.ID
	}
}

// clone copies a spec deeply enough that changing the copy's Aliases or Kwargs leaves s alone.
func (s *Spec) clone() *Spec {
	c := *s
	c.Aliases = slices.Clone(s.Aliases)
	c.Kwargs = maps.Clone(s.Kwargs)
	return &c
}

// Lookup returns a copy of the spec for an ID or alias.
func Lookup(idOrAlias string) (*Spec, error) {
	registry.RLock()
	defer registry.RUnlock()
	if s, ok := registry.specs[idOrAlias]; ok {
		return s.clone(), nil
	}
	if id, ok := registry.aliases[idOrAlias]; ok {
		return registry.specs[id].clone(), nil
	}
	return nil, unknownEnvError(idOrAlias)
}

// Specs returns every registered spec, sorted by ID.
func Specs() []*Spec {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]*Spec, 0, len(registry.specs))
	for _, s := range registry.specs {
		out = append(out, s.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Make builds the env registered under idOrAlias with the spec's options overridden by opts and
// wraps it in a TimeLimit of the spec's MaxEpisodeSteps (Gymnasium's gym.make). The option
// "max_episode_steps" overrides the limit (0 removes it). An unknown ID gets an error that names
// the closest registered IDs and wraps ErrUnknownEnv.
func Make(idOrAlias string, opts Options) (Env, error) {
	spec, merged, limit, err := prepare(idOrAlias, opts)
	if err != nil {
		return nil, err
	}
	e, err := spec.New(merged)
	if err != nil {
		return nil, fmt.Errorf("env: Make(%q): %w", spec.ID, err)
	}
	if limit > 0 {
		e = NewTimeLimit(e, limit)
	}
	return e, nil
}

// prepare looks up a spec and merges its Kwargs with opts, taking out max_episode_steps.
func prepare(idOrAlias string, opts Options) (spec *Spec, merged Options, limit int, err error) {
	spec, err = Lookup(idOrAlias)
	if err != nil {
		return nil, nil, 0, err
	}
	merged = Options{}
	for k, v := range spec.Kwargs {
		merged[k] = v
	}
	for k, v := range opts {
		merged[k] = v
	}
	limit, err = IntOption(merged, "max_episode_steps", spec.MaxEpisodeSteps)
	if err == nil && limit < 0 {
		err = fmt.Errorf("option max_episode_steps=%d: want 0 (no limit) or more", limit)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("env: Make(%q): %w", spec.ID, err)
	}
	delete(merged, "max_episode_steps")
	return spec, merged, limit, nil
}

// ErrUnknownEnv is wrapped by the error Make and Lookup return for an ID that is not registered,
// so that callers can tell it from a bad option with errors.Is.
var ErrUnknownEnv = errors.New("unknown environment")

// unknownEnvError builds the error for an unregistered name. The caller holds registry's lock.
func unknownEnvError(name string) error {
	var names []string
	for id, s := range registry.specs {
		names = append(names, id)
		names = append(names, s.Aliases...)
	}
	// Up to three IDs within a third of the name's length, else the nearest one.
	near := closest(name, names, 3, registry.aliases, max(2, len(name)/3))
	if len(near) == 0 {
		near = closest(name, names, 1, registry.aliases, -1)
	}
	if len(near) == 0 {
		return fmt.Errorf("env: %w %q (no environments are registered: import github.com/gorl/gorl/env/all)", ErrUnknownEnv, name)
	}
	return fmt.Errorf("env: %w %q; did you mean %s? (`rlrun list` shows them all)", ErrUnknownEnv, name, strings.Join(quoteAll(near), " or "))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// closest returns up to k candidates nearest to name, nearest first, leaving out those farther
// than maxDist (when maxDist >= 0). Nearness is the case-insensitive edit distance, except that
// a candidate containing name (the user typed part of it) counts as distance 1 and one contained
// in name as distance 2; ties go to the smaller plain edit distance, then alphabetically.
// Candidates found in aliases are replaced by the ID they name, and each result appears once.
// closest reads nothing global: a caller passing registry.aliases holds the registry's lock.
func closest(name string, candidates []string, k int, aliases map[string]string, maxDist int) []string {
	type scored struct {
		s       string
		d, edit int
	}
	all := make([]scored, 0, len(candidates))
	lname := strings.ToLower(name)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		edit := suggest.Distance(lname, lc)
		d := edit
		switch {
		case lname != "" && strings.Contains(lc, lname):
			d = min(d, 1)
		case lc != "" && strings.Contains(lname, lc):
			d = min(d, 2)
		}
		if maxDist >= 0 && d > maxDist {
			continue
		}
		all = append(all, scored{c, d, edit})
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.d != b.d {
			return a.d < b.d
		}
		if a.edit != b.edit {
			return a.edit < b.edit
		}
		return a.s < b.s
	})
	seen := map[string]bool{}
	var out []string
	for _, c := range all {
		id := c.s
		if real, ok := aliases[id]; ok {
			id = real
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		if len(out) == k {
			break
		}
	}
	return out
}
