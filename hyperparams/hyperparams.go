// Package hyperparams ships the tuned per-environment defaults of every algorithm rlrun trains,
// one YAML file per algorithm in the style of RL Baselines3 Zoo's hyperparams/*.yml: the file's
// top-level keys are Gymnasium env IDs, each mapping config keys (those of the algorithm's Config
// struct and of run.RunConfig) to values.
//
// # Precedence
//
// The algorithm's Config struct defaults come first, then the entry for the env in
// <algo>.yml, then rlrun's --config FILE, then --set key=value, then --seed, --steps and
// --eval-episodes. An env without an entry trains with the struct defaults.
//
// # Adding an entry
//
// Add the env ID as a top-level key with the keys that differ from the struct defaults, and run
// go test ./run/ (it resolves every entry of every file, so a misspelt key or a bad value fails
// there and not in a user's run).
package hyperparams

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
)

//go:embed *.yml
var files embed.FS

// File returns the contents of <algo>.yml and its name, or ok=false when the algorithm ships no
// defaults.
func File(algo string) (data []byte, name string, ok bool, err error) {
	name = "hyperparams/" + algo + ".yml"
	data, err = files.ReadFile(algo + ".yml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, name, false, nil
	}
	if err != nil {
		return nil, name, false, fmt.Errorf("hyperparams: reading %s: %w", name, err)
	}
	return data, name, true, nil
}

// Algorithms returns the names of the algorithms that ship a file.
func Algorithms() []string {
	ents, _ := files.ReadDir(".")
	var out []string
	for _, e := range ents {
		if n := e.Name(); len(n) > 4 && n[len(n)-4:] == ".yml" {
			out = append(out, n[:len(n)-4])
		}
	}
	return out
}
