package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Stat summarizes repeated measurements of one figure: the median and the range. On a shared
// machine single runs drift by tens of percent; the median of several interleaved runs is the
// figure a table shows and the range says how far to trust it.
type Stat struct {
	Median, Min, Max float64
	N                int
}

// Summarize returns the Stat of xs, ignoring NaNs; N is 0 when nothing is left.
func Summarize(xs []float64) Stat {
	v := slices.DeleteFunc(slices.Clone(xs), math.IsNaN)
	if len(v) == 0 {
		return Stat{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(v)
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Stat{Median: med, Min: v[0], Max: v[n-1], N: n}
}

// Spread is half the range relative to the median, in percent (0 for a single run).
func (s Stat) Spread() float64 {
	if s.N < 2 || s.Median == 0 {
		return 0
	}
	return 100 * (s.Max - s.Min) / 2 / math.Abs(s.Median)
}

// Ok reports whether the Stat holds at least one measurement.
func (s Stat) Ok() bool { return s.N > 0 }

// String formats the median with its spread, as "1,230 ±4%".
func (s Stat) String() string {
	if !s.Ok() {
		return "—"
	}
	if s.N < 2 {
		return num(s.Median)
	}
	return fmt.Sprintf("%s ±%.0f%%", num(s.Median), s.Spread())
}

// num formats a figure with three significant digits and thousands separators: 1234567 →
// "1,230,000", 46.23 → "46.2", 0.01234 → "0.0123".
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	if x == 0 {
		return "0"
	}
	mag := int(math.Floor(math.Log10(math.Abs(x))))
	if mag >= 2 {
		p := math.Pow(10, float64(mag-2))
		return group(strconv.FormatFloat(math.Round(x/p)*p, 'f', 0, 64))
	}
	return strconv.FormatFloat(x, 'f', 2-mag, 64)
}

// group inserts thousands separators into an integer string.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ratio formats a/b as "3.21×", or "—" when either is missing.
func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 || a == 0 {
		return "—"
	}
	return num(a/b) + "×"
}

// plural returns "1 seed", "2 seeds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
