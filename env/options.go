package env

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// The option helpers read one typed value from Options, accepting the forms a value takes
// after YAML, JSON or a --set flag (an int may arrive as float64 or as a string). They return an
// error that names the option and the value when it does not fit.

// IntOption returns opts[key] as an int, or def when the key is absent.
func IntOption(opts Options, key string, def int) (int, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float64:
		if x == math.Trunc(x) {
			return int(x), nil
		}
	case string:
		var n int
		if _, err := fmt.Sscan(x, &n); err == nil {
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
	case int64:
		return float64(x), nil
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
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
		switch strings.ToLower(x) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no":
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

// CheckOptions returns an error naming any key of opts that is not in known, with the closest
// known key as a suggestion. Env constructors call it first so that a misspelt option fails
// loudly instead of being ignored.
func CheckOptions(opts Options, known ...string) error {
	var bad []string
	for k := range opts {
		found := false
		for _, n := range known {
			if k == n {
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	msg := fmt.Sprintf("unknown option %q", bad[0])
	if c := closest(bad[0], known, 1); len(c) > 0 && editDistance(bad[0], c[0]) <= 3 {
		msg += fmt.Sprintf(" (did you mean %q?)", c[0])
	}
	if len(known) > 0 {
		msg += "; known options: " + strings.Join(known, ", ")
	} else {
		msg += "; this environment takes no options"
	}
	return fmt.Errorf("%s", msg)
}
