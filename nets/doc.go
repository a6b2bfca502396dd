// Package nets is gorl's neural-net core: float32 tensors, reverse-mode autodiff on a tape, layers,
// losses, optimizers, initializers and safetensors checkpoints, with PyTorch's semantics so that a
// PyTorch recipe ported to gorl gives the same numbers.
//
// # Tensors
//
// A Tensor is a row-major float32 array with a Shape, its Data, and a Grad when it takes a
// gradient. Parameters (NewParam) always have a Grad, which accumulates over Backward calls until
// it is zeroed, as in PyTorch.
//
// # Graphs and the tape
//
// Every op is a method on a *Graph, in the spirit of Karpathy's recurrentjs (G.mul(W, x),
// G.backward()) and micrograd, on batched tensors:
//
//	g := nets.NewGraph()                      // records, training mode
//	for step := range steps {
//		g.Reset()                             // rewinds the arena: same ops, same buffers
//		q := net.Forward(g, obs)              // [B, actions]
//		loss := g.MSELoss(g.Gather(q, actions), targets, nets.ReduceMean)
//		opt.ZeroGrad()
//		g.Backward(loss)                      // runs the recorded closures in reverse
//		opt.Step()
//	}
//
// An op computes its output and, only when the graph records and an input has a Grad, appends a
// closure that propagates the output's gradient into its inputs' gradients. Forward and backward
// sit side by side in one function. NewInference returns a graph that records nothing (PyTorch's
// torch.no_grad() and eval mode together): acting in an environment with it allocates nothing once
// the arena has warmed up.
//
// Intermediates live in an arena the Graph owns and Reset rewinds, so they are valid until the
// next Reset; Clone what must outlive a step.
//
// # Modules
//
// Modules are small structs with Forward(g, x) and Params() (Module), listing their parameters
// under PyTorch's names: "weight", "bias", and in containers "0.weight", "fc1.bias". Modules with
// running statistics also list Buffers (Buffered). Train or eval mode is the graph's
// (g.Training()), not the module's. Sequential and NewMLP build the networks agents use.
// Constructors take the caller's *rand.Rand (math/rand/v2) and initialize as PyTorch does by
// default; the initializers (KaimingUniform, XavierNormal, Orthogonal, ...) follow torch.nn.init.
//
// # Ops
//
// Elementwise ops broadcast as NumPy and PyTorch do (Add, Sub, Mul, Div, Minimum, Maximum);
// unary ops (Exp, Log, Sqrt, Pow, Square, Abs, Neg, Clamp, Scale, AddScalar); reductions over
// everything or one axis (Sum, Mean, SumAxis, MeanAxis, MaxAxis); MatMul and Linear; indexing
// (Gather for Q(s, a), OneHot, Where, Concat, Narrow, Rows); views (Reshape, Flatten, View,
// Detach); activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, stable).
//
// # Convolutions
//
// Conv2D and ConvTranspose2D (nn.Conv2d, nn.ConvTranspose2d; g.Conv2D, g.ConvTranspose2D) take
// [N, C, H, W] or [C, H, W] inputs and ConvOptions with PyTorch's stride, padding, dilation,
// groups and (transposed only) output padding; weights have PyTorch's layouts ([out, in/groups,
// KH, KW] and [in, out/groups, KH, KW]) and default initialization. A convolution is im2col +
// GEMM, one image at a time: the image's column matrix (C·KH·KW rows, one column per output
// position, built by internal/conv) turns it into the product weight·col, which stays in cache
// where a whole batch's columns would not; the backward rebuilds the columns rather than keeping
// them. The transposed convolution is the adjoint, so the same three products (W·col,
// col2im(Wᵀ·grid), grid·colᵀ) serve both layers forward and backward. A batch is split over the
// cores image by image, each worker with its own column buffer and weight-gradient accumulator.
// Outputs and input gradients do not depend on the core count; the weight and bias gradients are
// sums over the batch in per-worker partial sums, so they may differ in their last bits.
//
// # Pooling
//
// MaxPool2D and AvgPool2D (kernel, stride, padding, ceil mode; dilation for max; count_include_pad
// and divisor_override for average) and AdaptiveAvgPool2D (output size, 0 keeping the input's; Pair(1)
// is global average pooling) follow PyTorch's output sizes and window rules, NaNs included. Max
// pooling records where each maximum came from only when the graph records; the common 2×2,
// stride-2 case runs 8 windows at a time in AVX2. Large inputs are split over the cores by planes.
//
// # Normalization
//
// BatchNorm1D ([N, C] or [N, C, L]) and BatchNorm2D ([N, C, H, W]) read the mode from the graph:
// in training mode (g.Training()) they normalize with the batch's statistics, let the gradient
// flow through them, and update the running mean and the unbiased running variance by the
// momentum (or as a cumulative average); in eval mode they use the running statistics as
// constants. The running statistics and num_batches_tracked are Buffers, saved with the weights.
// Statistics are summed in float64, and large inputs are split over the cores by channels.
// LayerNorm normalizes every sample over its trailing dimensions with an elementwise affine, the
// same in both modes.
//
// # Dropout
//
// Dropout (nn.Dropout, g.Dropout) zeroes each element with probability P in training mode and
// scales the others by 1/(1−P); in eval mode it returns its input. The mask is drawn from the
// graph's generator, g.Rand(), which the caller seeds with g.SetRand: a stochastic layer without
// a seeded generator panics rather than make a run irreproducible.
//
// # Embedding
//
// Embedding (nn.Embedding, g.Embedding) maps integer indices to rows of its Weight [num, dim]:
// Lookup(g, idx, shape...) takes a []int, Forward (for a Sequential) a tensor holding the indices
// as exact values. A row's gradient sums the gradients of every position that picked it;
// WithPaddingIdx sets padding_idx, a zeroed row that gets no gradient.
//
// # Reshaping
//
// Flatten ([N, ...] to [N, rest]), Reshape{Shape} ([N, ...] to [N, Shape...], one −1 inferred:
// nn.Unflatten after a generator's Linear) and the ops Reshape, View and Flatten are views: they
// share Data and Grad with their input, copy nothing and record no closure.
//
// # Recurrent layers
//
// NewRNN (tanh or relu), NewLSTM and NewGRU build a Recurrent stack from a RecurrentConfig (input
// and hidden sizes, layers, bias, batch-first) with PyTorch's parameter names, layouts (gate
// order i, f, g, o and r, z, n; two biases) and initialization. Three ways to run it:
//
//   - Forward(g, x, state) runs whole sequences, [batch, seq, in] with BatchFirst (else
//     [seq, batch, in], or unbatched [seq, in]), from initial states (zero when nil), and returns
//     the last layer's output at every step and the final states of every layer, as PyTorch's
//     out, (h_n, c_n) = lstm(x, (h0, c0)). On a recording graph it backpropagates through time
//     into x, the weights and the initial states.
//   - ForwardIndex(g, idx, batch, seq, state) is Forward on one-hot inputs given as indices (a
//     character model): it picks columns of weight_ih_l0 instead of multiplying by one-hot rows,
//     with the same forward values.
//   - Step(g, x, state) and StepIndex(g, idx, state) advance a state from NewState by one time
//     step, in place: sampling text or acting with a recurrent policy, with no allocation on a
//     warm inference graph. RecurrentState.Reset(b) restarts one batch entry (a new episode).
//
// Each layer computes the input projections of all steps in one GEMM, then per step one GEMM for
// the recurrent part and one fused AVX2 pass for the gates; the backward mirrors it.
//
// # Losses
//
// MSELoss, SmoothL1Loss, HuberLoss, BCEWithLogitsLoss, KLDivLoss, NLLLoss and CrossEntropyLoss
// take a Reduction (ReduceMean, the zero value, ReduceSum, ReduceNone, ReduceBatchMean) and
// follow PyTorch exactly, including the weighted-mean denominators of the class losses and the
// stable forms of BCE with logits.
//
// # Optimizers, clipping and schedules
//
// SGD, Adam, AdamW and RMSprop implement Optimizer with torch.optim's update rules (AdamW's decay
// before the update, eps after the bias-corrected square root, SGD's undampened first momentum
// step). ClipGradNorm is clip_grad_norm_ (with its 1e-6) and returns the norm. Schedules are pure
// functions of the step: opt.SetLR(schedule.At(step)).
//
// # Checkpoints
//
// Save and Load write and read a model's state dict as a safetensors file (loadable in PyTorch
// with safetensors.torch.load_file and load_state_dict), atomically, with string metadata.
// Loading another architecture or a corrupt file returns an error that names the mismatch.
// SaveOptimizer and LoadOptimizer do the same for an optimizer's state, so training resumes
// exactly.
//
// # Conformance
//
// The tests check every layer, loss and optimizer against PyTorch's float64 reference values
// (testdata/torch, or the folder named by GORL_TORCHREF_DIR; go test -run Torch) and every op's
// gradient against finite differences.
//
// # Performance
//
// Every matrix product goes through internal/gemm (AVX-512/AVX2 kernels in Go assembly);
// elementwise work that shows in profiles (tanh, sigmoid, exp, ReLU, the Linear bias, the Adam
// update, the sum of squares of ClipGradNorm) runs 8 lanes wide in internal/vec, with portable
// Go loops elsewhere. The intermediates of a step come from the graph's arena, so a warm
// inference forward allocates nothing and a training step allocates only its backward closures.
// On the 2-core development machine, a 4→64→64→2 MLP trains at 20,000-60,000 Adam updates/s at
// batch 64 and answers a batch-1 forward in 0.6-1.2 µs, against PyTorch 1.13's ~3,000 updates/s
// and ~17 µs there (go test ./nets -run '^$' -bench MLP).
//
// Work that is large enough is split over the cores by one pool of goroutines
// (internal/workers): the GEMM's row and column blocks, the images of a convolution's batch, the
// planes of pooling, the channels of BatchNorm, and the zeroing of large gradient buffers and
// ReLU. Each part is a pooled task struct, not a closure, so the parallel paths allocate nothing
// either. Every element of a product, a pooled plane, a normalized channel or an activation is
// computed by one goroutine, by the same instructions in the same order whatever the number of
// cores, so those results are bit-identical from one core to many; only a convolution's
// weight and bias gradients, summed over the batch in per-worker partial sums, may differ in
// their last bits.
package nets
