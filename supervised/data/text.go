package data

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Corpus is the text a character model trains on: one file, or every matching file of a directory
// tree, concatenated in lexical path order.
type Corpus struct {
	// Root is the file or directory it was read from.
	Root string
	// Files are the paths read, relative to Root ("." for a single file), in order.
	Files []string
	// Starts holds the offset in Text where each file begins.
	Starts []int
	// Text is the content of every file, one after another.
	Text []byte
}

// LoadText reads a text file, or every file under a directory whose name ends in one of exts (all
// text files when exts is empty: those that are valid UTF-8 without NUL bytes). Hidden
// directories (.git) are skipped. A missing path, or a directory without a matching file, is an
// error that says so.
func LoadText(path string, exts []string) (*Corpus, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("text corpus: %w", err)
	}
	c := &Corpus{Root: path}
	if !st.IsDir() {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("text corpus: %w", err)
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("text corpus: %s is empty", path)
		}
		if !isText(b) {
			return nil, fmt.Errorf("text corpus: %s is not text (it has NUL bytes or is not UTF-8)", path)
		}
		c.Files, c.Starts, c.Text = []string{"."}, []int{0}, b
		return c, nil
	}
	err = filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p != path && strings.HasPrefix(e.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		if len(exts) > 0 && !slices.ContainsFunc(exts, func(x string) bool { return strings.HasSuffix(e.Name(), x) }) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(b) == 0 || (len(exts) == 0 && !isText(b)) {
			return nil
		}
		rel, _ := filepath.Rel(path, p)
		c.Files = append(c.Files, rel)
		c.Starts = append(c.Starts, len(c.Text))
		c.Text = append(c.Text, b...)
		if b[len(b)-1] != '\n' {
			c.Text = append(c.Text, '\n')
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("text corpus: %w", err)
	}
	if len(c.Files) == 0 {
		what := "text files"
		if len(exts) > 0 {
			what = "files ending in " + strings.Join(exts, " or ")
		}
		return nil, fmt.Errorf("text corpus: %s holds no %s", path, what)
	}
	return c, nil
}

func isText(b []byte) bool { return bytes.IndexByte(b, 0) < 0 && utf8.Valid(b) }

// file returns the text of file i.
func (c *Corpus) file(i int) []byte {
	end := len(c.Text)
	if i+1 < len(c.Starts) {
		end = c.Starts[i+1]
	}
	return c.Text[c.Starts[i]:end]
}

// Split divides the corpus into training and validation text. With several files, a file goes to
// validation when a hash of its path falls in the fraction valFrac (stable across runs and seeds,
// and spread over the tree rather than one corner of it); with one file, the last valFrac of it,
// cut at a line break, is the validation text. Both parts are non-empty. The training text is
// the training files in order; SplitFiles and Concat let a caller reorder them.
func (c *Corpus) Split(valFrac float64) (train, val []byte, err error) {
	if valFrac <= 0 || valFrac >= 1 {
		return nil, nil, fmt.Errorf("text corpus: validation fraction %g must be in (0, 1)", valFrac)
	}
	if len(c.Files) == 1 {
		cut := int(float64(len(c.Text)) * (1 - valFrac))
		if nl := bytes.IndexByte(c.Text[cut:], '\n'); nl >= 0 && cut+nl+1 < len(c.Text) {
			cut += nl + 1
		}
		if cut <= 0 || cut >= len(c.Text) {
			return nil, nil, fmt.Errorf("text corpus: %s (%d bytes) is too short to split", c.Root, len(c.Text))
		}
		return c.Text[:cut], c.Text[cut:], nil
	}
	tr, va, err := c.SplitFiles(valFrac)
	if err != nil {
		return nil, nil, err
	}
	return c.Concat(tr), c.Concat(va), nil
}

// SplitFiles returns the indices of the training and validation files of a corpus of several
// files (see Split).
func (c *Corpus) SplitFiles(valFrac float64) (train, val []int, err error) {
	if len(c.Files) < 2 {
		return nil, nil, fmt.Errorf("text corpus: %s has %d file, too few to split by file", c.Root, len(c.Files))
	}
	if valFrac <= 0 || valFrac >= 1 {
		return nil, nil, fmt.Errorf("text corpus: validation fraction %g must be in (0, 1)", valFrac)
	}
	for i, f := range c.Files {
		h := fnv.New32a()
		h.Write([]byte(filepath.ToSlash(f)))
		if float64(h.Sum32()%10000) < valFrac*10000 {
			val = append(val, i)
		} else {
			train = append(train, i)
		}
	}
	// A tiny tree may hash every file to one side: move the last file across.
	switch {
	case len(val) == 0:
		val, train = train[len(train)-1:], train[:len(train)-1]
	case len(train) == 0:
		train, val = val[len(val)-1:], val[:len(val)-1]
	}
	return train, val, nil
}

