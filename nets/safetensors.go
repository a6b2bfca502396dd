package nets

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Checkpoints are safetensors files: an unsigned 64-bit little-endian header length, a JSON header
// mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
// data section that follows) plus a "__metadata__" map of strings, then the raw little-endian
// data. PyTorch users load one with safetensors.torch.load_file and load_state_dict.

// maxHeader bounds the JSON header: a corrupt length must not make Load allocate gigabytes.
const maxHeader = 100 << 20

// dtypeSize is the byte size of every dtype gorl reads (it writes F32 only).
var dtypeSize = map[string]int{"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

type stEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets []int  `json:"data_offsets"`
}

// WriteSafetensors writes tensors (as F32) and meta to w in the safetensors format. Names must be
// unique and non-empty; "format": "pt" is added to the metadata unless meta sets "format", as
// safetensors.torch.save_file does.
func WriteSafetensors(w io.Writer, tensors []NamedTensor, meta map[string]string) error {
	seen := map[string]bool{}
	var hdr bytes.Buffer
	hdr.WriteString(`{"__metadata__":{`)
	keys := make([]string, 0, len(meta)+1)
	for k := range meta {
		keys = append(keys, k)
	}
	if _, ok := meta["format"]; !ok {
		keys = append(keys, "format")
	}
	slices.Sort(keys)
	for i, k := range keys {
		v, ok := meta[k]
		if !ok && k == "format" {
			v = "pt"
		}
		if i > 0 {
			hdr.WriteByte(',')
		}
		writeJSON(&hdr, k)
		hdr.WriteByte(':')
		writeJSON(&hdr, v)
	}
	hdr.WriteByte('}')
	off := 0
	for _, t := range tensors {
		switch {
		case t.Name == "" || t.Name == "__metadata__":
			return fmt.Errorf("nets: safetensors: invalid tensor name %q", t.Name)
		case seen[t.Name]:
			return fmt.Errorf("nets: safetensors: tensor name %q appears twice", t.Name)
		case len(t.Tensor.Data) != numel(t.Tensor.Shape):
			return fmt.Errorf("nets: safetensors: tensor %q has %d values for shape %v", t.Name, len(t.Tensor.Data), t.Tensor.Shape)
		}
		seen[t.Name] = true
		hdr.WriteByte(',')
		writeJSON(&hdr, t.Name)
		shape := t.Tensor.Shape
		if shape == nil {
			shape = []int{}
		}
		end := off + 4*len(t.Tensor.Data)
		fmt.Fprintf(&hdr, `:{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]}`, mustJSON(shape), off, end)
		off = end
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 { // the reference implementation aligns the data section to 8 bytes
		hdr.WriteByte(' ')
	}
	bw := bufio.NewWriter(w)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(hdr.Len()))
	bw.Write(n[:])
	bw.Write(hdr.Bytes())
	var b [4]byte
	for _, t := range tensors {
		for _, v := range t.Tensor.Data {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			bw.Write(b[:])
		}
	}
	return bw.Flush()
}

func writeJSON(b *bytes.Buffer, v any) { b.Write(mustJSON(v)) }

func mustJSON(v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		panic("nets: " + err.Error()) // strings and int slices always marshal
	}
	return j
}

