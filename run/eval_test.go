package run

import (
	"encoding/json"
	"image"
	"math"
	"sync"
	"testing"

	"github.com/gorl/gorl/env"
)

// finalInfoEnv ends every episode after one step with an info of every kind Evaluate meets:
// a bool, a float64, an int, a string (ignored) and a key only odd seeds report.
type finalInfoEnv struct{ seed uint64 }

func (e *finalInfoEnv) Reset(seed *uint64) ([]float32, env.Info) {
	if seed != nil {
		e.seed = *seed
	}
	return []float32{0}, nil
}

func (e *finalInfoEnv) Step([]float32) ([]float32, float64, bool, bool, env.Info) {
	info := env.Info{"crashed": e.seed%3 == 0, "speed": float64(e.seed % 7), "lane": int(e.seed % 2), "label": "x"}
	if e.seed%2 == 1 {
		info["odd_only"] = 10.0
	}
	return []float32{0}, 1, true, false, info
}

func (e *finalInfoEnv) ObservationSpace() env.Space { return env.NewUniformBox(-1, 1, 1) }
func (e *finalInfoEnv) ActionSpace() env.Space      { return env.NewDiscrete(2) }
func (e *finalInfoEnv) Render() *image.RGBA         { return nil }
func (e *finalInfoEnv) Close() error                { return nil }

var registerFinalInfoEnv = sync.OnceFunc(func() {
	env.Register(env.Spec{ID: "FinalInfoTest-v0", MaxEpisodeSteps: 10, RewardThreshold: math.NaN(),
		New: func(env.Options) (env.Env, error) { return &finalInfoEnv{}, nil }})
})

type zeroPolicy struct{}

func (zeroPolicy) Act(_, action []float32) { action[0] = 0 }

// eval.json's final_info averages the numbers and bools of each episode's last info, over the
// episodes that report each key.
func TestEvaluateFinalInfo(t *testing.T) {
	registerFinalInfoEnv()
	const episodes, seed = 40, 3
	res, err := Evaluate(zeroPolicy{}, "FinalInfoTest-v0", nil, episodes, seed)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{}
	add := func(k string, v float64) {
		w := want[k]
		want[k] = [2]float64{w[0] + v, w[1] + 1}
	}
	for i := range episodes {
		s := EvalSeed(seed, i)
		add("crashed", map[bool]float64{false: 0, true: 1}[s%3 == 0])
		add("speed", float64(s%7))
		add("lane", float64(s%2))
		if s%2 == 1 {
			add("odd_only", 10)
		}
	}
	if len(res.FinalInfo) != len(want) {
		t.Fatalf("final_info %v; want the keys of %v", res.FinalInfo, want)
	}
	for k, w := range want {
		if got := res.FinalInfo[k]; math.Abs(got-w[0]/w[1]) > 1e-12 {
			t.Errorf("final_info[%s] = %v; want %v", k, got, w[0]/w[1])
		}
	}
	var back EvalResult
	if err := json.Unmarshal(res.JSON(), &back); err != nil || back.FinalInfo["speed"] != res.FinalInfo["speed"] {
		t.Errorf("eval.json round trip: %v, final_info %v", err, back.FinalInfo)
	}
}
