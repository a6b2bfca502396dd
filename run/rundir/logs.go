package rundir

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"
)

// Logs is a run's metrics.csv and timing.csv with what every run keeps beside them: the first
// non-finite loss logged (training stops on it with an error naming it, rather than train on
// garbage and checkpoint it) and the wall clock of training (train_seconds over every session,
// and the steps per second of this one, which go to timing.csv and the progress bar).
type Logs struct {
	// Metrics is metrics.csv: deterministic values only, identical for the same seed.
	Metrics *CSVLog
	// Timing is timing.csv: wall-clock figures, which differ run to run.
	Timing *CSVLog

	kind      Kind
	nonFinite *nonFinite

	before     float64 // training seconds of earlier sessions
	training   time.Duration
	start      time.Time // of this session, at its first Advance
	startSteps int64
}

type nonFinite struct {
	step  int64
	key   string
	value float64
}

// OpenLogs opens the metrics.csv and timing.csv of the run in dir, cut to the given offsets when
// they are ≥ 0 (a resumed run drops what was logged after its checkpoint); trainSeconds is the
// training time of the sessions before (run.json's train_seconds).
func (k Kind) OpenLogs(dir string, metricsOffset, timingOffset int64, trainSeconds float64) (*Logs, error) {
	m, err := OpenCSVLog(filepath.Join(dir, MetricsFile), metricsOffset)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", MetricsFile, err)
	}
	t, err := OpenCSVLog(filepath.Join(dir, TimingFile), timingOffset)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("opening %s: %w", TimingFile, err)
	}
	return &Logs{Metrics: m, Timing: t, kind: k, before: trainSeconds}, nil
}

// Log appends a row to metrics.csv, noting the first non-finite losses/* value.
func (l *Logs) Log(step int64, key string, v float64) {
	if l.nonFinite == nil && strings.HasPrefix(key, "losses/") && (math.IsNaN(v) || math.IsInf(v, 0)) {
		l.nonFinite = &nonFinite{step, key, v}
	}
	l.Metrics.Log(step, key, v)
}

// Advance times learn, one chunk of training, as training time; steps returns the global step.
// It returns learn's error, or else an error naming the first non-finite loss logged so far;
// then it logs this session's steps per second to timing.csv (Kind.Speed, rounded to
// Kind.SpeedDecimals) and flushes both files.
func (l *Logs) Advance(steps func() int64, learn func() error) error {
	if l.start.IsZero() {
		l.start, l.startSteps = time.Now(), steps()
	}
	t0 := time.Now()
	err := learn()
	l.training += time.Since(t0)
	if err == nil && l.nonFinite != nil {
		err = fmt.Errorf("%s is %v at %s %d", l.nonFinite.key, l.nonFinite.value, l.kind.Step, l.nonFinite.step)
	}
	s := steps()
	if el := time.Since(l.start).Seconds(); el > 0 {
		scale := math.Pow(10, float64(l.kind.SpeedDecimals))
		l.Timing.Log(s, l.kind.Speed, math.Round(float64(s-l.startSteps)/el*scale)/scale)
	}
	if _, _, ferr := l.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// StepsPerSecond returns the speed of this session at global step steps (0 before its first
// Advance).
func (l *Logs) StepsPerSecond(steps int64) float64 {
	if el := time.Since(l.start).Seconds(); !l.start.IsZero() && el > 0 {
		return float64(steps-l.startSteps) / el
	}
	return 0
}

// TrainSeconds returns the wall-clock seconds spent in Advance's learn, over every session of
// the run.
func (l *Logs) TrainSeconds() float64 { return l.before + l.training.Seconds() }

// Flush writes both files out and returns their sizes: the offsets a checkpoint records.
func (l *Logs) Flush() (metricsOffset, timingOffset int64, err error) {
	if metricsOffset, err = l.Metrics.Flush(); err != nil {
		return 0, 0, fmt.Errorf("writing %s: %w", MetricsFile, err)
	}
	if timingOffset, err = l.Timing.Flush(); err != nil {
		return 0, 0, fmt.Errorf("writing %s: %w", TimingFile, err)
	}
	return metricsOffset, timingOffset, nil
}

// Close flushes and closes both files. A nil *Logs (a run that failed before opening them) has
// nothing to close.
func (l *Logs) Close() error {
	if l == nil {
		return nil
	}
	return errors.Join(l.Metrics.Close(), l.Timing.Close())
}
