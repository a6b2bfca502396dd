// Package synth makes small synthetic image sets and corpora for the tests of supervised and
// rlrun fit: learnable in a few steps, written in the formats the real data sets use.
package synth

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorl/gorl/supervised/data"
)

// Images returns n c×h×w images of 10 classes: class k is a bright 4×4 square on a dim noisy
// background at a position that depends on k, so a small CNN separates them in a few steps.
func Images(n, c, h, w int, seed uint64) *data.Images {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &data.Images{C: c, H: h, W: w, Classes: data.DigitClasses, Pixels: make([]uint8, n*c*h*w), Labels: make([]uint8, n)}
	for i := range n {
		k := r.IntN(10)
		d.Labels[i] = uint8(k)
		img := d.Image(i)
		for j := range img {
			img[j] = uint8(r.IntN(40))
		}
		y0, x0 := (k/5)*(h/2)+1+r.IntN(2), (k%5)*(w/5)+r.IntN(2)
		for ch := range c {
			for y := y0; y < min(y0+4, h); y++ {
				for x := x0; x < min(x0+4, w); x++ {
					img[ch*h*w+y*w+x] = uint8(200 + r.IntN(56))
				}
			}
		}
	}
	return d
}

// MNISTDir writes an MNIST-style directory (gzipped IDX files) of 28×28 synthetic digits and
// returns it.
func MNISTDir(dir string, train, test int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tr, te := Images(train, 1, 28, 28, 1), Images(test, 1, 28, 28, 2)
	if err := data.WriteIDXImages(tr, filepath.Join(dir, "train-images-idx3-ubyte.gz"), filepath.Join(dir, "train-labels-idx1-ubyte.gz")); err != nil {
		return "", err
	}
	if err := data.WriteIDXImages(te, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); err != nil {
		return "", err
	}
	return dir, nil
}

// GoCorpus writes a directory of small, repetitive Go files (and a file of another kind that a
// .go filter must skip) and returns it.
func GoCorpus(dir string, files int) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "pkg"), 0o755); err != nil {
		return "", err
	}
	for i := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "package pkg\n\nimport \"fmt\"\n\n")
		for j := range 12 {
			fmt.Fprintf(&b, "// Add%d returns the sum of a and b.\nfunc Add%d(a, b int) int {\n\tif a > b {\n\t\treturn a + b\n\t}\n\tfmt.Println(\"add\", a, b)\n\treturn b + a\n}\n\n", i*12+j, i*12+j)
		}
		if err := os.WriteFile(filepath.Join(dir, "pkg", fmt.Sprintf("file%02d.go", i)), []byte(b.String()), 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# not Go\n"), 0o644); err != nil {
		return "", err
	}
	return dir, nil
}
