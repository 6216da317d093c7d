package photo

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

func TestDownscale_AreaWeights(t *testing.T) {
	// 3 px into 2: the middle source pixel is split half and half, so
	// (0 + 90·½)/1.5 = 30 and (90·½ + 180)/1.5 = 150.
	g := image.NewGray(image.Rect(0, 0, 3, 1))
	copy(g.Pix, []uint8{0, 90, 180})
	out := downscale(g, 2, 1)
	if out.Pix[0] != 30 || out.Pix[4] != 150 || out.Pix[3] != 255 {
		t.Errorf("3→2: %v", out.Pix)
	}
	// Down the columns the same way: 3 rows into 2.
	g = image.NewGray(image.Rect(0, 0, 1, 3))
	copy(g.Pix, []uint8{0, 90, 180})
	out = downscale(g, 1, 2)
	if out.Pix[0] != 30 || out.Pix[4] != 150 {
		t.Errorf("3→2 down: %v", out.Pix)
	}
	// 4×2 into 2×1: plain means of 2×2 blocks.
	g = image.NewGray(image.Rect(0, 0, 4, 2))
	copy(g.Pix, []uint8{10, 20, 30, 40, 50, 60, 70, 81})
	out = downscale(g, 2, 1)
	if out.Pix[0] != 35 || out.Pix[4] != 55 { // (10+20+50+60)/4, (30+40+70+81)/4 = 55.25
		t.Errorf("4×2→2×1: %v", out.Pix)
	}
}

// An even colour stays exactly that colour at every size, edges included:
// the weights of every destination pixel add up to one.
func TestDownscale_EvenColourToTheEdges(t *testing.T) {
	c := color.RGBA{200, 100, 50, 255}
	for _, size := range [][4]int{{1001, 777, 360, 279}, {7, 5, 3, 2}, {2560, 1, 360, 1}, {1, 999, 1, 360}, {640, 480, 640, 480}} {
		src := image.NewRGBA(image.Rect(0, 0, size[0], size[1]))
		for i := 0; i < len(src.Pix); i += 4 {
			copy(src.Pix[i:], []uint8{c.R, c.G, c.B, c.A})
		}
		out := downscale(src, size[2], size[3])
		for i := 0; i < len(out.Pix); i += 4 {
			if out.Pix[i] != c.R || out.Pix[i+1] != c.G || out.Pix[i+2] != c.B || out.Pix[i+3] != 255 {
				t.Fatalf("%v: pixel %d is %v", size, i/4, out.Pix[i:i+4])
			}
		}
	}
}

// Every source type the readers know gives what At gives.
func TestRowReader_FastPathsAgreeWithAt(t *testing.T) {
	rect := image.Rect(0, 0, 13, 7)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(i * 37)
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(i*53), uint8(255-i*29)
	}
	nrgba := image.NewNRGBA(rect)
	rgba := image.NewRGBA(rect)
	gray := image.NewGray(rect)
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(i * 31)
		gray.Pix[i%len(gray.Pix)] = uint8(i * 7)
	}
	for y := range 7 {
		for x := range 13 {
			rgba.Set(x, y, nrgba.At(x, y))
		}
	}
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio411} {
		other := image.NewYCbCr(rect, ratio)
		copy(other.Y, ycc.Y)
		for i := range other.Cb {
			other.Cb[i], other.Cr[i] = uint8(i*11), uint8(i*17)
		}
		checkReader(t, other)
	}
	for _, img := range []image.Image{ycc, nrgba, rgba, gray} {
		checkReader(t, img)
	}
}

func checkReader(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	row := make([]uint8, 3*b.Dx())
	read := rowReader(img)
	for y := range b.Dy() {
		read(y, row)
		for x := range b.Dx() {
			want := overWhite(img.At(x, y).RGBA())
			for c := range 3 {
				if d := int(row[3*x+c]) - int(want[c]); d < -1 || d > 1 { // rounding may differ by one
					t.Fatalf("%T at %d,%d: %v, want %v", img, x, y, row[3*x:3*x+3], want)
				}
			}
		}
	}
}

func TestReadJPEGExif_Refusals(t *testing.T) {
	le := binary.LittleEndian
	good := exifBlock(le, []ifdEntry{{tag: tagOrientation, value: uint16(6)}})
	for name, tc := range map[string]struct {
		data []byte
		want int
	}{
		"a good segment":             {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, good), 6},
		"orientation out of range":   {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, exifBlock(le, []ifdEntry{{tag: tagOrientation, value: uint16(9)}})), 1},
		"orientation as a LONG":      {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, exifBlock(le, []ifdEntry{{tag: tagOrientation, value: uint32(3)}})), 3},
		"segment longer than file":   {[]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}, 1},
		"bad byte order":             {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, append([]byte("XX"), good[2:]...)), 1},
		"IFD offset past the end":    {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, []byte("II*\x00\xff\xff\xff\x7f")), 1},
		"after the scan starts":      {append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, withExif([]byte{0xFF, 0xD8}, good)[2:]...), 1},
		"entry count beyond the end": {withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, []byte("II*\x00\x08\x00\x00\x00\xff\xff\x12\x01\x03\x00\x01\x00")), 1},
	} {
		if got := readJPEGExif(tc.data); got.orientation != tc.want {
			t.Errorf("%s: orientation %d, want %d", name, got.orientation, tc.want)
		}
	}
}

// FuzzReadJPEGExif: the EXIF reader never panics, loops or reads outside
// its input, and always gives an orientation from 1 to 8.
func FuzzReadJPEGExif(f *testing.F) {
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		f.Add(withExif([]byte{0xFF, 0xD8, 0xFF, 0xD9}, exifBlock(order, []ifdEntry{
			{tag: tagOrientation, value: uint16(8)}, {tag: tagDateTime, value: "2026:03:15 10:00:00"},
			{tag: tagExifIFD, sub: []ifdEntry{{tag: tagDateTimeOriginal, value: "2026:03:14 16:45:30"}, {tag: tagOffsetTimeOriginal, value: "+08:00"}}},
		})))
	}
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		info := readJPEGExif(data)
		if info.orientation < 1 || info.orientation > 8 {
			t.Fatalf("orientation %d", info.orientation)
		}
		// The TIFF reader on its own, as if the whole input were the block.
		var direct exifInfo
		readTIFF(data, &direct)
	})
}
