package run

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gorl/gorl/env"
)

// EvalResult is the outcome of an evaluation: what eval.json holds. The keys before Returns are
// the contract; the rest are extras.
type EvalResult struct {
	Env          string  `json:"env"`
	Algo         string  `json:"algo"`
	Seed         uint64  `json:"seed"`
	Episodes     int     `json:"episodes"`
	MeanReturn   float64 `json:"mean_return"`
	StdReturn    float64 `json:"std_return"`
	EnvSteps     int64   `json:"env_steps"`
	TrainSeconds float64 `json:"train_seconds"`
	EvalSeconds  float64 `json:"eval_seconds"`

	// MeanLength is the mean episode length.
	MeanLength float64 `json:"mean_length"`
	// RewardThreshold is the env's threshold and Solved whether MeanReturn reached it (both
	// absent for an env without one).
	RewardThreshold *float64 `json:"reward_threshold,omitempty"`
	Solved          *bool    `json:"solved,omitempty"`
	// SuccessRate is the fraction of episodes whose last step's info had is_success = true
	// (Gymnasium's and SB3's convention); absent when the env never reports it.
	SuccessRate *float64 `json:"success_rate,omitempty"`
	// FinalInfo is, for each key of the last step's info whose value is a number or a bool
	// (true counting 1), its mean over the episodes that reported it: what an env says about
	// a whole episode at its end, such as Highway-v0's crashed (so the collision rate), speed
	// and traffic_speed (mean speeds). Absent when no final info holds such a value.
	FinalInfo map[string]float64 `json:"final_info,omitempty"`
	// Checkpoint is the checkpoint directory evaluated, relative to the run directory.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Returns and Lengths are the per-episode figures, in episode order.
	Returns []float64 `json:"returns"`
	Lengths []int     `json:"lengths"`
}

// JSON returns the result as indented JSON with a final newline.
func (e *EvalResult) JSON() []byte {
	b, _ := json.MarshalIndent(e, "", "  ")
	return append(b, '\n')
}

// EvalSeed returns the seed of evaluation episode i of a run seeded with seed. Episodes get
// consecutive seeds from a base that a 64-bit mix (SplitMix64's finalizer) spreads far from the
// training seeds (seed+i for the copies) and from other runs' evaluation seeds, so runs with
// seeds 1, 2, 3 are evaluated on different start states.
func EvalSeed(seed uint64, i int) uint64 {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return z + uint64(i)
}

// Evaluate runs p for episodes episodes on a fresh env made from envID and kwargs (with its
// TimeLimit), episode i reset with EvalSeed(seed, i), and returns the returns and lengths. The
// policy's actions are deterministic, so the result depends on the policy and the seed only.
func Evaluate(p Policy, envID string, kwargs env.Options, episodes int, seed uint64) (*EvalResult, error) {
	if episodes < 1 {
		return nil, fmt.Errorf("evaluation of %d episodes; want at least 1", episodes)
	}
	spec, err := env.Lookup(envID)
	if err != nil {
		return nil, err
	}
	e, err := env.Make(spec.ID, kwargs)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if spec.MaxEpisodeSteps == 0 {
		if n, _ := env.IntOption(kwargs, "max_episode_steps", 0); n == 0 {
			return nil, fmt.Errorf("evaluating on %s: the env has no time limit, so an episode may never end; set env_kwargs.max_episode_steps", spec.ID)
		}
	}
	start := time.Now()
	res := &EvalResult{Env: spec.ID, Seed: seed, Episodes: episodes}
	action := make([]float32, e.ActionSpace().Dim())
	successes, reported := 0, false
	final := map[string]*[2]float64{} // key: sum, count
	for i := range episodes {
		obs, _ := e.Reset(env.Seed(EvalSeed(seed, i)))
		ret, n := 0.0, 0
		for {
			p.Act(obs, action)
			var r float64
			var term, trunc bool
			var info env.Info
			obs, r, term, trunc, info = e.Step(action)
			ret += r
			n++
			if term || trunc {
				if s, ok := info["is_success"].(bool); ok {
					reported = true
					if s {
						successes++
					}
				}
				for k, v := range info {
					if x, ok := infoNumber(v); ok {
						if final[k] == nil {
							final[k] = new([2]float64)
						}
						final[k][0] += x
						final[k][1]++
					}
				}
				break
			}
		}
		res.Returns = append(res.Returns, ret)
		res.Lengths = append(res.Lengths, n)
	}
	res.EvalSeconds = time.Since(start).Seconds()
	var sum, sumLen float64
	for i, r := range res.Returns {
		sum += r
		sumLen += float64(res.Lengths[i])
	}
	res.MeanReturn = sum / float64(episodes)
	res.MeanLength = sumLen / float64(episodes)
	var ss float64
	for _, r := range res.Returns {
		ss += (r - res.MeanReturn) * (r - res.MeanReturn)
	}
	res.StdReturn = math.Sqrt(ss / float64(episodes)) // population std, as NumPy's np.std in SB3's evaluate_policy
	if spec.HasRewardThreshold() {
		t := spec.RewardThreshold
		solved := res.MeanReturn >= t
		res.RewardThreshold, res.Solved = &t, &solved
	}
	if reported {
		sr := float64(successes) / float64(episodes)
		res.SuccessRate = &sr
	}
	if len(final) > 0 {
		res.FinalInfo = make(map[string]float64, len(final))
		for k, sc := range final {
			res.FinalInfo[k] = sc[0] / sc[1]
		}
	}
	return res, nil
}

// infoNumber returns an info value as a number: a bool as 0 or 1, an integer or a float as
// itself; ok is false for other types.
func infoNumber(v any) (x float64, ok bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}
