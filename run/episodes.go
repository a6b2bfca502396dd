package run

// episodeLog writes the rows of charts/episodic_return and charts/episodic_length: one per
// episode for episodes of at least `every` env steps, the mean of the shorter ones per window
// of `every` env steps otherwise (RunConfig.EpisodeLogInterval says why and how). Its state
// depends only on the env steps and the episodes, never on the chunks Learn is called in, and
// checkpoints save it (run.json), so that metrics.csv stays identical for a seed and across
// a resume.
type episodeLog struct {
	every, total int64
	log          func(step int64, key string, v float64)
	w            episodeWindow
}

// episodeWindow is the window of short episodes in progress.
type episodeWindow struct {
	// End is the env step that closes the window.
	End int64 `json:"end"`
	// Episodes is the number of short episodes pooled so far, SumReturn and SumLength their
	// sums (JSON keeps float64 values exact).
	Episodes  int64   `json:"episodes"`
	SumReturn float64 `json:"sum_return"`
	SumLength int64   `json:"sum_length"`
}

func newEpisodeLog(cfg RunConfig, log func(int64, string, float64)) *episodeLog {
	every := cfg.EpisodeLogEvery()
	return &episodeLog{every: every, total: cfg.Steps, log: log, w: episodeWindow{End: every}}
}

// episode records an episode that ended at env step step.
func (l *episodeLog) episode(step int64, ret float64, length int) {
	if int64(length) >= l.every {
		l.log(step, ReturnKey, ret)
		l.log(step, "charts/episodic_length", float64(length))
		return
	}
	l.w.Episodes++
	l.w.SumReturn += ret
	l.w.SumLength += int64(length)
}

// stepped is called after the episodes of every vector step, at env step step: it closes the
// window when the step reaches its end or the run's last step.
func (l *episodeLog) stepped(step int64) {
	if step < l.w.End && step < l.total {
		return
	}
	if n := l.w.Episodes; n > 0 {
		l.log(step, ReturnKey, l.w.SumReturn/float64(n))
		l.log(step, "charts/episodic_length", float64(l.w.SumLength)/float64(n))
	}
	l.w = episodeWindow{End: (step/l.every + 1) * l.every}
}
