package render

import (
	"fmt"
	"image"
	"math"
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
	kx, ky := float64(sw)/float64(dw), float64(sh)/float64(dh)
	norm := float32(1 / (kx * ky))
	for dy := range dh {
		ya, yb := float64(dy)*ky, float64(dy+1)*ky
		iy0, iy1 := int(ya), min(int(math.Ceil(yb)), sh)
		do := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+dy)
		drow := dst.Pix[do : do+4*dw]
		for dx := range dw {
			xa, xb := float64(dx)*kx, float64(dx+1)*kx
			ix0, ix1 := int(xa), min(int(math.Ceil(xb)), sw)
			var r, g, b, a float32
			for iy := iy0; iy < iy1; iy++ {
				wy := float32(math.Min(float64(iy+1), yb) - math.Max(float64(iy), ya))
				so := src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y+iy)
				srow := src.Pix[so+4*ix0 : so+4*ix1]
				for ix := ix0; ix < ix1; ix++ {
					wx := float32(math.Min(float64(ix+1), xb) - math.Max(float64(ix), xa))
					w := wx * wy
					p := srow[4*(ix-ix0) : 4*(ix-ix0)+4 : 4*(ix-ix0)+4]
					r += w * float32(p[0])
					g += w * float32(p[1])
					b += w * float32(p[2])
					a += w * float32(p[3])
				}
			}
			q := drow[4*dx : 4*dx+4 : 4*dx+4]
			q[0] = uint8(min(r*norm+0.5, 255))
			q[1] = uint8(min(g*norm+0.5, 255))
			q[2] = uint8(min(b*norm+0.5, 255))
			q[3] = uint8(min(a*norm+0.5, 255))
		}
	}
}
