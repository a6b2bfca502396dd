package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/gorl/gorl/nets"
)

// Augment is the random data augmentation of training images, torchvision's RandomCrop(size,
// padding=Pad) and RandomHorizontalFlip().
type Augment struct {
	// Pad > 0 pads every image with Pad zero pixels on each side and crops an H×W window at a
	// uniformly random offset: a random shift of up to Pad pixels. 0 turns it off.
	Pad int `json:"pad" yaml:"pad"`
	// HFlip mirrors an image left to right with probability 1/2 (right for CIFAR-10's objects,
	// wrong for digits).
	HFlip bool `json:"hflip" yaml:"hflip"`
}

// LoaderConfig says how an ImageLoader turns an image set into batches.
type LoaderConfig struct {
	// BatchSize is the number of images of a batch. Required.
	BatchSize int
	// Shuffle draws a new order of the images every epoch (from Seed and the epoch number);
	// without it batches follow the data set's order.
	Shuffle bool
	// DropLast drops an epoch's last partial batch, so that every batch is full (training);
	// without it the last batch holds the remainder (evaluation).
	DropLast bool
	// Seed seeds the shuffling and the augmentation. Batch k of epoch e depends only on Seed, e
	// and k, never on timing or on where the loader started, so a resumed run sees the batches an
	// uninterrupted one would.
	Seed uint64
	// Normalize maps pixels to floats; with no Mean and Std, pixels become p/255.
	Normalize Normalize
	// Augment is applied to every image when set.
	Augment Augment
	// Prefetch is the number of batches prepared ahead by the loading goroutine. Default 2.
	Prefetch int
}

// Batch is one batch of images as network input.
type Batch struct {
	// X holds the normalized images, [n, C, H, W].
	X *nets.Tensor
	// Labels holds the class of each image of X.
	Labels []int
	// Indices holds the data set index of each image of X.
	Indices []int
	// Epoch and Index place the batch: batch Index (from 0) of epoch Epoch (from 0).
	Epoch, Index int

	buf []float32
}

// ImageLoader prepares batches in a goroutine ahead of training: shuffled, augmented and
// normalized, Prefetch batches ahead of the consumer, into a small pool of reused buffers (no
// allocation per batch once warm). It stops when its context is cancelled or Close is called;
// Close waits for the goroutine to exit, so a closed loader leaks nothing.
//
// Global batch s is batch s mod BatchesPerEpoch of epoch s div BatchesPerEpoch: a loader starts
// at any s (resume) and produces s, s+1, ... up to its end.
type ImageLoader struct {
	d        *Images
	cfg      LoaderConfig
	perEpoch int

	ctx    context.Context
	cancel context.CancelFunc
	ready  chan *Batch
	free   chan *Batch
	wg     sync.WaitGroup
	cur    *Batch

	isClosed atomic.Bool
}

// BatchesPerEpoch returns the number of batches of one pass over d with this configuration.
func (c LoaderConfig) BatchesPerEpoch(d *Images) int {
	if c.BatchSize <= 0 {
		return 0
	}
	if c.DropLast {
		return d.Len() / c.BatchSize
	}
	return (d.Len() + c.BatchSize - 1) / c.BatchSize
}

// NewImageLoader starts a loader of d producing global batches start, start+1, ..., end−1 (end < 0:
// without end). Next returns them in order.
func NewImageLoader(ctx context.Context, d *Images, cfg LoaderConfig, start, end int64) (*ImageLoader, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d must be positive", cfg.BatchSize)
	}
	per := cfg.BatchesPerEpoch(d)
	if per == 0 {
		return nil, fmt.Errorf("data: %d images make no full batch of %d", d.Len(), cfg.BatchSize)
	}
	if n := len(cfg.Normalize.Mean); (n != 0 && n != d.C) || n != len(cfg.Normalize.Std) {
		return nil, fmt.Errorf("data: normalization has %d means and %d standard deviations for %d channels", n, len(cfg.Normalize.Std), d.C)
	}
	if cfg.Augment.Pad < 0 || cfg.Augment.Pad >= max(d.H, d.W) {
		return nil, fmt.Errorf("data: crop padding %d for %d×%d images", cfg.Augment.Pad, d.H, d.W)
	}
	if start < 0 {
		return nil, fmt.Errorf("data: start batch %d", start)
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	l := &ImageLoader{d: d, cfg: cfg, perEpoch: per,
		ready: make(chan *Batch, cfg.Prefetch), free: make(chan *Batch, cfg.Prefetch+2)}
	l.ctx, l.cancel = context.WithCancel(ctx)
	size := cfg.BatchSize * d.Size()
	for range cfg.Prefetch + 2 {
		l.free <- &Batch{buf: make([]float32, size), Labels: make([]int, 0, cfg.BatchSize), Indices: make([]int, 0, cfg.BatchSize)}
	}
	l.wg.Add(1)
	go l.produce(start, end)
	return l, nil
}

// BatchesPerEpoch returns the number of batches in an epoch.
func (l *ImageLoader) BatchesPerEpoch() int { return l.perEpoch }

