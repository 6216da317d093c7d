package photo

import (
	"image"
)

// downscale returns src at dw×dh (each no larger than src's) by area
// averaging: a destination pixel is the mean of the source area under it,
// a source pixel only partly under it counting for the part covered, so
// edges and odd ratios come out right and nothing is skipped (nearest
// neighbour would alias a 4000 px photo badly). Transparent pixels are laid
// over white first, as a JPEG has no alpha.
//
// The source is read one row at a time through rowReader, so beyond the
// decoded image only a few rows of memory are used.
func downscale(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// In units where a source pixel is dw wide and dh high, a destination
	// pixel is sw wide and sh high: every boundary is an integer, and the
	// weights of one destination pixel add up to exactly sw·sh.
	type span struct {
		j int    // the destination column the source column starts in
		w uint64 // how much of it lies there; the rest (dw−w) lies in j+1
	}
	xs := make([]span, sw)
	for x := range sw {
		start := int64(x) * int64(dw)
		j := start / int64(sw)
		edge := (j + 1) * int64(sw)
		xs[x] = span{int(j), uint64(min(start+int64(dw), edge) - start)}
	}
	row := make([]uint8, 3*sw)
	across := make([]uint64, 3*(dw+1)) // one spare pixel: a source column ending exactly on the last edge adds 0 there
	acc := make([]uint64, 3*dw)
	scale := 1 / (float64(sw) * float64(sh))
	read := rowReader(src)
	k := 0 // the destination row being summed
	for y := range sh {
		read(y, row)
		clear(across)
		w := uint64(dw)
		for x, s := range xs {
			r, g, bl := uint64(row[3*x]), uint64(row[3*x+1]), uint64(row[3*x+2])
			o := 3 * s.j
			a := across[o : o+6 : o+6]
			a[0] += r * s.w
			a[1] += g * s.w
			a[2] += bl * s.w
			a[3] += r * (w - s.w)
			a[4] += g * (w - s.w)
			a[5] += bl * (w - s.w)
		}
		start, end := int64(y)*int64(dh), int64(y+1)*int64(dh)
		edge := int64(k+1) * int64(sh)
		addWeighted(acc, across, uint64(min(end, edge)-start))
		if end >= edge { // row k is complete
			out := dst.Pix[k*dst.Stride : k*dst.Stride+4*dw]
			for j := range dw {
				out[4*j] = uint8(float64(acc[3*j])*scale + 0.5)
				out[4*j+1] = uint8(float64(acc[3*j+1])*scale + 0.5)
				out[4*j+2] = uint8(float64(acc[3*j+2])*scale + 0.5)
				out[4*j+3] = 0xFF
			}
			clear(acc)
			k++
			if end > edge {
				addWeighted(acc, across, uint64(end-edge))
			}
		}
	}
	return dst
}

func addWeighted(acc, row []uint64, w uint64) {
	row = row[:len(acc)]
	for i := range acc {
		acc[i] += row[i] * w
	}
}

// rowReader returns a function that writes row y (0 at the top) of src as
// RGB bytes laid over white. The common decoded types are read straight
// from their pixel slices; anything else goes through At, which is slower
// but correct.
func rowReader(src image.Image) func(y int, out []uint8) {
	b := src.Bounds()
	w := b.Dx()
	switch m := src.(type) {
	case *image.YCbCr:
		if b.Min != (image.Point{}) {
			break // the chroma indexing below assumes the origin at 0,0, as decoded JPEGs have
		}
		shift := 0
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
			shift = 1
		case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
			shift = 2
		}
		return func(y int, out []uint8) {
			yRow := m.Y[m.YOffset(0, y):][:w]
			c0 := m.COffset(0, y)
			for x, yv := range yRow {
				c := c0 + x>>shift
				out[3*x], out[3*x+1], out[3*x+2] = yccToRGB(yv, m.Cb[c], m.Cr[c])
			}
		}
	case *image.RGBA: // premultiplied: over white adds what the alpha leaves
		return func(y int, out []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			for x := range w {
				a := 255 - int(p[4*x+3])
				out[3*x] = uint8(min(int(p[4*x])+a, 255))
				out[3*x+1] = uint8(min(int(p[4*x+1])+a, 255))
				out[3*x+2] = uint8(min(int(p[4*x+2])+a, 255))
			}
		}
	case *image.NRGBA: // straight alpha, as PNGs with transparency decode
		return func(y int, out []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			for x := range w {
				a := int(p[4*x+3])
				white := 255 * (255 - a)
				out[3*x] = uint8((int(p[4*x])*a + white + 127) / 255)
				out[3*x+1] = uint8((int(p[4*x+1])*a + white + 127) / 255)
				out[3*x+2] = uint8((int(p[4*x+2])*a + white + 127) / 255)
			}
		}
	case *image.Gray:
		return func(y int, out []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			for x, v := range p {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.Paletted:
		var lut [256][3]uint8 // indexes past the palette read as black, as the PNG decoder pads it
		for i, c := range m.Palette {
			if i < len(lut) && c != nil {
				lut[i] = overWhite(c.RGBA())
			}
		}
		return func(y int, out []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			for x, v := range p {
				out[3*x], out[3*x+1], out[3*x+2] = lut[v][0], lut[v][1], lut[v][2]
			}
		}
	}
	return func(y int, out []uint8) {
		for x := range w {
			c := overWhite(src.At(b.Min.X+x, b.Min.Y+y).RGBA())
			out[3*x], out[3*x+1], out[3*x+2] = c[0], c[1], c[2]
		}
	}
}

// overWhite lays a 16-bit premultiplied colour over white, to 8 bits.
func overWhite(r, g, b, a uint32) [3]uint8 {
	over := func(c uint32) uint8 { return uint8(min(c+0xFFFF-a, 0xFFFF) >> 8) }
	return [3]uint8{over(r), over(g), over(b)}
}

// yccToRGB converts JPEG's full-range YCbCr (JFIF) to RGB in 16.16 fixed
// point: R = Y + 1.402 Cr′, G = Y − 0.344136 Cb′ − 0.714136 Cr′,
// B = Y + 1.772 Cb′, where Cb′ and Cr′ are centred on 128.
func yccToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)<<16 + 1<<15
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	return clamp8((yy + 91881*cr1) >> 16), clamp8((yy - 22554*cb1 - 46802*cr1) >> 16), clamp8((yy + 116130*cb1) >> 16)
}

func clamp8(v int32) uint8 {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// orient turns an image as EXIF orientation o (1–8) says, so it shows
// upright without the tag. For 5–8 the width and height swap. o names how
// the stored rows map to the scene: 6 means the stored top row is the
// scene's right edge, so the picture is turned 90° clockwise.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// from gives the source pixel shown at x, y of the result.
	var from func(x, y int) (int, int)
	switch o {
	case 2: // mirrored left–right
		from = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // upside down
		from = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // mirrored top–bottom
		from = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // mirrored along the main diagonal
		from = func(x, y int) (int, int) { return y, x }
	case 6: // needs a quarter turn clockwise
		from = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // mirrored along the other diagonal
		from = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // needs a quarter turn anticlockwise
		from = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	for y := range dh {
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := range dw {
			sx, sy := from(x, y)
			i := sy*src.Stride + 4*sx
			copy(out[4*x:4*x+4], src.Pix[i:i+4])
		}
	}
	return dst
}