// ReadSafetensors parses a safetensors file held in memory, converting every tensor to float32
// (F32, F64, F16, BF16 and integer dtypes are read). Tensors come back in the order of their data
// offsets. The error says what is wrong: a header length beyond the file, a bad header, an
// unsupported dtype, offsets that do not match the shape, overlap, leave gaps or point past the
// end of the file (a truncated file).
func ReadSafetensors(data []byte) ([]NamedTensor, map[string]string, error) {
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("file is %d bytes, too short for a safetensors header", len(data))
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > uint64(len(data)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated file, or not safetensors)", n, len(data)-8)
	}
	if n > maxHeader {
		return nil, nil, fmt.Errorf("header length %d exceeds the %d-byte limit (not a safetensors file?)", n, maxHeader)
	}
	raw := map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(data[8 : 8+n]))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("bad JSON header: %w", err)
	}
	meta := map[string]string{}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("bad __metadata__ (must map strings to strings): %w", err)
		}
		delete(raw, "__metadata__")
	}
	buf := data[8+n:]
	type entry struct {
		name string
		stEntry
	}
	entries := make([]entry, 0, len(raw))
	for name, r := range raw {
		var e stEntry
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		size, ok := dtypeSize[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("tensor %q: unsupported dtype %q", name, e.DType)
		}
		if len(e.Offsets) != 2 {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets must be [begin, end], got %v", name, e.Offsets)
		}
		count := 1
		for _, d := range e.Shape {
			if d < 0 {
				return nil, nil, fmt.Errorf("tensor %q: negative dimension in shape %v", name, e.Shape)
			}
			count *= d
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || end-b != count*size {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] do not hold a %s tensor of shape %v (%d bytes)", name, b, end, e.DType, e.Shape, count*size)
		}
		if end > len(buf) {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] point past the %d-byte data section (truncated file)", name, b, end, len(buf))
		}
		entries = append(entries, entry{name, e})
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.Offsets[0] - b.Offsets[0] })
	pos := 0
	out := make([]NamedTensor, 0, len(entries))
	for _, e := range entries {
		if e.Offsets[0] != pos {
			return nil, nil, fmt.Errorf("tensor %q: data starts at byte %d, expected %d (overlapping or missing data)", e.name, e.Offsets[0], pos)
		}
		pos = e.Offsets[1]
		out = append(out, NamedTensor{e.name, &Tensor{Shape: cloneShape(e.Shape), Data: decodeDType(e.DType, buf[e.Offsets[0]:e.Offsets[1]])}})
	}
	if pos != len(buf) {
		return nil, nil, fmt.Errorf("the data section has %d bytes but the tensors use %d", len(buf), pos)
	}
	return out, meta, nil
}

func decodeDType(dtype string, b []byte) []float32 {
	size := dtypeSize[dtype]
	out := make([]float32, len(b)/size)
	le := binary.LittleEndian
	for i := range out {
		p := b[i*size:]
		switch dtype {
		case "F32":
			out[i] = math.Float32frombits(le.Uint32(p))
		case "F64":
			out[i] = float32(math.Float64frombits(le.Uint64(p)))
		case "BF16":
			out[i] = math.Float32frombits(uint32(le.Uint16(p)) << 16)
		case "F16":
			out[i] = half(le.Uint16(p))
		case "I64":
			out[i] = float32(int64(le.Uint64(p)))
		case "I32":
			out[i] = float32(int32(le.Uint32(p)))
		case "I16":
			out[i] = float32(int16(le.Uint16(p)))
		case "I8":
			out[i] = float32(int8(p[0]))
		case "U8", "BOOL":
			out[i] = float32(p[0])
		}
	}
	return out
}

// half converts an IEEE binary16 value.
func half(h uint16) float32 {
	s := float32(1)
	if h&0x8000 != 0 {
		s = -1
	}
	e, m := int(h>>10&0x1f), float64(h&0x3ff)
	switch e {
	case 0:
		return s * float32(math.Ldexp(m, -24))
	case 31:
		if m == 0 {
			return s * float32(math.Inf(1))
		}
		return float32(math.NaN())
	}
	return s * float32(math.Ldexp(1+m/1024, e-15))
}

// SaveTensors writes tensors and meta to path atomically: into a temporary file in the same
// directory, synced, then renamed over path, so a crash never leaves a half-written checkpoint.
func SaveTensors(path string, tensors []NamedTensor, meta map[string]string) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("nets: saving %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("nets: saving %s: %w", path, err)
		}
	}()
	if err = WriteSafetensors(f, tensors, meta); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename itself durable
		d.Sync()
		d.Close()
	}
	return nil
}

// LoadTensors reads a safetensors file.
func LoadTensors(path string) ([]NamedTensor, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nets: loading %s: %w", path, err)
	}
	ts, meta, err := ReadSafetensors(data)
	if err != nil {
		return nil, nil, fmt.Errorf("nets: loading %s: %w", path, err)
	}
	return ts, meta, nil
}

