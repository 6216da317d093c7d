package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"guatu/apperr"
)

// The tests build their photos here: JPEGs from image/jpeg with an EXIF
// APP1 segment spliced in after SOI, as a phone writes one.

// ifdEntry is one EXIF entry to write; value is a uint16 (SHORT), a uint32
// (LONG) or a string (ASCII); sub, when set, is a nested IFD whose offset
// becomes the value (the Exif and GPS pointers).
type ifdEntry struct {
	tag   uint16
	value any
	sub   []ifdEntry
}

// byteOrder is what binary.LittleEndian and BigEndian both are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// exifBlock writes a TIFF block with IFD0 holding entries.
func exifBlock(order byteOrder, entries []ifdEntry) []byte {
	var b []byte
	if order == binary.LittleEndian {
		b = []byte("II")
	} else {
		b = []byte("MM")
	}
	b = order.AppendUint16(b, 42)
	b = order.AppendUint32(b, 8)
	b = writeIFD(order, b, entries)
	return b
}

// writeIFD appends an IFD at the end of b, its long values and sub-IFDs after it.
func writeIFD(order byteOrder, b []byte, entries []ifdEntry) []byte {
	start := len(b)
	extra := start + 2 + 12*len(entries) + 4 // where out-of-line data goes
	b = order.AppendUint16(b, uint16(len(entries)))
	var tail []byte
	var subs []struct {
		at      int
		entries []ifdEntry
	}
	for _, e := range entries {
		b = order.AppendUint16(b, e.tag)
		switch v := e.value.(type) {
		case uint16:
			b = order.AppendUint16(b, 3)
			b = order.AppendUint32(b, 1)
			b = order.AppendUint16(b, v)
			b = order.AppendUint16(b, 0)
		case uint32:
			b = order.AppendUint16(b, 4)
			b = order.AppendUint32(b, 1)
			b = order.AppendUint32(b, v)
		case string:
			s := v + "\x00"
			b = order.AppendUint16(b, 2)
			b = order.AppendUint32(b, uint32(len(s)))
			if len(s) <= 4 {
				b = append(b, (s + "\x00\x00\x00")[:4]...)
			} else {
				b = order.AppendUint32(b, uint32(extra+len(tail)))
				tail = append(tail, s...)
			}
		case nil: // a pointer to e.sub, patched below
			b = order.AppendUint16(b, 4)
			b = order.AppendUint32(b, 1)
			subs = append(subs, struct {
				at      int
				entries []ifdEntry
			}{len(b), e.sub})
			b = order.AppendUint32(b, 0)
		}
	}
	b = order.AppendUint32(b, 0) // no next IFD
	b = append(b, tail...)
	for _, s := range subs {
		order.PutUint32(b[s.at:], uint32(len(b)))
		b = writeIFD(order, b, s.entries)
	}
	return b
}

// withExif returns the JPEG with an Exif APP1 segment after SOI.
func withExif(jpg, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	red   = color.RGBA{220, 20, 20, 255}
	green = color.RGBA{20, 200, 20, 255}
	grey  = color.RGBA{128, 128, 128, 255}
)

