package run

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/hyperparams"
	"github.com/gorl/gorl/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// RunConfig holds the keys every training run has besides its algorithm's. They share one
// namespace with the algorithm's Config keys (hyperparams/<algo>.yml, --config, --set).
type RunConfig struct {
	// Seed seeds everything random in the run: the env copies (seed+i), the networks'
	// initialization, exploration, replay sampling, and the evaluation episodes. Default: 1.
	Seed uint64 `yaml:"seed"`
	// Steps is the number of env steps to train for (summed over the copies of a vector env);
	// schedules given as fractions of training are fractions of it. Default: 100000.
	Steps int64 `yaml:"n_timesteps"`
	// EnvKwargs are the env's options, passed to env.Make and env.MakeVector (for example
	// is_slippery: false for FrozenLake-v1). --set env_kwargs.KEY=VALUE sets one. Default: none.
	EnvKwargs map[string]any `yaml:"env_kwargs"`
	// EvalEpisodes is the number of greedy episodes of the final evaluation (eval.json).
	// Default: 100.
	EvalEpisodes int `yaml:"eval_episodes"`
	// CheckpointEvery is the number of env steps between periodic checkpoints; 0 means a fifth
	// of Steps. A final checkpoint is always written. Default: 0.
	CheckpointEvery int64 `yaml:"checkpoint_every"`
	// KeepCheckpoints is how many of the newest checkpoints to keep (0 keeps all); the final
	// one is always the newest. Default: 3.
	KeepCheckpoints int `yaml:"keep_checkpoints"`
	// EpisodeLogInterval bounds the rows of charts/episodic_return and charts/episodic_length
	// for envs with short episodes. An episode at least this many env steps long gets a row of
	// its own at the step it ended, as in CleanRL; shorter ones are pooled: the short episodes
	// that end in a window of EpisodeLogInterval env steps get one row, their mean return and
	// mean length, at the step that closes the window (the first step at or past its end,
	// which a vector env's steps may overshoot: episodes ending at that step count in it; the
	// run's last step closes the last window). Each key thus gets at most 2·n_timesteps/EpisodeLogInterval
	// rows: a 2M-step Blackjack run (2.5 steps an episode) writes 10,000 instead of 800,000.
	// 1 logs every episode; 0 means n_timesteps/10000 (at least 1), which leaves the episodes
	// of CartPole, Acrobot or MountainCar runs one row each. Default: 0.
	EpisodeLogInterval int64 `yaml:"episode_log_interval"`
}

// DefaultRunConfig returns the run-level defaults.
func DefaultRunConfig() RunConfig {
	return RunConfig{Seed: 1, Steps: 100_000, EvalEpisodes: 100, KeepCheckpoints: 3}
}

// Config is a run's resolved configuration: what config.yml in the run directory holds and what
// resume and eval read back.
type Config struct {
	// Algo is the algorithm's registered name ("dqn").
	Algo string
	// EnvID is the env's Gymnasium ID ("CartPole-v1"), never an alias.
	EnvID string
	// Run holds the run-level keys.
	Run RunConfig
	// Params points to the algorithm's Config struct (for DQN a *dqn.Config).
	Params any
}

// Layer is one source of config values: a hyperparams entry, a --config file, the --set flags.
type Layer struct {
	// Source names where the values came from, for error messages ("--set", "my.yml").
	Source string
	// Values maps keys to values as YAML decodes them (int, float64, bool, string, []any,
	// map[string]any); strings are converted to the field's type, so "0.5" sets a float.
	Values map[string]any
}

// field is one settable key.
type field struct {
	key  string
	v    reflect.Value // addressable
	doc  string
	kind string // what the error message asks for
}

// fields lists the keys of the run config and of the algorithm's Config, in declaration order.
func (c *Config) fields() []field {
	out := structFields(reflect.ValueOf(&c.Run).Elem())
	if c.Params != nil {
		out = append(out, structFields(reflect.ValueOf(c.Params).Elem())...)
	}
	return out
}

func structFields(v reflect.Value) []field {
	var out []field
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || key == "" || key == "-" {
			continue
		}
		out = append(out, field{key: key, v: v.Field(i), kind: kindName(f.Type)})
	}
	return out
}

