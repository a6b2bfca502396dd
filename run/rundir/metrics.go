package rundir

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MetricsHeader is the first line of metrics.csv and timing.csv: one row per logged value, in
// the long format of a TensorBoard scalar dump (CleanRL logs with writer.add_scalar(key, value,
// global_step)). Pandas users pivot it with df.pivot_table(index="global_step", columns="key").
const MetricsHeader = "global_step,key,value"

// CSVLog appends global_step,key,value rows to metrics.csv or timing.csv through a buffer.
// Logging allocates nothing in steady state; the first write error is kept and reported by
// Flush. It is not safe for concurrent use.
type CSVLog struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
	err error
}

// OpenCSVLog opens path for appending, writing the header to a new file. A non-negative
// truncate cuts an existing file to that size first (resume drops what was logged after the
// checkpoint).
func OpenCSVLog(path string, truncate int64) (*CSVLog, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if truncate >= 0 {
		if err := f.Truncate(truncate); err != nil {
			f.Close()
			return nil, err
		}
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, err
	}
	l := &CSVLog{f: f, w: bufio.NewWriterSize(f, 1<<16), buf: make([]byte, 0, 128)}
	if size == 0 {
		l.w.WriteString(MetricsHeader + "\n")
	}
	return l, nil
}

// Log appends one row. The value is written in the shortest form that reads back exactly (as a
// float32 when it is one, so a float32 loss prints as 0.1 and not 0.10000000149011612).
func (l *CSVLog) Log(step int64, key string, v float64) {
	b := strconv.AppendInt(l.buf[:0], step, 10)
	b = append(b, ',')
	b = append(b, key...)
	b = append(b, ',')
	b = AppendValue(b, v)
	b = append(b, '\n')
	l.buf = b
	if _, err := l.w.Write(b); err != nil && l.err == nil {
		l.err = err
	}
}

// AppendValue appends v as Log writes it: the shortest form that reads back exactly (as a
// float32 when it is one), nan, inf and -inf, and integers without a decimal point.
func AppendValue(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "nan"...)
	case math.IsInf(v, 1):
		return append(b, "inf"...)
	case math.IsInf(v, -1):
		return append(b, "-inf"...)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.AppendInt(b, int64(v), 10)
	case float64(float32(v)) == v:
		return strconv.AppendFloat(b, v, 'g', -1, 32)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// Flush writes the buffer out and returns the file's size: the offset a checkpoint records.
func (l *CSVLog) Flush() (int64, error) {
	if err := l.w.Flush(); err != nil && l.err == nil {
		l.err = err
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.f.Seek(0, io.SeekCurrent)
}

// Close flushes and closes the file.
func (l *CSVLog) Close() error {
	_, err := l.Flush()
	return errors.Join(err, l.f.Close())
}

// ScanMetrics reads a metrics.csv (or timing.csv) and calls row for each of its rows, in file
// order, optionally only for those of one key (key == "" keeps all); the key strings passed are
// shared between the rows of a key. The files this package writes are read a line at a time
// without the csv package (rows of other keys are skipped unparsed): a learning curve reads the
// 800,000 episode rows of a long run in a fraction of a second. A line with a quote goes through
// encoding/csv, so that a file edited by a spreadsheet reads the same.
func ScanMetrics(path, key string, row func(step int64, key string, value float64)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	notMetrics := fmt.Errorf("%s: not a metrics file (want the header %q)", path, MetricsHeader)
	head, err := br.ReadString('\n')
	if err != nil && head == "" {
		return notMetrics
	}
	if strings.TrimRight(head, "\r\n") != MetricsHeader {
		return notMetrics
	}
	keys := map[string]string{} // one string per key
	for line := 2; ; line++ {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer: not one of ours
			rest, err2 := br.ReadBytes('\n')
			b, err = append(slices.Clone(b), rest...), err2
		}
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(b) == 0 {
			continue // csv skips empty lines too
		}
		stepB, k, valB, ok := splitRow(b)
		if !ok {
			return fmt.Errorf("%s:%d: bad row %q (want global_step,key,value)", path, line, b)
		}
		if key != "" && string(k) != key {
			continue
		}
		step, err1 := strconv.ParseInt(string(stepB), 10, 64)
		v, err2 := strconv.ParseFloat(string(valB), 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s:%d: bad row %q", path, line, b)
		}
		ks, seen := keys[string(k)]
		if !seen {
			ks = string(k)
			keys[ks] = ks
		}
		row(step, ks, v)
	}
}

// splitRow splits a row into its three fields. A row with a quote is read by encoding/csv.
func splitRow(b []byte) (step, key, value []byte, ok bool) {
	if bytes.IndexByte(b, '"') >= 0 {
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = 3
		rec, err := r.Read()
		if err != nil {
			return nil, nil, nil, false
		}
		return []byte(rec[0]), []byte(rec[1]), []byte(rec[2]), true
	}
	i := bytes.IndexByte(b, ',')
	if i < 0 {
		return nil, nil, nil, false
	}
	j := bytes.IndexByte(b[i+1:], ',')
	if j < 0 {
		return nil, nil, nil, false
	}
	j += i + 1
	if bytes.IndexByte(b[j+1:], ',') >= 0 {
		return nil, nil, nil, false
	}
	return b[:i], b[i+1 : j], b[j+1:], true
}