// cornered is a w×h grey picture with a red block at its top-left and a
// green block at its top-right, so any turn or mirror shows.
func cornered(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := grey
			switch {
			case x < w/5 && y < h/5:
				c = red
			case x >= w-w/5 && y < h/5:
				c = green
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// near reports whether c is within tol of want on every channel (JPEG is lossy).
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { v := int(x>>8) - int(y); return v >= -tol && v <= tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func decodeJPEG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not a JPEG: %v", err)
	}
	return img
}

// app1 reports whether a JPEG has an APP1 (EXIF/XMP) segment before its image data.
func app1(data []byte) bool {
	for i := 2; i+4 <= len(data); {
		m := data[i+1]
		if m == 0xDA {
			return false
		}
		if m == 0xE1 {
			return true
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return false
}

func TestProcess_OrientationTurnsThePixels(t *testing.T) {
	// The stored picture is 400×300 with red top-left and green top-right;
	// where they land says the picture was turned the way the tag means.
	type corner int
	const (
		tl corner = iota
		tr
		br
		bl
	)
	for _, tc := range []struct {
		o          uint16
		swap       bool
		red, green corner
	}{
		{1, false, tl, tr},
		{2, false, tr, tl},
		{3, false, br, bl},
		{4, false, bl, br},
		{5, true, tl, bl},
		{6, true, tr, br}, // the phone was held upright: a quarter turn clockwise
		{7, true, br, tr},
		{8, true, bl, tl},
	} {
		data := withExif(encodeJPEG(t, cornered(400, 300), 95), exifBlock(binary.BigEndian, []ifdEntry{{tag: tagOrientation, value: tc.o}}))
		p, err := Process(data)
		if err != nil {
			t.Fatalf("orientation %d: %v", tc.o, err)
		}
		w, h := 400, 300
		if tc.swap {
			w, h = 300, 400
		}
		if p.Width != w || p.Height != h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", tc.o, p.Width, p.Height, w, h)
		}
		img := decodeJPEG(t, p.JPEG)
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("orientation %d: encoded %v", tc.o, b)
		}
		at := func(c corner) color.Color {
			switch c {
			case tr:
				return img.At(w-15, 15)
			case br:
				return img.At(w-15, h-15)
			case bl:
				return img.At(15, h-15)
			}
			return img.At(15, 15)
		}
		if !near(at(tc.red), red, 24) || !near(at(tc.green), green, 24) {
			t.Errorf("orientation %d: red corner %v, green corner %v", tc.o, at(tc.red), at(tc.green))
		}
		// The two corners not marked stay grey.
		for _, c := range []corner{tl, tr, br, bl} {
			if c != tc.red && c != tc.green && !near(at(c), grey, 24) {
				t.Errorf("orientation %d: corner %d is %v, want grey", tc.o, c, at(c))
			}
		}
	}
}

func TestProcess_MetadataDropsGPSAndKeepsTheTime(t *testing.T) {
	gps := []ifdEntry{{tag: 0x0001, value: "N"}, {tag: 0x0003, value: "E"}, {tag: 0x001D, value: "2026:03:14"}}
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		tiff := exifBlock(order, []ifdEntry{
			{tag: 0x010F, value: "GuatuPhone"},
			{tag: tagOrientation, value: uint16(1)},
			{tag: tagDateTime, value: "2026:03:15 10:00:00"},
			{tag: tagExifIFD, sub: []ifdEntry{{tag: tagDateTimeOriginal, value: "2026:03:14 16:45:30"}}},
			{tag: 0x8825, sub: gps},
		})
		in := withExif(encodeJPEG(t, cornered(200, 150), 90), tiff)
		if !app1(in) || !bytes.Contains(in, []byte("GuatuPhone")) {
			t.Fatal("the test's input has no EXIF")
		}
		p, err := Process(in)
		if err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string][]byte{"photo": p.JPEG, "thumbnail": p.Thumb} {
			if app1(out) || bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, []byte("GuatuPhone")) {
				t.Errorf("%v: the %s keeps metadata", order, name)
			}
		}
		want := time.Date(2026, 3, 14, 16, 45, 30, 0, shanghai)
		if !p.TakenAt.Equal(want) {
			t.Errorf("%v: TakenAt %v, want %v (DateTimeOriginal, Shanghai time)", order, p.TakenAt, want)
		}
	}
}

