package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := Run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks:", err)
		os.Exit(1)
	}
}

// Options configure a run of the benchmarks.
type Options struct {
	// Quick selects the quick mode: fewer runs, shorter timings, cut training budgets, no Python
	// baselines unless Baselines is set. It exists to check that every measurement still works.
	Quick bool
	// Only keeps the cases whose ID contains one of these strings (case-insensitive).
	Only []string
	// Out is the markdown file to write; "-" writes to standard output.
	Out string
	// Runs is the number of timed runs a throughput figure is the median of; Seeds the number
	// of seeds of each training case.
	Runs, Seeds int
	// Python is the interpreter of the baselines; "" disables them.
	Python string
	// Baselines runs the Python baselines when the interpreter can import their modules.
	Baselines bool
	// Root is the repository root (the directory of go.mod).
	Root string
	// Progress receives one line per measurement.
	Progress io.Writer
	// List prints the case IDs and returns without measuring.
	List bool
	// Command is the command line recorded in the report.
	Command string
	// SyncReadme only copies RESULTS.md's headlines into README.md, measuring nothing.
	SyncReadme bool
}

func parseFlags(args []string, stderr io.Writer) (Options, error) {
	fs := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "quick mode: a smoke test of every measurement in seconds (figures are indicative only)")
	only := fs.String("only", "", "comma-separated filters: run the cases whose ID contains one of them (see --list), such as --only nets/cnn,train/dqn")
	out := fs.String("out", "", "markdown file to write (\"-\": standard output); default benchmarks/RESULTS.md for a full run, standard output for --quick or --only")
	runs := fs.Int("runs", 0, "timed runs per throughput figure (default 5, quick 2)")
	seeds := fs.Int("seeds", 0, "seeds per training case (default 5, quick 1)")
	python := fs.String("python", "/usr/bin/python3", "Python interpreter of the baselines (\"\" disables them)")
	baselines := fs.Bool("baselines", true, "run the Python baselines (PyTorch, Gymnasium, Stable-Baselines3) that the interpreter can import; quick mode needs --baselines=true explicitly")
	list := fs.Bool("list", false, "list the case IDs and exit")
	readme := fs.Bool("sync-readme", false, "only copy benchmarks/RESULTS.md's headline table into README.md's performance section (a full run does it too)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./benchmarks [flags]\n\nMeasures gorl on this machine against its baselines and writes benchmarks/RESULTS.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Options{}, err
	}
	if fs.NArg() > 0 {
		return Options{}, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o := Options{Quick: *quick, Out: *out, Runs: *runs, Seeds: *seeds, Python: *python, Baselines: *baselines, List: *list, SyncReadme: *readme, Progress: stderr}
	if o.Quick && !set["baselines"] {
		o.Baselines = false
	}
	for _, f := range strings.Split(*only, ",") {
		if f = strings.TrimSpace(f); f != "" {
			o.Only = append(o.Only, f)
		}
	}
	if o.Runs < 0 || o.Seeds < 0 {
		return Options{}, fmt.Errorf("--runs and --seeds must be positive")
	}
	o.Command = "go run ./benchmarks"
	if len(args) > 0 {
		o.Command += " " + strings.Join(args, " ")
	}
	root, err := findRoot()
	if err != nil {
		return Options{}, err
	}
	o.Root = root
	if o.Out == "" {
		if o.Quick || len(o.Only) > 0 {
			o.Out = "-"
		} else {
			o.Out = filepath.Join(root, "benchmarks", "RESULTS.md")
		}
	}
	return o, nil
}

// findRoot returns the directory of gorl's go.mod, searching up from the working directory.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/gorl/gorl\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the gorl repository (no go.mod of github.com/gorl/gorl above the working directory)")
		}
		dir = parent
	}
}

// A section measures one area and returns its part of the report.
type section interface {
	// cases lists the case IDs, "area/name".
	cases(r *Runner) []string
	// run measures the selected cases (a non-empty subset of cases, in its order).
	run(ctx context.Context, r *Runner, selected []string) (*Section, error)
}

// sections in report order.
func sections() []section {
	return []section{envSection{}, vectorSection{}, netsSection{}, trainSection{}, supervisedSection{}}
}

// Runner holds what the sections share: options, timings, the temporary directory, the built
// binaries and the Python side.
type Runner struct {
	Options
	// Rounds is the number of interleaved runs of each throughput figure and Seeds of each
	// training case; MinTime the timed duration of one gorl run.
	Rounds  int
	MinTime time.Duration
	Tmp     string
	Py      *Python
	report  *Report

	mu     sync.Mutex
	builds map[string]buildResult
	// pyEnv is added to the Python scripts' environment (the tests' stand-in modules).
	pyEnv []string
}

