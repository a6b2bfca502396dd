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
// update) runs 8 lanes wide in internal/vec, with portable Go loops elsewhere. The intermediates
// of a step come from the graph's arena, so a warm inference forward allocates nothing and a
// training step allocates only its backward closures. On the 2-core development machine, a
// 4→64→64→2 MLP trains at 20,000-60,000 Adam updates/s at batch 64 and answers a batch-1 forward
// in 0.6-1.2 µs, against PyTorch 1.13's ~3,000 updates/s and ~17 µs there
// (go test ./nets -run '^$' -bench MLP).
package nets
