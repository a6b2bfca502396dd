package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// parsedTable is a markdown table read back from a report.
type parsedTable struct {
	Section string
	Header  []string
	Rows    [][]string
}

// parsedReport is what checkReport reads from RESULTS.md.
type parsedReport struct {
	Generated string
	Sections  []string
	Tables    []parsedTable
}

func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// parseReport reads a report back, failing the test on a malformed table.
func parseReport(t *testing.T, md string) parsedReport {
	t.Helper()
	var p parsedReport
	lines := strings.Split(md, "\n")
	if lines[0] != "# gorl benchmark results" {
		t.Fatalf("first line %q", lines[0])
	}
	gen := regexp.MustCompile(`^Generated (\d{4}-\d\d-\d\d \d\d:\d\d UTC) by ` + "`go run ./benchmarks[^`]*`")
	section := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := gen.FindStringSubmatch(l); m != nil {
			p.Generated = m[1]
		}
		if s, ok := strings.CutPrefix(l, "## "); ok {
			section = s
			p.Sections = append(p.Sections, s)
		}
		if !strings.HasPrefix(l, "|") {
			continue
		}
		tb := parsedTable{Section: section, Header: splitRow(l)}
		if i+1 >= len(lines) || !regexp.MustCompile(`^\|( --- \|)+$`).MatchString(lines[i+1]) {
			t.Fatalf("line %d: table header %q without a separator line", i+1, l)
		}
		if n := strings.Count(lines[i+1], "---"); n != len(tb.Header) {
			t.Fatalf("line %d: separator of %d columns under %d", i+2, n, len(tb.Header))
		}
		i += 2
		for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			row := splitRow(lines[i])
			if len(row) != len(tb.Header) {
				t.Fatalf("line %d: %d cells under %d columns: %q", i+1, len(row), len(tb.Header), lines[i])
			}
			tb.Rows = append(tb.Rows, row)
		}
		if i < len(lines) && lines[i] != "" {
			t.Fatalf("line %d: a table must end with a blank line, got %q", i+1, lines[i])
		}
		p.Tables = append(p.Tables, tb)
	}
	if p.Generated == "" {
		t.Fatal("no \"Generated <date> by `go run ./benchmarks ...`\" line")
	}
	return p
}

var figureRE = regexp.MustCompile(`^-?[0-9][0-9,]*(\.[0-9]+)?( ±[0-9]+%)?$`)

// parseFigure reads a cell such as "1,230 ±4%" back into its median.
func parseFigure(s string) (float64, bool) {
	if !figureRE.MatchString(s) {
		return 0, false
	}
	f := strings.Fields(strings.ReplaceAll(s, ",", ""))
	x, err := strconv.ParseFloat(f[0], 64)
	return x, err == nil
}

// checkReport checks the machine table and that every gorl figure column holds figures.
func checkReport(t *testing.T, p parsedReport, wantSections []string) {
	t.Helper()
	if len(p.Tables) == 0 || p.Tables[0].Header[0] != "machine" {
		t.Fatal("no machine table first")
	}
	have := map[string]string{}
	for _, r := range p.Tables[0].Rows {
		have[r[0]] = r[1]
	}
	for _, k := range []string{"CPU", "cores", "Go"} {
		if have[k] == "" {
			t.Errorf("machine table has no %s row", k)
		}
	}
	if !strings.HasPrefix(have["Go"], "go1.") {
		t.Errorf("Go row %q", have["Go"])
	}
	for _, s := range wantSections {
		if !slices.Contains(p.Sections, s) {
			t.Errorf("no section %q in %q", s, p.Sections)
		}
	}
	for _, tb := range p.Tables[1:] {
		for c, h := range tb.Header {
			if !strings.HasPrefix(h, "gorl ") || strings.Contains(h, "speed-up") {
				continue
			}
			for _, row := range tb.Rows {
				if row[c] == "—" && strings.Contains(h, "CPU") {
					continue // latency rows have no per-CPU figure
				}
				if x, ok := parseFigure(row[c]); !ok || x <= 0 || math.IsNaN(x) {
					t.Errorf("%s: column %q, row %q: %q is not a positive figure", tb.Section, h, row[0], row[c])
				}
			}
		}
	}
}

func readReport(t *testing.T, path string) parsedReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseReport(t, string(b))
}

func testOptions(t *testing.T, only ...string) Options {
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	return Options{Quick: true, Only: only, Out: filepath.Join(t.TempDir(), "RESULTS.md"), Root: root,
		Progress: &testWriter{t}, Command: "go run ./benchmarks --quick"}
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestQuickInProcess runs the quick mode on the cases that need no binary to be built (also under
// -short) and checks the report: one row per registered env, figures in every gorl column.
func TestQuickInProcess(t *testing.T) {
	o := testOptions(t, "env/", "vector/", "nets/mlp", "nets/cnn", "nets/lstm")
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	p := readReport(t, o.Out)
	checkReport(t, p, []string{"Headline comparisons", "Env throughput: one env, one core", "Env throughput: vector envs over 1 and all cores", "Neural nets"})
	var envRows int
	for _, tb := range p.Tables {
		if tb.Section == "Env throughput: one env, one core" {
			envRows = len(tb.Rows)
		}
	}
	if want := len(envSection{}.list()); envRows != want {
		t.Errorf("env table has %d rows, want %d (one per registered env and variant)", envRows, want)
	}
}

// TestQuickMode is, with TestQuickInProcess, CI's smoke test of the quick mode: the cases that
// build rlrun and the sgemm helper, skipped under -short.
func TestQuickMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rlrun and the sgemm helper")
	}
	o := testOptions(t, "nets/sgemm", "train/", "supervised/") // TestQuickInProcess runs the rest
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	p := readReport(t, o.Out)
	checkReport(t, p, []string{"Neural nets", "Training to a threshold", "Supervised: one epoch of the seed CNN on MNIST"})
	for _, tb := range p.Tables {
		if tb.Section != "Training to a threshold" {
			continue
		}
		for _, row := range tb.Rows {
			if strings.HasPrefix(row[1], "gorl") && !regexp.MustCompile(`^\d+/1$`).MatchString(row[2]) {
				t.Errorf("training row %q: solved %q, want k/1", row[0], row[2])
			}
		}
	}
}

