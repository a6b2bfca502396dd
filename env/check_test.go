package env

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAcceptsGoodEnvs(t *testing.T) {
	tests := []struct {
		name string
		e    Env
		cfg  CheckConfig
	}{
		{"walk", newWalk(walkBugs{}), CheckConfig{}},
		{"walk seed 7 short", newWalk(walkBugs{}), CheckConfig{Seed: 7, Steps: 20}},
		{"walk under TimeLimit", NewTimeLimit(newWalk(walkBugs{}), 15), CheckConfig{}},
		{"walk under every observation wrapper", NewFrameStack(frozenNormalize(
			NewRecordEpisodeStatistics(NewTimeLimit(newWalk(walkBugs{}), 30), 10)), 3, PadZero()), CheckConfig{}},
		{"count without randomness", &countEnv{length: 7}, CheckConfig{NoRandomness: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckWith(tt.e, tt.cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCheckFailures breaks one promise at a time and expects Check to name the broken check
// (and no other, so that its messages point at the cause).
func TestCheckFailures(t *testing.T) {
	tests := []struct {
		name string
		e    Env
		cfg  CheckConfig
		want []string // check names that must fail, in order
	}{
		{"bad observation space", newWalk(walkBugs{badObsSpace: true}), CheckConfig{}, []string{"spaces: observation space"}},
		{"bad action space", newWalk(walkBugs{badActSpace: true}), CheckConfig{}, []string{"spaces: action space"}},
		{"reset panics", newWalk(walkBugs{panicReset: true}), CheckConfig{}, []string{"reset: Reset(0) panicked: walk: reset exploded"}},
		{"short observation", newWalk(walkBugs{obsShort: true}), CheckConfig{}, []string{"reset: Reset(0) returned 1 elements"}},
		{"reset not reproducible", newWalk(walkBugs{globalRandReset: true}), CheckConfig{}, []string{"reset determinism:", "step determinism:"}},
		{"step not reproducible", newWalk(walkBugs{globalRandStep: true}), CheckConfig{}, []string{"step determinism: Reset(0) and the same actions gave a different trajectory at event 1"}},
		{"statistics carried across episodes", NewNormalizeObservation(newWalk(walkBugs{})), CheckConfig{}, []string{"reset determinism:", "step determinism:"}},
		{"seed ignored", newWalk(walkBugs{ignoreSeed: true}), CheckConfig{}, []string{"seed sensitivity: seeds 0, 1 and 2 gave identical trajectories"}},
		{"no randomness undeclared", &countEnv{length: 7}, CheckConfig{}, []string{"seed sensitivity:"}},
		{"observation outside", newWalk(walkBugs{obsOutside: true}), CheckConfig{}, []string{"observation space: event 3"}},
		{"NaN reward", newWalk(walkBugs{nanReward: true}), CheckConfig{}, []string{"reward: event 2"}},
		{"render grows", newWalk(walkBugs{renderGrows: true}), CheckConfig{}, []string{"render: Render before step 1 returned an image of (8,4); the first was (7,4)"}},
		{"render nil later", newWalk(walkBugs{renderNilLater: true}), CheckConfig{}, []string{"render: Render returned an image of (6,4) first but (0,0)"}},
		{"render changes state", newWalk(walkBugs{renderRandom: true}), CheckConfig{}, []string{"render: rendering changed the trajectory"}},
		{"render panics", newWalk(walkBugs{renderPanics: true}), CheckConfig{}, []string{"render: Render before step 0 panicked: walk: no canvas"}},
		{"step after end panics", newWalk(walkBugs{panicAfterEnd: true}), CheckConfig{}, []string{"step after end: Step after the episode ended"}},
		{"step panics", newWalk(walkBugs{panicStep: true}), CheckConfig{}, []string{"step: Reset(0) and 300 steps of sampled actions: panicked at step 4: walk: step 4 exploded"}},
		{"state aliased", newWalk(walkBugs{stateAliased: true}), CheckConfig{}, []string{"state: State() returned"}},
		{"state any length", newWalk(walkBugs{stateAnyLength: true}), CheckConfig{}, []string{"state: SetState of 1 values returned no error"}},
		{"state no-op", newWalk(walkBugs{stateNoop: true}), CheckConfig{}, []string{"state: after SetState("}},
		{"state partial", newWalk(walkBugs{statePartial: true}), CheckConfig{}, []string{"state: after SetState("}},
		{"several at once", newWalk(walkBugs{nanReward: true, renderGrows: true, stateAnyLength: true}), CheckConfig{},
			[]string{"reward:", "render:", "state:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckWith(tt.e, tt.cfg)
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("CheckWith = %v; want a *CheckError", err)
			}
			if len(ce.Failures) != len(tt.want) {
				t.Fatalf("%d failures; want %d:\n%v", len(ce.Failures), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(ce.Failures[i], w) {
					t.Errorf("failure %d = %q; want it to start with %q", i, ce.Failures[i], w)
				}
			}
			if !strings.HasPrefix(err.Error(), "env: Check(*env.") {
				t.Errorf("error %q does not name the env", err)
			}
		})
	}
}

func TestCheckErrorText(t *testing.T) {
	err := &CheckError{Env: "X", Failures: []string{"a: 1", "b: 2"}}
	want := "env: Check(X): 2 checks failed:\n  - a: 1\n  - b: 2"
	if err.Error() != want {
		t.Errorf("got %q; want %q", err.Error(), want)
	}
	one := &CheckError{Env: "X", Failures: []string{"a: 1"}}
	if !strings.Contains(one.Error(), "1 check failed") {
		t.Errorf("got %q", one.Error())
	}
}

// frozenNormalize is a NormalizeObservation whose statistics are frozen, and thus reproducible.
func frozenNormalize(e Env) Env {
	n := NewNormalizeObservation(e)
	n.RMS().Frozen = true
	return n
}
