package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX is one file of the IDX format MNIST and Fashion-MNIST ship in: a magic number (two zero
// bytes, a type code and the number of dimensions), the dimensions as big-endian uint32s, then the
// data row-major. Only unsigned bytes (type 0x08) are supported: every image and label set of
// MNIST and Fashion-MNIST uses them.
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXBytes bounds the size a header may announce (4 GiB) so that a corrupt header fails with a
// clear error instead of an attempt to allocate an absurd buffer.
const maxIDXBytes = 1 << 32

// idxTypes names the IDX type codes for error messages.
var idxTypes = map[byte]string{0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}

// ReadIDX reads an IDX file, gzip-compressed or not (recognized by its first bytes). A truncated
// file, trailing bytes, a bad magic number or an unsupported type is an error that says which.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var src io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("bad gzip stream: %w", err)
		}
		defer z.Close()
		src = bufio.NewReaderSize(z, 1<<16)
	}
	var magic [4]byte
	if _, err := io.ReadFull(src, magic[:]); err != nil {
		return nil, fmt.Errorf("reading the IDX magic number: %w", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 || magic[3] == 0 {
		return nil, fmt.Errorf("not an IDX file: magic number % x (want 00 00 <type> <dims>)", magic)
	}
	if magic[2] != 0x08 {
		name, ok := idxTypes[magic[2]]
		if !ok {
			return nil, fmt.Errorf("not an IDX file: unknown type code 0x%02x", magic[2])
		}
		return nil, fmt.Errorf("IDX data of type %s (0x%02x) is not supported: only unsigned bytes (0x08)", name, magic[2])
	}
	dims := make([]int, magic[3])
	total := uint64(1)
	for i := range dims {
		var b [4]byte
		if _, err := io.ReadFull(src, b[:]); err != nil {
			return nil, fmt.Errorf("reading IDX dimension %d of %d: %w", i+1, len(dims), noEOF(err))
		}
		dims[i] = int(binary.BigEndian.Uint32(b[:]))
		total *= uint64(dims[i])
		if total > maxIDXBytes {
			return nil, fmt.Errorf("IDX header announces dimensions %v, more than %d bytes: the file is corrupt", dims[:i+1], uint64(maxIDXBytes))
		}
	}
	data := make([]uint8, total)
	if n, err := io.ReadFull(src, data); err != nil {
		return nil, fmt.Errorf("IDX file truncated: the header announces %v = %d bytes of data, the file holds %d", dims, total, n)
	}
	if n, _ := io.Copy(io.Discard, io.LimitReader(src, 1<<20)); n > 0 {
		return nil, fmt.Errorf("IDX file has %d trailing bytes after the %d its header %v announces", n, total, dims)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// noEOF turns a bare EOF into ErrUnexpectedEOF: inside a header, the end of the file is an error.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadIDXFile reads the IDX file at path (see ReadIDX); errors name the file.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// LoadIDXImages reads a pair of IDX files: images [N, H, W] (or [N, C, H, W]) and labels [N], and
// checks that they agree and that every label is below the number of classes.
func LoadIDXImages(imagesPath, labelsPath string, classes []string) (*Images, error) {
	im, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	d := &Images{Classes: classes}
	switch len(im.Dims) {
	case 3:
		d.C, d.H, d.W = 1, im.Dims[1], im.Dims[2]
	case 4:
		d.C, d.H, d.W = im.Dims[1], im.Dims[2], im.Dims[3]
	default:
		return nil, fmt.Errorf("%s: images must have 3 dimensions [N, H, W] (or 4 with channels), the file has %v", imagesPath, im.Dims)
	}
	if len(lb.Dims) != 1 {
		return nil, fmt.Errorf("%s: labels must have 1 dimension [N], the file has %v", labelsPath, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, fmt.Errorf("%s holds %d images but %s holds %d labels", imagesPath, im.Dims[0], labelsPath, lb.Dims[0])
	}
	if im.Dims[0] == 0 || d.C*d.H*d.W == 0 {
		return nil, fmt.Errorf("%s: empty image set %v", imagesPath, im.Dims)
	}
	d.Pixels, d.Labels = im.Data, lb.Data
	if err := d.checkLabels(); err != nil {
		return nil, fmt.Errorf("%s: %w", labelsPath, err)
	}
	return d, nil
}

// WriteIDX writes an IDX file of unsigned bytes with the given dimensions (the format ReadIDX
// reads; gzip it yourself if wanted). len(data) must be the product of dims.
func WriteIDX(w io.Writer, dims []int, data []uint8) error {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if n != len(data) || len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("data: WriteIDX: %d bytes for dimensions %v", len(data), dims)
	}
	head := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		head = binary.BigEndian.AppendUint32(head, uint32(d))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// WriteIDXImages writes d as an MNIST-style pair of files: images [N, H, W] (or [N, C, H, W]
// when C > 1) to imagesPath and labels [N] to labelsPath, gzipped when a path ends in .gz.
func WriteIDXImages(d *Images, imagesPath, labelsPath string) error {
	dims := []int{d.Len(), d.H, d.W}
	if d.C > 1 {
		dims = []int{d.Len(), d.C, d.H, d.W}
	}
	if err := writeIDXFile(imagesPath, dims, d.Pixels); err != nil {
		return err
	}
	return writeIDXFile(labelsPath, []int{d.Len()}, d.Labels)
}

func writeIDXFile(path string, dims []int, data []uint8) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var w io.Writer = f
	var z *gzip.Writer
	if len(path) > 3 && path[len(path)-3:] == ".gz" {
		z = gzip.NewWriter(f)
		w = z
	}
	err = WriteIDX(w, dims, data)
	if z != nil {
		err = errors.Join(err, z.Close())
	}
	return errors.Join(err, f.Close())
}
