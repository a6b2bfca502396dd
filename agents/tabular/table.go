package tabular

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
)

// Table is a table of action values Q(s, a), row-major: Q[s*NumActions+a]. Every agent of the
// package produces one: the TD agents learn it, the planners compute it from their state values.
type Table struct {
	NumStates, NumActions int
	Q                     []float64
}

// NewTable returns a table of nS×nA values, all init.
func NewTable(nS, nA int, init float64) *Table {
	if nS < 1 || nA < 1 {
		panic(fmt.Sprintf("tabular: NewTable(%d, %d): want at least one state and one action", nS, nA))
	}
	t := &Table{NumStates: nS, NumActions: nA, Q: make([]float64, nS*nA)}
	if init != 0 {
		for i := range t.Q {
			t.Q[i] = init
		}
	}
	return t
}

// Row returns the action values of state s (a view into Q, not a copy).
func (t *Table) Row(s int) []float64 { return t.Q[s*t.NumActions : (s+1)*t.NumActions] }

// Greedy returns the action with the largest value in state s, the first one on ties, so
// that a table always gives the same policy.
func (t *Table) Greedy(s int) int {
	row := t.Row(s)
	best := 0
	for a := 1; a < len(row); a++ {
		if row[a] > row[best] {
			best = a
		}
	}
	return best
}

// Values returns V(s) = max_a Q(s, a) for every state.
func (t *Table) Values() []float64 {
	v := make([]float64, t.NumStates)
	for s := range v {
		v[s] = slices.Max(t.Row(s))
	}
	return v
}

// Policy returns the greedy action of every state.
func (t *Table) Policy() []int {
	p := make([]int, t.NumStates)
	for s := range p {
		p[s] = t.Greedy(s)
	}
	return p
}

// Clone returns a deep copy.
func (t *Table) Clone() *Table {
	return &Table{NumStates: t.NumStates, NumActions: t.NumActions, Q: slices.Clone(t.Q)}
}

// The file format is safetensors (the format PyTorch and NumPy users load with one call,
// safetensors.numpy.load_file): an 8-byte little-endian header length, a JSON header, then the
// raw data. The table is one F64 tensor "q" of shape [states, actions]; the header's
// __metadata__ holds tableFormat and the caller's metadata (the env ID, the algorithm).
const tableFormat = "gorl-tabular-v1"

type tensorInfo struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Save writes the table to path as a safetensors file, with meta (string pairs such as
// {"env": "FrozenLake-v1", "algo": "qlearning"}) in its metadata.
func (t *Table) Save(path string, meta map[string]string) error {
	md := map[string]string{"format": tableFormat}
	for k, v := range meta {
		md[k] = v
	}
	n := int64(len(t.Q)) * 8
	header := map[string]any{
		"__metadata__": md,
		"q":            tensorInfo{Dtype: "F64", Shape: []int{t.NumStates, t.NumActions}, DataOffsets: [2]int64{0, n}},
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("tabular: saving %s: %w", path, err)
	}
	for len(h)%8 != 0 { // the format allows padding the header with spaces to align the data
		h = append(h, ' ')
	}
	buf := make([]byte, 8, 8+len(h)+int(n))
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	buf = append(buf, h...)
	for _, q := range t.Q {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(q))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("tabular: saving the table: %w", err)
	}
	return nil
}

// LoadTable reads a table written by Save and returns it with the file's metadata.
func LoadTable(path string) (*Table, map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("tabular: loading a table: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("tabular: %s is not a gorl Q-table file: %s", path, fmt.Sprintf(format, args...))
	}
	if len(raw) < 8 {
		return nil, nil, bad("%d bytes, too short for a safetensors header", len(raw))
	}
	hlen := binary.LittleEndian.Uint64(raw)
	if hlen > uint64(len(raw)-8) {
		return nil, nil, bad("its header claims %d bytes but the file has %d", hlen, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+hlen], &header); err != nil {
		return nil, nil, bad("its header is not JSON (%v)", err)
	}
	var meta map[string]string
	if m, ok := header["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, bad("its metadata is not a map of strings (%v)", err)
		}
	}
	if meta["format"] != tableFormat {
		return nil, nil, bad("its metadata format is %q, not %q", meta["format"], tableFormat)
	}
	rawInfo, ok := header["q"]
	if !ok {
		return nil, nil, bad("it holds no tensor named \"q\"")
	}
	var info tensorInfo
	if err := json.Unmarshal(rawInfo, &info); err != nil {
		return nil, nil, bad("tensor q: %v", err)
	}
	if info.Dtype != "F64" || len(info.Shape) != 2 || info.Shape[0] < 1 || info.Shape[1] < 1 {
		return nil, nil, bad("tensor q is %s of shape %v; want F64 of shape [states, actions]", info.Dtype, info.Shape)
	}
	data := raw[8+hlen:]
	n := int64(info.Shape[0]) * int64(info.Shape[1])
	if info.DataOffsets[0] != 0 || info.DataOffsets[1] != 8*n || int64(len(data)) < 8*n {
		return nil, nil, bad("tensor q of shape %v has data offsets %v and the file %d data bytes", info.Shape, info.DataOffsets, len(data))
	}
	t := &Table{NumStates: info.Shape[0], NumActions: info.Shape[1], Q: make([]float64, n)}
	for i := range t.Q {
		t.Q[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	delete(meta, "format")
	return t, meta, nil
}

// ErrShape is wrapped by the error of Load when the file's table has another shape.
var ErrShape = errors.New("table shape mismatch")

// Load replaces the values of t with those of the table in path, which must have the same
// numbers of states and actions: a table saved for another env is an error wrapping ErrShape.
func (t *Table) Load(path string) (map[string]string, error) {
	u, meta, err := LoadTable(path)
	if err != nil {
		return nil, err
	}
	if u.NumStates != t.NumStates || u.NumActions != t.NumActions {
		where := ""
		if e := meta["env"]; e != "" {
			where = " (saved for " + e + ")"
		}
		return nil, fmt.Errorf("tabular: %s holds a table of %d states × %d actions%s; this one has %d × %d: %w",
			path, u.NumStates, u.NumActions, where, t.NumStates, t.NumActions, ErrShape)
	}
	copy(t.Q, u.Q)
	return meta, nil
}
