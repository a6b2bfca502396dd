package supervised_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorl/gorl/supervised"
	"github.com/gorl/gorl/supervised/synth"
)

// Example trains the seed CNN for one epoch on a small synthetic MNIST-format data set, as
// `rlrun fit cnn mnist --data DIR --epochs 1 --set batch_size=16` does.
func Example() {
	tmp, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(tmp)
	dir, err := synth.MNISTDir(filepath.Join(tmp, "data"), 64, 32)
	if err != nil {
		panic(err)
	}
	cfg, _ := supervised.NewConfig("cnn")
	if err := supervised.Set(cfg, []string{"data=" + dir, "epochs=1", "batch_size=16"}); err != nil {
		panic(err)
	}
	r, err := supervised.Create(cfg, filepath.Join(tmp, "runs"), nil)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	if err := r.Train(context.Background()); err != nil {
		panic(err)
	}
	res, err := r.Finish()
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Fields["steps"], res.Fields["epochs"], res.Fields["test_images"])
	// Output: 4 1 32
}

// ExampleGoLineShare counts the lines that Go's scanner reads without an error.
func ExampleGoLineShare() {
	share, lines := supervised.GoLineShare("func f() {\n\treturn \"unterminated\n}\n")
	fmt.Printf("%.2f of %d lines\n", share, lines)
	// Output: 0.67 of 3 lines
}
