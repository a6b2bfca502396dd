package env

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestIntOption(t *testing.T) {
	tests := []struct {
		v       any
		want    int
		wantErr bool
	}{
		{7, 7, false},
		{int32(7), 7, false},
		{int64(-7), -7, false},
		{uint64(7), 7, false},
		{uint8(7), 7, false},
		{7.0, 7, false},
		{float32(7), 7, false},
		{" 7 ", 7, false},
		{json.Number("7"), 7, false},
		{7.5, 0, true},
		{1e300, 0, true},
		{"7abc", 0, true},
		{"seven", 0, true},
		{true, 0, true},
		{uint64(1 << 63), 0, true},
	}
	for _, tt := range tests {
		got, err := IntOption(Options{"k": tt.v}, "k", -1)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("IntOption(%#v) = %d, %v; want %d, error %v", tt.v, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "option k=") {
			t.Errorf("error %q does not name the option", err)
		}
	}
	if got, err := IntOption(nil, "k", 3); got != 3 || err != nil {
		t.Errorf("absent key: %d, %v; want the default 3", got, err)
	}
}

func TestFloatOption(t *testing.T) {
	tests := []struct {
		v       any
		want    float64
		wantErr bool
	}{
		{9.81, 9.81, false},
		{float32(0.5), 0.5, false},
		{10, 10, false},
		{int64(-2), -2, false},
		{"1e-3", 1e-3, false},
		{json.Number("2.5"), 2.5, false},
		{"g", 0, true},
		{false, 0, true},
	}
	for _, tt := range tests {
		got, err := FloatOption(Options{"g": tt.v}, "g", -1)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("FloatOption(%#v) = %g, %v; want %g, error %v", tt.v, got, err, tt.want, tt.wantErr)
		}
	}
	if got, _ := FloatOption(Options{}, "g", 9.8); got != 9.8 {
		t.Errorf("absent key gave %g", got)
	}
}

func TestBoolAndStringOption(t *testing.T) {
	bools := []struct {
		v       any
		want    bool
		wantErr bool
	}{
		{true, true, false}, {"True", true, false}, {"yes", true, false}, {"1", true, false},
		{"off", false, false}, {"false", false, false}, {"maybe", false, true}, {1, false, true},
	}
	for _, tt := range bools {
		got, err := BoolOption(Options{"b": tt.v}, "b", !tt.want)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("BoolOption(%#v) = %v, %v", tt.v, got, err)
		}
	}
	if s, err := StringOption(Options{"map": "8x8"}, "map", "4x4"); s != "8x8" || err != nil {
		t.Errorf("StringOption = %q, %v", s, err)
	}
	if s, _ := StringOption(nil, "map", "4x4"); s != "4x4" {
		t.Errorf("default = %q", s)
	}
	if _, err := StringOption(Options{"map": 8}, "map", ""); err == nil {
		t.Error("StringOption accepted an int")
	}
}

func TestCheckOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		known []string
		want  string // "" for no error
	}{
		{"all known", Options{"g": 1.0}, []string{"g", "m"}, ""},
		{"none given", nil, []string{"g"}, ""},
		{"misspelt", Options{"is_slipery": true}, []string{"map_name", "is_slippery"},
			`unknown option "is_slipery" (did you mean "is_slippery"?); known options: map_name, is_slippery`},
		{"wrong case", Options{"G": 1}, []string{"g"}, `unknown option "G" (did you mean "g"?); known options: g`},
		{"far off", Options{"velocity": 1}, []string{"g"}, `unknown option "velocity"; known options: g`},
		{"several", Options{"zz": 1, "gg": 2}, []string{"g"},
			`unknown options "gg" (did you mean "g"?), "zz"; known options: g`},
		{"no options", Options{"g": 1}, nil, `unknown option "g"; this environment takes no options`},
		{"Make's own option misspelt", Options{"max_episode_stepz": 5}, []string{"g"},
			`unknown option "max_episode_stepz" (did you mean "max_episode_steps"?); known options: g`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOptions(tt.opts, tt.known...)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v; want %q", err, tt.want)
			}
			if !errors.Is(err, ErrUnknownOption) {
				t.Errorf("error %v does not wrap ErrUnknownOption", err)
			}
		})
	}
}
