package render

import (
	"fmt"
	"image"
)

// Pixel observations. Frames are turned into the []float32 observations agents read (or the
// []uint8 planes of Gymnasium's uint8 Box spaces) by the functions below; all write into
// buffers the caller owns, so a pixel env allocates nothing per step. Pixels are read as
// stored: a frame is assumed opaque (start each frame with Clear).

// The luma weights of ITU-R BT.601 in OpenCV's 14-bit fixed point (cv2.cvtColor RGB2GRAY, which
// Gymnasium's GrayscaleObservation and AtariPreprocessing use): 0.299, 0.587, 0.114.
const (
	lumaR     = 4899
	lumaG     = 9617
	lumaB     = 1868
	lumaShift = 14
)

func luma(r, g, b uint8) uint8 {
	return uint8((lumaR*uint32(r) + lumaG*uint32(g) + lumaB*uint32(b) + 1<<(lumaShift-1)) >> lumaShift)
}

// Gray writes the luma of every pixel of src into dst, row by row (len(dst) must be the
// number of pixels), with OpenCV's RGB2GRAY weights and rounding.
func Gray(dst []uint8, src *image.RGBA) {
	w, h := checkLen(len(dst), src, 1, "Gray")
	for y := range h {
		o := src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+y)
		row := src.Pix[o : o+4*w]
		out := dst[y*w : y*w+w]
		for x := range out {
			p := row[4*x : 4*x+3 : 4*x+3]
			out[x] = luma(p[0], p[1], p[2])
		}
	}
}

// GrayFloat32 is Gray into float32, each value multiplied by scale: 1 keeps Gymnasium's
// 0..255 range, 1.0/255 maps to [0, 1].
func GrayFloat32(dst []float32, src *image.RGBA, scale float32) {
	w, h := checkLen(len(dst), src, 1, "GrayFloat32")
	for y := range h {
		o := src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+y)
		row := src.Pix[o : o+4*w]
		out := dst[y*w : y*w+w]
		for x := range out {
			p := row[4*x : 4*x+3 : 4*x+3]
			out[x] = float32(luma(p[0], p[1], p[2])) * scale
		}
	}
}

// RGBFloat32 writes the red, green and blue values of src into dst in height × width × 3
// order (Gymnasium's (96, 96, 3) layout for CarRacing), each multiplied by scale.
func RGBFloat32(dst []float32, src *image.RGBA, scale float32) {
	w, h := checkLen(len(dst), src, 3, "RGBFloat32")
	for y := range h {
		o := src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+y)
		row := src.Pix[o : o+4*w]
		out := dst[3*y*w : 3*(y*w+w)]
		for x := range w {
			p := row[4*x : 4*x+3 : 4*x+3]
			q := out[3*x : 3*x+3 : 3*x+3]
			q[0], q[1], q[2] = float32(p[0])*scale, float32(p[1])*scale, float32(p[2])*scale
		}
	}
}

func checkLen(n int, src *image.RGBA, ch int, name string) (w, h int) {
	w, h = src.Rect.Dx(), src.Rect.Dy()
	if n != w*h*ch {
		panic(fmt.Sprintf("render: %s: destination has %d values, the %dx%d image needs %d", name, n, w, h, w*h*ch))
	}
	return w, h
}

// Resize scales src into dst (any sizes) by area averaging: each destination pixel is the
// mean of the source area it covers, partial source pixels weighted by their overlap (OpenCV's
// INTER_AREA, the usual choice for shrinking frames to 84×84). Downsampling this way keeps thin
// lines as fainter lines instead of dropping them as nearest-neighbour sampling does. dst is
// overwritten; nothing is allocated.
func Resize(dst, src *image.RGBA) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if sw == 0 || sh == 0 || dw == 0 || dh == 0 {
		return
	}
	// Exact integer weights: positions along x are counted in 1/dw of a source pixel and along
	// y in 1/dh, so destination pixel (dx, dy) covers [dx*sw, (dx+1)*sw) × [dy*sh, (dy+1)*sh)
	// and its weights sum to sw*sh.
	inv := 1 / float64(sw*sh)
	for dy := range dh {
		ya, yb := dy*sh, (dy+1)*sh
		iy0, iy1 := ya/dh, (yb+dh-1)/dh
		do := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+dy)
		drow := dst.Pix[do : do+4*dw]
		// ix0 = floor(xa/dw) and next = floor(xb/dw) advance without dividing (integer
		// division costs more than the rest of a small pixel's work).
		ix0, next, rem := 0, 0, 0
		for dx := range dw {
			xa, xb := dx*sw, (dx+1)*sw
			ix0 = next
			for rem += sw; rem >= dw; rem -= dw {
				next++
			}
			ix1 := next // ceil(xb/dw)
			if rem != 0 {
				ix1++
			}
			// Weights of the first and last source columns; those between weigh dw.
			wFirst := uint64(min((ix0+1)*dw, xb) - xa)
			wLast := uint64(xb - (ix1-1)*dw)
			var r, g, b, a uint64
			for iy := iy0; iy < iy1; iy++ {
				wy := uint64(min((iy+1)*dh, yb) - max(iy*dh, ya))
				so := src.PixOffset(src.Rect.Min.X+ix0, src.Rect.Min.Y+iy)
				srow := src.Pix[so : so+4*(ix1-ix0)]
				p := srow[:4:4]
				rr, gg, bb, aa := wFirst*uint64(p[0]), wFirst*uint64(p[1]), wFirst*uint64(p[2]), wFirst*uint64(p[3])
				if len(srow) > 4 {
					var mr, mg, mb, ma uint64
					mid := srow[4 : len(srow)-4]
					for k := 0; k+4 <= len(mid); k += 4 {
						q := mid[k : k+4 : k+4]
						mr += uint64(q[0])
						mg += uint64(q[1])
						mb += uint64(q[2])
						ma += uint64(q[3])
					}
					q := srow[len(srow)-4:]
					w := uint64(dw)
					rr += w*mr + wLast*uint64(q[0])
					gg += w*mg + wLast*uint64(q[1])
					bb += w*mb + wLast*uint64(q[2])
					aa += w*ma + wLast*uint64(q[3])
				}
				r += wy * rr
				g += wy * gg
				b += wy * bb
				a += wy * aa
			}
			q := drow[4*dx : 4*dx+4 : 4*dx+4]
			q[0] = uint8(float64(int64(r))*inv + 0.5)
			q[1] = uint8(float64(int64(g))*inv + 0.5)
			q[2] = uint8(float64(int64(b))*inv + 0.5)
			q[3] = uint8(float64(int64(a))*inv + 0.5)
		}
	}
}
