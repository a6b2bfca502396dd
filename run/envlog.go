package run

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gorl/gorl/env"
)

// recorder wraps the vector env a trainer trains on. It does two jobs:
//
//   - it reports every finished episode, and the end of every step, against the env steps
//     taken, for the Run to log (charts/episodic_return, charts/episodic_length), for every
//     algorithm alike;
//   - it records every Reset (with its seed) and Step (with its actions), so that resume can
//     rebuild the env's exact state by replaying them into a fresh env. The env contract
//     (same seed and actions, same trajectory) makes the replay exact without asking envs to
//     serialize their state; it costs one byte a step per copy for discrete actions of up to
//     256 values (four bytes per action element otherwise), and replaying costs the env
//     stepping time only, no network.
type recorder struct {
	env.VectorEnv
	n, actDim int
	bytes     bool // actions are stored as bytes (Discrete with at most 256 values from 0)

	acts8  []uint8
	acts32 []float32
	resets []resetEvent
	steps  int64 // vector steps taken

	// replaying suppresses the callbacks while resume replays the log.
	replaying bool
	onEpisode func(envSteps int64, ret float64, length int)
	onStepped func(envSteps int64) // after the step's episodes
}

type resetEvent struct {
	At      int64  `json:"at"` // vector steps taken before the Reset
	Seed    uint64 `json:"seed"`
	HasSeed bool   `json:"has_seed"`
}

// newRecorder wraps v; expected is the expected number of env steps, to preallocate the log so
// that recording does not allocate per step.
func newRecorder(v env.VectorEnv, expected int64, onEpisode func(int64, float64, int), onStepped func(int64)) *recorder {
	r := &recorder{VectorEnv: v, n: v.NumEnvs(), actDim: v.SingleActionSpace().Dim(), onEpisode: onEpisode, onStepped: onStepped}
	if d, ok := v.SingleActionSpace().(env.Discrete); ok && d.Start >= 0 && d.Start+d.N <= 256 {
		r.bytes = true
		r.acts8 = make([]uint8, 0, expected+int64(r.n))
	} else {
		r.acts32 = make([]float32, 0, (expected+int64(r.n))*int64(r.actDim))
	}
	return r
}

func (r *recorder) Reset(seed *uint64) []float32 {
	ev := resetEvent{At: r.steps}
	if seed != nil {
		ev.Seed, ev.HasSeed = *seed, true
	}
	r.resets = append(r.resets, ev)
	return r.VectorEnv.Reset(seed)
}

func (r *recorder) Step(actions []float32) ([]float32, []float64, []bool, []bool) {
	if r.bytes {
		for _, a := range actions {
			r.acts8 = append(r.acts8, uint8(a))
		}
	} else {
		r.acts32 = append(r.acts32, actions...)
	}
	obs, rew, term, trunc := r.VectorEnv.Step(actions)
	r.steps++
	if !r.replaying {
		envSteps := r.steps * int64(r.n)
		if r.onEpisode != nil {
			rets, lens := r.VectorEnv.EpisodeReturns(), r.VectorEnv.EpisodeLengths()
			for i := range term {
				if term[i] || trunc[i] {
					r.onEpisode(envSteps, rets[i], lens[i])
				}
			}
		}
		if r.onStepped != nil {
			r.onStepped(envSteps)
		}
	}
	return obs, rew, term, trunc
}

// EnvSteps returns the env steps taken (vector steps times copies).
func (r *recorder) EnvSteps() int64 { return r.steps * int64(r.n) }

const envLogMagic = "gorl-envlog-v1\n"

type envLogHeader struct {
	NumEnvs int          `json:"num_envs"`
	ActDim  int          `json:"act_dim"`
	Bytes   bool         `json:"bytes"`
	Steps   int64        `json:"steps"`
	Resets  []resetEvent `json:"resets"`
}

// save writes the log to path.
func (r *recorder) save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	js, _ := json.Marshal(envLogHeader{NumEnvs: r.n, ActDim: r.actDim, Bytes: r.bytes, Steps: r.steps, Resets: r.resets})
	io.WriteString(w, envLogMagic)
	binary.Write(w, binary.LittleEndian, uint32(len(js)))
	w.Write(js)
	if r.bytes {
		w.Write(r.acts8)
	} else {
		var b [4]byte
		for _, a := range r.acts32 {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(a))
			w.Write(b[:])
		}
	}
	err = w.Flush()
	return errors.Join(err, f.Close()) // the checkpoint's files are fsynced together
}

// restore reads the log at path and replays it into the wrapped env (a fresh one): the Resets
// with their seeds and every Step with its actions, without logging episodes. Afterwards the
// env is in the state it had when the log was saved, and the log continues from there.
func (r *recorder) restore(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the env log: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	m := make([]byte, len(envLogMagic))
	if _, err := io.ReadFull(br, m); err != nil || string(m) != envLogMagic {
		return fmt.Errorf("%s: not an env log", path)
	}
	var hl uint32
	if err := binary.Read(br, binary.LittleEndian, &hl); err != nil || hl > 1<<28 {
		return fmt.Errorf("%s: corrupt env log header", path)
	}
	js := make([]byte, hl)
	if _, err := io.ReadFull(br, js); err != nil {
		return fmt.Errorf("%s: corrupt env log header: %w", path, err)
	}
	var h envLogHeader
	if err := json.Unmarshal(js, &h); err != nil {
		return fmt.Errorf("%s: corrupt env log header: %w", path, err)
	}
	if h.NumEnvs != r.n || h.ActDim != r.actDim || h.Bytes != r.bytes || h.Steps < 0 {
		return fmt.Errorf("%s: log of %d copies with %d-element actions; the env has %d and %d", path, h.NumEnvs, h.ActDim, r.n, r.actDim)
	}
	per := int64(r.n * r.actDim)
	r.acts8, r.acts32 = r.acts8[:0], r.acts32[:0]
	if r.bytes {
		if int64(cap(r.acts8)) < h.Steps*per {
			r.acts8 = make([]uint8, 0, h.Steps*per)
		}
		r.acts8 = r.acts8[:h.Steps*per]
		if _, err := io.ReadFull(br, r.acts8); err != nil {
			return fmt.Errorf("%s: truncated env log: %w", path, err)
		}
	} else {
		if int64(cap(r.acts32)) < h.Steps*per {
			r.acts32 = make([]float32, 0, h.Steps*per)
		}
		r.acts32 = r.acts32[:h.Steps*per]
		var b [4]byte
		for i := range r.acts32 {
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return fmt.Errorf("%s: truncated env log: %w", path, err)
			}
			r.acts32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
		}
	}
	// Replay into the inner env directly: the log is already complete.
	act := make([]float32, per)
	ri := 0
	for t := int64(0); t <= h.Steps; t++ {
		for ri < len(h.Resets) && h.Resets[ri].At == t {
			ev := h.Resets[ri]
			if ev.HasSeed {
				s := ev.Seed
				r.VectorEnv.Reset(&s)
			} else {
				r.VectorEnv.Reset(nil)
			}
			ri++
		}
		if t == h.Steps {
			break
		}
		for i := range act {
			if r.bytes {
				act[i] = float32(r.acts8[t*per+int64(i)])
			} else {
				act[i] = r.acts32[t*per+int64(i)]
			}
		}
		r.VectorEnv.Step(act)
	}
	if ri != len(h.Resets) {
		return fmt.Errorf("%s: corrupt env log (a reset after the last step)", path)
	}
	r.resets = h.Resets
	r.steps = h.Steps
	return nil
}
