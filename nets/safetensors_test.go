package nets

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	net := NewMLP(r, ReLU{}, 4, 8, 2)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := Save(path, net, map[string]string{"env": "CartPole-v1", "step": "1000"}); err != nil {
		t.Fatal(err)
	}
	other := NewMLP(rand.New(rand.NewPCG(2, 2)), ReLU{}, 4, 8, 2)
	meta, err := Load(path, other)
	if err != nil {
		t.Fatal(err)
	}
	if meta["env"] != "CartPole-v1" || meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
	for i, p := range net.Params() {
		q := other.Params()[i]
		if p.Name != q.Name || !sameShape(p.Tensor.Shape, q.Tensor.Shape) {
			t.Fatalf("param %d: %s %v vs %s %v", i, p.Name, p.Tensor.Shape, q.Name, q.Tensor.Shape)
		}
		for j := range p.Tensor.Data {
			if p.Tensor.Data[j] != q.Tensor.Data[j] {
				t.Fatalf("%s[%d] differs after loading", p.Name, j)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the save left %d files in the directory, want 1 (no temporary files)", len(entries))
	}
}

// TestSafetensorsLayout pins the bytes PyTorch's safetensors reader expects: an 8-byte
// little-endian header length, a JSON header padded to 8 bytes, PyTorch's names, F32 data.
func TestSafetensorsLayout(t *testing.T) {
	var b bytes.Buffer
	ts := []NamedTensor{{"0.weight", FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)}, {"0.bias", FromData([]float32{-1, 0.5}, 2)}, {"s", Scalar(7)}}
	if err := WriteSafetensors(&b, ts, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	n := binary.LittleEndian.Uint64(data)
	hdr := string(data[8 : 8+n])
	want := `{"__metadata__":{"format":"pt","k":"v"},"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"s":{"dtype":"F32","shape":[],"data_offsets":[32,36]}}`
	if strings.TrimRight(hdr, " ") != want || (8+n)%8 != 0 {
		t.Errorf("header %q (length %d), want %q padded to 8 bytes", hdr, n, want)
	}
	if got := math.Float32frombits(binary.LittleEndian.Uint32(data[8+n+24:])); got != -1 {
		t.Errorf("first bias value %v, want -1", got)
	}
	back, meta, err := ReadSafetensors(data)
	if err != nil || len(back) != 3 || meta["k"] != "v" || back[2].Tensor.Shape == nil || len(back[2].Tensor.Shape) != 0 || back[2].Tensor.Data[0] != 7 {
		t.Errorf("read back %v %v %v", back, meta, err)
	}
}

func TestSafetensorsOtherDTypes(t *testing.T) {
	// A file as PyTorch may write it: F64, I64 (num_batches_tracked), F16, BF16.
	hdr := `{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]},` +
		`"h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[20,22]}}`
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
	b.WriteString(hdr)
	binary.Write(&b, binary.LittleEndian, 2.5)
	binary.Write(&b, binary.LittleEndian, int64(12))
	binary.Write(&b, binary.LittleEndian, []uint16{0x3c00, 0xc000}) // 1, -2
	binary.Write(&b, binary.LittleEndian, uint16(0x4040))           // 3
	ts, _, err := ReadSafetensors(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float32{}
	for _, x := range ts {
		got[x.Name] = x.Tensor.Data[0]
	}
	if got["a"] != 2.5 || got["n"] != 12 || got["h"] != 1 || got["b"] != 3 || ts[2].Tensor.Data[1] != -2 {
		t.Errorf("decoded %v", got)
	}
}

func TestLoadErrorsSayWhatIsWrong(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := Save(path, NewMLP(r, ReLU{}, 4, 8, 2), nil); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := binary.LittleEndian.Uint64(good)
	header := string(good[8 : 8+n])
	withHeader := func(h string) []byte {
		for len(h)%8 != 0 {
			h += " "
		}
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(h)))
		b.WriteString(h)
		b.Write(good[8+n:])
		return b.Bytes()
	}
	for _, c := range []struct {
		name  string
		path  string
		model any
		want  []string
	}{
		{"other architecture", path, NewMLP(r, ReLU{}, 4, 16, 2), []string{"size mismatch", "0.weight: shape [8 4] in the checkpoint, [16 4] in the model"}},
		{"missing and extra layers", path, NewMLP(r, ReLU{}, 4, 8, 8, 2), []string{"missing from the checkpoint: 4.weight, 4.bias", "size mismatch"}},
		{"fewer layers", path, NewMLP(r, ReLU{}, 4, 2), []string{"not in the model: 2.weight, 2.bias"}},
		{"truncated data", write("trunc", good[:len(good)-10]), nil, []string{"truncated"}},
		{"truncated header", write("trunch", good[:20]), nil, []string{"header length", "exceeds"}},
		{"tiny file", write("tiny", good[:5]), nil, []string{"too short"}},
		{"bad JSON", write("json", withHeader(strings.Replace(header, `"dtype"`, `dtype`, 1))), nil, []string{"bad JSON header"}},
		{"wrong offsets", write("offs", withHeader(strings.Replace(header, `"data_offsets":[0,128]`, `"data_offsets":[0,124]`, 1))), nil, []string{"data_offsets [0, 124] do not hold", "0.weight"}},
		{"overlap", write("overlap", withHeader(strings.Replace(header, `"data_offsets":[128,160]`, `"data_offsets":[124,156]`, 1))), nil, []string{"0.bias"}},
		{"unsupported dtype", write("dtype", withHeader(strings.Replace(header, `"F32"`, `"C64"`, 1))), nil, []string{"unsupported dtype \"C64\""}},
		{"missing file", filepath.Join(dir, "nope"), nil, []string{"no such file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.model
			if m == nil {
				m = NewMLP(r, ReLU{}, 4, 8, 2)
			}
			before := append([]float32(nil), ParamsOf(m)[0].Tensor.Data...)
			_, err := Load(c.path, m)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for i, v := range ParamsOf(m)[0].Tensor.Data {
				if i < len(before) && v != before[i] {
					t.Fatal("a failed load changed the model")
				}
			}
		})
	}
	if !strings.Contains(header, `"data_offsets":[0,128]`) || !strings.Contains(header, `"data_offsets":[128,160]`) {
		t.Fatalf("the test's header edits assume the layout of a 4-8-2 MLP, got %s", header)
	}
}

func TestSaveRejectsDuplicateNames(t *testing.T) {
	p := NewParam(2)
	err := SaveTensors(filepath.Join(t.TempDir(), "x"), []NamedTensor{{"a", p}, {"a", p}}, nil)
	if err == nil || !strings.Contains(err.Error(), `"a" appears twice`) {
		t.Errorf("duplicate names: %v", err)
	}
}
