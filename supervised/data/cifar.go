package data

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR-10's binary version (cifar-10-binary.tar.gz, unpacked to cifar-10-batches-bin/):
// data_batch_1.bin ... data_batch_5.bin (10,000 images each) and test_batch.bin, each a sequence
// of 3073-byte records: the label byte, then the 32×32 red plane, green plane and blue plane, row by
// row. batches.meta.txt names the classes, one a line.
const (
	cifarSide   = 32
	cifarRecord = 1 + 3*cifarSide*cifarSide
)

// CIFAR10Classes are CIFAR-10's classes, used when batches.meta.txt is absent.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// ReadCIFAR10File reads one CIFAR-10 binary batch file into an image set with the given classes.
func ReadCIFAR10File(path string, classes []string) (*Images, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 || len(b)%cifarRecord != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of %d-byte CIFAR-10 records (label + 3×32×32 pixels): the file is truncated or not a CIFAR-10 binary batch", path, len(b), cifarRecord)
	}
	n := len(b) / cifarRecord
	d := &Images{C: 3, H: cifarSide, W: cifarSide, Classes: classes, Labels: make([]uint8, n), Pixels: make([]uint8, n*(cifarRecord-1))}
	for i := range n {
		rec := b[i*cifarRecord : (i+1)*cifarRecord]
		d.Labels[i] = rec[0]
		copy(d.Image(i), rec[1:])
	}
	if err := d.checkLabels(); err != nil {
		return nil, fmt.Errorf("%s: %w (a CIFAR-100 file has two label bytes and does not read as CIFAR-10)", path, err)
	}
	return d, nil
}

// LoadCIFAR10 loads CIFAR-10's binary version from dir (or from dir/cifar-10-batches-bin): the
// training set from every data_batch_N.bin present (N = 1, 2, ...; at least data_batch_1.bin), the
// test set from test_batch.bin, the class names from batches.meta.txt when present.
func LoadCIFAR10(dir string) (train, test *Images, err error) {
	if dir == "" {
		return nil, nil, fmt.Errorf("CIFAR-10 cannot be downloaded here: pass --data DIR, the directory of the binary version (cifar-10-batches-bin with data_batch_1.bin ... test_batch.bin)")
	}
	if sub := filepath.Join(dir, "cifar-10-batches-bin"); isDir(sub) {
		dir = sub
	}
	if !isDir(dir) {
		return nil, nil, fmt.Errorf("CIFAR-10 directory %s does not exist", dir)
	}
	classes := CIFAR10Classes
	if meta, err := os.ReadFile(filepath.Join(dir, "batches.meta.txt")); err == nil {
		var names []string
		for _, l := range bytes.Split(meta, []byte("\n")) {
			if s := strings.TrimSpace(string(l)); s != "" {
				names = append(names, s)
			}
		}
		if len(names) != 10 {
			return nil, nil, fmt.Errorf("%s: %d class names, CIFAR-10 has 10", filepath.Join(dir, "batches.meta.txt"), len(names))
		}
		classes = names
	}
	for i := 1; ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", i))
		if _, err := os.Stat(p); err != nil {
			if i == 1 {
				return nil, nil, fmt.Errorf("%s has no data_batch_1.bin: not a CIFAR-10 binary directory (the Python and MATLAB versions are not read; use cifar-10-binary.tar.gz)", dir)
			}
			break
		}
		part, err := ReadCIFAR10File(p, classes)
		if err != nil {
			return nil, nil, err
		}
		if train == nil {
			train = part
		} else {
			train.Pixels = append(train.Pixels, part.Pixels...)
			train.Labels = append(train.Labels, part.Labels...)
		}
	}
	p := filepath.Join(dir, "test_batch.bin")
	if _, err := os.Stat(p); err != nil {
		return nil, nil, fmt.Errorf("%s has no test_batch.bin", dir)
	}
	if test, err = ReadCIFAR10File(p, classes); err != nil {
		return nil, nil, err
	}
	train.Name, test.Name = "cifar10", "cifar10"
	return train, test, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