func TestOnlyMatchesNothing(t *testing.T) {
	o := testOptions(t, "no-such-case")
	if err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "matches no case") {
		t.Fatalf("got %v, want an error saying --only matches no case", err)
	}
}

func TestList(t *testing.T) {
	o := testOptions(t)
	var buf bytes.Buffer
	o.List, o.Progress = true, &buf
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	ids := strings.Fields(buf.String())
	for _, want := range []string{"env/CartPole-v1", "vector/CartPole-v1", "nets/sgemm", "nets/lstm", "train/dqn-CartPole-v1", "train/qlearning-FrozenLake-v1", "supervised/cnn-mnist"} {
		if !slices.Contains(ids, want) {
			t.Errorf("--list lacks %s", want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	o, err := parseFlags([]string{"--quick", "--only", "nets, env/CartPole"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Quick || o.Baselines || o.Out != "-" || !slices.Equal(o.Only, []string{"nets", "env/CartPole"}) {
		t.Errorf("quick: %+v", o)
	}
	o, err = parseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if o.Quick || !o.Baselines || filepath.Base(o.Out) != "RESULTS.md" || o.Command != "go run ./benchmarks" {
		t.Errorf("full: %+v", o)
	}
	if o, _ = parseFlags([]string{"--quick", "--baselines"}, &stderr); !o.Baselines {
		t.Error("--quick --baselines: baselines off")
	}
	if _, err := parseFlags([]string{"extra"}, &stderr); err == nil {
		t.Error("a positional argument was accepted")
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{3, 1, math.NaN(), 2, 10})
	if s.Median != 2.5 || s.Min != 1 || s.Max != 10 || s.N != 4 {
		t.Errorf("%+v", s)
	}
	if got := Summarize([]float64{90, 100, 110}).String(); got != "100 ±10%" {
		t.Errorf("String = %q", got)
	}
	if Summarize(nil).Ok() || Summarize(nil).String() != "—" {
		t.Error("empty Stat")
	}
}

func TestNum(t *testing.T) {
	for x, want := range map[float64]string{1234567: "1,230,000", 46.23: "46.2", 0.01234: "0.0123", 999.6: "1,000", -175.2: "-175", 5: "5.00", 0: "0"} {
		if got := num(x); got != want {
			t.Errorf("num(%v) = %q, want %q", x, got, want)
		}
		if x != 0 && x > 0 {
			if v, ok := parseFigure(num(x)); !ok || math.Abs(v-x)/x > 0.005 {
				t.Errorf("parseFigure(num(%v)) = %v, %v", x, v, ok)
			}
		}
	}
	if ratio(3, 2) != "1.50×" || ratio(1, math.NaN()) != "—" || ratio(1, 0) != "—" {
		t.Error("ratio")
	}
}

func TestStepsToThreshold(t *testing.T) {
	var b strings.Builder
	b.WriteString("global_step,key,value\n")
	// 150 episodes: returns 0 for the first 50, then 10; the last-100 mean reaches 5 at episode
	// 100 (50 zeros, 50 tens), logged at step 100·7.
	for ep := 1; ep <= 150; ep++ {
		v := "0"
		if ep > 50 {
			v = "10"
		}
		b.WriteString(strings.Join([]string{strconv.Itoa(ep * 7), "charts/episodic_return", v}, ",") + "\n")
		b.WriteString(strings.Join([]string{strconv.Itoa(ep * 7), "charts/episodic_length", "7"}, ",") + "\n")
	}
	path := filepath.Join(t.TempDir(), "metrics.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := stepsToThreshold(path, 5); err != nil || got != 700 {
		t.Errorf("threshold 5: %v, %v; want 700", got, err)
	}
	if got, err := stepsToThreshold(path, 11); err != nil || !math.IsNaN(got) {
		t.Errorf("threshold 11: %v, %v; want NaN", got, err)
	}
}

func TestParseAlgorithms(t *testing.T) {
	out := "ENV  ALIAS\nCartPole-v1  cartpole\n\nALGORITHM  ACTION SPACES  DESCRIPTION\na2c  Discrete, Box  synchronous\ndqn  Discrete  Deep Q\n"
	got, err := parseAlgorithms(out)
	if err != nil || len(got) != 2 || !got["dqn"] || !got["a2c"] || got["CartPole-v1"] {
		t.Errorf("%v, %v", got, err)
	}
	if _, err := parseAlgorithms("nothing"); err == nil {
		t.Error("no ALGORITHM table accepted")
	}
}
