package run

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run/rundir"
)

// LoadPolicy loads the deterministic policy saved at path: a run directory (its latest
// checkpoint) or a checkpoint directory. It returns the policy, the run's config (read from the
// checkpoint's copy of config.yml, so a checkpoint directory is self-contained) and the
// checkpoint directory used. The viewer and rlrun eval use it.
func LoadPolicy(path string) (Policy, *Config, string, error) {
	ck := path
	if _, err := os.Stat(filepath.Join(path, stateFile)); err != nil && isRunDir(path) {
		var err error
		if ck, err = LatestCheckpoint(path); err != nil {
			return nil, nil, "", err
		}
	}
	cfgPath := filepath.Join(ck, ConfigFile)
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s is neither a run directory nor a checkpoint directory (no %s)", path, ConfigFile)
	}
	cfg, err := ParseConfig(data, cfgPath)
	if err != nil {
		return nil, nil, "", err
	}
	algo, err := LookupAlgorithm(cfg.Algo)
	if err != nil {
		return nil, nil, "", err
	}
	e, err := env.Make(cfg.EnvID, env.Options(cfg.Run.EnvKwargs))
	if err != nil {
		return nil, nil, "", err
	}
	defer e.Close()
	p, err := algo.LoadPolicy(cfg.Params, PolicySetup{EnvID: cfg.EnvID, ObsSpace: e.ObservationSpace(), ActSpace: e.ActionSpace()}, ck)
	if err != nil {
		return nil, nil, "", fmt.Errorf("loading the policy of %s: %w", ck, err)
	}
	return p, cfg, ck, nil
}

// EvaluateCheckpoint evaluates the policy at path (a run or checkpoint directory) as the final
// evaluation of a run does: episodes greedy episodes seeded from the run's seed. It is
// `rlrun eval`.
func EvaluateCheckpoint(path string, episodes int) (*EvalResult, error) {
	p, cfg, ck, err := LoadPolicy(path)
	if err != nil {
		return nil, err
	}
	res, err := Evaluate(p, cfg.EnvID, env.Options(cfg.Run.EnvKwargs), episodes, cfg.Run.Seed)
	if err != nil {
		return nil, err
	}
	res.Algo = cfg.Algo
	var st runState
	if err := rundir.ReadJSON(filepath.Join(ck, stateFile), &st); err == nil {
		res.EnvSteps, res.TrainSeconds = st.GlobalStep, st.TrainSeconds
	}
	res.Checkpoint = ck
	return res, nil
}
