package supervised

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// metricsHeader is the first line of metrics.csv and timing.csv, the long format rlrun train
// writes (one row per value: pandas' df.pivot_table(index="global_step", columns="key")).
const metricsHeader = "global_step,key,value"

// csvLog appends global_step,key,value rows through a buffer; the first write error is kept and
// reported by flush.
type csvLog struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
	err error
}

// openCSVLog opens path for appending (writing the header to a new file); a non-negative truncate
// first cuts the file to that size (resume drops rows logged after the checkpoint).
func openCSVLog(path string, truncate int64) (*csvLog, error) {
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
	l := &csvLog{f: f, w: bufio.NewWriterSize(f, 1<<16)}
	if size == 0 {
		l.w.WriteString(metricsHeader + "\n")
	}
	return l, nil
}

func (l *csvLog) log(step int64, key string, v float64) {
	b := strconv.AppendInt(l.buf[:0], step, 10)
	b = append(b, ',')
	b = append(b, key...)
	b = append(b, ',')
	b = appendValue(b, v)
	b = append(b, '\n')
	l.buf = b
	if _, err := l.w.Write(b); err != nil && l.err == nil {
		l.err = err
	}
}

// appendValue writes v in the shortest form that reads back exactly (as a float32 when it is
// one), as rlrun train's metrics do.
func appendValue(b []byte, v float64) []byte {
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

// flush writes the buffer out and returns the file's size, the offset a checkpoint records.
func (l *csvLog) flush() (int64, error) {
	if err := l.w.Flush(); err != nil && l.err == nil {
		l.err = err
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.f.Seek(0, io.SeekCurrent)
}

func (l *csvLog) close() error {
	_, err := l.flush()
	return errors.Join(err, l.f.Close())
}

// Scalar is one row of metrics.csv.
type Scalar struct {
	Step  int64
	Key   string
	Value float64
}

// ReadMetrics reads a run's metrics.csv, keeping the rows whose key is one of keys (all rows when
// none is given).
func ReadMetrics(path string, keys ...string) ([]Scalar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || lines[0] != metricsHeader {
		return nil, fmt.Errorf("%s: not a metrics file (want the header %q)", path, metricsHeader)
	}
	var out []Scalar
	for i, ln := range lines[1:] {
		parts := strings.Split(ln, ",")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: bad row %q", path, i+2, ln)
		}
		if len(keys) > 0 && !containsString(keys, parts[1]) {
			continue
		}
		step, err1 := strconv.ParseInt(parts[0], 10, 64)
		v, err2 := strconv.ParseFloat(parts[2], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s:%d: bad row %q", path, i+2, ln)
		}
		out = append(out, Scalar{Step: step, Key: parts[1], Value: v})
	}
	return out, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