// Concat returns the text of the given files, in the given order.
func (c *Corpus) Concat(files []int) []byte {
	n := 0
	for _, i := range files {
		n += len(c.file(i))
	}
	out := make([]byte, 0, n)
	for _, i := range files {
		out = append(out, c.file(i)...)
	}
	return out
}

// Vocab maps the bytes of a text to dense indices: a character model's alphabet. Characters are
// bytes (Go source is nearly all ASCII; multi-byte UTF-8 characters are sequences of bytes, as in
// Karpathy's char-rnn).
type Vocab struct {
	// Chars holds the byte of each index, in increasing byte order.
	Chars []byte
	index [256]int16
}

// NewVocab returns the vocabulary of the bytes that occur in texts.
func NewVocab(texts ...[]byte) *Vocab {
	var seen [256]bool
	for _, t := range texts {
		for _, b := range t {
			seen[b] = true
		}
	}
	var chars []byte
	for b, ok := range seen {
		if ok {
			chars = append(chars, byte(b))
		}
	}
	return VocabOf(chars)
}

// VocabOf returns the vocabulary of the given distinct bytes, in their order (a checkpoint's).
func VocabOf(chars []byte) *Vocab {
	v := &Vocab{Chars: slices.Clone(chars)}
	for i := range v.index {
		v.index[i] = -1
	}
	for i, b := range chars {
		v.index[b] = int16(i)
	}
	return v
}

// Size returns the number of characters.
func (v *Vocab) Size() int { return len(v.Chars) }

// Index returns the index of byte b, or -1 when b is not in the vocabulary.
func (v *Vocab) Index(b byte) int { return int(v.index[b]) }

// Encode maps text to indices; a byte outside the vocabulary is an error naming its offset.
func (v *Vocab) Encode(text []byte) ([]uint8, error) {
	if v.Size() > 256 {
		return nil, fmt.Errorf("data: vocabulary of %d characters", v.Size())
	}
	out := make([]uint8, len(text))
	for i, b := range text {
		j := v.index[b]
		if j < 0 {
			return nil, fmt.Errorf("data: character %q at offset %d is not in the vocabulary", b, i)
		}
		out[i] = uint8(j)
	}
	return out, nil
}

// TextBatcher cuts an encoded text into Batch parallel streams of equal length, as char-rnn does,
// and serves them Seq characters at a time: batch k holds characters [k·Seq, (k+1)·Seq) of every
// stream as input and the characters one further as targets. A recurrent model carries its state
// from batch k to batch k+1 of the same stream (truncated backpropagation through time).
type TextBatcher struct {
	data       []uint8
	Batch, Seq int
	stream     int
}

// NewTextBatcher returns a batcher of data, or an error when data is too short for one batch.
func NewTextBatcher(data []uint8, batch, seq int) (*TextBatcher, error) {
	if batch <= 0 || seq <= 0 {
		return nil, fmt.Errorf("data: batch %d and sequence length %d must be positive", batch, seq)
	}
	stream := len(data) / batch
	if stream < seq+1 {
		return nil, fmt.Errorf("data: %d characters are too few for %d streams of %d+1 characters", len(data), batch, seq)
	}
	return &TextBatcher{data: data, Batch: batch, Seq: seq, stream: stream}, nil
}

// BatchesPerEpoch returns the number of batches of one pass over the streams.
func (t *TextBatcher) BatchesPerEpoch() int { return (t.stream - 1) / t.Seq }

// Fill writes batch k (0 ≤ k < BatchesPerEpoch) into x and y, Batch·Seq indices each, laid out
// [batch, seq] (batch first).
func (t *TextBatcher) Fill(k int, x, y []int) {
	if k < 0 || k >= t.BatchesPerEpoch() || len(x) != t.Batch*t.Seq || len(y) != len(x) {
		panic(fmt.Sprintf("data: TextBatcher.Fill(%d) with %d and %d slots: %d batches of %d×%d", k, len(x), len(y), t.BatchesPerEpoch(), t.Batch, t.Seq))
	}
	for b := range t.Batch {
		s := t.data[b*t.stream+k*t.Seq:]
		for i := range t.Seq {
			x[b*t.Seq+i] = int(s[i])
			y[b*t.Seq+i] = int(s[i+1])
		}
	}
}