func (l *ImageLoader) produce(start, end int64) {
	defer l.wg.Done()
	defer close(l.ready)
	var perm []int
	permEpoch := -1
	for s := start; end < 0 || s < end; s++ {
		var b *Batch
		select {
		case b = <-l.free:
		case <-l.ctx.Done():
			return
		}
		e, k := int(s/int64(l.perEpoch)), int(s%int64(l.perEpoch))
		if e != permEpoch {
			perm = l.order(e, perm)
			permEpoch = e
		}
		l.fill(b, perm, e, k)
		select {
		case l.ready <- b:
		case <-l.ctx.Done():
			return
		}
	}
}

// order returns the image order of epoch e: a permutation drawn from (Seed, e) or the identity.
func (l *ImageLoader) order(e int, perm []int) []int {
	n := l.d.Len()
	if cap(perm) < n {
		perm = make([]int, n)
	}
	perm = perm[:n]
	for i := range perm {
		perm[i] = i
	}
	if l.cfg.Shuffle {
		r := rand.New(rand.NewPCG(l.cfg.Seed, 0x5eed_0000_0000_0000^uint64(e)))
		r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	}
	return perm
}

// fill writes batch k of epoch e into b.
func (l *ImageLoader) fill(b *Batch, perm []int, e, k int) {
	d, c := l.d, l.cfg
	lo := k * c.BatchSize
	hi := min(lo+c.BatchSize, d.Len())
	n := hi - lo
	b.Epoch, b.Index = e, k
	b.Labels, b.Indices = b.Labels[:0], b.Indices[:0]
	sz := d.Size()
	out := b.buf[:n*sz]
	r := rand.New(rand.NewPCG(c.Seed^0xa06_0000_0000, uint64(e)<<32|uint64(k)))
	for i, idx := range perm[lo:hi] {
		b.Indices = append(b.Indices, idx)
		b.Labels = append(b.Labels, int(d.Labels[idx]))
		dy, dx, flip := 0, 0, false
		if p := c.Augment.Pad; p > 0 {
			dy, dx = r.IntN(2*p+1)-p, r.IntN(2*p+1)-p
		}
		if c.Augment.HFlip {
			flip = r.IntN(2) == 1
		}
		transform(out[i*sz:(i+1)*sz], d.Image(idx), d.C, d.H, d.W, dy, dx, flip, &c.Normalize)
	}
	if b.X == nil {
		b.X = &nets.Tensor{}
	}
	b.X.Shape = append(b.X.Shape[:0], n, d.C, d.H, d.W)
	b.X.Data = out
}

// transform writes the normalized image src shifted by (dy, dx) (pixels from outside the image
// are zeros before normalization, as torchvision pads) and optionally mirrored.
func transform(dst []float32, src []uint8, C, H, W, dy, dx int, flip bool, nm *Normalize) {
	plane := H * W
	for ch := range C {
		scale, shift := float32(1.0/255), float32(0)
		if len(nm.Mean) > 0 {
			scale = 1 / (255 * nm.Std[ch])
			shift = -nm.Mean[ch] / nm.Std[ch]
		}
		s, o := src[ch*plane:(ch+1)*plane], dst[ch*plane:(ch+1)*plane]
		if dy == 0 && dx == 0 && !flip {
			for i, p := range s {
				o[i] = float32(p)*scale + shift
			}
			continue
		}
		for y := range H {
			sy := y + dy
			for x := range W {
				sx := x + dx
				if flip {
					sx = W - 1 - x + dx
				}
				v := shift
				if sy >= 0 && sy < H && sx >= 0 && sx < W {
					v = float32(s[sy*W+sx])*scale + shift
				}
				o[y*W+x] = v
			}
		}
	}
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("data: loader closed")

// Next returns the next batch, valid until the following call to Next or Close (its buffers are
// then reused). It returns io.EOF after the end batch, and the context's error once it is
// cancelled.
func (l *ImageLoader) Next() (*Batch, error) {
	if l.cur != nil {
		l.free <- l.cur // never blocks: the pool has a slot for every batch
		l.cur = nil
	}
	if err := l.ctx.Err(); err != nil {
		return nil, l.stopErr(err)
	}
	select {
	case b, ok := <-l.ready:
		if !ok {
			if err := l.ctx.Err(); err != nil {
				return nil, l.stopErr(err)
			}
			return nil, io.EOF
		}
		l.cur = b
		return b, nil
	case <-l.ctx.Done():
		return nil, l.stopErr(l.ctx.Err())
	}
}

// stopErr distinguishes Close (ErrClosed) from the caller's cancellation (its error).
func (l *ImageLoader) stopErr(err error) error {
	if l.closed() {
		return ErrClosed
	}
	return err
}

func (l *ImageLoader) closed() bool { return l.isClosed.Load() }

// Close stops the loading goroutine and waits for it to exit. It is safe to call more than once
// and from another goroutine than the consumer's.
func (l *ImageLoader) Close() {
	l.isClosed.Store(true)
	l.cancel()
	l.wg.Wait()
}
