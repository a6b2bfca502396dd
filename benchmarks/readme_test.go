package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSyncReadme(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "benchmarks"), 0o755); err != nil {
		t.Fatal(err)
	}
	rep := &Report{Command: "go run ./benchmarks", Mode: "full",
		Sys:       SysInfo{Date: "2026-01-02 03:04 UTC", CPU: "Test CPU", Cores: 2, GOMAXPROCS: 2, GoVersion: "go1.26", OSArch: "linux/amd64", LoadStart: "0.5"},
		Headlines: []Headline{{"seed CNN training, images/s", "3,000 ±5%", "PyTorch 1,500 (2 threads)", "2.00×"}}}
	var res bytes.Buffer
	if err := rep.WriteMarkdown(&res); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "benchmarks", "RESULTS.md"), res.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(root, "README.md")
	before, after := "# gorl\n\n## Performance\n\nintro\n\n", "\n\n## Layout\n\nmore\n"
	if err := os.WriteFile(readme, []byte(before+readmeBegin+"\nold figures\n"+readmeEnd+after), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second sync changes nothing
		if err := syncReadme(root); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(readme)
	got := string(b)
	if !strings.HasPrefix(got, before+readmeBegin) || !strings.HasSuffix(got, readmeEnd+after) || strings.Contains(got, "old figures") {
		t.Fatalf("README after sync:\n%s", got)
	}
	for _, want := range []string{"Measured 2026-01-02 03:04 UTC on Test CPU, 2 cores, go1.26 linux/amd64, 1-minute load average 0.5 at the start;",
		"| workload | gorl | other side | ratio |", "| seed CNN training, images/s | 3,000 ±5% | PyTorch 1,500 (2 threads) | 2.00× |"} {
		if !strings.Contains(got, want) {
			t.Errorf("README lacks %q:\n%s", want, got)
		}
	}
	if err := os.WriteFile(readme, []byte("# no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syncReadme(root); err == nil || !strings.Contains(err.Error(), "block to update") {
		t.Errorf("README without markers: %v", err)
	}
}
