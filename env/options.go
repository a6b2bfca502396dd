package env

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The option helpers read one typed value from Options, accepting the forms a value takes
// after YAML, JSON or a --set flag (an int may arrive as float64, as json.Number or as a string).
// They return an error that names the option and the value when it does not fit, so that a
// constructor can return it as it is.

// IntOption returns opts[key] as an int, or def when the key is absent.
func IntOption(opts Options, key string, def int) (int, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64:
		return int(x), nil
	case uint8:
		return int(x), nil
	case uint16:
		return int(x), nil
	case uint32:
		return int(x), nil
	case uint:
		if x <= math.MaxInt {
			return int(x), nil
		}
	case uint64:
		if x <= math.MaxInt {
			return int(x), nil
		}
	case float32:
		if f := float64(x); f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int(f), nil
		}
	case float64:
		// Beyond 2^53 a float64 no longer holds every integer, and beyond the int range the
		// conversion is implementation-defined.
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int(x), nil
		}
	case json.Number:
		if n, err := strconv.Atoi(string(x)); err == nil {
			return n, nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("option %s=%v: want an integer", key, v)
}

// FloatOption returns opts[key] as a float64, or def when the key is absent.
func FloatOption(opts Options, key string, def float64) (float64, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f, nil
		}
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("option %s=%v: want a number", key, v)
}

// BoolOption returns opts[key] as a bool, or def when the key is absent.
func BoolOption(opts Options, key string, def bool) (bool, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes", "on":
			return true, nil
		case "false", "0", "no", "off":
			return false, nil
		}
	}
	return false, fmt.Errorf("option %s=%v: want true or false", key, v)
}

// StringOption returns opts[key] as a string, or def when the key is absent.
func StringOption(opts Options, key string, def string) (string, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("option %s=%v: want a string", key, v)
}

// ErrUnknownOption is wrapped by the error CheckOptions returns, so that callers can tell a
// misspelt option from a bad value with errors.Is.
var ErrUnknownOption = errors.New("unknown option")

// CheckOptions returns an error naming every key of opts that is not in known, each with the
// closest known key as a suggestion when one is near. Env constructors call it first so that a
// misspelt option fails loudly instead of being ignored.
func CheckOptions(opts Options, known ...string) error {
	var bad []string
	for k := range opts {
		if !slices.Contains(known, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	// Make takes max_episode_steps for every env before the env sees its options, so a
	// misspelling of it lands here: suggest it too.
	candidates := append(slices.Clone(known), "max_episode_steps")
	parts := make([]string, len(bad))
	for i, k := range bad {
		parts[i] = fmt.Sprintf("%q", k)
		// Suggest only a near miss: a third of the name may be wrong, and at least one letter.
		if c := closest(k, candidates, 1, nil, max(1, len(k)/3)); len(c) > 0 {
			parts[i] += fmt.Sprintf(" (did you mean %q?)", c[0])
		}
	}
	msg := strings.Join(parts, ", ")
	if len(known) > 0 {
		msg += "; known options: " + strings.Join(known, ", ")
	} else {
		msg += "; this environment takes no options"
	}
	if len(bad) > 1 {
		return fmt.Errorf("%ws %s", ErrUnknownOption, msg)
	}
	return fmt.Errorf("%w %s", ErrUnknownOption, msg)
}
