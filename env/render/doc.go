// Package render draws the frames of gorl's environments: anti-aliased 2D shapes, small text
// and colour scales into an *image.RGBA, in pure Go (standard library and golang.org/x/image
// only, no cgo), fast enough for pixel observations at tens of thousands of frames per second.
//
// # Drawing
//
// A Canvas wraps an image. Envs keep one canvas and redraw every frame:
//
//	c := render.New(600, 400)
//	c.Transform = render.YUp(400, 600/4.8, 300, 0) // world metres, y up, as Gymnasium draws
//	c.Clear(render.RGB(255, 255, 255))
//	c.FillRect(x-0.2, 0.7, x+0.2, 0.94, render.RGB(0, 0, 0))
//	c.Line(-2.4, 0.8, 2.4, 0.8, 0.01, render.RGB(0, 0, 0))
//	frame := c.Image()
//
// The primitives are Clear, FillRect, StrokeRect, FillRotatedRect, FillPolygon, StrokePolygon,
// Line, Polyline, Arc, FillCircle, StrokeCircle, Arrow, Text and TextCenter. Colours are
// premultiplied color.RGBA values (see RGB, Alpha, Premultiply); a colour with alpha below 255
// is blended over the image (Porter-Duff src-over), once per pixel even where the parts of a
// stroke overlap.
//
// # Coordinates
//
// Every point goes through the canvas's Transform, an affine map to pixels; lengths (widths,
// radii) are scaled by its scale. Identity is plain pixel coordinates with y down, in which the
// integer points are pixel corners: pixel (i, j) is the square [i, i+1) × [j, j+1) with its
// centre at (i+0.5, j+0.5). YUp gives Gymnasium's pygame view, Fit frames a world box, Camera
// follows a vehicle, and Translate, Rotate and Scale nest local frames (a car's body and
// wheels); Px converts pixels to drawing units for hairlines. Shapes may lie partly or wholly
// outside the image, or have NaN or infinite coordinates: they are clipped or skipped, never a
// panic.
//
// # Filling and anti-aliasing
//
// Polygons, strokes and circles are rasterized by exact-area coverage: each edge adds the
// signed area it sweeps to every pixel cell it crosses, and one running sum per row gives each
// pixel's coverage. Edges are therefore anti-aliased without supersampling, and overlapping
// parts of a shape are combined by the non-zero winding rule (coverage = min(|winding|, 1)):
// a ring is an outer boundary and an inner one wound the other way, in one FillPolygon. The
// coverage is exact for simple polygons; in a pixel where differently wound parts of a
// self-intersecting polygon meet, their signed areas add before the clamp, so that pixel's
// anti-aliasing is approximate.
//
// Only the cells an edge crosses are visited; the runs between them are filled at constant
// coverage (plain word stores for an opaque colour), with no interface call per pixel; and all
// scratch memory belongs to the canvas, so steady-state drawing allocates nothing. Blending
// works on the four channels of a pixel at once with 8-bit coverage. Circles and arcs are
// polygons within a tenth of a pixel of the true curve.
//
// # Text and colour scales
//
// Text uses the 7×13 bitmap font of golang.org/x/image/font/basicfont, unscaled, for labels and
// numbers. Diverging is REINFORCEjs's red-white-green scale for values in grid cells; Lerp
// blends two colours.
//
// # Pixel observations
//
// Gray, GrayFloat32 and RGBFloat32 turn a frame into observation buffers the caller owns, and
// Resize shrinks a frame by area averaging (for example a 600×400 frame to 84×84). Drawing
// straight at the observation size is several times cheaper than drawing large and resizing,
// and just as sharp, since edges are anti-aliased at any size.
//
// # Performance
//
// BenchmarkDrivingScene96 draws a 96×96 top-down driving frame (a 102-vertex road, a closed
// lane line, ten rotated cars) and BenchmarkCartPole600x400 Gymnasium's full-size CartPole
// frame; on the 2-core development machine they take about 20 and 30 µs of CPU time per frame
// (go test -bench . ./env/render reports frames/s). Nothing is allocated per frame.
package render
