package rundir_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/run/rundir"
)

// A checkpoint every 1000 steps, keeping the newest two: each is written into a temporary
// directory and renamed into place, and checkpoints/latest names the newest.
func ExampleKind_WriteCheckpoint() {
	out, _ := os.MkdirTemp("", "runs")
	defer os.RemoveAll(out)
	dir, _ := rundir.Create(out, "CartPole-v1__dqn__1__0")
	kind := rundir.Kind{Step: "env step", Resume: "rlrun train --resume"}
	for step := int64(1000); step <= 3000; step += 1000 {
		_, err := kind.WriteCheckpoint(dir, step, 2, func(tmp string) (any, []byte, error) {
			err := os.WriteFile(filepath.Join(tmp, "policy.safetensors"), []byte("..."), 0o644)
			return map[string]int64{"global_step": step}, []byte("seed: 1\n"), err
		})
		if err != nil {
			fmt.Println(err)
		}
	}
	latest, _ := rundir.LatestCheckpoint(dir)
	fmt.Println(rundir.CheckpointSteps(dir), filepath.Base(latest))
	// Output: [2000 3000] step-000003000
}

// The metrics log writes CleanRL's long format; a checkpoint records the offset Flush returns,
// and a resume reopens the file cut back to it.
func ExampleOpenCSVLog() {
	dir, _ := os.MkdirTemp("", "run")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, rundir.MetricsFile)
	l, _ := rundir.OpenCSVLog(path, -1)
	l.Log(500, "charts/episodic_return", 22)
	offset, _ := l.Flush()
	l.Log(1000, "losses/td_loss", float64(float32(0.1)))
	l.Close()

	l, _ = rundir.OpenCSVLog(path, offset) // resumed from the checkpoint at step 500
	l.Log(1000, "losses/td_loss", 0.25)
	l.Close()
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// global_step,key,value
	// 500,charts/episodic_return,22
	// 1000,losses/td_loss,0.25
}
