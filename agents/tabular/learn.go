package tabular

import (
	"context"
	"fmt"

	"github.com/gorl/gorl/env"
)

// FastEnv is the fast path of envs whose states and actions are integers (the toy-text envs
// of env/grid implement it): Reset and Step without the observation slice and the info map.
// Learn and Evaluate use it when the env, or the env under a TimeLimit, implements it, and
// then count the time limit themselves.
type FastEnv interface {
	ResetIndex(seed *uint64) int
	StepIndex(a int) (next int, reward float64, terminated bool)
}

// EpisodeStats describes a finished training episode, for the callback of Learn.
type EpisodeStats struct {
	// Episode is the episode's number, from 0.
	Episode int
	// Step is the number of env steps taken when the episode ended (CleanRL's global_step).
	Step int64
	// Return is the sum of the episode's rewards and Length its number of steps.
	Return float64
	Length int
	// Terminated tells an episode that reached a terminal state from one cut by the time limit.
	Terminated bool
	// Epsilon is the exploration rate at the episode's end.
	Epsilon float64
}

// stepper is one of the two ways Learn and Evaluate drive an env: through its fast path or
// through env.Env.
type stepper interface {
	reset(seed *uint64) int
	step(a int) (s int, r float64, terminated, truncated bool)
}

// fastStepper drives a FastEnv, counting the TimeLimit that would have wrapped it.
type fastStepper struct {
	f       FastEnv
	limit   int // 0: none
	elapsed *int
}

func (f fastStepper) reset(seed *uint64) int {
	*f.elapsed = 0
	return f.f.ResetIndex(seed)
}

func (f fastStepper) step(a int) (int, float64, bool, bool) {
	s, r, term := f.f.StepIndex(a)
	*f.elapsed++
	return s, r, term, f.limit > 0 && *f.elapsed >= f.limit
}

// envStepper drives any env.Env with Discrete actions.
type envStepper struct {
	e      env.Env
	states stateEncoder
	act    []float32
}

func (e *envStepper) reset(seed *uint64) int {
	obs, _ := e.e.Reset(seed)
	return e.states.index(obs)
}

func (e *envStepper) step(a int) (int, float64, bool, bool) {
	e.act[0] = float32(a)
	obs, r, term, trunc, _ := e.e.Step(e.act)
	return e.states.index(obs), r, term, trunc
}

// newStepper picks the fast path when it applies. elapsed is where a bypassed TimeLimit's
// count lives (it must survive between calls for Learn to resume mid-episode).
func newStepper(e env.Env, states stateEncoder, elapsed *int) stepper {
	inner, limit := e, 0
	if tl, ok := e.(*env.TimeLimit); ok {
		inner, limit = tl.Env, tl.MaxSteps
	}
	if f, ok := inner.(FastEnv); ok && states.nvec == nil && states.start == 0 {
		return fastStepper{f: f, limit: limit, elapsed: elapsed}
	}
	return &envStepper{e: e, states: states, act: make([]float32, 1)}
}

// Learn trains on e until Steps() reaches until or ctx is done, and calls onEpisode (if not
// nil) after each episode. The first episode starts with Reset(seed) (New's seed), the
// following ones with Reset(nil). Learn may be called again with a larger until to continue
// where it stopped, mid-episode included, on the same env: Learn(ctx, e, a) then
// Learn(ctx, e, b) trains exactly as Learn(ctx, e, b).
//
// The toy-text envs are driven through FastEnv, with the time limit of a TimeLimit wrapper
// counted here (the wrapper's own counter is bypassed); any other env with matching spaces
// goes through env.Env.
func (ag *Agent) Learn(ctx context.Context, e env.Env, until int64, onEpisode func(EpisodeStats)) error {
	enc, err := newStateEncoder(e.ObservationSpace())
	if err != nil {
		return err
	}
	if d, ok := e.ActionSpace().(env.Discrete); !ok || d.N != ag.NumActions || d.Start != 0 {
		return fmt.Errorf("tabular: Learn: the env's action space is %v; the agent has Discrete(%d)", e.ActionSpace(), ag.NumActions)
	}
	if enc.n != ag.NumStates {
		return fmt.Errorf("tabular: Learn: the env has %d states; the agent %d", enc.n, ag.NumStates)
	}
	st := newStepper(e, enc, &ag.tlElapsed)
	for ag.steps < until {
		if ag.steps&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if ag.s < 0 {
			var seed *uint64
			if !ag.seeded {
				seed, ag.seeded = &ag.seed, true
			}
			ag.Start(st.reset(seed))
		}
		s2, r, term, trunc := st.step(ag.a)
		ag.Observe(r, s2, term, trunc)
		if (term || trunc) && onEpisode != nil {
			onEpisode(EpisodeStats{
				Episode:    ag.episodes - 1,
				Step:       ag.steps,
				Return:     ag.epReturn,
				Length:     ag.epLen,
				Terminated: term,
				Epsilon:    ag.Epsilon(),
			})
		}
	}
	return nil
}
