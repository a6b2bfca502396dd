package supervised

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gorl/gorl/internal/suggest"
)

// Common holds the keys every supervised run has. Each task's Config embeds it.
type Common struct {
	// Task is the trainer's name (cnn, charrnn, gan, autoencoder), set by the command line
	// (rlrun fit TASK); it cannot be changed with --set.
	Task string `yaml:"task"`
	// Seed seeds everything random: initialization, data order, augmentation, dropout, noise.
	// Default: 1.
	Seed uint64 `yaml:"seed"`
	// Epochs is the number of passes over the training data. Default: per task (cnn 5, strong
	// cnn 6, charrnn 1 capped by max_steps, gan 6, autoencoder 20).
	Epochs int `yaml:"epochs"`
	// CheckpointEvery is the number of optimizer steps between checkpoints; 0 means once an
	// epoch (charrnn: a tenth of the run). A final checkpoint is always written. Default: 0.
	CheckpointEvery int64 `yaml:"checkpoint_every"`
	// KeepCheckpoints is how many of the newest checkpoints to keep (0 keeps all). Default: 3.
	KeepCheckpoints int `yaml:"keep_checkpoints"`
	// LogInterval is the number of optimizer steps over which the training loss is averaged
	// for each losses/train_loss row of metrics.csv. Default: 100.
	LogInterval int `yaml:"log_interval"`
}

func defaultCommon(task string, epochs int) Common {
	return Common{Task: task, Seed: 1, Epochs: epochs, KeepCheckpoints: 3, LogInterval: 100}
}

func (c *Common) common() *Common { return c }

func (c Common) validate() error {
	var errs []error
	if c.Epochs <= 0 {
		errs = append(errs, fmt.Errorf("epochs = %d: must be positive", c.Epochs))
	}
	if c.CheckpointEvery < 0 {
		errs = append(errs, fmt.Errorf("checkpoint_every = %d: must be ≥ 0", c.CheckpointEvery))
	}
	if c.KeepCheckpoints < 0 {
		errs = append(errs, fmt.Errorf("keep_checkpoints = %d: must be ≥ 0", c.KeepCheckpoints))
	}
	if c.LogInterval <= 0 {
		errs = append(errs, fmt.Errorf("log_interval = %d: must be positive", c.LogInterval))
	}
	return errors.Join(errs...)
}

// Config is a task's configuration: a pointer to CNNConfig, CharRNNConfig, GANConfig or
// AutoencoderConfig. Every field with a yaml tag is a key of config.yml and of --set.
type Config interface {
	common() *Common
	// Validate checks the values and names the first bad key.
	Validate() error
	// resolve fills the fields whose default depends on other fields (a preset's learning
	// rate); it runs once, when the run is created, so config.yml holds the values used.
	resolve()
}

// Tasks lists the trainers of rlrun fit.
var Tasks = []string{"cnn", "charrnn", "gan", "autoencoder"}

// NewConfig returns the default configuration of a task.
func NewConfig(task string) (Config, error) {
	switch task {
	case "cnn":
		return DefaultCNNConfig(), nil
	case "charrnn", "char-rnn":
		return DefaultCharRNNConfig(), nil
	case "gan", "dcgan":
		return DefaultGANConfig(), nil
	case "autoencoder", "ae":
		return DefaultAutoencoderConfig(), nil
	}
	return nil, fmt.Errorf("unknown task %q (rlrun fit takes: %s)", task, strings.Join(Tasks, ", "))
}

// Keys returns the config keys of cfg in declaration order.
func Keys(cfg Config) []string {
	var keys []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			if opts == "inline" {
				walk(f.Type)
				continue
			}
			if f.IsExported() && name != "" && name != "-" {
				keys = append(keys, name)
			}
		}
	}
	walk(reflect.TypeOf(cfg).Elem())
	return keys
}

// Set applies --set arguments (key=value, the value read as YAML) to cfg. An unknown key is an
// error naming the closest key and listing them all; a value of the wrong type is an error naming
// the key, the value and the type wanted.
func Set(cfg Config, sets []string) error {
	keys := Keys(cfg)
	for _, a := range sets {
		k, raw, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return fmt.Errorf("--set %q: want key=value, such as --set learning_rate=0.001", a)
		}
		if k == "task" {
			return fmt.Errorf("--set task: the task is given on the command line (rlrun fit TASK)")
		}
		if !slices.Contains(keys, k) {
			return unknownKey("--set", k, keys, cfg.common().Task)
		}
		if strings.TrimSpace(raw) == "" {
			raw = `""`
		}
		if err := setKey(cfg, k, raw); err != nil {
			return fmt.Errorf("--set %s: %w", k, err)
		}
	}
	return nil
}

// setKey decodes "key: raw" into cfg, which sets that one field.
func setKey(cfg Config, key, raw string) error {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(raw), &node); err != nil {
		return fmt.Errorf("cannot read %q as YAML: %v", raw, err)
	}
	val := node.Content[0]
	if t := fieldType(cfg, key); t != nil && val.Tag == "!!float" && (t.Kind() == reflect.Int || t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint64) {
		return fmt.Errorf("%q is not %s", raw, kindOf(cfg, key)) // yaml would truncate 1.5 to 1
	}
	doc := map[string]*yaml.Node{key: val}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("%q is not %s", raw, kindOf(cfg, key))
	}
	return nil
}

// fieldType returns the type of key's field, or nil.
func fieldType(cfg Config, key string) reflect.Type {
	var find func(v reflect.Type) reflect.Type
	find = func(t reflect.Type) reflect.Type {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if opts == "inline" {
				if ft := find(f.Type); ft != nil {
					return ft
				}
			} else if name == key {
				return f.Type
			}
		}
		return nil
	}
	t := find(reflect.TypeOf(cfg).Elem())
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// kindOf describes the type of key's field for error messages.
func kindOf(cfg Config, key string) string {
	t := fieldType(cfg, key)
	if t == nil {
		return "valid"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list such as [1, 2]"
	}
	return t.String()
}

func unknownKey(source, key string, keys []string, task string) error {
	msg := fmt.Sprintf("%s: unknown config key %q", source, key)
	if s := suggest.Closest(key, keys); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	settable := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "task" })
	return fmt.Errorf("%s (%s takes: %s)", msg, task, strings.Join(settable, ", "))
}

// MarshalConfig returns cfg as config.yml: every key, task first.
func MarshalConfig(cfg Config) ([]byte, error) {
	return yaml.Marshal(cfg)
}

// ParseConfig reads a config.yml: its task key picks the Config type, and every other key must be
// one of that task's (a typo is an error naming the closest key).
func ParseConfig(data []byte, source string) (Config, error) {
	var head struct {
		Task string `yaml:"task"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if head.Task == "" {
		return nil, fmt.Errorf("%s has no task key: not the config of an rlrun fit run", source)
	}
	cfg, err := NewConfig(head.Task)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	keys := Keys(cfg)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !slices.Contains(keys, k) {
			return nil, unknownKey(source, k, keys, head.Task)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return cfg, nil
}
