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
package nets
