package supervised

import (
	"encoding/json"
	"fmt"
	"go/scanner"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorl/gorl/nets"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Sampler generates text from a trained CharModel, one character at a time through the
// recurrent layers' step API (no allocation per character once warm).
type Sampler struct {
	Model *CharModel

	g     *nets.Graph
	state *nets.RecurrentState
	probs []float64
}

// LoadCharModel loads the character model of a charrnn run directory (its latest checkpoint) or
// checkpoint directory.
func LoadCharModel(path string) (*CharModel, error) {
	ck, err := checkpointOf(path)
	if err != nil {
		return nil, err
	}
	_, meta, err := nets.LoadTensors(filepath.Join(ck, ModelFile))
	if err != nil {
		return nil, err
	}
	if meta["gorl.task"] != "charrnn" {
		return nil, fmt.Errorf("%s holds a %q model, not a charrnn one", ck, meta["gorl.task"])
	}
	vocab, err := vocabFromMeta(meta)
	if err != nil {
		return nil, err
	}
	hidden, err1 := strconv.Atoi(meta["hidden_size"])
	layers, err2 := strconv.Atoi(meta["num_layers"])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%s: the model file lacks hidden_size or num_layers", ck)
	}
	m, err := NewCharModel(rand.New(rand.NewPCG(0, 0)), meta["cell"], vocab, hidden, layers)
	if err != nil {
		return nil, err
	}
	if _, err := nets.Load(filepath.Join(ck, ModelFile), m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkpointOf returns path when it is a checkpoint directory, else the latest checkpoint of the
// run directory path.
func checkpointOf(path string) (string, error) {
	if _, err := os.Stat(filepath.Join(path, ModelFile)); err == nil {
		return path, nil
	}
	if _, err := os.Stat(filepath.Join(path, ConfigFile)); err != nil {
		return "", fmt.Errorf("%s is neither a run directory nor a checkpoint directory", path)
	}
	return LatestCheckpoint(path)
}

// Sample feeds prime (bytes outside the vocabulary are skipped) and then draws n characters, each
// from softmax(logits / temperature): low temperatures give likelier, more repetitive text. The
// result is prime followed by the n characters.
func (s *Sampler) Sample(prime string, n int, temperature float64, rng *rand.Rand) string {
	m := s.Model
	if s.g == nil {
		s.g = nets.NewInference()
		s.probs = make([]float64, m.Vocab.Size())
	}
	s.state = m.RNN.NewState(1)
	var out strings.Builder
	out.WriteString(prime)
	idx := []int{0}
	var logits *nets.Tensor
	feed := func(i int) {
		idx[0] = i
		s.g.Reset()
		h := m.RNN.StepIndex(s.g, idx, s.state)
		logits = m.FC.Forward(s.g, h)
	}
	fed := false
	for i := range len(prime) {
		if j := m.Vocab.Index(prime[i]); j >= 0 {
			feed(j)
			fed = true
		}
	}
	if !fed {
		start := m.Vocab.Index('\n')
		if start < 0 {
			start = 0
		}
		feed(start)
	}
	for range n {
		next := s.draw(logits.Data, temperature, rng)
		out.WriteByte(m.Vocab.Chars[next])
		feed(next)
	}
	return out.String()
}

// draw samples an index from softmax(logits/temperature), computed in float64.
func (s *Sampler) draw(logits []float32, temperature float64, rng *rand.Rand) int {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	var sum float64
	for i, v := range logits {
		s.probs[i] = math.Exp((float64(v) - mx) / temperature)
		sum += s.probs[i]
	}
	u := rng.Float64() * sum
	for i, p := range s.probs {
		u -= p
		if u < 0 {
			return i
		}
	}
	return len(s.probs) - 1
}

// GoLineShare returns the share of the non-blank lines of text that Go's scanner tokenizes
// without an error (each line on its own, so a line inside a block comment or a raw string
// counts only if it also reads as Go), and the number of non-blank lines.
func GoLineShare(text string) (share float64, lines int) {
	ok := 0
	fset := token.NewFileSet()
	for _, ln := range strings.Split(text, "\n") {
		if strings.TrimSpace(ln) == "" {
			continue
		}
		lines++
		var s scanner.Scanner
		bad := false
		src := []byte(ln)
		s.Init(fset.AddFile("", fset.Base(), len(src)), src, func(token.Position, string) { bad = true }, scanner.ScanComments)
		for {
			_, tok, _ := s.Scan()
			if tok == token.EOF || bad {
				break
			}
			if tok == token.ILLEGAL {
				bad = true
			}
		}
		if !bad {
			ok++
		}
	}
	if lines == 0 {
		return 0, 0
	}
	return float64(ok) / float64(lines), lines
}