func TestProcess_TakenAt(t *testing.T) {
	jpg := encodeJPEG(t, cornered(40, 30), 80)
	for _, tc := range []struct {
		name    string
		entries []ifdEntry
		want    time.Time
	}{
		{"no EXIF at all", nil, time.Time{}},
		{"only DateTime", []ifdEntry{{tag: tagDateTime, value: "2026:03:15 08:01:02"}}, time.Date(2026, 3, 15, 8, 1, 2, 0, shanghai)},
		{"the original's offset is used", []ifdEntry{{tag: tagExifIFD, sub: []ifdEntry{
			{tag: tagDateTimeOriginal, value: "2026:03:15 08:01:02"}, {tag: tagOffsetTimeOriginal, value: "+09:00"}}}},
			time.Date(2026, 3, 14, 23, 1, 2, 0, time.UTC)},
		{"a blank original falls back to DateTime", []ifdEntry{{tag: tagDateTime, value: "2026:03:15 08:01:02"},
			{tag: tagExifIFD, sub: []ifdEntry{{tag: tagDateTimeOriginal, value: "    :  :     :  :  "}}}},
			time.Date(2026, 3, 15, 8, 1, 2, 0, shanghai)},
		{"an unset clock is no time", []ifdEntry{{tag: tagDateTime, value: "1970:01:01 00:00:05"}}, time.Time{}},
		{"zeros are no time", []ifdEntry{{tag: tagDateTime, value: "0000:00:00 00:00:00"}}, time.Time{}},
	} {
		data := jpg
		if tc.entries != nil {
			data = withExif(jpg, exifBlock(binary.LittleEndian, tc.entries))
		}
		p, err := Process(data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !p.TakenAt.Equal(tc.want) || p.TakenAt.IsZero() != tc.want.IsZero() {
			t.Errorf("%s: TakenAt %v, want %v", tc.name, p.TakenAt, tc.want)
		}
	}
}

func TestProcess_SizesAndDigest(t *testing.T) {
	data := encodeJPEG(t, cornered(4000, 1000), 80)
	p, err := Process(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 2560 || p.Height != 640 || p.ThumbWidth != 360 || p.ThumbHeight != 90 {
		t.Errorf("sizes %d×%d, thumbnail %d×%d", p.Width, p.Height, p.ThumbWidth, p.ThumbHeight)
	}
	if b := decodeJPEG(t, p.Thumb).Bounds(); b.Dx() != 360 || b.Dy() != 90 {
		t.Errorf("thumbnail encoded %v", b)
	}
	if len(p.SHA256) != 64 {
		t.Errorf("digest %q", p.SHA256)
	}
	again, _ := Process(data)
	if again.SHA256 != p.SHA256 {
		t.Error("the same upload gave another digest")
	}
	// A small photo keeps its size: nothing is enlarged.
	small, err := Process(encodeJPEG(t, cornered(300, 200), 80))
	if err != nil || small.Width != 300 || small.Height != 200 || small.ThumbWidth != 300 {
		t.Errorf("small photo: %+v %v", small, err)
	}
}

func TestProcess_PNGTransparencyOverWhite(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 90, 60))
	for y := range 60 {
		for x := range 90 {
			switch {
			case x < 30: // fully transparent (its colour must not show)
				img.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 0})
			case x < 60: // half-transparent red
				img.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 128})
			default:
				img.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 255})
			}
		}
	}
	p, err := Process(encodePNG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	out := decodeJPEG(t, p.JPEG)
	for _, c := range []struct {
		x    int
		want color.RGBA
	}{{15, color.RGBA{255, 255, 255, 255}}, {45, color.RGBA{255, 127, 127, 255}}, {75, color.RGBA{0, 0, 255, 255}}} {
		if got := out.At(c.x, 30); !near(got, c.want, 12) {
			t.Errorf("x=%d: %v, want %v", c.x, got, c.want)
		}
	}
	// A paletted PNG with a transparent entry takes the same path.
	pal := image.NewPaletted(image.Rect(0, 0, 20, 20), color.Palette{color.NRGBA{0, 0, 0, 0}, color.RGBA{0, 128, 0, 255}})
	for i := range pal.Pix[:200] {
		pal.Pix[i] = 1
	}
	p, err = Process(encodePNG(t, pal))
	if err != nil {
		t.Fatal(err)
	}
	out = decodeJPEG(t, p.JPEG)
	if !near(out.At(10, 2), color.RGBA{0, 128, 0, 255}, 12) || !near(out.At(10, 17), color.RGBA{255, 255, 255, 255}, 12) {
		t.Errorf("paletted: %v %v", out.At(10, 2), out.At(10, 17))
	}
}

// refused checks an error is an apperr.Invalid wrapping cause whose message has want.
func refused(t *testing.T, err, cause error, want ...string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid || !errors.Is(err, cause) {
		t.Fatalf("error %v, want Invalid wrapping %v", err, cause)
	}
	for _, w := range want {
		if !strings.Contains(ae.Msg, w) {
			t.Errorf("message %q lacks %q", ae.Msg, w)
		}
	}
}

func TestProcess_HEICIsRefusedWithAFix(t *testing.T) {
	// An iPhone's header: ftyp box, major brand heic, compatible mif1 and heic.
	heic := append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...)
	heic = append(heic, make([]byte, 2000)...)
	_, err := Process(heic)
	refused(t, err, ErrHEIC, "HEIC", "兼容性最佳", "截屏")
	// A HEIF with only mif1 as major brand is the same thing.
	_, err = Process(append([]byte{0, 0, 0, 0x10}, "ftypmif1\x00\x00\x00\x00heic"...))
	refused(t, err, ErrHEIC)
	// AVIF also lists mif1 but is named for what it is.
	_, err = Process(append([]byte{0, 0, 0, 0x1c}, "ftypavif\x00\x00\x00\x00avifmif1miafMA1B"...))
	refused(t, err, ErrFormat, "AVIF", "JPG 或 PNG")
	_, err = Process(append([]byte{0, 0, 0, 0x18}, "ftypmp42\x00\x00\x00\x00isommp42"...))
	refused(t, err, ErrFormat, "视频", "JPG 或 PNG")
}

