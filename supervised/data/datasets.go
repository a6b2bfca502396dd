package data

import (
	"fmt"
	"strings"
)

// ImageDataSets are the names LoadImages accepts.
var ImageDataSets = []string{"mnist", "fashion-mnist", "cifar10"}

// CanonicalName returns the canonical name of an image data set given by name or alias
// (fashion, fashion_mnist, cifar-10, ...), or an error listing the names.
func CanonicalName(name string) (string, error) {
	switch strings.ToLower(strings.NewReplacer("_", "-").Replace(name)) {
	case "mnist":
		return "mnist", nil
	case "fashion-mnist", "fashion", "fashionmnist":
		return "fashion-mnist", nil
	case "cifar10", "cifar-10":
		return "cifar10", nil
	}
	return "", fmt.Errorf("unknown image data set %q (choose from %s)", name, strings.Join(ImageDataSets, ", "))
}

// LoadImages loads the training and test sets of a data set by name from dir ("" for the default
// place: the GoMNIST module for mnist, Debian's package for fashion-mnist; cifar10 needs a dir).
func LoadImages(name, dir string) (train, test *Images, err error) {
	name, err = CanonicalName(name)
	if err != nil {
		return nil, nil, err
	}
	switch name {
	case "mnist":
		return LoadMNIST(dir)
	case "fashion-mnist":
		return LoadFashionMNIST(dir)
	default:
		return LoadCIFAR10(dir)
	}
}
