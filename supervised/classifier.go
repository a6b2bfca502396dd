package supervised

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"github.com/gorl/gorl/nets"
	"github.com/gorl/gorl/supervised/data"
)

// Classifier is a trained CNN loaded from a cnn run: what judges a GAN's samples.
type Classifier struct {
	Model     *nets.Sequential
	C, H, W   int
	Classes   []string
	Normalize data.Normalize
	g         *nets.Graph
	x         []float32
}

// LoadClassifier loads the CNN of a cnn run directory (its latest checkpoint) or checkpoint
// directory.
func LoadClassifier(path string) (*Classifier, error) {
	ck, err := checkpointOf(path)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(ck, ModelFile)
	_, meta, err := nets.LoadTensors(file)
	if err != nil {
		return nil, err
	}
	if meta["gorl.task"] != "cnn" {
		return nil, fmt.Errorf("%s holds a %q model, not a cnn classifier", ck, meta["gorl.task"])
	}
	c := &Classifier{g: nets.NewInference()}
	var dropout float64
	var errs [4]error
	c.C, errs[0] = strconv.Atoi(meta["channels"])
	c.H, errs[1] = strconv.Atoi(meta["height"])
	c.W, errs[2] = strconv.Atoi(meta["width"])
	dropout, errs[3] = strconv.ParseFloat(meta["dropout"], 64)
	for _, e := range errs {
		if e != nil {
			return nil, fmt.Errorf("%s: incomplete metadata: %v", file, e)
		}
	}
	if err := jsonUnmarshal(meta["classes"], &c.Classes); err != nil {
		return nil, fmt.Errorf("%s: classes: %v", file, err)
	}
	if err := jsonUnmarshal(meta["normalize"], &c.Normalize); err != nil {
		return nil, fmt.Errorf("%s: normalize: %v", file, err)
	}
	if c.Model, err = NewCNN(rand.New(rand.NewPCG(0, 0)), meta["model"], c.C, c.H, c.W, len(c.Classes), dropout); err != nil {
		return nil, err
	}
	if _, err := nets.Load(file, c.Model); err != nil {
		return nil, err
	}
	return c, nil
}

// Probs returns the class probabilities [n][classes] of n images with pixels in [0, 1] (channels
// first), evaluated in eval mode.
func (c *Classifier) Probs(pixels []float32, n int) [][]float64 {
	sz := c.C * c.H * c.W
	if len(pixels) != n*sz {
		panic(fmt.Sprintf("supervised: Classifier.Probs: %d values for %d images of %d×%d×%d", len(pixels), n, c.C, c.H, c.W))
	}
	c.x = append(c.x[:0], pixels...)
	if len(c.Normalize.Mean) == c.C {
		plane := c.H * c.W
		for i := range n {
			for ch := range c.C {
				m, s := c.Normalize.Mean[ch], c.Normalize.Std[ch]
				for j := range plane {
					k := i*sz + ch*plane + j
					c.x[k] = (c.x[k] - m) / s
				}
			}
		}
	}
	c.g.Reset()
	logits := c.Model.Forward(c.g, nets.FromData(c.x, n, c.C, c.H, c.W))
	k := len(c.Classes)
	out := make([][]float64, n)
	for i := range n {
		row := logits.Data[i*k : (i+1)*k]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		p := make([]float64, k)
		var s float64
		for j, v := range row {
			p[j] = math.Exp(float64(v) - mx)
			s += p[j]
		}
		for j := range p {
			p[j] /= s
		}
		out[i] = p
	}
	return out
}
