package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The README's performance section quotes RESULTS.md between these markers; a full run rewrites
// what lies between them (and nothing else), so the README never shows figures older than
// RESULTS.md's.
const (
	readmeBegin = "<!-- benchmarks:begin: written by `go run ./benchmarks` from benchmarks/RESULTS.md; edits here are overwritten -->"
	readmeEnd   = "<!-- benchmarks:end -->"
)

// readmeBlock builds the README's block from a RESULTS.md: when and where it was measured and
// the headline table.
func readmeBlock(results []byte) ([]byte, error) {
	lines := strings.Split(string(results), "\n")
	var generated, cpu, cores, goVer, load string
	var table []string
	inHead := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "Generated "):
			generated, _, _ = strings.Cut(strings.TrimPrefix(l, "Generated "), " by ")
		case strings.HasPrefix(l, "| CPU |"):
			cpu = strings.TrimSuffix(strings.TrimPrefix(l, "| CPU | "), " |")
		case strings.HasPrefix(l, "| cores |"):
			cores = strings.TrimSuffix(strings.TrimPrefix(l, "| cores | "), " |")
		case strings.HasPrefix(l, "| Go |"):
			goVer = strings.TrimSuffix(strings.TrimPrefix(l, "| Go | "), " |")
		case strings.HasPrefix(l, "| load at start |"):
			load = strings.TrimSuffix(strings.TrimPrefix(l, "| load at start | "), " |")
		case l == "## Headline comparisons":
			inHead = true
		case inHead && strings.HasPrefix(l, "|"):
			table = append(table, l)
		case inHead && len(table) > 0:
			inHead = false
		}
	}
	if generated == "" || len(table) < 3 {
		return nil, errors.New("no Generated line or no headline table")
	}
	nCores, _, _ := strings.Cut(cores, " ")
	loadAvg, _, _ := strings.Cut(load, " ")
	busy := ""
	if l, err := strconv.ParseFloat(loadAvg, 64); err == nil {
		if n, err := strconv.Atoi(nCores); err == nil && l > float64(n) {
			busy = ": a busy machine, hence the wide spreads"
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\nMeasured %s on %s, %s cores, %s, 1-minute load average %s at the start%s; every ratio was measured in the same run "+
		"(the median of interleaved runs; above 1× gorl is faster). All figures, spreads and the reasons for any "+
		"\"not measured\" are in [benchmarks/RESULTS.md](benchmarks/RESULTS.md).\n\n%s\n\n%s",
		readmeBegin, generated, cpu, nCores, goVer, loadAvg, busy, strings.Join(table, "\n"), readmeEnd)
	return b.Bytes(), nil
}

// syncReadme rewrites the README's block from RESULTS.md; a README without the markers is left
// alone and reported.
func syncReadme(root string) error {
	res, err := os.ReadFile(filepath.Join(root, "benchmarks", "RESULTS.md"))
	if err != nil {
		return err
	}
	block, err := readmeBlock(res)
	if err != nil {
		return fmt.Errorf("benchmarks/RESULTS.md: %w", err)
	}
	path := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i := bytes.Index(readme, []byte(readmeBegin))
	j := bytes.Index(readme, []byte(readmeEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q … %q block to update", path, readmeBegin, readmeEnd)
	}
	out := append(append(append([]byte{}, readme[:i]...), block...), readme[j+len(readmeEnd):]...)
	if bytes.Equal(out, readme) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}
