package run

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorl/gorl/run/rundir"
)

// TestExplorationOverrideResume: ε set live (as the viewer's keys do) applies from the next env
// step, shows in charts/epsilon, is saved in checkpoints (the trainer's state and run.json's
// exploration_changes), and a run resumed from a checkpoint taken while it was in force ends
// byte-identical to one that never stopped.
func TestExplorationOverrideResume(t *testing.T) {
	for _, c := range []struct {
		algo, env string
		sets      []string
	}{
		{"dqn", "cartpole", tinyDQN},
		{"qlearning", "taxi", tinyTD},
	} {
		t.Run(c.algo, func(t *testing.T) {
			out := t.TempDir()
			ctx := context.Background()
			// The live session: ε set to 0.2 at step 1000, back to the schedule at 2000.
			steer := func(r *Run, from, to int64) {
				t.Helper()
				for _, step := range []int64{1000, 2000} {
					if step <= from || step > to {
						continue
					}
					if err := r.Advance(ctx, step); err != nil {
						t.Fatal(err)
					}
					var err error
					if step == 1000 {
						err = r.SetExploration(0.2)
					} else {
						err = r.ClearExploration()
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			whole := newRun(t, out, c.algo, c.env, c.sets...)
			steer(whole, 0, 3000)
			if eps, over, ok := whole.Exploration(); !ok || over || eps == 0.2 {
				t.Errorf("after ClearExploration: Exploration() = %v, %v, %v", eps, over, ok)
			}
			if err := whole.Train(ctx); err != nil {
				t.Fatal(err)
			}
			whole.Close()

			broken := newRun(t, out, c.algo, c.env, c.sets...)
			steer(broken, 0, 1500)
			if err := broken.Advance(ctx, 1500); err != nil {
				t.Fatal(err)
			}
			if _, err := broken.Checkpoint(false); err != nil {
				t.Fatal(err)
			}
			steer(broken, 1500, 2200)
			if err := broken.Advance(ctx, 2200); err != nil {
				t.Fatal(err)
			}
			broken.Close()
			resumed, err := Resume(broken.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer resumed.Close()
			if eps, over, ok := resumed.Exploration(); eps != 0.2 || !over || !ok {
				t.Fatalf("resumed at %d with Exploration() = %v, %v, %v; want the override 0.2", resumed.Steps(), eps, over, ok)
			}
			if ch := resumed.ExplorationChanges(); len(ch) != 1 || ch[0].Step != 1000 || *ch[0].Epsilon != 0.2 {
				t.Fatalf("resumed run's exploration changes %+v; want the one at step 1000", ch)
			}
			steer(resumed, 1500, 3000)
			if err := resumed.Train(ctx); err != nil {
				t.Fatal(err)
			}
			resumed.Close()

			a := readFile(t, filepath.Join(whole.Dir, MetricsFile))
			if b := readFile(t, filepath.Join(resumed.Dir, MetricsFile)); !bytes.Equal(a, b) {
				t.Error("metrics.csv differs between the uninterrupted and the resumed run")
			}
			p := filepath.Join("checkpoints/step-000003000", PolicyFile)
			if !bytes.Equal(readFile(t, filepath.Join(whole.Dir, p)), readFile(t, filepath.Join(resumed.Dir, p))) {
				t.Errorf("%s differs", p)
			}
			var st runState
			if err := rundir.ReadJSON(filepath.Join(resumed.Dir, "checkpoints/step-000003000", stateFile), &st); err != nil {
				t.Fatal(err)
			}
			if len(st.Exploration) != 2 || st.Exploration[0].Step != 1000 || *st.Exploration[0].Epsilon != 0.2 ||
				st.Exploration[1].Step != 2000 || st.Exploration[1].Epsilon != nil {
				t.Errorf("run.json's exploration_changes %+v", st.Exploration)
			}
			// charts/epsilon: 0.2 while the override was in force, the schedule's before and after.
			rows, err := ReadMetrics(filepath.Join(whole.Dir, MetricsFile), "charts/epsilon")
			if err != nil {
				t.Fatal(err)
			}
			var during, outside int
			for _, r := range rows {
				switch in := r.Step > 1000 && r.Step <= 2000; {
				case in && r.Value == 0.2:
					during++
				case in:
					t.Errorf("charts/epsilon at %d = %v while ε was set to 0.2", r.Step, r.Value)
				case r.Value != 0.2:
					outside++
				}
			}
			if during == 0 || outside == 0 {
				t.Errorf("charts/epsilon: %d rows at 0.2 inside the override, %d outside it", during, outside)
			}
		})
	}
}

func TestExplorationErrors(t *testing.T) {
	r := newRun(t, t.TempDir(), "random", "cartpole", "n_timesteps=100")
	if err := r.SetExploration(0.5); err == nil || !strings.Contains(err.Error(), "no ε") {
		t.Errorf("SetExploration on the random baseline: %v", err)
	}
	if _, _, ok := r.Exploration(); ok {
		t.Error("the random baseline reports an ε")
	}
	d := newRun(t, t.TempDir(), "dqn", "cartpole", tinyDQN...)
	for _, eps := range []float64{-0.1, 1.5} {
		if err := d.SetExploration(eps); err == nil || !strings.Contains(err.Error(), "[0, 1]") {
			t.Errorf("SetExploration(%v): %v", eps, err)
		}
	}
	if err := d.ClearExploration(); err != nil || len(d.ExplorationChanges()) != 0 {
		t.Errorf("ClearExploration without an override: %v, changes %v", err, d.ExplorationChanges())
	}
	if eps, over, ok := d.Exploration(); eps != 1 || over || !ok {
		t.Errorf("DQN at step 0: Exploration() = %v, %v, %v; want the schedule's 1", eps, over, ok)
	}
}