// Keys returns every key the config accepts, in declaration order (run keys first).
func (c *Config) Keys() []string {
	var keys []string
	for _, f := range c.fields() {
		keys = append(keys, f.key)
	}
	return keys
}

// reservedKeys may appear in a --config file (a run's config.yml) but are not settable.
var reservedKeys = []string{"algo", "env"}

// Apply sets the layer's values in order of their keys. An unknown key is an error naming the
// closest valid key; a value of the wrong type is an error naming the key, the value and the type
// wanted. Maps (env_kwargs) merge key by key into what earlier layers set.
func (c *Config) Apply(l Layer) error {
	byKey := map[string]field{}
	for _, f := range c.fields() {
		byKey[f.key] = f
	}
	keys := slices.Sorted(maps.Keys(l.Values))
	for _, k := range keys {
		val := l.Values[k]
		if slices.Contains(reservedKeys, k) {
			return fmt.Errorf("%s: %q cannot be set here: it is given on the command line (rlrun train ALGO ENV)", l.Source, k)
		}
		f, ok := byKey[k]
		if !ok {
			return unknownKeyError(l.Source, k, c.Keys(), c.Algo)
		}
		if err := setValue(f.v, val); err != nil {
			return fmt.Errorf("%s: %s: %w", l.Source, k, err)
		}
	}
	return nil
}

func unknownKeyError(source, key string, keys []string, algo string) error {
	msg := fmt.Sprintf("%s: unknown config key %q", source, key)
	if s := suggest.Closest(key, keys); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("%s (%s takes: %s)", msg, algo, strings.Join(keys, ", "))
}

// kindName describes a field type for error messages.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		plural := map[string]string{"an integer": "integers", "a non-negative integer": "non-negative integers",
			"a number": "numbers", "a string": "strings", "true or false": "booleans"}[kindName(t.Elem())]
		if plural == "" {
			plural = "values"
		}
		return "a list of " + plural + ", such as [64, 64]"
	case reflect.Map:
		return "a map, such as {key: value}"
	}
	return t.String()
}