type buildResult struct {
	path string
	err  error
}

// Run measures the selected cases and writes the report.
func Run(ctx context.Context, o Options) error {
	r := &Runner{Options: o, builds: map[string]buildResult{}}
	if r.Progress == nil {
		r.Progress = io.Discard
	}
	if o.SyncReadme {
		return syncReadme(o.Root)
	}
	r.Rounds, r.MinTime = 5, 400*time.Millisecond
	if r.Seeds == 0 {
		r.Seeds = 5
	}
	if r.Quick {
		r.Rounds, r.MinTime = 2, 40*time.Millisecond
		if o.Seeds == 0 {
			r.Seeds = 1
		}
	}
	if o.Runs > 0 {
		r.Rounds = o.Runs
	}
	type plan struct {
		s   section
		ids []string
	}
	var plans []plan
	total := 0
	for _, s := range sections() {
		var ids []string
		for _, id := range s.cases(r) {
			if r.selected(id) {
				ids = append(ids, id)
			}
		}
		if o.List {
			for _, id := range ids {
				fmt.Fprintln(r.Progress, id)
			}
			continue
		}
		if len(ids) > 0 {
			plans = append(plans, plan{s, ids})
			total += len(ids)
		}
	}
	if o.List {
		return nil
	}
	if total == 0 {
		return fmt.Errorf("--only %s matches no case (go run ./benchmarks --list shows them)", strings.Join(o.Only, ","))
	}
	tmp, err := os.MkdirTemp("", "gorl-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r.Tmp = tmp
	mode := "full"
	if r.Quick {
		mode = "quick"
	}
	r.report = &Report{Command: o.Command, Mode: mode, Partial: strings.Join(o.Only, ","), Sys: readSysInfo(o.Root)}
	r.Py = detectPython(ctx, o.Python, o.Baselines)
	r.report.Sys.Python = r.Py.Describe()
	r.logf("gorl benchmarks, %s mode: %d cases, %s a figure, %s a training case; Python side: %s", mode, total, plural(r.Rounds, "run"), plural(r.Seeds, "seed"), r.Py.Describe())
	start := time.Now()
	for _, p := range plans {
		sec, err := p.s.run(ctx, r, p.ids)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted: %w (nothing written)", err)
		}
		r.report.Sections = append(r.report.Sections, sec)
	}
	r.report.Sys.LoadEnd = loadAvg()
	r.report.Took = time.Since(start).Round(time.Second)
	r.logf("done in %s", r.report.Took)
	if err := r.write(); err != nil {
		return err
	}
	if r.Out == filepath.Join(r.Root, "benchmarks", "RESULTS.md") && !r.Quick && len(r.Only) == 0 {
		if err := syncReadme(r.Root); err != nil {
			return fmt.Errorf("README.md: %w", err)
		}
		r.logf("updated the performance section of README.md")
	}
	return nil
}

func (r *Runner) write() error {
	if r.Out == "-" {
		return r.report.WriteMarkdown(os.Stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(r.Out), ".results-*.md")
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := r.report.WriteMarkdown(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), r.Out); err != nil {
		os.Remove(f.Name())
		return err
	}
	r.logf("wrote %s", r.Out)
	return nil
}

// selected reports whether --only keeps a case.
func (r *Runner) selected(id string) bool {
	if len(r.Only) == 0 {
		return true
	}
	l := strings.ToLower(id)
	for _, f := range r.Only {
		if strings.Contains(l, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// logf writes a progress line with the elapsed time.
func (r *Runner) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.Progress, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// headline adds a row to the report's summary table.
func (r *Runner) headline(h Headline) { r.report.Headlines = append(r.report.Headlines, h) }

// build compiles a main package of the repository once per run (with build tags) and returns the
// binary's path, or the build's error with its output.
func (r *Runner) build(ctx context.Context, pkg string, tags ...string) (string, error) {
	key := pkg + " " + strings.Join(tags, ",")
	r.mu.Lock()
	if b, ok := r.builds[key]; ok {
		r.mu.Unlock()
		return b.path, b.err
	}
	r.mu.Unlock()
	name := filepath.Base(pkg)
	if len(tags) > 0 {
		name += "-" + strings.Join(tags, "-")
	}
	out := filepath.Join(r.Tmp, "bin", name)
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	args = append(args, pkg)
	r.logf("go %s", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.Root
	msg, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, firstLine(string(msg)))
		out = ""
	}
	r.mu.Lock()
	r.builds[key] = buildResult{out, err}
	r.mu.Unlock()
	return out, err
}

// firstLine returns the first non-empty line of s, trimmed, for error messages in table cells.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
