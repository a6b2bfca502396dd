// Package supervised trains the deep-learning workhorses gorl inherits from Karpathy's demos and
// from the CIFAR-10 example it was founded on, on the same nets core as the agents: image
// classifiers (ConvNetJS's MNIST and CIFAR-10 demos), a character-level language model
// (char-rnn), a DCGAN and an autoencoder (ConvNetJS's autoencoder demo). `rlrun fit` and
// `rlrun sample` are its command line.
//
// # Tasks
//
//	cnn          CNNConfig: the founding example's CNN ("seed": conv 32 k3 p1, ReLU, max pool,
//	             conv 64 k3 p1, ReLU, max pool, linear; SGD with momentum) or a stronger preset
//	             ("strong": three conv blocks with batch norm, dropout, Adam with cosine annealing,
//	             random crops) on mnist, fashion-mnist or cifar10
//	charrnn      CharRNNConfig: a 2-layer LSTM (or GRU, RNN) over bytes, truncated BPTT over
//	             parallel streams, gradient clipping, Adam or RMSprop, a validation split by file;
//	             Sampler draws text at a temperature; the default corpus is $(go env GOROOT)/src
//	gan          GANConfig: a DCGAN (transposed-convolution generator, strided-convolution
//	             discriminator, BCE on logits, Adam with β1 0.5), by default an AC-GAN (one-hot
//	             class into G, a class head on D), with a grid of samples per epoch; a trained
//	             cnn run judges its samples (JudgeGenerator)
//	autoencoder  AutoencoderConfig: dense or convolutional, BCE on pixels; with a 2-D code the
//	             latent space coloured by class and the images of a grid of codes
//
// # Runs
//
// Create (or Resume) a Run from a Config, Train it, then Finish it. A run directory is laid out
// as rlrun train's: config.yml, metrics.csv (global_step,key,value with global_step the optimizer
// step; per epoch charts/epoch, train/loss, train/accuracy, test/loss, test/accuracy), timing.csv,
// checkpoints/step-N/ with latest, eval.json and the PNGs. Checkpoints hold the weights under
// PyTorch's names (model.safetensors), the optimizer, the task's counters and, for a char-RNN,
// the hidden state carried between steps: resume continues exactly, and with GOMAXPROCS=1 a
// resumed run is byte-identical to an uninterrupted one (with several threads a convolution's
// weight gradient is a sum of per-goroutine partial sums split by the scheduler, so two runs agree
// to float32 rounding).
//
// # Determinism
//
// Data order, augmentation, dropout masks and GAN noise are pure functions of the seed and the
// step (data.LoaderConfig.Seed, stepRand), never of timing or of where a run was resumed.
//
// # Data
//
// Package data loads the data sets (MNIST from the GoMNIST module, Fashion-MNIST from Debian's
// dataset-fashion-mnist, CIFAR-10's binary version, text corpora) and prepares batches ahead of
// training in a goroutine; package synth makes small synthetic ones for tests.
package supervised
