package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Python is the baseline side: an interpreter and the versions of the modules it can import.
// A module that cannot be imported makes the comparisons that need it "not measured", with the
// reason in the table.
type Python struct {
	Path string
	// Off says why no baseline runs at all ("" when the interpreter works).
	Off string
	// Versions of the importable modules ("torch", "numpy", "gymnasium", "stable_baselines3",
	// "highway_env", "Box2D"); Missing says why the others are not ("No module named ...").
	Versions map[string]string
	Missing  map[string]string
}

// probeScript prints the version of each module it can import, or the error.
const probeScript = `
import json, platform, importlib
out = {"python": platform.python_version()}
for m in ["numpy", "torch", "gymnasium", "stable_baselines3", "highway_env", "Box2D"]:
    try:
        mod = importlib.import_module(m)
        out[m] = str(getattr(mod, "__version__", "?"))
    except Exception as e:
        out[m] = "!" + type(e).__name__ + ": " + str(e)
print(json.dumps(out))
`

// detectPython runs the interpreter once to see which baselines can run.
func detectPython(ctx context.Context, path string, enabled bool) *Python {
	p := &Python{Path: path, Versions: map[string]string{}, Missing: map[string]string{}}
	switch {
	case !enabled:
		p.Off = "the baselines are off (quick mode skips them; pass --baselines to run them)"
		return p
	case path == "":
		p.Off = "the baselines are off (--python \"\")"
		return p
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "-c", probeScript).Output()
	if err != nil {
		p.Off = fmt.Sprintf("%s does not run (%v)", path, err)
		return p
	}
	var v map[string]string
	if err := json.Unmarshal(lastLine(out), &v); err != nil {
		p.Off = fmt.Sprintf("%s printed no module versions (%v)", path, err)
		return p
	}
	for k, s := range v {
		if msg, bad := strings.CutPrefix(s, "!"); bad {
			p.Missing[k] = msg
		} else {
			p.Versions[k] = s
		}
	}
	return p
}

// Has reports whether all the modules can be imported.
func (p *Python) Has(modules ...string) bool {
	if p.Off != "" {
		return false
	}
	for _, m := range modules {
		if _, ok := p.Versions[m]; !ok {
			return false
		}
	}
	return true
}

// installHint says how a user gets a module.
var installHint = map[string]string{
	"torch":             "apt-get install python3-torch python3-numpy",
	"numpy":             "apt-get install python3-numpy",
	"gymnasium":         "pip install gymnasium",
	"stable_baselines3": "pip install stable-baselines3",
	"highway_env":       "pip install highway-env",
	"Box2D":             "pip install \"gymnasium[box2d]\"",
}

// Why returns "" when the modules can be imported, else the reason for a "not measured" cell.
func (p *Python) Why(modules ...string) string {
	if p.Off != "" {
		return p.Off
	}
	for _, m := range modules {
		if _, ok := p.Versions[m]; !ok {
			return fmt.Sprintf("%s cannot import %s (%s)", p.Path, m, installHint[m])
		}
	}
	return ""
}

// Describe summarizes the Python side for the report's machine table.
func (p *Python) Describe() string {
	if p.Off != "" {
		return "none: " + p.Off
	}
	var have, missing []string
	for _, m := range []string{"torch", "numpy", "gymnasium", "stable_baselines3", "highway_env", "Box2D"} {
		if v, ok := p.Versions[m]; ok {
			have = append(have, m+" "+v)
		} else {
			missing = append(missing, m)
		}
	}
	s := p.Path + " (Python " + p.Versions["python"] + ")"
	if len(have) > 0 {
		s += ": " + strings.Join(have, ", ")
	}
	if len(missing) > 0 {
		s += "; cannot import " + strings.Join(missing, ", ")
	}
	return s
}

// RunJSON runs a script of benchmarks/<dir> with extra environment variables and decodes the last
// line it prints as JSON into v.
func (r *Runner) RunJSON(ctx context.Context, dir, script string, env []string, v any, args ...string) error {
	path := filepath.Join(r.Root, "benchmarks", dir, script)
	cmd := exec.CommandContext(ctx, r.Py.Path, append([]string{path}, args...)...)
	cmd.Dir = filepath.Dir(path)
	// No __pycache__ in the repository's script directories.
	cmd.Env = append(append(append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1"), r.pyEnv...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", script, strings.Join(args, " "), err, lastNonEmpty(stderr.String()))
	}
	if err := json.Unmarshal(lastLine(stdout.Bytes()), v); err != nil {
		return fmt.Errorf("%s %s: reading its JSON: %v", script, strings.Join(args, " "), err)
	}
	return nil
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}

// lastNonEmpty returns the last non-empty line of s (a Python traceback's message).
func lastNonEmpty(s string) string {
	return string(lastLine([]byte(s)))
}

// torchSetting is one of PyTorch's thread settings; the comparison takes the best.
type torchSetting struct {
	Name string   // "1 thread", "2 threads", "default threads"
	Args []string // --threads N, or none
}

// torchSettings are 1 thread, every core, and the defaults (the baselines README's protocol:
// on few cores PyTorch's best setting changes from day to day).
func torchSettings(cores int) []torchSetting {
	s := []torchSetting{{"1 thread", []string{"--threads", "1"}}}
	if cores > 1 {
		s = append(s, torchSetting{fmt.Sprintf("%d threads", cores), []string{"--threads", fmt.Sprint(cores)}})
	}
	return append(s, torchSetting{"default threads", nil})
}
