package data

import (
	"fmt"
	"math"
)

// Images is a labelled image set held in memory as bytes (a quarter of the memory of float32: the
// CIFAR-10 training set is 150 MB): N images of C×H×W pixels, channels first (PyTorch's layout),
// each pixel 0..255, and one label per image.
type Images struct {
	// Name is the data set's name ("mnist", "fashion-mnist", "cifar10") or "" for another one.
	Name string
	// C, H and W are the channels, height and width of every image.
	C, H, W int
	// Pixels holds the images one after another, each C×H×W bytes.
	Pixels []uint8
	// Labels holds one class index per image, below len(Classes).
	Labels []uint8
	// Classes names the classes in label order.
	Classes []string
}

// Len returns the number of images.
func (d *Images) Len() int { return len(d.Labels) }

// Size returns the bytes of one image, C·H·W.
func (d *Images) Size() int { return d.C * d.H * d.W }

// Image returns image i's pixels (a slice of Pixels, not a copy).
func (d *Images) Image(i int) []uint8 { n := d.Size(); return d.Pixels[i*n : (i+1)*n] }

// Subset returns the first n images (all when n ≤ 0 or n ≥ Len), sharing the pixel memory: a
// quick run on part of a data set.
func (d *Images) Subset(n int) *Images {
	if n <= 0 || n >= d.Len() {
		return d
	}
	s := *d
	s.Pixels, s.Labels = d.Pixels[:n*d.Size()], d.Labels[:n]
	return &s
}

func (d *Images) checkLabels() error {
	for i, l := range d.Labels {
		if int(l) >= len(d.Classes) {
			return fmt.Errorf("label %d of image %d is not a class (there are %d classes)", l, i, len(d.Classes))
		}
	}
	return nil
}

// Validate checks that the fields agree: pixel count, labels, classes.
func (d *Images) Validate() error {
	if d.C <= 0 || d.H <= 0 || d.W <= 0 {
		return fmt.Errorf("image set %q: bad image shape %d×%d×%d", d.Name, d.C, d.H, d.W)
	}
	if len(d.Pixels) != d.Len()*d.Size() {
		return fmt.Errorf("image set %q: %d pixel bytes for %d images of %d×%d×%d", d.Name, len(d.Pixels), d.Len(), d.C, d.H, d.W)
	}
	if len(d.Classes) == 0 {
		return fmt.Errorf("image set %q has no class names", d.Name)
	}
	return d.checkLabels()
}

// Normalize maps a pixel p of channel c (0..255) to (p/255 − Mean[c]) / Std[c], as torchvision's
// ToTensor followed by Normalize(mean, std).
type Normalize struct {
	Mean []float32 `json:"mean" yaml:"mean"`
	Std  []float32 `json:"std" yaml:"std"`
}

// ChannelStats returns the per-channel mean and (population) standard deviation of the pixels on
// the [0, 1] scale: the Normalize a training set calls for (MNIST gives 0.1307 and 0.3081). The
// sums are exact integers, so the figures are the same on every machine.
func (d *Images) ChannelStats() Normalize {
	n := Normalize{Mean: make([]float32, d.C), Std: make([]float32, d.C)}
	plane := d.H * d.W
	for c := range d.C {
		var s, s2 uint64
		for i := range d.Len() {
			for _, p := range d.Image(i)[c*plane : (c+1)*plane] {
				s += uint64(p)
				s2 += uint64(p) * uint64(p)
			}
		}
		cnt := float64(d.Len() * plane)
		mean := float64(s) / cnt
		n.Mean[c] = float32(mean / 255)
		n.Std[c] = float32(math.Sqrt(math.Max(float64(s2)/cnt-mean*mean, 0)) / 255)
		if n.Std[c] == 0 {
			n.Std[c] = 1
		}
	}
	return n
}
