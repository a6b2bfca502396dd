package env

import (
	"fmt"
	"time"
)

// EpisodeStats describes one finished episode: Gymnasium's info["episode"] = {"r", "l", "t"}.
type EpisodeStats struct {
	Return float64       // sum of the rewards (Gymnasium's "r")
	Length int           // number of steps (Gymnasium's "l")
	Time   time.Duration // wall time from Reset (or the previous episode's end) to the end ("t")
}

// EpisodeKey is the info key under which RecordEpisodeStatistics reports a finished episode.
const EpisodeKey = "episode"

// EpisodeInfo returns the statistics RecordEpisodeStatistics put into info at the end of an
// episode, and whether there were any. It accepts the stored value, a pointer to it, or nil.
func EpisodeInfo(info Info) (EpisodeStats, bool) {
	switch v := info[EpisodeKey].(type) {
	case *EpisodeStats:
		if v != nil {
			return *v, true
		}
	case EpisodeStats:
		return v, true
	}
	return EpisodeStats{}, false
}

// RecordEpisodeStatistics tracks the return, length and wall time of episodes, as Gymnasium's
// RecordEpisodeStatistics: the Step that ends an episode (terminated or truncated) adds the
// finished episode's EpisodeStats to info under EpisodeKey (read it with EpisodeInfo), and the
// last BufferLength episodes stay available through Returns, Lengths and Times.
//
// To stay allocation-free the wrapper stores a pointer to its own EpisodeStats in the info map,
// which is the env's own map when it returned one and otherwise a map the wrapper reuses; both
// are valid until the next Step, like the observation. An info that already holds EpisodeKey
// (the wrapper applied twice) is a contract violation and panics, as Gymnasium asserts.
type RecordEpisodeStatistics struct {
	Env

	episodeReturn float64
	episodeLength int
	start         time.Time
	count         int

	last EpisodeStats
	info Info

	returns []float64
	lengths []int
	times   []time.Duration
	next    int // ring position of the next record
	stored  int
}

// NewRecordEpisodeStatistics wraps e, keeping the statistics of the last bufferLength episodes
// (Gymnasium's default is 100). It panics if bufferLength < 1.
func NewRecordEpisodeStatistics(e Env, bufferLength int) *RecordEpisodeStatistics {
	if bufferLength < 1 {
		panic(fmt.Sprintf("env: RecordEpisodeStatistics with a buffer of %d episodes; want at least 1", bufferLength))
	}
	return &RecordEpisodeStatistics{
		Env:     e,
		start:   time.Now(),
		info:    Info{},
		returns: make([]float64, bufferLength),
		lengths: make([]int, bufferLength),
		times:   make([]time.Duration, bufferLength),
	}
}

func (w *RecordEpisodeStatistics) Reset(seed *uint64) ([]float32, Info) {
	obs, info := w.Env.Reset(seed)
	w.start = time.Now()
	w.episodeReturn, w.episodeLength = 0, 0
	return obs, info
}

func (w *RecordEpisodeStatistics) Step(action []float32) ([]float32, float64, bool, bool, Info) {
	obs, r, term, trunc, info := w.Env.Step(action)
	// An env that returns the same map at every step would still carry the key set at the end of
	// its previous episode.
	if p, ok := info[EpisodeKey].(*EpisodeStats); ok && p == &w.last {
		delete(info, EpisodeKey)
	}
	w.episodeReturn += r
	w.episodeLength++
	if term || trunc {
		now := time.Now()
		w.last = EpisodeStats{Return: w.episodeReturn, Length: w.episodeLength, Time: now.Sub(w.start)}
		if info == nil {
			clear(w.info)
			info = w.info
		} else if _, dup := info[EpisodeKey]; dup {
			panic(fmt.Sprintf("env: RecordEpisodeStatistics: the wrapped env's info already holds %q (is the wrapper applied twice?)", EpisodeKey))
		}
		info[EpisodeKey] = &w.last
		w.returns[w.next], w.lengths[w.next], w.times[w.next] = w.last.Return, w.last.Length, w.last.Time
		w.next = (w.next + 1) % len(w.returns)
		w.stored = min(w.stored+1, len(w.returns))
		w.count++
		// As in Gymnasium, only Reset clears the return and length: a Step after the end (which
		// the contract leaves unspecified) keeps adding to them.
		w.start = now
	}
	return obs, r, term, trunc, info
}

// EpisodeCount is the number of episodes finished since the wrapper was made.
func (w *RecordEpisodeStatistics) EpisodeCount() int { return w.count }

// LastEpisode returns the statistics of the most recent finished episode, if any.
func (w *RecordEpisodeStatistics) LastEpisode() (EpisodeStats, bool) { return w.last, w.count > 0 }

// Returns returns the returns of the last (up to BufferLength) episodes, oldest first
// (Gymnasium's return_queue). The slice is a copy.
func (w *RecordEpisodeStatistics) Returns() []float64 { return ring(w.returns, w.next, w.stored) }

// Lengths returns the lengths of the last episodes, oldest first (Gymnasium's length_queue).
func (w *RecordEpisodeStatistics) Lengths() []int { return ring(w.lengths, w.next, w.stored) }

// Times returns the wall times of the last episodes, oldest first (Gymnasium's time_queue).
func (w *RecordEpisodeStatistics) Times() []time.Duration { return ring(w.times, w.next, w.stored) }

// BufferLength is the number of episodes Returns, Lengths and Times keep.
func (w *RecordEpisodeStatistics) BufferLength() int { return len(w.returns) }

func (w *RecordEpisodeStatistics) Unwrap() Env { return w.Env }

// ring copies the stored elements of a ring buffer whose next write goes to position next.
func ring[T any](buf []T, next, stored int) []T {
	out := make([]T, 0, stored)
	start := (next - stored + len(buf)) % len(buf)
	for i := range stored {
		out = append(out, buf[(start+i)%len(buf)])
	}
	return out
}

var (
	_ Env       = (*RecordEpisodeStatistics)(nil)
	_ Unwrapper = (*RecordEpisodeStatistics)(nil)
)
