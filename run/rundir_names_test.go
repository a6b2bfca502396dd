package run

import (
	"path/filepath"

	"github.com/gorl/gorl/run/rundir"
)

// The run directory's helpers moved to package rundir; these names keep this package's older
// tests and benchmarks reading as they did.

func readJSON(path string, v any) error { return rundir.ReadJSON(path, v) }

func appendValue(b []byte, v float64) []byte { return rundir.AppendValue(b, v) }

// checkpointSteps lists the steps of the checkpoints in root (a run's checkpoints/).
func checkpointSteps(root string) []int64 { return rundir.CheckpointSteps(filepath.Dir(root)) }

type csvLog struct{ *rundir.CSVLog }

func openCSVLog(path string, truncate int64) (csvLog, error) {
	l, err := rundir.OpenCSVLog(path, truncate)
	return csvLog{l}, err
}

func (l csvLog) log(step int64, key string, v float64) { l.Log(step, key, v) }
func (l csvLog) close() error                          { return l.Close() }
