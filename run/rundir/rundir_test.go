package rundir

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var testKind = Kind{Step: "env step", Resume: "rlrun train --resume", Speed: "charts/SPS"}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	a, err := Create(out, "cartpole__dqn__1__100")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(out, "cartpole__dqn__1__100")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(a) != "cartpole__dqn__1__100" || filepath.Base(b) != "cartpole__dqn__1__100-2" {
		t.Fatalf("Create twice: %s, %s", a, b)
	}
	f := filepath.Join(a, ConfigFile)
	os.WriteFile(f, nil, 0o644)
	if _, err := Create(filepath.Join(f, "x"), "y"); err == nil || !strings.Contains(err.Error(), "creating the output directory") {
		t.Errorf("Create under a file: %v", err)
	}
}

func TestWriteFileAtomicAndReadJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	for _, data := range []string{`{"x": 1}`, `{"x": 2}`} {
		if err := WriteFileAtomic(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	var v struct{ X int }
	if err := ReadJSON(p, &v); err != nil || v.X != 2 {
		t.Fatalf("ReadJSON: %v, %v", v, err)
	}
	if _, err := os.Stat(p + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
	os.WriteFile(p, []byte("{"), 0o644)
	if err := ReadJSON(p, &v); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("ReadJSON of a malformed file: %v", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "b"), nil); err == nil {
		t.Error("WriteFileAtomic into a missing directory: no error")
	}
	os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "deeper", "f"), []byte("x"), 0o644)
	if err := SyncTree(dir); err != nil {
		t.Errorf("SyncTree: %v", err)
	}
	if err := SyncTree(filepath.Join(dir, "missing")); err == nil {
		t.Error("SyncTree of a missing directory: no error")
	}
}

// TestWriteJSON: indented JSON with a final newline, read back by ReadJSON; a value JSON
// cannot encode is an error and writes nothing.
func TestWriteJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	if err := WriteJSON(p, state{GlobalStep: 7}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "{\n  \"global_step\": 7\n}\n" {
		t.Errorf("WriteJSON wrote %q", b)
	}
	var v state
	if err := ReadJSON(p, &v); err != nil || v.GlobalStep != 7 {
		t.Errorf("ReadJSON after WriteJSON: %v, %v", v, err)
	}
	q := filepath.Join(t.TempDir(), "bad.json")
	if err := WriteJSON(q, make(chan int)); err == nil {
		t.Error("WriteJSON of a channel: no error")
	}
	if _, err := os.Stat(q); !os.IsNotExist(err) {
		t.Errorf("WriteJSON of a channel left a file: %v", err)
	}
}

type state struct {
	GlobalStep int64 `json:"global_step"`
}

