package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// SysInfo describes the machine and the build a report was measured on.
type SysInfo struct {
	Date       string
	CPU        string
	Features   string
	Cores      int
	GOMAXPROCS int
	GoVersion  string
	OSArch     string
	Commit     string
	LoadStart  string
	LoadEnd    string
	Python     string
}

// readSysInfo gathers what can be read without privileges: /proc/cpuinfo on Linux, the Go
// runtime, git in the repository root.
func readSysInfo(root string) SysInfo {
	s := SysInfo{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		OSArch:     runtime.GOOS + "/" + runtime.GOARCH,
		CPU:        "unknown (no /proc/cpuinfo)",
		LoadStart:  loadAvg(),
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var model, flags string
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "model name":
				if model == "" {
					model = strings.TrimSpace(v)
				}
			case "flags":
				if flags == "" {
					flags = " " + strings.TrimSpace(v) + " "
				}
			}
		}
		if model != "" {
			s.CPU = model
		}
		var feats []string
		for _, f := range []string{"avx2", "fma", "avx512f"} {
			if strings.Contains(flags, " "+f+" ") {
				feats = append(feats, f)
			}
		}
		s.Features = strings.Join(feats, ", ")
	}
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		s.Commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			s.Commit += " (with uncommitted changes)"
		}
	}
	return s
}

// loadAvg returns the 1-minute load average and the number of cores, as "3.1 on 2 cores":
// a load above the core count means the figures were measured on a busy machine.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0] + " (1-minute load average on " + strconv.Itoa(runtime.NumCPU()) + " cores)"
}

func (s SysInfo) rows() [][]string {
	cpu := s.CPU
	if s.Features != "" {
		cpu += " (" + s.Features + ")"
	}
	rows := [][]string{
		{"CPU", cpu},
		{"cores", strconv.Itoa(s.Cores) + " (GOMAXPROCS " + strconv.Itoa(s.GOMAXPROCS) + ")"},
		{"Go", s.GoVersion + " " + s.OSArch},
	}
	if s.Commit != "" {
		rows = append(rows, []string{"gorl commit", s.Commit})
	}
	if s.Python != "" {
		rows = append(rows, []string{"Python side", s.Python})
	}
	rows = append(rows, []string{"load at start", s.LoadStart}, []string{"load at end", s.LoadEnd})
	return rows
}
