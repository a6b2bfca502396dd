package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrInterrupted is wrapped by the error Kind.Stopped returns when training's context was
// cancelled (Ctrl-C): a checkpoint of the step reached was written and the run can be resumed.
// run.ErrInterrupted and supervised.ErrInterrupted are this error.
var ErrInterrupted = errors.New("interrupted")

// Kind is what differs between the runs that share this layout: rlrun train counts env steps
// and rlrun fit optimizer steps, each has its own resume command, which an error must name for
// the user to continue, and its own key for the speed in timing.csv.
type Kind struct {
	// Step names global_step in messages: "env step" (rlrun train) or "step" (rlrun fit).
	Step string
	// Resume is the command that continues a run when given its directory:
	// "rlrun train --resume" or "rlrun fit --resume".
	Resume string
	// Speed is the timing.csv key of the steps per second ("charts/SPS" as CleanRL's, or
	// "charts/steps_per_second"), logged with SpeedDecimals decimals.
	Speed         string
	SpeedDecimals int
}

// checkpointName is the name of the checkpoint of global step step: zero-padded, so that names
// sort as steps do.
func checkpointName(step int64) string { return fmt.Sprintf("step-%09d", step) }

// WriteCheckpoint writes the checkpoint of global step step into dir's checkpoints/ atomically
// and returns its path. save fills a fresh temporary directory with the trainer's files and
// returns the run's state (written as run.json) and its config (config.yml); the directory is
// then synced and renamed into place (replacing a checkpoint of the same step: an interrupt,
// then the final one), and latest is replaced by rename. A crash at any point leaves latest
// naming a complete checkpoint. Last, all but the newest keep checkpoints are removed (keep 0
// keeps them all).
func (k Kind) WriteCheckpoint(dir string, step int64, keep int, save func(tmp string) (state any, config []byte, err error)) (string, error) {
	root := filepath.Join(dir, CheckpointsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	name := checkpointName(step)
	dst, tmp := filepath.Join(root, name), filepath.Join(root, ".tmp-"+name)
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	fail := func(err error) (string, error) {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("checkpoint at %s %d: %w", k.Step, step, err)
	}
	state, config, err := save(tmp)
	if err != nil {
		return fail(err)
	}
	js, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, StateFile), js, 0o644); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ConfigFile), config, 0o644); err != nil {
		return fail(err)
	}
	if err := SyncTree(tmp); err != nil {
		return fail(err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fail(err)
	}
	if err := WriteFileAtomic(filepath.Join(root, LatestFile), []byte(name+"\n")); err != nil {
		return "", fmt.Errorf("checkpoint at %s %d: %w", k.Step, step, err)
	}
	prune(dir, keep)
	return dst, nil
}

// prune removes all but the newest keep checkpoints of the run in dir (keep 0 keeps all).
func prune(dir string, keep int) {
	if keep == 0 {
		return
	}
	steps := CheckpointSteps(dir)
	for len(steps) > keep {
		os.RemoveAll(filepath.Join(dir, CheckpointsDir, checkpointName(steps[0])))
		steps = steps[1:]
	}
}

// CheckpointSteps lists the global steps of the checkpoints of the run in dir, ascending.
func CheckpointSteps(dir string) []int64 {
	ents, _ := os.ReadDir(filepath.Join(dir, CheckpointsDir))
	var steps []int64
	for _, e := range ents {
		if s, ok := strings.CutPrefix(e.Name(), "step-"); ok && e.IsDir() {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				steps = append(steps, n)
			}
		}
	}
	slices.Sort(steps)
	return steps
}

// LatestCheckpoint returns the path of the newest checkpoint of the run in dir (what
// checkpoints/latest names).
func LatestCheckpoint(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, CheckpointsDir, LatestFile))
	if err != nil {
		return "", fmt.Errorf("%s has no checkpoint yet (%v)", dir, err)
	}
	name := strings.TrimSpace(string(b))
	p := filepath.Join(dir, CheckpointsDir, name)
	if st, err := os.Stat(p); err != nil || !st.IsDir() || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s: checkpoints/latest names %q, which is not a checkpoint directory", dir, name)
	}
	return p, nil
}

// Stopped turns the error that ended training of the run in dir at global step step into the
// one Train returns. When ctx was cancelled (Ctrl-C) it writes a checkpoint with checkpoint and
// wraps ErrInterrupted; any other error (a non-finite loss) writes none, so that latest keeps
// naming the last good checkpoint, and the message names it and the command that continues.
func (k Kind) Stopped(ctx context.Context, err error, dir string, step int64, checkpoint func() (string, error)) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		ck, cerr := checkpoint()
		if cerr != nil {
			return fmt.Errorf("%w at %s %d, and the checkpoint failed: %v", ErrInterrupted, k.Step, step, cerr)
		}
		return fmt.Errorf("%w at %s %d; checkpoint %s written (%s %s continues)", ErrInterrupted, k.Step, step, filepath.Base(ck), k.Resume, dir)
	}
	last := "none was written yet"
	if ck, cerr := LatestCheckpoint(dir); cerr == nil {
		last = fmt.Sprintf("the last good checkpoint is %s (%s %s continues from it)", filepath.Base(ck), k.Resume, dir)
	}
	return fmt.Errorf("training stopped: %w; %s", err, last)
}

// ReadLatest reads what resuming the run in dir starts from, in the order that makes its errors
// useful: config.yml (a directory without one is not a run directory), decoded by parse; the
// latest checkpoint; its run.json, decoded into state. It returns the config and the
// checkpoint's path.
func ReadLatest[C any](dir string, parse func(data []byte, path string) (C, error), state any) (cfg C, checkpoint string, err error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, "", fmt.Errorf("%s is not a run directory: %w", dir, err)
	}
	if cfg, err = parse(data, path); err != nil {
		return cfg, "", err
	}
	if checkpoint, err = LatestCheckpoint(dir); err != nil {
		return cfg, "", err
	}
	if err := ReadJSON(filepath.Join(checkpoint, StateFile), state); err != nil {
		return cfg, "", err
	}
	return cfg, checkpoint, nil
}