func TestProcess_OtherContentIsRefusedByContentNotName(t *testing.T) {
	for name, data := range map[string][]byte{
		"GIF 动图": []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"WebP":   []byte("RIFF\x1a\x00\x00\x00WEBPVP8 "),
		"PDF":    []byte("%PDF-1.7\n"),
		"无法识别":   []byte("just some text, named photo.jpg"),
		"压缩包":    []byte("PK\x03\x04rest"),
	} {
		_, err := Process(data)
		refused(t, err, ErrFormat, name, "只能上传 JPG 或 PNG")
	}
	_, err := Process(nil)
	refused(t, err, ErrEmpty, "空")
	// A JPEG cut off in transit, or garbage after a JPEG's first bytes.
	jpg := encodeJPEG(t, cornered(200, 150), 80)
	_, err = Process(jpg[:len(jpg)/2])
	refused(t, err, ErrCorrupt, "损坏")
	_, err = Process([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 2, 1, 2, 3})
	refused(t, err, ErrCorrupt)
}

func TestProcess_Limits(t *testing.T) {
	big := make([]byte, MaxBytes+1)
	copy(big, encodeJPEG(t, cornered(20, 20), 80))
	_, err := Process(big)
	refused(t, err, ErrTooLarge, "20 MB", "20.0 MB")

	// A JPEG whose frame header claims 10000×10000 is refused from the
	// header alone, before its pixels would be allocated.
	bomb := encodeJPEG(t, cornered(16, 16), 80)
	sof := bytes.Index(bomb, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(bomb[sof+5:], 10000) // height
	binary.BigEndian.PutUint16(bomb[sof+7:], 10000) // width
	_, err = Process(bomb)
	refused(t, err, ErrTooBig, "10000×10000", "5000 万像素")

	// The same for a PNG, with the header's checksum made right.
	pngBomb := encodePNG(t, cornered(16, 16))
	ihdr := bytes.Index(pngBomb, []byte("IHDR"))
	binary.BigEndian.PutUint32(pngBomb[ihdr+4:], 60000)
	binary.BigEndian.PutUint32(pngBomb[ihdr+8:], 60000)
	binary.BigEndian.PutUint32(pngBomb[ihdr+17:], crc32.ChecksumIEEE(pngBomb[ihdr:ihdr+17]))
	_, err = Process(pngBomb)
	refused(t, err, ErrTooBig, "60000×60000")
}

func TestNewName(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := NewName()
		if !ValidName(n) || seen[n] {
			t.Fatalf("name %q (seen before: %v)", n, seen[n])
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", NameLen), strings.Repeat("0", NameLen-1), strings.Repeat("g", NameLen)} {
		if ValidName(bad) {
			t.Errorf("ValidName(%q) = true", bad)
		}
	}
}

// FuzzProcess: whatever is uploaded, Process returns a photo or an
// apperr.Invalid, and never panics.
func FuzzProcess(f *testing.F) {
	jpg := encodeJPEG(f, cornered(40, 30), 80)
	f.Add(jpg)
	f.Add(withExif(jpg, exifBlock(binary.LittleEndian, []ifdEntry{{tag: tagOrientation, value: uint16(6)},
		{tag: tagExifIFD, sub: []ifdEntry{{tag: tagDateTimeOriginal, value: "2026:03:14 16:45:30"}}}})))
	f.Add(encodePNG(f, cornered(20, 10)))
	f.Add(append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...))
	f.Add([]byte("GIF89a"))
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Process(data)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		if p.Width < 1 || p.Height < 1 || p.Width > MaxEdge || p.Height > MaxEdge || len(p.JPEG) == 0 || len(p.Thumb) == 0 {
			t.Fatalf("photo %d×%d, %d and %d bytes", p.Width, p.Height, len(p.JPEG), len(p.Thumb))
		}
	})
}

// BenchmarkProcess: a 12 MP phone photo (4000×3000, with detail so the
// JPEG is of a realistic size).
func BenchmarkProcess(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	seed := uint32(1)
	for i := range img.Y {
		seed = seed*1664525 + 1013904223
		img.Y[i] = uint8(i%4000/16) + uint8(seed>>28)
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(100+i%37), uint8(140-i%29)
	}
	data := withExif(encodeJPEG(b, img, 90), exifBlock(binary.BigEndian, []ifdEntry{{tag: tagOrientation, value: uint16(6)}}))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(data); err != nil {
			b.Fatal(err)
		}
	}
}