func checkpoint(t *testing.T, k Kind, dir string, step int64, keep int) string {
	t.Helper()
	ck, err := k.WriteCheckpoint(dir, step, keep, func(tmp string) (any, []byte, error) {
		return state{step}, []byte("seed: 1\n"), os.WriteFile(filepath.Join(tmp, "policy.safetensors"), []byte("w"), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

func TestWriteCheckpoint(t *testing.T) {
	dir := t.TempDir()
	if _, err := LatestCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "no checkpoint yet") {
		t.Errorf("LatestCheckpoint of a run without one: %v", err)
	}
	ck := checkpoint(t, testKind, dir, 5, 0)
	if want := filepath.Join(dir, CheckpointsDir, "step-000000005"); ck != want {
		t.Fatalf("checkpoint at %s, want %s", ck, want)
	}
	if got := read(t, filepath.Join(ck, StateFile)); got != "{\n  \"global_step\": 5\n}" {
		t.Errorf("run.json = %q", got)
	}
	if read(t, filepath.Join(ck, ConfigFile)) != "seed: 1\n" || read(t, filepath.Join(ck, "policy.safetensors")) != "w" {
		t.Error("config.yml or the trainer's file is wrong")
	}
	if got := read(t, filepath.Join(dir, CheckpointsDir, LatestFile)); got != "step-000000005\n" {
		t.Errorf("latest = %q", got)
	}
	for _, s := range []int64{10, 20, 30, 30} { // 30 twice: an interrupt, then the final one
		checkpoint(t, testKind, dir, s, 2)
	}
	if got := CheckpointSteps(dir); !slices.Equal(got, []int64{20, 30}) {
		t.Errorf("kept %v, want [20 30]", got)
	}
	if l, err := LatestCheckpoint(dir); err != nil || filepath.Base(l) != "step-000000030" {
		t.Errorf("LatestCheckpoint = %s, %v", l, err)
	}

	_, err := testKind.WriteCheckpoint(dir, 40, 0, func(tmp string) (any, []byte, error) {
		return nil, nil, errors.New("disk full")
	})
	if err == nil || err.Error() != "checkpoint at env step 40: disk full" {
		t.Errorf("a failed save: %v", err)
	}
	if got := CheckpointSteps(dir); !slices.Equal(got, []int64{20, 30}) {
		t.Errorf("after a failed save: %v", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, CheckpointsDir)); len(ents) != 3 {
		t.Errorf("a temporary directory is left: %v", ents)
	}
	for _, bad := range []string{"step-000000099\n", "../x\n"} {
		os.WriteFile(filepath.Join(dir, CheckpointsDir, LatestFile), []byte(bad), 0o644)
		if _, err := LatestCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "not a checkpoint directory") {
			t.Errorf("latest %q: %v", bad, err)
		}
	}
}

func TestReadLatest(t *testing.T) {
	dir := t.TempDir()
	parse := func(data []byte, path string) (string, error) {
		if string(data) == "bad" {
			return "", errors.New(path + ": bad config")
		}
		return string(data), nil
	}
	var st state
	if _, _, err := ReadLatest(dir, parse, &st); err == nil || !strings.Contains(err.Error(), "not a run directory") {
		t.Errorf("no config.yml: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("bad"), 0o644)
	if _, _, err := ReadLatest(dir, parse, &st); err == nil || !strings.Contains(err.Error(), "bad config") {
		t.Errorf("a bad config: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("ok"), 0o644)
	if _, _, err := ReadLatest(dir, parse, &st); err == nil || !strings.Contains(err.Error(), "no checkpoint yet") {
		t.Errorf("no checkpoint: %v", err)
	}
	ck := checkpoint(t, testKind, dir, 7, 0)
	cfg, got, err := ReadLatest(dir, parse, &st)
	if err != nil || cfg != "ok" || got != ck || st.GlobalStep != 7 {
		t.Errorf("ReadLatest = %q, %s, %+v, %v", cfg, got, st, err)
	}
}

func TestStopped(t *testing.T) {
	dir := t.TempDir()
	fit := Kind{Step: "step", Resume: "rlrun fit --resume"}
	ctx, cancel := context.WithCancel(context.Background())
	failed := errors.New("losses/loss is NaN at step 3")
	if err := fit.Stopped(ctx, failed, dir, 3, nil); !errors.Is(err, failed) || !strings.Contains(err.Error(), "none was written yet") {
		t.Errorf("a failure before any checkpoint: %v", err)
	}
	cancel()
	err := fit.Stopped(ctx, ctx.Err(), dir, 4, func() (string, error) { return checkpoint(t, fit, dir, 4, 0), nil })
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "at step 4; checkpoint step-000000004 written (rlrun fit --resume "+dir+" continues)") {
		t.Errorf("an interrupt: %v", err)
	}
	err = testKind.Stopped(ctx, ctx.Err(), dir, 5, func() (string, error) { return "", errors.New("disk full") })
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "at env step 5, and the checkpoint failed: disk full") {
		t.Errorf("an interrupt with a failed checkpoint: %v", err)
	}
	err = testKind.Stopped(context.Background(), failed, dir, 6, nil)
	if !strings.Contains(err.Error(), "the last good checkpoint is step-000000004 (rlrun train --resume "+dir+" continues from it)") {
		t.Errorf("a failure after a checkpoint: %v", err)
	}
}

func TestCSVLog(t *testing.T) {
	p := filepath.Join(t.TempDir(), MetricsFile)
	l, err := OpenCSVLog(p, -1)
	if err != nil {
		t.Fatal(err)
	}
	l.Log(10, "charts/episodic_return", 9.5)
	off, err := l.Flush()
	if err != nil {
		t.Fatal(err)
	}
	l.Log(20, "losses/td_loss", float64(float32(0.1)))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := MetricsHeader + "\n10,charts/episodic_return,9.5\n20,losses/td_loss,0.1\n"
	if got := read(t, p); got != want {
		t.Fatalf("metrics.csv = %q, want %q", got, want)
	}
	// A resume from the checkpoint at offset drops the row after it.
	if l, err = OpenCSVLog(p, off); err != nil {
		t.Fatal(err)
	}
	l.Log(20, "losses/td_loss", math.NaN())
	l.Close()
	if got := read(t, p); got != MetricsHeader+"\n10,charts/episodic_return,9.5\n20,losses/td_loss,nan\n" {
		t.Errorf("after a resume: %q", got)
	}
	for _, c := range []struct {
		v    float64
		want string
	}{{22, "22"}, {-3, "-3"}, {0.1, "0.1"}, {1e-7, "1e-07"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {1e300, "1e+300"}} {
		if got := string(AppendValue([]byte("x="), c.v)); got != "x="+c.want {
			t.Errorf("AppendValue(%v) = %q, want x=%s", c.v, got, c.want)
		}
	}
}

func TestScanMetrics(t *testing.T) {
	p := filepath.Join(t.TempDir(), MetricsFile)
	os.WriteFile(p, []byte(MetricsHeader+"\r\n1,a,1.5\n\n2,\"b\",2\n3,a,nan\n"), 0o644)
	type row struct {
		step int64
		key  string
		v    float64
	}
	scan := func(key string) []row {
		var rows []row
		if err := ScanMetrics(p, key, func(s int64, k string, v float64) { rows = append(rows, row{s, k, v}) }); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if all := scan(""); len(all) != 3 || all[0] != (row{1, "a", 1.5}) || all[1] != (row{2, "b", 2}) || !math.IsNaN(all[2].v) {
		t.Errorf("all rows: %v", all)
	}
	if a := scan("a"); len(a) != 2 || a[1].step != 3 {
		t.Errorf("rows of a: %v", a)
	}
	for _, bad := range []string{"", "step,key,value\n", MetricsHeader + "\n1,a\n", MetricsHeader + "\n1,a,2,3\n", MetricsHeader + "\nx,a,2\n"} {
		os.WriteFile(p, []byte(bad), 0o644)
		if err := ScanMetrics(p, "", func(int64, string, float64) {}); err == nil {
			t.Errorf("ScanMetrics of %q: no error", bad)
		}
	}
}

func TestLogs(t *testing.T) {
	dir := t.TempDir()
	fit := Kind{Step: "step", Speed: "charts/steps_per_second", SpeedDecimals: 1}
	l, err := fit.OpenLogs(dir, -1, -1, 2.5)
	if err != nil {
		t.Fatal(err)
	}
	steps := int64(0)
	learn := func(to int64, loss float64) func() error {
		return func() error {
			for steps < to {
				steps++
				l.Log(steps, "losses/loss", loss)
			}
			return nil
		}
	}
	if err := l.Advance(func() int64 { return steps }, learn(2, 0.5)); err != nil {
		t.Fatal(err)
	}
	if err := l.Advance(func() int64 { return steps }, learn(4, math.Inf(1))); err == nil || err.Error() != "losses/loss is +Inf at step 3" {
		t.Errorf("a non-finite loss: %v", err)
	}
	if l.TrainSeconds() < 2.5 || l.StepsPerSecond(steps) <= 0 {
		t.Errorf("TrainSeconds %v, StepsPerSecond %v", l.TrainSeconds(), l.StepsPerSecond(steps))
	}
	mo, to, err := l.Flush()
	if err != nil || mo != int64(len(read(t, filepath.Join(dir, MetricsFile)))) || to != int64(len(read(t, filepath.Join(dir, TimingFile)))) {
		t.Errorf("Flush = %d, %d, %v", mo, to, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	timing, err := readRows(filepath.Join(dir, TimingFile))
	if err != nil || len(timing) != 2 || timing[1] != "4 charts/steps_per_second" {
		t.Errorf("timing.csv: %v, %v", timing, err)
	}
	if err := (*Logs)(nil).Close(); err != nil {
		t.Errorf("Close of nil Logs: %v", err)
	}
}

// readRows returns the step and key of each row of a metrics file.
func readRows(path string) ([]string, error) {
	var rows []string
	err := ScanMetrics(path, "", func(s int64, k string, _ float64) {
		rows = append(rows, strings.Join([]string{formatInt(s), k}, " "))
	})
	return rows, err
}

func formatInt(n int64) string { return string(AppendValue(nil, float64(n))) }

// fakeTrainer counts steps; it fails or cancels at a given step.
type fakeTrainer struct {
	steps, failAt int64
	cancel        func()
	cancelAt      int64
	checkpoints   []string // "step" or "step final"
	dir           string
	t             *testing.T
}

func (f *fakeTrainer) Steps() int64 { return f.steps }

func (f *fakeTrainer) Advance(ctx context.Context, until int64) error {
	for f.steps < until {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f.steps++
		if f.steps == f.failAt {
			return errors.New("boom")
		}
		if f.steps == f.cancelAt {
			f.cancel()
		}
	}
	return nil
}

func (f *fakeTrainer) Checkpoint(final bool) (string, error) {
	s := formatInt(f.steps)
	if final {
		s += " final"
	}
	f.checkpoints = append(f.checkpoints, s)
	return checkpoint(f.t, testKind, f.dir, f.steps, 0), nil
}

func TestLoop(t *testing.T) {
	reports, dones := 0, 0
	loop := Loop{Kind: testKind, Dir: t.TempDir(), Total: 25, Every: 10, Chunk: 3, ChunkSeconds: 0.2,
		Report: func() { reports++ }, Done: func() { dones++ }}
	f := &fakeTrainer{t: t, dir: loop.Dir}
	if err := loop.Run(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if f.steps != 25 || !slices.Equal(f.checkpoints, []string{"10", "20", "25 final"}) || reports == 0 || dones != 1 {
		t.Errorf("steps %d, checkpoints %v, reports %d, dones %d", f.steps, f.checkpoints, reports, dones)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loop.Dir = t.TempDir()
	f = &fakeTrainer{t: t, dir: loop.Dir, cancel: cancel, cancelAt: 14}
	err := loop.Run(ctx, f)
	if !errors.Is(err, ErrInterrupted) || !slices.Equal(f.checkpoints, []string{"10", formatInt(f.steps)}) {
		t.Errorf("interrupted: %v, checkpoints %v", err, f.checkpoints)
	}

	loop.Dir = t.TempDir()
	f = &fakeTrainer{t: t, dir: loop.Dir, failAt: 12}
	err = loop.Run(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "training stopped: boom; the last good checkpoint is step-000000010") || len(f.checkpoints) != 1 {
		t.Errorf("a failure: %v, checkpoints %v", err, f.checkpoints)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	type state struct {
		steps int64
		loss  float64
	}
	p := NewProgressBar(&buf, 10, 20, func(s state) (int64, string) { return s.steps, "loss " + string(AppendValue(nil, s.loss)) })
	p.Update(state{10, 0.25})
	p.Done()
	p.Done()
	if out := buf.String(); !strings.Contains(out, "loss 0.25") || !strings.Contains(out, "10/10") || strings.Count(out, "\n") != 1 {
		t.Errorf("the bar wrote %q", out)
	}
}
