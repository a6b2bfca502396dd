// Package replay holds the experience replay buffers of off-policy agents: a uniform ring buffer,
// prioritized replay over a sum tree, and n-step returns computed when a batch is drawn.
//
// # Layout
//
// A Buffer is a preallocated struct-of-arrays ring: one []float32 of capacity×obsDim for the
// observations, one of capacity×actDim for the actions, a []float32 of rewards and one byte of
// flags (terminated, truncated, valid) per slot. Nothing is allocated after New, and sampling
// writes into a Batch the caller allocated once.
//
// The next observation is not stored. The buffer records the stream of a vector env of NumEnvs
// copies in lock step (the env package's VectorEnv): at every step each copy writes one slot, so
// the successor of the slot at position p is the slot at p+NumEnvs, and the observation stored
// there is the next observation of p. With NEXT_STEP autoreset (the env package's convention) the
// step that follows the end of an episode writes the episode's final observation into its slot,
// so even the last transition of an episode, terminated or truncated, finds its next observation
// in the ring. That step is not a transition (the env ignored its action and reset the copy): its
// slot is marked invalid and never sampled. The next observations of the newest slot of every copy
// wait in a small pending array until the following Add. This halves the memory of a buffer that
// stores next_obs: a million CartPole transitions take 25 MB (16 bytes of observation, 4 of
// action, 4 of reward, 1 of flags) instead of 41 MB; see Bytes.
//
// Capacity counts slots, so one slot per finished episode holds no transition: a buffer of
// capacity C holds at most C transitions and, with episodes of mean length L, about C·L/(L+1).
//
// # Sampling
//
// Sample draws positions uniformly from the ring with the buffer's own PCG generator (seeded at
// New, saved and restored with the buffer) and rejects invalid slots, which makes the draw
// uniform over the stored transitions and reproducible from the seed. Prioritized draws position
// i with probability p_i^α / Σ_k p_k^α (Schaul et al., 2016, "Prioritized Experience Replay"),
// stratified over the batch, and returns the normalized importance weights (N·P(i))^-β / max_j;
// the caller anneals β and reports new TD errors with UpdatePriorities.
//
// # N-step returns
//
// With NStep n > 1 a sampled transition at position p is the window p, p+N, ..., p+(n-1)N of its
// copy, cut short at the first slot that terminated or truncated and at the newest slot of the
// copy. The batch holds R = Σ_j γ^j r_j over the window, the observation to bootstrap from (the
// next observation of the window's last slot) and the factor Discount = γ^k·(1−terminated), k
// being the window's length. A window cut by truncation bootstraps (Discount = γ^k) and one cut by
// termination does not (Discount = 0): the target is R + Discount·V(NextObs) in every case.
//
// # Persistence
//
// WriteTo and ReadFrom save and restore the whole buffer, pending observations, counters, the
// generator's state and the priorities included, so a resumed run samples exactly the batches an
// uninterrupted one would have.
package replay
