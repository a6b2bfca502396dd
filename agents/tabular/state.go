package tabular

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
)

// newPCG returns the generator env.NewRand(seed) wraps, kept by the agent so that its state can
// be saved (the stream is the same as env.NewRand's, which a test checks).
func newPCG(seed uint64) *rand.PCG { return rand.NewPCG(seed, 0x9e3779b97f4a7c15^seed) }

// agentState is everything an Agent needs to continue training exactly where it stopped.
type agentState struct {
	Method                string
	NumStates, NumActions int
	Q                     []float64
	Rng                   []byte
	Seeded                bool
	S, A                  int
	Steps                 int64
	Episodes              int
	EpReturn              float64
	EpLen, TLElapsed      int
	TraceE                []float64
	TraceActive           []int32
	ModelNext             []int32
	ModelReward           []float64
	ModelTerm             []bool
	ModelSeen             []int32
	// EpsOverride is SetExploration's ε while EpsSet (absent from states saved before it
	// existed: gob leaves them zero, no override).
	EpsOverride float64
	EpsSet      bool
}

// MarshalBinary encodes the agent's whole training state: the table, the traces, the Dyna
// model, the random generator, the counters, the transition in progress and an ε override. With
// UnmarshalBinary, into an agent built by New with the same arguments, and the env restored to
// the same point, training continues as if it had never stopped (rlrun's checkpoints and
// resume). The table alone is Table.Save's business.
func (ag *Agent) MarshalBinary() ([]byte, error) {
	rng, err := ag.pcg.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("tabular: saving the random generator: %w", err)
	}
	st := agentState{
		Method: string(ag.method), NumStates: ag.NumStates, NumActions: ag.NumActions,
		Q: ag.Q, Rng: rng, Seeded: ag.seeded, S: ag.s, A: ag.a, Steps: ag.steps,
		Episodes: ag.episodes, EpReturn: ag.epReturn, EpLen: ag.epLen, TLElapsed: ag.tlElapsed,
		TraceE: ag.tr.e, TraceActive: ag.tr.active,
		ModelNext: ag.dyn.next, ModelReward: ag.dyn.reward, ModelTerm: ag.dyn.term, ModelSeen: ag.dyn.seen,
		EpsOverride: ag.epsOverride, EpsSet: ag.epsSet,
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("tabular: saving the agent: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary restores a state MarshalBinary wrote. The agent must have been built with the
// same method, spaces and configuration; a state of another method or size is an error and
// leaves the agent unchanged.
func (ag *Agent) UnmarshalBinary(data []byte) error {
	var st agentState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("tabular: not a saved agent state: %w", err)
	}
	if st.Method != string(ag.method) || st.NumStates != ag.NumStates || st.NumActions != ag.NumActions {
		return fmt.Errorf("tabular: the saved state is of %s with %d states × %d actions; this agent is %s with %d × %d",
			st.Method, st.NumStates, st.NumActions, ag.method, ag.NumStates, ag.NumActions)
	}
	n := ag.NumStates * ag.NumActions
	traced := ag.cfg.Lambda > 0
	planned := ag.cfg.PlanningSteps > 0
	if len(st.Q) != n || (traced && len(st.TraceE) != n) || (planned && len(st.ModelNext) != n) {
		return fmt.Errorf("tabular: the saved state does not match the agent's configuration (traces %v, planning %v)", traced, planned)
	}
	if st.EpsSet && !(st.EpsOverride >= 0 && st.EpsOverride <= 1) {
		return fmt.Errorf("tabular: the saved state's ε override %v is not in [0, 1]", st.EpsOverride)
	}
	pcg := new(rand.PCG)
	if err := pcg.UnmarshalBinary(st.Rng); err != nil {
		return fmt.Errorf("tabular: restoring the random generator: %w", err)
	}
	copy(ag.Q, st.Q)
	ag.pcg, ag.rng = pcg, rand.New(pcg)
	ag.seeded, ag.s, ag.a, ag.steps = st.Seeded, st.S, st.A, st.Steps
	ag.episodes, ag.epReturn, ag.epLen, ag.tlElapsed = st.Episodes, st.EpReturn, st.EpLen, st.TLElapsed
	ag.epsOverride, ag.epsSet = st.EpsOverride, st.EpsSet
	if traced {
		ag.tr.clear()
		copy(ag.tr.e, st.TraceE)
		for _, i := range st.TraceActive {
			ag.tr.listed[i] = true
			ag.tr.active = append(ag.tr.active, i)
		}
	}
	if planned {
		copy(ag.dyn.next, st.ModelNext)
		copy(ag.dyn.reward, st.ModelReward)
		copy(ag.dyn.term, st.ModelTerm)
		ag.dyn.seen = append(ag.dyn.seen[:0], st.ModelSeen...)
	}
	return nil
}
