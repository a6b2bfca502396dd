package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorl/gorl/run"
)

// TestRandomMapThroughTheCLI: `rlrun train` on a random FrozenLake map without map_seed writes
// the run's seed as map_seed into config.yml; `rlrun train --resume` and `rlrun eval` then play
// on the map the agent learned (eval.json's figures again, a success rate of 1 on ice that is
// not slippery).
func TestRandomMapThroughTheCLI(t *testing.T) {
	out := t.TempDir()
	args := []string{"--seed", "9", "--steps", "6000", "--eval-episodes", "10", "--set", "env_kwargs.map_name=random",
		"--set", "env_kwargs.size=5", "--set", "env_kwargs.is_slippery=false", "--set", "checkpoint_every=2000"}
	dir := tabularTrain(t, out, "qlearning", "frozenlake", args...)
	cfg, err := os.ReadFile(filepath.Join(dir, run.ConfigFile))
	if err != nil || !strings.Contains(string(cfg), "map_seed: 9") {
		t.Fatalf("config.yml has no map_seed: 9 (%v):\n%s", err, cfg)
	}
	var first run.EvalResult
	b, _ := os.ReadFile(filepath.Join(dir, run.EvalFile))
	if err := json.Unmarshal(b, &first); err != nil {
		t.Fatal(err)
	}
	if first.SuccessRate == nil || *first.SuccessRate != 1 {
		t.Fatalf("eval.json: success_rate %v", first.SuccessRate)
	}
	again := evalJSON(t, dir, "--episodes", "10")
	if !slices.Equal(again.Returns, first.Returns) || *again.SuccessRate != 1 {
		t.Errorf("rlrun eval: returns %v; eval.json %v", again.Returns, first.Returns)
	}
	// Resuming from the checkpoint at 4000 (the latest is the final one: point latest back).
	ck := filepath.Join(dir, "checkpoints")
	if err := os.WriteFile(filepath.Join(ck, run.LatestFile), []byte("step-000004000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	metrics, _ := os.ReadFile(filepath.Join(dir, run.MetricsFile))
	if code, stdout, stderr := rl(t, "train", "--resume", dir, "-q"); code != 0 {
		t.Fatalf("rlrun train --resume: %d\n%s%s", code, stdout, stderr)
	}
	if resumed, _ := os.ReadFile(filepath.Join(dir, run.MetricsFile)); string(resumed) != string(metrics) {
		t.Error("the resumed run's metrics.csv differs from the uninterrupted one's")
	}
}

// TestShortEpisodesArePooled: a Blackjack run of 200,000 steps (the default interval is 20
// steps) writes a few thousand episode rows, not one per hand.
func TestShortEpisodesArePooled(t *testing.T) {
	dir := tabularTrain(t, t.TempDir(), "qlearning", "blackjack", "--steps", "200000", "--eval-episodes", "10")
	rows, err := run.ReadMetrics(filepath.Join(dir, run.MetricsFile), run.ReturnKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) > 200000/20 || len(rows) < 200000/20/2 {
		t.Errorf("%d rows of %s in 200,000 steps of Blackjack", len(rows), run.ReturnKey)
	}
	if _, err := os.Stat(filepath.Join(dir, run.CurveFile)); err != nil {
		t.Error(err)
	}
}
