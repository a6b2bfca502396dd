package replay

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// The saved form is a magic line, a JSON header (configuration, counters, generator state) and
// the used part of every array in little-endian order. The header makes a file of another shape
// fail with a message instead of loading garbage.
const magic = "gorl-replay-v1\n"

type header struct {
	Capacity    int     `json:"capacity"`
	NumEnvs     int     `json:"num_envs"`
	ObsDim      int     `json:"obs_dim"`
	ActDim      int     `json:"act_dim"`
	Prioritized bool    `json:"prioritized"`
	Total       int64   `json:"total"`
	Valid       int     `json:"valid"`
	MaxPrio     float64 `json:"max_priority"`
	RNG         []byte  `json:"rng"`
	LastDone    []bool  `json:"last_done"`
}

// WriteTo writes the buffer's whole state to w.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<16)}
	rng, err := b.pcg.MarshalBinary()
	if err != nil {
		return 0, fmt.Errorf("replay: saving the generator: %w", err)
	}
	h := header{
		Capacity: b.cfg.Capacity, NumEnvs: b.cfg.NumEnvs, ObsDim: b.cfg.ObsDim, ActDim: b.cfg.ActDim,
		Prioritized: b.tree != nil, Total: b.total, Valid: b.valid, MaxPrio: b.maxPrio,
		RNG: rng, LastDone: b.lastDone,
	}
	js, err := json.Marshal(h)
	if err != nil {
		return 0, err
	}
	io.WriteString(cw, magic)
	binary.Write(cw, binary.LittleEndian, uint32(len(js)))
	cw.Write(js)
	used := int(min(b.total, int64(b.cfg.Capacity)))
	writeFloats(cw, b.obs[:used*b.cfg.ObsDim])
	writeFloats(cw, b.act[:used*b.cfg.ActDim])
	writeFloats(cw, b.rew[:used])
	cw.Write(b.flags[:used])
	writeFloats(cw, b.pending)
	if b.tree != nil {
		var buf [8]byte
		for s := 0; s < used; s++ {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(b.tree.leaf(s)))
			cw.Write(buf[:])
		}
	}
	if cw.err == nil {
		cw.err = cw.w.(*bufio.Writer).Flush()
	}
	if cw.err != nil {
		return cw.n, fmt.Errorf("replay: writing the buffer: %w", cw.err)
	}
	return cw.n, nil
}

// ReadFrom replaces the buffer's state with one WriteTo saved. The buffer must have been built
// with the same Capacity, NumEnvs, ObsDim, ActDim and Prioritized; the other settings (γ, n, α,
// β) are the receiver's. On error the buffer is left empty.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	n, err := b.readFrom(r)
	if err != nil {
		b.clear()
		return n, err
	}
	return n, nil
}

func (b *Buffer) clear() {
	b.total, b.valid, b.maxPrio = 0, 0, 1
	clear(b.flags)
	clear(b.lastDone)
	if b.tree != nil {
		b.tree = newSumTree(b.cfg.Capacity)
	}
}

func (b *Buffer) readFrom(r io.Reader) (int64, error) {
	cr := &countReader{r: bufio.NewReaderSize(r, 1<<16)}
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(cr, m); err != nil || string(m) != magic {
		return cr.n, errors.New("replay: not a saved replay buffer (bad magic)")
	}
	var hl uint32
	if err := binary.Read(cr, binary.LittleEndian, &hl); err != nil || hl > 1<<26 {
		return cr.n, errors.New("replay: corrupt buffer header")
	}
	js := make([]byte, hl)
	if _, err := io.ReadFull(cr, js); err != nil {
		return cr.n, fmt.Errorf("replay: reading the header: %w", err)
	}
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return cr.n, fmt.Errorf("replay: corrupt buffer header: %w", err)
	}
	c := b.cfg
	if h.Capacity != c.Capacity || h.NumEnvs != c.NumEnvs || h.ObsDim != c.ObsDim || h.ActDim != c.ActDim || h.Prioritized != c.Prioritized {
		return cr.n, fmt.Errorf("replay: saved buffer has capacity %d, %d envs, obs dim %d, act dim %d, prioritized %v; this one %d, %d, %d, %d, %v",
			h.Capacity, h.NumEnvs, h.ObsDim, h.ActDim, h.Prioritized, c.Capacity, c.NumEnvs, c.ObsDim, c.ActDim, c.Prioritized)
	}
	if h.Total < 0 || len(h.LastDone) != c.NumEnvs || h.Valid < 0 || h.Valid > c.Capacity {
		return cr.n, errors.New("replay: corrupt buffer header (counters)")
	}
	if err := b.pcg.UnmarshalBinary(h.RNG); err != nil {
		return cr.n, fmt.Errorf("replay: restoring the generator: %w", err)
	}
	used := int(min(h.Total, int64(c.Capacity)))
	for _, f := range [][]float32{b.obs[:used*c.ObsDim], b.act[:used*c.ActDim], b.rew[:used]} {
		if err := readFloats(cr, f); err != nil {
			return cr.n, err
		}
	}
	if _, err := io.ReadFull(cr, b.flags[:used]); err != nil {
		return cr.n, fmt.Errorf("replay: truncated buffer file: %w", err)
	}
	clear(b.flags[used:])
	if err := readFloats(cr, b.pending); err != nil {
		return cr.n, err
	}
	b.total, b.valid, b.maxPrio = h.Total, h.Valid, h.MaxPrio
	copy(b.lastDone, h.LastDone)
	if b.tree != nil {
		b.tree = newSumTree(c.Capacity)
		var buf [8]byte
		for s := 0; s < used; s++ {
			if _, err := io.ReadFull(cr, buf[:]); err != nil {
				return cr.n, fmt.Errorf("replay: truncated buffer file: %w", err)
			}
			b.tree.set(s, math.Float64frombits(binary.LittleEndian.Uint64(buf[:])))
		}
	}
	valid := 0
	for _, f := range b.flags[:used] {
		if f&flagValid != 0 {
			valid++
		}
	}
	if valid != b.valid {
		return cr.n, fmt.Errorf("replay: corrupt buffer file: header says %d transitions, flags %d", b.valid, valid)
	}
	return cr.n, nil
}

func writeFloats(w io.Writer, f []float32) {
	var buf [4096]byte
	for len(f) > 0 {
		k := min(len(f), len(buf)/4)
		for i := 0; i < k; i++ {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f[i]))
		}
		w.Write(buf[:4*k])
		f = f[k:]
	}
}

func readFloats(r io.Reader, f []float32) error {
	var buf [4096]byte
	for len(f) > 0 {
		k := min(len(f), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return fmt.Errorf("replay: truncated buffer file: %w", err)
		}
		for i := 0; i < k; i++ {
			f[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		f = f[k:]
	}
	return nil
}

// countWriter counts bytes and keeps the first error, so that WriteTo checks once at the end.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