// setValue converts v (as YAML decoded it, or a string from --set) to the field's type.
func setValue(f reflect.Value, v any) error {
	bad := func() error {
		return fmt.Errorf("%s is not %s", describe(v), kindName(f.Type()))
	}
	if s, ok := v.(string); ok && f.Kind() != reflect.String {
		// A value that reached us as a string (quoted in YAML) is parsed as YAML once more.
		var y any
		if err := yaml.Unmarshal([]byte(s), &y); err == nil && y != nil {
			if _, still := y.(string); !still {
				v = y
			}
		}
	}
	switch f.Kind() {
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := asInt(v)
		if !ok || f.OverflowInt(n) {
			return bad()
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := asInt(v)
		if !ok || n < 0 || f.OverflowUint(uint64(n)) {
			return bad()
		}
		f.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		x, ok := asFloat(v)
		if !ok {
			return bad()
		}
		f.SetFloat(x)
	case reflect.String:
		switch x := v.(type) {
		case string:
			f.SetString(x)
		case int, float64, bool:
			f.SetString(fmt.Sprint(x))
		default:
			return bad()
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(f.Type(), len(list), len(list))
		for i, e := range list {
			if err := setValue(s.Index(i), e); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		f.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || f.Type().Key().Kind() != reflect.String {
			return bad()
		}
		if f.IsNil() {
			f.Set(reflect.MakeMap(f.Type()))
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			e := reflect.New(f.Type().Elem()).Elem()
			if err := setValue(e, m[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			f.SetMapIndex(reflect.ValueOf(k), e)
		}
	case reflect.Interface:
		f.Set(reflect.ValueOf(v))
	default:
		return fmt.Errorf("unsupported field type %s", f.Type())
	}
	return nil
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "an empty value"
	case []any:
		return fmt.Sprintf("the list %v", x)
	case map[string]any:
		return "a map"
	}
	return fmt.Sprint(v)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case float64: // RL Zoo writes 5e4; YAML reads it as a float
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// ParseSet turns --set arguments (key=value, the value read as YAML, a dotted key setting one
// entry of a map key such as env_kwargs.is_slippery=false) into a layer.
func ParseSet(args []string) (Layer, error) {
	l := Layer{Source: "--set", Values: map[string]any{}}
	for _, a := range args {
		k, raw, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return l, fmt.Errorf("--set %q: want key=value, such as --set learning_rate=0.001", a)
		}
		var v any
		if err := yaml.Unmarshal([]byte(raw), &v); err != nil {
			return l, fmt.Errorf("--set %s: cannot read %q: %v", k, raw, err)
		}
		if v == nil && strings.TrimSpace(raw) == "" {
			return l, fmt.Errorf("--set %s: empty value", k)
		}
		if v == nil {
			v = raw
		}
		if top, sub, dotted := strings.Cut(k, "."); dotted {
			m, _ := l.Values[top].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[sub] = v
			l.Values[top] = m
			continue
		}
		l.Values[k] = v
	}
	return l, nil
}

// ReadConfigFile reads a --config file for algo on envID. It takes three forms: a flat map of
// keys (as in a hyperparams entry), a run's config.yml (whose algo and env keys must then match),
// or an RL Zoo style file keyed by env IDs, of which the entry for envID is used.
func ReadConfigFile(path, algo, envID string) (Layer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Layer{}, fmt.Errorf("reading --config: %w", err)
	}
	return parseConfigData(data, path, algo, envID)
}

func parseConfigData(data []byte, source, algo, envID string) (Layer, error) {
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return Layer{}, fmt.Errorf("%s: not a YAML map of config keys: %v", source, err)
	}
	if e, ok := m[envID]; ok {
		sub, ok := e.(map[string]any)
		if !ok {
			return Layer{}, fmt.Errorf("%s: the entry %s is not a map of config keys", source, envID)
		}
		return Layer{Source: source + " (" + envID + ")", Values: sub}, nil
	}
	if len(m) > 0 && allEnvIDs(m) {
		return Layer{}, fmt.Errorf("%s: has entries for %s but none for %s", source, strings.Join(slices.Sorted(maps.Keys(m)), ", "), envID)
	}
	if a, ok := m["algo"]; ok && a != algo {
		return Layer{}, fmt.Errorf("%s: is a config for algorithm %v, not %s", source, a, algo)
	}
	if e, ok := m["env"]; ok && e != envID {
		return Layer{}, fmt.Errorf("%s: is a config for env %v, not %s", source, e, envID)
	}
	delete(m, "algo")
	delete(m, "env")
	return Layer{Source: source, Values: m}, nil
}

// allEnvIDs reports whether every key of m is a registered env ID holding a map.
func allEnvIDs(m map[string]any) bool {
	for k, v := range m {
		if _, err := env.Lookup(k); err != nil {
			return false
		}
		if _, ok := v.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// DefaultsLayer returns the entry for envID in the algorithm's shipped hyperparams file, or ok =
// false when there is none.
func DefaultsLayer(algo, envID string) (l Layer, ok bool, err error) {
	data, name, found, err := hyperparams.File(algo)
	if err != nil || !found {
		return Layer{}, false, err
	}
	var m map[string]map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return Layer{}, false, fmt.Errorf("%s: %v", name, err)
	}
	e, ok := m[envID]
	if !ok {
		return Layer{}, false, nil
	}
	if e == nil {
		e = map[string]any{}
	}
	return Layer{Source: name + " (" + envID + ")", Values: e}, true, nil
}

// NewConfig returns the configuration of algo on the env idOrAlias before any layer: the run
// defaults and the algorithm's Config defaults.
func NewConfig(algo, idOrAlias string) (*Config, error) {
	a, err := LookupAlgorithm(algo)
	if err != nil {
		return nil, err
	}
	spec, err := env.Lookup(idOrAlias)
	if err != nil {
		return nil, err
	}
	return &Config{Algo: a.Name, EnvID: spec.ID, Run: DefaultRunConfig(), Params: a.NewConfig()}, nil
}

// Resolve builds the configuration of a new run: the defaults, the shipped hyperparams entry for
// the env, then the given layers in order (--config, --set, flags). It makes the env once: a bad
// env_kwargs is an error here, and an option the env would draw at random (UnseededEnv:
// FrozenLake's map_seed for map_name=random) gets the run's seed.
func Resolve(algo, idOrAlias string, layers ...Layer) (*Config, error) {
	c, err := NewConfig(algo, idOrAlias)
	if err != nil {
		return nil, err
	}
	def, ok, err := DefaultsLayer(c.Algo, c.EnvID)
	if err != nil {
		return nil, err
	}
	if ok {
		layers = append([]Layer{def}, layers...)
	}
	for _, l := range layers {
		if err := c.Apply(l); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := c.seedEnvOptions(); err != nil {
		return nil, err
	}
	return c, nil
}

// seedEnvOptions makes the env once and gives the options it drew at random (UnseededEnv) the
// run's seed in env_kwargs: its low 63 bits, so that it reads back as an integer option.
func (c *Config) seedEnvOptions() error {
	e, err := env.Make(c.EnvID, env.Options(c.Run.EnvKwargs))
	if err != nil {
		if len(c.Run.EnvKwargs) > 0 {
			return fmt.Errorf("env_kwargs %v: %w", c.Run.EnvKwargs, err)
		}
		return err
	}
	defer e.Close()
	u, ok := env.Unwrapped(e).(UnseededEnv)
	if !ok {
		return nil
	}
	for _, k := range u.UnseededOptions() {
		if c.Run.EnvKwargs == nil {
			c.Run.EnvKwargs = map[string]any{}
		}
		c.Run.EnvKwargs[k] = int64(c.Run.Seed & math.MaxInt64)
	}
	return nil
}

// Validate checks the run keys and, when the algorithm's Config has a Validate() error method,
// the algorithm's.
func (c *Config) Validate() error {
	r := c.Run
	switch {
	case r.Steps < 1:
		return fmt.Errorf("config: n_timesteps = %d; want at least 1", r.Steps)
	case r.EvalEpisodes < 0:
		return fmt.Errorf("config: eval_episodes = %d; want 0 (no evaluation) or more", r.EvalEpisodes)
	case r.CheckpointEvery < 0:
		return fmt.Errorf("config: checkpoint_every = %d; want 0 (a fifth of n_timesteps) or more", r.CheckpointEvery)
	case r.KeepCheckpoints < 0:
		return fmt.Errorf("config: keep_checkpoints = %d; want 0 (keep all) or more", r.KeepCheckpoints)
	case r.EpisodeLogInterval < 0:
		return fmt.Errorf("config: episode_log_interval = %d; want 0 (n_timesteps/10000), 1 (every episode) or more", r.EpisodeLogInterval)
	}
	if v, ok := c.Params.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

// CheckpointInterval returns the effective checkpoint_every.
func (r RunConfig) CheckpointInterval() int64 {
	if r.CheckpointEvery > 0 {
		return r.CheckpointEvery
	}
	return max(1, r.Steps/5)
}

// EpisodeLogEvery returns the effective episode_log_interval: EpisodeLogInterval, or
// n_timesteps/10000 (at least 1) when it is 0.
func (r RunConfig) EpisodeLogEvery() int64 {
	if r.EpisodeLogInterval > 0 {
		return r.EpisodeLogInterval
	}
	return max(1, r.Steps/10_000)
}

// MarshalYAML writes the config as a flat YAML map: algo, env, then every key in declaration
// order (run keys first), so that the file reads like a hyperparams entry and can be given back
// to --config.
func (c *Config) MarshalYAML() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v any) error {
		var vn yaml.Node
		if err := vn.Encode(v); err != nil {
			return fmt.Errorf("config: encoding %s: %w", k, err)
		}
		if vn.Kind == yaml.MappingNode || vn.Kind == yaml.SequenceNode {
			vn.Style = yaml.FlowStyle
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &vn)
		return nil
	}
	if err := add("algo", c.Algo); err != nil {
		return nil, err
	}
	if err := add("env", c.EnvID); err != nil {
		return nil, err
	}
	for _, f := range c.fields() {
		v := f.v.Interface()
		if m, ok := v.(map[string]any); ok && m == nil {
			v = map[string]any{}
		}
		if err := add(f.key, v); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseConfig reads a config written by MarshalYAML (a run's config.yml). Every key must be known;
// keys missing from the file keep their defaults.
func ParseConfig(data []byte, source string) (*Config, error) {
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	algo, _ := m["algo"].(string)
	id, _ := m["env"].(string)
	if algo == "" || id == "" {
		return nil, fmt.Errorf("%s: not a run config (it needs algo and env keys)", source)
	}
	c, err := NewConfig(algo, id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	delete(m, "algo")
	delete(m, "env")
	if err := c.Apply(Layer{Source: source, Values: m}); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return c, nil
}
