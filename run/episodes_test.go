package run

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// TestEpisodeLogPooling drives episodeLog by hand: long episodes get their own rows at once,
// short ones are pooled per window and logged where the window closes, including a window
// overshot by a vector step and the last one cut by the end of the run.
func TestEpisodeLogPooling(t *testing.T) {
	var rows []string
	l := newEpisodeLog(RunConfig{Steps: 95, EpisodeLogInterval: 10}, func(step int64, key string, v float64) {
		rows = append(rows, fmt.Sprintf("%d %s %v", step, strings.TrimPrefix(key, "charts/episodic_"), v))
	})
	type ep struct {
		ret    float64
		length int
	}
	at := map[int64][]ep{
		3:  {{1, 3}},
		5:  {{0, 2}, {-1, 4}}, // two copies ending together
		10: {{2, 10}},         // long: its own row, before the window's
		14: {{1, 4}},
		22: {{7, 8}}, // the window (20, 30] is overshot: closed at 32
		32: {{3, 2}}, // ends at the closing step: counts in it
		92: {{5, 1}}, // the last window, (90, 100], is closed by the run's end at 95
	}
	steps := []int64{1, 3, 5, 10, 14, 18, 20, 22, 26, 32, 34, 40, 90, 92, 95}
	for _, s := range steps {
		for _, e := range at[s] {
			l.episode(s, e.ret, e.length)
		}
		l.stepped(s)
	}
	want := []string{
		"10 return 2", "10 length 10",
		"10 return 0", "10 length 3", // (1 + 0 - 1)/3, (3 + 2 + 4)/3
		"20 return 1", "20 length 4",
		"32 return 5", "32 length 5",
		"95 return 5", "95 length 1",
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if got := (RunConfig{Steps: 2_000_000}).EpisodeLogEvery(); got != 200 {
		t.Errorf("the default interval of a 2M-step run is %d, want 200", got)
	}
	if got := (RunConfig{Steps: 5000}).EpisodeLogEvery(); got != 1 {
		t.Errorf("the default interval of a 5000-step run is %d, want 1", got)
	}
}

// TestEpisodeLogPooledMeans trains Q-learning on Blackjack twice with the same seed, logging
// every episode and pooling them per 50 env steps: each pooled row is exactly the mean of the
// episodes the other run logged in its window, the row count is bounded, and the file is the
// same for the seed.
func TestEpisodeLogPooledMeans(t *testing.T) {
	out := t.TempDir()
	metrics := func(interval string) []Scalar {
		r := newRun(t, out, "qlearning", "blackjack", "n_timesteps=20000", "eval_episodes=1", "episode_log_interval="+interval)
		if err := r.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.Close()
		rows, err := ReadMetrics(filepath.Join(r.Dir, MetricsFile), ReturnKey)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	all, pooled := metrics("1"), metrics("50")
	if len(all) < 5000 || len(pooled) > 2*20000/50 || len(pooled) < 20000/50 {
		t.Fatalf("%d rows of every episode, %d pooled rows", len(all), len(pooled))
	}
	i := 0
	for _, p := range pooled {
		sum, n := 0.0, 0
		for ; i < len(all) && all[i].Step <= p.Step; i++ {
			sum += all[i].Value
			n++
		}
		if n == 0 || sum/float64(n) != p.Value {
			t.Fatalf("pooled row at %d: %v; the %d episodes of its window average %v", p.Step, p.Value, n, sum/float64(n))
		}
	}
	if i != len(all) {
		t.Errorf("%d episodes after the last pooled row", len(all)-i)
	}
	again := metrics("50")
	if !slices.Equal(again, pooled) {
		t.Error("two runs with the same seed logged different pooled rows")
	}
}

// TestThin: a learning curve's series are thinned to evenly spaced points, ends kept.
func TestThin(t *testing.T) {
	pts := make(plotter.XYs, 10001)
	for i := range pts {
		pts[i].X = float64(i)
	}
	got := thin(pts, 2000)
	if len(got) != 2000 || got[0].X != 0 || got[1999].X != 10000 {
		t.Fatalf("thin: %d points from %v to %v", len(got), got[0].X, got[len(got)-1].X)
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].X - got[i-1].X; d < 4 || d > 6 {
			t.Fatalf("thin: uneven spacing %v at %d", d, i)
		}
	}
	if short := thin(pts[:50], 2000); len(short) != 50 {
		t.Errorf("thin of a short series: %d points", len(short))
	}
}
