package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Files of a run directory.
const (
	ConfigFile     = "config.yml"
	MetricsFile    = "metrics.csv"
	TimingFile     = "timing.csv"
	EvalFile       = "eval.json"
	CheckpointsDir = "checkpoints"
	LatestFile     = "latest"   // in CheckpointsDir: the name of the newest checkpoint
	StateFile      = "run.json" // in a checkpoint: the run's own counters
)

// Create makes out (if needed) and a new directory out/base in it, or out/base-2, base-3, ...
// when base is taken (two runs started in the same second), and returns its path.
func Create(out, base string) (string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", fmt.Errorf("creating the output directory: %w", err)
	}
	dir := filepath.Join(out, base)
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("creating the run directory: %w", err)
		}
		dir = filepath.Join(out, fmt.Sprintf("%s-%d", base, i))
	}
}

// WriteFileAtomic writes data to a temporary file, syncs it and renames it over path, then syncs
// the directory: a crash leaves either the old file or the new one, never a torn one.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// SyncTree fsyncs every file below dir and dir itself, so that a rename publishes complete files.
func SyncTree(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := SyncTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_RDWR, 0)
		if err != nil {
			return err
		}
		err = errors.Join(f.Sync(), f.Close())
		if err != nil {
			return err
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// WriteJSON writes v to path as indented JSON with a final newline: a state file inside a
// checkpoint's temporary directory, which WriteCheckpoint syncs and renames into place, so a
// plain write is enough.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadJSON decodes the JSON file path into v; a malformed file is an error naming it.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
