package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is the whole RESULTS.md: the machine, the headline comparisons and a section per
// measured area.
type Report struct {
	Command   string
	Mode      string
	Partial   string // the --only filter, when the report holds part of the cases
	Took      time.Duration
	Sys       SysInfo
	Headlines []Headline
	Sections  []*Section
}

// Headline is one row of the summary table, which the README's performance section quotes.
type Headline struct {
	What, Gorl, Other, Ratio string
}

// Section is one "##" part of the report.
type Section struct {
	Title  string
	Intro  string
	Tables []*Table
	Notes  []string
}

// Table is a markdown table with notes printed under it.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Notes   []string
}

// Add appends a row; it panics when the row does not have a cell for each column (a bug in the
// section that builds it).
func (t *Table) Add(cells ...string) {
	if len(cells) != len(t.Header) {
		panic(fmt.Sprintf("benchmarks: table %q: a row of %d cells for %d columns", t.Caption, len(cells), len(t.Header)))
	}
	t.Rows = append(t.Rows, cells)
}

// cell escapes what would break a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// WriteMarkdown writes the report.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# gorl benchmark results\n\n")
	fmt.Fprintf(&b, "Generated %s by `%s` (%s mode", r.Sys.Date, r.Command, r.Mode)
	if r.Took > 0 {
		fmt.Fprintf(&b, ", %s", r.Took)
	}
	if r.Partial != "" {
		fmt.Fprintf(&b, ", only %s", r.Partial)
	}
	b.WriteString("). Every figure is measured in this run on this machine: a comparison whose other side " +
		"could not run here says \"not measured\" and why, never an older number. A figure is the median of " +
		"the runs with its spread, ±half the range of the runs relative to the median; every ratio is gorl's " +
		"speed-up over the other side, from medians measured interleaved in the same run: above 1× gorl is " +
		"faster (for rates, gorl's figure over the other's; for latencies and times, the other's over gorl's).\n\n")
	(&Table{Header: []string{"machine", ""}, Rows: r.Sys.rows()}).write(&b)
	if len(r.Headlines) > 0 {
		b.WriteString("## Headline comparisons\n\n")
		t := &Table{Header: []string{"workload", "gorl", "other side", "ratio"}}
		for _, h := range r.Headlines {
			t.Add(h.What, h.Gorl, h.Other, h.Ratio)
		}
		t.write(&b)
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "## %s\n\n", s.Title)
		if s.Intro != "" {
			b.WriteString(s.Intro + "\n\n")
		}
		for _, t := range s.Tables {
			t.write(&b)
		}
		for _, n := range s.Notes {
			b.WriteString("- " + n + "\n")
		}
		if len(s.Notes) > 0 {
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Table) write(b *strings.Builder) {
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n\n")
	}
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(t.Header)
	b.WriteString("|")
	for range t.Header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
	for _, n := range t.Notes {
		b.WriteString("- " + n + "\n")
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
	}
}