// Save writes m's state dict (parameters and buffers, StateDict) with meta to path, atomically.
func Save(path string, m any, meta map[string]string) error {
	return SaveTensors(path, StateDict(m), meta)
}

// Load reads a checkpoint written by Save (or by PyTorch's safetensors save_file of the same
// architecture) into m and returns its metadata. It is all or nothing: when the file's names or
// shapes differ from m's, nothing is changed and the error lists every missing name, unexpected
// name and shape mismatch, as load_state_dict(strict=True) does.
func Load(path string, m any) (map[string]string, error) {
	ts, meta, err := LoadTensors(path)
	if err != nil {
		return nil, err
	}
	if err := LoadStateDict(StateDict(m), ts); err != nil {
		return nil, fmt.Errorf("nets: loading %s: %w", path, err)
	}
	return meta, nil
}

// LoadStateDict copies src into dst by name, strictly: every name of dst must be in src with the
// same shape and src must have no other names; otherwise nothing is copied and the error says
// exactly what does not match.
func LoadStateDict(dst, src []NamedTensor) error {
	have := map[string]*Tensor{}
	for _, s := range src {
		have[s.Name] = s.Tensor
	}
	want := map[string]bool{}
	var missing, mismatch, extra []string
	for _, d := range dst {
		want[d.Name] = true
		s, ok := have[d.Name]
		switch {
		case !ok:
			missing = append(missing, d.Name)
		case !sameShape(s.Shape, d.Tensor.Shape):
			mismatch = append(mismatch, fmt.Sprintf("%s: shape %v in the checkpoint, %v in the model", d.Name, s.Shape, d.Tensor.Shape))
		}
	}
	for _, s := range src {
		if !want[s.Name] {
			extra = append(extra, s.Name)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing from the checkpoint: "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		parts = append(parts, "not in the model: "+strings.Join(extra, ", "))
	}
	if len(mismatch) > 0 {
		parts = append(parts, "size mismatch: "+strings.Join(mismatch, "; "))
	}
	if len(parts) > 0 {
		return errors.New("state dict does not match the model: " + strings.Join(parts, "; "))
	}
	for _, d := range dst {
		copy(d.Tensor.Data, have[d.Name].Data)
	}
	return nil
}

// optMetaPrefix namespaces the optimizer's own metadata in an optimizer checkpoint, so that it
// cannot collide with the caller's.
const optMetaPrefix = "gorl.optim."

// SaveOptimizer writes opt's state (opt.State) and meta to path, atomically.
func SaveOptimizer(path string, opt Optimizer, meta map[string]string) error {
	ts, om := opt.State()
	all := map[string]string{}
	for k, v := range meta {
		if strings.HasPrefix(k, optMetaPrefix) {
			return fmt.Errorf("nets: saving %s: metadata key %q uses the reserved prefix %q", path, k, optMetaPrefix)
		}
		all[k] = v
	}
	for k, v := range om {
		all[optMetaPrefix+k] = v
	}
	return SaveTensors(path, ts, all)
}

// LoadOptimizer restores an optimizer state written by SaveOptimizer into opt (which must be of
// the same kind over parameters of the same names and shapes) and returns the caller's metadata.
func LoadOptimizer(path string, opt Optimizer) (map[string]string, error) {
	ts, meta, err := LoadTensors(path)
	if err != nil {
		return nil, err
	}
	om, user := map[string]string{}, map[string]string{}
	for k, v := range meta {
		if rest, ok := strings.CutPrefix(k, optMetaPrefix); ok {
			om[rest] = v
		} else {
			user[k] = v
		}
	}
	if len(om) == 0 {
		return nil, fmt.Errorf("nets: loading %s: not an optimizer checkpoint (no %s* metadata)", path, optMetaPrefix)
	}
	if err := opt.SetState(ts, om); err != nil {
		return nil, fmt.Errorf("nets: loading %s: %w", path, err)
	}
	return user, nil
}
