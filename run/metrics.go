package run

import "github.com/gorl/gorl/run/rundir"

// MetricsHeader is the first line of metrics.csv and timing.csv: one row per logged value, in
// the long format of a TensorBoard scalar dump (see rundir.MetricsHeader).
const MetricsHeader = rundir.MetricsHeader

// Scalar is one row of metrics.csv.
type Scalar struct {
	Step  int64
	Key   string
	Value float64
}

// ReadMetrics reads a metrics.csv (or timing.csv) and returns its rows, optionally only those of
// one key (key == "" keeps all). It reads rlrun fit's runs as well (rundir.ScanMetrics).
func ReadMetrics(path, key string) ([]Scalar, error) {
	var out []Scalar
	err := rundir.ScanMetrics(path, key, func(step int64, key string, value float64) {
		out = append(out, Scalar{Step: step, Key: key, Value: value})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
