package supervised

import (
	"slices"

	"github.com/gorl/gorl/run/rundir"
)

// Scalar is one row of metrics.csv.
type Scalar struct {
	Step  int64
	Key   string
	Value float64
}

// ReadMetrics reads a run's metrics.csv (rlrun train's format, rundir.ScanMetrics), keeping the
// rows whose key is one of keys (all rows when none is given).
func ReadMetrics(path string, keys ...string) ([]Scalar, error) {
	key := "" // one key is filtered by the scanner, which then skips the other rows unparsed
	if len(keys) == 1 {
		key = keys[0]
	}
	var out []Scalar
	err := rundir.ScanMetrics(path, key, func(step int64, k string, v float64) {
		if len(keys) < 2 || slices.Contains(keys, k) {
			out = append(out, Scalar{Step: step, Key: k, Value: v})
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
