package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorl/gorl/env"
	"github.com/gorl/gorl/run"
)

var (
	solveSeeds = flag.Int("seeds", 10, "BenchmarkSolve: number of seeds (1..n) per env")
	solveSets  = flag.String("sets", "", "BenchmarkSolve: extra --set key=value pairs, separated by spaces")
)

// BenchmarkSolve runs `rlrun train dqn ENV` with the shipped defaults (training and the final
// 100-episode greedy evaluation) for seeds 1..n and reports how many reached the env's reward
// threshold, with wall-clock and CPU seconds per run. It is the acceptance check:
//
//	go test ./cmd/rlrun -run '^$' -bench 'Solve$/CartPole' -benchtime 1x -timeout 30m
//
// (Solve$/Acrobot, Solve$/MountainCar for the others; -seeds N, -sets "gamma=0.98 n_steps=5" to
// try other settings). Each run's figures are logged with -v.
func BenchmarkSolve(b *testing.B) {
	for _, id := range []string{"CartPole-v1", "Acrobot-v1", "MountainCar-v0"} {
		b.Run(strings.Split(id, "-")[0], func(b *testing.B) {
			spec, err := env.Lookup(id)
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				solved := 0
				var wall, cpu, maxWall float64
				var steps int64
				for s := 1; s <= *solveSeeds; s++ {
					out := b.TempDir()
					args := []string{"train", "dqn", id, "--seed", strconv.Itoa(s), "--out", out, "-q"}
					for _, kv := range strings.Fields(*solveSets) {
						args = append(args, "--set", kv)
					}
					c0, t0 := cpuSeconds(), time.Now()
					code, stdout, stderr := rl(b, args...)
					w, c := time.Since(t0).Seconds(), cpuSeconds()-c0
					if code != 0 {
						b.Fatalf("seed %d: %s%s", s, stdout, stderr)
					}
					dir, _ := filepath.Glob(filepath.Join(out, "*"))
					var res run.EvalResult
					data, err := os.ReadFile(filepath.Join(dir[0], run.EvalFile))
					if err != nil || json.Unmarshal(data, &res) != nil {
						b.Fatalf("seed %d: no eval.json: %v", s, err)
					}
					ok := res.MeanReturn >= spec.RewardThreshold
					if ok {
						solved++
					}
					wall += w
					cpu += c
					maxWall = max(maxWall, w)
					steps = res.EnvSteps
					b.Logf("%s seed %2d: mean return %8.2f ± %6.2f  solved %-5v  %d steps  train %.2f s  eval %.2f s  command %.2f s wall, %.2f s CPU",
						id, s, res.MeanReturn, res.StdReturn, ok, res.EnvSteps, res.TrainSeconds, res.EvalSeconds, w, c)
				}
				n := float64(*solveSeeds)
				b.ReportMetric(float64(solved), "solved")
				b.ReportMetric(n, "seeds")
				b.ReportMetric(wall/n, "wall-s/run")
				b.ReportMetric(maxWall, "max-wall-s")
				b.ReportMetric(cpu/n, "cpu-s/run")
				b.ReportMetric(float64(steps), "env-steps")
				fmt.Fprintf(os.Stderr, "%s: %d of %d seeds solved (threshold %g), %.2f s wall and %.2f s CPU per run on average, %.2f s at most\n",
					id, solved, *solveSeeds, spec.RewardThreshold, wall/n, cpu/n, maxWall)
			}
		})
	}
}

// cpuSeconds returns the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
